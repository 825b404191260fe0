"""Celery entry points: JSON-safe arguments, one service call each, retries with backoff."""

from __future__ import annotations

from datetime import datetime
from math import ceil

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from tasks.services import reminders as reminder_services


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=30, retry_backoff_max=600, max_retries=5)
def reminders_beat(now: str | None = None) -> dict:
    """The beat's quarter-hourly tick: scan plans whose send time has come, queue due digests.

    ``now`` (ISO 8601) is for tests and replays; the beat passes nothing.
    """
    moment = datetime.fromisoformat(now) if now else timezone.now()
    return reminder_services.reminders_tick(now=moment).as_dict()


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=None,
)
def reminders_send_digest(self, email: str) -> dict:
    """Send one recipient's digest. On an SMTP failure the service records the attempt and the time of
    the next one; the task comes back then (the countdown stays below the broker's visibility timeout).
    The database counts attempts and marks the reminders failed after the last one, so the number of
    retries is bounded by REMINDER_MAX_ATTEMPTS, not by Celery."""
    outcome = reminder_services.reminder_digest_send(email=email)
    if outcome.retry_at is not None:
        countdown = max(1, ceil((outcome.retry_at - timezone.now()).total_seconds()))
        raise self.retry(countdown=countdown)
    return outcome.as_dict()
