"""Several deliverers of one channel at once (two Celery workers each running ``outbox_send('email')`` and
``outbox_send('dingtalk')``): every message is sent exactly once, none is left behind.

PostgreSQL only: the deliverers are other processes, each on its own connection, claiming batches with
``SELECT … FOR UPDATE SKIP LOCKED`` from the same queue.
"""

from __future__ import annotations

import asyncio
import email
import os
import socket
import threading
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, connections
from django.utils import timezone

from tasks.models import Message
from tasks.notifications.services import MessageSpec, messages_queue, outbox_deliver, outbox_tick

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the deliverers are other processes: PostgreSQL"),
]
M = Message.State
N = 150


class SlowMailbox:
    """Keeps every message it accepts, a little slowly, so that the deliverers' batches interleave."""

    def __init__(self):
        self.messages, self.lock = [], threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.002)
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    box = SlowMailbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 30
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.NOTIFY_EMAIL_BATCH_SIZE = 7  # many small batches: many claims racing
    yield box
    controller.stop()


def _queue(now):
    specs = []
    for i in range(N):
        headers = {"Message-ID": f"<m{i}@test.housing>"}
        specs.append(MessageSpec(key=f"digest:{i}:email", purpose=Message.Purpose.REMINDER_DIGEST, channel="email",
                                 address=f"p{i}@yc.gov.cn", subject=f"提醒 {i}", body="正文",
                                 payload={"headers": headers}))
        specs.append(MessageSpec(key=f"digest:{i}:dingtalk", purpose=Message.Purpose.REMINDER_DIGEST,
                                 channel="dingtalk", address=f"u{i:03d}", subject=f"提醒 {i}", body=f"正文 {i}",
                                 payload={"markdown": f"**提醒** {i}", "title": f"提醒 {i}"}))
    assert messages_queue(specs=specs, now=now, kick=False) == 2 * N


def _deliverers(channels: list[str]) -> None:
    """Fork one process per entry of ``channels``, each delivering its channel until nothing is due."""
    connections.close_all()  # each deliverer opens its own connection
    pids = []
    for channel in channels:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                outbox_deliver(channel=channel)
                code = 0
            finally:
                os._exit(code)
        pids.append(pid)
    statuses = [os.waitpid(pid, 0)[1] for pid in pids]
    assert statuses == [0] * len(pids)


def test_two_deliverers_per_channel_send_each_message_once(smtp, dingtalk):
    now = timezone.now()
    _queue(now)
    _deliverers(["email", "email", "dingtalk", "dingtalk"])

    ids = Counter(m["Message-ID"] for m in smtp.messages)
    assert len(ids) == N and set(ids.values()) == {1}, "an e-mail was sent twice or not at all"
    delivered = Counter(u for _path, _q, body in dingtalk.calls if _path.endswith("asyncsend_v2")
                        for u in body["userid_list"].split(","))
    assert len(delivered) == N and set(delivered.values()) == {1}, "a DingTalk notice was sent twice or not at all"
    assert dict(Counter(Message.objects.values_list("channel", "state"))) == {("email", M.SENT): N,
                                                                            ("dingtalk", M.SENT): N}
    # The e-mails' provider ids are their own Message-IDs, recorded on the right rows.
    for key, provider_id in Message.objects.filter(channel="email").values_list("key", "provider_id")[:20]:
        assert provider_id == f"<m{key.split(':')[1]}@test.housing>"


def test_the_tick_starts_as_many_deliverers_per_channel_as_there_are_workers(settings, monkeypatch):
    from tasks.notifications import services

    settings.NOTIFY_DELIVERERS = 3
    settings.NOTIFY_EMAIL_BATCH_SIZE = 20
    kicked = []
    monkeypatch.setattr(services, "enqueue_after_commit", lambda name, *args: kicked.append((name, *args)))
    now = timezone.now()
    _queue(now)
    outbox_tick(now=now)
    # 150 e-mails are 8 batches: three deliverers; DingTalk's 150 notices are one batch of 500: one.
    assert Counter(kicked) == {("outbox_send", "email"): 3, ("outbox_send", "dingtalk"): 1}
