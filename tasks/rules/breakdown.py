"""Work broken down (分解交办): the roll-up of a parent's sub-items and when the parent may close.

Pure functions over plain values (a sub-item's status, deadline in force, on-time flag).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .outcomes import AWAITING_SIGN, CLOSED_STATUSES, DONE, WAIVED, is_overdue, is_past_due

CLOSED = frozenset(CLOSED_STATUSES)


@dataclass(frozen=True)
class SubItem:
    status: str
    due_date: date | None
    completed_on_time: bool | None = None


@dataclass(frozen=True)
class Rollup:
    total: int = 0
    done: int = 0
    done_late: int = 0
    waived: int = 0
    overdue: int = 0
    awaiting_sign: int = 0

    @property
    def closed(self) -> int:
        return self.done + self.waived

    @property
    def open(self) -> int:
        return self.total - self.closed

    @property
    def all_closed(self) -> bool:
        return parent_may_close(self)


def rollup(children: Iterable[SubItem], *, today: date) -> Rollup:
    """Counts of a parent's sub-items as of ``today``: "3/12 完成, 2 逾期"."""
    total = done = done_late = waived = overdue = awaiting_sign = 0
    for c in children:
        total += 1
        if c.status == DONE:
            done += 1
            done_late += c.completed_on_time is False
        elif c.status == WAIVED:
            waived += 1
        else:
            overdue += is_overdue(status=c.status, due=c.due_date, today=today)
            awaiting_sign += c.status == AWAITING_SIGN
    return Rollup(total, done, done_late, waived, overdue, awaiting_sign)


def parent_may_close(r: Rollup) -> bool:
    """A broken-down item may be asked to close only when every sub-item is done or waived."""
    return r.closed == r.total


def child_deadline_ok(*, child_due: date | None, parent_due: date | None, today: date | None = None) -> bool:
    """A sub-item's deadline is a date no later than the parent's deadline in force (when it has one).

    A parent already past due during ``today`` (:func:`parent_past_due`) cannot lend its deadline: a part
    handed now needs a new one, from today on (a part due in the past would be overdue the day it is handed).
    """
    if child_due is None:
        return False
    if today is not None and parent_past_due(parent_due=parent_due, today=today):
        return child_due >= today
    return parent_due is None or child_due <= parent_due


def parent_past_due(*, parent_due: date | None, today: date) -> bool:
    """Whether an item's deadline in force has passed during ``today``: its parts then need a new deadline."""
    return is_past_due(due=parent_due, today=today)
