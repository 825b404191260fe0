"""``manage.py roundup --plan ID_OR_SLUG --month YYYY-MM | --quarter YYYY-Qn | --year YYYY
[--xlsx PATH] [--docx PATH] [--pdf PATH] [--json]``

Prints (or writes) a plan's roundup for a period. A published roundup is shown as it was frozen, and its
通报 (--docx, --pdf) is the numbered 公文 exactly as sent; otherwise the numbers are computed now, as of the
period's last day, and the 通报 shows the next number marked （草稿）. Nothing is written to the database.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tasks.documents.convert import ConversionUnavailable
from tasks.models import Plan
from tasks.roundups.periods import MONTH, QUARTER, YEAR, Period, PeriodError
from tasks.roundups.report import RoundupReport
from tasks.roundups.xlsx import render_xlsx
from tasks.selectors.roundups import plan_for_roundup, published_roundup, roundup_document
from tasks.services.documents import (
    bulletin_docx,
    bulletin_for_period,
    bulletin_pdf,
)


class Command(BaseCommand):
    help = "Build a plan's monthly roundup, quarterly bulletin or annual assessment (JSON, Excel, PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="plan id or slug")
        period = parser.add_mutually_exclusive_group(required=True)
        period.add_argument("--month", metavar="YYYY-MM")
        period.add_argument("--quarter", metavar="YYYY-Qn")
        period.add_argument("--year", metavar="YYYY")
        parser.add_argument("--xlsx", metavar="PATH", help="write the Excel workbook here")
        parser.add_argument("--docx", metavar="PATH", help="write the 通报 as a 公文 .docx here")
        parser.add_argument("--pdf", metavar="PATH", help="write the 通报 as a 公文 PDF here (needs LibreOffice)")
        parser.add_argument("--json", action="store_true", help="print the snapshot as one JSON object")

    def handle(self, *args, **options):
        try:
            plan = plan_for_roundup(options["plan"])
        except Plan.DoesNotExist:
            raise CommandError(f"No plan with id or slug {options['plan']!r}.") from None
        kind, text = next((k, options[k]) for k in (MONTH, QUARTER, YEAR) if options[k])
        try:
            period = Period.parse(kind, text)
        except PeriodError as exc:
            raise CommandError(str(exc)) from None

        frozen = published_roundup(plan=plan, period=period)
        if not frozen and period.end >= timezone.localdate():
            raise CommandError(f"{period.key} has not ended yet (it ends on {period.end}).")
        # The one document, the API's too: the published snapshot, or the numbers computed now.
        document = roundup_document(plan=plan, period=period)
        report = RoundupReport.from_roundup(frozen) if frozen else RoundupReport(data=document)

        if options["xlsx"]:
            Path(options["xlsx"]).write_bytes(render_xlsx(report))
        if options["docx"] or options["pdf"]:
            bulletin = bulletin_for_period(plan=plan, period=period, report=report, published=frozen)
            if options["docx"]:
                Path(options["docx"]).write_bytes(bulletin_docx(bulletin))
            if options["pdf"]:
                try:
                    Path(options["pdf"]).write_bytes(bulletin_pdf(bulletin))
                except ConversionUnavailable as exc:
                    raise CommandError(f"Cannot write the PDF: {exc}") from None
        if options["json"]:
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        state = "published" if frozen else "computed now, not saved"
        self.stdout.write(f"{report.plan['title']} · {report.title} ({state})")
        for line in report.highlights():
            self.stdout.write(f"  {line}")
        for path in (options["xlsx"], options["docx"], options["pdf"]):
            if path:
                self.stdout.write(f"Wrote {path}")
