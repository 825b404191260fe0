"""Celery entry points: JSON-safe arguments, one service call each."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone


@shared_task
def roundup_draft_last_period(kind: str, today: str | None = None) -> list[int]:
    """Draft last month's / quarter's / year's roundup for every running plan (idempotent)."""
    from tasks.services.roundups import roundups_draft_last_period

    day = date.fromisoformat(today) if today else timezone.localdate()
    return [r.pk for r in roundups_draft_last_period(kind=kind, today=day)]


@shared_task(bind=True, max_retries=8)
def roundup_deliver(self, roundup_id: int) -> dict:
    """Email a published roundup to whoever has not had it yet; retry failed addresses with backoff."""
    from tasks.services.roundups import roundup_deliver as deliver

    outcome = deliver(roundup_id=roundup_id)
    if outcome["failed"]:
        # Stay well under the broker's visibility timeout (1 hour).
        raise self.retry(countdown=min(60 * 2**self.request.retries, 1800))
    return outcome
