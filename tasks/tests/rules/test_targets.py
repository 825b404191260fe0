"""Roll-up rules of a target breakdown, one target kind at a time."""

from decimal import Decimal as D

import pytest

from tasks.rules import targets as r


def test_counts_sum_and_a_missing_unit_is_counted_as_missing():
    got = r.rollup(r.SUM, [(D(3), None), (D(5), None), (None, None)])
    assert (got.value, got.counted, got.missing) == (D(8), 2, 1)


def test_cumulative_stocks_sum_each_units_running_total():
    # 累计: each town's share is its own running total; the city's running total is their sum.
    assert r.rollup(r.SUM, [(D("1.2"), None), (D("0.2475"), None)]).value == D("1.4475")


def test_a_rate_is_weighted_by_each_units_base():
    # 90% of 1,000 households and 60% of 3,000: 67.5%, not the plain average 75%.
    got = r.rollup(r.WEIGHTED, [(D(90), D(1000)), (D(60), D(3000))])
    assert got.value == D("67.5000")


def test_a_rate_with_a_base_missing_is_not_rolled_up():
    got = r.rollup(r.WEIGHTED, [(D(90), D(1000)), (D(60), None)])
    assert got.value is None and got.missing == 1


def test_a_rate_assessed_unit_by_unit_is_never_summed():
    assert r.rollup(r.NONE, [(D(90), D(1)), (D(60), D(1))]).value is None


def test_nothing_to_roll_up_is_none_not_zero():
    assert r.rollup(r.SUM, []).value is None
    assert r.rollup(r.SUM, [(None, None)]).value is None


def test_unknown_method_is_an_error():
    with pytest.raises(ValueError):
        r.rollup("median", [(D(1), None)])


@pytest.mark.parametrize(
    ("total", "target", "comparator", "status", "gap"),
    [
        (D(20), D(23), "eq", r.SHORT, D(3)),
        (D(23), D(23), "eq", r.COVERED, None),
        (D(220), D(220), "gt", r.COVERED, None),  # each unit must pass its own ">" share
        (D(219), D(220), "gt", r.SHORT, D(1)),
        (D(95), D(95), "ge", r.COVERED, None),
        (D(12), D(10), "le", r.SHORT, D(2)),  # a ceiling: shares above it fall short
        (D(9), D(10), "lt", r.COVERED, None),
        (None, D(10), "eq", r.UNKNOWN, None),
        (D(10), None, "", r.UNKNOWN, None),
    ],
)
def test_coverage_of_the_city_target_follows_its_direction(total, target, comparator, status, gap):
    assert r.coverage(total=total, target=target, comparator=comparator) == r.Coverage(status, gap)


def test_a_share_is_attained_the_way_its_comparator_says():
    assert r.attained(D(5), D(5), "eq") and r.attained(D(5), D(5), "ge")
    assert not r.attained(D(5), D(5), "gt") and r.attained(D("5.1"), D(5), "gt")
    assert r.attained(D(4), D(5), "le") and not r.attained(D(5), D(5), "lt")


def test_the_lead_departments_city_figure_wins_and_the_gap_is_shown():
    got = r.city_actual(reported=D(100), rolled_up=D(96))
    assert (got.value, got.source, got.rollup, got.gap) == (D(100), "reported", D(96), D(4))
    got = r.city_actual(reported=None, rolled_up=D(96))
    assert (got.value, got.source, got.gap) == (D(96), "rollup", None)
    assert r.city_actual(reported=None, rolled_up=None).source == ""


def test_default_method_weights_rates_and_sums_everything_else():
    assert r.default_method(measure="%", name="城镇住房保障受益覆盖率") == r.WEIGHTED
    assert r.default_method(measure="", name="住宅小区物业覆盖率") == r.WEIGHTED
    assert r.default_method(measure="万套", name="保障性租赁住房") == r.SUM
    assert r.default_method(measure="个", name="未来社区") == r.SUM


@pytest.mark.parametrize(("total", "weights", "places"), [
    (D(23), [D(3), D(1), D(1)], 0), (D("1.4475"), [D(1)] * 12, 4), (D(7), [D(0), D(0)], 0), (D(0), [D(1)], 0),
])
def test_split_evenly_adds_up_exactly_to_the_total(total, weights, places):
    parts = r.split_evenly(total, weights, places=places)
    assert sum(parts) == total and len(parts) == len(weights)
    assert all(p >= 0 for p in parts)
