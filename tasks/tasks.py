"""Celery entry points: JSON-safe arguments, one service call each, retries with backoff."""

from __future__ import annotations

from datetime import date, datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from tasks.notifications import services as outbox
from tasks.services import notices as notice_services
from tasks.services import reminders as reminder_services
from tasks.services import roundups as roundup_services


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=30, retry_backoff_max=600, max_retries=5)
def reminders_beat(now: str | None = None) -> dict:
    """The beat's quarter-hourly tick: scan plans whose send time has come, queue due digests.

    ``now`` (ISO 8601) is for tests and replays; the beat passes nothing.
    """
    moment = datetime.fromisoformat(now) if now else timezone.now()
    return reminder_services.reminders_tick(now=moment).as_dict()


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=30,
             retry_backoff_max=600, max_retries=None)
def reminders_send_digest(email: str) -> dict:
    """Queue one recipient's digest in the outbox (its delivery is ``outbox_send``'s). Kept for tasks queued
    before ``reminders_send_digests``."""
    return reminder_services.reminder_digest_send(email=email).as_dict()


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=30,
             retry_backoff_max=600, max_retries=None)
def reminders_send_digests(emails: list[str]) -> dict:
    """Queue these recipients' digests in the outbox, then deliver them on every channel in this task
    (``outbox_deliver_groups``; what it leaves is the outbox beat's)."""
    outcomes = reminder_services.reminder_digests_send(emails=emails, kick=False)
    delivered = outbox.outbox_deliver_groups(groups=[o.digest for o in outcomes if o.sent])
    return {"digests": sum(o.sent for o in outcomes), "addresses": len(emails),
            "delivered": {channel: {str(k): v for k, v in summary.as_dict().items() if k != "channel"}
                          for channel, summary in delivered.items()}}


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=30,
             retry_backoff_max=600, max_retries=5)
def outbox_send(channel: str) -> dict:
    """Send ``channel``'s due queued messages in batches. Retries are the outbox's data (next_attempt_at),
    picked up by ``outbox_beat``: nothing waits in the broker."""
    return outbox.outbox_deliver(channel=channel).as_dict()


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=30, max_retries=5)
def outbox_reconcile(channel: str) -> dict:
    """Ask the provider what became of sent messages (DingTalk's send result)."""
    return outbox.outbox_reconcile(channel=channel).as_dict()


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=10, max_retries=3)
def outbox_beat() -> dict:
    """Every minute: mark lost sends uncertain, kick channels with due messages, reconcile sent ones."""
    return outbox.outbox_tick()


@shared_task
def roundup_draft_last_period(kind: str, today: str | None = None) -> list[int]:
    """Draft last month's / quarter's / year's roundup for every running plan (idempotent)."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return [r.pk for r in roundup_services.roundups_draft_last_period(kind=kind, today=day)]


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=10, max_retries=5)
def roundup_deliver(roundup_id: int) -> dict:
    """Queue a published roundup in the outbox for whoever is not queued yet (the outbox delivers and
    retries); idempotent."""
    return roundup_services.roundup_deliver(roundup_id=roundup_id)


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=10, max_retries=5)
def notice_send(notice_id: int) -> int:
    """Queue an issued 督办单 in the outbox for the unit's liaisons and its leader (files attached to the
    email); once per address."""
    return notice_services.notice_send(notice_id=notice_id)


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=10, max_retries=3)
def documents_catch_up() -> dict:
    """Hourly: queue in the outbox the roundups' and 督办单's recipients not queued yet (idempotent)."""
    return {"roundups": roundup_services.roundups_deliver_pending(),
            "notices": notice_services.notices_send_pending()}


@shared_task
def notices_daily(today: str | None = None) -> dict:
    """Escalate 督办单 unanswered past their reply date; draft proposals where a plan turned them on."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    escalated = notice_services.notices_escalate(today=day)
    proposed = notice_services.notices_propose(today=day)
    return {"escalated": [n.pk for n in escalated], "proposed": [n.pk for n in proposed]}


@shared_task
def staged_imports_clean_up() -> dict:
    """Daily: delete staged plan uploads nobody confirmed or cancelled (see tasks.services.staging)."""
    from tasks.services.staging import staged_imports_clean_up as clean_up

    result = clean_up()
    return {"deleted": len(result.deleted), "kept": result.kept}


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=60, max_retries=3)
def housekeeping_daily() -> dict:
    """Daily: clear expired sessions, delete login logs past their retention (tasks.services.housekeeping)."""
    from tasks.services.housekeeping import housekeeping_daily as run

    return run().as_dict()


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=10, max_retries=3)
def export_run(export_id: int) -> dict:
    """Write one list's Excel export (tasks.services.exports); once, whatever the redeliveries."""
    from tasks.services.exports import export_run as run

    export = run(export_id=export_id)
    return {"export": export_id, "status": export.status if export else None}
