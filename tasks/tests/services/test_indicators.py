from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tasks.models import IndicatorReport
from tasks.services.indicators import indicator_value_report
from tasks.tests.daily_setup import make_world

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2025, 6, 15, 9, tzinfo=SH)


def test_lead_unit_reports_a_month_and_reporting_it_again_corrects_it():
    w = make_world(date(2025, 6, 15))
    indicator_value_report(indicator=w.indicator, user=w.lead_user, month=date(2025, 5, 17), value=Decimal("3.1"),
                           at=AT)
    report = indicator_value_report(indicator=w.indicator, user=w.lead_user, month=date(2025, 5, 1),
                                    value=Decimal("3.12"), note="更正", at=AT)
    assert IndicatorReport.objects.count() == 1
    assert (report.month, report.value, report.unit, report.note) == (date(2025, 5, 1), Decimal("3.12"), w.lead,
                                                                      "更正")


@pytest.mark.parametrize("who", ["support_user", "other_user", "coordinator"])
def test_only_the_lead_unit_of_the_key_task_reports(who):
    w = make_world(date(2025, 6, 15))
    with pytest.raises(PermissionDenied):
        indicator_value_report(indicator=w.indicator, user=getattr(w, who), month=date(2025, 5, 1), value=1, at=AT)
    assert not IndicatorReport.objects.exists()


@pytest.mark.parametrize("month", [date(2025, 7, 1), date(2019, 1, 1)])
def test_future_months_and_months_outside_the_plan_are_refused(month):
    w = make_world(date(2025, 6, 15))
    with pytest.raises(ValidationError):
        indicator_value_report(indicator=w.indicator, user=w.lead_user, month=month, value=1, at=AT)
