"""The pure rules of work broken down and supporting parts."""

from datetime import date

import pytest

from tasks.rules.breakdown import Rollup, SubItem, child_deadline_ok, parent_may_close, rollup
from tasks.rules.support import SupportOutcome, support_outcome

TODAY = date(2026, 6, 15)


def test_rollup_counts_done_waived_overdue_and_unsigned():
    r = rollup(
        [
            SubItem("done", date(2026, 6, 1), True),
            SubItem("done", date(2026, 6, 1), False),
            SubItem("waived", date(2026, 6, 1)),
            SubItem("in_progress", date(2026, 6, 14)),  # overdue
            SubItem("awaiting_sign", date(2026, 6, 10)),  # overdue and unsigned
            SubItem("awaiting_sign", date(2026, 6, 30)),
            SubItem("not_started", TODAY),  # due today: not overdue
            SubItem("in_progress", None),
        ],
        today=TODAY,
    )
    assert r == Rollup(total=8, done=2, done_late=1, waived=1, overdue=2, awaiting_sign=2)
    assert (r.closed, r.open, r.all_closed) == (3, 5, False)


def test_parent_may_close_only_when_every_sub_item_is_done_or_waived():
    assert parent_may_close(rollup([SubItem("done", None, True), SubItem("waived", None)], today=TODAY))
    assert not parent_may_close(rollup([SubItem("done", None, True), SubItem("awaiting_review", None)], today=TODAY))
    assert parent_may_close(rollup([], today=TODAY))


@pytest.mark.parametrize(
    ("child", "parent", "ok"),
    [
        (date(2026, 6, 30), date(2026, 6, 30), True),
        (date(2026, 6, 1), date(2026, 6, 30), True),
        (date(2026, 7, 1), date(2026, 6, 30), False),
        (date(2026, 7, 1), None, True),
        (None, date(2026, 6, 30), False),
    ],
)
def test_a_sub_item_deadline_is_no_later_than_the_parents(child, parent, ok):
    assert child_deadline_ok(child_due=child, parent_due=parent) is ok


@pytest.mark.parametrize(
    ("due", "done_on", "as_of", "outcome"),
    [
        (date(2026, 6, 30), date(2026, 6, 30), date(2026, 7, 5), SupportOutcome.ON_TIME),
        (date(2026, 6, 30), date(2026, 7, 1), date(2026, 7, 5), SupportOutcome.LATE),
        (date(2026, 6, 30), None, date(2026, 7, 1), SupportOutcome.MISSING),
        (date(2026, 6, 30), None, date(2026, 6, 30), SupportOutcome.PENDING),  # due today: not missing yet
        (date(2026, 6, 30), date(2026, 7, 3), date(2026, 7, 1), SupportOutcome.MISSING),  # done after as_of
        (None, None, date(2026, 7, 1), SupportOutcome.PENDING),
        (None, date(2026, 5, 1), date(2026, 7, 1), SupportOutcome.ON_TIME),
    ],
)
def test_support_outcome_as_of_a_date(due, done_on, as_of, outcome):
    assert support_outcome(due_date=due, done_on=done_on, as_of=as_of) == outcome
