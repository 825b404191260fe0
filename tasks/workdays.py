"""Working days per the official Chinese calendar (holidays and 调休 working weekends).

The ``chinese-calendar`` package knows the State Council's schedule only for the
years it was released with; for later years we fall back to weekends plus the
fixed-date holidays, and days a coordinator entered in the admin override both.
Pure functions over dates; callers pass ``overrides`` (date -> is_workday) from
``tasks.selectors.calendar.calendar_overrides()``: every count includes the coordinator's
corrections.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar

# Fixed-date statutory holidays (Gregorian): 元旦, 劳动节 (May 1-2 since 2025), 国庆 (Oct 1-3).
FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}


def calendar_known(year: int) -> bool:
    """Whether the package has the official schedule for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def package_version() -> str:
    try:
        return version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover - installed from requirements.txt
        return "?"


def calendar_source(year: int, overrides: Mapping[date, bool] | None = None) -> str:
    """Where ``year``'s working days come from: ``official`` (the package), ``entered`` (days a
    coordinator entered, on top of weekends and fixed holidays) or ``fallback`` (weekends and fixed holidays)."""
    if calendar_known(year):
        return "official"
    if overrides and any(day.year == year for day in overrides):
        return "entered"
    return "fallback"


def is_workday(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    return _official_is_workday(day)


@lru_cache(maxsize=4096)
def _official_is_workday(day: date) -> bool:
    # Cached: the package validates its argument on every call, which dominates long scans.
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def workdays_between(start: date, end: date, overrides: Mapping[date, bool] | None = None) -> int:
    """Working days after ``start`` up to and including ``end``; negative when end < start."""
    if end == start:
        return 0
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_workday(day, overrides)
        day += timedelta(days=1)
    return sign * count


def add_workdays(day: date, n: int, overrides: Mapping[date, bool] | None = None) -> date:
    """The date ``n`` working days after (n > 0) or before (n < 0) ``day``."""
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if is_workday(day, overrides):
            remaining -= 1
    return day


def previous_workday(day: date, overrides: Mapping[date, bool] | None = None) -> date:
    """``day`` itself when it is a working day, else the last working day before it."""
    while not is_workday(day, overrides):
        day -= timedelta(days=1)
    return day
