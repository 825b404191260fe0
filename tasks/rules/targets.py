"""Target breakdown (目标分解): how town and department shares roll up to the city's figure.

One rule for the breakdown screen, the town's page, the demo and the roundups:

- **sum** (counts, 个/套/台/平方米, and cumulative stocks, 累计): the city figure is the sum of the
  units' figures. A cumulative share is the unit's own running total, so the sum of the shares
  is the city's running total.
- **weighted** (rates, %): the city rate is the average of the units' rates weighted by each
  unit's base (households, floor area ...), which the coordinator enters; with a base missing
  the rate is not rolled up (None), never guessed.
- **none**: the rate is assessed town by town and not summed at all.

Direction: for ``=``, ``≥`` and ``>`` targets higher is better, so shares fall short when their
roll-up is below the city target. A ``>`` share is itself a ``>`` target (each unit must pass
its share), so shares adding up to exactly the city target suffice: units that all pass their
shares pass the city target. For ``<``/``≤`` (ceilings) lower is better and the shares fall
short when their roll-up is above the target.

The city's actual is the roll-up of the units' actuals, unless the lead department reported a
city figure: that one wins and the gap (reported − roll-up) is shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .indicators import attained as indicator_attained

SUM, WEIGHTED, NONE = "sum", "weighted", "none"
METHODS = (SUM, WEIGHTED, NONE)
HIGHER_IS_BETTER = frozenset({"", "eq", "ge", "gt"})

# Short of, covered, or nothing to compare (no numeric city target, or the method does not roll up).
SHORT, COVERED, UNKNOWN = "short", "covered", "unknown"
_PLACES = Decimal("0.0001")  # as stored (decimal_places=4)


def default_method(*, measure: str, name: str = "") -> str:
    """Rates (%, ...率) are weighted by base; everything else (counts, stocks) is summed."""
    if "%" in measure or "％" in measure or name.rstrip(")）%").endswith("率"):
        return WEIGHTED
    return SUM


@dataclass(frozen=True)
class Rollup:
    value: Decimal | None  # None: nothing to roll up, or the method does not roll up
    counted: int  # units whose figure went into ``value``
    missing: int  # units without a figure (or, for weighted, without a base)


def rollup(method: str, figures: Iterable[tuple[Decimal | None, Decimal | None]]) -> Rollup:
    """Roll up (value, base) pairs, one per unit. A unit without a value is counted as missing.

    ``sum`` adds the values present; ``weighted`` is Σ value×base / Σ base over the units with
    both, and None when any unit lacks a base (a partial weight would misstate the rate);
    ``none`` never rolls up.
    """
    pairs = list(figures)
    present = [(v, b) for v, b in pairs if v is not None]
    missing = len(pairs) - len(present)
    if method == NONE or not present:
        return Rollup(None, 0 if method == NONE else len(present), missing)
    if method == SUM:
        return Rollup(sum((v for v, _b in present), Decimal(0)).quantize(_PLACES), len(present), missing)
    if method == WEIGHTED:
        if any(b is None for _v, b in present):
            return Rollup(None, 0, missing + sum(1 for _v, b in present if b is None))
        total_base = sum((b for _v, b in present), Decimal(0))
        if total_base <= 0:
            return Rollup(None, 0, missing)
        value = sum((v * b for v, b in present), Decimal(0)) / total_base
        return Rollup(value.quantize(_PLACES), len(present), missing)
    raise ValueError(f"unknown roll-up method {method!r}")


@dataclass(frozen=True)
class Coverage:
    status: str  # SHORT, COVERED or UNKNOWN
    gap: Decimal | None  # how far the shares fall short of the target (positive), else None


def coverage(*, total: Decimal | None, target: Decimal | None, comparator: str) -> Coverage:
    """Do the shares' roll-up ``total`` cover the city ``target`` written with ``comparator``?"""
    if total is None or target is None:
        return Coverage(UNKNOWN, None)
    gap = (target - total) if comparator in HIGHER_IS_BETTER else (total - target)
    return Coverage(SHORT, gap) if gap > 0 else Coverage(COVERED, None)


def attained(actual: Decimal, target: Decimal, comparator: str) -> bool:
    """A unit's actual against its share (the share carries the city target's comparator): the indicator rule."""
    return indicator_attained(actual, target, comparator or "eq")


@dataclass(frozen=True)
class CityActual:
    value: Decimal | None
    source: str  # "reported", "rollup" or "" (neither)
    rollup: Decimal | None
    gap: Decimal | None  # reported − roll-up, when both exist


def city_actual(*, reported: Decimal | None, rolled_up: Decimal | None) -> CityActual:
    """The city's actual: the lead department's figure when it reported one, else the roll-up."""
    if reported is not None:
        gap = reported - rolled_up if rolled_up is not None else None
        return CityActual(reported, "reported", rolled_up, gap)
    if rolled_up is not None:
        return CityActual(rolled_up, "rollup", rolled_up, None)
    return CityActual(None, "", None, None)


def split_evenly(total: Decimal, weights: list[Decimal], *, places: int = 0) -> list[Decimal]:
    """``total`` split in proportion to ``weights``, rounded to ``places``, summing exactly to ``total``.

    Largest-remainder rounding, so typed-in shares drafted from it add up to the city target.
    """
    if not weights:
        return []
    quantum = Decimal(1).scaleb(-places)
    weight_sum = sum(weights, Decimal(0)) or Decimal(len(weights))
    raw = [total * (w if sum(weights) else Decimal(1)) / weight_sum for w in weights]
    floored = [(r / quantum).to_integral_value(rounding="ROUND_FLOOR") * quantum for r in raw]
    left = int(((total - sum(floored, Decimal(0))) / quantum).to_integral_value())
    order = sorted(range(len(raw)), key=lambda i: (floored[i] - raw[i], i))
    for i in order[: max(left, 0)]:
        floored[i] += quantum
    return floored
