"""Quiet hours and days off: when the outbox may deliver a message to a person.

Nobody is messaged outside the working window (``NOTIFY_WORKING_HOURS``, default 08:30-18:00, in the
site's time zone) nor on a day off of the official calendar (``tasks.workdays`` with the coordinator's
corrections), unless ``NOTIFY_QUIET_DAYS_OFF`` is off. A message queued or due in a quiet time waits,
never dropped, until the window opens; an urgent one (a 红色督办单 the coordinator marked urgent, a test
message) goes at once.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tasks.selectors.calendar import calendar_overrides
from tasks.workdays import is_workday

ALWAYS = {"", "always", "0", "off", "none", "00:00-24:00"}


@lru_cache(maxsize=8)
def _parse(text: str) -> tuple[time, time] | None:
    text = (text or "").strip().lower()
    if text in ALWAYS:
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.replace("–", "-").split("-"))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"NOTIFY_WORKING_HOURS={text!r}: expected HH:MM-HH:MM (e.g. 08:30-18:00) or 'always'"
        ) from exc
    if start >= end:
        raise ImproperlyConfigured(f"NOTIFY_WORKING_HOURS={text!r}: the window must start before it ends")
    return start, end


def working_hours() -> tuple[time, time] | None:
    """The daily window (start, end), or None when messages go at any hour."""
    return _parse(getattr(settings, "NOTIFY_WORKING_HOURS", ""))


def _day_open(day, overrides) -> bool:
    return not getattr(settings, "NOTIFY_QUIET_DAYS_OFF", True) or is_workday(day, overrides)


def is_quiet(at: datetime) -> bool:
    """Whether ``at`` falls outside the working window or on a day off."""
    return next_opening(at) != at


def next_opening(at: datetime) -> datetime:
    """``at`` itself when the window is open then, else the moment it next opens (aware, site time zone)."""
    window = working_hours()
    quiet_days = getattr(settings, "NOTIFY_QUIET_DAYS_OFF", True)
    if window is None and not quiet_days:
        return at
    start, end = window or (time(0), time(23, 59, 59, 999999))
    tz = timezone.get_default_timezone()
    local = timezone.localtime(at, tz)
    overrides = calendar_overrides(years={local.year, local.year + 1})
    day = local.date()
    if _day_open(day, overrides) and start <= local.time() < end or (window is None and _day_open(day, overrides)):
        return at
    if local.time() >= start:  # past today's opening (or today is off): the next open day
        day += timedelta(days=1)
    for _n in range(400):  # a year of days off is a configuration error, not a loop forever
        if _day_open(day, overrides if day.year <= local.year + 1 else calendar_overrides(years={day.year})):
            return timezone.make_aware(datetime.combine(day, start), tz)
        day += timedelta(days=1)
    raise ImproperlyConfigured("no working day within a year: check the calendar corrections")
