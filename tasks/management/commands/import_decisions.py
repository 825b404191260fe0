"""``import_decisions PATH --plan SLUG [--dry-run] [--json] [--raised-by USERNAME] [--on DATE] [--year YEAR]``: a
meeting's minutes (会议纪要) or a 交办单 into work items of a plan, one per decision with its lead and supporting
units and deadline (``--on``/``--date``, the meeting's date, resolves deadlines written relative to it);
``--raised-by`` names the account of the 分管领导 who raised them (who rates them once closed)."""

import json
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tasks.importers import PlanParseError
from tasks.importers.decisions import read_decisions
from tasks.models import Plan, WorkItem
from tasks.selectors.people import possible_raisers
from tasks.services.decisions import decisions_import
from tasks.services.plan_import import import_limits
from tasks.stored_text import import_error_text, import_text


class Command(BaseCommand):
    help = "Import the decisions of meeting minutes (.txt, .docx, .pdf) as work items of a plan."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--plan", required=True, help="the plan's slug")
        parser.add_argument("--year", type=int, help="year of deadlines the minutes write without one "
                                                     "(default: the year of --on)")
        parser.add_argument("--dry-run", action="store_true", help="parse only; write nothing")
        parser.add_argument("--json", action="store_true", help='print {"items": [...], "warnings": [...]}')
        parser.add_argument("--origin", choices=[WorkItem.Origin.MEETING, WorkItem.Origin.INSTRUCTION],
                            default=WorkItem.Origin.MEETING)
        parser.add_argument("--ref", default="", help="document number or meeting (default: the file name)")
        parser.add_argument("--by", default="", help="who raised it (a meeting, a leader's office)")
        parser.add_argument("--on", "--date", dest="on", type=date.fromisoformat,
                            help="date of the meeting or instruction (YYYY-MM-DD); deadlines written relative to it "
                                 "(会后一周内, 10个工作日内, 本月底前, 下周五前) count from it")
        parser.add_argument("--raised-by", dest="raised_by", default="",
                            help="username of the 分管领导 (of the plan's region) who raised it; they rate it")

    def handle(self, *args, path, plan, year, dry_run, json: bool, origin, ref, by, on, raised_by, **options):
        try:
            target = Plan.objects.select_related("region").get(slug=plan)
        except Plan.DoesNotExist:
            raise CommandError(f"no plan with slug {plan!r}") from None
        raiser = None
        if raised_by:
            raiser = possible_raisers(target.region_id).filter(username=raised_by).first()
            if raiser is None:
                raise CommandError(f"--raised-by {raised_by!r}: not an active 分管领导 (leader) account of a unit "
                                   f"of the plan's region {target.region.name}; nothing imported")
        try:
            parsed = read_decisions(path, year=year, limits=import_limits(), name=Path(path).name, meeting=on)
        except PlanParseError as exc:
            raise CommandError(import_error_text(exc)) from None
        if json:
            self.stdout.write(_dumps(parsed.as_json()))
        for w in parsed.warnings:
            where = f"{path}:{w.line}" if w.line else path
            self.stderr.write(f"warning: {where}: {import_text(w.message)}")
        if dry_run:
            if not json:
                self.stdout.write(f"dry run: {len(parsed.items)} decisions, {len(parsed.warnings)} warnings; "
                                  "nothing written.")
            return
        try:
            result = decisions_import(plan=target, parsed=parsed, origin=origin, origin_ref=ref or Path(path).name,
                                      origin_by=by, origin_on=on, raised_by=raiser)
        except ValidationError as exc:
            raise CommandError("nothing imported:\n" + "\n".join(exc.messages)) from None
        if not json:
            self.stdout.write(self.style.SUCCESS(result.summary()))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
