"""The deadline in force and whether it was extended.

A work item keeps the deadline the plan gave it (``deadline``, as parsed from the document) and
the deadline in force (``due_date``). Only a granted extension moves the deadline in force away
from the plan's; a re-import that changes the plan's deadline moves both (and says so in the
history as ``deadline_reimported``, which is not an extension).

Days *left* before a deadline are working days (:func:`workdays_left`, the one count pages, 督办单
and reminder emails show); days *late* are calendar days (``outcomes.days_overdue``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from tasks.workdays import workdays_between


def deadline_in_force(*, deadline: date | None, due_date: date | None) -> date | None:
    """The date the item is judged against."""
    return due_date if due_date is not None else deadline


def is_extended(*, deadline: date | None, due_date: date | None) -> bool:
    """Whether the deadline in force differs from the plan's (an extension was granted)."""
    return deadline is not None and due_date is not None and due_date != deadline


def reimported_due_date(*, old_deadline: date | None, old_due: date | None, new_deadline: date | None) -> date | None:
    """The deadline in force after a re-import sets the plan's deadline to ``new_deadline``.

    An extended item keeps the date the coordinator granted; an item that was not extended (or
    had no date yet) follows the plan.
    """
    if is_extended(deadline=old_deadline, due_date=old_due):
        return old_due
    return new_deadline if new_deadline is not None else old_due


def workdays_left(*, today: date, due: date | None, overrides: Mapping[date, bool] | None = None) -> int | None:
    """Working days from ``today`` to the deadline ``due``, with the coordinator's calendar corrections.

    None without a deadline; 0 on the deadline itself (and when only days off are left); the working
    days after today up to and including ``due`` before it; minus the working days since, after it.
    """
    if due is None:
        return None
    return workdays_between(today, due, overrides)


def calendar_years(today: date, *dues: date | None) -> range:
    """The years whose calendar corrections a count from ``today`` to each of ``dues`` needs."""
    years = [today.year, *(d.year for d in dues if d is not None)]
    return range(min(years), max(years) + 1)
