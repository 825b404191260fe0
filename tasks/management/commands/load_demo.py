"""``load_demo``: import both real plans and make the demo look like a real office today (idempotent)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tasks.importers import PlanParseError
from tasks.services.demo import demo_load
from tasks.stored_text import import_error_text


class Command(BaseCommand):
    help = "Load the demo plans, accounts and a deterministic history relative to today."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="pretend today is YYYY-MM-DD")

    def handle(self, *args, today, **options):
        try:
            accounts = demo_load(today=today or timezone.localdate())
        except PlanParseError as exc:
            raise CommandError(import_error_text(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"demo ready: {len(accounts)} accounts"))
