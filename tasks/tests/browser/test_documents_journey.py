"""The 通报 and the 督办单 in a real Chromium: the coordinator edits the 通报 text and publishes, and the emailed
.docx and PDF carry the edited text and the number; a 督办单 issued from the overdue view reaches the unit and
its leader, the unit answers, and the answer shows in the item's history."""

import io
import os
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from tasks.models import Bulletin, RoundupSettings, SupervisionNotice
from tasks.roundups.periods import Period
from tasks.services import roundups as roundup_service
from tasks.services.roundups import roundup_generate
from tasks.tests.browser.shots import screenshot
from tasks.tests.factories import liaison_for
from tasks.tests.roundup_golden import build_golden

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-123")
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def test_edit_publish_then_notice_answer(live_server, browser, celery_eager, monkeypatch):
    from tasks.documents.convert import soffice_path

    if not soffice_path():
        pytest.skip("LibreOffice is not installed (make sysdeps)")
    monkeypatch.setattr(roundup_service, "html_to_pdf", lambda html: b"%PDF-1.4 page")
    g = build_golden()
    RoundupSettings.objects.create(plan=g.plan, doc_prefix="金住办", doc_issuer="金鉴区住房工作协调委员会办公室")
    g.a.leader_name, g.a.leader_email = "王副区长", "wang@example.gov.cn"
    g.a.save()
    roundup, _ = roundup_generate(plan=g.plan, period=Period.month(2023, 6), today=date(2023, 7, 10))
    liaison_for(g.a, username="jianshe1", email="jianshe1@example.gov.cn")

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server.url, "zhuanban")

    # The coordinator edits the 通报 from the roundup page and publishes it.
    page.goto(live_server.url + reverse("tasks:roundup_detail", args=[roundup.pk]))
    page.click("text=通报公文")
    assert "（草稿）" in page.inner_text("h2")
    body = page.input_value("#id_body")
    page.fill("#id_body", body + "\n四、专班意见\n请各单位于7月底前完成全部整改。")
    page.click("#bulletin-form button[type=submit]")
    page.wait_for_selector("text=通报已保存")
    screenshot(page, "bulletin-edit.png", full_page=True)
    page.click("#bulletin-publish button[type=submit]")
    page.wait_for_selector("text=已印发：金住办〔")
    bulletin = Bulletin.objects.get()
    assert bulletin.is_published and bulletin.doc_number.startswith("金住办〔")
    sent = [m for m in mail.outbox if "2023年6月" in m.subject]
    assert sent
    files = {name[-4:]: content for name, content, _t in sent[0].attachments}
    docx_text = [p.text for p in Document(io.BytesIO(files["docx"])).paragraphs]
    assert bulletin.doc_number in docx_text and "请各单位于7月底前完成全部整改。" in docx_text
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(files[".pdf"])).pages).replace(" ", "")
    assert bulletin.doc_number in pdf_text and "请各单位于7月底前完成全部整改" in pdf_text

    # A 督办单 from the overdue view reaches the unit and its leader.
    mail.outbox.clear()
    page.goto(live_server.url + reverse("tasks:overdue"))
    item = g.items["i11"]
    page.check(f"input[name=item][value='{item.pk}']")
    page.click("#issue-notices")
    page.wait_for_selector("text=已签发督办单")
    notice = SupervisionNotice.objects.get()
    assert notice.unit == g.a and notice.colour == "red"
    # One email per address through the outbox (each with its own fate), the PDF attached to each.
    assert {"jianshe@example.gov.cn", "wang@example.gov.cn"} <= {m.to[0] for m in mail.outbox}
    assert all(any(name.endswith(".pdf") for name, _c, _t in m.attachments) for m in mail.outbox)

    # The unit answers on the notice page; the answer is in the item's history.
    context.clear_cookies()  # log out
    log_in(page, live_server.url, "jianshe1")
    page.goto(live_server.url + reverse("tasks:notice_detail", args=[notice.pk]))
    page.fill("#id_text", "已召开专题会，12月20日前完成。")
    page.click("#reply button[type=submit]")
    page.wait_for_selector("text=已回复督办单")
    page.goto(live_server.url + reverse("tasks:work_item_detail", args=[item.pk]))
    history = page.inner_text("#history")
    assert "已召开专题会，12月20日前完成。" in history and notice.doc_number in history
    screenshot(page, "notice-answered-item.png", full_page=True)
    context.close()
