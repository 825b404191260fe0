"""The province bench's target verdicts (``bench.province.target_verdicts``), from rows of a run."""

from __future__ import annotations

from bench.province import OPERATIONS, target_verdicts

SMALL, LARGE = 100_000, 1_000_000


def _rows(**changes) -> list[dict]:
    """A run that meets every target; ``changes`` maps (operation, size) names to fields to change."""
    rows = []
    for op in OPERATIONS:
        for size in (SMALL, LARGE):
            row = {"operation": op, "size": size, "ms": 50.0, "queries": 10, "floor_ms": 20.0, "floor_sum_ms": 30.0}
            if op == "all_roundups":
                row["ms"] = 3_000.0 if size == SMALL else 30_000.0
            row.update(changes.get(f"{op}@{size}", {}))
            rows.append(row)
    rows.append({"operation": "load_all", "size": LARGE, "ms": 640.0, "queries": None, "floor_ms": None,
                 "requests": 2_000, "errors": 0})
    return rows


def _verdicts(rows, **kwargs) -> dict[str, tuple[bool, str]]:
    return {target.split(" (")[0].split(":")[0]: (met, figures) for target, met, figures in
            target_verdicts(rows, **kwargs)}


def test_a_run_that_meets_every_target():
    verdicts = _verdicts(_rows(), tick_ms=29_000)
    assert len(verdicts) == 8
    assert all(met for met, _figures in verdicts.values()), verdicts


def test_each_target_fails_on_its_own_figure():
    cases = {
        "same query count at every size": {"overdue@1000000": {"queries": 11}},
        "1,000,000 ÷ 100,000 ≤ 1.5": {"roundup_month@1000000": {"ms": 80.0, "floor_ms": 40.0}},
        "≤ 3× the SQL floor": {"liaison_home@1000000": {"ms": 61.0, "floor_sum_ms": 40.0},
                               "liaison_home@100000": {"ms": 61.0}},
        "≤ 3× the SQL it runs, every read under EXPLAIN ANALYZE summed": {
            "review@1000000": {"ms": 55.0, "floor_sum_ms": 18.0}, "review@100000": {"ms": 55.0}},
        "province-wide pages under 500 ms": {
            "province_review@1000000": {"ms": 520.0, "floor_ms": 400.0, "floor_sum_ms": 450.0},
            "province_review@100000": {"ms": 500.0}},
        "all roundups under 60 s": {"all_roundups@1000000": {"ms": 61_000.0}},
    }
    for target, changes in cases.items():
        verdicts = _verdicts(_rows(**changes))
        failed = [name for name, (met, _f) in verdicts.items() if not met]
        assert failed == [target], (target, verdicts)
    assert _verdicts(_rows(), tick_ms=61_000)["reminder day's tick under 60 s"][0] is False


def test_load_fails_on_a_slow_p95_or_any_error():
    slow = _rows()
    slow[-1]["ms"] = 1_200.0
    assert _verdicts(slow)["load p95 under 1000 ms, no error"][0] is False
    failing = _rows()
    failing[-1]["errors"] = 1
    assert _verdicts(failing)["load p95 under 1000 ms, no error"][0] is False


def test_the_figures_name_what_missed():
    verdicts = _verdicts(_rows(**{"review@1000000": {"ms": 90.0}, "review@100000": {"ms": 90.0}}))
    met, figures = verdicts["≤ 3× the SQL floor"]
    assert not met and figures == "review 4.5×"


def test_all_roundups_may_ask_fewer_queries_a_plan_at_the_larger_size():
    fewer = _rows(**{"all_roundups@100000": {"queries": 12.0}, "all_roundups@1000000": {"queries": 11.1}})
    assert _verdicts(fewer)["same query count at every size"][0] is True
    more = _rows(**{"all_roundups@100000": {"queries": 11.1}, "all_roundups@1000000": {"queries": 12.0}})
    assert _verdicts(more)["same query count at every size"][0] is False


def test_an_in_process_send_is_not_held_to_constant_queries():
    rows = _rows(**{"reminders_send@1000000": {"queries": 40_000}})
    assert _verdicts(rows)["same query count at every size"][0] is True  # one set per digest, no Celery
    assert _verdicts(rows, tick_ms=29_000)["same query count at every size"][0] is False


def test_a_load_test_that_answered_nothing_is_not_met():
    rows = _rows()
    rows[-1].update(ms=None, requests=0)
    met, figures = _verdicts(rows)["load p95 under 1000 ms, no error"]
    assert not met and figures == "p95 - ms, 0 errors, 0 requests"


def test_every_coordinator_per_request_is_held_to_growth_not_to_one_floor():
    grown = _verdicts(_rows(**{"all_coordinators@1000000": {"ms": 80.0}}))
    assert grown["1,000,000 ÷ 100,000 ≤ 1.5"] == (False, "worst all_coordinators 1.60")
    assert grown["≤ 3× the SQL floor"][0] is True  # 80 ms a request against one statement of the whole round


def test_the_sum_of_reads_is_judged_only_where_the_run_measured_it():
    rows = _rows()
    for row in rows:
        row.pop("floor_sum_ms", None)
    assert "≤ 3× the SQL it runs, every read under EXPLAIN ANALYZE summed" not in _verdicts(rows)
    met, figures = _verdicts(_rows(**{"dashboard@1000000": {"ms": 100.0, "floor_sum_ms": 25.0, "floor_ms": 40.0},
                                      "dashboard@100000": {"ms": 100.0}}))[
        "≤ 3× the SQL it runs, every read under EXPLAIN ANALYZE summed"]
    assert not met and figures == "dashboard 4.0×"


def test_reminders_delivered_is_held_to_60_s_at_the_largest_size():
    def delivered(ms: float) -> list[dict]:
        return _rows() + [
            {"operation": "reminders_delivered", "size": SMALL, "ms": 5_000.0,
             "delivered": {"email": 1, "dingtalk": 1}},
            {"operation": "reminders_delivered", "size": LARGE, "ms": ms, "delivered": {"email": 9, "dingtalk": 9}},
        ]

    target = "reminders delivered"
    assert _verdicts(delivered(59_000.0))[target][0] is True
    met, figures = _verdicts(delivered(61_000.0))[target]
    assert met is False and "61.0 s" in figures and "'dingtalk': 9" in figures
    assert target not in _verdicts(_rows())  # a run without --celery does not claim it
