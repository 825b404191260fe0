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
