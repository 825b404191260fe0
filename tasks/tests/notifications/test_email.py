"""Email through a real SMTP server on loopback (aiosmtpd): one connection for a batch, refusals, outages."""

import email
import json
import socket
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from tasks.models import Message
from tasks.notifications.services import message_queue, outbox_deliver

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
M = Message.State


class Mailbox:
    """Keeps every accepted message and counts SMTP sessions; refuses the addresses in ``refuse``."""

    def __init__(self, refuse=()):
        self.messages, self.sessions, self.refuse = [], 0, set(refuse)
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.lock:
            self.sessions += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    def start(**kwargs):
        box = Mailbox(**kwargs)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        controller = Controller(box, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        return box

    started = []
    yield start
    for controller in started:
        controller.stop()


def queue(key: str, address: str) -> Message:
    return message_queue(key=key, purpose=Message.Purpose.TEST, channel="email", address=address,
                         subject="【住有宜居】测试", body="正文", html="<p>正文</p>",
                         payload={"headers": {"X-Reminder-Digest": key}}, now=NOW)


def test_a_batch_of_messages_goes_out_on_one_smtp_connection(smtp, settings):
    settings.NOTIFY_EMAIL_CONNECTIONS = 1
    box = smtp()
    for i in range(30):
        queue(f"m{i}", f"p{i}@yc.gov.cn")
    assert outbox_deliver(channel="email", now=NOW).counts == {M.SENT: 30}
    assert box.sessions == 1 and len(box.messages) == 30
    first = next(m for m in box.messages if m["To"] == "p0@yc.gov.cn")
    assert first["X-Reminder-Digest"] == "m0" and first.is_multipart()


def test_batches_go_out_over_a_few_connections_side_by_side_each_message_once(smtp, settings):
    settings.NOTIFY_EMAIL_CONNECTIONS, settings.NOTIFY_EMAIL_BATCH_SIZE = 4, 20
    box = smtp(refuse={"p7@yc.gov.cn"})
    for i in range(50):
        queue(f"m{i}", f"p{i}@yc.gov.cn")
    assert outbox_deliver(channel="email", now=NOW).counts == {M.SENT: 49, M.FAILED: 1}
    # Three batches on the same four connections (opened at the first, kept for the run).
    assert box.sessions == 4
    assert sorted(m["To"] for m in box.messages) == sorted(f"p{i}@yc.gov.cn" for i in range(50) if i != 7)
    assert set(Message.objects.exclude(key="m7").values_list("state", flat=True)) == {M.SENT}
    assert "User unknown" in Message.objects.get(key="m7").last_error


def test_a_connection_the_server_drops_retries_its_share_only(smtp, settings):
    settings.NOTIFY_EMAIL_CONNECTIONS, settings.NOTIFY_EMAIL_BATCH_SIZE = 2, 20
    box = smtp()
    # The server hangs up on the session that is sent p3 (the second connection's share: p1, p3, p5, ...).

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        if address == "p3@yc.gov.cn":
            server.transport.close()
            return "421 4.3.2 Service shutting down"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    box.handle_RCPT = handle_RCPT
    for i in range(10):
        queue(f"m{i}", f"p{i}@yc.gov.cn")
    counts = outbox_deliver(channel="email", now=NOW).counts
    sent = {m["To"] for m in box.messages}
    # The first connection's share all went out; the second's stopped at p3: it and the rest wait for a retry.
    assert sent == {f"p{i}@yc.gov.cn" for i in (0, 2, 4, 6, 8, 1)}
    retried = set(Message.objects.filter(state=M.QUEUED).values_list("address", flat=True))
    assert retried == {"p3@yc.gov.cn", "p5@yc.gov.cn", "p7@yc.gov.cn", "p9@yc.gov.cn"}
    assert counts == {M.SENT: 6, M.QUEUED: 4}


def test_a_refused_address_fails_and_the_rest_of_the_batch_goes_out(smtp):
    box = smtp(refuse={"gone@yc.gov.cn"})
    queue("a", "a@yc.gov.cn")
    queue("gone", "gone@yc.gov.cn")
    queue("c", "c@yc.gov.cn")
    assert outbox_deliver(channel="email", now=NOW).counts == {M.SENT: 2, M.FAILED: 1}
    assert "User unknown" in Message.objects.get(key="gone").last_error
    assert sorted(m["To"] for m in box.messages) == ["a@yc.gov.cn", "c@yc.gov.cn"]


def test_smtp_down_then_up_is_retried_and_sent_once(smtp, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    queue("a", "a@yc.gov.cn")
    assert outbox_deliver(channel="email", now=NOW).counts == {M.QUEUED: 1}
    message = Message.objects.get()
    assert message.attempts == 1 and "Connection refused" in message.last_error
    box = smtp()
    assert outbox_deliver(channel="email", now=NOW + timedelta(hours=1)).counts == {M.SENT: 1}
    assert outbox_deliver(channel="email", now=NOW + timedelta(hours=2)).counts == {}
    assert len(box.messages) == 1


def test_queuing_the_same_key_twice_sends_once(smtp):
    box = smtp()
    queue("same", "a@yc.gov.cn")
    queue("same", "a@yc.gov.cn")
    outbox_deliver(channel="email", now=NOW)
    assert Message.objects.count() == 1 and len(box.messages) == 1


def test_a_document_in_storage_travels_as_an_attachment(smtp):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    box = smtp()
    path = default_storage.save("notices/督办单-1.pdf", ContentFile(b"%PDF-1.7 test"))
    message_queue(key="notice:1", purpose=Message.Purpose.NOTICE, channel="email", address="a@yc.gov.cn",
                  subject="督办单", body="请查收附件。", now=NOW,
                  payload={"attachments": [{"name": "督办单.pdf", "path": path, "mimetype": "application/pdf"}]})
    assert outbox_deliver(channel="email", now=NOW).counts == {M.SENT: 1}
    (received,) = box.messages
    (part,) = [p for p in received.walk() if p.get_content_type() == "application/pdf"]
    assert part.get_payload(decode=True) == b"%PDF-1.7 test"


def test_delivery_costs_a_fixed_number_of_queries_per_batch_not_per_message(settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.notifications.services import MessageSpec, messages_queue

    def run(n: int, prefix: str) -> int:
        messages_queue(specs=[MessageSpec(key=f"{prefix}{i}", purpose="test", channel="email", address=f"{i}@x.cn",
                                          subject="s", body="b") for i in range(n)], now=NOW, kick=False)
        with CaptureQueriesContext(connection) as ctx:
            assert outbox_deliver(channel="email", now=NOW).counts == {M.SENT: n}
        return len(ctx.captured_queries)

    settings.NOTIFY_EMAIL_BATCH_SIZE = 20
    one_batch = run(20, "a")
    ten_batches = run(200, "b")
    per_batch = (ten_batches - one_batch) / 9
    assert one_batch <= 12 and per_batch <= 8  # claim and record: 7 per batch of 20 (measured), none per message


def test_delivering_groups_sends_their_due_messages_only(smtp):
    import uuid

    from tasks.notifications.services import MessageSpec, messages_queue, outbox_deliver_groups

    box = smtp()
    mine, other = uuid.uuid4(), uuid.uuid4()
    specs = [MessageSpec(key=f"m{i}", purpose="test", channel="email", address=f"m{i}@x.cn", subject="s", body="b",
                         group=mine) for i in range(3)]
    specs.append(MessageSpec(key="o", purpose="test", channel="email", address="o@x.cn", subject="s", body="b",
                             group=other))
    # A fallback of my group waits its hours: not due now, left for the beat.
    specs.append(MessageSpec(key="later", purpose="test", channel="email", address="l@x.cn", subject="s", body="b",
                             group=mine, wait=timedelta(hours=4)))
    assert messages_queue(specs=specs, now=NOW, kick=False) == 5
    summaries = outbox_deliver_groups(groups=[mine], now=NOW)
    assert list(summaries) == ["email"] and summaries["email"].counts == {M.SENT: 3}
    assert sorted(m["To"] for m in box.messages) == ["m0@x.cn", "m1@x.cn", "m2@x.cn"]
    assert set(Message.objects.filter(key__in=["o", "later"]).values_list("state", flat=True)) == {M.QUEUED}
    assert outbox_deliver_groups(groups=[mine], now=NOW) == {}  # nothing of theirs is due any more


def _invitation(username: str, **profile):
    """An invitation for a new account (the operator's), its token read from the queued messages."""
    from tasks.models import Profile
    from tasks.services.invitations import invitation_send
    from tasks.tests.daily_setup import user

    person = user(username)
    Profile.objects.create(user=person, **profile)
    invitation_send(user=person, at=NOW)
    messages = list(Message.objects.filter(recipient=person, purpose=Message.Purpose.INVITE))
    token = messages[0].body.split("/invitation/")[1].split("/")[0]
    assert len(token) > 20 and all(token in m.body for m in messages)
    return messages, token


def _forgotten(message: Message, token: str) -> bool:
    from tasks.notifications.links import TOKEN_GONE

    message.refresh_from_db()
    stored = message.body + message.html + json.dumps(message.payload, ensure_ascii=False)
    return token not in stored and f"/invitation/{TOKEN_GONE}" in message.body


def test_an_invitations_token_stays_for_a_retry_and_is_blanked_once_sent(smtp, settings):
    """The link goes out whole; the stored message keeps the token only while the outbox may still send it (a
    retry reads the body), then keeps a marker in its place: a later read of the table sets no password."""
    from tasks.services.invitations import invitation_usable

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there: a retry
    [message], token = _invitation("invitee")
    assert outbox_deliver(channel="email", now=NOW).counts == {M.QUEUED: 1}
    message.refresh_from_db()
    assert token in message.body  # the retry's body
    box = smtp()
    assert outbox_deliver(channel="email", now=NOW + timedelta(hours=1)).counts == {M.SENT: 1}
    sent = "".join(part.get_payload(decode=True).decode() for part in box.messages[0].walk()
                   if not part.is_multipart())
    assert token in sent
    assert _forgotten(message, token)
    assert invitation_usable(token).user.username == "invitee"  # the link in the mail still works


def test_an_invitation_failed_given_up_or_uncertain_keeps_no_token_and_is_not_requeued(smtp, settings):
    """Every final fate blanks the token, the channels' parameters too (DingTalk's markdown, here failing for
    want of configuration); a coordinator's 'send again' leaves such a message alone (a new invitation is sent
    from the people page instead)."""
    from tasks.notifications.services import messages_requeue, outbox_sweep
    from tasks.tests.daily_setup import user

    settings.DINGTALK_APP_KEY = settings.DINGTALK_APP_SECRET = settings.DINGTALK_AGENT_ID = "1"
    smtp(refuse={"refused@example.gov.cn"})
    messages, token = _invitation("refused", dingtalk_id="refused_dt", channels="email,dingtalk")
    settings.DINGTALK_APP_KEY = settings.DINGTALK_APP_SECRET = settings.DINGTALK_AGENT_ID = ""  # fails: unset
    by_channel = {m.channel: m for m in messages}
    assert "dingtalk" in by_channel and token in json.dumps(by_channel["dingtalk"].payload, ensure_ascii=False)
    outbox_deliver(channel="email", now=NOW)
    outbox_deliver(channel="dingtalk", now=NOW + timedelta(hours=2))
    for m in messages:
        m.refresh_from_db()
        assert m.state == M.FAILED, (m.channel, m.state, m.last_error)
        assert _forgotten(m, token), m.channel
    settings.NOTIFY_MAX_ATTEMPTS = 1
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    [given_up], token2 = _invitation("given_up")
    outbox_deliver(channel="email", now=NOW)
    given_up.refresh_from_db()
    assert given_up.state == M.GAVE_UP and _forgotten(given_up, token2)
    [left], token3 = _invitation("left_sending")
    Message.objects.filter(pk=left.pk).update(state=M.SENDING, sending_at=NOW)
    assert outbox_sweep(now=NOW + timedelta(hours=1))["uncertain"] == 1
    left.refresh_from_db()
    assert left.state == M.UNCERTAIN and _forgotten(left, token3)
    root = user("root_requeues", is_superuser=True, is_staff=True)
    assert messages_requeue(message_ids=[m.pk for m in (*messages, given_up, left)], actor=root) == 0


def test_the_migration_blanks_the_tokens_of_invitations_already_final():
    """Messages sent before the outbox blanked tokens: the migration blanks those whose fate is final and leaves
    a queued one whole (it is still to be sent)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tasks.migrations.0033_invitation_tokens_forgotten")
    [queued], token = _invitation("before_upgrade")
    sent, _ = _invitation("sent_before_upgrade")
    Message.objects.filter(pk=sent[0].pk).update(state=M.SENT, sent_at=NOW)
    migration.forget(apps, None)
    sent_token = sent[0].body.split("/invitation/")[1].split("/")[0]
    assert _forgotten(sent[0], sent_token)
    queued.refresh_from_db()
    assert token in queued.body
