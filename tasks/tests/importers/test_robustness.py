"""Damaged documents end in a plan or a PlanParseError, never in a traceback."""

import random
from pathlib import Path

from tasks.importers import PlanParseError, parse_plan_text

SOURCES = sorted((Path(__file__).parent / "cases").glob("*.txt")) + sorted(
    (Path(__file__).resolve().parents[4] / "shared" / "plans").glob("*.txt"))


def _damaged(rng: random.Random, texts: list[str]) -> str:
    t = rng.choice(texts)
    op = rng.randrange(5)
    if op == 0:  # cut off
        return t[: rng.randrange(len(t))]
    if op == 1:  # lines out of order
        lines = t.split("\n")
        rng.shuffle(lines)
        return "\n".join(lines)
    if op == 2:  # a piece missing
        i = rng.randrange(len(t))
        return t[:i] + t[i + rng.randrange(200):]
    if op == 3:  # stray separators and brackets
        chars = list(t)
        for _ in range(20):
            chars[rng.randrange(len(chars))] = rng.choice("\t|（）()、:：。\n1一")
        return "".join(chars)
    other = rng.choice(texts)
    return t + other[rng.randrange(len(other)):]


def test_damaged_documents_never_raise_anything_but_plan_parse_error():
    texts = [p.read_text(encoding="utf-8") for p in SOURCES]
    rng = random.Random(20230427)
    for _ in range(300):
        text = _damaged(rng, texts)
        try:
            parse_plan_text(text, source="damaged.txt", year=rng.choice([None, 2023]))
        except PlanParseError as exc:
            assert "damaged.txt" in str(exc)
