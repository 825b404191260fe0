"""Reads on target breakdowns: the shares of an indicator's year with actuals and roll-ups, a unit's shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from tasks.models import (
    Indicator,
    IndicatorReport,
    IndicatorTarget,
    TargetBreakdown,
    TargetShare,
    TargetShareReport,
    Unit,
)
from tasks.rules import targets as rules
from tasks.selectors.compiled import precompiled
from tasks.selectors.towns import region_towns

_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class ShareRow:
    unit: Unit
    share: TargetShare | None
    value: Decimal | None
    base: Decimal | None
    actual: Decimal | None
    actual_month: date | None
    attained: bool | None


@dataclass(frozen=True)
class BreakdownView:
    indicator: Indicator
    year: int
    target: IndicatorTarget | None
    breakdown: TargetBreakdown | None
    method: str
    rows: list[ShareRow]
    total: rules.Rollup  # the shares rolled up
    coverage: rules.Coverage  # the shares against the city target
    actuals: rules.Rollup  # the units' latest actuals rolled up
    city: rules.CityActual  # the city figure shown: reported, or the roll-up
    city_month: date | None

    @property
    def comparator(self) -> str:
        return self.target.comparator if self.target else ""

    @property
    def shares(self) -> list[ShareRow]:
        return [r for r in self.rows if r.share is not None]


def shares_with_actuals(qs: QuerySet[TargetShare]) -> QuerySet[TargetShare]:
    """Shares with their unit and latest reported actual (``latest_value``, ``latest_month``)."""
    latest = TargetShareReport.objects.filter(share=OuterRef("pk")).order_by("-month")
    return qs.select_related("unit").annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_month=Subquery(latest.values("month")[:1]),
    )


def breakdown_for(indicator: Indicator, year: int, *, all_towns: bool = True) -> BreakdownView:
    """The breakdown of ``indicator``'s ``year`` target (five queries whatever the number of units).

    ``all_towns``: list every town of the region, with or without a share (the coordinator's
    screen); otherwise only the units holding a share.
    """
    target = IndicatorTarget.objects.filter(indicator=indicator, year=year).first()
    breakdown = TargetBreakdown.objects.filter(indicator=indicator, year=year).first()
    method = breakdown.method if breakdown else rules.default_method(measure=indicator.measure, name=indicator.name)
    shares = list(shares_with_actuals(breakdown.shares.all())) if breakdown else []
    comparator = target.comparator if target else ""
    by_unit = {s.unit_id: s for s in shares}
    units: list[Unit] = list(region_towns(indicator.plan.region_id)) if all_towns else []
    units += [s.unit for s in shares if s.unit_id not in {u.pk for u in units}]
    rows = []
    for unit in units:
        share = by_unit.get(unit.pk)
        # Quantized as stored: SQLite hands subquery decimals back with float noise.
        actual = share.latest_value.quantize(_PLACES) if share and share.latest_value is not None else None
        rows.append(ShareRow(
            unit=unit, share=share, value=share.value if share else None, base=share.base if share else None,
            actual=actual, actual_month=share.latest_month if share else None,
            attained=(rules.attained(actual, share.value, comparator) if share and actual is not None else None),
        ))
    with_share = [r for r in rows if r.share is not None]
    total = rules.rollup(method, [(r.value, r.base) for r in with_share])
    actuals = rules.rollup(method, [(r.actual, r.base) for r in with_share])
    reported = IndicatorReport.objects.filter(indicator=indicator, month__year=year).order_by("-month").first()
    city = rules.city_actual(reported=reported.value if reported else None, rolled_up=actuals.value)
    return BreakdownView(
        indicator=indicator, year=year, target=target, breakdown=breakdown, method=method, rows=rows, total=total,
        coverage=rules.coverage(total=total.value, target=target.value if target else None, comparator=comparator),
        actuals=actuals, city=city, city_month=reported.month if reported and city.source == "reported" else None,
    )


def shares_for_unit(unit: Unit, *, year: int) -> list[TargetShare]:
    """The shares ``unit`` holds in ``year``, with the indicator, the city target and the latest actual."""
    return precompiled(_shares_for_unit, ids={"unit_id": unit.pk}, year=year)


def _shares_for_unit(*, unit_id: int, year: int) -> QuerySet[TargetShare]:
    city_target = IndicatorTarget.objects.filter(indicator=OuterRef("breakdown__indicator"), year=year)
    return (
        shares_with_actuals(TargetShare.objects.filter(unit_id=unit_id, breakdown__year=year))
        .select_related("breakdown__indicator__plan")
        .annotate(
            city_target_text=Subquery(city_target.values("text")[:1]),
            comparator=Subquery(city_target.values("comparator")[:1]),
        )
        # By plan (a town's shares of several plans are grouped by the plan's short name), then number.
        .order_by("breakdown__indicator__plan__title", "breakdown__indicator__plan_id", "breakdown__indicator__number")
    )


def share_of(user_unit_: Unit | None, indicator: Indicator, year: int) -> TargetShare | None:
    """The share of the user's unit in ``indicator``'s ``year`` target, if it holds one."""
    if user_unit_ is None:
        return None
    return shares_with_actuals(
        TargetShare.objects.filter(unit=user_unit_, breakdown__indicator=indicator, breakdown__year=year)
    ).select_related("breakdown").first()


def breakdown_years(indicator: Indicator) -> list[int]:
    """The years of ``indicator`` that have a breakdown."""
    return list(
        TargetBreakdown.objects.filter(indicator=indicator, shares__isnull=False)
        .values_list("year", flat=True).distinct().order_by("year")
    )



def rolled_up_actuals(indicator_ids, *, year: int) -> dict[int, rules.Rollup]:
    """The units' latest actuals of ``year`` rolled up per broken-down indicator (one query).

    For pages and roundups that show many indicators: where the lead department reported no
    city figure, ``rules.city_actual(reported=None, rolled_up=...)`` makes this the city's actual.
    """
    grouped: dict[int, tuple[str, list]] = {}
    shares = shares_with_actuals(
        TargetShare.objects.filter(breakdown__indicator_id__in=list(indicator_ids), breakdown__year=year)
    ).select_related("breakdown").order_by("breakdown_id", "position", "pk")
    for share in shares:
        method, pairs = grouped.setdefault(share.breakdown.indicator_id, (share.breakdown.method, []))
        pairs.append((share.latest_value, share.base))
    return {indicator_id: rules.rollup(method, pairs) for indicator_id, (method, pairs) in grouped.items()}
