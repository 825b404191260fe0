"""How an item stands today for the daily pages: its urgency, "due soon", and how long overdue.

- urgency, strongest first: closed (done, or a part the coordinator waived); awaiting review (asked to
  close: neither overdue nor chased); overdue (``outcomes.is_overdue``); due soon (chased, due from today
  through the ``SOON_WORKDAYS``-th working day ahead, :func:`soon_cutoff`); later (chased, due after that,
  or no deadline);
- overdue items age in buckets of calendar days overdue (``outcomes.days_overdue``): 1-7, 8-30, over 30.

``selectors.work`` translates these into SQL (``urgency_q``, ``bucket_q``) from the constants here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from tasks.workdays import add_workdays

from . import outcomes

SOON_WORKDAYS = 7  # "due soon": due within this many working days


class Urgency:
    OVERDUE = "overdue"
    SOON = "soon"
    LATER = "later"
    AWAITING = "awaiting"  # asked to close, waiting for the coordinator: not overdue, not chased
    DONE = "done"
    ALL = (OVERDUE, SOON, LATER, AWAITING, DONE)
    # The order a page decides in: the first that applies wins; anything else is LATER.
    PRECEDENCE = (DONE, AWAITING, OVERDUE, SOON)


def soon_cutoff(today: date, overrides: Mapping[date, bool] | None = None) -> date:
    """The last day counted as "due soon": ``SOON_WORKDAYS`` working days after ``today``."""
    return add_workdays(today, SOON_WORKDAYS, overrides)


def urgency_of(*, status: str, due: date | None, today: date, soon: date) -> str:
    """One item's urgency during ``today``; ``soon``: the last day due soon (:func:`soon_cutoff`)."""
    if status in outcomes.CLOSED_STATUSES:
        return Urgency.DONE
    if status == outcomes.AWAITING_REVIEW:
        return Urgency.AWAITING
    if outcomes.is_overdue(status=status, due=due, today=today):
        return Urgency.OVERDUE
    if due is not None and today <= due <= soon:
        return Urgency.SOON
    return Urgency.LATER


class Bucket:
    """Ageing buckets of overdue items, in calendar days overdue."""

    WEEK = "1-7"
    MONTH = "8-30"
    OLDER = "30+"
    CHOICES = (WEEK, MONTH, OLDER)
    # bucket -> (fewest, most) days overdue; None: no upper bound.
    DAYS: dict[str, tuple[int, int | None]] = {WEEK: (1, 7), MONTH: (8, 30), OLDER: (31, None)}


def bucket_of(days_overdue: int) -> str:
    """The bucket of an item ``days_overdue`` calendar days late (1 or more)."""
    for bucket in Bucket.CHOICES:
        _fewest, most = Bucket.DAYS[bucket]
        if most is None or days_overdue <= most:
            return bucket
    raise AssertionError("the last bucket has no upper bound")
