"""Plan-level pages: the coordinator's home, the plan dashboard, a key task's page."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from tasks.models import KeyTaskUnit, WorkItem
from tasks.selectors.imports import plan_import_warnings, warning_fix_url
from tasks.selectors.indicators import indicators_with_progress, plan_year, progress_of
from tasks.selectors.permissions import reviewable_plans, user_unit, visible_key_tasks, visible_work_items
from tasks.selectors.work import (
    OPEN_STATUSES,
    Urgency,
    by_deadline,
    close_requests_queue,
    extension_requests_queue,
    lead_name_subquery,
    on_time_rate,
    plan_key_task_rows,
    plan_status_counts,
    plan_unit_rows,
    urgency_q,
    with_urgency,
)
from tasks.tables import WorkItemTable

from .common import PER_PAGE, BoundedRequestConfig

S = WorkItem.Status

def coordinator_home(request):
    """What a coordinator opens first: the queue, the overdue count, the plans."""
    today = timezone.localdate()
    plans = list(reviewable_plans(request.user).annotate(
        n_items=Count("work_items"),
        n_done=Count("work_items", filter=Q(work_items__status=S.DONE)),
        n_awaiting=Count("work_items", filter=Q(work_items__status=S.AWAITING_REVIEW)),
        n_overdue=Count("work_items", filter=urgency_q(Urgency.OVERDUE, today, prefix="work_items__")),
    ).select_related("region"))
    return render(
        request,
        "tasks/coordinator_home.html",
        {
            "plans": plans,
            "n_overdue": sum(p.n_overdue for p in plans),
            "n_close": close_requests_queue(request.user).count(),
            "n_extensions": extension_requests_queue(request.user).count(),
            "unit": user_unit(request.user),
            "today": today,
        },
    )


def plan_detail(request, slug: str):
    """The plan dashboard: counts by status, key task and unit; indicators in red/yellow/green; warnings."""
    plan = get_object_or_404(reviewable_plans(request.user).select_related("region"), slug=slug)
    today = timezone.localdate()
    year = plan_year(plan, today)
    status_counts = plan_status_counts(plan)
    units = list(plan_unit_rows(plan, today))
    for u in units:
        u.on_time_rate = on_time_rate(done_on_time=u.n_on_time, done=u.n_done, overdue=u.n_overdue)
    indicators = list(indicators_with_progress(plan.indicators.all(), year=year))
    rows = [(i, progress_of(i, year=year, today=today)) for i in indicators]
    lights = {c: sum(1 for _i, p in rows if p.light == c) for c in ("green", "yellow", "red", "none")}
    overdue = (
        WorkItem.objects.filter(plan=plan, status__in=OPEN_STATUSES, due_date__lt=today)
        .annotate(lead_name=lead_name_subquery())
        .order_by("due_date", "pk")[:5]
    )
    warnings = [(row, warning_fix_url(plan, row)) for row in plan_import_warnings(plan=plan)]
    total = sum(status_counts.values())
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "year": year,
            "today": today,
            "total": total,
            "done_share": status_counts[S.DONE] / total if total else None,
            "status_counts": [(S(s).label, s, n) for s, n in status_counts.items()],
            "key_tasks": plan_key_task_rows(plan, today),
            "units": units,
            "indicator_rows": rows,
            "lights": lights,
            "most_overdue": overdue,
            "warnings": warnings,
        },
    )


def key_task_detail(request, pk: int):
    """A key task: its text, its units in the document's order, its indicators and work items."""
    task = get_object_or_404(visible_key_tasks(request.user).select_related("plan"), pk=pk)
    today = timezone.localdate()
    assignments = KeyTaskUnit.objects.filter(key_task=task).select_related("unit").order_by("position", "pk")
    items = by_deadline(with_urgency(visible_work_items(request.user).filter(key_task=task), today))
    table = WorkItemTable(
        items.annotate(lead_name=lead_name_subquery()).select_related("key_task", "indicator"), show_role=False
    )
    BoundedRequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "tasks/key_task_detail.html",
        {"task": task, "assignments": assignments, "indicators": task.indicators.all(), "table": table},
    )
