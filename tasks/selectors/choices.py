"""Choices of the overdue view's filters, bounded: the full lists, and a search returning at most ``limit``.

A province-wide user's plans hold tens of thousands of units and key tasks; a ``<select>`` of all of
them is megabytes of HTML. The filter lists them only when they are few, else it searches here.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tasks.models import KeyTask, Plan, Unit

SEARCH_LIMIT = 20


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
    return KeyTask.objects.filter(plan__in=plans).select_related("plan").order_by("plan", "number", "pk")


def search_lead_units(*, plans: QuerySet[Plan], q: str, limit: int = SEARCH_LIMIT) -> tuple[list[Unit], bool]:
    """Units whose name (or region's name) contains ``q``: at most ``limit``, and whether there are more."""
    qs = lead_unit_choices(plans)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(region__name__icontains=q))
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit


def search_key_tasks(*, plans: QuerySet[Plan], q: str, limit: int = SEARCH_LIMIT) -> tuple[list[KeyTask], bool]:
    """Key tasks whose title (or plan's title) contains ``q``, or whose number is ``q``."""
    qs = key_task_choices(plans)
    if q:
        match = Q(title__icontains=q) | Q(plan__title__icontains=q)
        if q.isdigit():
            match |= Q(number=int(q))
        qs = qs.filter(match)
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit
