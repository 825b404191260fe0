"""Delete staged plan uploads older than --hours (default IMPORT_STAGING_MAX_AGE_HOURS, 24)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from tasks.services.staging import staged_imports_clean_up


class Command(BaseCommand):
    help = "Delete plan documents uploaded for import and never confirmed or cancelled."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, help="age after which a staged upload is abandoned")

    def handle(self, *args, hours=None, **options):
        max_age = timedelta(hours=hours) if hours is not None else None
        result = staged_imports_clean_up(max_age=max_age)
        self.stdout.write(f"deleted {len(result.deleted)} staged uploads, kept {result.kept}")
