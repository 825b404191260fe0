"""The one transition table of a work item, who may perform each act (``WHO``), and what a user may do
on an item, derived from both.

Services enforce the table (``services.workflow``) and ask ``tasks.selectors.guard.authorize`` (which
reads the user's standing and asks ``permitted`` here) before writing; the item page, forms and buttons
ask :func:`item_actions` instead of deciding again, so a button is shown exactly when the service would
accept the action. No database here: the standing is read by the guard.
"""

from __future__ import annotations

from dataclasses import dataclass

from .outcomes import (
    AWAITING_REVIEW,
    AWAITING_SIGN,
    CLOSED_STATUSES,
    DONE,
    HISTORY,
    IN_PROGRESS,
    NOT_STARTED,
    RETURNED,
    UNCOUNTED_STATUSES,
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
    # Kept as history at import (past due then): nobody works on it; a coordinator may track it again.
    HISTORY: frozenset({IN_PROGRESS}),
}
REASON_REQUIRED = frozenset(
    {(AWAITING_REVIEW, RETURNED), (DONE, IN_PROGRESS), (WAIVED, IN_PROGRESS), (HISTORY, IN_PROGRESS)}
    | {(s, WAIVED) for s in TRANSITIONS if s not in (WAIVED, HISTORY)}
)


def allowed_transitions(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def may_move(from_status: str, to_status: str) -> bool:
    return to_status in allowed_transitions(from_status)


def close_from_statuses() -> tuple[str, ...]:
    """Statuses from which the lead may ask to close (those that may move to awaiting review)."""
    return tuple(s for s, targets in TRANSITIONS.items() if AWAITING_REVIEW in targets)


def may_be_rated(*, origin: str, status: str, rated_since_closed: bool = False) -> bool:
    """An item from a meeting or an instruction is rated once closed (销号), once per closing (a rating made
    before it was last closed does not count); a plan's own item is not."""
    return origin != "plan" and status == DONE and not rated_since_closed


def rated_since_closed(*, rated_at, completed_at) -> bool:
    """Whether the item's rating was given after it was last closed (so it is rated)."""
    return rated_at is not None and completed_at is not None and rated_at >= completed_at


def reason_required(from_status: str, to_status: str) -> bool:
    return (from_status, to_status) in REASON_REQUIRED


# ---- who may act --------------------------------------------------------------------------------------
#
# A user's *standing* towards an object is a set of the marks below, read from the database by
# ``tasks.selectors.guard`` (the only reader); the table ``WHO`` says which marks grant each act. Every
# service that writes on a user's behalf asks ``guard.authorize(act, user, obj)``, and the pages show a
# button from ``item_actions`` / ``permitted``: both read this one table.

REVIEWER = "reviewer"  # acts for the plan: its coordinator, a holder of act_on_all_plans, a superuser
ADDRESSEE = "addressee"  # the unit a 督办单 was sent to
REPORTER = "reporter"  # the lead unit of the key task an indicator serves (reports its values)
HOLDER = "holder"  # the unit holding a share of an indicator's target (目标分解)
RAISER = "raiser"  # who raised an item from a meeting or an instruction (``WorkItem.raised_by``): rates it


class Act:
    """The acts a user performs. Item acts are named as the fields of ``ItemActions``."""

    # on a work item
    REPORT = "report"  # lead: progress; supporting: contribution
    SIGN = "sign"  # 签收 a part handed over
    WAIVE = "waive"  # 豁免 a broken-down part
    CLOSE = "close"  # 申请办结
    EXTEND = "extend"  # ask for a later deadline
    REVIEW = "review"  # accept or return a close request
    REOPEN = "reopen"
    RATE = "rate"  # rate a closed item from a meeting or an instruction (for who raised it); 不满意 reopens
    COMMENT = "comment"  # 督办意见
    CHASE = "chase"  # "remind now"
    BREAK_DOWN = "break_down"  # 分解交办
    SUPPORT_DONE = "support_done"  # 配合到位
    DECIDE_EXTENSION = "decide_extension"  # grant or refuse an extension request
    ISSUE_NOTICE = "issue_notice"  # draft, issue or drop a 督办单
    # on a plan (its roundups, 通报, targets, import)
    GENERATE_ROUNDUP = "generate_roundup"
    PUBLISH_ROUNDUP = "publish_roundup"
    EDIT_BULLETIN = "edit_bulletin"  # draft, edit, redraft, correct, publish a 通报
    BREAK_DOWN_TARGET = "break_down_target"  # 目标分解
    IMPORT_PLAN = "import_plan"  # import a document over an existing plan
    # addressed to a unit
    REPLY_NOTICE = "reply_notice"
    REPORT_INDICATOR = "report_indicator"
    REPORT_SHARE = "report_share"
    # on a unit
    MANAGE_PEOPLE = "manage_people"  # invite, replace, deactivate its liaisons and leaders; import the roster


_COORDINATOR_ACTS = (
    Act.WAIVE, Act.REVIEW, Act.REOPEN, Act.RATE, Act.COMMENT, Act.CHASE, Act.DECIDE_EXTENSION, Act.ISSUE_NOTICE,
    Act.GENERATE_ROUNDUP, Act.PUBLISH_ROUNDUP, Act.EDIT_BULLETIN, Act.BREAK_DOWN_TARGET, Act.IMPORT_PLAN,
    Act.MANAGE_PEOPLE,
)

WHO: dict[str, frozenset[str]] = {
    Act.REPORT: frozenset({LEAD, SUPPORT}),
    Act.SIGN: frozenset({LEAD}),
    Act.CLOSE: frozenset({LEAD}),
    Act.EXTEND: frozenset({LEAD}),
    Act.SUPPORT_DONE: frozenset({SUPPORT}),
    Act.BREAK_DOWN: frozenset({LEAD, REVIEWER}),
    **{act: frozenset({REVIEWER}) for act in _COORDINATOR_ACTS},
    Act.RATE: frozenset({RAISER, REVIEWER}),  # the one who raised it, or the coordinator on their behalf
    Act.REPLY_NOTICE: frozenset({ADDRESSEE}),
    Act.REPORT_INDICATOR: frozenset({REPORTER}),
    Act.REPORT_SHARE: frozenset({HOLDER}),
}


def permitted(act: str, standing: frozenset[str] | set[str]) -> bool:
    """Whether a user of ``standing`` may perform ``act`` at all (the object's state aside)."""
    return bool(WHO[act] & standing)


def item_standing(*, role: str | None, reviewer: bool, raiser: bool = False) -> frozenset[str]:
    """The standing of a user whose unit holds ``role`` on an item, who acts for its plan or not, and who
    raised it or not."""
    return frozenset(({role} if role else set()) | ({REVIEWER} if reviewer else set())
                     | ({RAISER} if raiser else set()))


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
    break_down: bool = False  # hand parts to towns or departments (分解交办)
    support_done: bool = False  # the supporting unit's part is done (配合到位)
    decide_extension: bool = False  # grant or refuse the pending extension request
    issue_notice: bool = False  # issue a 督办单 on the item


def item_actions(
    *, status: str, role: str | None, reviewer: bool, has_deadline: bool, pending_extension: bool,
    parts_open: bool = False, is_part: bool = False, support_marked: bool = False,
) -> ItemActions:
    """The actions of a user whose unit holds ``role`` on the item (None: not its unit).

    A lead reports, asks to close and asks for more time; a supporting unit reports its
    contribution and marks its part done (``support_marked``: it did already); the plan's
    coordinator reviews, reopens, comments, chases and issues 督办单; the lead or the coordinator
    breaks a top-level item down. Who may is ``WHO``; only what the transition table allows
    from ``status`` is offered. A part handed over is signed for before it is reported on; a
    parent with open parts (``parts_open``) cannot be asked to close.
    """
    standing = item_standing(role=role, reviewer=reviewer)

    def may(act: str) -> bool:
        return permitted(act, standing)

    open_ = status not in CLOSED_STATUSES
    return ItemActions(
        report=may(Act.REPORT) and open_ and not (role == LEAD and status == AWAITING_SIGN),
        sign=may(Act.SIGN) and may_move(status, NOT_STARTED) and status == AWAITING_SIGN,
        waive=may(Act.WAIVE) and is_part and may_move(status, WAIVED),
        close=may(Act.CLOSE) and may_move(status, AWAITING_REVIEW) and not parts_open,
        extend=may(Act.EXTEND) and open_ and has_deadline and not pending_extension,
        review=may(Act.REVIEW) and may_move(status, DONE),
        reopen=may(Act.REOPEN) and status in CLOSED_STATUSES and may_move(status, IN_PROGRESS),
        comment=may(Act.COMMENT),
        chase=may(Act.CHASE) and is_chased(status),
        break_down=may(Act.BREAK_DOWN) and not is_part and open_,
        support_done=may(Act.SUPPORT_DONE) and not support_marked and status not in UNCOUNTED_STATUSES,
        decide_extension=may(Act.DECIDE_EXTENSION) and pending_extension,
        issue_notice=may(Act.ISSUE_NOTICE) and open_,
    )
