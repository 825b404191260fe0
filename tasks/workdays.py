"""Working days per the official Chinese calendar (holidays and 调休 working weekends).

The ``chinese-calendar`` package knows the State Council's schedule only for the
years it was released with; for later years we fall back to weekends plus the
fixed-date holidays, and days a coordinator entered in the admin override both.
Pure functions over dates; callers pass ``overrides`` (date -> is_workday) from
``tasks.selectors.calendar.calendar_overrides()``: every count includes the coordinator's
corrections.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
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


# ---- dates people may enter ----------------------------------------------------------------------------

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)  # any date typed without a plan to bound it (a filter, an API query, the admin)
YEARS_AFTER_PLAN = 2


def date_bounds(last_year: int | None) -> tuple[date, date]:
    """The range a deadline, an extension or an imported date may take: 2000-01-01 to 31 December of
    the plan's last year plus two (a plan's work may run late, but not for centuries)."""
    year = min(max(last_year or EARLIEST_DATE.year, EARLIEST_DATE.year), 9997)
    return EARLIEST_DATE, date(year + YEARS_AFTER_PLAN, 12, 31)


def input_bounds(last_year: int | None = None) -> tuple[date, date]:
    """The range a typed date may take: the plan's (``date_bounds``) when there is one, else 2000-2100."""
    return date_bounds(last_year) if last_year is not None else (EARLIEST_DATE, LATEST_DATE)


def date_in_bounds(day: date, last_year: int | None) -> bool:
    low, high = date_bounds(last_year)
    return low <= day <= high


# ---- working days -------------------------------------------------------------------------------------


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


def _weekdays_through(ordinal: int) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday, ordinal 1) through the day ``ordinal``."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


@lru_cache(maxsize=1)
def _package_exceptions() -> tuple[list[date], dict[date, bool], int, int]:
    """Days the official schedule differs from Monday-to-Friday (weekday holidays, 调休 weekends),
    sorted, and the years it covers."""
    from chinese_calendar.constants import holidays, workdays

    diff = {d: False for d in holidays if d.weekday() < 5}
    diff.update({d: True for d in workdays if d.weekday() >= 5})
    years = [d.year for d in holidays]
    return sorted(diff), diff, min(years), max(years)


def _exceptions(start: date, end: date, overrides: Mapping[date, bool] | None) -> dict[date, bool]:
    """Every day in ``start..end`` whose working status differs from Monday-to-Friday, with that status.

    Cost grows with the holidays and overrides in range, not with the number of days."""
    days, diff, first_known, last_known = _package_exceptions()
    out: dict[date, bool] = {}
    lo, hi = bisect_left(days, start), bisect_right(days, end)
    for day in days[lo:hi]:
        out[day] = diff[day]
    for year in range(start.year, end.year + 1):
        if first_known <= year <= last_known:
            continue
        for month, dom in FIXED_HOLIDAYS:
            day = date(year, month, dom)
            if start <= day <= end and day.weekday() < 5:
                out[day] = False
    for day, working in (overrides or {}).items():
        if start <= day <= end:
            if working == (day.weekday() < 5):
                out.pop(day, None)
            else:
                out[day] = working
    return out


def _workdays_in(start: date, end: date, overrides: Mapping[date, bool] | None) -> int:
    """Working days in ``start..end`` inclusive (0 when end < start)."""
    if end < start:
        return 0
    count = _weekdays_through(end.toordinal()) - _weekdays_through(start.toordinal() - 1)
    return count + sum(1 if working else -1 for working in _exceptions(start, end, overrides).values())


def workdays_between(start: date, end: date, overrides: Mapping[date, bool] | None = None) -> int:
    """Working days after ``start`` up to and including ``end``; negative when end < start."""
    if end == start:
        return 0
    if end < start:
        return -workdays_between(end, start, overrides)
    return _workdays_in(start + timedelta(days=1), end, overrides)


def add_workdays(day: date, n: int, overrides: Mapping[date, bool] | None = None) -> date:
    """The date ``n`` working days after (n > 0) or before (n < 0) ``day``.

    Binary search on the arithmetic count above: a few dozen counts, whatever ``n``."""
    if n == 0:
        return day
    forward, need = n > 0, abs(n)

    def reached(other: date) -> int:  # working days strictly between day and other, plus other itself
        if forward:
            return _workdays_in(day + timedelta(days=1), other, overrides)
        return _workdays_in(other, day - timedelta(days=1), overrides)

    # Real calendars have far more than one working day in two; the window widens if overrides close more.
    span = 2 * need + 60
    while True:
        try:
            limit = day + timedelta(days=span) if forward else day - timedelta(days=span)
        except OverflowError:
            limit = date.max if forward else date.min
        if reached(limit) >= need:
            break
        if limit in (date.max, date.min):
            raise OverflowError("no such working day in the calendar")
        span *= 2
    lo, hi = (day, limit) if forward else (limit, day)
    while lo < hi:  # the nearest date to ``day`` that reaches ``need``
        if forward:
            mid = lo + (hi - lo) // 2
            if reached(mid) >= need:
                hi = mid
            else:
                lo = mid + timedelta(days=1)
        else:
            mid = hi - (hi - lo) // 2
            if reached(mid) >= need:
                lo = mid
            else:
                hi = mid - timedelta(days=1)
    return lo


def previous_workday(day: date, overrides: Mapping[date, bool] | None = None) -> date:
    """``day`` itself when it is a working day, else the last working day before it."""
    while not is_workday(day, overrides):
        day -= timedelta(days=1)
    return day
