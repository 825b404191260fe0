"""Indicator progress and colour against this year's target, driven by the plan's roundup settings.

One rule for the dashboard, the indicator page, the roundups and the API:

- progress is the share of the way to this year's target, in percent; a cumulative indicator (a
  stock) is measured from its baseline; a ceiling (``<``/``≤``) as target / actual; a met target
  shows at least 100, an unmet one at most 99.9 (a ``>`` target only equalled is not met);
- the colour compares progress with where the indicator should be by the cut-off (序时进度, when
  the plan's settings use pace), with the plan's yellow margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"
COLOURS = (GREEN, YELLOW, RED, NONE)

HIGHER_IS_BETTER = {"eq", "gt", "ge"}


def attained(actual: float, target: float, comparator: str) -> bool:
    return {
        "eq": actual >= target,
        "ge": actual >= target,
        "gt": actual > target,
        "le": actual <= target,
        "lt": actual < target,
    }[comparator]


@dataclass(frozen=True)
class IndicatorProgress:
    progress: float | None  # percent of the way to the target; may exceed 100 when beaten
    attained: bool | None


def indicator_progress(
    *, actual: float | None, target: float | None, comparator: str, cumulative: bool, baseline: float | None
) -> IndicatorProgress:
    """Progress towards this year's target, honouring the comparator.

    A cumulative indicator is a stock: progress is the way covered from the baseline to the
    target. A ``>`` target that is only equalled is not attained, so it shows just under 100.
    """
    if actual is None or target is None or not comparator:
        return IndicatorProgress(None, None)
    met = attained(actual, target, comparator)
    higher = comparator in HIGHER_IS_BETTER
    if cumulative:
        start = baseline if baseline is not None else 0.0
        span = (target - start) if higher else (start - target)
        moved = (actual - start) if higher else (start - actual)
        progress = 100.0 if span <= 0 and met else (max(moved, 0.0) / span * 100 if span > 0 else 0.0)
    elif higher:
        progress = actual / target * 100 if target > 0 else (100.0 if met else 0.0)
    else:
        progress = target / actual * 100 if actual > 0 else (100.0 if met else 0.0)
    progress = max(progress, 100.0) if met else min(progress, 99.9)
    return IndicatorProgress(round(progress, 1), met)


def expected_progress(
    *, period_end: date, cumulative: bool, comparator: str, baseline_year: int | None, target_year: int,
    use_pace: bool,
) -> float:
    """Where the indicator should be by ``period_end`` (序时进度), in percent.

    A ceiling (``<``/``≤``) holds at any time, so it is never judged by pace.
    """
    if not use_pace or comparator not in HIGHER_IS_BETTER:
        return 100.0
    if cumulative and baseline_year is not None and baseline_year < target_year:
        span = (target_year - baseline_year) * 12
        elapsed = (period_end.year - baseline_year - 1) * 12 + period_end.month
        return round(min(max(elapsed / span, 0.0), 1.0) * 100, 1)
    return round(period_end.month / 12 * 100, 1)


def indicator_colour(progress: IndicatorProgress, expected: float, rules: dict) -> str:
    if progress.progress is None:
        return NONE
    if progress.attained or progress.progress >= expected:
        return GREEN
    if progress.progress >= expected - rules["indicator_yellow_margin"]:
        return YELLOW
    return RED


def indicator_status(
    *, actual: float | None, target: float | None, comparator: str, cumulative: bool, baseline: float | None,
    baseline_year: int | None, target_year: int, as_of: date, rules: dict,
) -> dict:
    """Progress, expected progress, attainment and colour of one indicator at the close of ``as_of``."""
    progress = indicator_progress(
        actual=actual, target=target, comparator=comparator, cumulative=cumulative, baseline=baseline
    )
    expected = expected_progress(
        period_end=as_of, cumulative=cumulative, comparator=comparator, baseline_year=baseline_year,
        target_year=target_year, use_pace=rules["indicator_use_pace"],
    )
    return {
        "progress": progress.progress,
        "expected": expected if progress.progress is not None else None,
        "attained": progress.attained,
        "colour": indicator_colour(progress, expected, rules),
    }


def decimal_places(*texts_or_values) -> int:
    """The precision an indicator is written with: the most decimals among its baseline and targets.

    Actuals are shown with it, so a reported 39.8125 of a "个" indicator written as 40 reads 40
    (at most four places, as targets like 1.4475 are written).
    """
    places = 0
    for value in texts_or_values:
        if value is None:
            continue
        text = format(value, "f") if isinstance(value, Decimal | float) else str(value)
        digits = ""
        for ch in text.split(".", 1)[1] if "." in text else "":
            if not ch.isdigit():
                break
            digits += ch
        digits = digits.rstrip("0") if isinstance(value, Decimal | float) else digits
        places = max(places, len(digits))
    return min(places, 4)


def format_value(value: float | Decimal | None, places: int) -> str:
    """``value`` with ``places`` decimals (no trailing zeros beyond them); "—" when missing."""
    if value is None:
        return "—"
    return f"{float(value):,.{places}f}".replace(",", "")
