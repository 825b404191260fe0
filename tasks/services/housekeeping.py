"""Daily housekeeping of what grows with use: expired sessions, axes' login logs, old list exports.

Django never deletes an expired session by itself (its docs leave ``clearsessions`` to the deployment) and
django-axes writes a row for every login; a province's 20,000 users leave millions of each a year. Login
logs are kept ``ACCESS_LOG_RETENTION_DAYS`` (180 by default: the Cybersecurity Law, art. 21, asks network
logs be kept no less than six months), then deleted in batches, oldest first, each batch its own short
transaction, so logins are never held behind one long DELETE. List exports (``tasks.services.exports``)
and their files go after ``EXPORT_KEEP_DAYS``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from importlib import import_module

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

DELETE_BATCH = 5_000
MIN_RETENTION_DAYS = 180  # 《网络安全法》第二十一条: network logs kept no less than six months


@dataclass(frozen=True)
class HousekeepingResult:
    access_logs: int
    access_failure_logs: int
    cutoff: str
    exports: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def access_log_retention() -> timedelta:
    return timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)


def delete_older(model: type[models.Model], *, field: str, before: datetime, batch: int = DELETE_BATCH) -> int:
    """Delete ``model``'s rows whose ``field`` is before ``before``, ``batch`` at a time, oldest first (each
    batch picked through the index on ``field``); the number deleted."""
    total = 0
    while True:
        with transaction.atomic():
            ids = list(model.objects.filter(**{f"{field}__lt": before}).order_by(field)
                       .values_list("pk", flat=True)[:batch])
            if not ids:
                return total
            deleted, _ = model.objects.filter(pk__in=ids).delete()
        total += deleted


def clear_expired_sessions() -> None:
    """What ``manage.py clearsessions`` does, for the configured session engine."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def housekeeping_daily(*, now: datetime | None = None) -> HousekeepingResult:
    """Clear expired sessions; delete login logs older than the retention period and old exports."""
    from tasks.services.exports import exports_clean_up

    now = now or timezone.now()
    cutoff = now - access_log_retention()
    clear_expired_sessions()
    return HousekeepingResult(
        access_logs=delete_older(AccessLog, field="attempt_time", before=cutoff),
        access_failure_logs=delete_older(AccessFailureLog, field="attempt_time", before=cutoff),
        cutoff=cutoff.isoformat(),
        exports=exports_clean_up(now=now),
    )
