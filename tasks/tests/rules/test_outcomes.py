"""An item's outcome, overdue, days late and rates: the one rule, and its SQL translations agreeing with it."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tasks.models import WorkItem
from tasks.roundups.periods import Period
from tasks.rules import outcomes as o
from tasks.rules.actions import close_from_statuses, item_actions
from tasks.rules.deadlines import is_extended, reimported_due_date
from tasks.selectors.roundups import roundup_data
from tasks.selectors.work import outcome_counts, outcome_q
from tasks.services.reports import work_item_request_close
from tasks.services.review import work_item_accept
from tasks.services.workflow import work_item_transition
from tasks.tests.daily_setup import make_world
from tasks.tests.factories import WorkItemFactory

D = date(2025, 6, 10)
SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("status", "due", "on_time", "expected"), [
    (o.NOT_STARTED, None, None, o.NOT_DUE),  # recurring work has no single date
    (o.NOT_STARTED, D + timedelta(days=1), None, o.NOT_DUE),
    (o.NOT_STARTED, D, None, o.OVERDUE),  # at the close of its deadline day it is late
    (o.RETURNED, D - timedelta(days=3), None, o.OVERDUE),
    (o.AWAITING_REVIEW, D - timedelta(days=3), None, o.AWAITING_REVIEW),  # asked to close: not overdue
    (o.AWAITING_REVIEW, D + timedelta(days=3), None, o.NOT_DUE),
    (o.DONE, D, True, o.DONE_ON_TIME),
    (o.DONE, D - timedelta(days=1), False, o.DONE_LATE),
    (o.DONE, D + timedelta(days=5), True, o.NOT_DUE),  # done early: counted when its deadline comes
    (o.WAIVED, D - timedelta(days=5), None, o.NOT_DUE),  # a part the coordinator released
    (o.AWAITING_SIGN, D - timedelta(days=1), None, o.OVERDUE),
])
def test_item_outcome_at_the_close_of_a_day(status, due, on_time, expected):
    assert o.item_outcome(status=status, due=due, on_time=on_time, as_of=D) == expected


def test_a_day_is_over_at_its_end():
    assert not o.is_overdue(status=o.IN_PROGRESS, due=D, today=D)
    assert o.is_overdue(status=o.IN_PROGRESS, due=D, today=D + timedelta(days=1))
    assert not o.is_overdue(status=o.AWAITING_REVIEW, due=D, today=D + timedelta(days=30))
    assert o.days_overdue(due=D, today=D + timedelta(days=1)) == 1  # calendar days, never working days


def test_on_time_rate_is_done_on_time_over_due():
    counts = o.count_outcomes([o.DONE_ON_TIME, o.DONE_LATE, o.AWAITING_REVIEW, o.OVERDUE, o.NOT_DUE])
    assert (counts["due"], counts["on_time_rate"]) == (4, 0.25)
    assert o.count_outcomes([o.NOT_DUE])["on_time_rate"] is None


def test_only_the_units_own_move_is_chased():
    assert [s for s in o.STATUSES if o.is_chased(s)] == [o.AWAITING_SIGN, o.NOT_STARTED, o.IN_PROGRESS, o.RETURNED]


def test_deadline_in_force_and_extension():
    may, june = date(2025, 5, 31), date(2025, 6, 30)
    assert not is_extended(deadline=may, due_date=may) and is_extended(deadline=may, due_date=june)
    assert not is_extended(deadline=None, due_date=june)
    # A re-import moves an item that was not extended, and keeps a granted extension.
    assert reimported_due_date(old_deadline=may, old_due=may, new_deadline=june) == june
    assert reimported_due_date(old_deadline=may, old_due=date(2025, 8, 31), new_deadline=june) == date(2025, 8, 31)


def test_actions_follow_the_transition_table():
    assert set(close_from_statuses()) == {o.NOT_STARTED, o.IN_PROGRESS, o.RETURNED}
    lead = item_actions(status=o.IN_PROGRESS, role="lead", reviewer=False, has_deadline=True, pending_extension=False)
    assert lead.report and lead.close and lead.extend and not lead.review
    support = item_actions(status=o.IN_PROGRESS, role="support", reviewer=False, has_deadline=True,
                           pending_extension=False)
    assert support.report and not support.close and not support.extend
    waiting = item_actions(status=o.AWAITING_REVIEW, role="lead", reviewer=True, has_deadline=True,
                           pending_extension=True)
    assert not waiting.close and not waiting.extend and waiting.review and not waiting.chase
    done = item_actions(status=o.DONE, role="lead", reviewer=True, has_deadline=True, pending_extension=False)
    assert not done.report and done.reopen and not done.review


# -- the SQL translations agree with the rule --------------------------------------------------------------


def _world_with_every_outcome():
    w = make_world(date(2025, 6, 20))
    past = datetime.combine(date(2025, 6, 2), time(10), tzinfo=SH)

    def item(due, *moves):
        it = WorkItemFactory(plan=w.plan, deadline=due, due_date=due, lead=w.lead, year=2025)
        for to in moves:
            if to == "close":
                work_item_request_close(item=it, user=w.lead_user, note="完成", at=past)
            elif to == "accept":
                work_item_accept(item=it, user=w.coordinator, at=past)
            else:
                work_item_transition(item=it, to_status=to, at=past, reason="不再需要")
        return it

    item(date(2025, 6, 5), "close", "accept")  # done on time
    item(date(2025, 5, 30), "close", "accept")  # done late
    item(date(2025, 6, 25), "close", "accept")  # done early: not due on 6-19
    item(date(2025, 6, 1), "close")  # awaiting review
    item(date(2025, 6, 3), o.IN_PROGRESS)  # overdue
    item(date(2025, 6, 19))  # due on the cut-off day: overdue at its close
    item(date(2025, 6, 20))  # not due
    item(None)  # recurring
    item(date(2025, 6, 4), o.WAIVED)  # released by the coordinator: not counted
    return w


@pytest.mark.django_db
def test_the_pages_sql_and_the_roundups_sql_agree_with_the_rule():
    w = _world_with_every_outcome()
    as_of = date(2025, 6, 19)
    items = WorkItem.objects.filter(assignments__unit=w.lead)
    python = o.count_outcomes(
        o.item_outcome(status=i.status, due=i.due_date, on_time=i.completed_on_time, as_of=as_of) for i in items
    )
    for outcome in (*o.OUTCOMES, o.NOT_DUE):
        matched = set(items.filter(outcome_q(outcome, as_of)).values_list("pk", flat=True))
        assert matched == {
            i.pk for i in items
            if o.item_outcome(status=i.status, due=i.due_date, on_time=i.completed_on_time, as_of=as_of) == outcome
        }, outcome
    assert outcome_counts(items, as_of=as_of) == python
    assert python == {"due": 5, "done_on_time": 1, "done_late": 1, "awaiting_review": 1, "overdue": 2,
                      "on_time_rate": 0.2}
    # The roundup of June 1..19 counts the lead's items the same way (it reads their history).
    data = roundup_data(plan=w.plan, period=Period.up_to("month", as_of))
    [row] = [u for u in data["units"] if u["unit_id"] == w.lead.pk]
    assert {k: row[k] for k in python} == python
