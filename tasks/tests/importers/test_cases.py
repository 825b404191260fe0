"""The case corpus: ``cases/<name>.txt`` parsed and compared with ``cases/<name>.expected.json``.

Only the keys written in the expected file are compared: top-level values exactly; lists
of objects (``key_tasks``, ``work_items``, ``indicators``) by length and, per element, the
keys given; ``warnings`` as the exact list of ``[code, line]`` pairs (sorted); ``units``
as the exact list of unit names. ``_year`` is passed to the parser as ``year``.
"""

import json
from pathlib import Path

import pytest

from tasks.importers import parse_plan_file

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.stem for p in CASES.glob("*.txt"))


def _compare(path: str, got, expected) -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        out = []
        for key, value in expected.items():
            if key not in got:
                out.append(f"{path}.{key}: missing")
            else:
                out += _compare(f"{path}.{key}", got[key], value)
        return out
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):
        if not isinstance(got, list) or len(got) != len(expected):
            n = len(got) if isinstance(got, list) else "?"
            return [f"{path}: expected {len(expected)} items, got {n}: {json.dumps(got, ensure_ascii=False)}"]
        out = []
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            out += _compare(f"{path}[{i}]", g, e)
        return out
    return [] if got == expected else [f"{path}: expected {expected!r}, got {got!r}"]


@pytest.mark.parametrize("name", NAMES)
def test_case(name):
    expected = json.loads((CASES / f"{name}.expected.json").read_text(encoding="utf-8"))
    plan = parse_plan_file(CASES / f"{name}.txt", year=expected.pop("_year", None))
    got = plan.as_json()
    got["warnings"] = sorted([w.code, w.line] for w in plan.warnings)
    if "warnings" in expected:
        expected["warnings"] = sorted(expected["warnings"], key=lambda w: (w[0], w[1] or 0))
        got["warnings"] = sorted(got["warnings"], key=lambda w: (w[0], w[1] or 0))
    problems = _compare(name, got, expected)
    assert not problems, "\n".join(problems) + "\nwarnings: " + json.dumps(
        [w.as_json() for w in plan.warnings], ensure_ascii=False)


def test_every_case_has_an_expected_file():
    assert NAMES
    for name in NAMES:
        assert (CASES / f"{name}.expected.json").exists(), name
