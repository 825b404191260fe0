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
# ``undelivered`` counts the reminders and 督办单 queued for the unit that never reached it (every message of
# theirs failed or was given up): shown apart, in no other count and not in the total (``ask_fate``).
REPORTS, EVIDENCE, REMINDERS, NOTICES, SIGN_CHASES, ASKED_TWICE, UNDELIVERED = (
    "reports_requested", "evidence_demanded", "reminders", "notices", "sign_chases", "asked_twice", "undelivered",
)
ASK_KINDS = (REPORTS, EVIDENCE, REMINDERS, NOTICES, SIGN_CHASES)
COUNTS = (*ASK_KINDS, ASKED_TWICE, UNDELIVERED)

# An ask sent through the outbox (a reminder digest, a 督办单): what became of it.
REACHED, FAILED, PENDING = "reached", "failed", "pending"


def ask_fate(*, messages: int, reached: int, in_flight: int) -> str:
    """What became of an ask, from its outbox messages (to any of the unit's people, on any channel): ``reached``
    when one of them reached its person (delivered, or sent on a channel that reports no delivery: the outbox's
    ``_reached``), ``pending`` while one is still on its way (queued, sending, or sent and awaiting the
    provider's report), else ``failed`` (failed, given up, uncertain). An ask with no message at all was made
    before the outbox existed (sent directly) or outside it (a 督办单 handed over on paper): ``reached``, as it
    was always counted. Only a reached ask counts as asked; a failed one is shown apart."""
    if not messages or reached:
        return REACHED
    return PENDING if in_flight else FAILED


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
