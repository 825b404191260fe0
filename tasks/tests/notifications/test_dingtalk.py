"""DingTalk work notices against the local stand-in: tokens, batches of 100, the send result, failures."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tasks.models import Message, Profile
from tasks.notifications.services import message_queue, outbox_deliver, outbox_reconcile, outbox_sweep
from tasks.tests.factories import UserFactory, signed_links_in
from tasks.tests.notifications.fakes import wait_until

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
M = Message.State


def queue(key: str, user: str, text: str = "您有 2 项工作即将到期") -> Message:
    return message_queue(key=key, purpose=Message.Purpose.TEST, channel="dingtalk", address=user,
                         subject="提醒", body=text, payload={"markdown": text, "title": "提醒"}, now=NOW)


def states() -> dict[str, str]:
    return dict(Message.objects.values_list("key", "state"))


def test_a_work_notice_is_sent_then_marked_delivered_from_the_send_result(dingtalk):
    queue("a", "zhangsan")
    summary = outbox_deliver(channel="dingtalk", now=NOW)
    assert summary.counts == {M.SENT: 1}
    message = Message.objects.get()
    assert message.provider_id and message.sent_at == NOW and message.attempts == 1
    assert dingtalk.delivered() == {"zhangsan": 1}
    assert dingtalk.inbox["zhangsan"][0]["markdown"]["text"] == "您有 2 项工作即将到期"
    assert outbox_reconcile(channel="dingtalk", now=NOW + timedelta(seconds=30)).counts == {}  # too early
    assert outbox_reconcile(channel="dingtalk", now=NOW + timedelta(minutes=2)).counts == {M.DELIVERED: 1}
    message.refresh_from_db()
    assert message.state == M.DELIVERED and message.delivered_at == NOW + timedelta(minutes=2)


def test_the_same_content_twice_a_day_answers_success_but_is_never_delivered_and_the_result_says_so(dingtalk):
    queue("monday-1", "zhangsan")
    outbox_deliver(channel="dingtalk", now=NOW)
    queue("monday-2", "zhangsan")  # another message, word for word the same
    assert outbox_deliver(channel="dingtalk", now=NOW).counts == {M.SENT: 1}  # the send said yes
    assert dingtalk.delivered() == {"zhangsan": 1}
    outbox_reconcile(channel="dingtalk", now=NOW + timedelta(minutes=2))
    assert states() == {"monday-1": M.DELIVERED, "monday-2": M.FAILED}
    assert "143105" in Message.objects.get(key="monday-2").last_error


def test_past_the_daily_cap_per_user_the_result_marks_the_message_failed(dingtalk):
    dingtalk.per_user_day = 2
    for n in range(3):
        queue(f"m{n}", "lisi", text=f"第 {n} 条")
    outbox_deliver(channel="dingtalk", now=NOW)
    outbox_reconcile(channel="dingtalk", now=NOW + timedelta(minutes=2))
    assert sorted(states().values()) == [M.DELIVERED, M.DELIVERED, M.FAILED]


def test_one_content_to_150_people_takes_two_calls_of_at_most_100(dingtalk):
    for i in range(150):
        queue(f"k{i}", f"u{i:03d}", text="本月晾晒已发布")
    assert outbox_deliver(channel="dingtalk", now=NOW).counts == {M.SENT: 150}
    sends = [b for path, _q, b in dingtalk.calls if path.endswith("asyncsend_v2")]
    assert sorted(len(b["userid_list"].split(",")) for b in sends) == [50, 100]  # side by side: either first
    assert len(dingtalk.delivered()) == 150
    assert len({m.provider_id for m in Message.objects.all()}) == 2


def test_an_expired_token_is_fetched_again_and_the_send_made_once(dingtalk):
    queue("a", "zhangsan", text="一")
    outbox_deliver(channel="dingtalk", now=NOW)
    dingtalk.expire_tokens()
    queue("b", "zhangsan", text="二")
    assert outbox_deliver(channel="dingtalk", now=NOW).counts == {M.SENT: 1}
    assert [path for path, _q, _b in dingtalk.calls].count("/gettoken") == 2
    assert dingtalk.delivered() == {"zhangsan": 2}


def test_a_provider_error_is_retried_later_and_then_sent(dingtalk):
    queue("a", "zhangsan")
    dingtalk.fail_next(1, status=502)  # the token call
    assert outbox_deliver(channel="dingtalk", now=NOW).counts == {M.QUEUED: 1}
    message = Message.objects.get()
    assert message.attempts == 1 and "502" in message.last_error and message.next_attempt_at > NOW
    assert outbox_deliver(channel="dingtalk", now=message.next_attempt_at).counts == {M.SENT: 1}
    queue("b", "lisi")
    dingtalk.fail_next(1, status=503)  # the send itself
    assert outbox_deliver(channel="dingtalk", now=NOW).counts == {M.QUEUED: 1}
    retry_at = Message.objects.get(key="b").next_attempt_at
    assert outbox_deliver(channel="dingtalk", now=retry_at).counts == {M.SENT: 1}
    assert dingtalk.delivered() == {"zhangsan": 1, "lisi": 1}


def test_an_answer_lost_after_the_send_marks_the_message_uncertain_and_it_is_not_sent_again(dingtalk, settings):
    settings.NOTIFY_HTTP_TIMEOUT = 0.5
    queue("a", "zhangsan")
    outbox_deliver(channel="dingtalk", now=NOW)  # fetches the token, then a clean send
    queue("b", "lisi")
    dingtalk.hang_next(1.5)  # the send is taken, its answer comes too late
    assert outbox_deliver(channel="dingtalk", now=NOW).counts == {M.UNCERTAIN: 1}
    b = Message.objects.get(key="b")
    assert "Timeout" in b.last_error and b.finished_at == NOW
    assert outbox_deliver(channel="dingtalk", now=NOW + timedelta(hours=1)).counts == {}
    wait_until(lambda: "lisi" in dingtalk.inbox)
    assert dingtalk.delivered() == {"zhangsan": 1, "lisi": 1}  # once: the provider had taken it


def test_a_worker_lost_mid_send_leaves_the_message_uncertain_after_the_timeout(dingtalk, settings):
    settings.NOTIFY_SENDING_TIMEOUT_SECONDS = 900
    message = queue("a", "zhangsan")
    Message.objects.filter(pk=message.pk).update(state=M.SENDING, sending_at=NOW)  # claimed, then SIGKILL
    assert outbox_sweep(now=NOW + timedelta(minutes=10)) == {"requeued": 0, "uncertain": 0}
    assert outbox_sweep(now=NOW + timedelta(minutes=16)) == {"requeued": 0, "uncertain": 1}
    assert outbox_deliver(channel="dingtalk", now=NOW + timedelta(hours=1)).counts == {}
    assert dingtalk.delivered() == {}


def test_wrong_credentials_fail_the_messages_as_a_configuration_matter(dingtalk, settings):
    settings.DINGTALK_APP_SECRET = "wrong"
    queue("a", "zhangsan")
    assert outbox_deliver(channel="dingtalk", now=NOW).counts == {M.FAILED: 1}
    assert "40089" in Message.objects.get().last_error


def test_unconfigured_dingtalk_fails_queued_messages_with_the_reason(settings):
    settings.DINGTALK_APP_KEY = ""
    queue("a", "zhangsan")
    outbox_deliver(channel="dingtalk", now=NOW)
    message = Message.objects.get()
    assert message.state == M.FAILED and "DINGTALK_APP_KEY" in message.last_error


def test_a_person_preferring_dingtalk_gets_the_digest_there_and_by_email(dingtalk, settings):
    from tasks.notifications.routing import personal_routes

    user = UserFactory(email="zs@yc.gov.cn")
    profile = Profile.objects.create(user=user, dingtalk_id="zhangsan", channels="zzd,dingtalk")
    routes = personal_routes(email=user.email, profile=profile)
    assert [(r.channel, r.address) for r in routes] == [("dingtalk", "zhangsan"), ("email", "zs@yc.gov.cn")]
    assert "浙政钉工作通知未配置(ZZD_APP_KEY, ZZD_APP_SECRET 未设置)" in routes[1].note


def _digest_world():
    from datetime import date

    from tasks.models import ReminderSettings
    from tasks.tests.factories import PlanFactory, UnitFactory, WorkItemFactory, liaison_for

    plan = PlanFactory(title="越城区住有宜居实施方案")
    ReminderSettings.objects.create(plan=plan, monthly_enabled=False)
    unit = UnitFactory(region=plan.region, name="区财政局", emails="")
    user = liaison_for(unit, username="yuecheng07", email="yc07@yc.gov.cn")
    Profile.objects.filter(user=user).update(dingtalk_id="zhangsan", channels="dingtalk")
    item = WorkItemFactory(plan=plan, deadline=date(2023, 5, 31), due_date=date(2023, 5, 31), lead=unit,
                           text="老旧小区改造")
    return item


def test_a_reminder_digest_goes_to_dingtalk_and_email_with_the_same_group(dingtalk, settings):
    from datetime import date

    from tasks.models import Reminder
    from tasks.services.reminders import reminders_scan, reminders_send_pending

    settings.SITE_URL = "https://zf.example.cn"
    item = _digest_world()
    day = date(2023, 5, 22)
    reminders_scan(today=day, now=NOW.replace(year=2023, month=5, day=22))
    summary = reminders_send_pending(now=NOW.replace(year=2023, month=5, day=22), today=day)
    assert summary.emails == 1 and summary.delivery["dingtalk"].counts == {M.SENT: 1}
    by_channel = {m.channel: m for m in Message.objects.all()}
    assert set(by_channel) == {"dingtalk", "email"}
    assert by_channel["dingtalk"].group == by_channel["email"].group == Reminder.objects.get().digest
    text = dingtalk.inbox["zhangsan"][0]["markdown"]["text"]
    assert "越城区住有宜居实施方案" in text and ("item", item.pk) in signed_links_in(text)
    assert list(by_channel["dingtalk"].plans.all()) == [item.plan]


def test_a_person_preferring_an_unconfigured_channel_gets_email_and_the_message_says_why(settings):
    from datetime import date

    from tasks.services.reminders import reminders_scan, reminders_send_pending

    settings.DINGTALK_APP_KEY = ""
    _digest_world()
    day = date(2023, 5, 22)
    reminders_scan(today=day, now=NOW.replace(year=2023, month=5, day=22))
    reminders_send_pending(now=NOW.replace(year=2023, month=5, day=22), today=day)
    (message,) = Message.objects.all()
    assert message.channel == "email" and message.state == M.SENT
    assert message.note.startswith("邮件总会发送；钉钉工作通知未配置(DINGTALK_APP_KEY")


def test_a_batch_of_different_contents_is_sent_several_calls_at_once_each_fate_recorded(dingtalk, settings):
    settings.NOTIFY_DINGTALK_CALLS = 4
    for i in range(12):
        queue(f"d{i}", f"u{i:03d}", text=f"第 {i} 份提醒")  # one person's digest each: a call each
    dingtalk.hang_next(0.3, n=8)  # a slow provider: the calls overlap
    assert outbox_deliver(channel="dingtalk", now=NOW).counts == {M.SENT: 12}
    assert dingtalk.most_in_flight >= 2
    sends = [b for path, _q, b in dingtalk.calls if path.endswith("asyncsend_v2")]
    assert sorted(b["userid_list"] for b in sends) == sorted(f"u{i:03d}" for i in range(12))  # each once
    rows = list(Message.objects.values_list("address", "provider_id", "attempts", "sent_at"))
    assert len({provider_id for _a, provider_id, _n, _at in rows}) == 12  # its own call's task id each
    assert all(attempts == 1 and at == NOW for _a, _p, attempts, at in rows)
    outbox_reconcile(channel="dingtalk", now=NOW + timedelta(minutes=2))
    assert set(states().values()) == {M.DELIVERED}


def test_in_a_batch_sent_side_by_side_a_lost_answer_is_uncertain_and_the_others_sent_none_resent(dingtalk, settings):
    settings.NOTIFY_DINGTALK_CALLS, settings.NOTIFY_HTTP_TIMEOUT = 3, 0.5
    queue("first", "zhangsan")
    outbox_deliver(channel="dingtalk", now=NOW)  # the token
    for i in range(6):
        queue(f"d{i}", f"u{i:03d}", text=f"第 {i} 份提醒")
    dingtalk.hang_next(1.5)  # one call's answer comes too late: the provider may have taken it
    assert outbox_deliver(channel="dingtalk", now=NOW).counts == {M.SENT: 5, M.UNCERTAIN: 1}
    lost = Message.objects.get(state=M.UNCERTAIN)
    assert "Timeout" in lost.last_error and lost.attempts == 1
    assert outbox_deliver(channel="dingtalk", now=NOW + timedelta(hours=1)).counts == {}  # nothing again
    wait_until(lambda: len(dingtalk.delivered()) == 7)
    assert set(dingtalk.delivered().values()) == {1}  # everyone once, the uncertain one included


def test_a_token_failure_in_a_batch_of_calls_leaves_every_message_for_a_retry_none_sent(dingtalk, settings):
    settings.NOTIFY_DINGTALK_CALLS = 4
    for i in range(5):
        queue(f"d{i}", f"u{i:03d}", text=f"第 {i} 份提醒")
    dingtalk.fail_next(1, status=502)  # the token call, before any send
    assert outbox_deliver(channel="dingtalk", now=NOW).counts == {M.QUEUED: 5}
    assert dingtalk.delivered() == {}
    retry_at = Message.objects.order_by("next_attempt_at").first().next_attempt_at
    assert outbox_deliver(channel="dingtalk", now=retry_at).counts == {M.SENT: 5}
    assert set(dingtalk.delivered().values()) == {1}
