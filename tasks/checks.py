"""System checks of this app's settings (``manage.py check``, run by every deploy)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning


def check_access_log_retention(app_configs, **kwargs):
    from tasks.services.housekeeping import MIN_RETENTION_DAYS

    days = settings.ACCESS_LOG_RETENTION_DAYS
    if days < MIN_RETENTION_DAYS:
        return [Warning(
            f"ACCESS_LOG_RETENTION_DAYS is {days}: login logs would be deleted before the {MIN_RETENTION_DAYS} "
            "days (six months) the Cybersecurity Law (art. 21) asks network logs be kept.",
            hint=f"Set ACCESS_LOG_RETENTION_DAYS to {MIN_RETENTION_DAYS} or more.",
            id="tasks.W001",
        )]
    return []
