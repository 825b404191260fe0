"""督办单 and roundups through the outbox: quiet hours and days off, the urgent red notice, a person's
channel order with its fallback, the item's messages. Services called directly; email through Django's
locmem backend, 浙政钉 and SMS through the local fakes (``fakes.py``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from tasks import tasks as celery_tasks
from tasks.models import Message, Profile, Reminder, RoundupSettings, SupervisionNotice
from tasks.notifications.quiet import is_quiet, next_opening
from tasks.notifications.services import MessageSpec, messages_queue, outbox_deliver
from tasks.selectors.messages import messages_for_item
from tasks.services import notices as notice_service
from tasks.services.documents import DocumentError
from tasks.tests.factories import PlanFactory, UnitFactory, UserFactory, WorkItemFactory, signed_links_in

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
M = Message.State
TODAY = date(2026, 6, 1)  # a Monday
EVENING = datetime(2026, 6, 1, 20, 0, tzinfo=SH)
N = SupervisionNotice


@pytest.fixture(autouse=True)
def working_hours(settings, monkeypatch):
    settings.NOTIFY_WORKING_HOURS, settings.NOTIFY_QUIET_DAYS_OFF = "08:30-18:00", True
    settings.NOTIFY_FALLBACK_HOURS = 4
    monkeypatch.setattr(notice_service, "docx_to_pdf", lambda data: b"%PDF-1.4 notice")
    # Queued only: each test delivers by calling the outbox at the hour it wants.
    monkeypatch.setattr(celery_tasks.outbox_send, "delay", lambda channel: None)
    monkeypatch.setattr(celery_tasks.notice_send, "delay", lambda pk: None)


@pytest.fixture
def setup():
    plan = PlanFactory(first_year=2026, last_year=2027)
    RoundupSettings.objects.create(plan=plan)
    coordinator = UserFactory(username="zb")
    plan.coordinators.add(coordinator)
    unit = UnitFactory(region=plan.region, name="区建设局", emails="js1@example.gov.cn",
                       leader_email="wang@example.gov.cn")
    liaison = UserFactory(username="js1", email="js1@example.gov.cn")
    Profile.objects.update_or_create(user=liaison, defaults={
        "unit": unit, "zzd_id": "zzd-js1", "mobile": "13900000001", "channels": "zzd,sms"})
    item = WorkItemFactory(plan=plan, year=2026, lead=unit, deadline=date(2026, 5, 20), text="逾期的事项")
    return plan, coordinator, unit, liaison, item


def issue(item, coordinator, *, at, **kw):
    (notice,) = notice_service.notices_issue_for_items(items=[item], actor=coordinator, today=TODAY, at=at,
                                                       colour=N.Colour.RED, **kw)
    notice_service.notice_send(notice_id=notice.pk, at=at)
    return notice


# ---------------------------------------------------------------- the window


def test_the_window_opens_at_half_past_eight_on_the_next_working_day(settings):
    assert not is_quiet(datetime(2026, 6, 1, 10, 0, tzinfo=SH))
    assert next_opening(EVENING) == datetime(2026, 6, 2, 8, 30, tzinfo=SH)
    assert next_opening(datetime(2026, 6, 2, 7, 0, tzinfo=SH)) == datetime(2026, 6, 2, 8, 30, tzinfo=SH)
    # A Friday evening waits for Monday; 国庆 waits for the first working day after it (调休 included).
    assert next_opening(datetime(2026, 6, 5, 18, 0, tzinfo=SH)) == datetime(2026, 6, 8, 8, 30, tzinfo=SH)
    assert next_opening(datetime(2026, 10, 1, 10, 0, tzinfo=SH)).date() == date(2026, 10, 8)
    settings.NOTIFY_QUIET_DAYS_OFF = False
    assert next_opening(datetime(2026, 6, 6, 10, 0, tzinfo=SH)) == datetime(2026, 6, 6, 10, 0, tzinfo=SH)
    settings.NOTIFY_WORKING_HOURS = "always"
    assert not is_quiet(datetime(2026, 6, 6, 3, 0, tzinfo=SH))


def test_a_bad_window_is_a_clear_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.NOTIFY_WORKING_HOURS = "18:00-08:30"
    with pytest.raises(ImproperlyConfigured, match="NOTIFY_WORKING_HOURS"):
        next_opening(EVENING)


def test_a_message_queued_in_the_evening_waits_for_the_morning_and_is_not_dropped():
    spec = {"purpose": Message.Purpose.TEST, "channel": "email", "address": "a@example.gov.cn", "subject": "s",
            "body": "b"}
    messages_queue(specs=[MessageSpec(key="late", **spec)], now=EVENING)
    message = Message.objects.get(key="late")
    assert message.next_attempt_at == datetime(2026, 6, 2, 8, 30, tzinfo=SH)
    assert outbox_deliver(channel="email", now=EVENING).counts == {} and not mail.outbox
    # A retry that falls due after hours (queued at 17:59, refused, due again at 18:01) waits too.
    Message.objects.filter(pk=message.pk).update(next_attempt_at=datetime(2026, 6, 1, 18, 1, tzinfo=SH))
    assert outbox_deliver(channel="email", now=datetime(2026, 6, 1, 18, 1, tzinfo=SH)).counts == {}
    message.refresh_from_db()
    assert (message.state, message.next_attempt_at) == (M.QUEUED, datetime(2026, 6, 2, 8, 30, tzinfo=SH))
    assert outbox_deliver(channel="email", now=datetime(2026, 6, 2, 8, 30, tzinfo=SH)).counts == {M.SENT: 1}
    assert [m.to for m in mail.outbox] == [["a@example.gov.cn"]]


# ---------------------------------------------------------------- the 督办单


def test_a_notice_issued_in_the_evening_goes_out_in_the_morning(setup, zzd, aliyun):
    plan, coordinator, unit, liaison, item = setup
    notice = issue(item, coordinator, at=EVENING)
    rows = Message.objects.filter(notice=notice)
    assert {(m.address, m.channel) for m in rows} == {
        ("js1@example.gov.cn", "email"), ("wang@example.gov.cn", "email"),
        ("zzd-js1", "zzd"), ("13900000001", "sms")}
    assert outbox_deliver(channel="zzd", now=EVENING).counts == {} and not zzd.delivered()
    assert outbox_deliver(channel="email", now=EVENING).counts == {} and not mail.outbox
    assert outbox_deliver(channel="email", now=datetime(2026, 6, 2, 8, 30, tzinfo=SH)).counts == {M.SENT: 2}


def test_an_urgent_red_notice_goes_at_once_whatever_the_hour(setup):
    plan, coordinator, unit, liaison, item = setup
    notice = issue(item, coordinator, at=EVENING, urgent=True)
    assert notice.urgent and Message.objects.filter(notice=notice, urgent=False).count() == 0
    assert outbox_deliver(channel="email", now=EVENING).counts == {M.SENT: 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["js1@example.gov.cn", "wang@example.gov.cn"]
    assert {a[0][-4:] for a in mail.outbox[0].attachments} == {".pdf", "docx"}


def test_only_a_red_notice_may_be_urgent(setup):
    plan, coordinator, unit, liaison, item = setup
    with pytest.raises(DocumentError, match="红色"):
        notice_service.notices_issue_for_items(items=[item], actor=coordinator, today=TODAY, at=EVENING,
                                               colour=N.Colour.BLUE, urgent=True)
    assert not N.objects.exists()


# ---------------------------------------------------------------- channel order and fallback


def test_zzd_first_then_sms_only_if_not_reached_within_the_hours(setup, zzd, aliyun):
    plan, coordinator, unit, liaison, item = setup
    morning = datetime(2026, 6, 2, 9, 0, tzinfo=SH)
    notice = issue(item, coordinator, at=morning)
    first = Message.objects.get(notice=notice, channel="zzd")
    sms = Message.objects.get(notice=notice, channel="sms")
    assert sms.fallback_for_id == first.pk and sms.next_attempt_at == morning + timedelta(hours=4)
    assert "4小时内未送达时补发" in sms.note
    assert "[查看督办单并回复]" in first.body and signed_links_in(first.body) == {("notice", notice.pk)}
    assert outbox_deliver(channel="zzd", now=morning).counts == {M.SENT: 1}
    assert outbox_deliver(channel="sms", now=morning).counts == {}  # not yet due
    assert outbox_deliver(channel="sms", now=morning + timedelta(hours=4)).counts == {}
    sms.refresh_from_db()
    assert sms.state == M.SKIPPED and "浙政钉工作通知已送达" in sms.note
    assert aliyun.delivered() == {} and zzd.delivered()["zzd-js1"] == 1


def test_when_the_first_channel_has_not_reached_the_person_the_sms_goes(setup, zzd, aliyun):
    plan, coordinator, unit, liaison, item = setup
    morning = datetime(2026, 6, 2, 9, 0, tzinfo=SH)
    notice = issue(item, coordinator, at=morning)
    zzd.fail_next(20)  # the gateway is down all morning: retried, never taken
    outbox_deliver(channel="zzd", now=morning)
    assert Message.objects.get(notice=notice, channel="zzd").state == M.QUEUED
    assert outbox_deliver(channel="sms", now=morning + timedelta(hours=4)).counts == {M.SENT: 1}
    assert list(aliyun.delivered()) == ["13900000001"]


def test_a_preferred_channel_not_configured_says_why_and_the_next_one_leads(setup, aliyun, settings):
    plan, coordinator, unit, liaison, item = setup
    settings.ZZD_APP_KEY = ""
    notice = issue(item, coordinator, at=datetime(2026, 6, 2, 9, 0, tzinfo=SH))
    sms = Message.objects.get(notice=notice, channel="sms")
    email = Message.objects.get(notice=notice, address="js1@example.gov.cn")
    assert sms.fallback_for_id is None and "浙政钉工作通知未配置" in email.note
    assert email.payload["attachments"] and "attachments" not in sms.payload  # documents by email only


# ---------------------------------------------------------------- the item's messages


def test_the_item_lists_its_digests_and_notices_in_one_query(setup, django_assert_num_queries):
    plan, coordinator, unit, liaison, item = setup
    notice = issue(item, coordinator, at=datetime(2026, 6, 2, 9, 0, tzinfo=SH), urgent=True)
    other = WorkItemFactory(plan=plan, year=2026, lead=unit, deadline=date(2026, 5, 21))
    import uuid

    for n, work_item in enumerate([item, other, other]):
        digest = uuid.uuid4()
        Reminder.objects.create(work_item=work_item, step=n, email="js1@example.gov.cn", kind="overdue",
                                deadline=date(2026, 5, 20), role="lead", scheduled_for=TODAY, status="sent",
                                sent_at=EVENING, digest=digest, created_at=EVENING)
        messages_queue(specs=[MessageSpec(key=f"reminder:{digest}:email", purpose=Message.Purpose.REMINDER_DIGEST,
                                          channel="email", address="js1@example.gov.cn", subject="提醒",
                                          body="b", group=digest)], now=EVENING)
    with django_assert_num_queries(1):
        rows = messages_for_item(item)
    assert {m.purpose for m in rows} == {"notice", "reminder_digest"}
    # No channel but email configured: each address's email (the liaison's note says why), and one digest.
    assert len([m for m in rows if m.notice_id == notice.pk]) == 2 and len(rows) == 3
    with django_assert_num_queries(1):
        assert len(messages_for_item(other)) == 2


# ---------------------------------------------------------------- a lost task is made up by data


def test_a_notice_whose_task_was_lost_is_queued_by_the_hourly_catch_up(setup):
    plan, coordinator, unit, liaison, item = setup
    morning = datetime(2026, 6, 2, 9, 0, tzinfo=SH)
    (notice,) = notice_service.notices_issue_for_items(items=[item], actor=coordinator, today=TODAY, at=morning)
    assert not Message.objects.exists()  # notice_send's task never ran (patched away: lost)
    assert notice_service.notices_send_pending(at=morning) == {notice.pk: 2}
    assert notice_service.notices_send_pending(at=morning) == {}
    # Long past, it is history: not sent a month late.
    Message.objects.all().delete()
    assert notice_service.notices_send_pending(at=morning + timedelta(days=31)) == {}


def test_the_item_page_shows_its_coordinators_what_was_sent_in_constant_queries(setup, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan, coordinator, unit, liaison, item = setup
    morning = datetime(2026, 6, 2, 9, 0, tzinfo=SH)
    issue(item, coordinator, at=morning, urgent=True)
    outbox_deliver(channel="email", now=morning)

    def page(user) -> tuple[str, int]:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(item.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    html, before = page(coordinator)
    assert 'id="messages"' in html and "督办〔2026〕1号" in html and "message-state-sent" in html
    assert "wang@example.gov.cn" in html
    # More messages about the item (a second notice after the first is answered, reminders): same queries.
    N.objects.update(status=N.Status.ANSWERED)
    issue(item, coordinator, at=morning + timedelta(days=1), urgent=True)
    html, after = page(coordinator)
    assert html.count("督办〔2026〕2号") >= 2 and after == before
    liaison_html, _n = page(liaison)
    assert 'id="messages"' not in liaison_html  # the addresses are the coordinators' to see


def test_the_overdue_view_and_the_notice_page_mark_a_red_notice_urgent(setup, client):
    from django.urls import reverse

    plan, coordinator, unit, liaison, item = setup
    client.force_login(coordinator)
    client.post(reverse("tasks:notice_issue_items"), {"item": [item.pk], "colour": "red", "urgent": "on"})
    notice = N.objects.get()
    assert notice.urgent and notice.colour == N.Colour.RED
    # A blue one ticked urgent is refused, with the reason, and nothing is issued.
    N.objects.update(status=N.Status.ANSWERED)
    other = WorkItemFactory(plan=plan, year=2026, lead=unit, deadline=date(2026, 12, 31))
    response = client.post(reverse("tasks:notice_issue_item", args=[other.pk]),
                           {"colour": "blue", "urgent": "on"}, follow=True)
    assert "只有红色督办单可以标为急件" in response.content.decode() and N.objects.count() == 1
    # A red draft signed from its page with the box ticked.
    (draft,) = notice_service.notices_draft(items=[other], actor=coordinator, today=TODAY, colour=N.Colour.RED)
    page = client.get(reverse("tasks:notice_detail", args=[draft.pk])).content.decode()
    assert 'name="urgent"' in page
    client.post(reverse("tasks:notice_sign", args=[draft.pk]), {"action": "issue", "urgent": "on"})
    draft.refresh_from_db()
    assert draft.status == N.Status.ISSUED and draft.urgent


# ---------------------------------------------------------------- documents by reference


def test_a_document_is_read_once_per_run_and_a_missing_file_fails_only_its_message(monkeypatch):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tasks.notifications.channels import email as email_channel

    path = default_storage.save("outbox/test/notice.pdf", ContentFile(b"%PDF-1.4 x"))
    reads = []
    real = email_channel._read
    monkeypatch.setattr(email_channel, "_read", lambda p: reads.append(p) or real(p))
    common = {"purpose": Message.Purpose.NOTICE, "channel": "email", "subject": "督办单", "body": "b"}
    doc = {"attachments": [{"path": path, "name": "督办单.pdf", "mimetype": "application/pdf"}]}
    gone = {"attachments": [{"path": "outbox/test/gone.pdf", "name": "x.pdf"}]}
    morning = datetime(2026, 6, 2, 9, 0, tzinfo=SH)
    messages_queue(specs=[MessageSpec(key=f"k{i}", address=f"u{i}@example.gov.cn", payload=doc, **common)
                          for i in range(5)] + [MessageSpec(key="gone", address="g@example.gov.cn", payload=gone,
                                                            **common)], now=morning)
    summary = outbox_deliver(channel="email", now=morning)
    assert dict(summary.counts) == {M.SENT: 5, M.FAILED: 1}
    assert reads.count(path) == 1  # one storage read for five emails
    assert all(m.attachments == [("督办单.pdf", b"%PDF-1.4 x", "application/pdf")] for m in mail.outbox)
    assert "附件文件缺失" in Message.objects.get(key="gone").last_error


# ---------------------------------------------------------------- group robots


def test_the_units_group_robot_gets_the_notice_summary_with_the_link_never_the_files(setup, robots):
    from tasks.models import GroupRobot

    plan, coordinator, unit, liaison, item = setup
    robots.keys.add("js-group")
    GroupRobot.objects.create(name="建设局工作群", kind="wecom", unit=unit,
                              webhook=f"{robots.url}/cgi-bin/webhook/send?key=js-group")
    GroupRobot.objects.create(name="专班群", kind="wecom", plan=plan,  # the plan's group: not for a 督办单
                              webhook=f"{robots.url}/cgi-bin/webhook/send?key=plan-group")
    morning = datetime(2026, 6, 2, 9, 0, tzinfo=SH)
    notice = issue(item, coordinator, at=morning)
    (message,) = Message.objects.filter(notice=notice, channel="wecom_robot")
    assert message.address == "建设局工作群" and "attachments" not in message.payload
    assert outbox_deliver(channel="wecom_robot", now=morning).counts == {M.DELIVERED: 1}
    (posted,) = robots.inbox["js-group"]
    content = posted["markdown"]["content"]
    assert signed_links_in(content) == {("notice", notice.pk)} and "逾期的事项" in content
    assert notice_service.notice_send(notice_id=notice.pk, at=morning) == 0  # once
