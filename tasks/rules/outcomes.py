"""An item's outcome as of a day, "overdue", days late, and the rates built from outcomes.

One cut-off for everything: an outcome is judged **at the close of** a day. A day is over at
its end, so on date D an item due D is not yet overdue: the live pages judge "now" as the close
of yesterday (:func:`live_as_of`), and a roundup or the API as the close of its last day.

- not due: no deadline (recurring work), or a deadline after the cut-off (even if already done:
  work done early is counted when its deadline comes, so a period counts each item once);
- done on time / done late: done by the cut-off, judged against the deadline in force when it
  was done;
- waived: a broken-down part the coordinator released is not counted at all;
- history: an item already past due when its plan was imported, kept for the record at the
  coordinator's choice (``past_due_cut``): not counted in any rate or ranking, never chased;
- awaiting review: the lead asked to close and the coordinator has not decided. It is *not*
  overdue and is not chased: the unit has done its part;
- overdue: past its deadline and neither done nor awaiting review.
"""

from __future__ import annotations

from datetime import date, timedelta

# Work item statuses (the values of WorkItem.Status; repeated here so rules import no models).
AWAITING_SIGN, NOT_STARTED, IN_PROGRESS, AWAITING_REVIEW, RETURNED, DONE, WAIVED, HISTORY = (
    "awaiting_sign", "not_started", "in_progress", "awaiting_review", "returned", "done", "waived", "history",
)
STATUSES = (AWAITING_SIGN, NOT_STARTED, IN_PROGRESS, AWAITING_REVIEW, RETURNED, DONE, WAIVED, HISTORY)
# Done, waived by the coordinator (a broken-down part that is no longer needed), or kept as history.
CLOSED_STATUSES = (DONE, WAIVED, HISTORY)
# Closed without being done and counted nowhere: no outcome, no rate, no rank, no reminder, no 督办单.
UNCOUNTED_STATUSES = (WAIVED, HISTORY)
OPEN_STATUSES = (AWAITING_SIGN, NOT_STARTED, IN_PROGRESS, AWAITING_REVIEW, RETURNED)
# Open and still the unit's move: what can be overdue and is chased.
CHASED_STATUSES = (AWAITING_SIGN, NOT_STARTED, IN_PROGRESS, RETURNED)

# Outcomes.
NOT_DUE = "none"
DONE_ON_TIME = "done_on_time"
DONE_LATE = "done_late"
OVERDUE = "overdue"
# AWAITING_REVIEW doubles as the outcome name ("awaiting_review").
OUTCOMES = (DONE_ON_TIME, DONE_LATE, AWAITING_REVIEW, OVERDUE)


def live_as_of(today: date) -> date:
    """The cut-off the live pages judge by: the close of yesterday (today is not over)."""
    return today - timedelta(days=1)


def item_outcome(*, status: str, due: date | None, on_time: bool | None, as_of: date) -> str:
    """The outcome of one item at the close of ``as_of`` (``status`` as it stood then).

    A waived item (a broken-down part the coordinator released) is no longer anyone's work, and an item
    kept as history (past due when its plan was imported) never was: not due.
    """
    if due is None or due > as_of or status in UNCOUNTED_STATUSES:
        return NOT_DUE
    if status == DONE:
        return DONE_ON_TIME if on_time else DONE_LATE
    if status == AWAITING_REVIEW:
        return AWAITING_REVIEW
    return OVERDUE


def is_overdue(*, status: str, due: date | None, today: date) -> bool:
    """Whether an item is overdue now (during ``today``)."""
    return item_outcome(status=status, due=due, on_time=None, as_of=live_as_of(today)) == OVERDUE


def is_chased(status: str) -> bool:
    """Whether reminders and "remind now" may chase an item in this status."""
    return status in CHASED_STATUSES


def days_overdue(*, due: date, today: date) -> int:
    """Calendar days an item is late during ``today`` (1 on the day after its deadline).

    Overdue time is always counted in calendar days (pages, emails, exports, roundups);
    days *left* before a deadline are working days (``tasks.workdays``).
    """
    return (today - due).days


def done_on_time(*, done_on: date, due: date | None) -> bool:
    """Whether work done on local date ``done_on`` met the deadline in force ``due``."""
    return due is None or done_on <= due


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` to four places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def empty_counts() -> dict:
    return {"due": 0, "done_on_time": 0, "done_late": 0, "overdue": 0, "awaiting_review": 0}


def finish_counts(counts: dict) -> dict:
    """Fill ``due`` (every outcome but not-due) and ``on_time_rate`` = done on time / due."""
    counts["due"] = sum(counts[o] for o in OUTCOMES)
    counts["on_time_rate"] = rate(counts["done_on_time"], counts["due"])
    return counts


def count_outcomes(outcomes) -> dict:
    """Counts by outcome of an iterable of outcomes, finished with ``due`` and ``on_time_rate``."""
    counts = empty_counts()
    for outcome in outcomes:
        if outcome != NOT_DUE:
            counts[outcome] += 1
    return finish_counts(counts)


# What an import does with work items already past due (the preview's choice, ``import_plan --past-due``).
PAST_DUE_TRACK = "track"  # track them all: they are overdue from the first day
PAST_DUE_HISTORY = "history"  # keep those due before today as history
PAST_DUE_FROM = "from"  # track only those due from a chosen day; the earlier ones are kept as history
PAST_DUE_CHOICES = (PAST_DUE_TRACK, PAST_DUE_HISTORY, PAST_DUE_FROM)


def past_due_cut(*, choice: str, today: date, track_from: date | None = None) -> date | None:
    """The first deadline an import tracks: an item due before it is kept as history (None: track all).

    "Already past due" is the live pages' judgement: due before today (an item due today is not overdue yet).
    """
    if choice == PAST_DUE_TRACK:
        return None
    if choice == PAST_DUE_HISTORY:
        return today
    if choice == PAST_DUE_FROM:
        if track_from is None:
            raise ValueError("track_from is required")
        return track_from
    raise ValueError(choice)


def kept_as_history(*, due: date | None, cut: date | None) -> bool:
    """Whether an imported item due ``due`` is kept as history under the cut :func:`past_due_cut` gave."""
    return cut is not None and due is not None and due < cut


def is_past_due(*, due: date | None, today: date) -> bool:
    """Whether a deadline has passed during ``today`` (an open item due then would be overdue)."""
    return due is not None and due <= live_as_of(today)
