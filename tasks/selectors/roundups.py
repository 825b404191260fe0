"""Reads for roundups: every number of a roundup, computed in SQL as of the close of the period's last day.

"As of" means the state a work item was in at the end of the period, not today:

* its status is the ``to_status`` of its last StatusChange before the cut-off (or the ``from_status``
  of its first one after it; an item without any history is taken as it stands, except that an item
  completed after the cut-off counts as open);
* the day it was done is the local date of its last move to ``done`` before the cut-off
  (``completed_at`` for items without history);
* its deadline is the one in force at the cut-off: the ``to_due_date`` of the last granted extension
  before it, or the ``from_due_date`` of the first one after it (StatusChange rows with event
  ``extension_granted``, then ExtensionRequest decisions), or ``WorkItem.due_date``.

The per-item state is one ORM query (correlated subqueries) that SQL then groups by unit, role and
outcome, so a roundup costs the same handful of queries for 5 items or 5,000.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.db.models.sql import Query
from django.utils.dateparse import parse_date, parse_datetime

from tasks.inputs import parse_id
from tasks.models import (
    ExtensionRequest,
    HolderChange,
    Indicator,
    IndicatorReport,
    IndicatorTarget,
    KeyTask,
    KeyTaskUnit,
    Plan,
    ProgressReport,
    Role,
    Roundup,
    RoundupSettings,
    StatusChange,
    TargetShare,
    TargetShareReport,
    Unit,
    WorkItem,
    WorkItemUnit,
)
from tasks.roundups.periods import QUARTER, YEAR, Period
from tasks.rules import indicators as indicator_rules
from tasks.rules import outcomes
from tasks.rules import roundups as rules
from tasks.rules.deadlines import is_extended
from tasks.rules.support import SupportOutcome
from tasks.selectors.breakdown import support_outcome_case
from tasks.selectors.compiled import precompiled
from tasks.selectors.permissions import (
    reviewable_plans,
    sees_plan_whole,
    user_unit,
    visible_indicators,
    visible_key_tasks,
    visible_work_items,
)

S = WorkItem.Status
SNAPSHOT_VERSION = 2  # 2: units ranked within 地方 (town) and 部门 (department), units_without_due
TOWN, DEPARTMENT = "town", "department"
GROUPS = (TOWN, DEPARTMENT)
# The "latest progress" of an overdue item is its lead's: a supporting unit's contribution is not it.
NOTE_KINDS = (ProgressReport.Kind.PROGRESS, ProgressReport.Kind.CLOSE_REQUEST)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return parse_date(str(value)[:10])


def _as_local_date(value) -> date | None:
    """A datetime read by raw SQL (naive UTC text on SQLite, aware on PostgreSQL) as a local date."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


# -- the state of every dated item at the cut-off -------------------------------------------------


def item_states(*, plan: Plan, end: date, due_by: date | None = None, open_only: bool = False) -> QuerySet:
    """Each dated work item of ``plan`` as it stood at the close of ``end``.

    Rows: ``id``, ``key_task_id``, ``origin`` (the plan, a meeting, an instruction), ``due_end`` (deadline in
    force), ``status_end``, and when that is done, ``done_at`` (its time) and ``on_time``. ``due_by`` leaves
    out items that cannot be due by that day, ``open_only`` those done before the cut-off: both only save work,
    on plain columns.
    """
    cutoff = local_midnight(end + timedelta(days=1))
    item = OuterRef("pk")
    changes = StatusChange.objects.filter(work_item=item)
    before, after = changes.filter(at__lt=cutoff), changes.filter(at__gte=cutoff)
    grants = changes.filter(event=StatusChange.Event.EXTENSION_GRANTED)
    decided = ExtensionRequest.objects.filter(
        work_item=item, status=ExtensionRequest.Status.GRANTED, decided_at__isnull=False
    )
    # Fast paths keep the common cases free of subqueries: an item whose deadline was never moved
    # (due_date == deadline) has that deadline in force; an item done before the cut-off (and still
    # done) was done at ``completed_at``.
    due_end = Case(
        When(due_date=F("deadline"), then=F("due_date")),
        default=Coalesce(
            Subquery(
                grants.filter(at__lt=cutoff, to_due_date__isnull=False)
                .order_by("-at", "-pk")
                .values("to_due_date")[:1]
            ),
            Subquery(
                grants.filter(at__gte=cutoff, from_due_date__isnull=False)
                .order_by("at", "pk")
                .values("from_due_date")[:1]
            ),
            Subquery(
                decided.filter(decided_at__lt=cutoff).order_by("-decided_at", "-pk").values("proposed_due_date")[:1]
            ),
            Subquery(
                decided.filter(decided_at__gte=cutoff, current_due_date__isnull=False)
                .order_by("decided_at", "pk")
                .values("current_due_date")[:1]
            ),
            F("due_date"),
        ),
        output_field=DateField(),
    )
    done_before_cutoff = Q(status=S.DONE, completed_at__lt=cutoff)
    status_now = Case(
        When(status=S.DONE, completed_at__gte=cutoff, then=Value(S.IN_PROGRESS)),
        default=F("status"),
        output_field=CharField(),
    )
    status_end = Case(
        When(done_before_cutoff, then=Value(S.DONE)),
        default=Coalesce(
            Subquery(before.order_by("-at", "-pk").values("to_status")[:1]),
            NullIf(Subquery(after.order_by("at", "pk").values("from_status")[:1]), Value("")),
            status_now,
        ),
        output_field=CharField(),
    )
    done_at = Case(
        When(done_before_cutoff, then=F("completed_at")),
        default=Coalesce(
            Subquery(before.filter(to_status=S.DONE).order_by("-at", "-pk").values("at")[:1]),
            F("completed_at"),
        ),
        output_field=DateTimeField(),
    )
    items = WorkItem.objects.filter(plan=plan, due_date__isnull=False)
    if due_by is not None:
        # A deadline never moved (due_date == deadline) is the one in force at any time.
        items = items.filter(Q(due_date__lte=due_by) | ~Q(due_date=F("deadline")) | Q(deadline__isnull=True))
    if open_only:
        items = items.exclude(done_before_cutoff)
    return (
        items.order_by()
        .alias(done_local=TruncDate(done_at, tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .annotate(
            due_end=due_end,
            status_end=status_end,
            done_at=done_at,
            # Whether it was done by its deadline, judged on the local date. An item done before the
            # cut-off keeps the workflow's own judgement (made against the deadline then in force).
            on_time=Case(
                When(done_before_cutoff, then=F("completed_on_time")),
                When(Q(status_end=S.DONE) & Q(done_local__lte=F("due_end")), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values("id", "key_task_id", "origin", "due_end", "status_end", "done_at", "on_time")
    )


# Building a read's expressions and compiling them costs milliseconds of Python (~7 ms for
# ``item_states``), and a roundup runs for every plan of the province; the SQL is the same for every plan
# but for the plan id. So each such read is compiled once per shape (cut-off, options) for a stand-in plan
# id, and each plan swaps its own id into the parameters.
_PLAN_STAND_IN = -7_012_345_678


@lru_cache(maxsize=256)
def _plan_sql(build: Callable[..., QuerySet], shape: tuple, vendor: str, tz: str) -> tuple[str, tuple]:
    sql, params = build(plan=Plan(pk=_PLAN_STAND_IN), **dict(shape)).query.sql_with_params()
    assert _PLAN_STAND_IN in params, "the plan id is a parameter"
    return sql, tuple(params)


def plan_sql(build: Callable[..., QuerySet], *, plan: Plan, **shape) -> tuple[str, list]:
    """``build(plan=plan, **shape)``'s SQL and parameters, from the statement compiled once for all plans.

    ``build`` must use ``plan`` only for its id (a parameter), and ``shape`` must be hashable.
    Rows read by raw SQL come without Django's converters: callers convert dates, decimals and booleans.
    """
    sql, params = _plan_sql(build, tuple(sorted(shape.items())), connection.vendor, settings.TIME_ZONE)
    return sql, [plan.pk if p == _PLAN_STAND_IN else p for p in params]


def plan_rows(build: Callable[..., QuerySet], *, plan: Plan, **shape) -> list[tuple]:
    """The rows of ``plan_sql(build, ...)`` (raw: see there)."""
    sql, params = plan_sql(build, plan=plan, **shape)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def states_cte(*, plan: Plan, end: date, due_by: date | None = None, open_only: bool = False) -> tuple[str, list]:
    """``WITH s AS MATERIALIZED (item_states(...))`` for ``plan``, so each item's state is computed once per
    query (from the compiled statement shared by all plans)."""
    sql, params = plan_sql(item_states, plan=plan, end=end, due_by=due_by, open_only=open_only)
    materialized = "MATERIALIZED"
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
        materialized = ""
    return f"WITH s AS {materialized} ({sql}) ", params


def _d(day: date):
    return connection.ops.adapt_datefield_value(day)


def _dt(day: date):
    """Local midnight at the start of ``day``, as the database compares datetimes."""
    return connection.ops.adapt_datetimefield_value(local_midnight(day))


# ``tasks.rules.outcomes.item_outcome`` in SQL (a test checks both agree on the same items): the
# outcome of an item at the close of the cut-off day, not yet due, or one of the four.
OUTCOME_SQL = """CASE
    WHEN s.due_end > %s THEN 'none'
    WHEN s.status_end IN ('waived', 'history') THEN 'none'
    WHEN s.status_end = 'done' AND s.on_time THEN 'done_on_time'
    WHEN s.status_end = 'done' THEN 'done_late'
    WHEN s.status_end = 'awaiting_review' THEN 'awaiting_review'
    ELSE 'overdue' END"""
# When it was done: 0 before the year began, 1 before the period began, 2 not done before the period.
PHASE_SQL = """CASE
    WHEN s.status_end = 'done' AND s.done_at < %s THEN 0
    WHEN s.status_end = 'done' AND s.done_at < %s THEN 1
    ELSE 2 END"""
# A key task's items of the year: those due by the year's end and not done before it began.
TASK_STATE_SQL = """CASE
    WHEN s.due_end > %s THEN 'none'
    WHEN s.status_end IN ('waived', 'history') THEN 'none'
    WHEN s.status_end = 'done' AND s.done_at < %s THEN 'none'
    WHEN s.status_end = 'done' THEN 'done'
    WHEN s.due_end > %s THEN 'pending'
    WHEN s.status_end = 'awaiting_review' THEN 'awaiting_review'
    ELSE 'overdue' END"""


# A supporting unit's own part (配合到位), judged by ``support_outcome_case`` (the rule's one SQL
# translation) and labelled as the lead's outcomes; a part not yet due at the cut-off is not counted.
SUPPORT_LABELS = {SupportOutcome.ON_TIME: outcomes.DONE_ON_TIME, SupportOutcome.LATE: outcomes.DONE_LATE,
                  SupportOutcome.MISSING: outcomes.OVERDUE, SupportOutcome.PENDING: outcomes.NOT_DUE}
# When a supporting part was marked done, as PHASE_SQL (a mark after the cut-off is not one yet: 2).
SUPPORT_PHASE_SQL = """CASE
    WHEN a.support_done_at < %s THEN 0
    WHEN a.support_done_at < %s THEN 1
    ELSE 2 END"""


@lru_cache(maxsize=64)
def _support_outcome_sql(*, end: date, vendor: str, tz: str) -> tuple[str, tuple]:
    """``support_outcome_case`` over the states CTE ``s`` and its parts ``a``, compiled once per cut-off.

    Judged at the close of ``end``: against the deadline then in force (``s.due_end``), with the mark only
    if made by then (its local day), as of the day after, so a part due on ``end`` and not marked is missing.
    """
    marked = TruncDate(RawSQL("a.support_done_at", (), output_field=DateTimeField()), tzinfo=ZoneInfo(tz))
    done_on = Case(When(LessThanOrEqual(marked, Value(end, output_field=DateField())), then=marked),
                   output_field=DateField())
    case = support_outcome_case(end + timedelta(days=1), due=RawSQL("s.due_end", (), output_field=DateField()),
                                done_on=done_on)
    query = Query(WorkItemUnit)
    sql, params = query.get_compiler(connection=connection).compile(case.resolve_expression(query))
    return sql, tuple(params)


def _holder_at_cutoff(alias: str = "a") -> str:
    """The unit that held the item's unit row ``alias`` at the cut-off (one ``%s``: the cut-off, a datetime): the
    ``from_unit`` of the row's first move after it (``HolderChange``, written by ``services.holders``), else the
    row's unit now; -1 for a row given to the item after the cut-off (nobody held it then: not counted). So a
    past period counts an item that changed hands against the unit that held it in that period."""
    table = HolderChange._meta.db_table
    return (f"COALESCE((SELECT COALESCE(h.from_unit_id, -1) FROM {table} h WHERE h.assignment_id = {alias}.id "
            f"AND h.at >= %s ORDER BY h.at, h.id LIMIT 1), {alias}.unit_id)")


def _parts_of_each_item() -> str:
    """``s``'s join to its items' units ``a``, looked up item by item on PostgreSQL.

    A plan's items are a sliver of the table, but below about a million parts the planner prices a
    scan of every part (hash or merge join) under one index probe per item, so each plan's roundup
    paid for the whole installation (measured on 100,000 items: 80-100 ms a statement instead of 8).
    ``LATERAL ... OFFSET 0`` keeps the probe per item; SQLite always joins that way.
    """
    parts = WorkItemUnit._meta.db_table
    if connection.vendor == "postgresql":
        return f"CROSS JOIN LATERAL (SELECT * FROM {parts} a WHERE a.work_item_id = s.id OFFSET 0) a"
    return f"INNER JOIN {parts} a ON a.work_item_id = s.id"


def _outcome_counts(*, plan: Plan, period: Period, units_only: bool = False) -> list[tuple]:
    """Rows ``(group, key, role, outcome, phase, n)`` for units (``'unit'``: the plan's items; ``'outside'``:
    items from meetings and instructions, weighed by the rules) and, unless ``units_only`` (the previous
    period's ranks need no more), the whole plan (``'all'``) and its key tasks (``'task'``).

    A unit is counted on the items it leads (a broken-down parent for its lead department, a part for
    its town) and, as a supporting unit, on its own part (配合到位, ``tasks.rules.support``), not on the
    lead's outcome. The whole plan and its key tasks count each piece of work once: a broken-down item
    through its parts. One statement, whatever the size of the plan.
    """
    due_by = period.end if units_only else period.year_end
    head, params = states_cte(plan=plan, end=period.end, due_by=due_by)
    support_sql, support_params = _support_outcome_sql(end=period.end, vendor=connection.vendor,
                                                       tz=settings.TIME_ZONE)
    # One pass over the plan's parts: the lead's outcome for a lead, the part's own for a supporting
    # unit (only those due by the cut-off and not waived).
    sql = (
        head
        + f"""SELECT CASE WHEN s.origin = 'plan' THEN 'unit' ELSE 'outside' END, {_holder_at_cutoff()}, a.role,
            CASE WHEN a.role = 'lead' THEN {OUTCOME_SQL} ELSE {support_sql} END,
            CASE WHEN a.role = 'lead' THEN {PHASE_SQL} ELSE {SUPPORT_PHASE_SQL} END, COUNT(*)
        FROM s {_parts_of_each_item()}
        WHERE a.role = 'lead' OR (a.role = 'support' AND s.due_end <= %s AND s.status_end NOT IN ('waived', 'history'))
        GROUP BY 1, 2, 3, 4, 5"""
    )
    params += [_dt(period.end + timedelta(days=1)), _d(period.end), *support_params,
               *[_dt(period.year_start), _dt(period.start)] * 2, _d(period.end)]
    if not units_only:
        # One pass over the pieces of work (not broken-down parents) for the plan and its key tasks: rows
        # by key task, outcome, phase and the key task's state (in the role column), summed below.
        sql += f"""
        UNION ALL
        SELECT 'work', s.key_task_id, {TASK_STATE_SQL}, {OUTCOME_SQL}, {PHASE_SQL}, COUNT(*)
        FROM s WHERE NOT EXISTS (SELECT 1 FROM {WorkItem._meta.db_table} c WHERE c.parent_id = s.id)
        GROUP BY 2, 3, 4, 5"""
        params += [_d(period.year_end), _dt(period.year_start), _d(period.end),
                   _d(period.end), _dt(period.year_start), _dt(period.start)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = []
    whole: dict[tuple, int] = defaultdict(int)
    tasks: dict[tuple, int] = defaultdict(int)
    for group, key, role, outcome, phase, n in rows:
        if group in ("unit", "outside"):
            if key == -1:  # a unit row given to the item after the cut-off: nobody held it then
                continue
            out.append((group, key, role, SUPPORT_LABELS[outcome] if role == Role.SUPPORT else outcome, phase, n))
            continue
        whole[outcome, phase] += n
        if key is not None:
            tasks[key, role] += n
    out += [("all", 0, "", outcome, phase, n) for (outcome, phase), n in whole.items()]
    out += [("task", key, "", state, 0, n) for (key, state), n in tasks.items()]
    return out


def _unit_rows(rows: list[tuple], rule_set: dict) -> tuple[list[dict], dict]:
    """Per unit and role, period and year-to-date counts; score, colour and rank (lead and support).

    A unit's counts are its plan items and, when they count (``rules.unit_counts``), its items from
    meetings and instructions, which ``outside`` shows apart (what counted: empty at weight 0).
    """
    def by_role() -> dict:
        return {(g, r): outcomes.empty_counts() for g in ("unit", "outside") for r in (Role.LEAD, Role.SUPPORT)}

    period_counts: dict = defaultdict(by_role)
    ytd_counts: dict = defaultdict(by_role)
    overall = {"period": outcomes.empty_counts(), "cumulative": outcomes.empty_counts()}
    for group, key, role, outcome, phase, n in rows:
        if outcome == "none" or group == "task":
            continue
        if group == "all":
            if phase == 2:
                overall["period"][outcome] += n
            if phase >= 1:
                overall["cumulative"][outcome] += n
            continue
        if group == "outside" and not rules.outside_weight(rule_set):
            continue  # listed in its own section, not counted
        if phase == 2:
            period_counts[key][group, role][outcome] += n
        if phase >= 1:
            ytd_counts[key][group, role][outcome] += n

    def of_role(counts: dict, role: str) -> dict:
        plan_counts = outcomes.finish_counts(counts["unit", role])
        return rules.unit_counts(plan_counts, outcomes.finish_counts(counts["outside", role]), rule_set)

    units = []
    for unit_id in set(period_counts) | set(ytd_counts):
        counts = period_counts[unit_id]
        lead, support = of_role(counts, Role.LEAD), of_role(counts, Role.SUPPORT)
        outside = {"lead": counts["outside", Role.LEAD], "support": counts["outside", Role.SUPPORT]}
        score = rules.unit_score(counts["unit", Role.LEAD], counts["unit", Role.SUPPORT], rule_set, outside)
        units.append(
            {
                "unit_id": unit_id,
                **lead,
                "score": score,
                "colour": rules.unit_colour(score, rules.scored_counts(lead, support)["overdue"], rule_set),
                "support": support,
                "outside": outside,
                "cumulative": {
                    "lead": of_role(ytd_counts[unit_id], Role.LEAD),
                    "support": of_role(ytd_counts[unit_id], Role.SUPPORT),
                },
            }
        )
    return units, {k: outcomes.finish_counts(v) for k, v in overall.items()}


def unit_group(kind: str) -> str:
    """地方 or 部门: a town is ranked among towns, every other kind of unit among departments."""
    return TOWN if kind == Unit.Kind.TOWN else DEPARTMENT


def _rank_within_groups(units: list[dict], kinds: dict[int, str]) -> list[dict]:
    """Set ``kind`` and rank each unit within its group; units with nothing due are returned apart.

    Every unit with a part due, lead or supporting, has a score (``rules.unit_score``: a unit that only
    supports is scored on its supporting parts) and so a rank; the support weight never leaves one out.
    """
    without_due = []
    for unit in units:
        unit["kind"] = unit_group(kinds.get(unit["unit_id"], ""))
        unit["rank"] = None
    for group in GROUPS:
        ranked = sorted(
            (u for u in units if u["kind"] == group and u["score"] is not None and u["due"] + u["support"]["due"]),
            key=rules.rank_key,
        )
        for unit, rank in zip(ranked, rules.competition_ranks(rules.rank_key(u) for u in ranked), strict=True):
            unit["rank"] = rank
    kept = []
    for unit in units:
        (kept if unit["due"] or unit["support"]["due"] else without_due).append(unit)
    return kept, without_due


def _task_counts(rows: list[tuple]) -> dict[int, dict]:
    out: dict[int, dict] = defaultdict(lambda: {"done": 0, "pending": 0, "awaiting_review": 0, "overdue": 0})
    for group, key, _role, state, _phase, n in rows:
        if group == "task" and state != "none":
            out[key][state] += n
    return out


# -- the overdue list ----------------------------------------------------------------------------


def overdue_items(*, plan: Plan, period: Period) -> list[dict]:
    """Items open past their deadline at the cut-off (awaiting review excluded), most overdue first.

    Each piece of work once, as the plan-wide totals count it (``summary["overdue"]`` is this list's length): a
    broken-down item through its parts, each under the unit it was handed to, not once more as the parent."""
    head, params = states_cte(plan=plan, end=period.end, due_by=period.end, open_only=True)
    cutoff = _dt(period.end + timedelta(days=1))
    labels = dict(S.choices)
    kinds = ", ".join(f"'{k}'" for k in NOTE_KINDS)
    note = f"""FROM {ProgressReport._meta.db_table} r WHERE r.work_item_id = s.id AND r.created_at < %s
        AND r.kind IN ({kinds}) ORDER BY r.created_at DESC, r.id DESC LIMIT 1"""
    # Scalar subqueries, not joins: each is one index probe per listed item, where a join would let the
    # planner hash the whole work item (or unit) table below about a million rows, once per plan.
    item = f"FROM {WorkItem._meta.db_table} w WHERE w.id = s.id"
    sql = (
        head
        + f"""SELECT s.id, (SELECT w.text {item}), (SELECT w.deadline {item}), s.due_end, s.status_end,
            (SELECT k.number FROM {KeyTask._meta.db_table} k WHERE k.id = s.key_task_id),
            (SELECT (SELECT u.name FROM {Unit._meta.db_table} u WHERE u.id = {_holder_at_cutoff()})
             FROM {WorkItemUnit._meta.db_table} a
             WHERE a.work_item_id = s.id AND a.role = 'lead' ORDER BY a.position, a.id LIMIT 1),
            (SELECT r.note {note}), (SELECT r.created_at {note})
        FROM s
        WHERE s.due_end <= %s AND s.status_end NOT IN ('done', 'awaiting_review', 'waived', 'history')
            AND NOT EXISTS (SELECT 1 FROM {WorkItem._meta.db_table} c WHERE c.parent_id = s.id)
        ORDER BY s.due_end, s.id"""
    )
    params += [cutoff, cutoff, cutoff, _d(period.end)]  # the lead at the cut-off, the note's two, the deadline
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = []
    for pk, text, deadline, due_end, status_end, task_number, lead, note_text, note_at in rows:
        due = _as_date(due_end)
        out.append(
            {
                "id": pk,
                "text": text,
                "key_task": task_number,
                "lead_unit": lead,
                "deadline": _iso(_as_date(deadline)),
                "due_date": _iso(due),
                "extended": is_extended(deadline=_as_date(deadline), due_date=due),
                "days_overdue": outcomes.days_overdue(due=due, today=period.end + timedelta(days=1)),
                "status": status_end,
                "status_label": str(labels.get(status_end, status_end)),
                "last_note": note_text,
                "last_note_on": _iso(_as_local_date(note_at)),
            }
        )
    out.sort(key=lambda r: (-r["days_overdue"], r["lead_unit"] or "", r["id"]))
    return out


def outside_items(*, plan: Plan, period: Period) -> list[dict]:
    """Items from meetings and leaders' instructions (``WorkItem.origin`` not ``plan``) due by the period's end
    and not done before it began: the 月晾晒's own section, each with its outcome at the cut-off. They count in
    their units' results (lead and supporting parts) by the rules' ``outside_weight`` (``_unit_rows``)."""
    head, params = states_cte(plan=plan, end=period.end, due_by=period.end)
    item = f"FROM {WorkItem._meta.db_table} w WHERE w.id = s.id"
    sql = (
        head
        + f"""SELECT s.id, (SELECT w.text {item}), (SELECT w.origin {item}), (SELECT w.origin_ref {item}),
            (SELECT (SELECT u.name FROM {Unit._meta.db_table} u WHERE u.id = a.unit_id)
             FROM {WorkItemUnit._meta.db_table} a
             WHERE a.work_item_id = s.id AND a.role = 'lead' ORDER BY a.position, a.id LIMIT 1),
            s.due_end, s.status_end, {OUTCOME_SQL}
        FROM s
        WHERE (SELECT w.origin {item}) <> 'plan' AND s.due_end <= %s AND s.status_end NOT IN ('waived', 'history')
            AND NOT (s.status_end = 'done' AND s.done_at < %s)
        ORDER BY s.due_end, s.id"""
    )
    params += [_d(period.end), _d(period.end), _dt(period.start)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    origins = dict(WorkItem.Origin.choices)
    labels = dict(S.choices)
    return [
        {"id": pk, "text": text, "origin": origin, "origin_label": str(origins.get(origin, origin)),
         "origin_ref": ref, "lead_unit": lead, "due_date": _iso(_as_date(due)), "status": status,
         "status_label": str(labels.get(status, status)), "outcome": outcome}
        for pk, text, origin, ref, lead, due, status, outcome in rows
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# -- indicators ----------------------------------------------------------------------------------


def _indicator_values(*, plan: Plan, year: int, start: date, end: date, indicator_ids=None) -> QuerySet:
    """The plan's indicators with this year's target, the latest report by ``end`` and the lead unit."""
    target = IndicatorTarget.objects.filter(indicator=OuterRef("pk"), year=year)
    latest = IndicatorReport.objects.filter(indicator=OuterRef("pk"), month__lte=end).order_by("-month")
    lead = KeyTaskUnit.objects.filter(key_task=OuterRef("key_task_id"), role=Role.LEAD, expanded=False).order_by(
        "position", "pk"
    )
    indicators = Indicator.objects.filter(plan=plan)
    if indicator_ids is not None:
        indicators = indicators.filter(pk__in=indicator_ids)
    return (
        indicators.order_by("number")
        .annotate(
            target_text=Subquery(target.values("text")[:1]),
            target_value=Subquery(target.values("value")[:1]),
            target_comparator=Subquery(target.values("comparator")[:1]),
            actual=Subquery(latest.values("value")[:1]),
            actual_month=Subquery(latest.values("month")[:1]),
            reported_in_period=Exists(
                IndicatorReport.objects.filter(indicator=OuterRef("pk"), month__gte=start, month__lte=end)
            ),
            lead_unit=Subquery(lead.values("unit__name")[:1]),
            lead_unit_id=Subquery(lead.values("unit_id")[:1]),
        )
        .values(
            "id", "number", "domain", "name", "measure", "cumulative", "baseline_year", "baseline_text",
            "baseline_value", "target_text", "target_value", "target_comparator", "actual", "actual_month",
            "reported_in_period", "lead_unit", "lead_unit_id",
        )
    )


def indicator_rows(*, plan: Plan, period: Period, rule_set: dict, indicator_ids=None) -> list[dict]:
    """Each indicator against this year's target, with its latest report on or before the period's end.

    The one source of indicator progress and colour: the dashboard and indicator page call it for
    the period up to today, the roundups and the API for theirs. ``indicator_ids`` narrows it.
    """
    year = period.end.year
    shape = {"year": year, "start": period.start, "end": period.end}
    if indicator_ids is None:  # every plan's roundup: compiled once
        sql, params = plan_sql(_indicator_values, plan=plan, **shape)
    else:
        sql, params = _indicator_values(plan=plan, indicator_ids=indicator_ids, **shape).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    first_year = plan.first_year
    out = []
    for row in rows:
        target_value = _float(row["target_value"])
        actual = _float(row["actual"])
        places = indicator_rules.decimal_places(row["baseline_text"], row["target_text"])
        status = indicator_rules.indicator_status(
            actual=actual,
            target=target_value,
            comparator=row["target_comparator"] or "",
            cumulative=bool(row["cumulative"]),
            baseline=_float(row["baseline_value"]),
            baseline_year=row["baseline_year"] or first_year - 1,
            target_year=year,
            as_of=period.end,
            rules=rule_set,
            places=places,
        )
        out.append(
            {
                "id": row["id"],
                "number": row["number"],
                "indicator": f"{row['name']}" + (f"({row['measure']})" if row["measure"] else ""),
                "name": row["name"],
                "domain": row["domain"],
                "measure": row["measure"],
                "cumulative": bool(row["cumulative"]),
                "lead_unit": row["lead_unit"],
                "lead_unit_id": row["lead_unit_id"],
                "baseline": row["baseline_text"],
                "baseline_value": _float(row["baseline_value"]),
                "target_text": row["target_text"],
                "target_value": target_value,
                "comparator": row["target_comparator"] or "",
                "actual": actual,
                "places": places,
                # As shown everywhere; ``progress`` above is computed from this very value.
                "actual_text": indicator_rules.format_value(actual, places) if actual is not None else None,
                "actual_month": _as_date(row["actual_month"]).strftime("%Y-%m") if row["actual_month"] else None,
                "reported_in_period": bool(row["reported_in_period"]),
                **status,
            }
        )
    return out


def _float(value) -> float | None:
    return None if value is None else float(value)


# -- target shares (目标分解): each town's or department's share of an indicator's year ------------


def _share_values(*, plan: Plan, year: int, end: date) -> QuerySet:
    """The plan's shares of ``year``'s targets, with the city target's comparator and the unit's latest actual
    reported by ``end`` (never one of a later month: a roundup stands at its period's close)."""
    latest = TargetShareReport.objects.filter(share=OuterRef("pk"), month__lte=end).order_by("-month")
    target = IndicatorTarget.objects.filter(indicator=OuterRef("breakdown__indicator_id"), year=year)
    return (
        TargetShare.objects.filter(breakdown__indicator__plan=plan, breakdown__year=year)
        .order_by("breakdown__indicator__number", "position", "pk")
        .annotate(
            actual=Subquery(latest.values("value")[:1]),
            actual_month=Subquery(latest.values("month")[:1]),
            comparator=Subquery(target.values("comparator")[:1]),
            city_text=Subquery(target.values("text")[:1]),
        )
        .values_list(
            "unit_id", "breakdown__indicator_id", "breakdown__indicator__number", "breakdown__indicator__name",
            "breakdown__indicator__measure", "breakdown__indicator__baseline_text", "value", "city_text",
            "comparator", "actual", "actual_month",
        )
    )


def share_rows(*, plan: Plan, period: Period, rule_set: dict) -> list[dict]:
    """Each unit's share of this year's indicator targets (目标分解) and its progress at the period's close: the
    one source of every output's 分解目标 rows (page, workbook, 通报, e-mail, API). A unit holding a share is
    held to it: it is listed with this progress whether or not anything of its work is due, and the year's
    assessment scores it on it beside the indicators it leads (``rules.assessment``).

    Progress and colour are ``rules.indicators.indicator_status`` with the share as the target and the city
    target's comparator (a share is the unit's own figure for the year: no baseline of its own is kept)."""
    year = period.end.year
    sql, params = plan_sql(_share_values, plan=plan, year=year, end=period.end)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = []
    for (unit_id, indicator_id, number, name, measure, baseline_text, value, city_text, comparator, actual,
         actual_month) in rows:
        target = _float(value)
        actual_f = _float(actual)
        places = indicator_rules.decimal_places(baseline_text, city_text, value)
        status = indicator_rules.indicator_status(
            actual=actual_f, target=target, comparator=comparator or "eq", cumulative=False, baseline=None,
            baseline_year=None, target_year=year, as_of=period.end, rules=rule_set, places=places,
        )
        out.append({
            "unit_id": unit_id,
            "indicator_id": indicator_id,
            "number": number,
            "indicator": f"{name}" + (f"({measure})" if measure else ""),
            "target_value": target,
            "target_text": indicator_rules.format_value(target, places) if target is not None else None,
            "comparator": comparator or "eq",
            "actual": actual_f,
            "actual_text": indicator_rules.format_value(actual_f, places) if actual_f is not None else None,
            "actual_month": _as_date(actual_month).strftime("%Y-%m") if actual_month else None,
            **status,
        })
    return out


# -- the whole roundup -----------------------------------------------------------------------------


def roundup_settings_for(plan: Plan) -> RoundupSettings:
    """The plan's rules, or the defaults when the office has not set any (not saved)."""
    found = next(iter(precompiled(_settings_of, ids={"plan_id": plan.pk})), None)
    return found or RoundupSettings(plan=plan)


def _settings_of(*, plan_id: int) -> QuerySet[RoundupSettings]:
    return RoundupSettings.objects.filter(plan_id=plan_id).order_by("pk")[:1]


@contextmanager
def without_jit() -> Iterator[None]:
    """On PostgreSQL, run the enclosed statements with JIT compilation off (``SET LOCAL jit = off``).

    The roundup's item-state statements (``_outcome_counts`` twice, ``overdue_items``) are correlated
    subqueries whose estimated cost passes ``jit_above_cost`` from a few thousand items on; PostgreSQL
    then spends far longer compiling them than running them (measured by ``bench/province.py`` on
    20,000 items: 77 / 96 / 118 ms with JIT, 12 / 13 / 9 ms without; the other statements are below the
    threshold and unchanged). ``SET LOCAL`` lasts to the end of the transaction: its own one when the
    caller has none, else the caller's (a roundup generated in a service's transaction).
    """
    if connection.vendor != "postgresql":
        yield
        return
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _plan_units(*, plan: Plan) -> QuerySet:
    """Every unit the plan holds accountable: those on its items (every unit counted is one), (towns
    included) on its key tasks, or holding a share of one of its indicators' targets (目标分解: a town given
    only a share is held to it, and so listed, never silently absent). Semi-joins, not an OR across the
    relations, which would multiply a unit's rows; no ordering (the default one joins regions): it is a
    lookup table."""
    return (
        Unit.objects.filter(
            Q(pk__in=WorkItemUnit.objects.filter(work_item__plan=plan).values("unit_id"))
            | Q(pk__in=KeyTaskUnit.objects.filter(key_task__plan=plan).values("unit_id"))
            | Q(pk__in=TargetShare.objects.filter(breakdown__indicator__plan=plan).values("unit_id"))
        )
        .order_by()
        .values_list("pk", "name", "kind")
    )


def roundup_data(*, plan: Plan, period: Period, rule_set: dict | None = None) -> dict:
    """Every number of the roundup of ``plan`` for ``period``, as one JSON-safe dict (the snapshot).

    Costs a fixed number of queries whatever the size of the plan (one more on PostgreSQL: the
    ``SET LOCAL jit = off`` of ``without_jit``).
    """
    with without_jit():
        return _roundup_data(plan=plan, period=period, rule_set=rule_set)


def _roundup_data(*, plan: Plan, period: Period, rule_set: dict | None) -> dict:
    if rule_set is None:
        rule_set = roundup_settings_for(plan).as_dict()
    rows = _outcome_counts(plan=plan, period=period)
    units, overall = _unit_rows(rows, rule_set)
    previous = period.previous()
    previous_units, _ = _unit_rows(_outcome_counts(plan=plan, period=previous, units_only=True), rule_set)
    task_counts = _task_counts(rows)

    known = {pk: (name, kind) for pk, name, kind in plan_rows(_plan_units, plan=plan)}
    counted = {u["unit_id"] for u in units}
    units += [  # nothing due at all in the period: listed apart under 本期无到期事项
        {"unit_id": pk, **outcomes.empty_counts(), "support": outcomes.empty_counts(), "score": None,
         "outside": {"lead": outcomes.empty_counts(), "support": outcomes.empty_counts()}}
        for pk, (_name, kind) in known.items() if pk not in counted and kind != Unit.Kind.COLLECTIVE
    ]
    if gone := (counted | {u["unit_id"] for u in previous_units}) - set(known):
        # Units that held items in the period (or the one before) and hold nothing of the plan now (the items
        # moved on, ``services.holders``): named and ranked for what they held then. One query, only when needed.
        known.update({pk: (name, kind) for pk, name, kind in
                      Unit.objects.filter(pk__in=gone).values_list("pk", "name", "kind")})
    kinds = {pk: kind for pk, (_name, kind) in known.items()}
    units, without_due_rows = _rank_within_groups(units, kinds)
    previous_units, _ = _rank_within_groups(previous_units, kinds)
    previous_rank = {u["unit_id"]: u["rank"] for u in previous_units}
    for unit in units:
        unit["unit"] = known.get(unit["unit_id"], ("?", ""))[0]
        before = previous_rank.get(unit["unit_id"])
        unit["previous_rank"] = before
        unit["rank_change"] = before - unit["rank"] if before is not None and unit["rank"] is not None else None
    units.sort(key=lambda u: (GROUPS.index(u["kind"]), u["rank"] is None, u["rank"] or 0, -u["support"]["due"],
                              u["unit"]))
    units = [_unit_out(u) for u in units]
    shares = share_rows(plan=plan, period=period, rule_set=rule_set)
    held = defaultdict(int)
    for share in shares:
        name, kind = known.get(share["unit_id"], ("?", ""))
        share.update(unit=name, kind=unit_group(kind))
        held[share["unit_id"]] += 1
    shares.sort(key=lambda r: (GROUPS.index(r["kind"]), r["unit"], r["number"], r["indicator_id"]))
    without_due = sorted(
        ({"unit": known.get(u["unit_id"], ("?", ""))[0], "unit_id": u["unit_id"], "kind": u["kind"],
          "target_shares": held[u["unit_id"]]}
         for u in without_due_rows),
        key=lambda u: (GROUPS.index(u["kind"]), u["unit"]),
    )
    from .notices import notice_counts_by_unit  # here: the notices module reads this one

    notices = notice_counts_by_unit(plan=plan, period=period)
    for unit in units:  # 督办单 issued in the period to the unit, and how many it answered
        unit["notices_issued"], unit["notices_answered"] = notices.get(unit["unit_id"], (0, 0))

    indicators = indicator_rows(plan=plan, period=period, rule_set=rule_set)
    key_tasks = key_task_rows(plan=plan, task_counts=task_counts)
    overdue = overdue_items(plan=plan, period=period)
    outside = outside_items(plan=plan, period=period)

    praise: list[dict] = []
    call_out: list[dict] = []
    if period.kind == QUARTER:
        praise, call_out = rules.praise_and_call_out(units, rule_set)
    # The assessment scores every unit the plan holds accountable for the year: one that leads an indicator
    # but had no item due is scored on its indicators alone (``rules.assessment``), never left out.
    assessment = rules.assessment(units + [_assessable(u, known) for u in without_due_rows], indicators,
                                  rule_set, shares=shares) if period.kind == YEAR else []

    colours = {c: 0 for c in (rules.GREEN, rules.YELLOW, rules.RED, rules.NONE)}
    for ind in indicators:
        colours[ind["colour"]] += 1
    data = {
        "version": SNAPSHOT_VERSION,
        "plan": {"id": plan.pk, "slug": plan.slug, "title": plan.title, "region": str(plan.region)},
        "period": {
            "kind": period.kind,
            "key": period.key,
            "label": period.label,
            "title": period.title,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "year_start": period.year_start.isoformat(),
            "complete": period.complete,
        },
        "previous_period": {"key": previous.key, "label": previous.label},
        "as_of": period.end.isoformat(),
        "rules": rule_set,
        "summary": {
            **overall["period"],
            "cumulative": overall["cumulative"],
            "units": len(units),
            "units_by_colour": _count_by(units, "colour"),
            "indicators_by_colour": colours,
            "indicators_not_reported": sum(1 for i in indicators if not i["reported_in_period"]),
        },
        "units": units,
        "units_without_due": without_due,
        "indicators": indicators,
        "target_shares": shares,
        "key_tasks": key_tasks,
        "overdue_items": overdue,
        "outside_items": outside,
        "praise": praise,
        "call_out": call_out,
        "assessment": assessment,
    }
    if period.kind == YEAR:
        from .burden import unit_asks_for_year  # here: the burden module reads this one

        # The assessment's appendix (基层负担): what was asked of each unit over the year, beside its results;
        # never scored (issue 34).
        data["burden"] = unit_asks_for_year(plan=plan, year=period.start.year,
                                            units=[(pk, name, kind) for pk, (name, kind) in known.items()])
    return data


def _assessable(unit: dict, known: dict) -> dict:
    """A unit with nothing due in the period as the annual assessment reads it: its (empty) counts, name and kind."""
    empty = outcomes.finish_counts(outcomes.empty_counts())
    return {**empty, **unit, "support": outcomes.finish_counts({**outcomes.empty_counts(), **unit["support"]}),
            "unit": known.get(unit["unit_id"], ("?", ""))[0]}


def _count_by(rows: list[dict], key: str) -> dict:
    out = {c: 0 for c in (rules.GREEN, rules.YELLOW, rules.RED, rules.NONE)}
    for row in rows:
        out[row[key]] += 1
    return out


def _unit_out(u: dict) -> dict:
    """The contract's keys first, then the details."""
    return {
        "unit": u["unit"],
        "kind": u["kind"],
        "due": u["due"],
        "done_on_time": u["done_on_time"],
        "done_late": u["done_late"],
        "overdue": u["overdue"],
        "awaiting_review": u["awaiting_review"],
        "on_time_rate": u["on_time_rate"],
        "score": u["score"],
        "rank": u["rank"],
        "colour": u["colour"],
        "unit_id": u["unit_id"],
        "previous_rank": u["previous_rank"],
        "rank_change": u["rank_change"],
        "support": u["support"],
        "outside": u["outside"],
        "cumulative": u["cumulative"],
    }


def _key_task_leads(*, plan: Plan) -> QuerySet:
    return (
        KeyTaskUnit.objects.filter(key_task__plan=plan, role=Role.LEAD, expanded=False)
        .order_by("key_task_id", "position", "pk")
        .values_list("key_task_id", "unit__name")
    )


def _key_tasks(*, plan: Plan) -> QuerySet:
    return KeyTask.objects.filter(plan=plan).order_by("number").values_list("id", "number", "section", "title")


def key_task_rows(*, plan: Plan, task_counts: dict[int, dict]) -> list[dict]:
    """Each key task with its lead units and this year's items: done, overdue, total."""
    leads: dict[int, list[str]] = defaultdict(list)
    for task_id, name in plan_rows(_key_task_leads, plan=plan):
        leads[task_id].append(name)
    out = []
    for pk, number, section, title in plan_rows(_key_tasks, plan=plan):
        counts = task_counts.get(pk, {"done": 0, "pending": 0, "awaiting_review": 0, "overdue": 0})
        total = sum(counts.values())
        out.append(
            {
                "id": pk,
                "number": number,
                "section": section,
                "title": title,
                "lead_units": leads.get(pk, []),
                "total": total,
                **counts,
                "done_rate": rules.rate(counts["done"], total),
            }
        )
    return out


# -- the document: what ``roundup --json`` prints and the API returns ----------------------------------


def published_roundup(*, plan: Plan, period: Period) -> Roundup | None:
    """The published (frozen) roundup of ``plan`` for ``period``, if the period has ended and it was published."""
    if not period.complete:
        return None
    return (Roundup.objects.filter(plan=plan, kind=period.kind, period_start=period.start,
                                   status=Roundup.Status.PUBLISHED).order_by("-pk").first())


def roundup_document(*, plan: Plan, period: Period, user=None) -> dict:
    """The roundup of ``plan`` for ``period`` as one JSON-safe document, as ``user`` may read it.

    The one builder of the document: ``manage.py roundup --json`` prints it (``user`` None: the whole
    plan) and ``/api/v1/plans/<slug>/status/`` returns it, so both show the same keys and values for the
    same plan, period and day. The numbers are the published snapshot when the period's roundup was
    published (as it was sent), else computed now as of the period's last day (``roundup_data``).

    ``scope`` says how it was read: ``plan`` (a coordinator, a global role, the command) whole; ``unit``
    (a liaison of ``unit``) with the plan's summary, and of the rest only its own unit's rows, the
    indicators and key tasks its unit serves and the overdue items it may open.
    """
    frozen = published_roundup(plan=plan, period=period)
    data = dict(frozen.data) if frozen else roundup_data(plan=plan, period=period)
    if period.kind == YEAR:
        data.setdefault("burden", None)  # frozen before the appendix existed: not recorded, never computed now
    if user is None or sees_plan_whole(user, plan.pk):
        return {**data, "scope": "plan", "unit": None}
    unit = user_unit(user)
    unit_id = unit.pk if unit is not None else None

    def own(rows: list[dict]) -> list[dict]:
        return [row for row in rows if row.get("unit_id") == unit_id and unit_id is not None]

    indicators = set(visible_indicators(user).filter(plan=plan).values_list("pk", flat=True))
    key_tasks = set(visible_key_tasks(user).filter(plan=plan).values_list("pk", flat=True))
    open_ids = [row["id"] for row in data["overdue_items"]] + [row["id"] for row in data.get("outside_items", [])]
    allowed = set(visible_work_items(user).filter(pk__in=open_ids).values_list("pk", flat=True)) if open_ids else set()
    names = {unit.name} if unit is not None else set()
    return {
        **data,
        "units": own(data["units"]),
        "units_without_due": own(data["units_without_due"]),
        "indicators": [row for row in data["indicators"] if row["id"] in indicators],
        **({"target_shares": own(data["target_shares"])} if "target_shares" in data else {}),
        "key_tasks": [row for row in data["key_tasks"] if row["id"] in key_tasks],
        "overdue_items": [row for row in data["overdue_items"] if row["id"] in allowed],
        "outside_items": [row for row in data.get("outside_items", []) if row["id"] in allowed],
        "praise": [row for row in data["praise"] if row["unit"] in names],
        "call_out": [row for row in data["call_out"] if row["unit"] in names],
        "assessment": own(data["assessment"]),
        # A year's appendix (基层负担): a liaison reads what was asked of their own unit only.
        **({"burden": own(data["burden"]) if data["burden"] is not None else None} if "burden" in data else {}),
        "scope": "unit",
        "unit": unit.name if unit is not None else None,
    }


# -- who may read what -----------------------------------------------------------------------------


def roundups_visible_to(user) -> QuerySet:
    """Roundups a user may read: those of the plans the user reviews (``permissions.reviewable_plans``)."""
    qs = Roundup.objects.select_related("plan", "plan__region", "published_by", "generated_by")
    return qs.filter(plan__in=reviewable_plans(user))


def roundup_list(user) -> QuerySet:
    return roundups_visible_to(user).order_by("plan__title", "-period_end", "kind")


def plan_for_roundup(ref: str) -> Plan:
    """A plan by id or slug (for the command line)."""
    query = Q(slug=ref)
    if parse_id(ref) is not None:
        query |= Q(pk=parse_id(ref))
    return Plan.objects.select_related("region").get(query)
