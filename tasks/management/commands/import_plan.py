"""``import_plan PATH [--year YYYY] [--dry-run] [--json] [--strict] [--past-due track|history|from
[--track-from YYYY-MM-DD]] [--short-name NAME]``: read a plan document."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks.importers import PlanParseError
from tasks.importers.limits import read_and_parse
from tasks.rules.outcomes import PAST_DUE_CHOICES, PAST_DUE_FROM, PAST_DUE_TRACK
from tasks.selectors.imports import import_preview
from tasks.services.plan_import import ImportChoiceError, ImportWarningsError, import_limits, plan_import
from tasks.stored_text import import_error_text, import_text


class Command(BaseCommand):
    help = "Import an implementation plan document (.txt, .docx, .pdf); re-importing updates in place."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--year", type=int, help="year of a work list whose heading does not say")
        parser.add_argument("--dry-run", action="store_true", help="parse only; write nothing")
        parser.add_argument("--json", action="store_true", help="print the parsed plan as one JSON object")
        parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
        parser.add_argument("--slug", help="URL slug for a new plan (default: from the file name)")
        parser.add_argument(
            "--past-due", choices=PAST_DUE_CHOICES, default=PAST_DUE_TRACK,
            help="new work items already past due: track them (default; overdue at once), keep them as history "
                 "(counted in no rate or ranking, never chased), or track only those due from --track-from",
        )
        parser.add_argument("--track-from", type=date.fromisoformat, metavar="YYYY-MM-DD",
                            help="with --past-due from: the first deadline tracked")
        parser.add_argument("--short-name", help="the plan's short name (default: the region's name and the theme)")

    def handle(self, *args, path, year, dry_run, json: bool, strict, slug, past_due, track_from, short_name,
               **options):
        if past_due == PAST_DUE_FROM and track_from is None:
            raise CommandError("--past-due from needs --track-from YYYY-MM-DD.")
        if track_from is not None and past_due != PAST_DUE_FROM:
            raise CommandError("--track-from goes with --past-due from.")
        try:
            _text, parsed = read_and_parse(path, year=year, limits=import_limits())  # size, page and time caps
        except PlanParseError as exc:
            raise CommandError(import_error_text(exc)) from None
        warnings = parsed.warnings
        preview = import_preview(parsed=parsed)  # what the web preview says: past-due items, the short name
        if json:
            # The parsed plan's keys as ever, and what the import would meet today.
            self.stdout.write(_dumps({**parsed.as_json(), "past_due": preview.n_past_due,
                                      "short_name": short_name or preview.short_name}))
        self._warn(path, [w.as_json() for w in warnings])
        if strict and warnings:
            raise CommandError(f"{len(warnings)} warnings and --strict: nothing imported.")
        if dry_run:
            if not json:
                self.stdout.write(
                    f"dry run: {len(parsed.key_tasks)} key tasks, {len(parsed.indicators)} indicators, "
                    f"{len(parsed.work_items)} work items, {len(parsed.units)} units, "
                    f"{len(warnings)} warnings; {preview.n_past_due} work items already past due; nothing written."
                )
            return
        seen = {(w.code, w.line, w.message) for w in warnings}
        try:
            result = plan_import(
                parsed=parsed, source_name=Path(path).name, source_bytes=Path(path).read_bytes(), slug=slug,
                strict=strict, past_due=past_due, track_from=track_from, short_name=short_name,
            )
        except PlanParseError as exc:
            raise CommandError(import_error_text(exc)) from None
        except ImportChoiceError as exc:
            raise CommandError(str(exc)) from None
        except ImportWarningsError as exc:
            # Warnings only the import can find (it compares the document with the database).
            self._warn(path, [w for w in exc.warnings if (w["code"], w["line"], w["message"]) not in seen])
            raise CommandError(f"{len(exc.warnings)} warnings and --strict: nothing imported.") from None
        self._warn(path, [w for w in result.warnings if (w["code"], w["line"], w["message"]) not in seen])
        if preview.n_past_due and past_due == PAST_DUE_TRACK:
            self.stderr.write(f"warning: {path}: {preview.n_past_due} work items already past due are tracked as "
                              "overdue (--past-due history keeps them as history)")
        if not json:
            self.stdout.write(self.style.SUCCESS(result.summary()))

    def _warn(self, path: str, warnings: list[dict]) -> None:
        for w in warnings:
            where = f"{path}:{w['line']}" if w.get("line") else path
            self.stderr.write(f"warning: {where}: {import_text(w['message'])}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
