"""A group robot's webhook names DingTalk's or WeCom's host (``NOTIFY_ROBOT_HOSTS``), by https.

A coordinator types the webhook in the admin, and the outbox's workers post the group's message to it and keep
300 characters of the answer in the message's error, which the coordinator reads in the outbox's admin: a
webhook typed as ``http://10.0.0.5:9200/...`` or a metadata service's address made the workers post inside the
network and show what answered. The robot form refuses any other host, and the workers send nothing to a
webhook stored before (its message fails, saying why).
"""

import pytest

from tasks.admin.notifications import GroupRobotForm
from tasks.models import GroupRobot, Message
from tasks.notifications.services import outbox_deliver
from tasks.tests.notifications.test_robots import queue, robot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("webhook", [
    "http://127.0.0.1:6379/",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5:9200/_search",
    "https://oapi.dingtalk.com.evil.example/robot/send?access_token=x",
    "https://evil.example/oapi.dingtalk.com/robot/send?access_token=x",
    "https://user:pw@oapi.dingtalk.com/robot/send?access_token=x",
    "http://oapi.dingtalk.com/robot/send?access_token=x",
    "https://oapi.dingtalk.com:8443/robot/send?access_token=x",
    "https://localhost/robot/send",
])
def test_the_robot_form_refuses_a_webhook_of_another_host(webhook):
    form = GroupRobotForm(data={"name": "专班群", "kind": "dingtalk", "webhook": webhook, "active": "on"})
    assert not form.is_valid()
    assert "webhook" in form.errors


@pytest.mark.parametrize("kind, webhook", [
    ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=abc"),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),
    ("wecom", "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),  # https assumed, as the form does
])
def test_the_providers_webhooks_are_accepted(kind, webhook):
    form = GroupRobotForm(data={"name": "专班群", "kind": kind, "webhook": webhook, "active": "on"})
    assert form.is_valid(), form.errors
    form.save()
    assert GroupRobot.objects.get().webhook.startswith("https://")


def test_the_workers_send_nothing_to_a_stored_webhook_of_another_host(robots, settings):
    stored = robot(robots, token="internal")  # on the stand-in's loopback address, as stored before the check
    settings.NOTIFY_ROBOT_HOSTS = ["oapi.dingtalk.com", "qyapi.weixin.qq.com"]
    queue(stored, "to-internal")
    assert outbox_deliver(channel="dingtalk_robot").counts == {Message.State.FAILED: 1}
    assert robots.inbox.get("internal", []) == []
    assert "NOTIFY_ROBOT_HOSTS" in Message.objects.get(key="to-internal").last_error


def test_a_channels_own_reason_reads_in_the_readers_language(robots, settings):
    """A channel's reason for not sending (here: a robot's host not allowed) is stored in the site's language
    and shown in the reader's (``stored_text``), as the outbox's subjects and notes are."""
    from django.utils import translation

    from tasks.stored_text import shown

    stored = robot(robots, token="internal")
    settings.NOTIFY_ROBOT_HOSTS = ["oapi.dingtalk.com"]
    queue(stored, "to-internal")
    outbox_deliver(channel="dingtalk_robot")
    error = Message.objects.get(key="to-internal").last_error
    with translation.override("en"):
        assert shown(error) == "Not sent: the group robot's host is not in NOTIFY_ROBOT_HOSTS"
    with translation.override("zh-hans"):
        assert shown(error) == error == "群机器人地址的主机不在 NOTIFY_ROBOT_HOSTS 中，未发送"
