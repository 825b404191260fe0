"""A worker killed mid-batch (issue 31): a real process, SIGKILLed while the SMTP server holds its connection.

SMTP takes no idempotency key, so what the dead worker had handed over is unknown: the sweep marks the batch
'uncertain', nothing is resent by itself, and the coordinators see it (the reach page, the admin's outbox).
PostgreSQL only: the worker is another process, on its own connection to the test database.
"""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, connections
from django.utils import timezone

from tasks.models import Message
from tasks.notifications.services import message_queue, outbox_deliver, outbox_sweep
from tasks.tests.daily_setup import MODEL_BACKEND, make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker is another process: PostgreSQL"),
]
M = Message.State


class StallingMailbox:
    """Accepts ``accept`` messages, then holds the next one's DATA open (the worker waits on it forever)."""

    def __init__(self, accept: int):
        self.accept, self.messages, self.stalled = accept, [], threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if len(self.messages) >= self.accept:
            self.stalled.set()
            await asyncio.sleep(60)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def stalling_smtp(settings):
    box = StallingMailbox(accept=3)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 120
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield box
    controller.stop()


def test_a_worker_killed_mid_batch_leaves_its_batch_uncertain_shown_and_never_resent(stalling_smtp, client):
    w = make_world()
    people = [w.lead_user, w.support_user, w.other_user, w.coordinator, w.other_coordinator]
    now = timezone.now()
    for i, person in enumerate(people + [w.lead_user]):
        message_queue(key=f"digest:{i}", purpose=Message.Purpose.REMINDER_DIGEST, channel="email",
                      address=person.email, recipient_id=person.pk, subject="【住有宜居】工作提醒", body="正文",
                      now=now, kick=False)
    connections.close_all()  # the worker opens its own connection
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            outbox_deliver(channel="email")
        finally:
            os._exit(0)
    try:
        assert stalling_smtp.stalled.wait(30), "the worker never reached the 4th message"
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert len(stalling_smtp.messages) == 3
    assert set(Message.objects.values_list("state", flat=True)) == {M.SENDING}  # the batch was claimed whole

    # Before the timeout nothing moves (the worker may only be slow); after it, the batch is uncertain.
    assert outbox_sweep(now=timezone.now()) == {"requeued": 0, "uncertain": 0}
    later = timezone.now() + timedelta(hours=1)
    assert outbox_sweep(now=later) == {"requeued": 0, "uncertain": 6}
    assert set(Message.objects.values_list("state", flat=True)) == {M.UNCERTAIN}
    assert all("未自动重发" in e for e in Message.objects.values_list("last_error", flat=True))

    # Never silently resent: the next delivery runs (and sweeps) send nothing.
    assert outbox_deliver(channel="email", now=later + timedelta(hours=1)).counts == {}
    assert outbox_sweep(now=later + timedelta(hours=2)) == {"requeued": 0, "uncertain": 0}
    time.sleep(0.2)
    assert len(stalling_smtp.messages) == 3

    # Shown: the coordinator's reach page names each of these people's e-mail as "结果不明".
    client.force_login(w.coordinator, backend=MODEL_BACKEND)
    html = client.get("/reach/").content.decode()
    for name in ("lead", "support", "other"):
        row = html.split(f">{name} <small", 1)[1].split("</tr>", 1)[0]
        assert "邮件：结果不明" in row, name


def test_a_worker_killed_with_dingtalk_calls_in_flight_leaves_the_batch_uncertain_never_resent(settings):
    """Calls side by side (``NOTIFY_DINGTALK_CALLS``): the batch was 'sending' before the first call, so whatever
    the threads had done when the process died, the sweep marks it 'uncertain' and nothing is sent again."""
    from tasks.tests.notifications.fakes import FakeDingTalk

    fake = FakeDingTalk().start()
    settings.DINGTALK_API_BASE, settings.DINGTALK_APP_KEY = fake.url, fake.app_key
    settings.DINGTALK_APP_SECRET, settings.DINGTALK_AGENT_ID = fake.app_secret, str(fake.agent_id)
    settings.NOTIFY_DINGTALK_CALLS, settings.NOTIFY_HTTP_TIMEOUT = 3, 120
    try:
        now = timezone.now()
        for i in range(6):
            message_queue(key=f"digest:{i}", purpose=Message.Purpose.REMINDER_DIGEST, channel="dingtalk",
                          address=f"u{i}", subject="提醒", body=f"第 {i} 份", payload={"markdown": f"第 {i} 份"},
                          now=now, kick=False)
        fake.hang_next(0)  # the token answers at once
        fake.hang_next(60, n=2)  # two sends are read, then held: the worker dies waiting for them
        connections.close_all()
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                outbox_deliver(channel="dingtalk")
            finally:
                os._exit(0)
        try:
            deadline = time.monotonic() + 30
            while not (fake.in_flight == 2 and sum(fake.delivered().values()) == 4):
                assert time.monotonic() < deadline, "the worker never had its calls in flight"
                time.sleep(0.05)
        finally:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        assert set(Message.objects.values_list("state", flat=True)) == {M.SENDING}  # claimed whole, none recorded
        later = timezone.now() + timedelta(hours=1)
        assert outbox_sweep(now=later) == {"requeued": 0, "uncertain": 6}
        assert outbox_deliver(channel="dingtalk", now=later + timedelta(hours=1)).counts == {}
        sends = [b for path, _q, b in fake.calls if path.endswith("asyncsend_v2")]
        assert len(sends) == 4 and len({b["userid_list"] for b in sends}) == 4  # nobody twice
    finally:
        fake.stop()
