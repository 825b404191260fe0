"""When reminders go out: the schedule around a deadline, the sign-for chase and the monthly request.

Pure functions over dates and a plan's :class:`Schedule` (its ``ReminderSettings`` as plain values);
``selectors.reminders`` loads the items and recipients and asks these which stage is current.

Everything is judged *by window*: the current stage is the latest whose send date is on or before
today, so a day the scan missed is made up by the next run. A send date that falls on a day off
moves to the working day before (``tasks.workdays``, with the coordinator's calendar corrections).

- due soon: ``lead_times`` working days before the deadline (7, 3, 1), to the lead unit, and to each
  supporting unit whose own part is still open (``rules.support.part_is_chased``) when the plan chases
  parts (``notify_supporting``);
- overdue: from the first working day after the deadline, repeated every ``overdue_repeat_days``
  calendar days (step = week number), to the lead unit and the open parts' units alike; escalated to
  the plan's coordinators on the first overdue day and to the unit's leader ``leader_after_days``
  calendar days after the deadline (each chased unit's own leader);
- sign: a sub-item not signed for within ``sign_within_days`` working days of being handed over is
  chased like an overdue item;
- monthly: on ``monthly_day`` of each month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from tasks import workdays


@dataclass(frozen=True)
class Schedule:
    """A plan's reminder settings as plain values (defaults: the model's)."""

    lead_times: tuple[int, ...] = (7, 3, 1)  # working days before the deadline, largest first
    due_soon_enabled: bool = True
    overdue_enabled: bool = True
    overdue_repeat_days: int = 7
    escalate_coordinators: bool = True
    escalate_leader: bool = True
    leader_after_days: int = 14
    monthly_day: int = 25
    sign_enabled: bool = True
    sign_within_days: int = 2

    @classmethod
    def of(cls, settings) -> Schedule:
        """From a ``ReminderSettings`` row (or anything with its attributes)."""
        return cls(
            lead_times=tuple(settings.lead_time_list), due_soon_enabled=settings.due_soon_enabled,
            overdue_enabled=settings.overdue_enabled, overdue_repeat_days=settings.overdue_repeat_days,
            escalate_coordinators=settings.escalate_coordinators, escalate_leader=settings.escalate_leader,
            leader_after_days=settings.leader_after_days, monthly_day=settings.monthly_day,
            sign_enabled=settings.sign_enabled, sign_within_days=settings.sign_within_days,
        )


@dataclass(frozen=True)
class Stages:
    """What is current on ``today`` for one deadline under one plan's schedule: (step, send date) pairs."""

    due_soon: tuple[int, date] | None = None  # the current stage (lead and open supporting parts alike)
    overdue: tuple[int, date] | None = None  # week number, send date
    coordinator: date | None = None
    leader: date | None = None


def deadline_stages(*, due: date, today: date, schedule: Schedule, overrides: Mapping[date, bool]) -> Stages:
    """The current stages for an open item due on ``due``, by window: send date <= today.

    A reminder whose nominal day is a day off goes out on the working day before.
    """
    s = schedule
    if due >= today:
        if not s.due_soon_enabled:
            return Stages()
        sends = [(lead, workdays.add_workdays(due, -lead, overrides)) for lead in s.lead_times]
        current = [(lead, day) for lead, day in sends if day <= today]
        if not current:
            return Stages()
        return Stages(due_soon=current[-1])
    first_overdue = workdays.add_workdays(due, 1, overrides)
    if first_overdue > today:
        return Stages()
    overdue = coordinator = leader = None
    if s.overdue_enabled:
        overdue = repeat_stage(first=first_overdue, today=today, every_days=s.overdue_repeat_days, overrides=overrides)
    if s.escalate_coordinators:
        coordinator = first_overdue
    if s.escalate_leader:
        day = max(first_overdue, workdays.previous_workday(due + timedelta(days=s.leader_after_days), overrides))
        leader = day if day <= today else None
    return Stages(overdue=overdue, coordinator=coordinator, leader=leader)


def repeat_stage(*, first: date, today: date, every_days: int, overrides: Mapping[date, bool]) -> tuple[int, date]:
    """(week number, send date) of a notice repeated every ``every_days`` from ``first`` (<= today)."""
    every = timedelta(days=every_days)
    week = (today - first) // every
    # The next notice may already be due when its day is a day off moved earlier.
    if workdays.previous_workday(first + (week + 1) * every, overrides) <= today:
        week += 1
    day = first if week == 0 else workdays.previous_workday(first + week * every, overrides)
    return week, max(day, first)


def sign_due_day(*, handed_on: date, schedule: Schedule, overrides: Mapping[date, bool]) -> date:
    """The last day to sign for a sub-item handed over on ``handed_on``: N working days later."""
    return workdays.add_workdays(handed_on, schedule.sign_within_days, overrides)


def sign_stage(
    *, handed_on: date, today: date, schedule: Schedule, overrides: Mapping[date, bool]
) -> tuple[date, int, date] | None:
    """(sign-by day, week number, send date) when an unsigned sub-item is due a chase on ``today``, by window.

    Chased from the first working day after the sign-by day, then every ``overdue_repeat_days``.
    """
    if not schedule.sign_enabled:
        return None
    due = sign_due_day(handed_on=handed_on, schedule=schedule, overrides=overrides)
    first = workdays.add_workdays(due, 1, overrides)
    if first > today:
        return None
    week, day = repeat_stage(first=first, today=today, every_days=schedule.overdue_repeat_days, overrides=overrides)
    return due, week, day


def monthly_send_day(*, today: date, schedule: Schedule, overrides: Mapping[date, bool]) -> date:
    """This month's progress-request day, moved to the working day before when it is a day off."""
    return workdays.previous_workday(today.replace(day=schedule.monthly_day), overrides)


def due_soon_horizon(today: date, lead_times: Iterable[int], overrides: Mapping[date, bool]) -> date:
    """An item due after this date has no due-soon stage yet (its earliest send day is after today)."""
    return workdays.add_workdays(today, max(lead_times, default=0) + 1, overrides)
