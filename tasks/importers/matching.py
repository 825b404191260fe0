"""Names and identities shared by the import preview (a read) and the import (a write): pure functions.

How names compare, which target-table indicator a work list's indicator name means, and the stable
key of an imported work item. No database here, so the preview and the import agree without one
importing the other.
"""

from __future__ import annotations

import hashlib
from difflib import SequenceMatcher

from . import messages as msgs
from .document import ParsedPlan, ParsedWorkItem
from .messages import Issue

# Below this similarity a work list's indicator is not linked to a target-table indicator.
INDICATOR_MATCH_THRESHOLD = 0.6
# Warnings about a unit name: the admin links them to the units list filtered by that name.
UNIT_WARNINGS = frozenset({"unit_not_in_list", "unit_doubtful_match", "unit_created", "collective_not_expanded"})


def normalise_name(name: str) -> str:
    """Names compare without spaces and with half-width brackets."""
    return name.replace(" ", "").replace("（", "(").replace("）", ")").strip()


def work_item_key(indicator_name: str, text: str) -> str:
    """Stable identity of an imported work item within its plan and year."""
    return hashlib.sha1(f"{normalise_name(indicator_name)}|{normalise_name(text)}".encode()).hexdigest()[:32]


def work_item_keys(parsed: ParsedPlan) -> list[str]:
    """The import key of each of ``parsed.work_items``, in order.

    The same work under the same indicator twice in one year (it happens in long lists)
    gets a numbered key for its second and later occurrences, so each stays its own item.
    """
    seen: dict[tuple[int, str], int] = {}
    keys = []
    for pw in parsed.work_items:
        key = work_item_key(pw.indicator, pw.text)
        seen[(pw.year, key)] = n = seen.get((pw.year, key), 0) + 1
        keys.append(key if n == 1 else work_item_key(pw.indicator, f"{pw.text}#{n}"))
    return keys


def match_indicator(name: str, indicators: list) -> tuple:
    """The target-table indicator (an Indicator or a ParsedIndicator) a work list's indicator name means,
    with its similarity."""
    key = _strip_measure(name)
    best, score = None, 0.0
    for indicator in indicators:
        ratio = SequenceMatcher(None, key, _strip_measure(indicator.name)).ratio()
        if ratio > score:
            best, score = indicator, ratio
    return (best, score) if score >= INDICATOR_MATCH_THRESHOLD else (None, score)


def indicator_not_matched_warning(pw: ParsedWorkItem) -> dict:
    return {
        "code": "indicator_not_matched",
        "line": pw.line,
        "message": Issue(msgs.INDICATOR_NOT_MATCHED, indicator=pw.indicator),
    }


def unmatched_indicator_warnings(parsed: ParsedPlan) -> list[dict]:
    """The warnings the import will add for work-list indicators missing from the target table (no database)."""
    out, seen = [], set()
    for pw in parsed.work_items:
        if pw.indicator and pw.indicator not in seen:
            seen.add(pw.indicator)
            if match_indicator(pw.indicator, parsed.indicators)[0] is None:
                out.append(indicator_not_matched_warning(pw))
    return out


def _strip_measure(name: str) -> str:
    name = normalise_name(name)
    cut = name.find("(")
    return name[:cut] if cut > 0 else name
