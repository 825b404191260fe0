"""Target breakdown: the coordinator's shares, a town's actuals, the roll-up and the city figure."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tasks.models import IndicatorReport, RollupMethod, TargetBreakdownChange, TargetShare, Unit
from tasks.selectors.targets import breakdown_for, rolled_up_actuals, shares_for_unit
from tasks.services.targets import ShareInput, target_breakdown_save, target_share_report
from tasks.tests.factories import (
    IndicatorFactory,
    IndicatorTargetFactory,
    KeyTaskFactory,
    PlanFactory,
    UnitFactory,
    UserFactory,
    liaison_for,
)

pytestmark = pytest.mark.django_db
AT = timezone.make_aware(datetime(2024, 7, 10, 10))


@pytest.fixture
def setup():
    plan = PlanFactory()
    coordinator = UserFactory()
    plan.coordinators.add(coordinator)
    lead = UnitFactory(region=plan.region, name="区建设局")
    towns = [
        Unit.objects.create(region=plan.region, name=f"{n}街道", kind=Unit.Kind.TOWN, town_kind="街道")
        for n in ("塔山", "府山", "北海")
    ]
    task = KeyTaskFactory(plan=plan, lead=lead, supporting=towns)
    indicator = IndicatorFactory(plan=plan, key_task=task, name="未来社区", measure="个")
    IndicatorTargetFactory(indicator=indicator, year=2024, text="23", value=23, comparator="eq")
    return plan, coordinator, lead, towns, indicator


def _save(indicator, coordinator, values, method=RollupMethod.SUM, towns=None, bases=None, at=AT):
    bases = bases or [None] * len(values)
    return target_breakdown_save(
        indicator=indicator, year=2024, method=method, user=coordinator, at=at,
        shares=[ShareInput(unit=u, value=v, base=b) for u, v, b in zip(towns, values, bases, strict=True)],
    )


def test_shares_short_of_the_city_target_show_the_gap(setup):
    _plan, coordinator, _lead, towns, indicator = setup
    _save(indicator, coordinator, [D(10), D(8), D(3)], towns=towns)
    view = breakdown_for(indicator, 2024)
    assert view.total.value == D(21)
    assert (view.coverage.status, view.coverage.gap) == ("short", D(2))
    _save(indicator, coordinator, [D(10), D(8), D(5)], towns=towns)
    assert breakdown_for(indicator, 2024).coverage.status == "covered"


def test_saving_is_audited_and_saving_the_same_again_writes_no_row(setup):
    _plan, coordinator, _lead, towns, indicator = setup
    breakdown = _save(indicator, coordinator, [D(10), D(8), D(5)], towns=towns)
    _save(indicator, coordinator, [D(10), D(8), D(5)], towns=towns)
    assert TargetBreakdownChange.objects.filter(breakdown=breakdown).count() == 1
    _save(indicator, coordinator, [D(11), D(7), None], towns=towns)
    last = TargetBreakdownChange.objects.filter(breakdown=breakdown).order_by("pk").last()
    assert last.actor == coordinator and last.action == "shares"
    assert {c["unit"]: c["value"] for c in last.changes} == {
        "塔山街道": ["10", "11"], "府山街道": ["8", "7"], "北海街道": ["5", None]
    }
    assert TargetShare.objects.filter(breakdown=breakdown).count() == 2


def test_only_a_coordinator_of_the_plan_breaks_down_a_target(setup):
    _plan, _coordinator, lead, towns, indicator = setup
    with pytest.raises(PermissionDenied):
        _save(indicator, liaison_for(lead), [D(1), D(1), D(1)], towns=towns)
    with pytest.raises(PermissionDenied):
        _save(indicator, UserFactory(), [D(1), D(1), D(1)], towns=towns)


def test_a_collective_or_another_regions_unit_cannot_hold_a_share(setup):
    plan, coordinator, _lead, _towns, indicator = setup
    collective = Unit.objects.create(region=plan.region, name="各镇街", kind=Unit.Kind.COLLECTIVE)
    with pytest.raises(ValidationError):
        _save(indicator, coordinator, [D(1)], towns=[collective])
    with pytest.raises(ValidationError):
        _save(indicator, coordinator, [D(1)], towns=[UnitFactory()])


def test_a_town_reports_its_own_share_and_the_city_actual_is_the_rollup(setup):
    _plan, coordinator, _lead, towns, indicator = setup
    _save(indicator, coordinator, [D(10), D(8), D(5)], towns=towns)
    shares = {s.unit_id: s for s in TargetShare.objects.all()}
    for town, value in zip(towns[:2], [D(6), D(9)], strict=True):
        target_share_report(share=shares[town.pk], user=liaison_for(town), month=date(2024, 6, 1), value=value,
                            at=AT)
    view = breakdown_for(indicator, 2024)
    assert [(r.unit.name, r.actual, r.attained) for r in view.rows] == [
        ("塔山街道", D(6), False), ("府山街道", D(9), True), ("北海街道", None, None)
    ]
    assert (view.actuals.value, view.actuals.counted, view.actuals.missing) == (D(15), 2, 1)
    assert (view.city.value, view.city.source) == (D(15), "rollup")


def test_the_lead_departments_city_figure_wins_and_the_gap_is_shown(setup):
    _plan, coordinator, lead, towns, indicator = setup
    _save(indicator, coordinator, [D(10), D(8), D(5)], towns=towns)
    share = TargetShare.objects.get(unit=towns[0])
    target_share_report(share=share, user=liaison_for(towns[0]), month=date(2024, 6, 1), value=D(12), at=AT)
    IndicatorReport.objects.create(indicator=indicator, month=date(2024, 6, 1), value=D(14), unit=lead, reported_at=AT)
    view = breakdown_for(indicator, 2024)
    assert (view.city.value, view.city.source, view.city.rollup, view.city.gap) == (D(14), "reported", D(12), D(2))


def test_a_town_cannot_report_another_towns_share_nor_a_future_month_or_another_year(setup):
    _plan, coordinator, _lead, towns, indicator = setup
    _save(indicator, coordinator, [D(10), D(8), D(5)], towns=towns)
    share = TargetShare.objects.get(unit=towns[0])
    with pytest.raises(PermissionDenied):
        target_share_report(share=share, user=liaison_for(towns[1]), month=date(2024, 6, 1), value=D(1), at=AT)
    user = liaison_for(towns[0])
    with pytest.raises(ValidationError):
        target_share_report(share=share, user=user, month=date(2024, 8, 1), value=D(1), at=AT)
    with pytest.raises(ValidationError):
        target_share_report(share=share, user=user, month=date(2023, 12, 1), value=D(1), at=AT)


def test_reporting_a_month_again_corrects_it_and_is_audited(setup):
    _plan, coordinator, _lead, towns, indicator = setup
    breakdown = _save(indicator, coordinator, [D(10), D(8), D(5)], towns=towns)
    share = TargetShare.objects.get(unit=towns[0])
    user = liaison_for(towns[0])
    target_share_report(share=share, user=user, month=date(2024, 6, 1), value=D(4), at=AT)
    target_share_report(share=share, user=user, month=date(2024, 6, 1), value=D(5), at=AT)
    assert share.reports.get().value == D(5)
    last = TargetBreakdownChange.objects.filter(breakdown=breakdown, action="report").order_by("pk").last()
    assert last.changes == [{"month": "2024-06", "value": ["4", "5"]}] and last.unit == towns[0]


def test_a_share_with_reported_actuals_cannot_be_removed(setup):
    _plan, coordinator, _lead, towns, indicator = setup
    _save(indicator, coordinator, [D(10), D(8), D(5)], towns=towns)
    share = TargetShare.objects.get(unit=towns[0])
    target_share_report(share=share, user=liaison_for(towns[0]), month=date(2024, 6, 1), value=D(4), at=AT)
    with pytest.raises(ValidationError):
        _save(indicator, coordinator, [None, D(8), D(5)], towns=towns)
    assert TargetShare.objects.filter(unit=towns[0]).exists()


def test_a_rate_rolls_up_weighted_by_base(setup):
    plan, coordinator, _lead, towns, _indicator = setup
    rate = IndicatorFactory(plan=plan, name="物业覆盖率", measure="%")
    IndicatorTargetFactory(indicator=rate, year=2024, text="≥80", value=80, comparator="ge")
    _save(rate, coordinator, [D(90), D(70), D(80)], method=RollupMethod.WEIGHTED, towns=towns,
          bases=[D(1000), D(3000), D(1000)])
    view = breakdown_for(rate, 2024)
    assert view.total.value == D("76.0000")
    assert (view.coverage.status, view.coverage.gap) == ("short", D(4))
    _save(rate, coordinator, [D(90), D(70), D(80)], method=RollupMethod.NONE, towns=towns)
    view = breakdown_for(rate, 2024)
    assert view.total.value is None and view.coverage.status == "unknown"


def test_a_greater_than_target_is_covered_by_shares_adding_up_to_it(setup):
    plan, coordinator, _lead, towns, _indicator = setup
    gt = IndicatorFactory(plan=plan, name="新增住房", measure="万平方米")
    IndicatorTargetFactory(indicator=gt, year=2024, text=">30", value=30, comparator="gt")
    _save(gt, coordinator, [D(12), D(10), D(8)], towns=towns)
    assert breakdown_for(gt, 2024).coverage.status == "covered"
    share = TargetShare.objects.get(unit=towns[0], breakdown__indicator=gt)
    target_share_report(share=share, user=liaison_for(towns[0]), month=date(2024, 6, 1), value=D(12), at=AT)
    # Equalling a ">" share is not passing it.
    assert breakdown_for(gt, 2024).rows[0].attained is False


def test_a_towns_shares_of_the_year_are_listed_with_the_city_target(setup):
    _plan, coordinator, _lead, towns, indicator = setup
    _save(indicator, coordinator, [D(10), D(8), D(5)], towns=towns)
    shares = list(shares_for_unit(towns[1], year=2024))
    assert [(s.breakdown.indicator, s.value, s.city_target_text) for s in shares] == [(indicator, D(8), "23")]
    assert list(shares_for_unit(towns[1], year=2025)) == []


def test_breakdown_reads_cost_the_same_for_3_or_20_towns(setup, django_assert_max_num_queries):
    plan, coordinator, _lead, towns, indicator = setup
    towns += [Unit.objects.create(region=plan.region, name=f"镇{i}", kind=Unit.Kind.TOWN, town_kind="镇")
              for i in range(17)]
    _save(indicator, coordinator, [D(1)] * 20, towns=towns)
    with django_assert_max_num_queries(6):
        view = breakdown_for(indicator, 2024)
    assert len(view.shares) == 20 and view.total.value == D(20)


def test_rolled_up_actuals_of_many_indicators_in_one_query(setup, django_assert_num_queries):
    plan, coordinator, _lead, towns, indicator = setup
    rate = IndicatorFactory(plan=plan, name="物业覆盖率", measure="%")
    _save(indicator, coordinator, [D(10), D(8), D(5)], towns=towns)
    _save(rate, coordinator, [D(90), D(70), D(80)], method=RollupMethod.WEIGHTED, towns=towns,
          bases=[D(1), D(3), D(1)])
    for town, value in zip(towns, [D(4), D(5), D(6)], strict=True):
        user = liaison_for(town)
        for ind in (indicator, rate):
            share = TargetShare.objects.get(unit=town, breakdown__indicator=ind)
            target_share_report(share=share, user=user, month=date(2024, 6, 1), value=value * 10, at=AT)
    with django_assert_num_queries(1):
        got = rolled_up_actuals([indicator.pk, rate.pk], year=2024)
    assert got[indicator.pk].value == D(150)
    assert got[rate.pk].value == D("50.0000")  # (40×1 + 50×3 + 60×1) / 5
    assert got[indicator.pk].value == breakdown_for(indicator, 2024).actuals.value
