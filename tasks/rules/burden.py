"""What the app asks of a unit (基层减负): the kinds of item, when evidence is required, how asks add up.

The 2024 rules on relieving grassroots burden forbid asking a unit for the same material twice and forcing
uploads where none is needed. Evidence is optional unless the plan requires it for the item's kind, and
then only once: evidence already on file for the item satisfies it. The asks are counted per unit and
month beside the unit's results, never scored or ranked (``selectors.burden``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# The kinds of item a plan may require evidence for: its own list, a part handed down (分解交办), a
# meeting's decision (会议纪要) and a leader's instruction (领导批示).
PLAN_ITEM, PART, MEETING, INSTRUCTION = "plan", "part", "meeting", "instruction"
ITEM_KINDS = (PLAN_ITEM, PART, MEETING, INSTRUCTION)

# The counts of ``selectors.burden.unit_asks``, in the order the pages show them. ``asked_twice`` is a
# subset of the others (a request or reminder for material already given), so it is not added to the total.
REPORTS, EVIDENCE, REMINDERS, NOTICES, SIGN_CHASES, ASKED_TWICE = (
    "reports_requested", "evidence_demanded", "reminders", "notices", "sign_chases", "asked_twice",
)
ASK_KINDS = (REPORTS, EVIDENCE, REMINDERS, NOTICES, SIGN_CHASES)
COUNTS = (*ASK_KINDS, ASKED_TWICE)


def item_kind(*, origin: str, is_part: bool) -> str:
    """The evidence kind of an item: a part (a sub-item handed down) whatever its origin, else its origin."""
    if is_part:
        return PART
    return origin if origin in (MEETING, INSTRUCTION) else PLAN_ITEM


def evidence_required(*, kind: str, required_kinds: Iterable[str]) -> bool:
    """Whether a close request (申请办结) of an item of ``kind`` must carry evidence under the plan's setting."""
    return kind in set(required_kinds)


def evidence_demanded(*, required: bool, on_file: bool) -> bool:
    """Whether the unit must upload evidence now: required, and none given for the item before (ask once)."""
    return required and not on_file


def total_asks(row: Mapping[str, int]) -> int:
    """Every ask of a unit in a month (``asked_twice`` is counted inside the others)."""
    return sum(row.get(k, 0) for k in ASK_KINDS)
