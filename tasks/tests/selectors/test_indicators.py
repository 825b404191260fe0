from datetime import date
from decimal import Decimal

import pytest

from tasks.models import Comparator, Indicator, IndicatorReport, IndicatorTarget
from tasks.selectors.indicators import Light, indicator_progress, indicators_with_progress, plan_year, progress_of
from tasks.tests.daily_setup import make_world

pytestmark = pytest.mark.django_db
D = Decimal


def progress(*, actual, target, comparator="eq", cumulative=False, previous=None, baseline=None,
             today=date(2025, 6, 15), year=2025):
    indicator = Indicator(cumulative=cumulative, baseline_value=None if baseline is None else D(baseline))
    t = None if target is None else IndicatorTarget(year=year, text=str(target), value=D(str(target)),
                                                    comparator=comparator)
    prev = None if previous is None else IndicatorTarget(year=year - 1, value=D(str(previous)), comparator="eq")
    return indicator_progress(indicator=indicator, target=t, previous_target=prev,
                              actual=None if actual is None else D(str(actual)), actual_month=date(year, 5, 1),
                              year=year, today=today)


def test_cumulative_progress_runs_from_last_years_target_to_this_years():
    # 保障性租赁住房累计: 2.99 at the end of last year, 3.30 this year, 3.15 now: half way.
    p = progress(actual="3.145", target="3.30", previous="2.99", cumulative=True)
    assert p.ratio == pytest.approx(0.5) and p.met is False
    # The same numbers read as a level (not cumulative) are 95% of the target.
    assert progress(actual="3.135", target="3.30").ratio == pytest.approx(0.95)


def test_cumulative_without_last_years_target_starts_from_the_baseline():
    p = progress(actual="16", target="17", cumulative=True, baseline="14")
    assert p.ratio == pytest.approx(2 / 3)


def test_strictly_greater_target_is_met_only_above_it():
    kw = {"target": "1.48", "comparator": Comparator.GT, "cumulative": True, "previous": "1.48"}
    assert progress(actual="1.48", **kw).met is False
    above = progress(actual="1.49", **kw)
    assert above.met is True and above.light == Light.GREEN and above.ratio == 1.0


def test_at_least_and_plain_targets_are_met_when_reached():
    assert progress(actual="95", target="95", comparator=Comparator.GE).met is True
    assert progress(actual="100", target="100").met is True
    assert progress(actual="99.9", target="100").met is False


def test_lower_is_better_targets():
    p = progress(actual="8", target="5", comparator=Comparator.LT)
    assert p.met is False and p.ratio == pytest.approx(5 / 8)
    assert progress(actual="5", target="5", comparator=Comparator.LE).met is True


def test_light_compares_progress_with_the_share_of_the_year_gone():
    # Mid-June: half the year gone.
    assert progress(actual="50", target="100").light == Light.GREEN
    assert progress(actual="30", target="100").light == Light.YELLOW
    assert progress(actual="20", target="100").light == Light.RED
    # Last year's unmet target is judged against the whole year.
    assert progress(actual="80", target="100", year=2024).light == Light.YELLOW


def test_no_numeric_target_or_no_report_gives_no_light():
    assert progress(actual=None, target="100").light == Light.NONE
    assert progress(actual="3", target=None).light == Light.NONE


def test_indicators_with_progress_uses_the_latest_report_of_the_year():
    w = make_world(date(2025, 6, 15))
    for month, value in ((date(2024, 12, 1), "3.5"), (date(2025, 3, 1), "3.0"), (date(2025, 5, 1), "3.145")):
        IndicatorReport.objects.create(
            indicator=w.indicator, month=month, value=D(value), reported_at=w.item.created_at
        )
    year = plan_year(w.plan, w.today)
    row = indicators_with_progress(Indicator.objects.filter(pk=w.indicator.pk), year=year).get()
    p = progress_of(row, year=year, today=w.today)
    assert (p.actual, p.actual_month) == (D("3.145"), date(2025, 5, 1))
    assert p.ratio == pytest.approx(0.5)


def test_plan_year_is_clamped_to_the_plan_period():
    w = make_world(date(2025, 6, 15))
    w.plan.first_year, w.plan.last_year = 2023, 2024
    assert plan_year(w.plan, date(2025, 1, 1)) == 2024
    assert plan_year(w.plan, date(2020, 1, 1)) == 2023
