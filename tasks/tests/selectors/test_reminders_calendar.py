"""Working days from chinese-calendar, overridden by days a coordinator entered (e.g. 2027, unknown to 1.11)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tasks import workdays
from tasks.models import CalendarOverride, Reminder, ReminderSettings
from tasks.selectors.reminders import calendar_overrides, calendar_years_status, reminders_due
from tasks.services.reminders import calendar_year_set
from tasks.tests.factories import PlanFactory, UnitFactory, WorkItemFactory

pytestmark = pytest.mark.django_db

# What a coordinator would enter for 国庆 2027 once the State Council publishes it (illustrative).
NATIONAL_DAY_2027 = [(date(2027, 10, d), "国庆节") for d in range(1, 8)]
MAKE_UP_2027 = [(date(2027, 9, 26), "国庆调休"), (date(2027, 10, 9), "国庆调休")]


def test_package_knows_2023_but_not_2027_and_falls_back_to_weekends_and_fixed_holidays():
    assert workdays.calendar_known(2023)
    assert not workdays.calendar_known(2027)
    assert not workdays.is_workday(date(2027, 10, 1))  # fixed date
    assert workdays.is_workday(date(2027, 10, 4))  # a Monday: the fallback cannot know the week off
    assert workdays.calendar_source(2027) == "fallback"


def test_entered_days_override_the_package_and_the_fallback():
    calendar_year_set(year=2027, holidays=NATIONAL_DAY_2027, workdays_=MAKE_UP_2027)
    overrides = calendar_overrides()
    assert not workdays.is_workday(date(2027, 10, 4), overrides)
    assert workdays.is_workday(date(2027, 10, 9), overrides)  # a Saturday worked
    assert workdays.calendar_source(2027, overrides) == "entered"
    # Entered days win even over the package's official data.
    CalendarOverride.objects.create(day=date(2023, 10, 7), is_workday=False, name="test")
    # Written behind the service's back: remembered corrections last a short while, fresh=True reads now.
    assert workdays.is_workday(date(2023, 10, 7), calendar_overrides())
    assert not workdays.is_workday(date(2023, 10, 7), calendar_overrides(fresh=True))
    assert calendar_overrides(years=[2027]) == {d: w for d, w in overrides.items() if d.year == 2027}


def test_reminders_use_entered_days():
    plan = PlanFactory(first_year=2027, last_year=2027)
    ReminderSettings.objects.create(plan=plan, monthly_enabled=False)
    unit = UnitFactory(region=plan.region, emails="a@x.cn")
    WorkItemFactory(plan=plan, year=2027, deadline=date(2027, 10, 12), due_date=date(2027, 10, 12), lead=unit)
    # Fallback only: 3 working days before Tue 12 Oct are 11, 8, 7 Oct (Thu 7 Oct).
    assert {r.step for r in reminders_due(today=date(2027, 10, 7))} == {3}
    calendar_year_set(year=2027, holidays=NATIONAL_DAY_2027, workdays_=MAKE_UP_2027)
    # With 国庆 entered: 11, 9 (Saturday worked), 8 Oct: the 3-day reminder is on Friday 8 Oct.
    assert {r.step for r in reminders_due(today=date(2027, 10, 7))} == {7}
    due = reminders_due(today=date(2027, 10, 8))
    assert {(r.kind, r.step, r.scheduled_for) for r in due} == {(Reminder.Kind.DUE_SOON, 3, date(2027, 10, 8))}


def test_entering_a_year_replaces_it_and_refuses_inconsistent_days():
    calendar_year_set(year=2027, holidays=NATIONAL_DAY_2027, workdays_=MAKE_UP_2027)
    assert calendar_year_set(year=2027, holidays=[(date(2027, 1, 1), "元旦")], workdays_=[]) == 1
    assert list(CalendarOverride.objects.values_list("day", flat=True)) == [date(2027, 1, 1)]
    with pytest.raises(ValidationError):
        calendar_year_set(year=2027, holidays=[(date(2028, 1, 1), "元旦")], workdays_=[])
    with pytest.raises(ValidationError):
        calendar_year_set(year=2027, holidays=[(date(2027, 5, 1), "")], workdays_=[(date(2027, 5, 1), "")])
    assert list(CalendarOverride.objects.values_list("day", flat=True)) == [date(2027, 1, 1)]


def test_calendar_status_lists_the_plans_years_with_their_source():
    PlanFactory(first_year=2023, last_year=2027)
    rows = {r["year"]: r["source"] for r in calendar_years_status(today=date(2025, 3, 1))}
    assert rows == {2025: "official", 2026: "official", 2027: "fallback"}
    calendar_year_set(year=2027, holidays=NATIONAL_DAY_2027, workdays_=[])
    rows = {r["year"]: r["source"] for r in calendar_years_status(today=date(2025, 3, 1))}
    assert rows[2027] == "entered"
