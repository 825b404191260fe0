"""``rules.reminders``: when reminders go out around a deadline, for signing and each month."""

from dataclasses import replace
from datetime import date

from tasks.models import ReminderSettings
from tasks.rules.reminders import (
    Schedule,
    Stages,
    deadline_stages,
    due_soon_horizon,
    monthly_send_day,
    repeat_stage,
    sign_stage,
)

DUE = date(2024, 11, 15)  # a Friday, in a month without holidays
PLAIN = Schedule()


def stages(today, schedule=PLAIN, overrides=None, due=DUE):
    return deadline_stages(due=due, today=today, schedule=schedule, overrides=overrides or {})


def test_the_schedule_is_the_settings_as_plain_values():
    assert Schedule.of(ReminderSettings()) == PLAIN  # the model's defaults
    row = ReminderSettings(lead_times="5, 10", overdue_repeat_days=3, escalate_leader=False, monthly_day=20)
    assert Schedule.of(row) == replace(PLAIN, lead_times=(10, 5), overdue_repeat_days=3, escalate_leader=False,
                                       monthly_day=20)


def test_due_soon_goes_out_the_lead_times_in_working_days_before_by_window():
    assert stages(date(2024, 11, 5)) == Stages()
    assert stages(date(2024, 11, 6)) == Stages(due_soon=(7, date(2024, 11, 6)))
    # A missed day is made up: on the 13th the current stage is the one of the 12th.
    assert stages(date(2024, 11, 13)) == Stages(due_soon=(3, date(2024, 11, 12)))
    assert stages(DUE).due_soon == (1, date(2024, 11, 14))
    assert stages(date(2024, 11, 13), replace(PLAIN, due_soon_enabled=False)) == Stages()


def test_the_coordinators_corrections_move_the_send_days():
    # A holiday Wednesday: seven working days before the Friday is now the Tuesday.
    assert stages(date(2024, 11, 5), overrides={date(2024, 11, 13): False}).due_soon == (7, date(2024, 11, 5))


def test_overdue_from_the_first_working_day_after_the_deadline_then_weekly_and_escalated():
    assert stages(date(2024, 11, 16)) == Stages()  # Saturday: the first overdue working day is Monday
    assert stages(date(2024, 11, 18)) == Stages(overdue=(0, date(2024, 11, 18)), coordinator=date(2024, 11, 18))
    assert stages(date(2024, 11, 25)).overdue == (1, date(2024, 11, 25))
    assert stages(date(2024, 11, 28)).leader is None
    assert stages(date(2024, 11, 29)).leader == date(2024, 11, 29)  # 14 calendar days after the deadline
    quiet = replace(PLAIN, overdue_enabled=False, escalate_coordinators=False, escalate_leader=False)
    assert stages(date(2024, 12, 20), quiet) == Stages()


def test_a_repeat_that_falls_on_a_day_off_goes_out_the_working_day_before():
    off = {date(2024, 11, 25): False}
    assert repeat_stage(first=date(2024, 11, 18), today=date(2024, 11, 22), every_days=7, overrides=off) == (
        1, date(2024, 11, 22))
    assert repeat_stage(first=date(2024, 11, 18), today=date(2024, 11, 22), every_days=7, overrides={}) == (
        0, date(2024, 11, 18))


def test_an_unsigned_sub_item_is_chased_after_its_sign_by_day():
    handed = date(2024, 11, 1)  # Friday: sign by Tuesday the 5th (two working days)
    assert sign_stage(handed_on=handed, today=date(2024, 11, 5), schedule=PLAIN, overrides={}) is None
    assert sign_stage(handed_on=handed, today=date(2024, 11, 6), schedule=PLAIN, overrides={}) == (
        date(2024, 11, 5), 0, date(2024, 11, 6))
    assert sign_stage(handed_on=handed, today=date(2024, 11, 13), schedule=PLAIN, overrides={}) == (
        date(2024, 11, 5), 1, date(2024, 11, 13))
    assert sign_stage(handed_on=handed, today=date(2024, 11, 6), schedule=replace(PLAIN, sign_enabled=False),
                      overrides={}) is None


def test_the_monthly_request_moves_off_a_weekend_and_the_horizon_covers_the_longest_lead_time():
    assert monthly_send_day(today=date(2024, 5, 3), schedule=PLAIN, overrides={}) == date(2024, 5, 24)  # 25th: Sat
    assert monthly_send_day(today=date(2024, 6, 3), schedule=PLAIN, overrides={}) == date(2024, 6, 25)
    assert due_soon_horizon(date(2024, 11, 1), [7, 3, 1], {}) == date(2024, 11, 13)
    assert due_soon_horizon(date(2024, 11, 1), [], {}) == date(2024, 11, 4)
