"""Changing an item's deadline other than by an extension: a coordinator's correction of the plan's date.

Extensions go through ``services.review`` (request, grant). A re-import writes its own history rows
(``services.plan_import``). Every change writes a StatusChange row with the dates before and after.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from tasks.models import StatusChange, WorkItem
from tasks.rules.deadlines import reimported_due_date


def work_item_correct_deadline(
    *, item: WorkItem, deadline: date | None, deadline_text: str, actor=None, at: datetime | None = None
) -> WorkItem:
    """Set the plan's deadline of ``item`` (e.g. one the importer could not read); the deadline in force
    follows unless an extension was granted. Records a ``deadline_corrected`` history row."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = WorkItem.objects.select_for_update().get(pk=item.pk)
        old_due = locked.due_date
        new_due = reimported_due_date(old_deadline=locked.deadline, old_due=locked.due_date, new_deadline=deadline)
        if (locked.deadline, locked.deadline_text, locked.due_date) == (deadline, deadline_text, new_due):
            return item
        locked.deadline, locked.deadline_text, locked.due_date = deadline, deadline_text, new_due
        locked.save(update_fields=["deadline", "deadline_text", "due_date", "updated_at"])
        StatusChange.objects.create(
            work_item=locked, actor=actor, at=at, event=StatusChange.Event.DEADLINE_CORRECTED,
            from_status=locked.status, to_status=locked.status, from_due_date=old_due, to_due_date=new_due,
            reason=deadline_text,
        )
    item.deadline, item.deadline_text, item.due_date = deadline, deadline_text, new_due
    return item
