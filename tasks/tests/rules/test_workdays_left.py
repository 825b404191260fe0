"""``rules.deadlines.workdays_left``: the one count of working days left that pages, 督办单 and emails show."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tasks.models import CalendarOverride, Reminder, WorkItem
from tasks.rules.deadlines import calendar_years, workdays_left
from tasks.rules.notices import BLUE, Thresholds
from tasks.selectors.calendar import calendar_overrides, forget_calendar_overrides
from tasks.selectors.notices import item_colours
from tasks.services.reminders import digest_context
from tasks.tests.daily_setup import login, make_world
from tasks.workdays import is_workday

FRI, SAT, SUN, MON = date(2024, 11, 1), date(2024, 11, 2), date(2024, 11, 3), date(2024, 11, 4)


def test_no_deadline_is_none():
    assert workdays_left(today=FRI, due=None) is None


def test_due_today_is_zero():
    assert workdays_left(today=MON, due=MON) == 0


def test_weekends_are_not_counted():
    assert workdays_left(today=FRI, due=MON) == 1
    assert workdays_left(today=FRI, due=SUN) == 0  # only days off left
    assert workdays_left(today=FRI, due=date(2024, 11, 8)) == 5
    assert workdays_left(today=FRI, due=date(2024, 11, 15)) == 10


def test_the_official_holidays_and_tiaoxiu_working_weekends_count():
    # 国庆 2024: 1-7 October off; Sunday 29 September and Saturday 12 October are working days.
    assert workdays_left(today=date(2024, 9, 28), due=date(2024, 9, 30)) == 2  # Sun 29 (调休) + Mon 30
    assert workdays_left(today=date(2024, 9, 30), due=date(2024, 10, 7)) == 0
    assert workdays_left(today=date(2024, 9, 30), due=date(2024, 10, 12)) == 5  # 8, 9, 10, 11, Sat 12


def test_the_coordinators_corrections_override_the_calendar():
    overrides = {SAT: True, MON: False}  # a make-up Saturday, a holiday Monday
    assert workdays_left(today=FRI, due=MON, overrides=overrides) == 1  # the Saturday only
    assert workdays_left(today=FRI, due=date(2024, 11, 5), overrides=overrides) == 2
    assert workdays_left(today=FRI, due=date(2024, 11, 5)) == 2  # Monday and Tuesday without them


def test_years_the_package_does_not_know_fall_back_to_weekends_and_fixed_holidays_plus_the_corrections():
    # 2099: 1-3 October (Thursday to Saturday) are fixed holidays.
    assert workdays_left(today=date(2099, 9, 30), due=date(2099, 10, 5)) == 1  # Monday 5 only
    assert workdays_left(today=date(2099, 9, 30), due=date(2099, 10, 5), overrides={date(2099, 10, 4): True}) == 2


def test_past_the_deadline_it_is_minus_the_working_days_since():
    assert workdays_left(today=MON, due=FRI) == -1
    assert workdays_left(today=date(2024, 11, 8), due=FRI) == -5
    assert workdays_left(today=SAT, due=FRI) == 0  # no working day has gone by yet
    assert workdays_left(today=date(2024, 10, 8), due=date(2024, 9, 30)) == -1  # the holiday week is not counted
    assert workdays_left(today=MON, due=FRI, overrides={MON: False}) == 0


def test_the_sign_is_the_same_both_ways():
    for due in (date(2024, 10, 20), date(2024, 11, 20), date(2025, 2, 3)):
        assert workdays_left(today=FRI, due=due) == -workdays_left(today=due, due=FRI)


def test_calendar_years_spans_every_year_between_today_and_the_deadlines():
    assert calendar_years(date(2026, 12, 1)) == range(2026, 2027)
    assert calendar_years(date(2026, 12, 1), None, date(2028, 1, 5)) == range(2026, 2029)
    assert calendar_years(date(2026, 12, 1), date(2025, 3, 1)) == range(2025, 2027)


@pytest.mark.django_db
def test_the_item_page_the_notices_and_the_digest_count_the_same_with_every_years_corrections(client):
    """A deadline two years ahead, with a holiday entered in each year between: all three call sites count both."""
    w = make_world(timezone.localdate())
    today = w.today
    due = date(today.year + 2, 6, 30)
    WorkItem.objects.filter(pk=w.item.pk).update(due_date=due, deadline=due, progress=0)
    w.item.refresh_from_db()
    for year in (today.year + 1, today.year + 2):
        day = next(d for d in (date(year, 3, 2) + timedelta(days=i) for i in range(14)) if is_workday(d))
        CalendarOverride.objects.create(day=day, is_workday=False, name="test")
    forget_calendar_overrides()
    left = workdays_left(today=today, due=due, overrides=calendar_overrides())
    assert left == workdays_left(today=today, due=due) - 2

    page = login(client, w.lead_user).get(w.item.get_absolute_url())
    assert page.context["workdays_left"] == left

    assert item_colours([w.item], today=today, thresholds=Thresholds(blue_days=left))[w.item.pk] == BLUE
    assert item_colours([w.item], today=today, thresholds=Thresholds(blue_days=left - 1))[w.item.pk] is None

    reminder = Reminder(work_item=w.item, kind=Reminder.Kind.MONTHLY, email="jsj@example.cn")
    digest = digest_context(email="jsj@example.cn", reminders=[reminder], today=today)
    [entry] = digest["plans"][0]["sections"][0]["items"]
    assert entry["note"] == f"还有 {left} 个工作日"
