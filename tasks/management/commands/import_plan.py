"""``import_plan PATH [--year YYYY] [--dry-run] [--json] [--strict]``: read a plan document."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks.importers import PlanParseError
from tasks.importers.limits import read_and_parse
from tasks.services.plan_import import ImportWarningsError, import_limits, plan_import


class Command(BaseCommand):
    help = "Import an implementation plan document (.txt, .docx, .pdf); re-importing updates in place."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--year", type=int, help="year of a work list whose heading does not say")
        parser.add_argument("--dry-run", action="store_true", help="parse only; write nothing")
        parser.add_argument("--json", action="store_true", help="print the parsed plan as one JSON object")
        parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
        parser.add_argument("--slug", help="URL slug for a new plan (default: from the file name)")

    def handle(self, *args, path, year, dry_run, json: bool, strict, slug, **options):
        try:
            _text, parsed = read_and_parse(path, year=year, limits=import_limits())  # size, page and time caps
        except PlanParseError as exc:
            raise CommandError(str(exc)) from None
        warnings = parsed.warnings
        if json:
            self.stdout.write(_dumps(parsed.as_json()))
        self._warn(path, [w.as_json() for w in warnings])
        if strict and warnings:
            raise CommandError(f"{len(warnings)} warnings and --strict: nothing imported.")
        if dry_run:
            if not json:
                self.stdout.write(
                    f"dry run: {len(parsed.key_tasks)} key tasks, {len(parsed.indicators)} indicators, "
                    f"{len(parsed.work_items)} work items, {len(parsed.units)} units, "
                    f"{len(warnings)} warnings; nothing written."
                )
            return
        seen = {(w.code, w.line, w.message) for w in warnings}
        try:
            result = plan_import(
                parsed=parsed, source_name=Path(path).name, source_bytes=Path(path).read_bytes(), slug=slug,
                strict=strict,
            )
        except PlanParseError as exc:
            raise CommandError(str(exc)) from None
        except ImportWarningsError as exc:
            # Warnings only the import can find (it compares the document with the database).
            self._warn(path, [w for w in exc.warnings if (w["code"], w["line"], w["message"]) not in seen])
            raise CommandError(f"{len(exc.warnings)} warnings and --strict: nothing imported.") from None
        self._warn(path, [w for w in result.warnings if (w["code"], w["line"], w["message"]) not in seen])
        if not json:
            self.stdout.write(self.style.SUCCESS(result.summary()))

    def _warn(self, path: str, warnings: list[dict]) -> None:
        for w in warnings:
            where = f"{path}:{w['line']}" if w.get("line") else path
            self.stderr.write(f"warning: {where}: {w['message']}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
