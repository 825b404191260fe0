"""A real Chromium: a lead department breaks an item down to all towns, two towns sign and report,
one that never signs is chased by the reminder machinery, and the parent shows the roll-up."""

import os
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tasks.models import Reminder, WorkItem
from tasks.services.reminders import reminders_scan, reminders_send_pending
from tasks.services.review import work_item_accept
from tasks.tests.breakdown_setup import make_towns
from tasks.tests.browser.shots import screenshot
from tasks.tests.browser.test_journeys import messages_text, session
from tasks.tests.daily_setup import make_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = WorkItem.Status


def test_lead_breaks_down_to_all_towns_two_sign_and_report_one_is_chased_parent_rolls_up(
    browser, live_server
):
    w = make_world()
    towns = make_towns(w)

    # The lead department: the item's page, "分解交办", "交办给全部镇(街道)": two clicks.
    lead = session(browser, live_server, "lead")
    lead.goto(live_server.url + w.item.get_absolute_url())
    lead.click("#break-down")
    screenshot(lead, "breakdown-form.png", full_page=True)
    lead.click("#all-towns")
    assert f"已分解交办给 {len(towns)} 个单位" in messages_text(lead)
    rollup = lead.inner_text("#sub-items")
    assert f"0/{len(towns)} 完成" in rollup and f"{len(towns)} 未签收" in rollup
    assert all(t.name in rollup for t in towns)
    children = {c.assignments.get().unit_id: c for c in WorkItem.objects.filter(parent=w.item)}

    # Two towns sign and report; the first also asks to close its part.
    for i, note in ((0, "已完成房源筹集300套"), (1, "已开工，完成40%")):
        town = session(browser, live_server, f"town{i}")
        assert "待签收" in town.inner_text(".awaiting-sign")
        town.click(f"text={w.item.text}")
        assert w.item.text in town.inner_text(".parent-item")
        if i == 0:
            screenshot(town, "breakdown-sub-item.png", full_page=True)
        town.click("#sign button[type=submit]")
        assert "已签收" in messages_text(town)
        town.fill("#report textarea[name=note]", note)
        town.fill("#report input[name=percent]", "100" if i == 0 else "40")
        town.click("#report button[type=submit]")
        assert "已报送" in messages_text(town)
        if i == 0:
            town.click("#close summary")
            town.fill("#close textarea[name=note]", "本镇任务完成")
            town.click("#close button[type=submit]")
            assert "已提交办结申请" in messages_text(town)
        town.context.close()
    first = children[towns[0].pk]
    work_item_accept(item=first, user=w.coordinator)

    # The others were handed over weeks ago and never signed: the morning's scan chases them, once.
    WorkItem.objects.filter(parent=w.item, status=S.AWAITING_SIGN).update(
        handed_at=timezone.now() - timedelta(days=20)
    )
    today = timezone.localdate()
    for _ in range(2):
        reminders_scan(today=today)
        reminders_send_pending(today=today)
    chased = set(Reminder.objects.filter(kind=Reminder.Kind.SIGN).values_list("work_item_id", flat=True))
    assert chased == {children[t.pk].pk for t in towns[2:]}
    to_town2 = [m for m in mail.outbox if "town2@example.gov.cn" in m.to]
    assert len(to_town2) == 1 and "签收" in to_town2[0].body
    assert not [m for m in mail.outbox if "town0@example.gov.cn" in m.to and "逾期未签收" in m.body]

    # The parent rolls up: one done, four not signed; it cannot be asked to close yet.
    lead.reload()
    rollup = lead.inner_text("#sub-items")
    assert f"1/{len(towns)} 完成" in rollup and f"{len(towns) - 2} 未签收" in rollup
    assert "全部办结后才能申请办结" in lead.inner_text(".actions")
    screenshot(lead, "breakdown-parent.png", full_page=True)
    lead.goto(live_server.url + "/work/")
    assert f"分解 1/{len(towns)} 完成" in lead.locator("tr", has_text=w.item.text).first.inner_text()
    lead.context.close()
