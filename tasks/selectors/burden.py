"""What the app asked of each unit, per month (基层减负): shown beside its results, never scored.

Every count is of asks *of a unit* of the plan, in the month (Asia/Shanghai) the ask was made:

- ``reports_requested``: the items and parts due that month where the unit is lead or supporting (each
  asks for a close request or the unit's contribution; items kept for the record, 历史留档, are not
  asked), plus the monthly progress requests (月度进展催报) sent to the unit, one per item and month.
- ``evidence_demanded``: the unit's close requests (申请办结) that had to carry evidence when they were made:
  the plan required evidence for the item's kind (``Plan.evidence_kinds`` as it was set then) and none was
  on file for the item (evidence is asked once: ``rules.burden.evidence_demanded``). Each request records
  it (``ProgressReport.evidence_demanded``), so a later change of the setting does not rewrite past months;
  requests made before the record existed were given it at the upgrade (migration 0032) by the setting as
  it stood then, which is what the page had shown for them.
- ``reminders``: the due-soon, overdue and manual reminders (到期提醒, 逾期通知, 人工催办) sent to the
  unit's people about its items or parts, one per item, deadline and step however many of its people
  received it. Escalations to the 专班 or a leader ask nothing of the unit and are not counted.
- ``notices``: the 督办单 issued to the unit that month.
- ``sign_chases``: the 签收 chases (签收催办) sent to the unit, one per part and week.
- Reminders, progress requests, 签收 chases and 督办单 count when they reached the unit (``rules.burden.ask_fate``:
  one of their outbox messages delivered, or sent on a channel with no delivery report); those whose every
  message failed or was given up are ``undelivered``, shown apart and in no other count or total, and those
  still on their way count once they arrive. A reminder reached the unit if it reached any of its people.
- ``asked_twice``: of the reports requested and reminders above, those sent for material the unit had
  already given: a monthly progress request for an item the unit had reported on earlier that month (the scan no
  longer sends one, ``selectors.reminders.reported_this_month``, so this counts only a report filed between
  the scan and the sending, and requests of months before that change); a
  reminder to a lead for an item whose close request was then awaiting review or accepted; a reminder
  to a supporting unit whose part was already marked done (配合到位); a 签收 chase for a part already
  signed. An indicator's figure is held once per month (a correction replaces it) and no reminder asks
  for it, and evidence on file satisfies a later close request, so neither is ever asked twice.

One grouped query per source (items due, reminders, 督办单, close requests), whatever the number of units
(``tests/selectors/test_burden.py`` holds it at two sizes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, ExtractMonth, ExtractYear

from tasks.models import (
    Evidence,
    Message,
    Plan,
    ProgressReport,
    Reminder,
    Role,
    StatusChange,
    SupervisionNotice,
    Unit,
    WorkItem,
    WorkItemUnit,
)
from tasks.rules import burden

from .reminders import MONTHLY_ANSWERED_KINDS
from .roundups import _plan_units, local_midnight, plan_rows, without_jit
from .work import plan_unit_rows

K = Reminder.Kind
R = Reminder.RecipientRole
S = WorkItem.Status
CHASES = (K.DUE_SOON, K.OVERDUE, K.MANUAL)
Month = tuple[int, int]  # (year, month)


def _month_of(field: str) -> dict:
    return {"y": ExtractYear(field), "m": ExtractMonth(field)}


def _due(*, plan: Plan, start: date, end: date):
    # A part waived (已豁免) by its deadline was never asked for, as no roundup counts it due; one waived after it
    # fell due had been asked, and what was asked stays as asked (a later waiver leaves that month as it was).
    waived_by_deadline = Exists(StatusChange.objects.filter(
        work_item=OuterRef("work_item"), to_status=S.WAIVED, at__date__lte=OuterRef("work_item__due_date")))
    return (
        WorkItemUnit.objects.filter(work_item__plan=plan, work_item__due_date__gte=start,
                                    work_item__due_date__lte=end, role__in=[Role.LEAD, Role.SUPPORT])
        .exclude(work_item__status=S.HISTORY)
        .exclude(Q(work_item__status=S.WAIVED) & waived_by_deadline)
        .values("unit_id", **_month_of("work_item__due_date"))
        .annotate(n=Count("work_item_id", distinct=True))
        .values_list("unit_id", "y", "m", "n")
        .order_by()
    )


def _ask_key() -> Concat:
    """One ask: an item, deadline and step, however many of the unit's addresses it went to."""
    return Concat(
        Cast("work_item_id", CharField()), Value(":"), Cast("step", CharField()), Value(":"),
        Coalesce(Cast("deadline", CharField()), Value("")), output_field=CharField(),
    )


def _already_given() -> tuple[Q, Subquery]:
    """The reminder asked for what the unit had given already (see the module's ``asked_twice``), and the
    item's status when it was sent (the condition reads it as ``status_then``)."""
    reported_that_month = (
        ProgressReport.objects.filter(work_item=OuterRef("work_item"), unit=OuterRef("unit"),
                                      kind__in=MONTHLY_ANSWERED_KINDS, created_at__lt=OuterRef("sent_at"))
        .annotate(ym=ExtractYear("created_at") * 100 + ExtractMonth("created_at"))
        .filter(ym=OuterRef("step"))
    )
    status_then = Subquery(
        StatusChange.objects.filter(work_item=OuterRef("work_item"), event=StatusChange.Event.TRANSITION,
                                    at__lt=OuterRef("sent_at"))
        .order_by("-at", "-pk").values("to_status")[:1]
    )
    part_done = WorkItemUnit.objects.filter(work_item=OuterRef("work_item"), unit=OuterRef("unit"),
                                            role=Role.SUPPORT, support_done_at__lt=OuterRef("sent_at"))
    return (
        (Q(kind=K.MONTHLY) & Exists(reported_that_month))
        | Q(kind__in=CHASES, role=R.LEAD, status_then__in=[S.AWAITING_REVIEW, S.DONE])
        | (Q(kind__in=(*CHASES, K.MONTHLY), role=R.SUPPORT) & Exists(part_done))
        | Q(kind=K.SIGN, work_item__signed_at__lt=F("sent_at"))
    ), status_then


def _fate(messages) -> dict:
    """``rules.burden.ask_fate``'s inputs over ``messages`` (the ask's outbox rows), as three annotations."""
    from tasks.notifications.channels import ADAPTERS, adapter_for

    M = Message.State
    quiet = sorted(c for c in ADAPTERS if not adapter_for(c).reconciles)  # no delivery report: sent is reached
    reached = Q(state=M.DELIVERED) | Q(state=M.SENT, channel__in=quiet)
    in_flight = Q(state__in=[M.QUEUED, M.SENDING]) | (Q(state=M.SENT) & ~Q(channel__in=quiet))
    return {"m_any": Exists(messages), "m_reached": Exists(messages.filter(reached)),
            "m_flight": Exists(messages.filter(in_flight))}


def _reminders(*, plan: Plan, start: date, end: date):
    """Rows ``(unit_id, kind, y, m, ask key, reached, in flight, any message, asked twice)`` per reminder row
    (an ask is one key, whatever the number of its addresses: ``_reminder_counts`` folds them)."""
    twice, status_then = _already_given()
    return (
        Reminder.objects.filter(work_item__plan=plan, status=Reminder.Status.SENT, unit__isnull=False,
                                role__in=[R.LEAD, R.SUPPORT], sent_at__gte=local_midnight(start),
                                sent_at__lt=local_midnight(end + timedelta(days=1)))
        .annotate(status_then=status_then, ask=_ask_key(), **_fate(Message.objects.filter(group=OuterRef("digest"))),
                  twice=Case(When(twice, then=Value(True)), default=Value(False), output_field=BooleanField()),
                  **_month_of("sent_at"))
        .values_list("unit_id", "kind", "y", "m", "ask", "m_reached", "m_flight", "m_any", "twice")
        .order_by()
    )


def _reminder_counts(rows) -> dict[tuple, list[int]]:
    """(unit, kind, y, m) -> [asks that reached, of them asked twice, asks undelivered]: an ask reached the unit
    when it reached any of its people (``burden.ask_fate`` over all its messages)."""
    asks: dict[tuple, list] = {}
    for unit_id, kind, y, m, ask, reached, flight, any_, twice in rows:
        seen = asks.setdefault((unit_id, kind, y, m, ask), [0, 0, 0, False])
        seen[0] += bool(any_)
        seen[1] += bool(reached)
        seen[2] += bool(flight)
        seen[3] = seen[3] or bool(twice)
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (unit_id, kind, y, m, _ask), (any_, reached, flight, twice) in asks.items():
        fate = burden.ask_fate(messages=any_, reached=reached, in_flight=flight)
        row = out[(unit_id, kind, y, m)]
        if fate == burden.REACHED:
            row[0] += 1
            row[1] += twice
        elif fate == burden.FAILED:
            row[2] += 1
    return out


def _notices(*, plan: Plan, start: date, end: date):
    """Rows ``(unit_id, y, m, any message, reached, in flight, n)``: the 督办单 issued, by their fate."""
    return (
        SupervisionNotice.objects.filter(plan=plan, issued_at__gte=local_midnight(start),
                                         issued_at__lt=local_midnight(end + timedelta(days=1)))
        .annotate(**_fate(Message.objects.filter(notice=OuterRef("pk"))))
        .values("unit_id", "m_any", "m_reached", "m_flight", **_month_of("issued_at"))
        .annotate(n=Count("pk"))
        .values_list("unit_id", "y", "m", "m_any", "m_reached", "m_flight", "n")
        .order_by()
    )


def _evidence(*, plan: Plan, start: date, end: date):
    # What each request recorded when it was made (``ProgressReport.evidence_demanded``), never the plan's
    # setting as it is now: switching a kind on or off later leaves the months before as they were.
    return (
        ProgressReport.objects.filter(work_item__plan=plan, kind=ProgressReport.Kind.CLOSE_REQUEST,
                                      evidence_demanded=True, unit__isnull=False,
                                      created_at__gte=local_midnight(start),
                                      created_at__lt=local_midnight(end + timedelta(days=1)))
        .values("unit_id", **_month_of("created_at"))
        .annotate(n=Count("pk"))
        .values_list("unit_id", "y", "m", "n")
        .order_by()
    )


def _empty() -> dict[str, int]:
    return dict.fromkeys(burden.COUNTS, 0)


def asks_by_unit_month(*, plan: Plan, start: date, end: date) -> dict[tuple[int, Month], dict[str, int]]:
    """(unit id, (year, month)) -> the counts of the module's docstring, for the asks made from ``start`` to
    ``end`` (inclusive); pairs with no ask are absent. Four queries whatever the plan's size (the
    close requests' one even when the plan requires no evidence today: an earlier month may have asked)."""
    out: dict[tuple[int, Month], dict[str, int]] = defaultdict(_empty)
    for unit_id, y, m, n in _due(plan=plan, start=start, end=end):
        out[(unit_id, (y, m))][burden.REPORTS] += n
    for (unit_id, kind, y, m), (n, twice, failed) in _reminder_counts(_reminders(plan=plan, start=start,
                                                                                  end=end)).items():
        row = out[(unit_id, (y, m))]
        field = {K.MONTHLY: burden.REPORTS, K.SIGN: burden.SIGN_CHASES}.get(kind, burden.REMINDERS)
        row[field] += n
        row[burden.ASKED_TWICE] += twice
        row[burden.UNDELIVERED] += failed
    for unit_id, y, m, any_, reached, flight, n in _notices(plan=plan, start=start, end=end):
        fate = burden.ask_fate(messages=int(bool(any_)), reached=int(bool(reached)), in_flight=int(bool(flight)))
        if fate == burden.REACHED:
            out[(unit_id, (y, m))][burden.NOTICES] += n
        elif fate == burden.FAILED:
            out[(unit_id, (y, m))][burden.UNDELIVERED] += n
    for unit_id, y, m, n in _evidence(plan=plan, start=start, end=end):
        out[(unit_id, (y, m))][burden.EVIDENCE] += n
    return dict(out)


def _asked_units(counts: dict, accountable: Iterable[tuple[int, str, str]]) -> dict[int, tuple[str, str]]:
    """unit id -> (name, kind) of every unit the plan holds accountable now and of every unit it asked something
    of (``counts``) that it no longer does: one whose items were moved to another unit after it was reminded,
    sent a 督办单 or asked to report keeps those asks (one query, only when there is such a unit)."""
    names = {pk: (name, kind) for pk, name, kind in accountable}
    gone = {unit_id for unit_id, _month in counts} - set(names)
    if gone:
        names.update({pk: (name, kind) for pk, name, kind in
                      Unit.objects.filter(pk__in=gone).values_list("pk", "name", "kind")})
    return names


def unit_asks(*, plan: Plan, start: date, end: date, unit_ids: Iterable[int] | None = None) -> list[dict]:
    """One row per unit and month with any ask, for the coordinator's page: ``unit_id``, ``unit``, ``kind``,
    ``month`` (its first day), the counts and ``total``; by unit name, then month. ``unit_ids``: only these
    units (a liaison's own). Runs with JIT off on PostgreSQL (one more statement): compiling the reminders'
    statement cost more than running it (``bench/burden_bench.py``)."""
    with without_jit():
        counts = asks_by_unit_month(plan=plan, start=start, end=end)
    names = _asked_units(counts, plan_rows(_plan_units, plan=plan))
    keep = None if unit_ids is None else set(unit_ids)
    rows = []
    for (unit_id, (y, m)), row in counts.items():
        if unit_id not in names or (keep is not None and unit_id not in keep):
            continue
        name, kind = names[unit_id]
        rows.append({"unit_id": unit_id, "unit": name, "kind": kind, "month": date(y, m, 1), **row,
                     "total": burden.total_asks(row)})
    rows.sort(key=lambda r: (r["unit"], r["month"]))
    return rows


def unit_asks_for_year(*, plan: Plan, year: int, units: Iterable[tuple[int, str, str]] | None = None) -> list[dict]:
    """Every unit the plan holds accountable (collectives aside), with its asks over ``year``: the counts,
    ``total`` and ``months`` (total asks per month, January first); by unit name. For the annual
    assessment's appendix (基层负担), frozen in its snapshot. ``units``: the plan's (id, name, kind) when the
    caller has read them (the roundup, which runs it with JIT off, ``roundups.without_jit``)."""
    counts = asks_by_unit_month(plan=plan, start=date(year, 1, 1), end=date(year, 12, 31))
    by_unit: dict[int, dict] = {}
    names = _asked_units(counts, plan_rows(_plan_units, plan=plan) if units is None else units)
    for pk, (name, kind) in names.items():
        if kind != Unit.Kind.COLLECTIVE:
            by_unit[pk] = {"unit_id": pk, "unit": name, "kind": kind, **_empty(), "months": [0] * 12}
    for (unit_id, (_y, m)), row in counts.items():
        out = by_unit.get(unit_id)
        if out is None:
            continue
        for k in burden.COUNTS:
            out[k] += row[k]
        out["months"][m - 1] += burden.total_asks(row)
    rows = sorted(by_unit.values(), key=lambda r: r["unit"])
    for r in rows:
        r["total"] = burden.total_asks(r)
    return rows


def evidence_demanded_of(item: WorkItem) -> bool:
    """Whether a close request of ``item`` must carry evidence now: the plan requires it for the item's kind
    and no report on the item carries any yet (evidence is asked once; a resubmission keeps what was given)."""
    kind = burden.item_kind(origin=item.origin, is_part=item.parent_id is not None)
    required = burden.evidence_required(kind=kind, required_kinds=item.plan.evidence_kinds)
    on_file = required and Evidence.objects.filter(report__work_item=item).exists()
    return burden.evidence_demanded(required=required, on_file=on_file)


def asks_by_unit(rows: Iterable[dict]) -> dict[int, dict[str, int]]:
    """unit id -> its counts and ``total`` summed over the months of ``unit_asks`` rows."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: {**_empty(), "total": 0})
    for r in rows:
        for k in (*burden.COUNTS, "total"):
            out[r["unit_id"]][k] += r[k]
    return dict(out)


RESULTS = ("n_due", "n_on_time", "on_time_rate", "n_overdue")  # a unit's results beside its asks


def unit_totals(*, plan: Plan, rows: Iterable[dict], today: date) -> list[dict]:
    """One row per unit of ``rows`` (``unit_asks``), by name: ``unit_id``, ``unit``, its results as the plan's
    dashboard shows them (``RESULTS`` from ``work.plan_unit_rows``: lead items due, done on time, the on-time
    rate, overdue; all None for a unit leading no item) beside its asks summed over the months
    (``asks_by_unit``: the counts and ``total``). The page's totals table and its export's first sheet."""
    rows = list(rows)
    totals = asks_by_unit(rows)
    results = {u.pk: u for u in plan_unit_rows(plan, today)}
    out = []
    for pk, name in sorted({(r["unit_id"], r["unit"]) for r in rows}, key=lambda p: p[1]):
        unit = results.get(pk)
        out.append({"unit_id": pk, "unit": name, **{k: getattr(unit, k, None) for k in RESULTS}, **totals[pk]})
    return out
