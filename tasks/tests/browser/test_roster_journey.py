"""A real Chromium: the coordinator downloads the roster template, uploads the office's roster (.xlsx), corrects
the one flagged row by choosing from the suggestions, confirms; the invitation goes out through the outbox; the
liaison opens the link on a phone, sets a password and sees the unit's items. The coordinator's clicks and typed
fields are counted and printed."""

import io
import os

import pytest
from openpyxl import Workbook

from tasks.models import Message
from tasks.tests.browser.shots import screenshot
from tasks.tests.browser.test_journeys import messages_text, session
from tasks.tests.daily_setup import make_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _roster() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["单位", "姓名", "职务", "手机", "邮箱", "浙政钉ID", "角色"])
    ws.append(["区建设局", "王芳", "科长", "13800000001", "wangfang@example.gov.cn", "", "联络员"])
    ws.append(["区财政局", "钱七", "副局长", "13800000002", "qianqi@example.gov.cn", "", "分管领导"])
    ws.append(["教育局", "赵六", "科员", "13800000003", "zhaoliu@example.gov.cn", "", "联络员"])  # not the name used
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_coordinator_imports_a_roster_and_the_liaison_sets_a_password_from_the_invitation(
    browser, live_server, tmp_path
):
    w = make_world()
    clicks = typed = 0
    coordinator = session(browser, live_server, "coord")
    coordinator.goto(live_server.url + w.plan.get_absolute_url())
    coordinator.click("#roster-import")
    clicks += 1
    with coordinator.expect_download() as download:
        coordinator.click("#roster-template")
    clicks += 1
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / "名单.xlsx"
    path.write_bytes(_roster())
    coordinator.set_input_files("#roster-upload input[type=file]", str(path))
    clicks += 1  # choosing the file
    coordinator.click("#roster-upload button[type=submit]")
    clicks += 1
    assert coordinator.inner_text("#roster-bad") == "1"
    row = coordinator.inner_text("#roster-row-4")
    assert "不在" in row and "区教育局" in row
    screenshot(coordinator, "roster-preview.png", full_page=True)
    coordinator.select_option("#id_unit_4", label="区教育局")  # the suggestion: a choice, nothing typed
    clicks += 1
    coordinator.click("#roster-check")
    clicks += 1
    assert coordinator.inner_text("#roster-bad") == "0"
    coordinator.click("#roster-confirm")
    clicks += 1
    assert "新增 3 人" in messages_text(coordinator)
    print(f"\ncoordinator: {clicks} clicks, {typed} fields typed")
    assert clicks <= 25 and typed == 0

    invite = Message.objects.filter(purpose=Message.Purpose.INVITE, address="wangfang@example.gov.cn").get()
    link = invite.body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + link)
    assert "13800000001" in page.inner_text("body")
    page.fill("#id_new_password1", "Yuecheng-2026-liaison")
    page.fill("#id_new_password2", "Yuecheng-2026-liaison")
    screenshot(page, "invitation-set-password.png", full_page=True)
    page.click("#set-password button[type=submit]")
    assert "密码已设置" in messages_text(page)
    assert w.item.text in page.inner_text("body")  # the unit's items, at once
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(live_server.url + link)  # the link is used: refused
    assert "已使用" in page.inner_text("#invitation-refused")
    phone.close()
