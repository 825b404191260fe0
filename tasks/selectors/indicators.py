"""Indicators against their targets on the daily pages (plan dashboard, indicator page).

The progress and colour come from the roundup's indicator rows (``selectors.roundups.indicator_rows``,
which applies ``tasks.rules.indicators`` with the plan's settings) for the month up to today, so the
dashboard, a roundup and the API show the same figure for the same day.
"""

from __future__ import annotations

from datetime import date

from tasks.models import Plan
from tasks.roundups.periods import MONTH, Period

from .roundups import indicator_rows, roundup_settings_for


def plan_as_of(plan: Plan, today: date) -> date:
    """The day the pages judge a plan's indicators at: today, or the last day of a plan that has ended."""
    return min(today, date(plan.last_year, 12, 31))


def indicator_status_rows(*, plan: Plan, today: date, indicator_ids=None) -> list[dict]:
    """Each indicator of ``plan`` (or those in ``indicator_ids``) with progress and colour as of today."""
    period = Period.up_to(MONTH, plan_as_of(plan, today))
    return indicator_rows(
        plan=plan, period=period, rule_set=roundup_settings_for(plan).as_dict(), indicator_ids=indicator_ids
    )
