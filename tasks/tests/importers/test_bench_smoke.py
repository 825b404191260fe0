"""The benchmark's generated plan parses completely (the timing itself is bench/parser_bench.py)."""

import importlib.util
from pathlib import Path

from tasks.importers import parse_plan_text

BENCH = Path(__file__).resolve().parents[3] / "bench" / "parser_bench.py"


def _generate(pages: int) -> str:
    spec = importlib.util.spec_from_file_location("parser_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(pages)


def test_generated_plan_parses_every_task_and_item():
    text = _generate(20)
    plan = parse_plan_text(text, source="bench.txt")
    numbers = [t.number for t in plan.key_tasks]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 50
    assert all(t.lead_units == ["市住建局"] for t in plan.key_tasks)
    assert len(plan.work_items) == 2 * len(numbers)
    assert all(w.key_task is not None for w in plan.work_items)
    assert len([u for u in plan.units if u.listed]) == 15
    assert {w.code for w in plan.warnings} <= {"doubtful_link"}


def _module():
    spec = importlib.util.spec_from_file_location("parser_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mixed_plan_reads_every_table_task_in_each_layout():
    module = _module()
    text = module.generate_mixed(60)
    prose = parse_plan_text(module.generate(20), source="prose.txt")
    plan = parse_plan_text(text, source="mixed.txt")
    table_tasks = plan.key_tasks[len(prose.key_tasks):]
    assert len(table_tasks) >= 4 * 40  # four tables of 40 rows, one per layout, at least
    assert all(t.lead_units for t in plan.key_tasks)
    # A lead cell left empty ("same as above") takes the lead of the row above, which may be a sub-row's.
    assert sum("市住建局" in t.lead_units for t in table_tasks) >= 0.9 * len(table_tasks)
    assert all(t.title.startswith(tuple(x[0] for x in module.TOPICS)) for t in table_tasks)
