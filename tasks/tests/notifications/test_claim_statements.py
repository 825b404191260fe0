"""The outbox's claim and record on PostgreSQL: one statement each per batch (session 22, issue 31's
``reminders_delivered``), with the same guarantees as the three statements each they replace.

* the claim picks, locks (``SKIP LOCKED``), marks 'sending' and returns the batch in one ``UPDATE … RETURNING``;
  the messages it returns are the rows as Django reads them (JSON, UUIDs, times, the robot);
* a chunk's fates are written in one ``UPDATE … FROM`` that only touches messages still 'sending' or marked
  'uncertain' by the sweep meanwhile (those get their real fate), never one someone else has moved on;
* a delivery run stops after a batch smaller than the adapter's: no claim that finds nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.models import GroupRobot, Message
from tasks.notifications import services
from tasks.notifications.channels import ChannelAdapter, Outcome, Result
from tasks.notifications.services import MessageSpec, messages_queue, outbox_deliver

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement claim and record: PostgreSQL"),
]
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
M = Message.State


class Recorder(ChannelAdapter):
    """Takes every message (SENT, its own provider id); ``during`` runs once a batch is claimed, before any result."""

    name = "email"
    batch_size = 20

    def __init__(self, during=None):
        self.batches: list[list[Message]] = []
        self.during = during

    def send(self, messages):
        self.batches.append(list(messages))
        if self.during:
            self.during(messages)
        for m in messages:
            yield m, Result(Outcome.SENT, provider_id=f"<{m.pk}@test>")


def _queue(n: int, prefix: str = "m", **extra) -> list[int]:
    messages_queue(
        specs=[
            MessageSpec(
                key=f"{prefix}{i}",
                purpose="test",
                channel="email",
                address=f"{prefix}{i}@x.cn",
                subject="s",
                body="b",
                **extra,
            )
            for i in range(n)
        ],
        now=NOW,
        kick=False,
    )
    return list(Message.objects.filter(key__startswith=prefix).order_by("pk").values_list("pk", flat=True))


def test_a_batch_costs_one_claim_and_one_record_and_no_claim_follows_a_short_batch(monkeypatch):
    adapter = Recorder()
    monkeypatch.setattr(services, "adapter_for", lambda channel: adapter)
    _queue(50)  # 20 + 20 + 10
    with CaptureQueriesContext(connection) as ctx:
        summary = outbox_deliver(channel="email", now=NOW)
    assert summary.counts == {M.SENT: 50}
    sql = [q["sql"] for q in ctx.captured_queries]
    claims = [s for s in sql if s.startswith("WITH") and "SKIP LOCKED" in s and "UPDATE" in s]
    records = [s for s in sql if s.startswith("UPDATE") and "jsonb_array_elements" in s]
    # The due count, then per batch one claim and one record (a chunk of up to 25 results): nothing else,
    # no transaction's BEGIN/COMMIT or savepoint, no claim after the short third batch.
    assert (len(claims), len(records), len(sql)) == (3, 3, 7), sql
    assert [len(b) for b in adapter.batches] == [20, 20, 10]
    for pk, state, attempts, provider_id, sent_at in Message.objects.values_list(
        "pk", "state", "attempts", "provider_id", "sent_at"
    ):
        assert (state, attempts, provider_id, sent_at) == (M.SENT, 1, f"<{pk}@test>", NOW)


def test_the_claimed_messages_are_the_rows_as_django_reads_them(monkeypatch):
    robot = GroupRobot.objects.create(name="专班群", kind="wecom", webhook="https://qyapi.weixin.qq.com/x?key=k")
    group = uuid.uuid4()
    messages_queue(
        specs=[
            MessageSpec(
                key="r",
                purpose="test",
                channel="wecom_robot",
                address="专班群",
                subject="标题",
                body="正文",
                payload={"markdown": "**事项** 3 项", "n": [1, 2]},
                robot_id=robot.pk,
                group=group,
                note="说明",
            ),
            MessageSpec(
                key="r2",
                purpose="test",
                channel="wecom_robot",
                address="专班群",
                subject="t",
                body="b",
                robot_id=robot.pk,
                urgent=True,
            ),
        ],
        now=NOW,
        kick=False,
    )
    batch, full = services._claim(channel="wecom_robot", now=NOW, limit=10)
    assert not full and [m.key for m in batch] == ["r", "r2"]
    fresh = {m.pk: m for m in Message.objects.filter(pk__in=[m.pk for m in batch])}
    for m in batch:
        for f in Message._meta.concrete_fields:
            assert getattr(m, f.attname) == getattr(fresh[m.pk], f.attname), f.name
    assert batch[0].payload == {"markdown": "**事项** 3 项", "n": [1, 2]} and batch[0].group == group
    assert batch[0].state == M.SENDING and batch[0].sending_at == NOW and batch[0].next_attempt_at == NOW
    with CaptureQueriesContext(connection) as ctx:
        assert batch[0].robot == robot and batch[1].robot == robot  # loaded with the claim
    assert not ctx.captured_queries
    assert services._claim(channel="wecom_robot", now=NOW, limit=10) is None  # nothing queued is left


def test_a_message_marked_uncertain_meanwhile_gets_its_fate_and_one_moved_on_is_left_alone(monkeypatch):
    ids = _queue(3)

    def meanwhile(messages):
        # The sweep marked one uncertain (this worker was slow); a coordinator already requeued another.
        Message.objects.filter(pk=ids[0]).update(state=M.UNCERTAIN, finished_at=NOW)
        Message.objects.filter(pk=ids[1]).update(state=M.QUEUED, attempts=0)

    adapter = Recorder(during=meanwhile)
    monkeypatch.setattr(services, "adapter_for", lambda channel: adapter)
    summary = outbox_deliver(channel="email", now=NOW, message_ids=ids)
    assert summary.counts == {M.SENT: 2}
    rows = dict(Message.objects.values_list("pk", "state"))
    assert rows == {ids[0]: M.SENT, ids[1]: M.QUEUED, ids[2]: M.SENT}
    assert Message.objects.get(pk=ids[1]).provider_id == ""  # untouched by this worker's record


def test_two_claims_never_take_the_same_message():
    ids = _queue(30)
    first, full = services._claim(channel="email", now=NOW, limit=20)
    second, more = services._claim(channel="email", now=NOW, limit=20)
    assert full and not more
    assert [m.pk for m in first] == ids[:20] and [m.pk for m in second] == ids[20:]
    assert Message.objects.filter(state=M.SENDING, sending_at=NOW).count() == 30


def test_queuing_binds_each_value_as_it_is_and_a_large_lot_takes_more_statements():
    """The queue's INSERT carries each value as its own parameter (no JSON of the bodies to encode and parse
    again: a reminder day's digests are ~0.5 GB of text), and the texts arrive exactly as given."""
    body = 'He said "到期" \\ <a href="x?a=1&b=2">链接</a>\n\t' * 50
    specs = [
        MessageSpec(
            key=f"v{i}",
            purpose="test",
            channel="email",
            address=f"v{i}@x.cn",
            subject=f"标题 {i}",
            body=body,
            html=f'<p class="c">{body}</p>',
            payload={"headers": {"Message-ID": f"<{i}@x>"}},
            group=uuid.uuid4(),
        )
        for i in range(2600)  # more than one statement's 65,535 parameters
    ]
    with CaptureQueriesContext(connection) as ctx:
        assert messages_queue(specs=specs, now=NOW, kick=False) == 2600
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "tasks_message"')]
    assert len(inserts) == 2 and not any("jsonb_array_elements" in s for s in inserts)
    m = Message.objects.get(key="v2599")
    assert (m.body, m.html, m.subject, m.state) == (body, f'<p class="c">{body}</p>', "标题 2599", M.QUEUED)
    assert m.payload == {"headers": {"Message-ID": "<2599@x>"}} and m.group == specs[-1].group
    assert m.queued_at == NOW and m.next_attempt_at is not None


def test_queuing_reads_no_keys_first_and_counts_only_what_it_inserted():
    specs = [
        MessageSpec(key=f"q{i}", purpose="test", channel="email", address=f"q{i}@x.cn", subject="s", body="b")
        for i in range(3)
    ]
    assert messages_queue(specs=specs[:2], now=NOW, kick=False) == 2
    with CaptureQueriesContext(connection) as ctx:
        assert messages_queue(specs=specs, now=NOW, kick=False) == 1  # q0 and q1 were queued already
    statements = [
        q["sql"].split()[0] for q in ctx.captured_queries if q["sql"].split()[0] not in ("SAVEPOINT", "RELEASE")
    ]
    assert statements == ["INSERT"]  # no SELECT of the keys before it
    assert sorted(Message.objects.values_list("key", flat=True)) == ["q0", "q1", "q2"]
