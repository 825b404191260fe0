"""A supporting unit's own part (配合到位): its outcome as of a date, apart from the lead's.

Pure functions over plain values; the rule's one SQL translation is
``tasks.selectors.breakdown.support_outcome_case`` (the home page's parts and the roundups' counts), and
tests check they agree (``test_support``, ``test_roundup_support_sql``).
"""

from __future__ import annotations

from datetime import date

from tasks.rules.outcomes import CLOSED_STATUSES


class SupportOutcome:
    ON_TIME = "on_time"  # marked done on or before the item's deadline in force
    LATE = "late"  # marked done after the deadline
    MISSING = "missing"  # deadline passed and not marked done
    PENDING = "pending"  # not done yet, not due yet (or no dated deadline)
    ALL = (ON_TIME, LATE, MISSING, PENDING)


def support_outcome(*, due_date: date | None, done_on: date | None, as_of: date) -> str:
    """The outcome of a supporting part as of ``as_of``.

    ``done_on`` is the local day the unit marked its part done (None if not yet); a mark
    made after ``as_of`` does not count yet, so a past month's roundup stays as it was.
    A part is missing from the day after its deadline, like an overdue item.
    """
    if done_on is not None and done_on <= as_of:
        return SupportOutcome.ON_TIME if due_date is None or done_on <= due_date else SupportOutcome.LATE
    if due_date is not None and due_date < as_of:
        return SupportOutcome.MISSING
    return SupportOutcome.PENDING


def part_is_chased(*, item_status: str, done: bool) -> bool:
    """Whether reminders chase a supporting part: until the unit marks it done (配合到位), and while the item
    is not closed. The lead asking to close (awaiting review) does not close the part: it is still the
    supporting unit's own, chased as before. Once the item is done or waived no one is chased on it: the
    part's outcome stays recorded (``support_outcome``: missing past the deadline, in the roundups), but a
    closed item's part chased every week for years would bury the current work in every digest."""
    return not done and item_status not in CLOSED_STATUSES
