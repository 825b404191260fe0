"""What the phone walk of session 19 tripped on, at 390 × 844 in a real Chromium (see test_phone.py for the
checks every page passes).

- A form sent back with an error: the page came back from its top, the error half a page down, out of sight
  (the tap seemed to do nothing); and a file-type error, whose ".pdf、.png、…" has no break opportunity,
  widened the item page's one grid column past the screen (537 px: the page scrolled sideways).
- An item with many supporting units (a plan item has twenty): its page listed each unit twice (责任单位 and
  配合到位) before the form, so a supporting liaison scrolled past forty lines to reach 办理.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from tasks.models import Role, WorkItemUnit
from tasks.tests.browser.shots import screenshot
from tasks.tests.daily_setup import make_world
from tasks.tests.factories import UnitFactory

from .test_journeys import session

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _in_view(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 200) <= PHONE["height"]


def test_a_form_sent_back_shows_its_error_on_screen_and_keeps_the_page_on_the_phone(browser, live_server):
    w = make_world()
    page = session(browser, live_server, "lead", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(live_server.url + w.item.get_absolute_url())
    page.fill("#report textarea[name=note]", "已召开专题会，完成计划初稿")
    page.set_input_files("#report input[name=files]",
                         files=[{"name": "安装包.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\0\0"}])
    page.click("#report button[type=submit]")
    page.wait_for_load_state()
    screenshot(page, "phone-report-error.png")
    assert "文件类型不允许" in page.inner_text("#report .errorlist")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The error is on screen, the cursor in its field, what was typed still there.
    assert _in_view(page, "#report .has-error"), page.locator("#report .has-error").bounding_box()
    assert page.evaluate("document.activeElement.name") == "files"
    assert page.input_value("#report textarea[name=note]") == "已召开专题会，完成计划初稿"
    # A folded form's error unfolds it: an extension asked without a reason.
    page.goto(live_server.url + w.item.get_absolute_url())
    page.click("#extension summary")
    page.fill("#extension input[name=proposed_due_date]", (w.item.due_date + timedelta(days=30)).isoformat())
    page.evaluate("document.querySelector('#extension form').noValidate = true")
    page.click("#extension button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#extension").get_attribute("open") is not None
    assert _in_view(page, "#extension .has-error"), page.locator("#extension .has-error").bounding_box()
    page.context.close()


def test_a_supporting_liaison_reaches_the_form_past_twenty_supporting_units(browser, live_server):
    w = make_world()
    for i in range(20):
        WorkItemUnit.objects.create(work_item=w.item, unit=UnitFactory(region=w.plan.region, name=f"配合单位{i:02d}"),
                                    role=Role.SUPPORT, position=i + 2)
    page = session(browser, live_server, "support", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(live_server.url + w.item.get_absolute_url())
    screenshot(page, "phone-many-supporting-units.png", full_page=True)
    # The 21 supporting units are folded under their count; this unit's own part stays in sight.
    assert "配合单位 21 个" in page.inner_text("#support-units summary")
    assert not page.locator("text=配合单位07").first.is_visible()
    assert "未到位 21" in page.inner_text(".support-tally")
    assert "区财政局" in page.inner_text(".support-parts.mine")
    top = page.evaluate("document.querySelector('section.actions').getBoundingClientRect().top")
    assert top < 2 * PHONE["height"], top  # was 3 screens down with a plan item's 24 units
    page.click("#support-parts summary")
    assert page.locator("#support-parts li", has_text="配合单位07").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()


def test_few_supporting_units_stay_listed(browser, live_server):
    w = make_world()
    page = session(browser, live_server, "lead", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(live_server.url + w.item.get_absolute_url())
    assert page.locator("#support-units").count() == 0 and page.locator(".support-tally").count() == 0
    assert page.locator("ul.units li", has_text="区财政局").first.is_visible()
    page.context.close()


def _long_roster() -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["单位", "姓名", "职务", "手机", "邮箱", "浙政钉ID", "角色"])
    for i in range(30):
        ws.append(["区建设局", f"联络员{i:02d}", "科员", f"138000001{i:02d}", f"p{i}@example.gov.cn", "", "联络员"])
    ws.append(["教育局", "赵六", "科员", "13800000201", "zhaoliu@example.gov.cn", "", "联络员"])  # not the name used
    ws.append(["区财政局", "李四", "科员", "13800000202", "lisi@example.gov.cn", "", "联络员"])
    ws.append(["区教育局", "王五", "科员", "13800000202", "wangwu@example.gov.cn", "", "联络员"])  # the same mobile
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_roster_preview_puts_the_rows_to_fix_first_and_fits_the_screen(browser, live_server, tmp_path):
    """The three flagged rows of a long roster were at its bottom; their corrected inputs pushed the table past
    a 1366 px screen, or squeezed the result column to a character a line; the row messages were Chinese on
    the English page, with half-width punctuation on the Chinese one."""
    w = make_world()
    path = tmp_path / "名单.xlsx"
    path.write_bytes(_long_roster())
    for viewport, width in (({"width": 1366, "height": 900}, 1366), (PHONE, PHONE["width"])):
        phone = viewport is PHONE
        page = session(browser, live_server, "coord", viewport=viewport, is_mobile=phone, has_touch=phone)
        page.goto(live_server.url + w.plan.get_absolute_url().rstrip("/") + "/roster/")
        page.set_input_files("#roster-upload input[type=file]", str(path))
        page.click("#roster-upload button[type=submit]")
        page.wait_for_load_state()
        screenshot(page, f"roster-long-{width}.png")
        assert page.inner_text("#roster-bad") == "3"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        rows = page.locator("table.roster tbody tr")
        assert [rows.nth(i).get_attribute("id") for i in range(3)] == [
            "roster-row-32", "roster-row-33", "roster-row-34"]
        assert "单位“教育局”不在测试区的单位中，可能是：区教育局" in rows.nth(0).inner_text()
        if not phone:
            assert page.locator("#roster-row-32 .errorlist").bounding_box()["width"] >= 150
        # The confirm says whom it invites: the 30 new people of the rows without errors.
        assert "确认导入 33 人，向其中 30 人发送邀请" in page.inner_text("#roster-confirm")
        page.context.close()
    page = session(browser, live_server, "coord")
    page.goto(live_server.url + "/en" + w.plan.get_absolute_url().rstrip("/") + "/roster/")
    page.set_input_files("#roster-upload input[type=file]", str(path))
    page.click("#roster-upload button[type=submit]")
    page.wait_for_load_state()
    assert "The unit “教育局” is not one of 测试区's units; did you mean: 区教育局" in page.inner_text("#roster-row-32")
    page.context.close()


def test_the_overdue_lists_bulk_actions_stay_on_screen_on_a_phone(browser, live_server):
    """Journey 5 on a phone: the coordinator ticks an item near the top of a long overdue list and sends a
    reminder now; the button was at the end of the list, screens below."""
    from tasks.tests.factories import WorkItemFactory

    w = make_world()
    for i in range(30):
        due = w.today - timedelta(days=40 + i)
        WorkItemFactory(plan=w.plan, text=f"逾期事项{i:02d}", deadline=due, due_date=due, lead=w.lead)
    page = session(browser, live_server, "coord", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(live_server.url + "/overdue/")
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * PHONE["height"]
    page.locator("#overdue-actions tbody input[type=checkbox]").first.check()
    button = page.locator(".bulk-actions button.primary")
    box = button.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box  # on the first screen, over the list
    screenshot(page, "phone-overdue-bulk.png")
    button.click()
    page.wait_for_load_state()
    assert "催办" in page.inner_text(".messages")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()


def test_a_phone_cards_labels_take_the_colon_of_the_pages_language(browser, live_server):
    """A work table's row becomes a card on a phone, each figure after its column's name and a colon: the colon
    was the full-width "：" in English too ("Deadline：2026-12-31")."""
    make_world()
    page = session(browser, live_server, "lead", viewport=PHONE, is_mobile=True, has_touch=True)
    labels = "() => Array.from(document.querySelectorAll('.worktable td[data-label]')).filter(td => td.offsetParent)" \
             ".map(td => getComputedStyle(td, '::before').content)"
    chinese = page.evaluate(labels)
    assert chinese and all(c.endswith('："') for c in chinese), chinese
    page.goto(live_server.url + "/en/")
    english = page.evaluate(labels)
    assert english and all(c.endswith(': "') and "：" not in c for c in english), english
    page.context.close()


def test_a_units_people_page_fits_a_phone(browser, live_server):
    """The people page's table (seven columns, an e-mail address among them) scrolled sideways to 536 px on a
    phone: each person is a card now, every figure after its label, every control a 44 px target."""
    from tasks.models import Profile

    from .test_phone import check_phone_page

    w = make_world()
    Profile.objects.filter(user=w.lead_user).update(mobile="13800000001", title="科长")
    page = session(browser, live_server, "coord", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(live_server.url + f"/units/{w.lead.pk}/people/")
    check_phone_page(page, "unit-people")
    assert page.locator("table.people td[data-label]", has_text="13800000001").is_visible()
    page.context.close()


def test_the_roundups_list_fits_a_phone(browser, live_server):
    """The list of 月晾晒 / 季通报 squeezed a plan's title into a column two characters wide (a dozen lines a
    row): a card per roundup now, its period first."""
    from datetime import date

    from tasks.roundups.periods import Period
    from tasks.services.roundups import roundup_generate

    from .test_phone import check_phone_page

    w = make_world()
    roundup_generate(plan=w.plan, period=Period.month(w.today.year, 1), today=date(w.today.year, 2, 1))
    page = session(browser, live_server, "coord", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(live_server.url + "/roundups/")
    check_phone_page(page, "roundups")
    row = page.locator("table.roundup-list tbody tr").first
    assert row.locator("td.text-col a").bounding_box()["width"] > 200  # the period, a line of its own
    assert row.locator("td", has_text=w.plan.title).bounding_box()["height"] < 100
    page.context.close()
