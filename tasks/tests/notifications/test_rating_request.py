"""销号 of work from outside the plan asks for its rating: a message to whoever raised it (or, with no raiser,
the plan's coordinators) through the outbox, in working hours, with a signed link to the item's rating form;
once per closing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from tasks import tasks as celery_tasks
from tasks.importers.decisions import parse_decisions
from tasks.models import Message, PersonRole, Profile, WorkItem
from tasks.notifications.links import link_read
from tasks.notifications.services import outbox_deliver
from tasks.selectors.messages import messages_for_item
from tasks.services.decisions import decisions_import, rating_request_queue, work_item_rate
from tasks.services.review import work_item_accept
from tasks.services.workflow import work_item_transition
from tasks.tests.daily_setup import make_world, user
from tasks.tests.factories import signed_links_in

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
EVENING = datetime(2026, 6, 1, 20, 0, tzinfo=SH)  # a Monday, after hours
MORNING = datetime(2026, 6, 2, 8, 30, tzinfo=SH)
P = Message.Purpose
INSTRUCTION = "请区建设局牵头，区财政局配合，2026年8月底前完成调研。"


@pytest.fixture(autouse=True)
def working_hours(settings, monkeypatch):
    settings.NOTIFY_WORKING_HOURS, settings.NOTIFY_QUIET_DAYS_OFF = "08:30-18:00", True
    monkeypatch.setattr(celery_tasks.outbox_send, "delay", lambda channel: None)  # delivered by the test


def leader(unit, username, **profile):
    person = user(username)
    Profile.objects.create(user=person, unit=unit, role=PersonRole.LEADER, **profile)
    return person


def close(item, w, at):
    work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, actor=w.lead_user,
                         at=at - timedelta(hours=1))
    return work_item_accept(item=item, user=w.coordinator, at=at)


def requests(**kw):
    return Message.objects.filter(purpose=P.RATING_REQUEST, **kw)


def test_closing_an_instruction_asks_its_raiser_once_per_closing_in_working_hours(zzd):
    w = make_world()
    raiser = leader(w.other, "raiser", zzd_id="zzd-raiser", channels="zzd")
    bystander = leader(w.other, "bystander")
    (item,) = decisions_import(plan=w.plan, parsed=parse_decisions(INSTRUCTION), origin="instruction",
                               origin_by="区长批示", raised_by=raiser, actor=w.coordinator).items
    close(item, w, EVENING)
    sent = requests()
    # The raiser only, on their channel and by email; queued in the evening, due when the day opens.
    assert {(m.recipient_id, m.channel) for m in sent} == {(raiser.pk, "zzd"), (raiser.pk, "email")}
    assert {m.next_attempt_at for m in sent} == {MORNING}
    assert not requests(recipient=bystander).exists() and not requests(recipient=w.coordinator).exists()
    # On the item's list of what went out about it (and not on another item's).
    assert {m.pk for m in messages_for_item(item)} == {m.pk for m in sent}
    assert not messages_for_item(w.item)
    email = sent.get(channel="email")
    assert signed_links_in(email.body) == {("rate", item.pk)} == signed_links_in(sent.get(channel="zzd").body)
    token = email.body.split("/l/")[1].split("/")[0]
    assert link_read(token).target == f"{item.get_absolute_url()}?open=rate#rate"
    assert "区长批示" in email.body and "您提出的" in email.body and "【待评价】" in email.subject
    assert w.plan.title in email.body
    # Never twice for the same closing.
    assert rating_request_queue(item=item, at=EVENING + timedelta(minutes=5)) == 0
    assert requests().count() == 2
    # Delivered in the morning.
    assert outbox_deliver(channel="email", now=EVENING).counts == {}
    assert outbox_deliver(channel="email", now=MORNING).counts == {Message.State.SENT: 1}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [raiser.email]
    # 不满意 reopens it; closed again, it is asked for again (once more).
    work_item_rate(item=item, user=raiser, rating=WorkItem.Rating.UNSATISFIED, reason="群众仍有意见",
                   at=MORNING + timedelta(hours=1))
    close(item, w, MORNING + timedelta(hours=3))
    assert requests(channel="email").count() == 2
    assert rating_request_queue(item=item) == 0


def test_with_no_raiser_the_plans_coordinators_are_asked_and_a_plan_item_asks_nobody():
    w = make_world()
    second = user("coord-b")
    w.plan.coordinators.add(second)
    (item,) = decisions_import(plan=w.plan, parsed=parse_decisions(INSTRUCTION), actor=w.coordinator).items
    close(item, w, EVENING)
    assert set(requests(channel="email").values_list("recipient_id", flat=True)) == {w.coordinator.pk, second.pk}
    assert not requests(recipient=w.other_coordinator).exists()
    assert "代为评价" in requests(channel="email").first().body
    before = requests().count()
    close(w.item, w, EVENING + timedelta(minutes=1))  # the plan's own item: no rating, no request
    assert requests().count() == before


def test_a_rated_closing_or_an_open_item_asks_nothing():
    w = make_world()
    (item,) = decisions_import(plan=w.plan, parsed=parse_decisions(INSTRUCTION), actor=w.coordinator).items
    assert rating_request_queue(item=item) == 0  # not closed
    work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, actor=w.lead_user)
    work_item_transition(item=item, to_status=WorkItem.Status.DONE, actor=w.coordinator)
    work_item_rate(item=item, user=w.coordinator, rating=WorkItem.Rating.SATISFIED)
    assert rating_request_queue(item=item) == 0 and not requests().exists()


def test_the_items_send_record_says_when_a_held_request_will_go(client):
    """Closed after hours, the request waits for the morning: the item's send record says when (it showed "—"
    beside "待发送", leaving the coordinator to wonder whether anything would go)."""
    w = make_world()
    (item,) = decisions_import(plan=w.plan, parsed=parse_decisions(INSTRUCTION), actor=w.coordinator).items
    close(item, w, EVENING)
    client.force_login(w.coordinator)
    section = client.get(item.get_absolute_url()).content.decode().split('id="messages"')[1]
    assert "预计 2026-06-02 08:30 发送" in section
    outbox_deliver(channel="email", now=MORNING)
    section = client.get(item.get_absolute_url()).content.decode().split('id="messages"')[1]
    assert "预计" not in section and "2026-06-02 08:30" in section
