"""Indicator progress and colour against this year's target, driven by the plan's roundup settings.

One rule for the dashboard, the indicator page, the roundups and the API:

- progress is the share of the way to this year's target, in percent; a cumulative indicator (a
  stock) is measured from its baseline; a ceiling (``<``/``≤``) as target / actual; a met target
  shows at least 100, an unmet one at most 99.9 (a ``>`` target only equalled is not met);
- the colour compares progress with where the indicator should be by the cut-off (序时进度, when
  the plan's settings use pace), with the plan's yellow margin;
- an actual is shown as stored with the decimals it needs (``format_value``: 39.8125 of an indicator
  written as 40 reads 39.81, never 40) and progress is computed from that shown value
  (``shown_value``), so "39.81 against 40" and "99.5 %" always agree, on the page, the roundup
  (html, xlsx, pdf), the email and the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

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
    baseline_year: int | None, target_year: int, as_of: date, rules: dict, places: int = 4,
) -> dict:
    """Progress, expected progress, attainment and colour of one indicator at the close of ``as_of``.

    Progress is judged on the actual as shown (``shown_value(actual, places)``, ``places`` being the
    indicator's ``decimal_places``): what the reader sees is what was measured.
    """
    progress = indicator_progress(
        actual=shown_value(actual, places), target=target, comparator=comparator, cumulative=cumulative,
        baseline=baseline,
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
    """The precision an indicator is written with: the most decimals among its baseline and targets
    (at most four places, as targets like 1.4475 are written). Actuals are shown with at least it
    (``shown_places``)."""
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


# A reported value's own decimals are shown up to this many, beyond the indicator's precision.
SHOWN_EXTRA_PLACES = 2


def shown_places(value: float | Decimal | None, places: int) -> int:
    """The decimals an actual is shown with: the indicator's precision ``places``, or the value's own
    decimals up to two when it has more (39.8125 of an indicator written as 40 -> 2: "39.81"); a value
    that is whole at the indicator's precision keeps it (40.0 -> "40")."""
    if value is None:
        return places
    return max(places, min(decimal_places(Decimal(str(value))), SHOWN_EXTRA_PLACES))


def _shown(value: float | Decimal, places: int) -> Decimal:
    """``value`` rounded half up (四舍五入) on its decimal digits, as stored: 2.675 -> 2.68."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-shown_places(value, places)), rounding=ROUND_HALF_UP)


def shown_value(value: float | Decimal | None, places: int) -> float | None:
    """``value`` as it is shown (``format_value``): the number progress is computed from."""
    return None if value is None else float(_shown(value, places))


def format_value(value: float | Decimal | None, places: int) -> str:
    """An actual as shown everywhere (page, roundup html/xlsx/pdf, email, API ``actual_text``): the stored
    value with ``shown_places`` decimals, rounded half up; "—" when missing."""
    return "—" if value is None else f"{_shown(value, places):f}"
