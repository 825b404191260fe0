"""Indicators against their targets: the latest actual, progress, and a red/yellow/green light.

Progress rules (kept in one pure function so pages, exports and roundups agree):

- The latest actual is the most recent monthly report within the year.
- A target is *met* when the actual satisfies its comparator; a plain number (``=``) is a
  level to reach, so reaching or passing it counts as met.
- Cumulative indicators (累计) are stocks and the year's target is the running total, so
  progress is measured from the stock at the start of the year (last year's target, or the
  baseline) to this year's target; other indicators compare the actual with the target.
- For ``<``/``≤`` targets lower is better: progress is target / actual.
- The light compares progress with the share of the year gone: green when met or on pace,
  yellow when less than a quarter of the year behind, red otherwise; grey when there is no
  numeric target or no report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from tasks.models import Comparator, Indicator, IndicatorReport, IndicatorTarget, Plan

C = Comparator


class Light:
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"


@dataclass(frozen=True)
class Progress:
    target: IndicatorTarget | None
    actual: Decimal | None
    actual_month: date | None
    met: bool | None
    ratio: float | None  # 0..1, share of the way to the target
    light: str


def target_met(actual: Decimal, target: Decimal, comparator: str) -> bool:
    if comparator == C.GT:
        return actual > target
    if comparator == C.LT:
        return actual < target
    if comparator == C.LE:
        return actual <= target
    # "=" and "≥" are levels to reach.
    return actual >= target


def year_share(year: int, today: date) -> float:
    """How much of ``year`` has passed by ``today`` (by whole months, so January is 1/12)."""
    if year < today.year:
        return 1.0
    if year > today.year:
        return 0.0
    return today.month / 12


def indicator_progress(
    *,
    indicator: Indicator,
    target: IndicatorTarget | None,
    previous_target: IndicatorTarget | None,
    actual: Decimal | None,
    actual_month: date | None,
    year: int,
    today: date,
) -> Progress:
    """Progress of ``indicator`` in ``year`` given its latest actual (pure: no queries)."""
    if target is None or target.value is None or actual is None:
        return Progress(target, actual, actual_month, None, None, Light.NONE)
    comparator = target.comparator or C.EQ
    met = target_met(actual, target.value, comparator)
    if comparator in (C.LT, C.LE):
        ratio = 1.0 if met or actual <= 0 else float(target.value / actual)
    else:
        start = Decimal(0)
        if indicator.cumulative:
            if previous_target is not None and previous_target.value is not None:
                start = previous_target.value
            elif indicator.baseline_value is not None:
                start = indicator.baseline_value
        span = target.value - start
        # A target no higher than the start (">1.48" after 1.48) is all or nothing.
        ratio = (1.0 if met else 0.0) if span <= 0 else float((actual - start) / span)
    ratio = max(0.0, min(1.0, ratio))
    if met:
        ratio = 1.0
    pace = year_share(year, today)
    if met or ratio >= pace:
        light = Light.GREEN
    elif ratio >= pace - 0.25:
        light = Light.YELLOW
    else:
        light = Light.RED
    return Progress(target, actual, actual_month, met, ratio, light)


def plan_year(plan: Plan, today: date) -> int:
    """The plan year to show today: this year, clamped to the plan's period."""
    return min(max(today.year, plan.first_year), plan.last_year)


def indicators_with_progress(qs: QuerySet[Indicator], *, year: int) -> QuerySet[Indicator]:
    """Indicators with this and last year's targets and the latest actual of ``year`` (three queries)."""
    latest = IndicatorReport.objects.filter(
        indicator=OuterRef("pk"), month__year=year
    ).order_by("-month")
    return (
        qs.select_related("key_task")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_month=Subquery(latest.values("month")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "targets",
                queryset=IndicatorTarget.objects.filter(year__in=[year - 1, year]),
                to_attr="near_targets",
            )
        )
        .order_by("plan", "number")
    )


def progress_of(indicator: Indicator, *, year: int, today: date) -> Progress:
    """Progress of an indicator fetched through ``indicators_with_progress``."""
    by_year = {t.year: t for t in indicator.near_targets}
    return indicator_progress(
        indicator=indicator,
        target=by_year.get(year),
        previous_target=by_year.get(year - 1),
        actual=indicator.latest_value,
        actual_month=indicator.latest_month,
        year=year,
        today=today,
    )
