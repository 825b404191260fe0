"""A real Chromium on a phone (issue 31 §5): the 签收 chase's link, a login with "remember me", the confirm
page's one button; then the next message's link lands at once, the login remembered."""

import os
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from tasks.models import ReminderSettings, WorkItem
from tasks.notifications.links import Link, link_read, signed_url
from tasks.services.breakdown import BreakdownPart, work_item_break_down
from tasks.services.reminders import reminders_scan, reminders_send_pending
from tasks.tests.browser.shots import screenshot
from tasks.tests.browser.test_journeys import messages_text
from tasks.tests.daily_setup import PASSWORD, make_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_liaison_signs_from_the_chase_link_in_two_taps_and_the_next_link_lands_at_once(
    browser, live_server, settings
):
    settings.SITE_URL = live_server.url
    w = make_world()
    ReminderSettings.objects.create(plan=w.plan, monthly_enabled=False)
    (sub,) = work_item_break_down(item=w.other_item, user=w.coordinator,
                                  parts=[BreakdownPart(unit=w.support, due_date=w.other_item.due_date)])
    WorkItem.objects.filter(pk=sub.pk).update(handed_at=timezone.now() - timedelta(days=20))
    reminders_scan(today=timezone.localdate())
    reminders_send_pending(today=timezone.localdate())
    (chase,) = [m for m in mail.outbox if w.support_user.email in m.to]
    links = re.findall(re.escape(live_server.url) + r"/l/[^/\s]+/", chase.body)
    assert links  # and each is signed: no bare /items/ URL in the message
    assert "/items/" not in chase.body

    ctx = browser.new_context(locale="zh-CN", **PHONE)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    (sign_link,) = [u for u in links if link_read(u.rstrip("/").rsplit("/", 1)[1]) == Link("sign", sub.pk)]
    page.goto(sign_link)  # logged out: the login page, with the target as next
    assert "/accounts/login/" in page.url and f"next=/items/{sub.pk}/sign/" in page.url.replace("%2F", "/")
    page.fill("#id_username", "support")
    page.fill("#id_password", PASSWORD)
    page.check("#id_remember")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/items/{sub.pk}/sign/")  # landed on the confirm page: tap 1 was the link
    screenshot(page, "sign-from-link-phone.png", full_page=True)
    assert page.locator("#sign-confirm button[type=submit]").count() == 1
    page.tap("#sign-confirm button[type=submit]")  # tap 2
    page.wait_for_load_state()
    assert "已签收" in messages_text(page) and page.url.endswith(sub.get_absolute_url())
    sub.refresh_from_db()
    assert sub.status == WorkItem.Status.NOT_STARTED and sub.signed_by == w.support_user
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # "Remember me": the session cookie outlives the browser, so the next message's link lands at once.
    (cookie,) = [c for c in ctx.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] > time.time() + 3600
    page.goto(signed_url(purpose="item", pk=w.item.pk))
    assert page.url.endswith(w.item.get_absolute_url()) and w.item.text in page.inner_text("h1")
    ctx.close()
