"""The Content-Security-Policy in a real Chromium: the main pages and the admin (change form with its date
widgets, autocompletes and inlines; a change list with its actions) load and work under the policy the app
sends, and the browser reports no violation, neither as a console error nor as a
``securitypolicyviolation`` event (listened for by a script Playwright adds, which the policy does not see)."""

import os
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tasks.models import WorkItem
from tasks.roundups.periods import Period
from tasks.services.roundups import roundup_generate
from tasks.tests.daily_setup import PASSWORD, make_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(
    e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watched:
    """A logged-in page whose CSP reports (console and events) are collected per URL."""

    def __init__(self, browser, base: str, username: str):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.found: list[str] = []
        self.page.on("console", self._console)
        self.page.on("dialog", lambda dialog: dialog.dismiss())
        self.goto(reverse("login"))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(lambda url: "/accounts/login" not in url)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.found.append(f"{self.page.url}: {text}")

    def goto(self, path: str):
        response = self.page.goto(self.base + path)
        assert response.status < 400, (path, response.status)
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), path
        return response

    def check(self):
        self.page.wait_for_timeout(150)  # a violation event is dispatched after the element is handled
        self.found += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__violations || []")]


def test_main_pages_and_the_admin_report_no_csp_violation(live_server, browser):
    today = date.today()
    w = make_world(today=today)
    overdue = WorkItem.objects.create(plan=w.plan, year=today.year, text="逾期事项", key_task=w.key_task,
                                      deadline=today - timedelta(days=40), due_date=today - timedelta(days=40))
    overdue.assignments.create(unit=w.lead, role="lead")
    last_month = today.replace(day=1) - timedelta(days=1)
    roundup, _ = roundup_generate(plan=w.plan, period=Period.month(last_month.year, last_month.month), today=today)
    get_user_model().objects.create_superuser("root", "root@example.gov.cn", PASSWORD)

    # The daily pages, as the coordinator and a liaison.
    coordinator = Watched(browser, live_server.url, w.coordinator.username)
    for path in ["/", "/work/", "/overdue/", "/review/", reverse("tasks:plan_detail", args=[w.plan.slug]),
                 w.item.get_absolute_url(), w.key_task.get_absolute_url(), w.indicator.get_absolute_url(),
                 reverse("tasks:unit_detail", args=[w.lead.pk]), "/roundups/",
                 reverse("tasks:roundup_detail", args=[roundup.pk]),
                 reverse("tasks:bulletin_edit", args=[roundup.pk]),
                 reverse("tasks:api_tokens")]:
        coordinator.goto(path)
        coordinator.check()
    # Behaviours moved out of inline scripts still work: "select all" on the overdue list, the language switch.
    coordinator.goto("/overdue/")
    select_all = coordinator.page.locator("input[data-select-all]")
    if select_all.count():
        select_all.first.check()
        name = select_all.first.get_attribute("data-select-all")
        assert all(box.is_checked() for box in coordinator.page.locator(f'input[name="{name}"]').all())
    coordinator.page.select_option("select[data-autosubmit]", "en")
    coordinator.page.wait_for_url(lambda url: "/en/" in url)
    coordinator.page.select_option("select[data-autosubmit]", "zh-hans")
    coordinator.page.wait_for_url(lambda url: "/en/" not in url)
    coordinator.check()

    liaison = Watched(browser, live_server.url, w.lead_user.username)
    for path in ["/", "/work/", w.item.get_absolute_url(), reverse("tasks:api_tokens")]:
        liaison.goto(path)
        liaison.check()
    # A token made on the page is shown once.
    liaison.page.fill("#id_name", "对接")
    liaison.page.click("form button.primary")
    assert len(liaison.page.locator("#new-token code.api-token-key").inner_text()) == 64
    liaison.check()

    # The admin, as a superuser.
    admin = Watched(browser, live_server.url, "root")
    for path in [reverse("tasks:plan_import"), "/admin/", "/admin/tasks/plan/", "/admin/tasks/unit/",
                 "/admin/axes/accesslog/", "/admin/tasks/apitoken/", "/admin/tasks/calendaroverride/"]:
        admin.goto(path)
        admin.check()

    # The change form: a date widget's calendar, an autocomplete's options, an inline row added.
    admin.goto(reverse("admin:tasks_workitem_change", args=[w.item.pk]))
    page = admin.page
    page.click("#calendarlink0")
    from playwright.sync_api import expect

    expect(page.locator(".calendarbox").first).to_be_visible()
    page.click(".calendarbox .calendar-cancel a")
    page.click(".field-key_task .select2-selection")
    page.wait_for_selector(".select2-results__option:has-text('扩大保障性租赁住房供给')")  # the search's answer
    page.keyboard.press("Escape")
    rows = page.locator(".dynamic-assignments, .dynamic-workitemunit_set, tr.form-row.dynamic-assignments").count()
    add = page.locator(".add-row a").first
    if add.count():
        add.click()
        assert page.locator("tr.form-row").count() > rows
    admin.check()

    # A change list with its actions: select a row, choose the action, get Django's confirmation page.
    admin.goto(reverse("admin:tasks_workitem_changelist"))
    page.locator("input.action-select").first.check()
    assert "selected" in (page.locator("tr.selected").first.get_attribute("class") or "")
    page.select_option("select[name=action]", "delete_selected")
    page.click("button[name=index]")
    page.wait_for_load_state()
    assert page.locator("input[name=post]").count() == 1  # "Are you sure?"
    admin.check()

    # The add form's user autocomplete (the API token admin).
    admin.goto(reverse("admin:tasks_apitoken_add"))
    page.click(".field-user .select2-selection")
    page.fill(".select2-search__field", "coord")
    page.wait_for_selector(".select2-results__option:has-text('coord')")
    admin.check()

    found = coordinator.found + liaison.found + admin.found
    assert not found, found
