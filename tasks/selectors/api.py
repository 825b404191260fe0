"""Reads for the JSON API: the plans a user may see.

A plan's status is the roundup document itself (``selectors.roundups.roundup_document``, which
``roundup --json`` prints too), for the period that contains the day, cut off at the end of that day.
"""

from __future__ import annotations

from django.db.models import BooleanField, Exists, OuterRef, QuerySet, Value

from tasks.models import Plan
from tasks.selectors.permissions import coordinated_plan_ids, is_global, visible_plans


def api_plans(user) -> QuerySet[Plan]:
    """The plans ``user`` may read, with ``is_coordinated`` (read whole) annotated."""
    qs = visible_plans(user).select_related("region").order_by("region__name", "-first_year", "title")
    if is_global(user):
        return qs.annotate(is_coordinated=Value(True, output_field=BooleanField()))
    return qs.annotate(
        is_coordinated=Exists(Plan.objects.filter(pk=OuterRef("pk"), pk__in=coordinated_plan_ids(user)))
    )
