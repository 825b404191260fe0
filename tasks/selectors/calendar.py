"""The coordinator's calendar corrections (节假日调整), for every working-day count.

``tasks.workdays`` does the arithmetic over the official calendar; every caller passes it these
overrides, so pages, reminders and roundups count the same working days. The corrections are few
and change rarely, while a page may ask several times, so they are kept in memory for a short
while; writes (``services.calendar``) forget them at once in this process, other processes within
``TTL_SECONDS``. The daily reminder scan reads them fresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import date

from tasks.models import CalendarOverride

TTL_SECONDS = 30.0
_lock = threading.Lock()
_memo: dict = {"at": 0.0, "days": None}


def _all_days(fresh: bool) -> dict[date, bool]:
    with _lock:
        days, at = _memo["days"], _memo["at"]
        if fresh or days is None or time.monotonic() - at > TTL_SECONDS:
            days = dict(CalendarOverride.objects.values_list("day", "is_workday"))
            _memo.update(days=days, at=time.monotonic())
        return days


def calendar_overrides(*, years: Iterable[int] | None = None, fresh: bool = False) -> dict[date, bool]:
    """Days a coordinator entered (date -> is_workday), for ``years`` or all."""
    days = _all_days(fresh)
    if years is None:
        return dict(days)
    wanted = set(years)
    return {day: work for day, work in days.items() if day.year in wanted}


def forget_calendar_overrides() -> None:
    """Drop the remembered corrections (after a write, and between tests)."""
    with _lock:
        _memo.update(days=None, at=0.0)
