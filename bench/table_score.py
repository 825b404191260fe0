"""Score the importer on the labelled task-breakdown tables of issue 33.

    python bench/table_score.py [--set heldout|tune|both] [--json] [--verbose]

Each document of ``tasks/tests/importers/tables_<set>/`` (a .txt, .xlsx or .csv file with its
``<name>.labels.json``) goes through the importer exactly as an upload does
(``tasks.importers.limits.read_and_parse``: the reader, the caps and the parser). A document the
importer refuses (an unsupported format, "no task found", a cap) scores 0 for every labelled task
and is reported as ``refused: <error>``.

The score (issue 33): per labelled task, the lead set and the supporting set both exactly right,
pooled over tasks (right tasks / labelled tasks). Predicted tasks are the plan's key tasks and work
items; each labelled task is matched to at most one of them, best text match first: the label's
text (a prefix of the task as written) found in the predicted task's title or text, else the
highest character-bigram overlap of at least ``MIN_SIMILARITY``. Texts and unit names are compared
without whitespace, with full-width brackets read as half-width; a leading number ("1、", "(一)",
"57.", "①") is ignored. An unmatched labelled task counts as wrong.

Printed: one line per document, then per-form and overall scores (also "lead right": the lead set
alone). Always exits 0: the number is the result, not a pass/fail.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.labelled import bigram_overlap, entry_problems, unit_set, without_number  # noqa: E402
from bench.labelled import documents as labelled_documents  # noqa: E402
from bench.labelled import match as match_texts  # noqa: E402
from tasks.importers.document import PlanParseError  # noqa: E402
from tasks.importers.limits import Limits, read_and_parse  # noqa: E402

CORPUS = ROOT / "tasks" / "tests" / "importers"
SETS = {"heldout": ("tables_heldout",), "tune": ("tables_tune",), "both": ("tables_heldout", "tables_tune")}
FORMS = ("table_text", "cell_per_line", "pdf_columns", "spreadsheet")
DOCUMENT_SUFFIXES = (".txt", ".xlsx", ".xls", ".csv", ".et", ".docx", ".pdf")
MIN_SIMILARITY = 0.5

_SPACE = re.compile(r"\s+")
_BRACKETS = str.maketrans({"（": "(", "）": ")"})


def norm(text: str) -> str:
    """Whitespace removed, full-width round brackets read as half-width."""
    return _SPACE.sub("", text or "").translate(_BRACKETS)


def norm_text(text: str) -> str:
    """A task text for matching: ``norm`` without a leading number."""
    return without_number(norm(text))


def similarity(label: str, predicted: str) -> float:
    """1.0 when the label's text occurs in the predicted text; else the bigram overlap of the label
    with the same-length start of the predicted text (a label is a prefix of the task as written)."""
    a, b = norm_text(label), norm_text(predicted)
    if not a or not b:
        return 0.0
    if a in b or (len(b) >= 4 and b in a):
        return 1.0
    return bigram_overlap(a, b)


@dataclass
class Predicted:
    text: str
    lead: list[str]
    supporting: list[str]


@dataclass
class DocScore:
    name: str
    form: str
    total: int
    right: int = 0
    lead_right: int = 0
    matched: int = 0
    refused: str = ""
    seconds: float = 0.0
    wrong: list[dict] = field(default_factory=list)


def predicted_tasks(plan) -> list[Predicted]:
    """Every task-like row the importer produced: key tasks, then work items."""
    out = [Predicted(f"{k.title}\n{k.text}", list(k.lead_units), list(k.supporting_units)) for k in plan.key_tasks]
    out += [Predicted(w.text, list(w.lead_units), list(w.supporting_units)) for w in plan.work_items]
    return out


def match(labels: list[dict], predicted: list[Predicted]) -> dict[int, int]:
    """Labelled task index -> predicted index, one to one, best pairs first."""
    return match_texts([lab["text"] for lab in labels], [p.text for p in predicted], similarity, MIN_SIMILARITY)


def _set(units: list[str]) -> frozenset[str]:
    return unit_set(units, norm)


def score(name: str, form: str, labels: list[dict], predicted: list[Predicted]) -> DocScore:
    """Right = lead set and supporting set both equal to the label's, for the matched prediction."""
    doc = DocScore(name=name, form=form, total=len(labels))
    pairing = match(labels, predicted)
    for i, lab in enumerate(labels):
        j = pairing.get(i)
        if j is None:
            doc.wrong.append({"text": lab["text"], "why": "no matching task"})
            continue
        doc.matched += 1
        p = predicted[j]
        lead_ok = _set(p.lead) == _set(lab["lead"])
        sup_ok = _set(p.supporting) == _set(lab["supporting"])
        doc.lead_right += lead_ok
        if lead_ok and sup_ok:
            doc.right += 1
        else:
            doc.wrong.append({"text": lab["text"], "lead": p.lead, "supporting": p.supporting,
                              "want_lead": lab["lead"], "want_supporting": lab["supporting"]})
    return doc


def load_labels(path: Path) -> dict:
    """A labels file, checked: source, form, a document next to it, tasks with text/lead/supporting."""
    data = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    if not isinstance(data.get("source"), str) or not data["source"].startswith(("http://", "https://")):
        problems.append("source must be the document's address")
    if data.get("form") not in FORMS:
        problems.append(f"form must be one of {', '.join(FORMS)}")
    doc = path.parent / str(data.get("file", ""))
    if not data.get("file") or not doc.is_file() or doc.suffix.lower() not in DOCUMENT_SUFFIXES:
        problems.append(f"file {data.get('file')!r} is not a document next to the labels")
    tasks = data.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        problems.append("tasks must be a non-empty list")
    else:
        for k, t in enumerate(tasks, 1):
            problems += entry_problems(t, k, "task", norm, norm_text)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return data


def documents(folder: Path) -> list[tuple[Path, dict]]:
    return labelled_documents(folder, load_labels)


def score_document(path: Path, labels: dict, limits: Limits | None = None) -> DocScore:
    name = path.name
    started = time.perf_counter()
    try:
        _text, plan = read_and_parse(path, source=name, limits=limits or Limits())
    except PlanParseError as exc:
        doc = DocScore(name=name, form=labels["form"], total=len(labels["tasks"]), refused=str(exc))
        doc.wrong = [{"text": t["text"], "why": "refused"} for t in labels["tasks"]]
    else:
        doc = score(name, labels["form"], labels["tasks"], predicted_tasks(plan))
    doc.seconds = time.perf_counter() - started
    return doc


def summarise(docs: list[DocScore]) -> dict:
    def pooled(ds):
        total = sum(d.total for d in ds)
        right = sum(d.right for d in ds)
        lead = sum(d.lead_right for d in ds)
        return {"documents": len(ds), "tasks": total, "right": right, "lead_right": lead,
                "refused": sum(1 for d in ds if d.refused),
                "score": round(right / total, 3) if total else None,
                "lead_score": round(lead / total, 3) if total else None}
    by_form = {f: pooled([d for d in docs if d.form == f]) for f in FORMS if any(d.form == f for d in docs)}
    return {"overall": pooled(docs), "by_form": by_form}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=sorted(SETS), default="heldout")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--verbose", action="store_true", help="list every wrong task")
    args = ap.parse_args(argv)
    results = {}
    for folder in SETS[args.set]:
        docs = [score_document(p, lab) for p, lab in documents(CORPUS / folder)]
        results[folder] = (docs, summarise(docs))
    if len(results) > 1:
        all_docs = [d for docs, _ in results.values() for d in docs]
        results["both"] = (all_docs, summarise(all_docs))
    if args.json:
        print(json.dumps({k: {"summary": s, "documents": [
            {"name": d.name, "form": d.form, "tasks": d.total, "right": d.right, "lead_right": d.lead_right,
             "matched": d.matched, "refused": d.refused, "seconds": round(d.seconds, 3)} for d in docs]}
            for k, (docs, s) in results.items()}, ensure_ascii=False, indent=1))
        return 0
    for key, (docs, summary) in results.items():
        print(f"== {key}")
        if key != "both":
            for d in docs:
                state = f"refused: {d.refused}" if d.refused else f"{d.right}/{d.total} right, {d.matched} matched"
                print(f"  {d.name:36s} {d.form:14s} {state}  ({d.seconds:.2f}s)")
                if args.verbose:
                    for w in d.wrong:
                        print(f"      wrong: {json.dumps(w, ensure_ascii=False)}")
        for form, s in summary["by_form"].items():
            print(f"  {form:14s} {s['right']:3d}/{s['tasks']:3d} = {s['score']:.3f}   lead {s['lead_score']:.3f}"
                  f"   ({s['documents']} documents, {s['refused']} refused)")
        o = summary["overall"]
        print(f"  {'overall':14s} {o['right']:3d}/{o['tasks']:3d} = {o['score']:.3f}   lead {o['lead_score']:.3f}"
              f"   ({o['documents']} documents, {o['refused']} refused)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
