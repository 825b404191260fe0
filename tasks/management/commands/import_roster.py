"""``import_roster PATH --plan SLUG [--dry-run] [--json]``: import a roster (联络员名单) as the page does.

Every row is checked as on the page (the same preview); a roster with any bad row writes nothing and exits
non-zero. ``--json`` prints ``{"rows": [{"row", "unit", "name", "errors", "suggestions"}, ...], "created",
"updated"}``. The new accounts get their invitations through the outbox, as from the page.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks.importers import PlanParseError
from tasks.importers.roster import RosterError
from tasks.models import Plan
from tasks.services.roster import RosterRefused, roster_import, roster_read
from tasks.stored_text import import_text


class Command(BaseCommand):
    help = "Import a roster of liaisons and leaders (.xlsx, .xls, .csv, .et) into a plan's region; all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--plan", required=True, help="the plan's slug")
        parser.add_argument("--dry-run", action="store_true", help="check every row; write nothing")
        parser.add_argument("--json", action="store_true", help="print the rows and counts as one JSON object")

    def handle(self, *args, path, plan, dry_run, json: bool, **options):
        found = Plan.objects.select_related("region").filter(slug=plan).first()
        if found is None:
            raise CommandError(f"no plan with slug {plan!r}")
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            parsed = roster_read(data, filename=path)
        except PlanParseError as exc:
            raise CommandError(f"{path}: {import_text(exc.message)}") from None
        except RosterError as exc:
            raise CommandError(f"{path}: {import_text(str(exc))}") from None
        try:
            result = roster_import(plan=found, parsed=parsed, dry_run=dry_run)
        except RosterRefused as exc:
            self._report(path, exc.preview, created=0, updated=0, as_json=json)
            raise CommandError(f"{path}: {len(exc.preview.bad)} of {len(exc.preview.rows)} rows have errors; "
                               "nothing imported.") from None
        self._report(path, result.preview, created=result.created, updated=result.updated, as_json=json)
        if not json:
            verb = "would import" if dry_run else "imported"
            self.stdout.write(self.style.SUCCESS(
                f"{verb} {len(result.preview.rows)} people: {result.created} new, {result.updated} updated"
                + ("" if dry_run else f", {result.invited} invitations queued") + "."))

    def _report(self, path: str, preview, *, created: int, updated: int, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"rows": [r.as_json() for r in preview.rows], "created": created,
                                          "updated": updated}, ensure_ascii=False, indent=2))
            return
        for r in preview.bad:
            for e in r.errors:
                self.stderr.write(f"{path}:{r.source.row}: {r.source.unit} {r.source.name}: {e}")
