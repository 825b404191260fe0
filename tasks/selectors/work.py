"""Reads for the daily pages: a unit's work, an item's page and history, the review queue, overdue work.

Every function returns a QuerySet (or plain data) with its joins, prefetches and annotations
already applied, so a page costs the same number of queries for 10 rows and for 10,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from tasks.models import (
    CLOSED_STATUSES,
    ExtensionRequest,
    Indicator,
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
from tasks.rules import outcomes
from tasks.rules import urgency as urgency_rules
from tasks.rules.urgency import Bucket, Urgency, bucket_of  # noqa: F401 - the rules the filters below translate

from .calendar import calendar_overrides
from .choices import plan_label, short_name_or_title
from .compiled import precompiled, recipe
from .permissions import (
    acts_globally,
    coordinated_plan_ids,
    plan_scope,
    plans_in,
    rates_what_they_raised,
    reviewable_plan_ids,
    visible_work_items,
)

S = WorkItem.Status
OPEN_STATUSES = list(outcomes.OPEN_STATUSES)
CHASED_STATUSES = list(outcomes.CHASED_STATUSES)
DONE = Q(status=S.DONE)
OPEN = Q(status__in=OPEN_STATUSES)


# What a list's rows carry along with their plan and key task but never show: a plan's import warnings
# (JSON, decoded per row) and a key task's full text.
LIST_DEFERRED = ("plan__import_warnings", "key_task__text")


def soon_cutoff(today: date) -> date:
    """``rules.urgency.soon_cutoff`` with the coordinator's calendar corrections."""
    return urgency_rules.soon_cutoff(today, calendar_overrides(years=(today.year, today.year + 1)))


def outcome_q(outcome: str, as_of: date, prefix: str = "") -> Q:
    """``tasks.rules.outcomes.item_outcome`` as a filter on items as they stand now, at the close of ``as_of``.

    (Roundups judge items as they stood at a past cut-off, from their history: ``selectors.roundups``.)
    """
    p = prefix
    due = Q(**{f"{p}due_date__lte": as_of})
    if outcome == outcomes.NOT_DUE:
        return (
            Q(**{f"{p}due_date__isnull": True}) | Q(**{f"{p}due_date__gt": as_of})
            | Q(**{f"{p}status__in": list(outcomes.UNCOUNTED_STATUSES)})
        )
    if outcome == outcomes.DONE_ON_TIME:
        return due & Q(**{f"{p}status": S.DONE, f"{p}completed_on_time": True})
    if outcome == outcomes.DONE_LATE:
        return due & Q(**{f"{p}status": S.DONE, f"{p}completed_on_time": False})
    if outcome == outcomes.AWAITING_REVIEW:
        return due & Q(**{f"{p}status": S.AWAITING_REVIEW})
    if outcome == outcomes.OVERDUE:
        # Chased statuses as a positive list, not ~done: negating across a relation adds a subquery.
        return due & Q(**{f"{p}status__in": CHASED_STATUSES})
    raise ValueError(outcome)


def urgency_q(urgency: str, today: date, prefix: str = "", *, soon: date | None = None) -> Q:
    """``rules.urgency.urgency_of`` as a filter for one urgency class (given the classes before it in
    ``Urgency.PRECEDENCE`` do not apply); ``prefix`` reaches items through a relation; ``soon``: the last
    day due soon (``soon_cutoff(today)`` if not given)."""
    p = prefix
    chased = Q(**{f"{p}status__in": CHASED_STATUSES})
    if urgency == Urgency.DONE:  # closed: done, or a part the coordinator waived
        return Q(**{f"{p}status__in": outcomes.CLOSED_STATUSES})
    if urgency == Urgency.AWAITING:
        return Q(**{f"{p}status": S.AWAITING_REVIEW})
    if urgency == Urgency.OVERDUE:
        return outcome_q(outcomes.OVERDUE, outcomes.live_as_of(today), prefix)
    cutoff = soon_cutoff(today) if soon is None else soon
    if urgency == Urgency.SOON:
        return chased & Q(**{f"{p}due_date__gte": today, f"{p}due_date__lte": cutoff})
    if urgency == Urgency.LATER:
        return chased & (Q(**{f"{p}due_date__gt": cutoff}) | Q(**{f"{p}due_date__isnull": True}))
    raise ValueError(urgency)


def with_urgency(qs: QuerySet[WorkItem], today: date, *, soon: date | None = None) -> QuerySet[WorkItem]:
    """Annotate ``urgency`` (``soon``: the last day due soon, ``soon_cutoff(today)`` if not given)."""
    whens = [When(urgency_q(u, today, soon=soon), then=Value(u)) for u in Urgency.PRECEDENCE]
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

    ``visible`` restricts the items further (a coordinator looking at another unit). Without it the
    items are a ``Recipe``: the page's filters, sorting and paging run one statement compiled per shape.
    """
    shape = {"today": today, "soon": soon_cutoff(today), "town": unit.kind == Unit.Kind.TOWN}
    if visible is not None:
        return _work_items_for_unit(unit_id=unit.pk, visible=visible, **shape)
    return recipe(_work_items_for_unit, model=WorkItem, ids={"unit_id": unit.pk}, **shape)


def _work_items_for_unit(*, unit_id: int, today: date, soon: date, town: bool,
                         visible: QuerySet[WorkItem] | None = None) -> QuerySet[WorkItem]:
    qs = WorkItem.objects.filter(assignments__unit_id=unit_id)
    if visible is not None:
        qs = qs.filter(pk__in=visible.values("pk"))
    qs = qs.annotate(
        my_role=F("assignments__role"), my_support_done_at=F("assignments__support_done_at"),
        lead_name=lead_name_subquery(),
    )
    qs = with_sub_item_counts(with_urgency(qs, today, soon=soon), today).select_related("plan", "key_task", "indicator")
    qs = qs.defer(*LIST_DEFERRED)
    # Open work first (by deadline), then what is already done: the morning's view is what is left to do.
    done_last = Case(When(status__in=CLOSED_STATUSES, then=Value(1)), default=Value(0))
    # A town's work is what was handed to it: its sub-items come first among the open ones.
    if town:
        handed_first = Case(When(parent__isnull=False, then=Value(0)), default=Value(1))
        return qs.order_by(done_last, handed_first, F("due_date").asc(nulls_last=True), "position", "pk")
    return qs.order_by(done_last, F("due_date").asc(nulls_last=True), "position", "pk")


def unit_plan_count(unit: Unit) -> int:
    """How many plans the unit holds items of, counting to two (several: its lists show and group by the
    plan's short name). One query, whatever the number of items."""
    return len(precompiled(_unit_plans, ids={"unit_id": unit.pk}))


def _unit_plans(*, unit_id: int) -> QuerySet:
    return WorkItem.objects.filter(assignments__unit_id=unit_id).order_by().values_list("plan_id").distinct()[:2]


def unit_filter_choices(unit: Unit) -> tuple[QuerySet[KeyTask], QuerySet[Indicator]]:
    """The key tasks and indicators of the unit's items, for its filters (recipes: read once per shape)."""
    ids = {"unit_id": unit.pk}
    return (recipe(_unit_key_tasks, model=KeyTask, ids=ids), recipe(_unit_indicators, model=Indicator, ids=ids))


def _unit_key_tasks(*, unit_id: int) -> QuerySet[KeyTask]:
    # ``plan_label``: the plan's short name, for the filter to group the choices of several plans by plan.
    mine = WorkItem.objects.filter(assignments__unit_id=unit_id)
    return (KeyTask.objects.filter(pk__in=mine.values("key_task_id")).annotate(plan_label=short_name_or_title("plan__"))
            .order_by("plan", "number"))


def _unit_indicators(*, unit_id: int) -> QuerySet[Indicator]:
    mine = WorkItem.objects.filter(assignments__unit_id=unit_id)
    return (Indicator.objects.filter(pk__in=mine.values("indicator_id"))
            .annotate(plan_label=short_name_or_title("plan__")).order_by("plan", "number"))


def with_sub_item_counts(qs: QuerySet[WorkItem], today: date) -> QuerySet[WorkItem]:
    """Annotate ``n_sub``, ``n_sub_done``, ``n_sub_overdue``: a broken-down item's roll-up (subqueries)."""
    def count(extra: Q) -> Subquery:
        return Subquery(
            WorkItem.objects.filter(extra, parent=OuterRef("pk")).order_by().values("parent")
            .annotate(n=Count("pk")).values("n")[:1]
        )

    return qs.annotate(
        n_sub=count(Q()),
        n_sub_done=count(Q(status=S.DONE)),
        n_sub_overdue=count(urgency_q(Urgency.OVERDUE, today)),
    )


def key_tasks_for_unit(*, unit: Unit, today: date) -> list[KeyTask]:
    """The key tasks where the unit is lead or supporting, with counts of its own open and overdue items.

    Only the items the unit holds a part of are counted (a town that supports through 各镇(街道) holds
    a supporting part of each of the task's items; a task it holds only as written counts none).
    """
    return precompiled(_key_tasks_for_unit, ids={"unit_id": unit.pk}, today=today)


def _key_tasks_for_unit(*, unit_id: int, today: date) -> QuerySet[KeyTask]:
    mine = Q(work_items__assignments__unit_id=unit_id)
    return (
        KeyTask.objects.filter(assignments__unit_id=unit_id)
        .annotate(
            my_role=F("assignments__role"),
            n_open=Count("work_items", filter=mine & Q(work_items__status__in=OPEN_STATUSES), distinct=True),
            n_overdue=Count(
                "work_items", filter=mine & urgency_q(Urgency.OVERDUE, today, prefix="work_items__"), distinct=True
            ),
            plan_label=short_name_or_title("plan__"),  # the list is grouped by plan when there are several
        )
        .defer("text")  # the list shows number and title
        .order_by("plan__title", "plan_id", "number")
    )


def unit_urgency_counts(*, unit: Unit, today: date) -> dict[str, int]:
    """How many of the unit's items are overdue, due soon, later, awaiting review, done, and in all (one query,
    compiled once per shape: the unit's rows grouped by unit; a unit has one row per item)."""
    rows = precompiled(_unit_urgency_counts, ids={"unit_id": unit.pk}, today=today, soon=soon_cutoff(today))
    return dict(zip(("total", *Urgency.ALL), rows[0] if rows else (0,) * (1 + len(Urgency.ALL)), strict=True))


def _unit_urgency_counts(*, unit_id: int, today: date, soon: date) -> QuerySet[WorkItemUnit]:
    counts = {u: Count("pk", filter=urgency_q(u, today, "work_item__", soon=soon)) for u in Urgency.ALL}
    return (
        WorkItemUnit.objects.filter(unit_id=unit_id).values("unit_id").annotate(total=Count("pk"), **counts)
        .order_by().values_list("total", *Urgency.ALL)
    )


def outcome_counts(qs: QuerySet[WorkItem], *, as_of: date) -> dict:
    """Counts by outcome at the close of ``as_of`` with ``due`` and ``on_time_rate`` (one query).

    The same keys and rule as a roundup's unit row (``on_time_rate = done_on_time / due``).
    """
    base = qs.model.objects.filter(pk__in=qs.values("pk"))
    counts = base.aggregate(**{o: Count("pk", filter=outcome_q(o, as_of)) for o in outcomes.OUTCOMES})
    return outcomes.finish_counts(counts)


def unit_summary(qs: QuerySet[WorkItem], today: date, *, unit_id: int | None = None) -> dict:
    """Counts by urgency and by outcome (as of the close of yesterday), and the on-time rate (one query).

    With ``unit_id`` (a unit's page) also ``lead``: the outcomes and on-time rate of the items of ``qs`` that unit
    leads (one more query), the unit's rate as the plan's page (``plan_unit_rows``) and a roundup judge it: on what
    it leads, never a supporting part by the lead's outcome (a supporting unit's own part is ``support_summary``).
    """
    as_of = outcomes.live_as_of(today)
    base = qs.model.objects.filter(pk__in=qs.values("pk"))
    counts = base.aggregate(
        total=Count("pk"),
        **{u: Count("pk", filter=urgency_q(u, today)) for u in Urgency.ALL},
        **{o: Count("pk", filter=outcome_q(o, as_of)) for o in outcomes.OUTCOMES if o != outcomes.OVERDUE},
    )
    summary = outcomes.finish_counts(counts)
    if unit_id is not None:
        led = base.filter(assignments__unit_id=unit_id, assignments__role=Role.LEAD)
        summary["lead"] = outcomes.finish_counts(
            led.aggregate(**{o: Count("pk", filter=outcome_q(o, as_of)) for o in outcomes.OUTCOMES}))
    return summary


def work_item_for_page(*, visible: QuerySet[WorkItem], pk: int) -> QuerySet[WorkItem]:
    """The item with what its page shows: plan, key task, indicator with its targets, units in order."""
    return visible.filter(pk=pk).select_related("plan", "key_task", "indicator", "parent").prefetch_related(
        Prefetch("assignments", queryset=WorkItemUnit.objects.select_related("unit").order_by("position", "pk")),
        Prefetch("indicator__targets", queryset=IndicatorTarget.objects.order_by("year")),
    )


@dataclass(frozen=True)
class DeadlineNote:
    """What a history row says about the deadline: ``kind`` is "changed" (from → to), "requested"
    (an extension asked for, or refused: ``to`` is the date asked) or "set" (a new item's deadline)."""

    kind: str
    before: date | None
    after: date | None


# The events that move an item's deadline; the others never show a deadline change.
E = StatusChange.Event
DEADLINE_MOVES = frozenset({E.EXTENSION_GRANTED, E.DEADLINE_CORRECTED, E.DEADLINE_REIMPORTED})


def deadline_note(change: StatusChange) -> DeadlineNote | None:
    """The deadline line of one history row, by event kind (None: the row says nothing about it).

    A 配合到位, a transition, a change of the units holding it or a parent's 分解交办 does not touch the
    deadline, whatever dates the row holds (older 配合到位 rows recorded the deadline in force as ``to_due_date``)."""
    if change.event in DEADLINE_MOVES:
        if change.from_due_date == change.to_due_date:
            return None
        return DeadlineNote("changed", change.from_due_date, change.to_due_date)
    if change.event in (E.EXTENSION_REQUESTED, E.EXTENSION_REJECTED) and change.to_due_date:
        return DeadlineNote("requested", change.from_due_date, change.to_due_date)
    if change.event == E.BROKEN_DOWN and change.from_status == "" and change.to_due_date:
        return DeadlineNote("set", None, change.to_due_date)
    return None


@dataclass
class HistoryEntry:
    at: datetime
    kind: str  # "status" or "report"
    obj: object
    evidence: list = field(default_factory=list)
    deadline: DeadlineNote | None = None


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
    entries = [HistoryEntry(at=c.at, kind="status", obj=c, deadline=deadline_note(c)) for c in changes]
    entries += [HistoryEntry(at=r.created_at, kind="report", obj=r, evidence=list(r.evidence.all())) for r in reports]
    # A report and the transition it caused share a timestamp: show the report above its status row.
    entries.sort(key=lambda e: (e.at, e.kind == "report"), reverse=True)
    if limit is not None and len(entries) > limit:
        return entries[:limit], True
    return entries, False


def extension_requests_for_item(item: WorkItem) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.filter(work_item=item).select_related("unit", "requested_by", "decided_by")


def work_item_last_return(item: WorkItem) -> StatusChange | None:
    """The review that returned a returned item (its reason goes at the top of the item's 办理 panel)."""
    if item.status != S.RETURNED:
        return None
    return (
        StatusChange.objects.filter(work_item=item, to_status=S.RETURNED)
        .select_related("actor").order_by("-at", "-pk").first()
    )


# ---- coordinators ---------------------------------------------------------------------------------------


def close_requests_queue(user, *, several_plans: bool = False) -> QuerySet[WorkItem]:
    """Items awaiting review in the plans ``user`` reviews, oldest submission first (a ``Recipe``).

    Sorted on the stored ``submitted_at`` (indexes ``workitem_review_idx`` for a few plans,
    ``workitem_review_order_idx`` across many), so the per-row subqueries
    below run for the page's rows only, not for every awaiting item before the LIMIT.
    ``several_plans``: also ``plan_label``, the plan's short name among the user's (``choices.plan_label``).
    """
    return recipe(_close_requests_in, model=WorkItem, ids=plan_scope(reviewable_plan_ids(user)),
                  several_plans=several_plans)


def _close_requests_in(*, plan_ids: list[int] | None = None, several_plans: bool) -> QuerySet[WorkItem]:
    plans = plans_in(plan_ids)
    awaiting = WorkItem.objects.filter(status=S.AWAITING_REVIEW)
    note = (
        ProgressReport.objects.filter(work_item=OuterRef("pk"), kind=ProgressReport.Kind.CLOSE_REQUEST)
        .order_by("-created_at", "-pk")
    )
    qs = (
        (awaiting if plan_ids is None else awaiting.filter(plan__in=plans))  # every plan: no semi-join
        .annotate(
            close_note=Subquery(note.values("note")[:1]),
            n_evidence=Subquery(
                note.annotate(n=Count("evidence")).values("n")[:1]
            ),
            lead_name=lead_name_subquery(),
        )
        .select_related("plan").defer("plan__import_warnings")  # the plan's title (export); no key task shown
        .order_by(F("submitted_at").asc(nulls_first=True), "pk")
    )
    if several_plans:
        qs = qs.annotate(plan_label=plan_label(plans))
    return qs


def extension_requests_queue(user) -> QuerySet[ExtensionRequest]:
    """Pending extension requests in the plans ``user`` reviews, oldest first (a ``Recipe``)."""
    return recipe(_extension_requests_in, model=ExtensionRequest, ids=plan_scope(reviewable_plan_ids(user)))


def _extension_requests_in(*, plan_ids: list[int] | None = None) -> QuerySet[ExtensionRequest]:
    pending = ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING)
    if plan_ids is not None:
        pending = pending.filter(work_item__plan__in=plans_in(plan_ids))
    return (
        pending.select_related("work_item", "unit")  # what the queue shows: the item and the asking unit
        .order_by("requested_at", "pk")
    )


def bucket_q(bucket: str, today: date) -> Q:
    """Overdue items in ``bucket`` (``rules.urgency.Bucket.DAYS``) by their deadline, ``today``."""
    if bucket not in Bucket.DAYS:
        raise ValueError(bucket)
    fewest, most = Bucket.DAYS[bucket]
    q = Q(due_date__lte=today - timedelta(days=fewest))
    return q if most is None else q & Q(due_date__gte=today - timedelta(days=most))


def piece_of_work() -> Q:
    """An item that is a piece of work itself, not a parent broken down into parts (分解交办): the lists and counts
    of the plan's work show each piece once, a broken-down item through its parts under the units they were
    handed to, as the roundups' overdue list and totals do (``selectors.roundups.overdue_items``: ``NOT EXISTS``
    a child). The lead department is still counted on the parent in its own results."""
    return ~Q(Exists(WorkItem.objects.filter(parent_id=OuterRef("pk"))))


def overdue_items(*, plans: QuerySet[Plan] | None, today: date) -> QuerySet[WorkItem]:
    """Items overdue today (``tasks.rules.outcomes``) in ``plans`` (None: every plan), most overdue first, with
    ``lead_name``: each piece of work once (``piece_of_work``), so the overdue page, its Excel export, the
    dashboard's most overdue and the coordinator home's count say what the roundup's overdue list says.

    Every plan is no filter at all, not ``plan IN (every plan)``: the planner then counts and pages along the
    open items' due-date index (``workitem_chased_due_idx``) instead of probing it plan by plan (at 1M items
    the province's count 15 ms -> 3 ms)."""
    overdue = WorkItem.objects.filter(urgency_q(Urgency.OVERDUE, today) & piece_of_work())
    qs = (
        (overdue if plans is None else overdue.filter(plan__in=plans))
        .annotate(lead_name=lead_name_subquery(), urgency=Value(Urgency.OVERDUE, output_field=CharField()))
        .select_related("plan", "key_task").defer(*LIST_DEFERRED)
    )
    return qs.order_by("due_date", "position", "pk")


def overdue_in(*, plan_ids: tuple[int, ...] | None, today: date) -> QuerySet[WorkItem]:
    """``overdue_items`` of the plans ``plan_ids`` (``permissions.reviewable_plan_ids``) as a ``Recipe``."""
    return recipe(_overdue_in, model=WorkItem, ids=plan_scope(plan_ids), today=today)


def _overdue_in(*, plan_ids: list[int] | None = None, today: date) -> QuerySet[WorkItem]:
    return overdue_items(plans=None if plan_ids is None else plans_in(plan_ids), today=today)


def led_by(*, unit_id: int) -> Q:
    """Items ``unit_id`` leads (for ``compiled.filter_with_ids``: the unit is a parameter, not a shape)."""
    return Q(pk__in=WorkItemUnit.objects.filter(unit_id=unit_id, role=Role.LEAD).values("work_item_id"))


def plan_item_counts(*, plan_ids: list[int], today: date) -> dict[int, dict[str, int]]:
    """Each plan's items, done, awaiting review and overdue (the overdue view's rule), for the plans
    ``plan_ids`` (a page of the coordinator home): one pass over their items; zeros for a plan without."""
    rows = (
        WorkItem.objects.filter(plan_id__in=plan_ids).order_by().values("plan_id").annotate(
            n_items=Count("pk"),
            n_done=Count("pk", filter=Q(status=S.DONE)),
            n_awaiting=Count("pk", filter=urgency_q(Urgency.AWAITING, today)),
            n_overdue=Count("pk", filter=urgency_q(Urgency.OVERDUE, today) & piece_of_work()),
        )
    )
    counts = {row.pop("plan_id"): row for row in rows}
    none = dict.fromkeys(("n_items", "n_done", "n_awaiting", "n_overdue"), 0)
    return {pk: counts.get(pk, none) for pk in plan_ids}


# ---- plan dashboard --------------------------------------------------------------------------------------


def plan_status_counts(plan: Plan) -> dict[str, int]:
    rows = precompiled(_plan_status_counts, ids={"plan_id": plan.pk})
    counts = {s: 0 for s in S.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def _plan_status_counts(*, plan_id: int) -> QuerySet[WorkItem]:
    return WorkItem.objects.filter(plan_id=plan_id).values("status").annotate(n=Count("pk")).order_by()


def plan_key_task_rows(plan: Plan, today: date) -> list[KeyTask]:
    """Each key task with counts of its pieces of work by state (a broken-down item through its parts, as a
    roundup counts it) and its first lead unit."""
    return precompiled(_plan_key_task_rows, ids={"plan_id": plan.pk}, today=today)


def _plan_key_task_rows(*, plan_id: int, today: date) -> QuerySet[KeyTask]:
    w = "work_items__"
    # Each piece of work once, as a roundup's key tasks and totals count them: a broken-down item through its
    # parts (分解交办), not as one more item beside them (its parts' rows only: the left join gives a leaf one row).
    piece = Q(work_items__children__isnull=True)
    return (
        KeyTask.objects.filter(plan_id=plan_id)
        .annotate(
            n_total=Count("work_items", filter=piece),
            n_done=Count("work_items", filter=piece & Q(work_items__status=S.DONE)),
            n_awaiting=Count("work_items", filter=piece & Q(work_items__status=S.AWAITING_REVIEW)),
            n_overdue=Count("work_items", filter=piece & urgency_q(Urgency.OVERDUE, today, prefix=w)),
            lead_name=Subquery(
                KeyTaskUnit.objects.filter(key_task=OuterRef("pk"), role=Role.LEAD, expanded=False)
                .order_by("position", "pk")
                .values("unit__name")[:1]
            ),
        )
        .order_by("number")
    )


def plan_unit_rows(plan: Plan, today: date) -> list[Unit]:
    """Each unit leading items of the plan, with counts and the on-time rate; worst first.

    The counts are the rule's (``outcome_q``, ``outcomes.finish_counts``): ``n_due`` is the items done on
    time, done late, awaiting review or overdue at the close of yesterday, so a waived part is not due, and
    ``on_time_rate`` is done on time / due, as in a roundup's unit row.
    """
    units = precompiled(_plan_unit_rows, ids={"plan_id": plan.pk}, as_of=outcomes.live_as_of(today))
    for unit in units:
        counts = outcomes.finish_counts({o: getattr(unit, f"n_{o}") for o in outcomes.OUTCOMES})
        unit.n_due, unit.n_on_time, unit.on_time_rate = counts["due"], counts["done_on_time"], counts["on_time_rate"]
    return units


def _plan_unit_rows(*, plan_id: int, as_of: date) -> QuerySet[Unit]:
    a = "work_item_assignments__work_item__"
    return (
        Unit.objects.filter(work_item_assignments__work_item__plan_id=plan_id, work_item_assignments__role=Role.LEAD)
        .annotate(
            n_total=Count("work_item_assignments"),
            n_done=Count("work_item_assignments", filter=Q(**{f"{a}status": S.DONE})),
            **{f"n_{o}": Count("work_item_assignments", filter=outcome_q(o, as_of, prefix=a))
               for o in outcomes.OUTCOMES},
        )
        .order_by("-n_overdue", "name")
    )


def plan_most_overdue(plan: Plan, today: date, *, limit: int = 5) -> list[WorkItem]:
    """The plan's most overdue items (``overdue_items``), for its dashboard."""
    return precompiled(_plan_most_overdue, ids={"plan_id": plan.pk}, today=today, limit=limit)


def _plan_most_overdue(*, plan_id: int, today: date, limit: int) -> QuerySet[WorkItem]:
    return overdue_items(plans=Plan.objects.filter(pk=plan_id), today=today)[:limit]


def last_report_for(item: WorkItem, unit, *, kind: str) -> ProgressReport | None:
    """The unit's last report of ``kind`` on ``item``: the report form starts from it (nothing typed twice)."""
    if unit is None:
        return None
    return (ProgressReport.objects.filter(work_item=item, unit=unit, kind=kind)
            .order_by("-created_at", "-pk").only("note", "percent").first())


# Closed (销号) items from a meeting or an instruction not rated since they were last closed: the database's
# form of ``rules.actions.may_be_rated`` / ``rated_since_closed`` (index ``workitem_to_rate_idx``).
TO_RATE = (Q(status=S.DONE) & ~Q(origin=WorkItem.Origin.PLAN)
           & (Q(rated_at__isnull=True) | Q(rated_at__lt=F("completed_at"))))


def awaiting_rating(user) -> QuerySet[WorkItem]:
    """Items awaiting ``user``'s rating (待评价), last closed first: those they raised, and every one of the plans
    they act for (a coordinator rates on the raiser's behalf); what the guard's ``rate`` lets them rate."""
    if not user.is_authenticated:
        return WorkItem.objects.none()
    if acts_globally(user):
        scope = Q()
    else:
        scope = Q(raised_by=user) if rates_what_they_raised(user) else Q(pk__in=[])
        plan_ids = coordinated_plan_ids(user)
        if plan_ids:
            scope |= Q(plan_id__in=sorted(plan_ids))
    return WorkItem.objects.filter(scope, TO_RATE).select_related("plan", "raised_by").order_by("-completed_at", "-pk")


def outside_plan_items(user, plan, today: date) -> QuerySet[WorkItem]:
    """The plan's items from meetings and instructions that ``user`` sees (not their handed-down parts), by
    deadline: the list the coordinator hands out, chases and closes (销号) from."""
    qs = (visible_work_items(user).filter(plan=plan, parent__isnull=True).exclude(origin=WorkItem.Origin.PLAN)
          .annotate(lead_name=lead_name_subquery()).select_related("key_task", "indicator"))
    return by_deadline(with_urgency(qs, today))


TO_RATE_SHOWN = 10  # items awaiting a rating listed on a home page; the count says how many in all


def awaiting_rating_box(user, *, limit: int = TO_RATE_SHOWN) -> dict:
    """The home pages' 待评价 box: the first ``limit`` of ``awaiting_rating`` and how many there are (one query,
    two when the list is full)."""
    qs = awaiting_rating(user)
    items = list(qs[:limit])
    return {"items": items, "total": len(items) if len(items) < limit else qs.count()}
