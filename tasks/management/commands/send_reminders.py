"""Run the reminder scan and send the digests now, in this process (for cron, tests, a look)."""

from collections import Counter
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tasks import workdays
from tasks.selectors.calendar import calendar_overrides
from tasks.selectors.reminders import reminders_pending_by_email
from tasks.services.reminders import digest_routes, reminders_scan, reminders_send_pending


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Scan for due reminders and send one digest per recipient; ends with a one-line summary."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to act as (YYYY-MM-DD); default: today in Asia/Shanghai")
        parser.add_argument("--dry-run", action="store_true", help="show what would be sent; write and send nothing")

    def handle(self, *args, today=None, dry_run=False, **options):
        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--today must be YYYY-MM-DD, not {today!r}") from exc
        if not workdays.is_workday(day, calendar_overrides(years=[day.year])):
            self.stdout.write(f"{day} is not a working day: reminders go out on working days only")
            self.stdout.write("sent 0 emails to 0 recipients covering 0 items; 0 failed")
            return
        now = timezone.now()
        if dry_run:
            self._dry_run(day, now)
            return
        scan = reminders_scan(today=day, now=now)
        self.stdout.write(f"{day}: {scan.due} reminders due, {scan.created} new")
        summary = reminders_send_pending(now=now, today=day)
        for channel, delivery in summary.delivery.items():
            counts = ", ".join(f"{n} {state}" for state, n in sorted(delivery.counts.items()))
            self.stdout.write(f"  {channel}: {counts}")
        for address, error in summary.errors:
            self.stderr.write(f"  {address}: {error}")
        self.stdout.write(summary.line())

    def _dry_run(self, day, now):
        # The real scan, rolled back: exactly what a real run would pick, and nothing written.
        emails = items = 0
        item_ids: set[int] = set()
        per_channel: Counter = Counter()
        try:
            with transaction.atomic():
                scan = reminders_scan(today=day, now=now)
                # One read for every address (not one per address): the same rows the digests would take.
                pending = reminders_pending_by_email(now=now)
                routes = digest_routes(emails=list(pending))
                for email, ids in pending.items():
                    emails += 1
                    item_ids.update(ids)
                    channels = [r.channel for r in routes[email]]
                    per_channel.update(channels)
                    self.stdout.write(f"  {email}: {len(ids)} items ({', '.join(channels)})")
                raise _DryRun
        except _DryRun:
            pass
        items = len(item_ids)
        self.stdout.write(f"{day}: {scan.due} reminders due, {scan.created} new (dry run)")
        for channel, n in sorted(per_channel.items()):
            self.stdout.write(f"  {channel}: {n} messages")
        self.stdout.write(
            f"dry run: would send {emails} emails to {emails} recipients covering {items} items; 0 failed"
        )
