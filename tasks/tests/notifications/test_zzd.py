"""浙政钉 work notices against the local gateway: signed calls, bizMsgId once, the 2,048-byte body."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tasks.models import Message
from tasks.notifications.services import message_queue, outbox_deliver, outbox_sweep
from tasks.tests.notifications.fakes import wait_until

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
M = Message.State


def queue(key: str, user: str = "zzd-001", text: str = "您有 1 项工作今天到期") -> Message:
    return message_queue(key=key, purpose=Message.Purpose.TEST, channel="zzd", address=user, subject="提醒",
                         body=text, payload={"markdown": text, "title": "提醒"}, now=NOW)


def test_a_signed_work_notice_reaches_the_account(zzd):
    queue("a")
    assert outbox_deliver(channel="zzd", now=NOW).counts == {M.SENT: 1}
    assert zzd.inbox["zzd-001"][0]["markdown"]["text"] == "您有 1 项工作今天到期"
    assert Message.objects.get().provider_id.startswith("zmsg")


def test_an_answer_lost_is_sent_again_and_the_gateway_takes_it_once(zzd, settings):
    queue("warm-up")
    outbox_deliver(channel="zzd", now=NOW)
    settings.NOTIFY_HTTP_TIMEOUT = 0.5
    queue("a", user="zzd-002")
    zzd.hang_next(1.2)  # taken, the answer lost: with bizMsgId a retry is safe
    assert outbox_deliver(channel="zzd", now=NOW).counts == {M.QUEUED: 1}
    wait_until(lambda: zzd.delivered()["zzd-002"] == 1)  # the gateway acted on it, after its late answer
    retry_at = Message.objects.get(key="a").next_attempt_at
    assert outbox_deliver(channel="zzd", now=retry_at).counts == {M.SENT: 1}  # "duplicate": it went out before
    assert zzd.delivered()["zzd-002"] == 1


def test_a_worker_lost_mid_send_is_requeued_not_uncertain_and_sent_once(zzd):
    message = queue("a")
    Message.objects.filter(pk=message.pk).update(state=M.SENDING, sending_at=NOW)
    assert outbox_sweep(now=NOW + timedelta(minutes=16)) == {"requeued": 1, "uncertain": 0}
    assert outbox_deliver(channel="zzd", now=NOW + timedelta(minutes=16)).counts == {M.SENT: 1}
    assert outbox_deliver(channel="zzd", now=NOW + timedelta(hours=1)).counts == {}
    assert zzd.delivered() == {"zzd-001": 1}


def test_a_long_body_is_cut_to_2048_bytes_and_accepted(zzd):
    queue("long", text="“逾期”事项：\n" + "老旧小区改造" * 400)
    assert outbox_deliver(channel="zzd", now=NOW).counts == {M.SENT: 1}
    (path, _q, body), = [c for c in zzd.calls if c[0] == "/message/workNotification"]
    assert 2000 < len(body["msg"].encode()) <= 2048
    assert json.loads(body["msg"])["markdown"]["text"].endswith("…")


def test_an_expired_token_is_fetched_again(zzd):
    queue("a")
    outbox_deliver(channel="zzd", now=NOW)
    zzd.expire_tokens()
    queue("b", text="二")
    assert outbox_deliver(channel="zzd", now=NOW).counts == {M.SENT: 1}
    assert [c[0] for c in zzd.calls].count("/gettoken.json") == 2


def test_a_wrong_secret_is_refused_by_the_signature_check_and_fails_as_configuration(zzd, settings):
    settings.ZZD_APP_SECRET = "wrong"
    queue("a")
    assert outbox_deliver(channel="zzd", now=NOW).counts == {M.FAILED: 1}
    assert "InvalidSignature" in Message.objects.get().last_error
    assert zzd.delivered() == {}
