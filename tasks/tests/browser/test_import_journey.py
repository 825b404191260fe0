"""Journey 1 in a real Chromium: upload yuecheng's plan, map a unit, confirm, land on the plan's page.

Screenshots of the preview (desktop and a 390px phone) go to $SCREENSHOT_DIR when it is set (``shots.py``).
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tasks.importers import parse_plan_file
from tasks.models import Plan, Role, UnitAlias, WorkItem
from tasks.tests.browser.shots import screenshot
from tasks.tests.factories import RegionFactory, UnitFactory, UserFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls below are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YUECHENG = Path(__file__).resolve().parents[3] / "fixtures" / "plans" / "yuecheng-2023-2027.txt"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _region_known_but_for_one_name():
    """越城区 already has every unit of the plan, but its housing bureau under its full name."""
    region = RegionFactory(name="越城区", slug="yuecheng")
    for pu in parse_plan_file(YUECHENG).units:
        if pu.name != "区建设局":
            UnitFactory(region=region, name=pu.name)
    return UnitFactory(region=region, name="区住房和城乡建设局")


def _coordinator():
    user = UserFactory(username="coordinator", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_plan"))
    return user


def _log_in(page, base: str) -> None:
    page.goto(base + reverse("login"))
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def test_coordinator_uploads_maps_a_unit_confirms_and_lands_on_the_plan(live_server, browser):
    bureau = _region_known_but_for_one_name()
    _coordinator()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _log_in(page, live_server.url)

    page.goto(live_server.url + reverse("tasks:plan_import"))
    page.set_input_files("#id_document", str(YUECHENG))
    page.click("text=上传并预览")
    page.wait_for_url("**/plans/import/preview/")
    # A unit name, a doubtful link, and 各平台公司: a collective without members, for the coordinator to name.
    assert page.locator("h2", has_text="确认前请核对 3 处").is_visible()
    assert page.locator("#collectives-to-check").is_visible()
    select = page.get_by_label("区建设局", exact=True)
    assert select.is_visible()
    assert page.locator(".state").inner_text() == "将新建"
    link = page.get_by_label("创县级及以上优质工程（个）")
    assert link.input_value() == "6"
    screenshot(page, "import_preview_desktop.png")
    screenshot(page.locator("#import-form"), "import_checklist_desktop.png")
    work_list = page.locator(".card", has=page.get_by_role("heading", name="工作清单", exact=True))
    screenshot(work_list, "import_work_list_desktop.png")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True, locale="zh-CN")
    phone.add_cookies(context.cookies())  # the same coordinator's session: the same staged document
    phone_page = phone.new_page()
    phone_page.goto(live_server.url + reverse("tasks:plan_import_preview"))
    assert phone_page.get_by_label("区建设局", exact=True).is_visible()
    screenshot(phone_page, "import_preview_phone.png")
    screenshot(phone_page.locator("#import-form"), "import_checklist_phone.png")
    phone_page.get_by_role("heading", name="重点任务", exact=True).scroll_into_view_if_needed()
    screenshot(phone_page, "import_tasks_phone.png")
    # Nothing is wider than the phone's screen except inside the scrolling tables.
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    phone.close()
    assert not Plan.objects.exists()

    # The suggestion under the select picks the unit in one tap.
    page.get_by_role("button", name="区住房和城乡建设局").click()
    from playwright.sync_api import expect

    expect(select).to_have_value(str(bureau.pk))
    expect(page.locator(".state")).to_have_text("作为已有单位的别名")
    screenshot(page.locator("#import-form"), "import_checklist_chosen.png")
    page.click("button:has-text('确认导入')")
    page.wait_for_url(lambda url: "/plans/import/" not in url)
    plan = Plan.objects.get()
    page.wait_for_url(live_server.url + plan.get_absolute_url())
    assert page.get_by_text("导入完成").is_visible()
    assert page.get_by_role("heading", name=plan.title).is_visible()
    screenshot(page, "import_done_plan_page.png")

    assert UnitAlias.objects.get(name="区建设局").unit == bureau
    assert plan.key_tasks.get(number=1).assignments.get(role=Role.LEAD).unit == bureau
    award = WorkItem.objects.filter(plan=plan, indicator_name="创县级及以上优质工程（个）")
    assert {(i.key_task.number, i.link_confirmed) for i in award} == {(6, True)}
    context.close()


def test_an_invalid_choice_is_shown_on_the_preview_and_nothing_is_written(live_server, browser):
    _region_known_but_for_one_name()
    _coordinator()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server.url)
    page.goto(live_server.url + reverse("tasks:plan_import"))
    page.set_input_files("#id_document", str(YUECHENG))
    page.click("text=上传并预览")
    page.wait_for_url("**/plans/import/preview/")
    # A unit chosen in another tab is deleted before confirming.
    select = page.get_by_label("区建设局", exact=True)
    select.select_option(label="区住房和城乡建设局")
    from tasks.models import Unit

    Unit.objects.filter(name="区住房和城乡建设局").delete()
    page.click("button:has-text('确认导入')")
    from playwright.sync_api import expect

    # The confirm posts and re-renders: wait for the answer, not for the click.
    expect(page.get_by_role("alert")).to_contain_text("有选择无效")
    assert not Plan.objects.exists()
