"""Check the unit-name recogniser (``tasks.importers.orgnames``) on the labelled minutes corpus of issue 34.

    python bench/orgnames_check.py [--folder decisions_tune] [--show N]

Recall: of every unit name a label gives as lead or supporting (each distinct name once), the share
``is_unit_name`` accepts, and the share ``unit_list`` keeps whole (a list of one name reads as that one name).
Precision: phrases that are no unit's name, taken from the same documents — the pieces of each labelled decision's
text between punctuation (、，；。：), 2 to 30 characters long, that are no labelled name and hold none — and the share
of them ``is_unit_name`` refuses; and, harder, the subjects the documents' whole texts write before a charging word
(the span of a clause before 要/负责/牵头/配合, 2 to 20 characters: "会议", "全县上下", "各级各部门",
"施工单位", as well as unlabelled units) that are no labelled name and hold none, and the share refused.
Such a piece can still be an unlabelled unit (a collective the label convention leaves out, a party named in
passing), so the precision printed is a lower bound. ``--show`` prints the first N
misses of each kind. Per origin (the held-out folder a tuning document was rotated in from, as
``bench/decisions_by_origin.py`` reads the tuning README): the decisions whose every labelled unit the recogniser
accepts, and the decisions whose whole unit list, written as the label lists it (joined with 、), ``unit_list``
gives back name for name.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tasks.importers.orgnames import is_unit_name, unit_list  # noqa: E402

CORPUS = ROOT / "tasks" / "tests" / "importers"


_SUBJECT = re.compile(r"(?:^|[，,；;。：:\n])([^，,；;。：:\n、]{2,20}?)(?:要|负责|牵头|配合)")


def corpus(folder: str) -> tuple[set[str], set[str], set[str]]:
    names: set[str] = set()
    phrases: set[str] = set()
    subjects: set[str] = set()
    labelled = sorted((CORPUS / folder).glob("*.labels.json"))
    for path in labelled:
        data = json.loads(path.read_text(encoding="utf-8"))
        for decision in data["decisions"]:
            names.update(re.sub(r"\s+", "", u) for u in decision["lead"] + decision["supporting"])
    for path in labelled:
        data = json.loads(path.read_text(encoding="utf-8"))
        for decision in data["decisions"]:
            for piece in re.split(r"[、，,；;。：:！!？?\s]", decision["text"]):
                piece = piece.strip("“”\"'()（）")
                if 2 <= len(piece) <= 30 and not any(n in piece for n in names):
                    phrases.add(piece)
        text = (path.parent / data["file"]).read_text(encoding="utf-8")
        for m in _SUBJECT.finditer(text):
            span = m.group(1).strip()
            if len(span) >= 2 and not any(n in span or span in n for n in names):
                subjects.add(span)
    return names, phrases, subjects


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default="decisions_tune")
    parser.add_argument("--show", type=int, default=0)
    args = parser.parse_args(argv)
    names, phrases, subjects = corpus(args.folder)
    accepted = [n for n in names if is_unit_name(n)]
    whole = [n for n in names if unit_list(n) == [n]]
    refused = [p for p in phrases if not is_unit_name(p)]
    print(f"recall     is_unit_name {len(accepted)}/{len(names)} = {len(accepted) / len(names):.3f}   "
          f"unit_list keeps whole {len(whole)}/{len(names)} = {len(whole) / len(names):.3f}")
    print(f"precision  non-unit phrases refused {len(refused)}/{len(phrases)} = {len(refused) / len(phrases):.3f}")
    refused_subjects = [s for s in subjects if not is_unit_name(s)]
    print(f"precision  subjects before 要/负责/牵头/配合 refused {len(refused_subjects)}/{len(subjects)} = "
          f"{len(refused_subjects) / len(subjects):.3f} (some are unlabelled units)")
    if args.show:
        print("subjects accepted:", sorted(set(subjects) - set(refused_subjects))[: args.show])
        print("names not accepted:", sorted(set(names) - set(accepted))[: args.show])
        print("names split or refused by unit_list:",
              [(n, unit_list(n)) for n in sorted(set(names) - set(whole))][: args.show])
        print("phrases accepted:", sorted(set(phrases) - set(refused))[: args.show])
    by_origin(args.folder)
    return 0


def by_origin(folder: str) -> None:
    from bench.decisions_by_origin import origins

    where = origins()
    rows: dict[str, list[int]] = {}
    for path in sorted((CORPUS / folder).glob("*.labels.json")):
        origin = where.get(path.name.removesuffix(".labels.json"), "tuning (sessions 16-17)")
        for decision in json.loads(path.read_text(encoding="utf-8"))["decisions"]:
            units = [re.sub(r"\s+", "", u) for u in decision["lead"] + decision["supporting"]]
            row = rows.setdefault(origin, [0, 0, 0])
            row[0] += 1
            row[1] += all(is_unit_name(u) for u in units)
            row[2] += all(unit_list("、".join(group)) == group for group in (decision["lead"], decision["supporting"])
                          if group)
    print(f"{'origin':26s} {'decisions':>9s} {'all names read':>15s} {'lists given back':>17s}")
    for origin in sorted(rows, key=lambda f: (not f.startswith("tuning"), int(re.sub(r"\D", "", f) or 1))):
        n, named, listed = rows[origin]
        print(f"{origin:26s} {n:9d} {named:9d} ({named / n:.2f}) {listed:10d} ({listed / n:.2f})")


if __name__ == "__main__":
    sys.exit(main())
