"""Reads for the daily pages: a unit's work, an item's page and history, the review queue, overdue work.

Every function returns a QuerySet (or plain data) with its joins, prefetches and annotations
already applied, so a page costs the same number of queries for 10 rows and for 10,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, CharField, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from tasks.models import (
    ExtensionRequest,
    IndicatorTarget,
    KeyTask,
    KeyTaskUnit,
    Plan,
    ProgressReport,
    Role,
    StatusChange,
    Unit,
    WorkItem,
    WorkItemUnit,
)
from tasks.workdays import add_workdays

from .permissions import reviewable_plans

S = WorkItem.Status
SOON_WORKDAYS = 7
OPEN_STATUSES = [s for s in S.values if s != S.DONE]
DONE = Q(status=S.DONE)
OPEN = Q(status__in=OPEN_STATUSES)


class Urgency:
    OVERDUE = "overdue"
    SOON = "soon"
    LATER = "later"
    DONE = "done"
    ALL = (OVERDUE, SOON, LATER, DONE)


def soon_cutoff(today: date) -> date:
    """Last day counted as "due soon": 7 working days ahead on the official calendar."""
    return add_workdays(today, SOON_WORKDAYS)


def urgency_q(urgency: str, today: date, prefix: str = "") -> Q:
    """The filter for one urgency class; ``prefix`` reaches items through a relation."""
    p = prefix
    # Open as a positive list, not ~done: negating across a relation would add a subquery.
    open_ = Q(**{f"{p}status__in": OPEN_STATUSES})
    cutoff = soon_cutoff(today)
    if urgency == Urgency.DONE:
        return Q(**{f"{p}status": S.DONE})
    if urgency == Urgency.OVERDUE:
        return open_ & Q(**{f"{p}due_date__lt": today})
    if urgency == Urgency.SOON:
        return open_ & Q(**{f"{p}due_date__gte": today, f"{p}due_date__lte": cutoff})
    if urgency == Urgency.LATER:
        return open_ & (Q(**{f"{p}due_date__gt": cutoff}) | Q(**{f"{p}due_date__isnull": True}))
    raise ValueError(urgency)


def with_urgency(qs: QuerySet[WorkItem], today: date) -> QuerySet[WorkItem]:
    whens = [When(urgency_q(u, today), then=Value(u)) for u in (Urgency.DONE, Urgency.OVERDUE, Urgency.SOON)]
    return qs.annotate(urgency=Case(*whens, default=Value(Urgency.LATER), output_field=CharField()))


def lead_name_subquery() -> Subquery:
    """The first lead unit's name (for display, ordering and export)."""
    return Subquery(
        WorkItemUnit.objects.filter(work_item=OuterRef("pk"), role=Role.LEAD)
        .order_by("position", "pk")
        .values("unit__name")[:1]
    )


def by_deadline(qs: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    return qs.order_by(F("due_date").asc(nulls_last=True), "position", "pk")


def work_items_for_unit(*, unit: Unit, today: date, visible: QuerySet[WorkItem] | None = None) -> QuerySet[WorkItem]:
    """The unit's work items (lead or supporting) with ``my_role``, ``urgency`` and ``lead_name``.

    ``visible`` restricts the items further (a coordinator looking at another unit).
    """
    qs = WorkItem.objects.filter(assignments__unit=unit)
    if visible is not None:
        qs = qs.filter(pk__in=visible.values("pk"))
    qs = qs.annotate(my_role=F("assignments__role"), lead_name=lead_name_subquery())
    qs = with_urgency(qs, today).select_related("plan", "key_task", "indicator")
    # Open work first (by deadline), then what is already done: the morning's view is what is left to do.
    done_last = Case(When(status=WorkItem.Status.DONE, then=Value(1)), default=Value(0))
    return qs.order_by(done_last, F("due_date").asc(nulls_last=True), "position", "pk")


def key_tasks_for_unit(*, unit: Unit, today: date) -> QuerySet[KeyTask]:
    """The key tasks where the unit is lead or supporting, with counts of its own open and overdue items.

    Only the items the unit holds are counted: a town holding a task through 各镇(街道) is not
    chased on every item of it.
    """
    mine = Q(work_items__assignments__unit=unit)
    return (
        KeyTask.objects.filter(assignments__unit=unit)
        .annotate(
            my_role=F("assignments__role"),
            n_open=Count("work_items", filter=mine & Q(work_items__status__in=OPEN_STATUSES), distinct=True),
            n_overdue=Count(
                "work_items", filter=mine & urgency_q(Urgency.OVERDUE, today, prefix="work_items__"), distinct=True
            ),
        )
        .select_related("plan")
        .order_by("plan__title", "number")
    )


def urgency_counts(qs: QuerySet[WorkItem], today: date) -> dict[str, int]:
    """How many items of ``qs`` are overdue, due soon, later, done (one query)."""
    base = qs.model.objects.filter(pk__in=qs.values("pk"))
    counts = base.aggregate(
        total=Count("pk"), **{u: Count("pk", filter=urgency_q(u, today)) for u in Urgency.ALL}
    )
    return counts


def on_time_rate(*, done_on_time: int, done: int, overdue: int) -> float | None:
    """Items done on time over items done or overdue; None when nothing was due yet."""
    denominator = done + overdue
    return None if denominator == 0 else done_on_time / denominator


def unit_summary(qs: QuerySet[WorkItem], today: date) -> dict:
    """Counts and the on-time rate of a set of items (one query)."""
    base = qs.model.objects.filter(pk__in=qs.values("pk"))
    counts = base.aggregate(
        total=Count("pk"),
        done_on_time=Count("pk", filter=DONE & Q(completed_on_time=True)),
        done_late=Count("pk", filter=DONE & Q(completed_on_time=False)),
        awaiting=Count("pk", filter=Q(status=S.AWAITING_REVIEW)),
        **{u: Count("pk", filter=urgency_q(u, today)) for u in Urgency.ALL},
    )
    counts["on_time_rate"] = on_time_rate(
        done_on_time=counts["done_on_time"], done=counts["done"], overdue=counts["overdue"]
    )
    return counts


def work_item_for_page(*, visible: QuerySet[WorkItem], pk: int) -> QuerySet[WorkItem]:
    """The item with what its page shows: plan, key task, indicator with its targets, units in order."""
    return visible.filter(pk=pk).select_related("plan", "key_task", "indicator").prefetch_related(
        Prefetch("assignments", queryset=WorkItemUnit.objects.select_related("unit").order_by("position", "pk")),
        Prefetch("indicator__targets", queryset=IndicatorTarget.objects.order_by("year")),
    )


@dataclass
class HistoryEntry:
    at: datetime
    kind: str  # "status" or "report"
    obj: object
    evidence: list = field(default_factory=list)


def work_item_history(item: WorkItem, *, limit: int | None = None) -> tuple[list[HistoryEntry], bool]:
    """Status changes (including extension events) and reports of an item, newest first (three queries).

    With ``limit``, only the newest ``limit`` entries; the flag says whether older ones were left out.
    """
    changes = StatusChange.objects.filter(work_item=item).select_related("actor").order_by("-at", "-pk")
    reports = (
        ProgressReport.objects.filter(work_item=item)
        .select_related("author", "unit")
        .prefetch_related("evidence")
        .order_by("-created_at", "-pk")
    )
    if limit is not None:
        changes, reports = changes[: limit + 1], reports[: limit + 1]
    entries = [HistoryEntry(at=c.at, kind="status", obj=c) for c in changes]
    entries += [HistoryEntry(at=r.created_at, kind="report", obj=r, evidence=list(r.evidence.all())) for r in reports]
    # A report and the transition it caused share a timestamp: show the report above its status row.
    entries.sort(key=lambda e: (e.at, e.kind == "report"), reverse=True)
    if limit is not None and len(entries) > limit:
        return entries[:limit], True
    return entries, False


def extension_requests_for_item(item: WorkItem) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.filter(work_item=item).select_related("unit", "requested_by", "decided_by")


# ---- coordinators ---------------------------------------------------------------------------------------


def close_requests_queue(user) -> QuerySet[WorkItem]:
    """Items awaiting review in the plans ``user`` reviews, oldest submission first."""
    submitted = (
        StatusChange.objects.filter(work_item=OuterRef("pk"), to_status=S.AWAITING_REVIEW)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    note = (
        ProgressReport.objects.filter(work_item=OuterRef("pk"), kind=ProgressReport.Kind.CLOSE_REQUEST)
        .order_by("-created_at", "-pk")
    )
    return (
        WorkItem.objects.filter(plan__in=reviewable_plans(user), status=S.AWAITING_REVIEW)
        .annotate(
            submitted_at=Subquery(submitted),
            close_note=Subquery(note.values("note")[:1]),
            n_evidence=Subquery(
                note.annotate(n=Count("evidence")).values("n")[:1]
            ),
            lead_name=lead_name_subquery(),
        )
        .select_related("plan", "key_task")
        .order_by(F("submitted_at").asc(nulls_first=True), "pk")
    )


def extension_requests_queue(user) -> QuerySet[ExtensionRequest]:
    """Pending extension requests in the plans ``user`` reviews, oldest first."""
    return (
        ExtensionRequest.objects.filter(
            status=ExtensionRequest.Status.PENDING, work_item__plan__in=reviewable_plans(user)
        )
        .select_related("work_item", "work_item__plan", "unit", "requested_by")
        .order_by("requested_at", "pk")
    )


class Bucket:
    """Ageing buckets of overdue items, in calendar days overdue."""

    WEEK = "1-7"
    MONTH = "8-30"
    OLDER = "30+"
    CHOICES = (WEEK, MONTH, OLDER)


def bucket_q(bucket: str, today: date) -> Q:
    if bucket == Bucket.WEEK:
        return Q(due_date__gte=today - timedelta(days=7), due_date__lte=today - timedelta(days=1))
    if bucket == Bucket.MONTH:
        return Q(due_date__gte=today - timedelta(days=30), due_date__lte=today - timedelta(days=8))
    if bucket == Bucket.OLDER:
        return Q(due_date__lt=today - timedelta(days=30))
    raise ValueError(bucket)


def bucket_of(days_overdue: int) -> str:
    if days_overdue <= 7:
        return Bucket.WEEK
    if days_overdue <= 30:
        return Bucket.MONTH
    return Bucket.OLDER


def overdue_items(*, plans: QuerySet[Plan], today: date) -> QuerySet[WorkItem]:
    """Open items past their deadline in force, most overdue first, with ``lead_name``."""
    qs = (
        WorkItem.objects.filter(OPEN, plan__in=plans, due_date__lt=today)
        .annotate(lead_name=lead_name_subquery(), urgency=Value(Urgency.OVERDUE, output_field=CharField()))
        .select_related("plan", "key_task")
    )
    return qs.order_by("due_date", "position", "pk")


def items_with_lead(unit_id: int) -> QuerySet[WorkItemUnit]:
    return WorkItemUnit.objects.filter(unit_id=unit_id, role=Role.LEAD).values("work_item_id")


# ---- plan dashboard --------------------------------------------------------------------------------------


def plan_status_counts(plan: Plan) -> dict[str, int]:
    rows = WorkItem.objects.filter(plan=plan).values("status").annotate(n=Count("pk")).order_by()
    counts = {s: 0 for s in S.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def plan_key_task_rows(plan: Plan, today: date) -> QuerySet[KeyTask]:
    """Each key task with counts of its items by state and its first lead unit."""
    w = "work_items__"
    return (
        KeyTask.objects.filter(plan=plan)
        .annotate(
            n_total=Count("work_items"),
            n_done=Count("work_items", filter=Q(work_items__status=S.DONE)),
            n_awaiting=Count("work_items", filter=Q(work_items__status=S.AWAITING_REVIEW)),
            n_overdue=Count("work_items", filter=urgency_q(Urgency.OVERDUE, today, prefix=w)),
            lead_name=Subquery(
                KeyTaskUnit.objects.filter(key_task=OuterRef("pk"), role=Role.LEAD)
                .order_by("position", "pk")
                .values("unit__name")[:1]
            ),
        )
        .order_by("number")
    )


def plan_unit_rows(plan: Plan, today: date) -> QuerySet[Unit]:
    """Each unit leading items of the plan, with counts and what the on-time rate needs; worst first."""
    a = "work_item_assignments__work_item__"
    return (
        Unit.objects.filter(work_item_assignments__work_item__plan=plan, work_item_assignments__role=Role.LEAD)
        .annotate(
            n_total=Count("work_item_assignments"),
            n_done=Count("work_item_assignments", filter=Q(**{f"{a}status": S.DONE})),
            n_on_time=Count(
                "work_item_assignments", filter=Q(**{f"{a}status": S.DONE, f"{a}completed_on_time": True})
            ),
            n_overdue=Count("work_item_assignments", filter=urgency_q(Urgency.OVERDUE, today, prefix=a)),
        )
        .order_by("-n_overdue", "name")
    )
