"""Choices of the overdue view's filters, bounded: the full lists, and a search returning at most ``limit``.

A province-wide user's plans hold tens of thousands of units and key tasks; a ``<select>`` of all of
them is megabytes of HTML. The filter lists them only when they are few, else it searches here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery

from tasks.models import KeyTask, Plan, Unit

from .compiled import recipe
from .permissions import coordinated_plans, is_global, plan_scope, plans_in

SEARCH_LIMIT = 20


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
    """How many of ``plans`` are in the region ``region`` (an outer reference, e.g. ``"plan__region_id"``).

    Annotated on the rows a page shows, for their plan's short label (``tasks.filters.short_plan_label``).
    """
    count = (plans.order_by().filter(region_id=OuterRef(region)).values("region_id")
             .annotate(n=Count("pk")).values("n")[:1])
    return Subquery(count, output_field=IntegerField())


def plan_choices(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """The user's plans as choices, by region and title."""
    return plans.select_related("region").order_by("region__name", "-first_year", "title", "pk")


def lead_unit_choices(plans: QuerySet[Plan]) -> QuerySet[Unit]:
    """Units of the regions of ``plans`` (who may lead an item there), by region and name.

    A semi-join on the regions, not a join through every plan: no row per (unit, plan) to make
    DISTINCT again (at 625 plans that was 95,000 rows sorted for a page's 101).
    """
    return (
        Unit.objects.filter(region_id__in=plans.values("region_id")).select_related("region")
        .order_by("region__name", "name", "pk")
    )


def key_task_choices(plans: QuerySet[Plan]) -> QuerySet[KeyTask]:
    """Key tasks of ``plans``, with their plan and region and ``plan_region_plans`` (for the plan's label)."""
    return (
        KeyTask.objects.filter(plan__in=plans).select_related("plan__region")
        .only("number", "title", "plan__title", "plan__region__name")  # what their labels show
        .annotate(plan_region_plans=region_plans(plans, "plan__region_id")).order_by("plan", "number", "pk")
    )


def choices_in(choices: Callable[[QuerySet[Plan]], QuerySet], *, plan_ids: tuple[int, ...] | None) -> QuerySet:
    """``choices(plans_in(plan_ids))`` (one of the functions above) as a ``Recipe``: read once per shape."""
    return recipe(_choices_in, model=_MODELS[choices], ids=plan_scope(plan_ids), choices=choices)


def _choices_in(*, choices: Callable[[QuerySet[Plan]], QuerySet], plan_ids: list[int] | None = None) -> QuerySet:
    return choices(plans_in(plan_ids))


_MODELS = {plan_choices: Plan, lead_unit_choices: Unit, key_task_choices: KeyTask}


def search_lead_units(*, plans: QuerySet[Plan], q: str, limit: int = SEARCH_LIMIT) -> tuple[list[Unit], bool]:
    """Units whose name (or region's name) contains ``q``: at most ``limit``, and whether there are more."""
    qs = lead_unit_choices(plans)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(region__name__icontains=q))
    return _bounded(qs, limit)


def search_key_tasks(*, plans: QuerySet[Plan], q: str, limit: int = SEARCH_LIMIT) -> tuple[list[KeyTask], bool]:
    """Key tasks whose title (or plan's title) contains ``q``, or whose number is ``q``."""
    qs = key_task_choices(plans)
    if q:
        match = Q(title__icontains=q) | Q(plan__title__icontains=q)
        if q.isdigit():
            match |= Q(number=int(q))
        qs = qs.filter(match)
    return _bounded(qs, limit)


def search_plans(*, plans: QuerySet[Plan], q: str, limit: int = SEARCH_LIMIT) -> tuple[list[Plan], bool]:
    """Plans whose title (or region's name) contains ``q``."""
    qs = plan_choices(plans)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(region__name__icontains=q))
    return _bounded(qs, limit)


def _bounded(qs: QuerySet, limit: int) -> tuple[list, bool]:
    """At most ``limit`` rows of ``qs``, and whether there are more (one query: ``limit + 1`` rows)."""
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit
