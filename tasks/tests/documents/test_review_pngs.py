"""Real 通报 and 督办单 PDFs through LibreOffice: numbered, A4, page numbers, embedded fonts; page 1 of each
kind written as PNG under var/test-artifacts/ for a person to look at."""

from __future__ import annotations

import io
import shutil
from datetime import date

import pytest
from pypdf import PdfReader

from tasks.documents.convert import pdf_page_png
from tasks.documents.gongwen import chinese_date
from tasks.models import RoundupSettings, Unit
from tasks.roundups.periods import Period
from tasks.services import documents as docs
from tasks.services import notices as notice_services
from tasks.services.roundups import roundup_generate
from tasks.tests.roundup_golden import build_golden

pytestmark = pytest.mark.django_db


def check_pdf(pdf: bytes, first_page_text: str) -> PdfReader:
    reader = PdfReader(io.BytesIO(pdf))
    for n, page in enumerate(reader.pages, start=1):
        assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
        assert f"— {n} —" in page.extract_text()
    # pypdf puts a space where the font changes (digits and CJK): compare without spaces.
    assert first_page_text in reader.pages[0].extract_text().replace(" ", "")
    return reader


def write_png(pdf: bytes, path) -> None:
    if shutil.which("pdftoppm"):
        path.write_bytes(pdf_page_png(pdf, dpi=60))


def test_published_tongbao_pdf_and_page_one_png(soffice, artifacts):
    g = build_golden()
    Unit.objects.filter(pk=g.c.pk).update(kind=Unit.Kind.TOWN)
    RoundupSettings.objects.create(plan=g.plan, doc_prefix="金住办", doc_issuer="金鉴区住房工作协调委员会办公室",
                                   doc_copy_to="区委办、区政府办")
    roundup, _ = roundup_generate(plan=g.plan, period=Period.quarter(2023, 2), today=date(2023, 7, 10))
    bulletin = docs.bulletin_publish(bulletin=docs.bulletin_for_roundup(roundup=roundup), today=date(2023, 7, 12))
    pdf = docs.bulletin_pdf(bulletin)
    reader = check_pdf(pdf, "金住办〔2023〕1号")
    assert len(reader.pages) >= 2  # body, then the ranking tables as 附件
    assert any("附件1" in p.extract_text() for p in reader.pages[1:])
    write_png(pdf, artifacts / "tongbao-page1.png")


def test_notice_pdf_and_page_one_png(soffice, artifacts, django_capture_on_commit_callbacks):
    g = build_golden()
    g.a.leader_name, g.a.leader_email = "王副区长", "wang@example.gov.cn"
    g.a.save()
    coordinator = g.plan.coordinators.get()
    (notice,) = notice_services.notices_issue_for_items(items=[g.items["i11"]], actor=coordinator,
                                                        today=date(2023, 12, 25))
    notice = notice_services.notice_ensure_files(notice)
    pdf = notice_services.notice_pdf(notice)
    reader = check_pdf(pdf, "督办〔2023〕1号")
    # The signature and date do not go alone onto a page: the body's last lines come with them.
    gw = notice_services.notice_gongwen(notice)
    pages = [p.extract_text().replace(" ", "").replace("\n", "") for p in reader.pages]
    signed = next(p for p in pages if chinese_date(gw.signed_on) in p and gw.signer in p)
    assert gw.body[-1][-8:] in signed
    write_png(pdf, artifacts / f"notice-{notice.colour}-page1.png")
