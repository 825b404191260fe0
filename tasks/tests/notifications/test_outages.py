"""A provider down for an hour (issue 31): every message waits with backoff, none is given up, none lost, and
each goes out exactly once when the provider is back. DingTalk answering 503 to every call (token and send)
for an hour; the SMTP server not listening for an hour."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from tasks.models import Message
from tasks.notifications.services import message_queue, outbox_deliver

from .test_email import Mailbox

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
M = Message.State
HOUR = timedelta(hours=1)


def run_the_outbox_through(channel: str, until: datetime) -> list[datetime]:
    """Run delivery whenever a message is next due (as the minute's beat would), up to ``until``."""
    runs, at = [], NOW
    while at < until:
        outbox_deliver(channel=channel, now=at)
        runs.append(at)
        due = (Message.objects.filter(channel=channel, state=M.QUEUED).order_by("next_attempt_at")
               .values_list("next_attempt_at", flat=True).first())
        if due is None:
            break
        at = max(due, at + timedelta(minutes=1))
    return runs


def test_dingtalk_down_for_an_hour_then_each_message_goes_out_once(dingtalk, settings):
    for i, user in enumerate(["zhangsan", "lisi"]):
        message_queue(key=f"d{i}", purpose=Message.Purpose.TEST, channel="dingtalk", address=user, subject="提醒",
                      body="您有 1 项工作已逾期", payload={"markdown": "您有 1 项工作已逾期", "title": "提醒"}, now=NOW)
    dingtalk.fail_next(10_000, status=503)  # down: every call answers 503
    runs = run_the_outbox_through("dingtalk", NOW + HOUR)
    assert len(runs) >= 5  # retried with growing waits through the hour
    rows = list(Message.objects.order_by("key"))
    assert {m.state for m in rows} == {M.QUEUED} and all("503" in m.last_error for m in rows)
    assert all(m.attempts < settings.NOTIFY_MAX_ATTEMPTS for m in rows)  # not given up
    assert dingtalk.delivered() == {}
    dingtalk._fail.clear()  # back up
    due = max(m.next_attempt_at for m in rows)
    assert outbox_deliver(channel="dingtalk", now=due).counts == {M.SENT: 2}
    assert outbox_deliver(channel="dingtalk", now=due + HOUR).counts == {}
    assert dingtalk.delivered() == {"zhangsan": 1, "lisi": 1}


def test_smtp_down_for_an_hour_then_each_message_goes_out_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here for the hour
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    for i in range(3):
        message_queue(key=f"m{i}", purpose=Message.Purpose.TEST, channel="email", address=f"u{i}@yc.gov.cn",
                      subject="提醒", body="正文", now=NOW)
    runs = run_the_outbox_through("email", NOW + HOUR)
    assert len(runs) >= 5
    assert set(Message.objects.values_list("state", flat=True)) == {M.QUEUED}
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        due = max(Message.objects.values_list("next_attempt_at", flat=True))
        assert outbox_deliver(channel="email", now=due).counts == {M.SENT: 3}
        assert outbox_deliver(channel="email", now=due + HOUR).counts == {}
    finally:
        controller.stop()
    assert sorted(m["To"] for m in box.messages) == ["u0@yc.gov.cn", "u1@yc.gov.cn", "u2@yc.gov.cn"]
    # One connection per share of the batch (NOTIFY_EMAIL_CONNECTIONS side by side), opened once for the run.
    assert box.sessions == min(3, settings.NOTIFY_EMAIL_CONNECTIONS)
