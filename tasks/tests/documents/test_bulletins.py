"""The 通报 公文: drafted from the roundup, edited, numbered at publish (gap-free, never reused), frozen."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from docx import Document

from tasks.models import Bulletin, DocumentSequence, DocumentSeries, RoundupSettings, Unit
from tasks.roundups.periods import Period
from tasks.services import documents as docs
from tasks.services.roundups import roundup_generate, roundup_publish
from tasks.tests.factories import UserFactory, liaison_for
from tasks.tests.roundup_golden import at, build_golden

pytestmark = pytest.mark.django_db
JUNE = Period.month(2023, 6)
TODAY = date(2023, 7, 10)


@pytest.fixture
def golden():
    g = build_golden()
    RoundupSettings.objects.create(plan=g.plan, doc_prefix="金住办", doc_issuer="金鉴区住房工作协调委员会办公室",
                                   doc_copy_to="区委办、区政府办")
    return g


@pytest.fixture
def fake_office(monkeypatch):
    """LibreOffice is exercised in test_gongwen; here a stand-in keeps the tests fast."""
    monkeypatch.setattr(docs, "docx_to_pdf", lambda data: b"%PDF-1.4 gongwen " + str(len(data)).encode())


@pytest.fixture
def coordinator(golden):
    return golden.plan.coordinators.get()


def texts(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def test_draft_is_written_from_the_roundup_with_towns_and_departments_apart(golden, coordinator):
    Unit.objects.filter(pk=golden.c.pk).update(kind=Unit.Kind.TOWN)
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    bulletin = docs.bulletin_for_roundup(roundup=roundup, actor=coordinator)
    assert bulletin.title == "关于2023年6月住有宜居工作推进情况的通报"
    assert bulletin.addressees == "各镇人民政府、街道办事处，区级有关单位"
    assert bulletin.signer == "金鉴区住房工作协调委员会办公室"
    body = bulletin.paragraphs()
    assert body[1] == "一、总体情况"
    assert "地方方面，区资规局亮红灯。" in body, body
    assert any(p.startswith("部门方面，区财政局") for p in body), body
    assert docs.bulletin_for_roundup(roundup=roundup).pk == bulletin.pk  # one draft


def test_draft_download_shows_the_next_number_marked_draft_and_reserves_nothing(golden, coordinator):
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    bulletin = docs.bulletin_for_roundup(roundup=roundup)
    data = docs.bulletin_docx(bulletin, today=date(2026, 3, 1))
    assert "金住办〔2026〕1号（草稿）" in texts(data)
    assert "金住办〔2026〕1号（草稿）" in texts(docs.bulletin_docx(bulletin, today=date(2026, 3, 1)))
    assert not DocumentSequence.objects.exists()


def test_edited_text_goes_into_the_docx_and_publish_numbers_and_freezes_it(golden, coordinator, fake_office):
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    bulletin = docs.bulletin_for_roundup(roundup=roundup)
    docs.bulletin_edit(bulletin=bulletin, actor=coordinator, title="关于6月工作的通报",
                       addressees="各有关单位", body="开头一段。\n一、情况\n协调员改写的一段。", copy_to="区委办")
    published = docs.bulletin_publish(bulletin=bulletin, actor=coordinator, today=date(2026, 3, 2))
    assert (published.number, published.doc_number) == (1, "金住办〔2026〕1号")
    stored = texts(docs.bulletin_docx(published))
    assert "金住办〔2026〕1号" in stored and "协调员改写的一段。" in stored and "2026年3月2日" in stored
    assert docs.bulletin_pdf(published).startswith(b"%PDF")
    with pytest.raises(docs.DocumentError):
        docs.bulletin_edit(bulletin=published, actor=coordinator, title="x", addressees="y", body="z")
    with pytest.raises(docs.DocumentError):
        docs.bulletin_publish(bulletin=published, actor=coordinator)


def test_numbers_run_on_per_plan_and_year_and_a_rollback_gives_its_number_back(golden, coordinator):
    first = docs.bulletin_for_roundup(roundup=roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)[0])
    second = docs.bulletin_for_roundup(
        roundup=roundup_generate(plan=golden.plan, period=Period.month(2023, 5), today=TODAY)[0])
    with pytest.raises(RuntimeError), transaction.atomic():
        docs.bulletin_publish(bulletin=first, today=date(2026, 1, 5), render=False)
        raise RuntimeError("mail server down: the publish rolls back")
    assert docs.document_number_peek(plan=golden.plan, series=DocumentSeries.BULLETIN, year=2026) == 1
    a = docs.bulletin_publish(bulletin=first, today=date(2026, 1, 5), render=False)
    b = docs.bulletin_publish(bulletin=second, today=date(2026, 1, 6), render=False)
    assert (a.number, b.number) == (1, 2)
    # A correction is a new document that names the one it corrects, with the next number.
    fix = docs.bulletin_correct(bulletin=a, actor=coordinator)
    assert fix.corrects == a and "更正" in fix.title
    fixed = docs.bulletin_publish(bulletin=fix, today=date(2027, 1, 4), render=False)
    assert fixed.doc_number == "金住办〔2027〕1号"  # a new year starts again at 1
    assert "本通报更正金住办〔2026〕1号《关于2023年6月住有宜居工作推进情况的通报》，原文件同时废止。" in texts(
        docs.bulletin_docx(fixed))


def test_only_the_plans_coordinators_edit(golden):
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    bulletin = docs.bulletin_for_roundup(roundup=roundup)
    with pytest.raises(PermissionDenied):
        docs.bulletin_edit(bulletin=bulletin, actor=UserFactory(), title="x", addressees="y", body="z")


def test_roundup_publish_emails_the_numbered_docx_and_pdf_with_the_edited_text(
    golden, coordinator, fake_office, celery_eager, django_capture_on_commit_callbacks, monkeypatch
):
    from tasks.services import roundups as roundup_service

    monkeypatch.setattr(roundup_service, "html_to_pdf", lambda html: b"%PDF page")
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    bulletin = docs.bulletin_for_roundup(roundup=roundup)
    docs.bulletin_edit(bulletin=bulletin, actor=coordinator, title=bulletin.title, addressees="各有关单位",
                       body="协调员改写的正文。")
    with django_capture_on_commit_callbacks(execute=True):
        roundup_publish(roundup=roundup, actor=coordinator, at=at(7, 3))
    bulletin.refresh_from_db()
    assert bulletin.doc_number == "金住办〔2023〕1号" and bulletin.docx and bulletin.pdf
    message = mail.outbox[0]
    docx = next(content for name, content, _t in message.attachments if name.endswith(".docx"))
    assert "金住办〔2023〕1号" in texts(docx) and "协调员改写的正文。" in texts(docx)
    assert docx == docs.bulletin_docx(bulletin)  # what was sent is what is on file


def test_roundup_command_writes_the_docx(golden, tmp_path):
    path = tmp_path / "tongbao.docx"
    call_command("roundup", plan=golden.plan.slug, month="2023-06", docx=str(path), stdout=io.StringIO())
    paragraphs = texts(path.read_bytes())
    assert any(p.endswith("（草稿）") and p.startswith("金住办〔") for p in paragraphs)
    assert not Bulletin.objects.exists()  # nothing written


def test_bulletin_page_round_trip_and_permissions(golden, coordinator, client):
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    url = reverse("tasks:bulletin_edit", args=[roundup.pk])
    client.force_login(liaison_for(golden.a))
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "（草稿）" in page.content.decode()
    response = client.post(url, {"title": "改过的标题", "addressees": "各有关单位", "body": "第一段。\n第二段。",
                                 "signer": "金鉴区住房工作协调委员会办公室", "copy_to": ""})
    assert response.status_code == 302
    bulletin = Bulletin.objects.get()
    assert bulletin.paragraphs() == ["第一段。", "第二段。"] and bulletin.title == "改过的标题"
    download = client.get(reverse("tasks:bulletin_docx", args=[bulletin.pk]))
    assert "改过的标题" in texts(download.content)
    client.force_login(liaison_for(golden.b))
    assert client.get(reverse("tasks:bulletin_docx", args=[bulletin.pk])).status_code == 404


def test_redraft_rewrites_a_draft_from_the_roundup_and_refuses_a_published_one(golden, coordinator):
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    bulletin = docs.bulletin_for_roundup(roundup=roundup)
    docs.bulletin_edit(bulletin=bulletin, actor=coordinator, title="旧标题", addressees="各有关单位", body="旧正文")
    again = docs.bulletin_redraft(bulletin=bulletin, actor=coordinator)
    assert again.title == "关于2023年6月住有宜居工作推进情况的通报" and "旧正文" not in again.body
    published = docs.bulletin_publish(bulletin=again, today=date(2026, 1, 5), render=False)
    with pytest.raises(docs.DocumentError):
        docs.bulletin_redraft(bulletin=published, actor=coordinator)


def test_the_bulletin_groups_units_as_the_roundup_froze_them_not_as_they_are_now(golden, coordinator):
    """A unit made a town after the roundup was generated stays in the 部门 ranking of the roundup's page, workbook
    and e-mail (its snapshot); the 通报 drafted from it (body and ranking attachment) groups it there too."""
    Unit.objects.filter(pk=golden.c.pk).update(kind=Unit.Kind.TOWN)
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    Unit.objects.filter(pk=golden.c.pk).update(kind=Unit.Kind.DEPARTMENT)  # corrected after the roundup
    report = docs.RoundupReport.from_roundup(roundup)
    frozen = {u["unit"]: u["kind"] for u in report.units}
    assert frozen[golden.c.name] == "town"
    tables = docs.attachments_for(report)[0].tables
    assert [t.caption for t in tables] == ["（一）地方（镇、街道）", "（二）部门"]
    assert [r[1] for r in tables[0].rows] == [u["unit"] for u in report.units if u["kind"] == "town"]
    assert golden.c.name in [r[1] for r in tables[0].rows]
    body = docs.bulletin_for_roundup(roundup=roundup, actor=coordinator).paragraphs()
    assert "地方方面，区资规局亮红灯。" in body, body
