"""Reads for the JSON API: the plans a user may see, and a plan's status as of a day.

The status is the roundup's own data (``roundup_data``) for the period that contains the day, cut off
at the end of that day; nothing is counted here. What a user may see of it follows the pages: a
coordinator (or a global role) reads the plan whole; a liaison reads its own unit's row, the
indicators its unit serves and the overdue items it may open.
"""

from __future__ import annotations

from django.db.models import BooleanField, Exists, OuterRef, QuerySet, Value

from tasks.models import Plan
from tasks.roundups.periods import Period
from tasks.selectors.permissions import (
    coordinated_plan_ids,
    is_global,
    sees_plan_whole,
    user_unit,
    visible_indicators,
    visible_plans,
    visible_work_items,
)
from tasks.selectors.roundups import roundup_data

SUMMARY_KEYS = ("due", "done_on_time", "done_late", "overdue", "awaiting_review", "on_time_rate")


def api_plans(user) -> QuerySet[Plan]:
    """The plans ``user`` may read, with ``is_coordinated`` (read whole) annotated."""
    qs = visible_plans(user).select_related("region").order_by("region__name", "-first_year", "title")
    if is_global(user):
        return qs.annotate(is_coordinated=Value(True, output_field=BooleanField()))
    return qs.annotate(
        is_coordinated=Exists(Plan.objects.filter(pk=OuterRef("pk"), pk__in=coordinated_plan_ids(user)))
    )


def plan_status(*, plan: Plan, user, period: Period, most_overdue: int = 10) -> dict:
    """``plan``'s figures for ``period`` (already cut off at the as-of day), as ``user`` may see them."""
    data = roundup_data(plan=plan, period=period)
    whole = sees_plan_whole(user, plan.pk)
    units, indicators, overdue = data["units"], data["indicators"], data["overdue_items"]
    unit = None
    if not whole:
        unit = user_unit(user)
        units = [u for u in units if unit is not None and u["unit_id"] == unit.pk]
        shown = set(visible_indicators(user).filter(plan=plan).values_list("pk", flat=True))
        indicators = [i for i in indicators if i["id"] in shown]
        open_ids = {row["id"] for row in overdue}
        allowed = set(visible_work_items(user).filter(pk__in=open_ids).values_list("pk", flat=True))
        overdue = [row for row in overdue if row["id"] in allowed]
    summary = {key: data["summary"][key] for key in SUMMARY_KEYS}
    summary["cumulative"] = {key: data["summary"]["cumulative"][key] for key in SUMMARY_KEYS}
    return {
        "plan": data["plan"],
        "period": {**data["period"], "complete": period.complete},
        "as_of": data["as_of"],
        "scope": "plan" if whole else "unit",
        "unit": unit.name if unit is not None else None,
        "summary": summary,
        "units": units,
        "indicators": indicators,
        "most_overdue": overdue[:most_overdue],
        "overdue_count": len(overdue),
    }
