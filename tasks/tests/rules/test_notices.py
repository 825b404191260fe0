from datetime import date

from tasks.rules.notices import (
    BLUE,
    RED,
    YELLOW,
    Thresholds,
    escalated,
    item_start,
    notice_colour,
    strongest,
    time_elapsed_percent,
)

TODAY = date(2026, 6, 1)


def colour(**kw):
    values = dict(today=TODAY, overdue=False, due=date(2026, 6, 30), start=date(2026, 1, 1), status="in_progress",
                  progress=90,
                  returns=0, workdays_left=20)
    values.update(kw)
    return notice_colour(**values)


def test_overdue_is_red_whatever_the_progress():
    assert colour(overdue=True, progress=99) == RED


def test_returned_twice_is_yellow():
    assert colour(returns=2) == YELLOW
    assert colour(returns=1) is None


def test_more_than_20_points_behind_the_time_elapsed_is_yellow():
    # 1 Jan .. 30 Jun, on 1 Jun: 151/180 = 83.9% of the time gone
    assert colour(progress=63) == YELLOW
    assert colour(progress=64) is None


def test_five_working_days_left_and_under_half_done_is_blue():
    assert colour(start=date(2026, 5, 25), progress=49, workdays_left=5) == BLUE
    assert colour(start=date(2026, 5, 25), progress=50, workdays_left=5) is None
    assert colour(start=date(2026, 5, 25), progress=10, workdays_left=6) is None


def test_thresholds_come_from_the_plan():
    strict = Thresholds(blue_days=10, blue_progress=80, yellow_gap=5, yellow_returns=0)
    assert colour(progress=78, thresholds=strict) == YELLOW  # 83.9 - 5 = 78.9
    assert colour(start=date(2026, 5, 30), progress=70, workdays_left=9, thresholds=strict) == BLUE
    assert colour(returns=5, thresholds=strict) is None  # 0: returns do not count


def test_start_is_creation_or_the_first_of_january_whichever_is_later():
    assert item_start(created=date(2025, 11, 3), year=2026) == date(2026, 1, 1)
    assert item_start(created=date(2026, 3, 3), year=2026) == date(2026, 3, 3)


def test_time_elapsed_is_bounded():
    assert time_elapsed_percent(start=date(2026, 1, 1), due=date(2026, 1, 11), today=date(2026, 1, 6)) == 50
    assert time_elapsed_percent(start=date(2026, 1, 1), due=date(2026, 1, 11), today=date(2027, 1, 1)) == 100
    assert time_elapsed_percent(start=date(2026, 1, 1), due=date(2026, 1, 11), today=date(2025, 1, 1)) == 0


def test_strongest_and_escalation_order():
    assert strongest([None, BLUE, RED, YELLOW]) == RED
    assert strongest([None]) is None
    assert [escalated(BLUE), escalated(YELLOW), escalated(RED)] == [YELLOW, RED, RED]


def test_an_open_item_at_100_percent_is_coloured_as_not_complete():
    """A reopened item (or one reported at 100 % and returned) shows "100%（未办结）" everywhere (``rules.progress``):
    its 督办单 colour reads the same, not the 100 % on record (it once passed as complete)."""
    assert colour(progress=100, returns=0, workdays_left=3) == YELLOW  # 83.9 % of the time gone, no progress
    recent = dict(start=date(2026, 5, 30), due=date(2026, 6, 29))  # 2 of 30 days gone
    assert colour(progress=100, workdays_left=3, **recent) == BLUE  # few days left and no progress shown
    assert colour(progress=100, status="returned", workdays_left=30, **recent) is None
    assert colour(progress=60, workdays_left=3, **recent) is None  # below 100: the figure on record counts
