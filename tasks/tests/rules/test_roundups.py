"""Periods and the office's rules, without a database."""

from datetime import date

import pytest

from tasks.roundups.periods import Period, PeriodError
from tasks.rules import indicators as indicator_rules
from tasks.rules import roundups as rules
from tasks.rules.outcomes import empty_counts, finish_counts

DEFAULTS = {
    "points_on_time": 100.0, "points_late": 60.0, "points_awaiting": 80.0, "points_overdue": 0.0,
    "support_weight": 0.5, "green_min_score": 90.0, "yellow_min_score": 75.0, "red_min_overdue": 3,
    "indicator_use_pace": True, "indicator_yellow_margin": 10.0, "praise_top_n": 3, "praise_min_score": 95.0,
    "call_out_below_score": 70.0, "call_out_min_overdue": 3, "weight_on_time": 60.0, "weight_indicators": 40.0,
    "deduction_per_overdue": 2.0, "deduction_cap": 20.0,
}


@pytest.mark.parametrize(
    ("kind", "text", "start", "end", "key", "label"),
    [
        ("month", "2023-06", date(2023, 6, 1), date(2023, 6, 30), "2023-06", "2023年6月"),
        ("month", "2024-2", date(2024, 2, 1), date(2024, 2, 29), "2024-02", "2024年2月"),
        ("quarter", "2023-Q2", date(2023, 4, 1), date(2023, 6, 30), "2023-Q2", "2023年第二季度"),
        ("quarter", "2023q4", date(2023, 10, 1), date(2023, 12, 31), "2023-Q4", "2023年第四季度"),
        ("year", "2023", date(2023, 1, 1), date(2023, 12, 31), "2023", "2023年度"),
    ],
)
def test_period_parses_and_names_itself(kind, text, start, end, key, label):
    period = Period.parse(kind, text)
    assert (period.start, period.end, period.key, period.label) == (start, end, key, label)


@pytest.mark.parametrize(("kind", "text"), [("month", "2023-13"), ("month", "202306"), ("quarter", "2023-Q5"),
                                            ("year", "23"), ("week", "2023")])
def test_period_rejects_bad_text_with_a_message(kind, text):
    with pytest.raises(PeriodError) as exc:
        Period.parse(kind, text)
    assert str(exc.value)


def test_previous_and_last_ended_periods_cross_year_boundaries():
    assert Period.month(2023, 1).previous() == Period.month(2022, 12)
    assert Period.quarter(2023, 1).previous() == Period.quarter(2022, 4)
    assert Period.last_ended("month", date(2024, 1, 1)) == Period.month(2023, 12)
    assert Period.last_ended("quarter", date(2023, 7, 1)) == Period.quarter(2023, 2)
    assert Period.last_ended("quarter", date(2023, 6, 30)) == Period.quarter(2023, 1)
    assert Period.last_ended("year", date(2024, 1, 2)) == Period.year(2023)


def test_unit_score_weighs_supporting_items_by_the_support_weight():
    lead = {"due": 2, "done_on_time": 1, "done_late": 0, "overdue": 1, "awaiting_review": 0}
    support = {"due": 1, "done_on_time": 1, "done_late": 0, "overdue": 0, "awaiting_review": 0}
    assert rules.unit_score(lead, support, DEFAULTS) == 60.0
    assert rules.unit_score(lead, support, {**DEFAULTS, "support_weight": 0.0}) == 50.0
    empty = dict.fromkeys(lead, 0)
    assert rules.unit_score(empty, empty, DEFAULTS) is None


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_a_unit_that_only_supports_is_scored_on_its_supporting_parts_whatever_the_weight(weight):
    nothing = {"due": 0, "done_on_time": 0, "done_late": 0, "overdue": 0, "awaiting_review": 0}
    # 市民政局 in 海宁's November: 11 supporting parts due, 9 missing, 2 on time.
    support = {"due": 11, "done_on_time": 2, "done_late": 0, "overdue": 9, "awaiting_review": 0}
    rules_ = {**DEFAULTS, "support_weight": weight}
    assert rules.unit_score(nothing, support, rules_) == 18.2
    # Its colour and rank ties read the parts it was scored on.
    assert rules.scored_counts(nothing, support) is support
    assert rules.unit_colour(18.2, rules.scored_counts(nothing, support)["overdue"], rules_) == "red"
    # A unit that leads keeps the weight: at 0 its supporting parts do not move its score.
    lead = {"due": 2, "done_on_time": 2, "done_late": 0, "overdue": 0, "awaiting_review": 0}
    assert rules.unit_score(lead, support, {**DEFAULTS, "support_weight": 0.0}) == 100.0
    assert rules.scored_counts(lead, support) is lead


def _counts(on_time=0, late=0, overdue=0, awaiting=0) -> dict:
    return {"due": on_time + late + overdue + awaiting, "done_on_time": on_time, "done_late": late,
            "overdue": overdue, "awaiting_review": awaiting}


@pytest.mark.parametrize(
    ("weight", "score"),
    # Plan: 2 led items on time (200 points). Outside: 2 led items overdue (0 points), 1 supporting part
    # on time (100 points, weighed by both weights: support 0.5).
    [(0.0, 100.0), (0.5, (200 + 0.5 * 0 * 2 + 0.25 * 100) / (2 + 0.5 * 2 + 0.25)),
     (1.0, (200 + 0 + 0.5 * 100) / (2 + 2 + 0.5))],
)
def test_unit_score_weighs_items_from_meetings_and_instructions_by_the_outside_weight(weight, score):
    lead, support = _counts(on_time=2), _counts()
    outside = {"lead": _counts(overdue=2), "support": _counts(on_time=1)}
    rules_ = {**DEFAULTS, "outside_weight": weight}
    assert rules.unit_score(lead, support, rules_, outside) == round(score, 1)
    # The counts its results show: the outside items only when they count.
    shown = rules.unit_counts(lead, finish_counts(dict(outside["lead"])), rules_)
    assert shown["due"] == (2 if weight == 0 else 4)
    assert shown["overdue"] == (0 if weight == 0 else 2)


def test_the_outside_weight_at_one_scores_all_items_alike():
    """Weight 1 (the default) is the score of the plan's and the outside items taken together."""
    lead, support = _counts(on_time=1, overdue=1), _counts(late=1)
    outside = {"lead": _counts(awaiting=1, on_time=2), "support": _counts(overdue=1)}
    together = _counts(on_time=3, overdue=1, awaiting=1), _counts(late=1, overdue=1)
    assert rules.unit_score(lead, support, {**DEFAULTS, "outside_weight": 1.0}, outside) == rules.unit_score(
        *together, DEFAULTS)
    # A snapshot from before the setting counted them alike too.
    assert rules.outside_weight(DEFAULTS) == 1.0


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_a_unit_with_only_outside_items(weight):
    """It leads only items from meetings: scored on them (the weight cancels out) unless they weigh 0, when
    it has nothing counted and no score; they make it a lead unit only when they count."""
    nothing = _counts()
    outside = {"lead": _counts(on_time=1, overdue=1), "support": nothing}
    rules_ = {**DEFAULTS, "outside_weight": weight}
    assert rules.unit_score(nothing, nothing, rules_, outside) == (None if weight == 0 else 50.0)
    # Its own supporting parts of the plan: beside its counted outside lead items at support weight 0,
    # they do not move the score; at outside weight 0 it leads nothing and is scored on them alone.
    support = _counts(on_time=2)
    expected = {0.0: 100.0, 0.5: 50.0, 1.0: 50.0}[weight]
    assert rules.unit_score(nothing, support, {**rules_, "support_weight": 0.0}, outside) == expected


def test_rank_key_breaks_ties_on_the_scored_counts():
    row = {"score": 50.0, "due": 0, "on_time_rate": None, "overdue": 0,
           "support": {"due": 2, "on_time_rate": 0.5, "overdue": 1}}
    assert rules.rank_key(row) == (-50.0, -0.5, 1)


def test_unit_colour_by_score_and_by_number_overdue():
    assert rules.unit_colour(95, 0, DEFAULTS) == "green"
    assert rules.unit_colour(95, 3, DEFAULTS) == "red"
    assert rules.unit_colour(95, 3, {**DEFAULTS, "red_min_overdue": 0}) == "green"
    assert rules.unit_colour(80, 0, DEFAULTS) == "yellow"
    assert rules.unit_colour(74.9, 0, DEFAULTS) == "red"
    assert rules.unit_colour(None, 0, DEFAULTS) == "none"


def test_equal_results_share_a_rank():
    assert rules.competition_ranks([(1,), (2,), (2,), (3,)]) == [1, 2, 2, 4]


@pytest.mark.parametrize(
    ("actual", "target", "comparator", "cumulative", "baseline", "progress", "met"),
    [
        (95, 95, "gt", False, None, 99.9, False),  # ">95" is not met by 95
        (95, 95, "ge", False, None, 100.0, True),
        (96, 95, "gt", False, None, 101.1, True),
        (13, 14, "ge", True, 10, 75.0, False),  # cumulative: from the baseline to the target
        (9, 14, "ge", True, 10, 0.0, False),  # below the baseline is no progress
        (6, 5, "le", False, None, 83.3, False),  # a ceiling
        (4, 5, "le", False, None, 125.0, True),
        (None, 5, "le", False, None, None, None),
        (3, None, "", False, None, None, None),  # prose target
    ],
)
def test_indicator_progress_honours_comparators(actual, target, comparator, cumulative, baseline, progress, met):
    result = indicator_rules.indicator_progress(
        actual=actual, target=target, comparator=comparator, cumulative=cumulative, baseline=baseline
    )
    assert (result.progress, result.attained) == (progress, met)


def test_expected_progress_follows_time_elapsed_over_the_target_span():
    june = date(2025, 6, 30)
    assert indicator_rules.expected_progress(period_end=june, cumulative=False, comparator="ge", baseline_year=2022,
                                   target_year=2025, use_pace=True) == 50.0
    # 2022 → 2025 is 36 months, 30 of them gone by June 2025.
    assert indicator_rules.expected_progress(period_end=june, cumulative=True, comparator="ge", baseline_year=2022,
                                   target_year=2025, use_pace=True) == 83.3
    assert indicator_rules.expected_progress(period_end=june, cumulative=False, comparator="le", baseline_year=None,
                                   target_year=2025, use_pace=True) == 100.0
    assert indicator_rules.expected_progress(period_end=june, cumulative=False, comparator="ge", baseline_year=None,
                                   target_year=2025, use_pace=False) == 100.0


def test_indicator_colour_against_pace_with_a_yellow_margin():
    on = indicator_rules.IndicatorProgress(55.0, False)
    near = indicator_rules.IndicatorProgress(41.0, False)
    far = indicator_rules.IndicatorProgress(39.0, False)
    assert [indicator_rules.indicator_colour(p, 50.0, DEFAULTS) for p in (on, near, far)] == ["green", "yellow", "red"]
    assert indicator_rules.indicator_colour(indicator_rules.IndicatorProgress(None, None), 50.0, DEFAULTS) == "none"


def test_assessment_gives_the_whole_weight_to_the_part_a_unit_has():
    units = [
        {"unit": "甲", "unit_id": 1, "due": 4, "done_on_time": 3, "done_late": 0, "overdue": 1, "awaiting_review": 0,
         "support": {"due": 0}},
        {"unit": "乙", "unit_id": 2, "due": 0, "done_on_time": 0, "done_late": 0, "overdue": 0, "awaiting_review": 0,
         "support": {"due": 2, "done_on_time": 2, "done_late": 0, "overdue": 0, "awaiting_review": 0}},
    ]
    rows = {r["unit"]: r for r in rules.assessment(units, [], DEFAULTS)}
    assert (rows["甲"]["on_time_points"], rows["甲"]["indicator_points"], rows["甲"]["deduction"],
            rows["甲"]["score"]) == (75.0, None, 2.0, 73.0)
    assert (rows["乙"]["on_time_rate"], rows["乙"]["score"], rows["乙"]["rank"]) == (1.0, 100.0, 1)


def test_deductions_stop_at_the_cap():
    unit = {"unit": "甲", "unit_id": 1, "due": 30, "done_on_time": 0, "done_late": 0, "overdue": 30,
            "awaiting_review": 0, "support": {"due": 0}}
    (row,) = rules.assessment([unit], [], DEFAULTS)
    assert (row["deduction"], row["score"]) == (20.0, 0.0)


def test_a_period_as_of_a_day_inside_it_ends_that_day_and_keeps_its_key():
    june_so_far = Period.as_of("month", date(2023, 6, 20))
    assert (june_so_far.start, june_so_far.end, june_so_far.key) == (date(2023, 6, 1), date(2023, 6, 20), "2023-06")
    assert not june_so_far.complete and Period.month(2023, 6).complete
    assert june_so_far.previous() == Period.month(2023, 5)
    assert Period.as_of("quarter", date(2023, 6, 30)) == Period.quarter(2023, 2)
    assert Period.as_of("year", date(2023, 3, 1)).end == date(2023, 3, 1)
    assert Period.as_of("year", date(2023, 3, 1)).year_end == date(2023, 12, 31)
    # A day after the period leaves it whole; a day before it is refused.
    assert Period.month(2023, 6).until(date(2023, 8, 1)) == Period.month(2023, 6)
    with pytest.raises(PeriodError):
        Period.month(2023, 6).until(date(2023, 5, 31))


def test_outside_due_is_the_units_lead_and_supporting_items_from_meetings_or_none_when_not_counted():
    row = {"outside": {"lead": {**empty_counts(), "due": 2}, "support": {**empty_counts(), "due": 1}}}
    assert rules.outside_due(row) == (2, 1)
    assert rules.outside_due(row, {"outside_weight": 0.5}) == (2, 1)
    assert rules.outside_due(row, {"outside_weight": 0}) is None  # not counted: the row does not say
    assert rules.outside_due({"due": 3}) is None  # a snapshot from before such items
