"""Reads of the outbox for the pages: what was sent about an item, on which channel, when, and its fate."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tasks.models import Message, Reminder, WorkItem

ITEM_MESSAGES_LIMIT = 50


def messages_for_item(item: WorkItem, *, limit: int = ITEM_MESSAGES_LIMIT) -> list[Message]:
    """The messages concerning ``item``, newest first: the reminder digests that included it (their group is
    the reminders' digest), the 督办单 issued for it and the requests for its rating (their key starts
    ``rate:<item>:``, ``services.decisions.rating_request_queue``), on every channel. One query, whatever the
    item's history; at most ``limit`` rows."""
    digests = Reminder.objects.filter(work_item=item, digest__isnull=False).values("digest")
    notices = item.notices.through.objects.filter(workitem_id=item.pk).values("supervisionnotice_id")
    rows: QuerySet[Message] = (
        Message.objects.filter(Q(group__in=digests) | Q(notice_id__in=notices)
                               | Q(purpose=Message.Purpose.RATING_REQUEST, key__startswith=f"rate:{item.pk}:"))
        .select_related("recipient", "notice")
        .order_by("-queued_at", "-pk")
    )
    return list(rows[:limit])
