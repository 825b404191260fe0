"""Plan-level pages: the coordinator's home, the plan dashboard, a key task's page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tasks.links import page_query
from tasks.models import KeyTaskUnit, WorkItem
from tasks.rules.actions import Act
from tasks.rules.indicators import COLOURS
from tasks.selectors.documents import plan_documents
from tasks.selectors.guard import allowed
from tasks.selectors.imports import open_warning_count, plan_warnings, warning_fix_url
from tasks.selectors.indicators import indicator_status_rows, plan_as_of
from tasks.selectors.permissions import (
    can_act_on_plan,
    dashboard_plans,
    plans_in,
    reviewable_plan_ids,
    user_unit,
    visible_key_tasks,
    visible_work_items,
)
from tasks.selectors.work import (
    awaiting_rating_box,
    by_deadline,
    close_requests_queue,
    extension_requests_queue,
    lead_name_subquery,
    overdue_in,
    plan_item_counts,
    plan_key_task_rows,
    plan_most_overdue,
    plan_status_counts,
    plan_unit_rows,
    with_urgency,
)
from tasks.tables import WorkItemTable

from .common import PER_PAGE, BoundedRequestConfig

PLANS_PER_PAGE = 50

S = WorkItem.Status

def coordinator_home(request):
    """What a coordinator opens first: the queue, the overdue count, the plans (a page of them: a province
    user has 630, whose million items were counted on every visit)."""
    today = timezone.localdate()
    scope = reviewable_plan_ids(request.user)
    plans = Paginator(plans_in(scope).select_related("region").defer("source_file"), PLANS_PER_PAGE)
    page = plans.get_page(request.GET.get("page"))
    page_query(request).read("page")
    counts = plan_item_counts(plan_ids=[p.pk for p in page], today=today)
    for plan in page:
        plan.counts = counts[plan.pk]
        plan.n_warnings = open_warning_count(plan.import_warnings)  # the open ones, as the plan page counts
    return render(
        request,
        "tasks/coordinator_home.html",
        {
            "plans": page,
            "n_overdue": overdue_in(plan_ids=scope, today=today).count(),  # the overdue view's own count
            "n_close": close_requests_queue(request.user).count(),
            "n_extensions": extension_requests_queue(request.user).count(),
            "to_rate": awaiting_rating_box(request.user),
            "unit": user_unit(request.user),
            "today": today,
        },
    )


@require_safe
def plan_detail(request, slug: str):
    """The plan dashboard: counts by status, key task and unit; indicators in red/yellow/green; warnings."""
    plan = get_object_or_404(dashboard_plans(request.user).select_related("region"), slug=slug)
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
            "manages_people": allowed(Act.MANAGE_PEOPLE, request.user, plan),
            "imports_decisions": allowed(Act.IMPORT_PLAN, request.user, plan),  # minutes and instructions
            # Who fixes the import warnings (the plan's coordinators) sees them open; a leader who only reads
            # the dashboard sees them folded, their count on the fold, under the figures.
            "fixes_warnings": can_act_on_plan(request.user, plan.pk),
        },
    )


@require_safe
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
