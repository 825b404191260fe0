"""Clear expired sessions and delete login logs older than ACCESS_LOG_RETENTION_DAYS (the beat runs this daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tasks.services.housekeeping import housekeeping_daily


class Command(BaseCommand):
    help = "Clear expired sessions; delete login logs (django-axes) past their retention period."

    def handle(self, *args, **options):
        result = housekeeping_daily()
        self.stdout.write(f"deleted {result.access_logs} login logs and {result.access_failure_logs} failed-login "
                          f"logs older than {result.cutoff}; expired sessions cleared")
