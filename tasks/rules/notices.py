"""Which colour of 督办单 an item calls for: pure functions over plain values.

The office's practice, with the thresholds from the plan's settings (defaults in brackets):

- red: the item is overdue (open past its deadline in force: ``WorkItem.is_overdue``);
- yellow: its progress is more than ``yellow_gap`` (20) points behind the share of time elapsed since its
  start (序时进度; the start is the item's creation or 1 January of its year, whichever is later), or it was
  returned ``yellow_returns`` (2) times or more;
- blue: ``blue_days`` (5) working days or fewer are left and progress is under ``blue_progress`` (50) %.

The strongest colour that applies wins. Working days come from ``tasks.workdays`` (the caller counts them).
Progress is the item's as the rest of the app shows it (``rules.progress``): an open item at 100 % (reopened
by a 不满意 rating, returned, or reported 100 % before closing) is not complete and counts as no progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tasks.rules.progress import shown_progress

BLUE, YELLOW, RED = "blue", "yellow", "red"
ORDER = {BLUE: 1, YELLOW: 2, RED: 3}


@dataclass(frozen=True)
class Thresholds:
    blue_days: int = 5
    blue_progress: int = 50
    yellow_gap: int = 20
    yellow_returns: int = 2

    @classmethod
    def of(cls, rules) -> Thresholds:
        """From a ``RoundupSettings`` row (or anything with the ``notice_*`` attributes)."""
        return cls(blue_days=rules.notice_blue_days, blue_progress=rules.notice_blue_progress,
                   yellow_gap=rules.notice_yellow_gap, yellow_returns=rules.notice_yellow_returns)


def item_start(*, created: date, year: int) -> date:
    """序时进度 counts from the item's creation or 1 January of its year, whichever is later."""
    return max(created, date(year, 1, 1))


def time_elapsed_percent(*, start: date, due: date, today: date) -> float:
    """The share of the item's time gone by ``today``, 0..100 (calendar days)."""
    if due <= start:
        return 100.0 if today >= due else 0.0
    share = (today - start).days / (due - start).days
    return max(0.0, min(1.0, share)) * 100


def notice_colour(
    *,
    today: date,
    overdue: bool,
    due: date | None,
    start: date,
    status: str,
    progress: int,
    returns: int,
    workdays_left: int | None,
    thresholds: Thresholds = Thresholds(),
) -> str | None:
    """The colour an open item (``status``, ``progress`` on record) calls for, or None."""
    progress = shown_progress(status=status, progress=progress).counted
    if overdue:
        return RED
    if thresholds.yellow_returns and returns >= thresholds.yellow_returns:
        return YELLOW
    if due is None:
        return None
    if progress < time_elapsed_percent(start=start, due=due, today=today) - thresholds.yellow_gap:
        return YELLOW
    if workdays_left is not None and workdays_left <= thresholds.blue_days and progress < thresholds.blue_progress:
        return BLUE
    return None


def strongest(colours) -> str | None:
    found = [c for c in colours if c]
    return max(found, key=ORDER.__getitem__) if found else None


def escalated(colour: str) -> str:
    """The colour a notice goes up to when unanswered at its reply deadline (red stays red)."""
    return {BLUE: YELLOW, YELLOW: RED}.get(colour, RED)
