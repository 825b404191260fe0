"""Phone first for liaisons and leaders (issue 32 §5): every page they use, at 390 × 844 in a real Chromium.

On each page: nothing scrolls sideways (``scrollWidth`` ≤ 390); every visible control is at least 44 × 44 px
(a checkbox or radio button by the label that holds it); every figure has a visible label beside it.
``make screenshots`` saves the pages with the other browser tests' (``var/screenshots/phone-*.png``).

A figure is a visible text that is a number ("11", "0.0%", "3.30", "—" beside them counts as none): its label
is text in its own box, its box's ``::before`` (a card's ``data-label``), the ``<dt>`` before its ``<dd>``, or
the header of its column when the table shows its header. No exception to the size rule, not even for a link
inside a sentence: on these pages every link is a 44 px target.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tasks.models import WorkItem
from tasks.services.breakdown import BreakdownPart, work_item_break_down
from tasks.services.notices import notices_issue_for_items
from tasks.tests.breakdown_setup import make_towns
from tasks.tests.browser.shots import screenshot
from tasks.tests.daily_setup import make_world, user
from tasks.tests.factories import WorkItemFactory

from .test_journeys import session

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
MIN_TAP = 44

# Run in the page (Playwright's evaluate goes through the DevTools protocol, not the page's CSP).
CHECK = (Path(__file__).parent / "phone_check.js").read_text(encoding="utf-8")


def check_phone_page(page, name: str) -> None:
    screenshot(page, f"phone-{name}.png", full_page=True)
    found = page.evaluate(CHECK)
    assert found["scrollWidth"] <= PHONE["width"], (name, found["scrollWidth"])
    assert found["small"] == [], (name, "controls under 44 px", found["small"])
    assert found["unlabelled"] == [], (name, "figures without a label", found["unlabelled"])


@pytest.fixture
def office(monkeypatch):
    """The small office with: items due soon, overdue and later; a part handed to a town awaiting 签收; a 督办单
    to the lead unit awaiting its reply; import warnings on the plan; a leader who reads the plan."""
    monkeypatch.setattr("tasks.services.notices.enqueue_after_commit", lambda *a, **k: None)
    w = make_world()
    w.towns = make_towns(w)
    for i, days in enumerate((-12, 3, 40)):
        due = w.today + timedelta(days=days)
        WorkItemFactory(plan=w.plan, year=w.today.year, text=f"推进第{i + 1}批城镇老旧小区改造，完成加装电梯{i + 3}台",
                        deadline=due, due_date=due, deadline_text=f"{due.month}月底前", lead=w.lead,
                        supporting=[w.support], key_task=w.key_task, indicator=w.indicator)
    overdue = WorkItem.objects.filter(plan=w.plan, due_date__lt=w.today).first()
    w.soon = WorkItem.objects.filter(plan=w.plan, due_date=w.today + timedelta(days=3)).get()
    [w.part] = work_item_break_down(item=w.item, user=w.lead_user,
                                    parts=[BreakdownPart(unit=w.towns[0], due_date=w.item.due_date)])
    later = WorkItem.objects.filter(plan=w.plan, due_date=w.today + timedelta(days=40)).get()
    [w.part2] = work_item_break_down(item=later, user=w.lead_user,
                                     parts=[BreakdownPart(unit=w.towns[0], due_date=later.due_date)])
    [w.notice] = notices_issue_for_items(items=[overdue], actor=w.coordinator, today=w.today)
    w.plan.import_warnings = [
        {"code": "unit_created", "line": None, "message": "新建单位：区城管局"},
        {"code": "deadline_unparsed", "line": 120, "message": "期限“长期坚持”无法解析"},
        {"code": "deadline_unparsed", "line": 131, "message": "期限“持续推进”无法解析"},
    ]
    w.plan.save()
    w.leader = user("leader", first_name="分管领导")
    w.leader.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    return w


def test_a_liaisons_pages_fit_a_phone(browser, live_server, office):
    w = office
    page = session(browser, live_server, "lead", viewport=PHONE, is_mobile=True, has_touch=True)
    check_phone_page(page, "home")
    page.goto(live_server.url + w.item.get_absolute_url())
    check_phone_page(page, "item")
    # The progress report takes a photo with the back camera, beside the files.
    camera = page.locator("#report input[name=photos]")
    assert camera.get_attribute("accept") == "image/*" and camera.get_attribute("capture") == "environment"
    page.goto(live_server.url + w.soon.get_absolute_url())
    page.locator("#report").scroll_into_view_if_needed()
    screenshot(page, "phone-report.png")
    page.click("#close summary")
    assert page.locator("#close input[name=photos]").get_attribute("capture") == "environment"
    check_phone_page(page, "close-request")
    page.goto(live_server.url + reverse("tasks:notice_detail", args=[w.notice.pk]))
    assert page.locator("#reply input[name=photos]").get_attribute("capture") == "environment"
    check_phone_page(page, "notice-reply")
    page.context.close()


def test_a_town_signs_on_a_phone(browser, live_server, office):
    w = office
    page = session(browser, live_server, "town0", viewport=PHONE, is_mobile=True, has_touch=True)
    check_phone_page(page, "town-home")
    page.goto(live_server.url + w.part.get_absolute_url())
    check_phone_page(page, "sign")
    # On the part's page the 签收 button is the first thing under the title, above the fold.
    box = page.locator("#sign button[type=submit]").bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    # From the home page, one tap per part (journey 11: two parts in two taps), back home each time.
    page.goto(live_server.url + "/")
    assert page.locator("#to-sign button[type=submit]").count() == 2
    for left in (1, 0):
        page.locator("#to-sign button[type=submit]").first.click()
        page.wait_for_load_state()
        assert "已签收" in page.inner_text(".messages") and page.url == live_server.url + "/"
        assert page.locator("#to-sign button[type=submit]").count() == left
    for part in (w.part, w.part2):
        part.refresh_from_db()
        assert part.status == WorkItem.Status.NOT_STARTED
    page.context.close()


def test_a_leaders_dashboard_fits_a_phone_with_the_warnings_folded(browser, live_server, office):
    w = office
    page = session(browser, live_server, "leader", viewport=PHONE, is_mobile=True, has_touch=True)
    check_phone_page(page, "leader-home")
    page.goto(live_server.url + w.plan.get_absolute_url())
    check_phone_page(page, "dashboard")
    # The import warnings are the office's to fix: folded for a leader, their count on the fold.
    warnings = page.locator("#import-warnings")
    assert warnings.get_attribute("open") is None and "3" in warnings.locator("summary").inner_text()
    assert not page.locator("text=期限“长期坚持”无法解析").is_visible()
    # The check bites: the unit cards without their labels are "区建设局 4 0 1 0.0%" again.
    page.evaluate("() => document.querySelectorAll('td[data-label]').forEach(td => td.removeAttribute('data-label'))")
    unlabelled = page.evaluate(CHECK)["unlabelled"]
    assert len(unlabelled) >= 4 and any("0.0%" in u for u in unlabelled), unlabelled
    page.context.close()
    # The coordinator, who fixes them, sees them open.
    page = session(browser, live_server, "coord", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(live_server.url + w.plan.get_absolute_url())
    assert page.locator("text=期限“长期坚持”无法解析").is_visible()
    check_phone_page(page, "dashboard-coordinator")
    page.context.close()
