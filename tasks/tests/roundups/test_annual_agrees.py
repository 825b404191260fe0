"""The annual assessment (年考核) against the rest of the roundup and every form it takes (page, workbook,
通报, e-mail): no unit the year holds accountable escapes it, and each form shows the assessment's own figures."""

from datetime import date
from decimal import Decimal

import pytest

from tasks.models import IndicatorReport
from tasks.roundups.periods import Period
from tasks.selectors.roundups import roundup_data
from tasks.tests.factories import IndicatorFactory, IndicatorTargetFactory, KeyTaskFactory, UnitFactory
from tasks.tests.roundup_golden import at, build_golden

pytestmark = pytest.mark.django_db


@pytest.fixture
def golden():
    return build_golden()


def _indicator_only_unit(golden):
    """A department that leads an indicator (target 100, reported 50) and no item: nothing due all year."""
    d = UnitFactory(region=golden.plan.region, name="区统计局")
    task = KeyTaskFactory(plan=golden.plan, number=9, title="住房统计监测", lead=d)
    indicator = IndicatorFactory(plan=golden.plan, number=9, name="住房监测覆盖率", measure="%", key_task=task)
    IndicatorTargetFactory(indicator=indicator, year=2023, text="100", value=Decimal("100"), comparator="eq")
    IndicatorReport.objects.create(indicator=indicator, month=date(2023, 11, 1), value=Decimal("50"),
                                   reported_at=at(11, 28))
    return d


def test_a_unit_that_leads_only_indicators_is_assessed_on_them(golden):
    """It had nothing due, so it is under 本期无到期事项 and ranked nowhere; but the year's assessment scores each
    unit on its on-time rate and its indicators, the whole weight on the one it has (``rules.assessment``). It
    used to be left out of the assessment, which only read the units with items due."""
    d = _indicator_only_unit(golden)
    data = roundup_data(plan=golden.plan, period=Period.year(2023))
    assert d.pk in {u["unit_id"] for u in data["units_without_due"]}
    row = next((a for a in data["assessment"] if a["unit_id"] == d.pk), None)
    assert row is not None, "a unit leading an indicator escaped the annual assessment"
    assert (row["unit"], row["on_time_rate"], row["on_time_points"], row["indicators"], row["indicator_attainment"],
            row["indicator_points"], row["overdue"], row["score"]) == ("区统计局", None, None, 1, 0.5, 50.0, 0, 50.0)
    # Ranked among the departments with the others; the golden three keep their scores.
    assert [(a["rank"], a["unit"], a["score"]) for a in data["assessment"]] == [
        (1, "区财政局", 76.7), (2, "区建设局", 64.0), (3, "区资规局", 58.0), (4, "区统计局", 50.0)]
    # A month has no assessment, whoever leads indicators.
    assert roundup_data(plan=golden.plan, period=Period.month(2023, 12))["assessment"] == []
