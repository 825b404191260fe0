"""The one transition table of a work item, and what a user may do on an item, derived from it.

Services enforce the table (``services.workflow``); the item page, forms and buttons ask
:func:`item_actions` instead of deciding again, so a button is shown exactly when the service
would accept the action.
"""

from __future__ import annotations

from dataclasses import dataclass

from .outcomes import (
    AWAITING_REVIEW,
    AWAITING_SIGN,
    CLOSED_STATUSES,
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    RETURNED,
    WAIVED,
    is_chased,
)

LEAD, SUPPORT = "lead", "support"

# from-status -> statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    # A broken-down sub-item is signed for (签收) before work starts, or waived by the coordinator.
    AWAITING_SIGN: frozenset({NOT_STARTED, WAIVED}),
    NOT_STARTED: frozenset({IN_PROGRESS, AWAITING_REVIEW, WAIVED}),
    IN_PROGRESS: frozenset({AWAITING_REVIEW, WAIVED}),
    AWAITING_REVIEW: frozenset({DONE, RETURNED, WAIVED}),
    RETURNED: frozenset({IN_PROGRESS, AWAITING_REVIEW, WAIVED}),
    # A coordinator may reopen a closed item (with a reason).
    DONE: frozenset({IN_PROGRESS}),
    WAIVED: frozenset({IN_PROGRESS}),
}
REASON_REQUIRED = frozenset(
    {(AWAITING_REVIEW, RETURNED), (DONE, IN_PROGRESS), (WAIVED, IN_PROGRESS)}
    | {(s, WAIVED) for s in TRANSITIONS if s != WAIVED}
)


def allowed_transitions(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def may_move(from_status: str, to_status: str) -> bool:
    return to_status in allowed_transitions(from_status)


def close_from_statuses() -> tuple[str, ...]:
    """Statuses from which the lead may ask to close (those that may move to awaiting review)."""
    return tuple(s for s, targets in TRANSITIONS.items() if AWAITING_REVIEW in targets)


def reason_required(from_status: str, to_status: str) -> bool:
    return (from_status, to_status) in REASON_REQUIRED


@dataclass(frozen=True)
class ItemActions:
    """What one user may do on one item now."""

    report: bool = False  # lead: progress; supporting: contribution
    sign: bool = False  # sign for a part handed over (签收)
    waive: bool = False  # coordinator releases a broken-down part (豁免)
    close: bool = False  # ask to close (申请办结)
    extend: bool = False  # ask for a later deadline
    review: bool = False  # accept or return a close request
    reopen: bool = False
    comment: bool = False  # coordinator's 督办意见
    chase: bool = False  # "remind now"


def item_actions(
    *, status: str, role: str | None, reviewer: bool, has_deadline: bool, pending_extension: bool,
    parts_open: bool = False, is_part: bool = False,
) -> ItemActions:
    """The actions of a user whose unit holds ``role`` on the item (None: not its unit).

    A lead reports, asks to close and asks for more time; a supporting unit reports its
    contribution; the plan's coordinator reviews, reopens, comments and chases. Only what the
    transition table allows from ``status`` is offered. A part handed over is signed for before
    it is reported on; a parent with open parts (``parts_open``) cannot be asked to close.
    """
    open_ = status not in CLOSED_STATUSES
    return ItemActions(
        report=role is not None and open_ and not (role == LEAD and status == AWAITING_SIGN),
        sign=role == LEAD and may_move(status, NOT_STARTED) and status == AWAITING_SIGN,
        waive=reviewer and is_part and may_move(status, WAIVED),
        close=role == LEAD and may_move(status, AWAITING_REVIEW) and not parts_open,
        extend=role == LEAD and open_ and has_deadline and not pending_extension,
        review=reviewer and may_move(status, DONE),
        reopen=reviewer and status in CLOSED_STATUSES and may_move(status, IN_PROGRESS),
        comment=reviewer,
        chase=reviewer and is_chased(status),
    )
