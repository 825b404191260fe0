"""Plan-level pages: the coordinator's home, the plan dashboard, a key task's page."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from tasks.models import KeyTaskUnit, WorkItem
from tasks.rules.indicators import COLOURS
from tasks.selectors.documents import plan_documents
from tasks.selectors.imports import plan_warnings, warning_fix_url
from tasks.selectors.indicators import indicator_status_rows, plan_as_of
from tasks.selectors.permissions import reviewable_plans, user_unit, visible_key_tasks, visible_work_items
from tasks.selectors.work import (
    Urgency,
    by_deadline,
    close_requests_queue,
    extension_requests_queue,
    lead_name_subquery,
    plan_key_task_rows,
    plan_most_overdue,
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
    year = plan_as_of(plan, today).year
    status_counts = plan_status_counts(plan)
    units = plan_unit_rows(plan, today)
    rows = indicator_status_rows(plan=plan, today=today)
    lights = {c: sum(1 for p in rows if p["colour"] == c) for c in COLOURS}
    overdue = plan_most_overdue(plan, today)
    warnings = plan_warnings(plan=plan)
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
            "warnings": [(row, warning_fix_url(plan, row)) for row in warnings.open],
            "settled_warnings": [(row, warning_fix_url(plan, row)) for row in warnings.settled],
            "documents": plan_documents(plan),
        },
    )


def key_task_detail(request, pk: int):
    """A key task: its text, its units in the document's order, its indicators and work items."""
    task = get_object_or_404(visible_key_tasks(request.user).select_related("plan"), pk=pk)
    today = timezone.localdate()
    rows = list(KeyTaskUnit.objects.filter(key_task=task).select_related("unit").order_by("position", "pk"))
    # Towns a collective (各镇(街道)) was expanded to are listed under it, not one by one.
    assignments = [a for a in rows if not a.expanded]
    expanded: dict[str, list[str]] = {}
    for a in rows:
        if a.expanded:
            expanded.setdefault(a.name_as_written, []).append(a.unit.name)
    items = by_deadline(with_urgency(visible_work_items(request.user).filter(key_task=task), today))
    table = WorkItemTable(
        items.annotate(lead_name=lead_name_subquery()).select_related("key_task", "indicator"), show_role=False
    )
    BoundedRequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "tasks/key_task_detail.html",
        {"task": task, "assignments": assignments, "expanded": expanded, "indicators": task.indicators.all(),
         "table": table},
    )
