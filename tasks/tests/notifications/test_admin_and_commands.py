"""The outbox's admin (scoped to the coordinator's plans, read only, resend), notify_test, the demo's contacts."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from tasks.models import GroupRobot, Message, Profile
from tasks.notifications.services import message_queue
from tasks.services.demo import _grant_coordinator_admin
from tasks.tests.factories import PlanFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def queue(key: str, plan, state=Message.State.QUEUED, **extra) -> Message:
    message = message_queue(key=key, purpose=Message.Purpose.REMINDER_DIGEST, channel="email",
                            address=f"{key}@yc.gov.cn", subject="提醒", body="正文", plan_ids=(plan.pk,), now=NOW)
    Message.objects.filter(pk=message.pk).update(state=state, **extra)
    return message


@pytest.fixture
def coordinator_client(client):
    user = UserFactory(username="coord", is_staff=True)
    user.save()
    _grant_coordinator_admin(user)
    own, other = PlanFactory(), PlanFactory()
    own.coordinators.add(user)
    client.force_login(user, backend=MODEL_BACKEND)
    return client, own, other


def test_a_coordinator_sees_the_messages_of_their_plans_only_and_cannot_edit_them(coordinator_client):
    client, own, other = coordinator_client
    mine = queue("mine", own, state=Message.State.UNCERTAIN, last_error="发送中断")
    theirs = queue("theirs", other)
    page = client.get(reverse("admin:tasks_message_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "mine@yc.gov.cn" in html and "theirs@yc.gov.cn" not in html
    assert "结果不明" in html
    assert client.get(reverse("admin:tasks_message_change", args=[theirs.pk])).status_code == 404
    detail = client.get(reverse("admin:tasks_message_change", args=[mine.pk]))
    assert detail.status_code == 200 and "发送中断" in detail.content.decode()
    assert client.post(reverse("admin:tasks_message_change", args=[mine.pk]), {"state": "sent"}).status_code == 403
    filtered = client.get(reverse("admin:tasks_message_changelist"), {"plans": own.pk})
    assert filtered.context["cl"].result_count == 1


def test_the_admin_action_requeues_an_uncertain_message_once(coordinator_client, django_capture_on_commit_callbacks):
    client, own, _other = coordinator_client
    message = queue("mine", own, state=Message.State.UNCERTAIN)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("admin:tasks_message_changelist"),
                    {"action": "requeue", "_selected_action": [message.pk]})
    message.refresh_from_db()
    assert message.state == Message.State.QUEUED and message.attempts == 0 and len(callbacks) == 1


def test_notify_test_sends_one_email_and_prints_the_answer():
    user = UserFactory(username="yuecheng07", email="yc07@demo.local")
    out = StringIO()
    call_command("notify_test", "--user", "yuecheng07", "--channel", "email", stdout=out)
    assert out.getvalue().splitlines()[0] == "email → yc07@demo.local: sent"
    (sent,) = mail.outbox
    assert sent.to == [user.email] and "测试消息" in sent.subject


def test_notify_test_on_an_unconfigured_channel_prints_why(settings):
    settings.DINGTALK_APP_KEY = ""
    user = UserFactory(username="yuecheng07")
    Profile.objects.create(user=user, dingtalk_id="yuecheng07")
    out = StringIO()
    call_command("notify_test", "--user", "yuecheng07", "--channel", "dingtalk", stdout=out)
    assert "dingtalk → yuecheng07: failed" in out.getvalue() and "DINGTALK_APP_KEY" in out.getvalue()
    with pytest.raises(CommandError, match="no active wecom group robot"):
        call_command("notify_test", "--user", "yuecheng07", "--channel", "wecom", stdout=out)


def test_notify_test_reaches_a_units_wecom_robot(robots):
    unit = UnitFactory()
    user = UserFactory(username="yuecheng07")
    Profile.objects.create(user=user, unit=unit)
    robots.keys.add("unitkey")
    GroupRobot.objects.create(name="区财政局群", kind="wecom", unit=unit,
                              webhook=f"{robots.url}/cgi-bin/webhook/send?key=unitkey")
    out = StringIO()
    call_command("notify_test", "--user", "yuecheng07", "--channel", "wecom", stdout=out)
    assert "wecom_robot → 区财政局群: delivered" in out.getvalue()
    assert "测试消息" in robots.inbox["unitkey"][0]["markdown"]["content"]
