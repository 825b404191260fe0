"""Indicator values reported by the lead unit of the key task the indicator serves."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.inputs import clean_required
from tasks.models import Indicator, IndicatorReport
from tasks.rules.actions import Act
from tasks.selectors.guard import authorize
from tasks.selectors.permissions import user_unit


def indicator_value_report(
    *, indicator: Indicator, user, month: date, value: Decimal, note: str = "", at: datetime | None = None
) -> IndicatorReport:
    """Record the actual value of ``indicator`` for ``month``; reporting a month again corrects it."""
    at = at or timezone.now()
    authorize(Act.REPORT_INDICATOR, user, indicator)
    month = month.replace(day=1)
    today = timezone.localdate(at)
    plan = indicator.plan
    if month > today.replace(day=1):
        raise ValidationError({"month": [_("不能填报未来月份。")]})
    if not plan.first_year <= month.year <= plan.last_year:
        raise ValidationError(
            {"month": [_("月份应在方案期限内（%(a)s—%(b)s年）。") % {"a": plan.first_year, "b": plan.last_year}]}
        )
    with transaction.atomic():
        report, _created = IndicatorReport.objects.update_or_create(
            indicator=indicator,
            month=month,
            defaults={"value": value, "note": clean_required(note), "unit": user_unit(user), "reported_by": user,
                      "reported_at": at},
        )
    return report
