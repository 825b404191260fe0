"""Damaged documents end in a plan or a PlanParseError, never in a traceback."""

import random
from pathlib import Path

from tasks.importers import PlanParseError, parse_plan_text

SOURCES = sorted((Path(__file__).parent / "cases").glob("*.txt")) + sorted(
    (Path(__file__).resolve().parents[4] / "shared" / "plans").glob("*.txt"))


def _table_damage(rng: random.Random, t: str) -> str:
    """Damage a table's rows: cells missing, columns shifted, a header cell lost, rows cut short."""
    lines = t.split("\n")
    rows = [i for i, line in enumerate(lines) if "|" in line or "\t" in line or "    " in line]
    if not rows:
        return t
    for i in rng.sample(rows, min(len(rows), rng.randint(1, 6))):
        sep = "|" if "|" in lines[i] else ("\t" if "\t" in lines[i] else "    ")
        cells = lines[i].split(sep)
        kind = rng.randrange(4)
        if kind == 0 and len(cells) > 1:  # a cell missing
            del cells[rng.randrange(len(cells))]
        elif kind == 1:  # shifted right by an empty cell
            cells.insert(rng.randrange(len(cells) + 1), "")
        elif kind == 2:  # cut short
            cells = cells[: rng.randint(1, len(cells))]
        else:  # two cells swapped
            a, b = rng.randrange(len(cells)), rng.randrange(len(cells))
            cells[a], cells[b] = cells[b], cells[a]
        lines[i] = sep.join(cells)
    return "\n".join(lines)


def _damaged(rng: random.Random, texts: list[str]) -> str:
    t = rng.choice(texts)
    op = rng.randrange(7)
    if op >= 5:  # table damage (twice as likely: the table layouts are the newest code)
        return _table_damage(rng, t)
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
    for _ in range(400):
        text = _damaged(rng, texts)
        try:
            parse_plan_text(text, source="damaged.txt", year=rng.choice([None, 2023]))
        except PlanParseError as exc:
            assert "damaged.txt" in str(exc)


TABLE_CASES = sorted(p for p in (Path(__file__).parent / "cases").glob("table_*.txt"))


def test_damaged_tables_are_still_read_not_refused():
    """A table with cells missing or shifted is never refused, and on average keeps most of its tasks
    with lead units."""
    rng = random.Random(13)
    for path in TABLE_CASES:
        text = path.read_text(encoding="utf-8")
        whole = len(parse_plan_text(text, source=path.name).key_tasks)
        kept = []
        for _ in range(10):
            plan = parse_plan_text(_table_damage(rng, text), source=path.name)
            with_leads = [t for t in plan.key_tasks if t.lead_units]
            assert with_leads, path.name
            kept.append(len(with_leads))
        assert sum(kept) / len(kept) >= whole / 2, (path.name, kept)


def test_superscript_and_other_non_decimal_digits_are_text_not_a_traceback():
    """"²" and "①" are digits to ``str.isdigit`` but not numbers to ``int``: a row number written so is
    read as text (or refused with a PlanParseError), never a ValueError."""
    seen = 0
    for path in SOURCES:
        lines = path.read_text(encoding="utf-8").split("\n")
        numbered = [i for i, line in enumerate(lines) if line.strip().isascii() and line.strip().isdigit()]
        if not numbered:
            continue
        seen += 1
        for odd in ("²", "³", "①"):
            damaged = [odd if i in numbered[:3] else line for i, line in enumerate(lines)]
            try:
                parse_plan_text("\n".join(damaged), source=path.name)
            except PlanParseError as exc:
                assert path.name in str(exc)
    assert seen  # some documents lay a table out one cell per line
