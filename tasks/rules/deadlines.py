"""The deadline in force and whether it was extended.

A work item keeps the deadline the plan gave it (``deadline``, as parsed from the document) and
the deadline in force (``due_date``). Only a granted extension moves the deadline in force away
from the plan's; a re-import that changes the plan's deadline moves both (and says so in the
history as ``deadline_reimported``, which is not an extension).
"""

from __future__ import annotations

from datetime import date


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
