"""Roundup numbers on a small golden data set (see ``roundup_golden``), computed by hand."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tasks.models import RoundupSettings, WorkItem
from tasks.roundups.periods import Period
from tasks.selectors.roundups import item_states, roundup_data
from tasks.services.workflow import work_item_transition
from tasks.tests.roundup_bulk import build_plan
from tasks.tests.roundup_golden import at, build_golden

pytestmark = pytest.mark.django_db

COUNT_KEYS = ("due", "done_on_time", "done_late", "overdue", "awaiting_review", "on_time_rate")


SH = ZoneInfo("Asia/Shanghai")


def _units(data: dict) -> dict[str, dict]:
    return {u["unit"]: u for u in data["units"]}


def _counts(row: dict) -> tuple:
    return tuple(row[k] for k in COUNT_KEYS)


@pytest.fixture
def golden():
    return build_golden()


def test_month_units_as_of_june_30(golden):
    data = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    units = _units(data)
    # 区建设局: i1 on time; i2 done 07-05 counts as overdue at the end of June.
    assert _counts(units["区建设局"]) == (2, 1, 0, 1, 0, 0.5)
    # 区财政局: i8 on time; i5 returned 06-22 and resubmitted 06-28 is awaiting review;
    # i4's extension (granted 06-10) moved it to 07-31, so it is not due in June.
    assert _counts(units["区财政局"]) == (2, 1, 0, 0, 1, 0.5)
    # 区资规局: i7 overdue since 03-31; i6 (April) and i12 (done early, 05-20) were done before June.
    assert _counts(units["区资规局"]) == (1, 0, 0, 1, 0, 0.0)
    # Supporting roles counted apart, on the supporting unit's own part (配合到位): 区建设局 marked its
    # part of i8 done on 06-08; i3 is extended to 08-31.
    assert _counts(units["区建设局"]["support"]) == (1, 1, 0, 0, 0, 1.0)
    assert units["区财政局"]["support"]["due"] == 0
    # Year to date (lead): 区资规局 also has i6, i12 and i13 (imported as done, no history) on time.
    assert _counts(units["区资规局"]["cumulative"]["lead"]) == (4, 3, 0, 1, 0, 0.75)

    assert [(u["unit"], u["score"], u["rank"], u["colour"]) for u in data["units"]] == [
        ("区财政局", 90.0, 1, "green"),  # (100 + 80) / 2
        ("区建设局", 50.0, 2, "red"),  # supporting items do not count by default
        ("区资规局", 0.0, 3, "red"),
    ]
    # May: 区财政局 (i4, due 05-31 in force then) and 区资规局 (i7) tie at 0 for rank 1; 区建设局 had nothing due.
    assert [(u["unit"], u["previous_rank"], u["rank_change"]) for u in data["units"]] == [
        ("区财政局", 1, 0), ("区建设局", None, None), ("区资规局", 1, -2),
    ]
    summary = data["summary"]
    assert _counts(summary) == (5, 2, 0, 2, 1, 0.4)
    assert summary["cumulative"]["due"] == 8


def test_month_overdue_list_has_deadline_days_and_last_note_before_the_end(golden):
    data = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    rows = [(o["text"][:2], o["lead_unit"], o["due_date"], o["days_overdue"], o["status"], o["last_note"],
             o["last_note_on"]) for o in data["overdue_items"]]
    assert rows == [
        # The 07-15 note is after the period; the coordinator's comment is not a progress note.
        ("i7", "区资规局", "2023-03-31", 92, "in_progress", "已完成选址", "2023-05-10"),
        ("i2", "区建设局", "2023-06-20", 11, "not_started", None, None),
    ]


def test_month_key_tasks_count_this_years_items(golden):
    data = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    rows = [(t["number"], t["lead_units"], t["total"], t["done"], t["overdue"], t["awaiting_review"], t["pending"])
            for t in data["key_tasks"]]
    assert rows == [
        (1, ["区建设局"], 5, 1, 1, 0, 3),
        (2, ["区财政局"], 3, 1, 0, 1, 1),
        (3, ["区资规局"], 4, 3, 1, 0, 0),  # i10 is recurring without a date
    ]


def test_month_indicators_honour_comparators_cumulative_targets_and_pace(golden):
    data = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    rows = [(i["number"], i["actual"], i["actual_month"], i["reported_in_period"], i["progress"], i["expected"],
             i["attained"], i["colour"]) for i in data["indicators"]]
    assert rows == [
        # cumulative: (13 - 10) / (14 - 10); half of the span 2022→2023 elapsed
        (1, 13.0, "2023-06", True, 75.0, 50.0, False, "green"),
        # ">95" only equalled: not attained, shown under 100; no June report
        (2, 95.0, "2023-03", False, 99.9, 50.0, False, "green"),
        (3, None, None, False, None, None, None, "none"),  # prose target
        (4, 30.0, "2023-06", True, 37.5, 50.0, False, "red"),  # more than 10 points behind pace
        (5, 6.0, "2023-06", True, 83.3, 100.0, False, "red"),  # a ceiling (≤5) is not judged by pace
    ]
    assert data["summary"]["indicators_not_reported"] == 2


def test_quarter_counts_ranks_and_bulletin(golden):
    RoundupSettings.objects.create(plan=golden.plan, praise_min_score=90, call_out_below_score=65)
    data = roundup_data(plan=golden.plan, period=Period.quarter(2023, 2))
    units = _units(data)
    assert _counts(units["区资规局"]) == (3, 2, 0, 1, 0, 0.6667)  # i6, i12 on time (done in Q2), i7 overdue
    assert _counts(units["区财政局"]) == (2, 1, 0, 0, 1, 0.5)
    assert _counts(units["区建设局"]) == (2, 1, 0, 1, 0, 0.5)
    assert [(u["unit"], u["score"], u["rank"], u["previous_rank"]) for u in data["units"]] == [
        ("区财政局", 90.0, 1, None), ("区资规局", 66.7, 2, 1), ("区建设局", 50.0, 3, None),
    ]
    assert [(p["unit"], p["rank"]) for p in data["praise"]] == [("区财政局", 1)]
    assert [(c["unit"], c["reasons"]) for c in data["call_out"]] == [("区建设局", ["得分50，低于65分"])]
    assert data["assessment"] == []


def test_a_supporting_part_is_judged_on_its_own_not_on_the_leads_outcome(golden):
    from tasks.models import WorkItemUnit

    # The lead finished i8 on time (06-09); had 区建设局 not marked its part, its part would be missing.
    WorkItemUnit.objects.filter(work_item=golden.items["i8"], unit=golden.a).update(support_done_at=None)
    units = _units(roundup_data(plan=golden.plan, period=Period.month(2023, 6)))
    assert _counts(units["区建设局"]["support"]) == (1, 0, 0, 1, 0, 0.0)
    assert _counts(units["区财政局"]) == (2, 1, 0, 0, 1, 0.5)  # the lead's own count is unchanged


def test_supporting_items_count_in_the_score_when_the_office_says_so(golden):
    RoundupSettings.objects.create(plan=golden.plan, support_weight="0.5")
    data = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    # 区建设局: (100 + 0 + 0.5 × 100) / 2.5
    assert _units(data)["区建设局"]["score"] == 60.0
    assert data["rules"]["support_weight"] == 0.5


def test_quarter_with_default_rules_praises_nobody_and_calls_out_low_scores(golden):
    data = roundup_data(plan=golden.plan, period=Period.quarter(2023, 2))
    assert data["praise"] == []
    assert [c["unit"] for c in data["call_out"]] == ["区资规局", "区建设局"]


def test_year_counts_and_assessment_with_breakdown(golden):
    data = roundup_data(plan=golden.plan, period=Period.year(2023))
    units = _units(data)
    # i2 and i5 late; i3 on time against its extended deadline; i4 on time (extension by request only);
    # i11 (due 12-31) and i7 still open.
    assert _counts(units["区建设局"]) == (5, 3, 1, 1, 0, 0.6)
    assert _counts(units["区财政局"]) == (3, 2, 1, 0, 0, 0.6667)
    assert _counts(units["区资规局"]) == (4, 3, 0, 1, 0, 0.75)
    assert _counts(units["区财政局"]["support"]) == (1, 1, 0, 0, 0, 1.0)  # supports i3
    assert [(u["unit"], u["score"], u["rank"], u["colour"]) for u in data["units"]] == [
        ("区财政局", 86.7, 1, "yellow"),  # (200 + 60) / 3
        ("区资规局", 75.0, 2, "yellow"),
        ("区建设局", 72.0, 3, "red"),  # (300 + 60 + 0) / 5
    ]
    assert [o["days_overdue"] for o in data["overdue_items"]] == [276, 1]
    rows = [(a["rank"], a["unit"], a["on_time_rate"], a["on_time_points"], a["indicators"],
             a["indicator_attainment"], a["indicator_points"], a["overdue"], a["deduction"], a["score"])
            for a in data["assessment"]]
    assert rows == [
        # 60 × 0.6667 + 40 × mean(100%, 83.3%)
        (1, "区财政局", 0.6667, 40.0, 2, 0.9165, 36.7, 0, 0.0, 76.7),
        (2, "区建设局", 0.6, 36.0, 1, 0.75, 30.0, 1, 2.0, 64.0),
        (3, "区资规局", 0.75, 45.0, 1, 0.375, 15.0, 1, 2.0, 58.0),  # prose indicator 3 not counted
    ]
    indicator_2 = data["indicators"][1]
    assert (indicator_2["actual"], indicator_2["progress"], indicator_2["attained"]) == (96.0, 101.1, True)


def test_completion_after_the_period_counts_as_open_at_its_end(golden):
    july = roundup_data(plan=golden.plan, period=Period.month(2023, 7))
    june = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    # i2 (due 06-20) done 07-05: overdue in June, done late in July.
    assert "i2" in {o["text"][:2] for o in june["overdue_items"]}
    assert _counts(_units(july)["区建设局"])[:4] == (1, 0, 1, 0)


def test_extension_granted_after_the_period_does_not_change_it(golden):
    may = roundup_data(plan=golden.plan, period=Period.month(2023, 5))
    # i4 was due 05-31 until the extension of 06-10.
    assert [(o["text"][:2], o["due_date"]) for o in may["overdue_items"]] == [
        ("i7", "2023-03-31"),
        ("i4", "2023-05-31"),
    ]
    states = {r["id"]: r for r in item_states(plan=golden.plan, end=date(2023, 5, 31))}
    assert str(states[golden.items["i4"].pk]["due_end"]) == "2023-05-31"
    assert str(states[golden.items["i3"].pk]["due_end"]) == "2023-06-30"


def test_later_edits_do_not_change_a_past_period(golden):
    before = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    item = golden.items["i7"]
    work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, at=at(8, 1))
    work_item_transition(item=item, to_status=WorkItem.Status.DONE, at=at(8, 2))
    after = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    assert after["units"] == before["units"]
    assert after["overdue_items"] == before["overdue_items"]


def test_items_of_other_plans_do_not_count(golden):
    data = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    assert _units(data)["区建设局"]["due"] == 2


@pytest.mark.parametrize("size", [5, 500])
def test_roundup_costs_the_same_queries_for_5_and_500_items(size, django_assert_max_num_queries):
    plan = build_plan(items=size, units=5 if size == 5 else 50, slug=f"q{size}")
    # 9: the states and counts, supporting parts included (period and previous), units, indicators,
    # key tasks and their leads, the overdue list, settings, 督办单 counts, the items from meetings and
    # instructions (issue 34); one more on PostgreSQL: roundup_data's SET LOCAL jit = off. A year adds its
    # appendix (基层负担, selectors.burden): items due, reminders, 督办单 and close requests that had to carry
    # evidence (as each recorded when made: run whatever the plan requires today) by unit and month. And the
    # units' shares of the year's targets (目标分解, ``share_rows``): one more.
    with django_assert_max_num_queries(11 + 4 + (connection.vendor == "postgresql")):
        data = roundup_data(plan=plan, period=Period.year(2023))
    # Every item due by the year's end and not done before it began is counted once.
    expected = (
        WorkItem.objects.filter(plan=plan, due_date__lte=date(2023, 12, 31))
        .exclude(completed_at__lt=at(1, 1).replace(hour=0))
        .count()
    )
    assert data["summary"]["due"] == expected
    assert sum(u["due"] for u in data["units"]) == data["summary"]["due"]


def test_towns_and_departments_are_ranked_each_among_their_own_kind(golden):
    """地方 and 部门 each run 1..n; a unit with nothing due is listed apart, never ranked at zero."""
    from tasks.models import Unit, WorkItem
    from tasks.tests.factories import UnitFactory, WorkItemFactory

    region = golden.plan.region
    year_before = roundup_data(plan=golden.plan, period=Period.year(2023))["summary"]["due"]
    t1 = UnitFactory(region=region, name="一号街道", kind=Unit.Kind.TOWN)
    t2 = UnitFactory(region=region, name="二号镇", kind=Unit.Kind.TOWN)
    UnitFactory(region=region, name="三号镇", kind=Unit.Kind.TOWN)  # nothing handed to it
    parent = golden.items["i11"]
    for town, done in ((t1, True), (t2, False)):
        part = WorkItemFactory(plan=golden.plan, parent=parent, lead=town, deadline=date(2023, 6, 20),
                               due_date=date(2023, 6, 20), year=2023)
        if done:
            WorkItem.objects.filter(pk=part.pk).update(
                status="done", completed_on_time=True, completed_at=datetime(2023, 6, 19, 10, tzinfo=SH)
            )
    idle = UnitFactory(region=region, name="区审计局")
    WorkItemFactory(plan=golden.plan, lead=idle, deadline=date(2023, 9, 30), due_date=date(2023, 9, 30), year=2023)
    data = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    towns = [(u["unit"], u["rank"]) for u in data["units"] if u["kind"] == "town"]
    departments = [(u["unit"], u["rank"]) for u in data["units"] if u["kind"] == "department"]
    assert towns == [("一号街道", 1), ("二号镇", 2)]
    assert [rank for _unit, rank in departments] == [1, 2, 3]
    idle_row = {"unit": "区审计局", "unit_id": idle.pk, "kind": "department", "target_shares": 0}
    assert idle_row in data["units_without_due"]
    assert all(u["due"] or u["support"]["due"] for u in data["units"])
    # The plan-wide totals count the broken-down item through its two parts, not the parent too;
    # its lead department is still counted on the parent it holds.
    year = roundup_data(plan=golden.plan, period=Period.year(2023))
    assert year["summary"]["due"] == year_before - 1 + 2 + 1  # - i11, + its parts, + 区审计局's item


def test_roundup_statements_run_without_jit_on_postgresql():
    from tasks.selectors.roundups import without_jit

    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's (runs in the PostgreSQL pass)")
    with connection.cursor() as cursor:
        # The app's connections have JIT off (DATABASE_JIT); a deployment that turns it on keeps it off here.
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SET jit = on")  # undone with the test's transaction
    with without_jit(), connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_item_state_statement_is_compiled_once_and_shared_by_plans():
    from tasks.selectors.roundups import _plan_sql, item_states, states_cte
    from tasks.tests.factories import PlanFactory

    first, second = PlanFactory(), PlanFactory()
    _plan_sql.cache_clear()
    sql_a, params_a = states_cte(plan=first, end=date(2023, 6, 30), due_by=date(2023, 12, 31))
    sql_b, params_b = states_cte(plan=second, end=date(2023, 6, 30), due_by=date(2023, 12, 31))
    assert _plan_sql.cache_info().misses == 1 and _plan_sql.cache_info().hits == 1
    assert sql_a == sql_b
    for plan, sql, params in ((first, sql_a, params_a), (second, sql_b, params_b)):
        own = item_states(plan=plan, end=date(2023, 6, 30), due_by=date(2023, 12, 31)).query.sql_with_params()
        assert own[0] in sql and list(own[1]) == params
