"""Indicator progress and colour: the one rule (tasks.rules.indicators).

The dashboard once had its own copy: cumulative progress from last year's target, a fixed 25-point
yellow band, the year's pace for every indicator. The roundup's rule was kept, because it is the
one the office configures per plan (RoundupSettings) and publishes, and because it measures a
stock and its expected pace over the same span (from the baseline year), so a stock growing
evenly towards its five-year target is on pace every year instead of restarting at 0% each January.
"""

from datetime import date

import pytest

from tasks.models import RoundupSettings
from tasks.rules import indicators as r

RULES = RoundupSettings().as_dict()


def status(**kw):
    base = {"comparator": "ge", "cumulative": False, "baseline": None, "baseline_year": 2022, "target_year": 2025,
            "as_of": date(2025, 6, 30), "rules": RULES}
    return r.indicator_status(**{**base, **kw})


def test_cumulative_progress_runs_from_the_baseline_with_a_pace_over_the_same_span():
    s = status(actual=3.145, target=3.30, cumulative=True, baseline=2.22, baseline_year=2022)
    assert s["progress"] == pytest.approx(85.6, abs=0.05)
    # 2023-01 .. 2025-06 of 2023-01 .. 2025-12: 30 of 36 months.
    assert s["expected"] == pytest.approx(83.3, abs=0.05)
    assert s["colour"] == r.GREEN


def test_a_strict_lower_bound_only_equalled_is_not_met():
    assert status(actual=1.48, target=1.48, comparator="gt")["attained"] is False
    met = status(actual=1.49, target=1.48, comparator="gt")
    assert met["attained"] is True and met["progress"] >= 100 and met["colour"] == r.GREEN


def test_met_shows_at_least_100_and_unmet_at_most_99_9():
    assert status(actual=99.95, target=100)["progress"] == 99.9
    assert status(actual=100, target=100)["progress"] == 100.0


def test_a_ceiling_is_never_judged_by_pace():
    over = status(actual=8, target=5, comparator="lt", as_of=date(2025, 1, 31))
    assert over["progress"] == pytest.approx(62.5) and over["expected"] == 100.0 and over["colour"] == r.RED
    assert status(actual=5, target=5, comparator="le")["colour"] == r.GREEN


def test_colour_compares_progress_with_the_pace_and_the_plans_margin():
    june = {"target": 100, "as_of": date(2025, 6, 30)}
    assert status(actual=50, **june)["colour"] == r.GREEN
    margin = RULES["indicator_yellow_margin"]
    assert status(actual=50 - margin + 1, **june)["colour"] == r.YELLOW
    assert status(actual=50 - margin - 1, **june)["colour"] == r.RED


def test_no_numeric_target_or_no_report_has_no_colour():
    assert status(actual=None, target=100)["colour"] == r.NONE
    assert status(actual=3, target=None)["colour"] == r.NONE


@pytest.mark.parametrize(("values", "places"), [
    (("79%", "80%"), 0), (("1.48", ">1.4475"), 4), (("2.22", "3.30"), 2), ((None, "至2027年创建1个"), 0),
])
def test_decimal_places_follow_how_the_plan_writes_the_indicator(values, places):
    assert r.decimal_places(*values) == places


@pytest.mark.parametrize(("stored", "places", "shown"), [
    (39.8125, 0, "39.81"),  # indicator 6: written as 40, reported 39.8125 -- never "40"
    (40.0, 0, "40"), (83.7, 0, "83.7"), (1.5343, 2, "1.53"), (1.4475, 4, "1.4475"), (3.3, 2, "3.30"),
    (2.675, 2, "2.68"),  # 四舍五入 on the stored decimal, not on its binary float
    (0.4679, 3, "0.468"),
])
def test_an_actual_is_shown_as_stored_with_the_decimals_it_needs(stored, places, shown):
    assert r.format_value(stored, places) == shown
    # The number progress is computed from is the number shown.
    assert r.shown_value(stored, places) == float(shown)


def test_progress_is_computed_from_the_actual_as_shown():
    # 39.8125 of 40 is shown 39.81, and 39.81 / 40 = 99.525 -> 99.5 %: what a reader can check by hand.
    assert status(actual=39.8125, target=40, places=0)["progress"] == 99.5
    assert status(actual=39.8125, target=40, places=0)["progress"] == round(float("39.81") / 40 * 100, 1)
    # Cumulative 1.5343 shown 1.53 with two places: (1.53 - 1.43) / (1.48 - 1.43).
    s = status(actual=1.5343, target=1.48, cumulative=True, baseline=1.43, places=2)
    assert s["progress"] == round((1.53 - 1.43) / (1.48 - 1.43) * 100, 1)
