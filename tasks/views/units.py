"""A unit's page: its items, its on-time rate, its overdue list."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tasks.rules.actions import Act
from tasks.selectors.guard import allowed
from tasks.selectors.permissions import visible_units, visible_work_items
from tasks.selectors.work import Urgency, unit_summary, urgency_q, work_items_for_unit
from tasks.tables import WorkItemTable

from .common import PER_PAGE, BoundedRequestConfig


@require_safe
def unit_detail(request, pk: int):
    unit = get_object_or_404(visible_units(request.user).select_related("region"), pk=pk)
    today = timezone.localdate()
    items = work_items_for_unit(unit=unit, today=today, visible=visible_work_items(request.user))
    table = WorkItemTable(items, prefix="i-")
    overdue_table = WorkItemTable(items.filter(urgency_q(Urgency.OVERDUE, today)), prefix="o-")
    config = BoundedRequestConfig(request, paginate={"per_page": PER_PAGE})
    config.configure(table)
    config.configure(overdue_table)
    return render(
        request,
        "tasks/unit_detail.html",
        {"unit": unit, "table": table, "overdue_table": overdue_table,
         "summary": unit_summary(items, today, unit_id=unit.pk),
         "today": today, "manages_people": allowed(Act.MANAGE_PEOPLE, request.user, unit)},
    )
