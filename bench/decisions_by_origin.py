"""The tuning half of the issue-34 minutes corpus scored per origin, with the session-21 components on and off.

    python bench/decisions_by_origin.py [--json]

Each document of ``tasks/tests/importers/decisions_tune/`` came either as tuning material (sessions 16-17) or
from one of the held-out folders rotated in after being scored once (``decisions_heldout`` .. ``decisions_heldout10``);
the tuning README names the files each rotation moved. Per origin this prints the labelled decisions and how many
``bench/decisions_score.py``'s rule counts right (lead set, supporting set and deadline) with the parser as it is,
then with each general component of session 21 switched off (monkeypatched to do nothing) and with all of them
off: the unit-name recogniser in unit lists (``names``: joined names split, 等…部门 tails, phrases that name no
unit), a letter's addressees (``addressees``), a clause opening with the next unit charged (``in_turn``) and an
agreement to sign (``agreement``), the units a clause ensures do their work by a date (``ensured``).
"carried" is how many decisions are right only with the components on; a negative number would be decisions
they break.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.decisions_score import CORPUS, documents, score_document  # noqa: E402
from tasks.importers import decisions as parser  # noqa: E402

TUNE = CORPUS / "decisions_tune"
COMPONENTS = {
    "names": {"_joined_names": lambda unit: [unit], "trim_etc": lambda span: span,
              "names_no_unit": lambda phrase: False},
    "addressees": {"addressees": lambda text: []},
    "in_turn": {"_led_by": lambda clause: []},
    "agreement": {"_agreed_by": lambda clause: []},
    "ensured": {"_ensured": lambda clause: []},
}


def origins() -> dict[str, str]:
    """File stem -> the held-out folder it was rotated in from, as the tuning README lists them."""
    readme = (TUNE / "README.md").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for bullet in re.split(r"\n\* ", readme):
        # a bullet names its folder(s); the session-18 one lists three, each as "(from `folder`) names"
        parts = re.split(r"\(from\s+`(decisions_heldout\d*)`\)", bullet)
        if len(parts) > 1:
            for folder, names in zip(parts[1::2], parts[2::2], strict=True):
                for stem in re.findall(r"[a-z0-9]+(?:_[a-z0-9]+)+", names.replace("\n", " ")):
                    out.setdefault(stem, folder)
            continue
        folder = re.search(r"the\s+folder\s+`(decisions_heldout\d*)`", bullet)
        moved = bullet.split("moved files are", 1)
        if folder and len(moved) == 2:
            listed = re.split(r"\.\s", moved[1].replace("\n", " "), maxsplit=1)[0]
            for stem in re.findall(r"[a-z0-9]+(?:_[a-z0-9]+)+", listed):
                out.setdefault(stem, folder.group(1))
    return out


def run(off: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """Per document name: (right, labelled) with the named components off."""
    with ExitStack() as stack:
        for component in off:
            for attr, stand_in in COMPONENTS[component].items():
                stack.enter_context(mock.patch.object(parser, attr, stand_in))
        return {path.name: (doc.right, doc.total)
                for path, labels in documents(TUNE) for doc in [score_document(path, labels)]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    where = origins()
    runs = {"on": run(), **{f"-{c}": run((c,)) for c in COMPONENTS}, "all off": run(tuple(COMPONENTS))}
    folders: dict[str, dict[str, list[int]]] = {}
    for name in runs["on"]:
        folder = where.get(name.rsplit(".", 1)[0], "tuning (sessions 16-17)")
        for key, result in runs.items():
            acc = folders.setdefault(folder, {}).setdefault(key, [0, 0])
            acc[0] += result[name][0]
            acc[1] += result[name][1]
    order = sorted(folders, key=lambda f: (not f.startswith("tuning"), int(re.sub(r"\D", "", f) or 1)))
    if args.json:
        print(json.dumps({f: folders[f] for f in order}, ensure_ascii=False, indent=1))
        return 0
    keys = list(runs)
    print(f"{'origin':26s} {'labelled':>8s} " + " ".join(f"{k:>12s}" for k in keys) + f" {'carried':>8s}")
    for folder in [*order, "total"]:
        rows = folders[folder] if folder != "total" else {
            k: [sum(folders[f][k][0] for f in order), sum(folders[f][k][1] for f in order)] for k in keys}
        print(f"{folder:26s} {rows['on'][1]:8d} " + " ".join(f"{rows[k][0]:12d}" for k in keys)
              + f" {rows['on'][0] - rows['all off'][0]:8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
