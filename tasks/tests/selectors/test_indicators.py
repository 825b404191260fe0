"""The dashboard's and indicator page's indicator figures: the roundup's rule, as of today.

These tests replaced those of the dashboard's own copy of indicator progress (deleted). Where the
two copies differed, the roundup's rule was kept (see tasks/tests/rules/test_indicators.py).
"""

from datetime import date
from decimal import Decimal

import pytest

from tasks.models import IndicatorReport
from tasks.roundups.periods import MONTH, Period
from tasks.selectors.indicators import indicator_status_rows, plan_as_of
from tasks.selectors.roundups import indicator_rows, roundup_settings_for
from tasks.tests.daily_setup import make_world

pytestmark = pytest.mark.django_db
D = Decimal


def _report(w, month, value):
    IndicatorReport.objects.create(indicator=w.indicator, month=month, value=D(value), reported_at=w.item.created_at)


def test_dashboard_uses_the_latest_report_up_to_today_with_the_plans_precision():
    w = make_world(date(2025, 6, 15))
    for month, value in ((date(2024, 12, 1), "3.5"), (date(2025, 3, 1), "3.0"), (date(2025, 5, 1), "3.145")):
        _report(w, month, value)
    _report(w, date(2025, 7, 1), "9")  # after today: not yet
    row = indicator_status_rows(plan=w.plan, today=w.today, indicator_ids=[w.indicator.pk])[0]
    assert (row["actual"], row["actual_month"]) == (3.145, "2025-05")
    # Targets are written with two decimals (3.30), so the actual reads 3.15, not 3.145.
    assert row["actual_text"] == "3.15"
    # Cumulative from the baseline 2.22 (2023) to 3.30, on the actual as shown: (3.15 - 2.22) / (3.30 - 2.22).
    assert row["progress"] == pytest.approx(86.1, abs=0.05)


def test_dashboard_and_month_roundup_give_the_same_figures_for_the_same_day():
    w = make_world(date(2025, 6, 30))
    _report(w, date(2025, 6, 1), "2.6")
    rules = roundup_settings_for(w.plan).as_dict()
    roundup = indicator_rows(plan=w.plan, period=Period.month(2025, 6), rule_set=rules)
    assert indicator_status_rows(plan=w.plan, today=w.today) == roundup


def test_plan_as_of_stops_at_the_end_of_an_ended_plan():
    w = make_world(date(2025, 6, 15))
    w.plan.first_year, w.plan.last_year = 2023, 2024
    assert plan_as_of(w.plan, date(2025, 3, 1)) == date(2024, 12, 31)
    assert plan_as_of(w.plan, date(2024, 3, 1)) == date(2024, 3, 1)
    assert Period.up_to(MONTH, date(2024, 3, 9)).end == date(2024, 3, 9)
