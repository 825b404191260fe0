"""Group robots against the local stand-in: signing, 20 a minute (here 3 a second), the mute, never twice."""

import time

import pytest
from django.utils import timezone

from tasks.models import GroupRobot, Message
from tasks.notifications.channels.robots import dingtalk_sign
from tasks.notifications.services import message_queue, outbox_deliver

pytestmark = pytest.mark.django_db
M = Message.State


def robot(fake, kind="dingtalk", token="grp1", secret="SECabc") -> GroupRobot:
    if kind == "dingtalk":
        fake.secrets[token] = secret
        url = f"{fake.url}/robot/send?access_token={token}"
    else:
        fake.keys.add(token)
        url = f"{fake.url}/cgi-bin/webhook/send?key={token}"
    return GroupRobot.objects.create(name=f"{kind}-{token}", kind=kind, webhook=url, secret=secret)


def queue(r: GroupRobot, key: str, text: str = "本月晾晒已发布") -> Message:
    channel = "dingtalk_robot" if r.kind == "dingtalk" else "wecom_robot"
    return message_queue(key=key, purpose=Message.Purpose.ROUNDUP, channel=channel, address=r.name, robot_id=r.pk,
                         subject="月晾晒", body=text, payload={"markdown": text, "title": "月晾晒"})


def deliver_until_done(channel: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while Message.objects.filter(channel=channel, state__in=[M.QUEUED, M.SENDING]).exists():
        assert time.monotonic() < deadline, list(Message.objects.values_list("state", "last_error"))
        outbox_deliver(channel=channel)
        time.sleep(0.1)


def test_the_signature_is_the_documented_one():
    # timestamp + "\n" + secret -> HMAC-SHA256 -> Base64 -> URL-encoded
    assert dingtalk_sign("SECabc", 1700000000000) == "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D"


def test_a_signed_message_reaches_the_group_and_a_wrong_secret_fails(robots):
    good = robot(robots, token="grp1", secret="SECgood")
    queue(good, "a")
    assert outbox_deliver(channel="dingtalk_robot").counts == {M.DELIVERED: 1}
    assert robots.inbox["grp1"][0]["markdown"]["text"] == "本月晾晒已发布"
    bad = robot(robots, token="grp2", secret="SECgood")
    GroupRobot.objects.filter(pk=bad.pk).update(secret="SECwrong")
    queue(GroupRobot.objects.get(pk=bad.pk), "b")
    assert outbox_deliver(channel="dingtalk_robot").counts == {M.FAILED: 1}
    assert "310000" in Message.objects.get(key="b").last_error


def test_a_burst_is_held_to_the_robots_window_never_refused_never_dropped_never_twice(robots):
    r = robot(robots)
    for i in range(8):
        queue(r, f"m{i}", text=f"第 {i} 条")
    first = outbox_deliver(channel="dingtalk_robot")
    assert first.counts == {M.DELIVERED: 3, M.QUEUED: 5}  # the rest wait for the window, no attempt counted
    held = Message.objects.filter(state=M.QUEUED)
    assert set(held.values_list("attempts", flat=True)) == {0}
    assert all(m.next_attempt_at > timezone.now() for m in held)
    deliver_until_done("dingtalk_robot")
    texts = [b["markdown"]["text"] for b in robots.inbox["grp1"]]
    assert sorted(texts) == sorted(f"第 {i} 条" for i in range(8))  # each once
    assert robots.refused["grp1"] == 0 and set(Message.objects.values_list("state", flat=True)) == {M.DELIVERED}


def test_a_muted_robot_holds_messages_until_the_mute_ends_then_sends_each_once(robots):
    r = robot(robots)
    robots.muted["grp1"] = time.monotonic() + 2  # another sender's burst muted it
    queue(r, "a")
    assert outbox_deliver(channel="dingtalk_robot").counts == {M.QUEUED: 1}
    message = Message.objects.get()
    assert "130101" in message.last_error and message.attempts == 0
    queue(r, "b", text="第二条")
    assert outbox_deliver(channel="dingtalk_robot").counts == {M.QUEUED: 1}  # held by the window, not tried
    assert robots.refused["grp1"] == 1
    deliver_until_done("dingtalk_robot")
    assert len(robots.inbox["grp1"]) == 2 and robots.refused["grp1"] == 1


def test_wecom_robot_past_its_limit_is_held_and_sent_later(robots, settings):
    settings.NOTIFY_ROBOT_LIMIT = 10  # the window in the cache thinks more is allowed than the provider takes
    r = robot(robots, kind="wecom", token="wk1", secret="")
    for i in range(5):
        queue(r, f"w{i}", text=f"企业微信 {i}")
    first = outbox_deliver(channel="wecom_robot")
    assert first.counts == {M.DELIVERED: 3, M.QUEUED: 2}
    assert "45009" in Message.objects.filter(state=M.QUEUED).first().last_error
    deliver_until_done("wecom_robot")
    assert len(robots.inbox["wk1"]) == 5
