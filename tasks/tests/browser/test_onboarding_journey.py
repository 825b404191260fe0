"""Issue 32's target, in a real Chromium, from an installation holding nothing but the coordinator's account:
the coordinator imports 越城区's plan as a .docx (the region and its towns come with it), then the office's
roster of 30 units as an .xlsx; the invitations go out through the outbox; a liaison opens the link on a
phone, sets a password and sees the unit's items. The coordinator's clicks and typed fields after logging in
are counted and printed: at most 25 clicks, nothing typed."""

import io
import os
from pathlib import Path

import docx
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import Workbook

from tasks.models import Message, Plan, Unit, WorkItem
from tasks.tests.browser.shots import screenshot
from tasks.tests.browser.test_journeys import messages_text
from tasks.tests.factories import UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YUECHENG = Path(__file__).resolve().parents[3] / "fixtures" / "plans" / "yuecheng-2023-2027.txt"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"


def _plan_docx(path: Path) -> Path:
    """The published plan as an office would send it: a Word file, one paragraph per line."""
    document = docx.Document()
    for line in YUECHENG.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    document.save(path)
    return path


def _roster(units: list[str], path: Path) -> Path:
    """The office's 联络员名单: one liaison per unit, with mobile, mailbox and 浙政钉 id."""
    wb = Workbook()
    ws = wb.active
    ws.append(["单位", "姓名", "职务", "手机", "邮箱", "浙政钉ID", "角色"])
    for i, unit in enumerate(units):
        ws.append([unit, f"{SURNAMES[i]}联络", "科员", f"1380000{i:04d}", f"liaison{i:02d}@example.gov.cn",
                   f"zzd{i:02d}", "联络员"])
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_region_on_board_from_an_empty_installation(browser, live_server, tmp_path):
    coordinator = UserFactory(username="newcounty", is_staff=True)
    coordinator.user_permissions.add(Permission.objects.get(codename="add_plan"))
    assert not Plan.objects.exists() and not Unit.objects.exists()

    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(30000)
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "newcounty")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    clicks = typed = 0

    # The plan: from the (empty) dashboard's import button, upload, confirm the preview as it stands.
    page.click("a.button:has-text('导入方案')")
    clicks += 1
    page.set_input_files("#id_document", str(_plan_docx(tmp_path / "越城区住有宜居实施方案.docx")))
    clicks += 1  # choosing the file
    page.click("text=上传并预览")
    clicks += 1
    page.wait_for_url("**/plans/import/preview/")
    page.click("button:has-text('确认导入')")
    clicks += 1
    page.wait_for_url(lambda url: "/plans/import/" not in url)
    plan = Plan.objects.get()
    assert "导入完成" in messages_text(page)
    towns = list(Unit.objects.filter(region=plan.region, kind=Unit.Kind.TOWN).order_by("name")
                 .values_list("name", flat=True))
    departments = list(Unit.objects.filter(region=plan.region).exclude(kind__in=[Unit.Kind.TOWN, Unit.Kind.COLLECTIVE])
                       .order_by("name").values_list("name", flat=True))
    units = sorted(set(departments))[: 30 - 7] + towns[:7]
    assert len(units) == 30

    # The roster: from the plan's page, upload the office's file, confirm.
    page.click("#roster-import")
    clicks += 1
    page.set_input_files("#roster-upload input[type=file]", str(_roster(units, tmp_path / "联络员名单.xlsx")))
    clicks += 1
    page.click("#roster-upload button[type=submit]")
    clicks += 1
    assert page.inner_text("#roster-bad") == "0"
    screenshot(page, "onboarding-roster-preview.png", full_page=True)
    page.click("#roster-confirm")
    clicks += 1
    assert "新增 30 人" in messages_text(page)
    print(f"\ncoordinator after logging in: {clicks} clicks, {typed} fields typed "
          f"(plan: {plan.work_items.count()} items; roster: 30 units)")
    assert clicks <= 25 and typed == 0

    invitations = Message.objects.filter(purpose=Message.Purpose.INVITE, channel="email")
    assert invitations.count() == 30
    # The liaison of one unit opens the invitation on a phone, sets a password, sees the unit's work.
    unit = next(u for u in units if WorkItem.objects.filter(plan=plan, assignments__unit__name=u).exists())
    index = units.index(unit)
    invite = invitations.get(address=f"liaison{index:02d}@example.gov.cn")
    link = invite.body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)
    liaison = phone.new_page()
    liaison.set_default_timeout(30000)
    liaison.goto(live_server.url + link)
    liaison.fill("#id_new_password1", "Yuecheng-2026-onboard")
    liaison.fill("#id_new_password2", "Yuecheng-2026-onboard")
    liaison.click("#set-password button[type=submit]")
    assert "密码已设置" in messages_text(liaison)
    assert unit in liaison.inner_text("h1")
    item = WorkItem.objects.filter(plan=plan, assignments__unit__name=unit).order_by("due_date", "pk").first()
    body = liaison.inner_text("body")
    assert item.text[:20] in body
    # The 2023 list was kept as history (the preview's default): nothing of it is overdue, lead or supporting.
    assert "历史留档" in body and "逾期未到位" not in body and "已逾期" in body
    assert liaison.inner_text(".count.c-overdue b") == "0"
    screenshot(liaison, "onboarding-liaison-home.png", full_page=False)
    phone.close()
