"""Score the minutes importer on the labelled meeting minutes / 交办 texts of issue 34.

    python bench/decisions_score.py [--set heldout|tune|both] [--json] [--verbose]

Each document of the set's folders under ``tasks/tests/importers/`` (a .txt, .docx or .pdf file with its
``<name>.labels.json``) goes through the importer as ``manage.py import_decisions PATH --year YEAR``
does (``tasks.importers.decisions.read_decisions``: the caps, the reader and the parser), with the
label file's ``year`` (the meeting's year, what the upload form's date gives). A document the importer
refuses scores 0 for every labelled decision and is reported as ``refused: <error>``.

The score (issue 34): per labelled decision, the lead set, the supporting set and the deadline all
right, pooled over decisions (right decisions / labelled decisions). Each labelled decision is matched
to at most one predicted decision, best text match first (the label's text, a prefix of the decision
as written, found in the predicted text; else the highest character-bigram overlap of at least
``MIN_SIMILARITY``). Texts and unit names are compared without whitespace, with full-width brackets read
as half-width; a leading number is ignored. An unmatched labelled decision counts as wrong.

Sets: ``heldout`` is the held-out folders ``decisions_heldout21`` and ``decisions_heldout22`` (collected in
session 22; nobody tuned on them); ``tune`` the tuning half ``decisions_tune`` (which since the session-18 rotation
also holds the 24 documents of the earlier held-out folders ``decisions_heldout``, ``decisions_heldout2`` and
``decisions_heldout3``, and since the session-19 rotations the 15 documents each of ``decisions_heldout4``,
``decisions_heldout5`` and ``decisions_heldout6`` and the 25 of ``decisions_heldout7``, since the
session-20 rotations the 19 of ``decisions_heldout8`` and the 23 of ``decisions_heldout9``, since the
session-21 rotations the 14 of ``decisions_heldout10``, the 12 of ``decisions_heldout11``, the 16 of
``decisions_heldout12`` and the 14 of ``decisions_heldout13``, and since the session-22 rotations the 15 of
``decisions_heldout14``, the 25 of ``decisions_heldout15``, the 14 of ``decisions_heldout16``, the 16 of
``decisions_heldout17``, the 14 of ``decisions_heldout18``, the 19 of ``decisions_heldout19`` and the 13 of
``decisions_heldout20``); ``both`` everything. A rotated folder is no set of its own: its documents are scored with
``tune``. Until ``decisions_heldout21`` and ``decisions_heldout22`` are merged in, ``heldout`` and ``both`` exit 1
naming each missing one (a set folder that holds no labelled document).

Printed: one line per document, the overall score of each folder with "lead right" and "deadline right"
beside it, and, for a set of several folders, the pooled score. Exits 0 whatever the score (the number is the
result, not a pass/fail); 1, naming each such folder, when a set's folder holds no labelled document.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.labelled import bigram_overlap, entry_problems, unit_set, without_number  # noqa: E402
from bench.labelled import documents as labelled_documents  # noqa: E402
from bench.labelled import match as match_texts  # noqa: E402
from tasks.importers.decisions import read_decisions  # noqa: E402
from tasks.importers.document import PlanParseError  # noqa: E402
from tasks.importers.limits import Limits  # noqa: E402

CORPUS = ROOT / "tasks" / "tests" / "importers"
HELDOUT = ("decisions_heldout21", "decisions_heldout22")
SETS = {"heldout": HELDOUT,
        "tune": ("decisions_tune",),
        "both": (*HELDOUT, "decisions_tune")}
DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf", ".doc", ".wps")
MIN_SIMILARITY = 0.5

_SPACE = re.compile(r"\s+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":", "；": ";"})


def norm(text: str) -> str:
    """Whitespace removed, full-width brackets and punctuation read as half-width."""
    return _SPACE.sub("", text or "").translate(_BRACKETS)


def norm_text(text: str) -> str:
    """A decision text for matching: ``norm`` without a leading number."""
    return without_number(norm(text))


def similarity(label: str, predicted: str) -> float:
    """1.0 when the label's text occurs in the predicted text; else the bigram overlap of the label
    with the same-length start of the predicted text."""
    a, b = norm_text(label), norm_text(predicted)
    if not a or not b:
        return 0.0
    if a in b:
        return 1.0
    return bigram_overlap(a, b)


@dataclass
class Predicted:
    text: str
    lead: list[str]
    supporting: list[str]
    deadline: str | None  # ISO


@dataclass
class DocScore:
    name: str
    total: int
    right: int = 0
    lead_right: int = 0
    deadline_right: int = 0
    matched: int = 0
    predicted: int = 0
    refused: str = ""
    seconds: float = 0.0
    wrong: list[dict] = field(default_factory=list)


def match(labels: list[dict], predicted: list[Predicted]) -> dict[int, int]:
    """Labelled decision index -> predicted index, one to one, best pairs first."""
    return match_texts([lab["text"] for lab in labels], [p.text for p in predicted], similarity, MIN_SIMILARITY)


def _set(units: list[str]) -> frozenset[str]:
    return unit_set(units, norm)


def score(name: str, labels: list[dict], predicted: list[Predicted]) -> DocScore:
    """Right = lead set, supporting set and deadline all equal to the label's, for the matched decision."""
    doc = DocScore(name=name, total=len(labels), predicted=len(predicted))
    pairing = match(labels, predicted)
    for i, lab in enumerate(labels):
        j = pairing.get(i)
        if j is None:
            doc.wrong.append({"text": lab["text"], "why": "no matching decision"})
            continue
        doc.matched += 1
        p = predicted[j]
        lead_ok = _set(p.lead) == _set(lab["lead"])
        sup_ok = _set(p.supporting) == _set(lab["supporting"])
        deadline_ok = p.deadline == lab["deadline"]
        doc.lead_right += lead_ok
        doc.deadline_right += deadline_ok
        if lead_ok and sup_ok and deadline_ok:
            doc.right += 1
        else:
            doc.wrong.append({"text": lab["text"], "lead": p.lead, "supporting": p.supporting, "deadline": p.deadline,
                              "want_lead": lab["lead"], "want_supporting": lab["supporting"],
                              "want_deadline": lab["deadline"]})
    return doc


def load_labels(path: Path) -> dict:
    """A labels file, checked: source, year, a document next to it, decisions with text/lead/supporting/deadline."""
    data = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    if not isinstance(data.get("source"), str) or not data["source"].startswith(("http://", "https://")):
        problems.append("source must be the document's address")
    if data.get("year") is not None and not (isinstance(data["year"], int) and 1990 <= data["year"] <= 2100):
        problems.append("year must be a year or null")
    doc = path.parent / str(data.get("file", ""))
    if not data.get("file") or not doc.is_file() or doc.suffix.lower() not in DOCUMENT_SUFFIXES:
        problems.append(f"file {data.get('file')!r} is not a document next to the labels")
    decisions = data.get("decisions")
    if not isinstance(decisions, list) or not decisions:
        problems.append("decisions must be a non-empty list")
    else:
        for k, t in enumerate(decisions, 1):
            found = entry_problems(t, k, "decision", norm, norm_text)
            problems += found
            if found and found[0].endswith("text missing"):
                continue
            deadline = t.get("deadline", "missing")
            if deadline is not None:
                try:
                    date.fromisoformat(str(deadline))
                except ValueError:
                    problems.append(f"decision {k}: deadline must be an ISO date or null")
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return data


def documents(folder: Path) -> list[tuple[Path, dict]]:
    return labelled_documents(folder, load_labels)


def predicted_decisions(parsed) -> list[Predicted]:
    return [Predicted(d["text"], d["lead_units"], d["supporting_units"], d["deadline"])
            for d in parsed.as_json()["items"]]


def score_document(path: Path, labels: dict, limits: Limits | None = None) -> DocScore:
    started = time.perf_counter()
    try:
        parsed = read_decisions(path, year=labels.get("year"), limits=limits or Limits(), name=path.name)
    except PlanParseError as exc:
        doc = DocScore(name=path.name, total=len(labels["decisions"]), refused=exc.message)
        doc.wrong = [{"text": t["text"], "why": "refused"} for t in labels["decisions"]]
    else:
        doc = score(path.name, labels["decisions"], predicted_decisions(parsed))
    doc.seconds = time.perf_counter() - started
    return doc


def summarise(docs: list[DocScore]) -> dict:
    total = sum(d.total for d in docs)

    def rate(n):
        return round(n / total, 3) if total else None
    right, lead, deadline = (sum(getattr(d, k) for d in docs) for k in ("right", "lead_right", "deadline_right"))
    return {"documents": len(docs), "decisions": total, "right": right, "lead_right": lead,
            "deadline_right": deadline, "matched": sum(d.matched for d in docs),
            "refused": sum(1 for d in docs if d.refused),
            "score": rate(right), "lead_score": rate(lead), "deadline_score": rate(deadline)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=sorted(SETS), default="heldout")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--verbose", action="store_true", help="list every wrong decision")
    args = ap.parse_args(argv)
    labelled = {folder: documents(CORPUS / folder) for folder in SETS[args.set]}
    missing = [folder for folder, found in labelled.items() if not found]
    for folder in missing:
        print(f"{folder}: no labelled documents in {CORPUS / folder}", file=sys.stderr)
    if missing:
        return 1
    results = {}
    for folder, found in labelled.items():
        docs = [score_document(p, lab) for p, lab in found]
        results[folder] = (docs, summarise(docs))
    if len(results) > 1:
        all_docs = [d for docs, _ in results.values() for d in docs]
        results["pooled"] = (all_docs, summarise(all_docs))
    if args.json:
        print(json.dumps({k: {"summary": s, "documents": [
            {"name": d.name, "decisions": d.total, "right": d.right, "lead_right": d.lead_right,
             "deadline_right": d.deadline_right, "matched": d.matched, "predicted": d.predicted,
             "refused": d.refused, "seconds": round(d.seconds, 3)} for d in docs]}
            for k, (docs, s) in results.items()}, ensure_ascii=False, indent=1))
        return 0
    for key, (docs, s) in results.items():
        print(f"== {key}")
        if key != "pooled":
            for d in docs:
                state = (f"refused: {d.refused}" if d.refused else
                         f"{d.right}/{d.total} right, {d.matched} matched, {d.predicted} found")
                print(f"  {d.name:34s} {state}  ({d.seconds:.2f}s)")
                if args.verbose:
                    for w in d.wrong:
                        print(f"      wrong: {json.dumps(w, ensure_ascii=False)}")
        print(f"  overall {s['right']:3d}/{s['decisions']:3d} = {s['score']:.3f}   lead {s['lead_score']:.3f}"
              f"   deadline {s['deadline_score']:.3f}   ({s['documents']} documents, {s['refused']} refused)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
