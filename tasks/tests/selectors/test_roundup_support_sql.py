"""The roundup counts each supporting part (配合到位) in SQL by ``tasks.rules.support``: a grid of cases
(deadline past, on the cut-off day, after it, moved by an extension; marked before, on, after the
deadline, after the cut-off, before the year or the period began, never; item waived) judged by the
Python rule must give the same counts, for several periods and both forms of the statement."""

from collections import Counter
from datetime import date, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from tasks.models import Role, WorkItem, WorkItemUnit
from tasks.roundups.periods import Period
from tasks.rules.support import SupportOutcome, support_outcome
from tasks.selectors.roundups import SUPPORT_LABELS, _outcome_counts, item_states, local_midnight
from tasks.tests.factories import PlanFactory, RegionFactory, UnitFactory, UserFactory, WorkItemFactory
from tasks.tests.roundup_golden import _extend

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
DUES = [date(2022, 12, 31), date(2023, 3, 31), date(2023, 6, 10), date(2023, 6, 30), date(2023, 7, 10), None]
MARKS = [
    None,
    datetime(2022, 12, 20, 10, tzinfo=SH),  # before the year began
    datetime(2023, 3, 31, 23, 59, tzinfo=SH),  # last minute of a deadline day
    datetime(2023, 6, 5, 10, tzinfo=SH),
    datetime(2023, 6, 10, 23, 30, tzinfo=SH),  # late evening of a deadline day: still that day locally
    datetime(2023, 6, 11, 0, 30, tzinfo=SH),  # just after midnight: the next day
    datetime(2023, 6, 30, 23, 59, tzinfo=SH),  # the last minute of June
    datetime(2023, 7, 1, 0, 0, tzinfo=SH),  # July's first instant: after June's cut-off
    datetime(2023, 7, 15, 10, tzinfo=SH),
]
PERIODS = [Period.month(2023, 6), Period.month(2023, 7), Period.month(2023, 3), Period.quarter(2023, 2),
           Period.year(2023), Period.month(2023, 1)]


def _by_rule(plan, period) -> Counter:
    """The counts as the Python rule gives them, on each item's state at the cut-off (``item_states``)."""
    states = {row["id"]: row for row in item_states(plan=plan, end=period.end)}
    cutoff = local_midnight(period.end + timedelta(days=1))
    start, year_start = local_midnight(period.start), local_midnight(period.year_start)
    counts = Counter()
    for part in WorkItemUnit.objects.filter(work_item__plan=plan, role=Role.SUPPORT):
        state = states.get(part.work_item_id)
        if state is None or state["status_end"] == WorkItem.Status.WAIVED or state["due_end"] > period.end:
            continue  # no dated deadline, not due by the cut-off, or released: not counted
        marked = part.support_done_at if part.support_done_at and part.support_done_at < cutoff else None
        outcome = support_outcome(due_date=state["due_end"], done_on=marked.astimezone(SH).date() if marked else None,
                                  as_of=period.end + timedelta(days=1))
        if outcome == SupportOutcome.PENDING:
            continue
        phase = 2 if marked is None or marked >= start else (1 if marked >= year_start else 0)
        counts[(part.unit_id, SUPPORT_LABELS[outcome], phase)] += 1
    return counts


def _by_sql(plan, period, *, units_only: bool) -> Counter:
    return Counter({
        (key, outcome, phase): n
        for group, key, role, outcome, phase, n in _outcome_counts(plan=plan, period=period, units_only=units_only)
        if group == "unit" and role == Role.SUPPORT and outcome != "none"
    })


def test_supporting_part_counts_in_sql_agree_with_the_rule_over_a_grid():
    region = RegionFactory()
    plan = PlanFactory(region=region)
    lead = UnitFactory(region=region, name="牵头局")
    helpers = [UnitFactory(region=region, name=f"配合局{i}") for i in range(3)]
    coordinator = UserFactory()
    for i, (due, mark) in enumerate(product(DUES, MARKS)):
        item = WorkItemFactory(plan=plan, lead=lead, supporting=[helpers[i % 3]], deadline=due, due_date=due)
        WorkItemUnit.objects.filter(work_item=item, role=Role.SUPPORT).update(support_done_at=mark)
        if due and i % 7 == 3:  # an extension granted in June: before June's cut-off, after May's
            _extend(item, to=due + timedelta(days=20), when=datetime(2023, 6, 15, 10, tzinfo=SH),
                    log_status_change=i % 2 == 0, coordinator=coordinator)
        if i % 11 == 5:
            WorkItem.objects.filter(pk=item.pk).update(status=WorkItem.Status.WAIVED)
    # The grid reaches every outcome and phase somewhere (else it would prove little).
    seen = Counter()
    for period in PERIODS:
        expected = _by_rule(plan, period)
        for units_only in (False, True):
            assert _by_sql(plan, period, units_only=units_only) == expected, (period.key, units_only)
        seen.update({(outcome, phase) for _unit, outcome, phase in expected})
    assert {o for o, _p in seen} == {"done_on_time", "done_late", "overdue"}
    assert {p for _o, p in seen} == {0, 1, 2}
