"""Choices of the overdue view's filters, bounded: the full lists, and a search returning at most ``limit``.

A province-wide user's plans hold tens of thousands of units and key tasks; a ``<select>`` of all of
them is megabytes of HTML. The filter lists them only when they are few, else it searches here.

Each choice carries its label, computed in SQL (``LABEL``): the page reads up to 101 (id, label) pairs
per filter to know whether to list or search, and building a model instance for each (with its region
or plan) was a quarter of the overdue view's time. The page's options, the chosen option and the
search's results all show this one label.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Case, CharField, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.db.models.lookups import Exact

from tasks.inputs import contains, parse_id
from tasks.models import KeyTask, Plan, Unit

from .compiled import recipe
from .permissions import coordinated_plans, is_global, plan_scope, plans_in

SEARCH_LIMIT = 20
LABEL = "choice_label"  # the annotation holding each choice's label


def plans_spread(plans: QuerySet[Plan]) -> tuple[int, int]:
    """(how many plans, how many regions) ``plans`` holds: one aggregate row, not a row per plan.

    The labels of several plans' choices depend on these two numbers only; a province-wide user has
    630 plans, which the page need not read to know it.
    """
    spread = plans.order_by().aggregate(n=Count("pk"), regions=Count("region_id", distinct=True))
    return spread["n"], spread["regions"]


def reviewable_spread(user) -> tuple[int, int]:
    """``plans_spread`` of the plans ``user`` reviews: from the coordinated plans and their regions already
    read for the permission checks (no statement of its own), one aggregate row for a province-wide user."""
    if is_global(user):
        return plans_spread(Plan.objects.all())
    plans = coordinated_plans(user)
    return len(plans), len(set(plans.values()))


def region_plans(plans: QuerySet[Plan], region: str) -> Subquery:
    """How many of ``plans`` are in the region ``region`` (an outer reference, e.g. ``"region_id"``): what a
    plan's short label depends on (``plan_label``)."""
    count = (plans.order_by().filter(region_id=OuterRef(region)).values("region_id")
             .annotate(n=Count("pk")).values("n")[:1])
    return Subquery(count, output_field=IntegerField())


def plan_label(plans: QuerySet[Plan], plan_id: str = "plan_id") -> Subquery:
    """A plan's short name among ``plans`` (a user's several), to tell rows and options apart: its region's
    name ("海宁市") when the region holds only that one of them, else its short name (``Plan.short_name``;
    its title if it has none). ``plan_id``: the labelled rows' reference to their plan. A scalar subquery,
    not joins: a count of the rows (a queue's pages) then joins nothing for it."""
    label = Case(When(Exact(region_plans(plans, "region_id"), 1), then=F("region__name")),
                 default=short_name_or_title(), output_field=CharField())
    return Subquery(Plan.objects.filter(pk=OuterRef(plan_id)).annotate(label=label).values("label")[:1],
                    output_field=CharField())


def short_name_or_title(prefix: str = "") -> Coalesce:
    """``Plan.label`` in SQL: the plan's short name, or its title when it has none (``prefix`` reaches the
    plan through a relation, e.g. ``"plan__"``)."""
    return Coalesce(NullIf(F(f"{prefix}short_name"), Value("")), F(f"{prefix}title"), output_field=CharField())


def _joined(*parts) -> Concat:
    return Concat(*parts, output_field=CharField())


def plan_choices(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """The user's plans as choices, by region and title, labelled by their title."""
    return plans.annotate(**{LABEL: F("title")}).order_by("region__name", "-first_year", "title", "pk")


def lead_unit_choices(plans: QuerySet[Plan], *, several_regions: bool = False) -> QuerySet[Unit]:
    """Units of the regions of ``plans`` (who may lead an item there), by region and name; labelled by their
    name, after their region's ("海宁市 · 市财政局") when ``plans`` span several regions.

    A semi-join on the regions, not a join through every plan: no row per (unit, plan) to make
    DISTINCT again (at 625 plans that was 95,000 rows sorted for a page's 101).
    """
    label = _joined(F("region__name"), Value(" · "), F("name")) if several_regions else F("name")
    return (
        Unit.objects.filter(region_id__in=plans.values("region_id")).annotate(**{LABEL: label})
        .order_by("region__name", "name", "pk")
    )


def key_task_choices(plans: QuerySet[Plan], *, several_plans: bool = False) -> QuerySet[KeyTask]:
    """Key tasks of ``plans`` by plan and number, labelled "3. 扩大…", after their plan's short name
    (``plan_label``) when ``plans`` are several."""
    own = _joined(Cast("number", CharField()), Value(". "), F("title"))
    label = _joined(plan_label(plans), Value(" · "), own) if several_plans else own
    return KeyTask.objects.filter(plan__in=plans).annotate(**{LABEL: label}).order_by("plan", "number", "pk")


def _matching(field: str, q: str) -> Q:
    """Choices of ``field`` matching the searched text ``q``: plans by title or region, units by name or region,
    key tasks by title, plan title or number."""
    if field == "plan":
        return contains("title", q) | contains("region__name", q)
    if field == "lead_unit":
        return contains("name", q) | contains("region__name", q)
    n = parse_id(q)
    number = Q(number=n) if n is not None and n < 2**15 else Q(pk__in=[])
    return contains("title", q) | contains("plan__title", q) | number


# The overdue view's searchable filters: the model, its choices and what their labels depend on.
FIELDS: dict[str, tuple[type, Callable[..., QuerySet], tuple[str, ...]]] = {
    "plan": (Plan, plan_choices, ()),
    "lead_unit": (Unit, lead_unit_choices, ("several_regions",)),
    "key_task": (KeyTask, key_task_choices, ("several_plans",)),
}


def _label_shape(field: str, spread: tuple[int, int]) -> dict[str, bool]:
    """What the labels of ``field``'s choices depend on, for a user reviewing ``spread`` (``reviewable_spread``:
    how many plans and regions): several plans (key tasks then say their plan), several regions (units then
    say their region)."""
    n_plans, n_regions = spread
    shape = {"several_plans": n_plans > 1, "several_regions": n_regions > 1}
    return {k: shape[k] for k in FIELDS[field][2]}


def choices_in(field: str, *, plan_ids: tuple[int, ...] | None, spread: tuple[int, int]) -> QuerySet:
    """The choices of the overdue view's filter ``field`` (one of ``FIELDS``) over the plans ``plan_ids``
    (``permissions.reviewable_plan_ids``), labelled for a user reviewing ``spread``, as a ``Recipe``: read
    once per shape."""
    return recipe(_choices_in, model=FIELDS[field][0], ids=plan_scope(plan_ids), field=field,
                  **_label_shape(field, spread))


def _choices_in(*, field: str, plan_ids: list[int] | None = None, **shape) -> QuerySet:
    return FIELDS[field][1](plans_in(plan_ids), **shape)


def search_choices(field: str, *, plans: QuerySet[Plan], q: str, spread: tuple[int, int],
                   limit: int = SEARCH_LIMIT) -> tuple[list[tuple[int, str]], bool]:
    """(id, label) of the choices of ``field`` among ``plans`` matching ``q``: at most ``limit``, and whether
    there are more (one query: ``limit + 1`` rows)."""
    qs = FIELDS[field][1](plans, **_label_shape(field, spread))
    if q:
        qs = qs.filter(_matching(field, q))
    rows = list(qs.values_list("pk", LABEL)[: limit + 1])
    return rows[:limit], len(rows) > limit
