"""What the two corpus scorers share (``table_score.py`` for issue 33's tables, ``decisions_score.py`` for
issue 34's minutes): reading a labelled text without its leading number, matching labelled entries to what
the importer found (one to one, best text match first), and unit sets compared as normalised names.

Each scorer keeps its own normalisation (``norm``) and its own similarity rule; they pass them in."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

_NUMBER = re.compile(
    r"^(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+(?:\.\d+)*[、.．,，]?|[①-⑳])")


def without_number(text: str) -> str:
    """``text`` without a leading number ("1、", "(一)", "57.", "①"; two of them, as in "一、1.")."""
    for _ in range(2):
        m = _NUMBER.match(text)
        if not m or m.end() == len(text):
            break
        text = text[m.end():]
    return text


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def bigram_overlap(label: str, predicted: str) -> float:
    """The character-bigram overlap (Dice) of ``label`` with the start of ``predicted`` (twice its length)."""
    x, y = _bigrams(label), _bigrams(predicted[: max(len(label) * 2, 8)])
    return 2 * len(x & y) / (len(x) + len(y))


def match(labels: Sequence[str], predicted: Sequence[str], similarity: Callable[[str, str], float],
          minimum: float) -> dict[int, int]:
    """Labelled index -> predicted index, one to one, best pairs first (ties: the earlier label and
    prediction), pairs below ``minimum`` never."""
    pairs = []
    for i, label in enumerate(labels):
        for j, text in enumerate(predicted):
            s = similarity(label, text)
            if s >= minimum:
                pairs.append((s, -i, -j, i, j))
    pairs.sort(reverse=True)
    used_l, used_p, out = set(), set(), {}
    for _s, _a, _b, i, j in pairs:
        if i not in used_l and j not in used_p:
            out[i] = j
            used_l.add(i)
            used_p.add(j)
    return out


def unit_set(units: Sequence[str], norm: Callable[[str], str]) -> frozenset[str]:
    """The unit names as a set of normalised names (empty ones dropped)."""
    return frozenset(n for n in (norm(u) for u in units) if n)


def entry_problems(entry, k: int, noun: str, norm: Callable[[str], str],
                   norm_text: Callable[[str], str]) -> list[str]:
    """What is wrong with labelled entry ``k`` (a task or a decision): a text, lead and supporting lists of
    unit names, at least one lead, no unit both lead and supporting. Empty when it is well formed."""
    if not isinstance(entry, dict) or not isinstance(entry.get("text"), str) or not norm_text(entry["text"]):
        return [f"{noun} {k}: text missing"]
    problems = []
    for role in ("lead", "supporting"):
        units = entry.get(role)
        if not isinstance(units, list) or not all(isinstance(u, str) and norm(u) for u in units):
            problems.append(f"{noun} {k}: {role} must be a list of unit names")
    lead, supporting = entry.get("lead"), entry.get("supporting")
    if isinstance(lead, list) and not lead:
        problems.append(f"{noun} {k}: no lead unit")
    if isinstance(lead, list) and isinstance(supporting, list) and unit_set(lead, norm) & unit_set(supporting, norm):
        problems.append(f"{noun} {k}: a unit is both lead and supporting")
    return problems


def documents(folder, load_labels: Callable) -> list:
    """(document path, labels) for every ``*.labels.json`` of ``folder``, in name order."""
    return [(folder / lab["file"], lab) for lab in (load_labels(p) for p in sorted(folder.glob("*.labels.json")))]


_LIST_SEP = "、，,和及与"
_LEVELS = "省市州区县镇乡"
_LIST_MEMBER = rf"[^{_LIST_SEP}。；;:：！？!?()（）\s]{{1,10}}?"


def quotes_unit(unit: str, flat: str) -> bool:
    """Whether ``flat`` (a document without whitespace) writes ``unit``: verbatim, or as a member of a list whose
    shared tail is written once after the last member ('市、区自然资源局' -> 市自然资源局, '清河、西三旗街道' ->
    清河街道, 'A镇、B镇人民政府' -> A镇人民政府). The member must be written and followed by a list
    separator (、，,和及与), and the tail must follow the list's last member directly or after 等. A level written
    once before the list's first member is each member's ('市发改、经贸等局' -> 市经贸局)."""
    if unit in flat:
        return True
    for cut in range(1, len(unit)):
        member, tail = unit[:cut], unit[cut:]
        pattern = (re.escape(member) + rf"(?:[{_LIST_SEP}]{_LIST_MEMBER})+等?" + re.escape(tail))
        if re.search(pattern, flat):
            return True
        level, bare = member[:1], member[1:]
        if level in _LEVELS and bare:
            pattern = (re.escape(level) + rf"(?:{_LIST_MEMBER}[{_LIST_SEP}])+" + re.escape(bare)
                       + rf"(?:[{_LIST_SEP}]{_LIST_MEMBER})*等?" + re.escape(tail))
            if re.search(pattern, flat):
                return True
    return False
