"""Coordinators' decisions: accept or return a close request, bulk accept, decide extension requests.

Every decision asks the guard (``selectors.guard.authorize``) that the user acts for the item's plan, locks
what it changes and writes its audit row (StatusChange) in the same transaction.

Lock order (every service that locks more than one row): the work item, then its extension
requests, then its reminders. State is re-read and checked after the locks are taken, never
before: two coordinators, or a coordinator and the lead unit, acting at the same moment get one
result and a clear refusal, never a deadlock or a pending request on a done item.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks import stored_text as T
from tasks.inputs import clean_required
from tasks.models import ExtensionRequest, StatusChange, WorkItem
from tasks.rules.actions import Act
from tasks.selectors.guard import authorize
from tasks.selectors.permissions import user_unit
from tasks.workdays import date_bounds

from .decisions import rating_request_queue
from .reports import ensure_sub_items_closed
from .workflow import work_item_transition

S = WorkItem.Status
E = StatusChange.Event
X = ExtensionRequest.Status



def _lock_item(item_id: int) -> WorkItem:
    """First lock of every review service (see the module's lock order)."""
    return WorkItem.objects.select_for_update().select_related("plan").get(pk=item_id)


def _check_date(day: date, item: WorkItem, field: str) -> None:
    low, high = date_bounds(item.plan.last_year)
    if not low <= day <= high:
        raise ValidationError({field: [_("日期应在 %(low)s 至 %(high)s 之间。") % {"low": low, "high": high}]},
                              code="date_bounds")


def _close_pending_extensions(item: WorkItem, user, at: datetime) -> None:
    """An item that is done needs no more time: its pending request is closed with a note.

    Called with the item already locked (item, then its requests)."""
    for request in ExtensionRequest.objects.select_for_update().filter(work_item=item, status=X.PENDING):
        note = T.written(T.EXTENSION_NOT_NEEDED)
        request.status, request.decided_by, request.decided_at, request.decision_note = X.REJECTED, user, at, note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        StatusChange.objects.create(
            work_item=item, actor=user, at=at, event=E.EXTENSION_REJECTED, from_status=item.status,
            to_status=item.status, reason=note, from_due_date=item.due_date, to_due_date=request.proposed_due_date,
        )


def work_item_accept(*, item: WorkItem, user, reason: str = "", at: datetime | None = None) -> WorkItem:
    """Accept a close request: the item is done, on time or late against its deadline in force. An item from a
    meeting or an instruction is closed (销号): whoever rates it is told (``rating_request_queue``)."""
    at = at or timezone.now()
    authorize(Act.REVIEW, user, item)
    with transaction.atomic():
        _lock_item(item.pk)
        ensure_sub_items_closed(item)
        work_item_transition(item=item, to_status=S.DONE, actor=user, at=at, reason=clean_required(reason))
        _close_pending_extensions(item, user, at)
        if item.origin != WorkItem.Origin.PLAN:  # 销号 of work from outside the plan: its rating is asked for
            rating_request_queue(item=item, at=at)
    return item


def work_item_return(*, item: WorkItem, user, reason: str, at: datetime | None = None) -> WorkItem:
    """Return a close request to the lead unit with the reason (required)."""
    authorize(Act.REVIEW, user, item)
    return work_item_transition(item=item, to_status=S.RETURNED, actor=user, at=at or timezone.now(),
                                reason=clean_required(reason))


@dataclass
class BulkResult:
    accepted: list[WorkItem] = field(default_factory=list)
    skipped: list[WorkItem] = field(default_factory=list)  # no longer awaiting review (someone acted first)


def work_items_bulk_accept(*, items: Iterable[WorkItem], user, at: datetime | None = None) -> BulkResult:
    """Accept many close requests at once.

    Permission is checked for every item before anything changes (a forged id refuses the
    whole request); items another reviewer already decided are skipped, not failed.
    """
    at = at or timezone.now()
    items = sorted(items, key=lambda i: i.pk)  # one order for every bulk action: no two bulks deadlock
    for item in items:
        authorize(Act.REVIEW, user, item)
    result = BulkResult()
    with transaction.atomic():
        for item in items:
            current = WorkItem.objects.select_for_update().only("status").get(pk=item.pk).status
            if current != S.AWAITING_REVIEW:
                result.skipped.append(item)
                continue
            try:
                work_item_accept(item=item, user=user, at=at)
            except ValidationError:  # a broken-down item with open sub-items: decided one by one
                result.skipped.append(item)
                continue
            result.accepted.append(item)
    return result


# ---- extensions ---------------------------------------------------------------------------------------


def extension_request_create(
    *, item: WorkItem, user, reason: str, proposed_due_date: date, at: datetime | None = None
) -> ExtensionRequest:
    """The lead unit asks for a later deadline (延期申请); a coordinator decides."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    authorize(Act.EXTEND, user, item)
    reason = clean_required(reason)
    if not reason:
        raise ValidationError({"reason": [_("请填写延期理由。")]}, code="required")
    try:
        with transaction.atomic():
            # Lock the item first, then check its state: a coordinator accepting the close at the same
            # moment either commits before (and the request is refused) or waits for this one.
            locked = _lock_item(item.pk)
            _check_new_request(locked, proposed_due_date, today)
            request = ExtensionRequest.objects.create(
                work_item=locked, unit=user_unit(user), requested_by=user, requested_at=at, reason=reason,
                current_due_date=locked.due_date, proposed_due_date=proposed_due_date,
            )
            StatusChange.objects.create(
                work_item=locked, actor=user, at=at, event=E.EXTENSION_REQUESTED, from_status=locked.status,
                to_status=locked.status, reason=reason, from_due_date=locked.due_date, to_due_date=proposed_due_date,
            )
    except IntegrityError as e:  # the one-pending-request-per-item constraint
        raise ValidationError(_("该事项已有待审核的延期申请。"), code="pending") from e
    return request


def _check_new_request(item: WorkItem, proposed_due_date: date, today: date) -> None:
    if item.status == S.DONE:
        raise ValidationError(_("该事项已办结，不能申请延期。"), code="done")
    if item.status == S.HISTORY:
        raise ValidationError(_("该事项为历史留档，不再跟踪。"), code="history")
    if item.due_date is None:
        raise ValidationError(_("该事项没有具体期限，无需申请延期。"), code="no_deadline")
    if ExtensionRequest.objects.filter(work_item=item, status=X.PENDING).exists():
        raise ValidationError(_("该事项已有待审核的延期申请。"), code="pending")
    if proposed_due_date <= item.due_date or proposed_due_date < today:
        raise ValidationError(
            {"proposed_due_date": [_("申请期限应晚于现行期限（%(d)s）且不早于今天。") % {"d": item.due_date}]}
        )
    _check_date(proposed_due_date, item, "proposed_due_date")


def _locked_pending(request: ExtensionRequest, user) -> tuple[ExtensionRequest, WorkItem]:
    """Lock the request's item, then the request (the module's order), and check it is still pending."""
    authorize(Act.DECIDE_EXTENSION, user, request.work_item)
    item = _lock_item(request.work_item_id)
    locked = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != X.PENDING:
        raise ValidationError(_("该延期申请已处理。"), code="decided")
    return locked, item


def extension_grant(
    *, request: ExtensionRequest, user, note: str = "", due_date: date | None = None, at: datetime | None = None
) -> ExtensionRequest:
    """Grant an extension: the item's deadline in force moves, with from/to dates in the audit row.

    ``due_date`` lets the coordinator grant a different date than the one asked for.
    """
    at = at or timezone.now()
    with transaction.atomic():
        locked, item = _locked_pending(request, user)
        new_due = due_date or locked.proposed_due_date
        if item.status == S.DONE:
            raise ValidationError(_("该事项已办结，不能延期。"), code="done")
        if item.due_date is not None and new_due <= item.due_date:
            raise ValidationError({"due_date": [_("新期限应晚于现行期限（%(d)s）。") % {"d": item.due_date}]})
        _check_date(new_due, item, "due_date")
        old_due = item.due_date
        item.due_date = new_due
        item.save(update_fields=["due_date", "updated_at"])
        locked.status, locked.decided_by, locked.decided_at = X.GRANTED, user, at
        locked.decision_note = clean_required(note)
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        StatusChange.objects.create(
            work_item=item, actor=user, at=at, event=E.EXTENSION_GRANTED, from_status=item.status,
            to_status=item.status, reason=locked.decision_note or locked.reason, from_due_date=old_due,
            to_due_date=new_due,
        )
    request.refresh_from_db()
    return request


def extension_reject(*, request: ExtensionRequest, user, note: str, at: datetime | None = None) -> ExtensionRequest:
    """Refuse an extension with the reason (required); the deadline stays."""
    at = at or timezone.now()
    note = clean_required(note)
    if not note:
        raise ValidationError({"note": [_("驳回延期时请填写理由。")]}, code="required")
    with transaction.atomic():
        locked, item = _locked_pending(request, user)
        locked.status, locked.decided_by, locked.decided_at, locked.decision_note = X.REJECTED, user, at, note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        StatusChange.objects.create(
            work_item=item, actor=user, at=at, event=E.EXTENSION_REJECTED, from_status=item.status,
            to_status=item.status, reason=note, from_due_date=item.due_date, to_due_date=locked.proposed_due_date,
        )
    request.refresh_from_db()
    return request
