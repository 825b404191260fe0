"""Benchmark: the 通报 as a 公文 for a plan with 300 units and about 2,000 overdue items, against the
current roundup PDF (the printed web page, Chromium).

Prints the time to render the .docx (python-docx), the 公文 PDF (LibreOffice) and the page PDF, and the
ratios; the target is each under 3× the page PDF. Runs on a throwaway test database.

    .venv/bin/python bench/documents_bench.py
"""

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from bench.scratch import scratch_database  # noqa: E402
from tasks.documents.convert import ConversionUnavailable, docx_to_pdf  # noqa: E402
from tasks.documents.gongwen import build_docx  # noqa: E402
from tasks.models import Bulletin, Roundup  # noqa: E402
from tasks.roundups.pdf import PdfUnavailable, render_pdf  # noqa: E402
from tasks.roundups.periods import Period  # noqa: E402
from tasks.roundups.report import RoundupReport  # noqa: E402
from tasks.selectors.roundups import roundup_data  # noqa: E402
from tasks.services.documents import bulletin_for_roundup, bulletin_gongwen  # noqa: E402
from tasks.tests.roundup_bulk import build_plan  # noqa: E402

PERIOD = Period.year(2023)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main():
    setup_test_environment()
    with scratch_database():
        print(f"database: {connection.vendor}")
        plan, seconds = timed(lambda: build_plan(items=7000, units=300, slug="docbench"))
        print(f"built 7,000 items / 300 units in {seconds:.1f}s")
        data, seconds = timed(lambda: roundup_data(plan=plan, period=PERIOD))
        print(f"roundup data in {seconds:.1f}s: {len(data['units'])} units, {len(data['overdue_items'])} overdue items")
        roundup = Roundup.objects.create(plan=plan, kind=PERIOD.kind, period_start=PERIOD.start,
                                         period_end=PERIOD.end, data=data, generated_at="2024-01-02T00:00Z")
        bulletin = bulletin_for_roundup(roundup=roundup)
        report = RoundupReport(data=data)
        try:
            page_pdf, page_s = timed(lambda: render_pdf(report))
            print(f"current roundup PDF (Chromium): {page_s:.1f}s, {len(PdfReader(io.BytesIO(page_pdf)).pages)} pages")
        except PdfUnavailable as exc:
            page_s = None
            print(f"current roundup PDF: unavailable ({exc})")
        docx, docx_s = timed(lambda: build_docx(bulletin_gongwen(Bulletin.objects.get(pk=bulletin.pk))))
        print(f"公文 .docx (python-docx): {docx_s:.1f}s, {len(docx) // 1024} KiB")
        try:
            pdf, pdf_s = timed(lambda: docx_to_pdf(docx))
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            print(f"公文 PDF (LibreOffice, from the .docx): {pdf_s:.1f}s, {pages} pages")
        except ConversionUnavailable as exc:
            pdf_s = None
            print(f"公文 PDF: unavailable ({exc})")
        if page_s:
            print(f"ratio .docx / page PDF: {docx_s / page_s:.2f}x (target < 3x)")
            if pdf_s:
                print(f"ratio 公文 PDF (.docx + conversion) / page PDF: {(docx_s + pdf_s) / page_s:.2f}x (target < 3x)")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
