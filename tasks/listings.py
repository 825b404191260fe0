"""The list pages' filtered, ordered tables, built for a user and a page's query parameters.

A list page and its Excel export build them here alike, whether the export is made in the request or in
the background (``tasks.services.exports``): the file holds the rows the page showed, in its order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import QueryDict
from django.utils.translation import gettext as _
from django_filters import FilterSet
from django_tables2 import Table

from tasks.filters import OverdueFilter, ReachFilter, WorkItemFilter
from tasks.models import Unit
from tasks.selectors.choices import reviewable_spread
from tasks.selectors.permissions import reviewable_plan_ids
from tasks.selectors.reach import reach_people, reach_worst_first
from tasks.selectors.work import overdue_in, unit_filter_choices, unit_plan_count, work_items_for_unit
from tasks.tables import OverdueTable, ReachTable, WorkItemTable


@dataclass
class Listing:
    filterset: FilterSet
    table: Table
    title: str
    filename: str

    def order_by(self, params: QueryDict) -> Listing:
        """Order the table as the page's ``sort`` parameter says (the page's own RequestConfig does it for a
        request)."""
        order_by = params.getlist(self.table.prefixed_order_by_field)
        if order_by:
            self.table.order_by = order_by
        return self


def overdue_listing(user, params: QueryDict, *, today: date, next_url: str = "") -> Listing:
    """Every overdue item of the plans ``user`` reviews, filtered by ``params`` (the overdue view)."""
    scope = reviewable_plan_ids(user)
    filterset = OverdueFilter(params or None, queryset=overdue_in(plan_ids=scope, today=today), today=today,
                              plan_ids=scope, spread=reviewable_spread(user))
    table = OverdueTable(filterset.qs, today=today, next_url=next_url)
    title = _("逾期事项")
    return Listing(filterset, table, title=title, filename=f"{title}-{today:%Y%m%d}.xlsx")


def unit_work_listing(unit: Unit, params: QueryDict, *, today: date, count: int | None = None) -> Listing:
    """The work items of ``unit`` (lead or supporting), filtered by ``params`` (the liaison home). ``count``:
    the unit's number of items, when the page knows it and nothing is filtered (no COUNT again)."""
    key_tasks, indicators = unit_filter_choices(unit)
    filterset = WorkItemFilter(params or None, queryset=work_items_for_unit(unit=unit, today=today), today=today,
                               key_tasks=key_tasks, indicators=indicators)
    table = WorkItemTable(filterset.qs, count=None if filterset.form.has_changed() else count,
                          several_plans=unit_plan_count(unit) > 1)
    return Listing(filterset, table, title=unit.name, filename=f"{unit.name}-{today:%Y%m%d}.xlsx")


def reach_listing(user, params: QueryDict, *, today: date, now, configured: frozenset[str]) -> Listing:
    """The people of the units of the plans ``user`` reviews and how they are reached (the reach page).
    ``configured``: the channels the site can send on besides e-mail."""
    people = reach_worst_first(reach_people(plan_ids=reviewable_plan_ids(user), now=now), configured=configured)
    filterset = ReachFilter(params or None, queryset=people, today=today, configured=configured)
    table = ReachTable(filterset.qs, configured=configured)
    title = _("触达情况")
    return Listing(filterset, table, title=title, filename=f"{title}-{today:%Y%m%d}.xlsx")
