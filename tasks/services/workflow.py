"""Status changes of work items: the transition table (``tasks.rules.actions``), one audit row per change."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.inputs import clean_required
from tasks.models import StatusChange, WorkItem
from tasks.rules.actions import allowed_transitions, reason_required
from tasks.rules.outcomes import done_on_time

S = WorkItem.Status


class TransitionError(ValidationError):
    pass


def work_item_transition(
    *,
    item: WorkItem,
    to_status: str,
    actor=None,
    reason: str = "",
    at: datetime | None = None,
    event: str = StatusChange.Event.TRANSITION,
) -> WorkItem:
    """Move ``item`` to ``to_status`` if the table allows it, and record who, when, from, to, why.

    The row is locked and re-read so two concurrent reviewers cannot both act on
    the same status. Completion records whether it met the deadline in force.
    """
    at = at or timezone.now()
    with transaction.atomic():
        locked = WorkItem.objects.select_for_update().get(pk=item.pk)
        from_status = locked.status
        if to_status not in allowed_transitions(from_status):
            raise TransitionError(
                _("不能从“%(from)s”变更为“%(to)s”。")
                % {"from": S(from_status).label, "to": S(to_status).label}
            )
        if reason_required(from_status, to_status) and not clean_required(reason):
            raise TransitionError(_("请填写原因。"))
        locked.status = to_status
        if to_status == S.DONE:
            locked.completed_at = at
            done_day = timezone.localdate(at)
            locked.completed_on_time = done_on_time(done_on=done_day, due=locked.due_date)
            locked.progress = 100
        else:
            locked.completed_at = None
            locked.completed_on_time = None
        if to_status == S.AWAITING_REVIEW:
            locked.submitted_at = at
        locked.save(
            update_fields=["status", "completed_at", "completed_on_time", "progress", "submitted_at", "updated_at"]
        )
        StatusChange.objects.create(
            work_item=locked,
            actor=actor,
            at=at,
            event=event,
            from_status=from_status,
            to_status=to_status,
            reason=clean_required(reason),
        )
    # Keep the caller's instance in step with the database.
    for field in ("status", "completed_at", "completed_on_time", "progress", "submitted_at"):
        setattr(item, field, getattr(locked, field))
    return item
