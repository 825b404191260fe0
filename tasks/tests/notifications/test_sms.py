"""SMS against local stand-ins of Aliyun and Tencent Cloud: signatures, templates, the providers' refusals."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tasks.models import Message
from tasks.notifications.channels.sms import sms_segments
from tasks.notifications.services import message_queue, outbox_deliver

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
M = Message.State


def queue(key: str, mobile: str, **params) -> Message:
    params = params or {"count": "3", "date": "12月7日"}
    return message_queue(key=key, purpose=Message.Purpose.TEST, channel="sms", address=mobile, subject="提醒",
                         body="12月7日您有3项住有宜居工作需关注", payload={"template_params": params}, now=NOW)


def test_one_sms_is_70_characters_and_longer_ones_are_parts_of_67():
    assert [sms_segments("字" * n) for n in (1, 70, 71, 134, 135)] == [1, 1, 2, 2, 3]


def test_aliyun_sends_the_template_with_its_variables(aliyun):
    queue("a", "13800000001")
    assert outbox_deliver(channel="sms", now=NOW).counts == {M.SENT: 1}
    assert aliyun.inbox["13800000001"] == [{"count": "3", "date": "12月7日"}]
    assert Message.objects.get().provider_id.startswith("biz")


def test_aliyun_frequency_limit_is_recorded_as_the_messages_failure(aliyun):
    aliyun.per_number_day = 1
    queue("a", "13800000001")
    queue("b", "13800000001", count="4", date="12月7日")
    outbox_deliver(channel="sms", now=NOW)
    assert dict(Message.objects.values_list("key", "state")) == {"a": M.SENT, "b": M.FAILED}
    assert "isv.BUSINESS_LIMIT_CONTROL" in Message.objects.get(key="b").last_error


def test_a_url_in_a_variable_is_refused_before_calling_the_provider(aliyun):
    queue("a", "13800000001", link="https://zf.example.cn/items/1/")
    assert outbox_deliver(channel="sms", now=NOW).counts == {M.FAILED: 1}
    assert aliyun.calls == []


def test_a_rejected_template_fails_without_retrying(aliyun, settings):
    settings.SMS_TEMPLATE_CODE = "SMS_unapproved"
    queue("a", "13800000001")
    assert outbox_deliver(channel="sms", now=NOW).counts == {M.FAILED: 1}
    assert "isv.SMS_TEMPLATE_ILLEGAL" in Message.objects.get().last_error


def test_a_wrong_secret_fails_the_signature_check(aliyun, settings):
    settings.SMS_ACCESS_KEY_SECRET = "wrong"
    queue("a", "13800000001")
    assert outbox_deliver(channel="sms", now=NOW).counts == {M.FAILED: 1}
    assert "SignatureDoesNotMatch" in Message.objects.get().last_error and aliyun.inbox == {}


def test_tencent_sends_one_request_and_records_each_numbers_answer(tencent):
    for i, mobile in enumerate(["13900000001", "13900000002", "13900000003"]):
        queue(f"t{i}", mobile)
    assert outbox_deliver(channel="sms", now=NOW).counts == {M.SENT: 2, M.FAILED: 1}
    assert len(tencent.calls) == 1
    failed = Message.objects.get(state=M.FAILED)
    assert failed.address == "13900000002" and "PhoneNumberInBlacklist" in failed.last_error
    assert set(tencent.inbox) == {"+8613900000001", "+8613900000003"}


def test_tencent_same_content_within_30_seconds_is_refused_for_that_number(tencent):
    queue("a", "13900000001")
    outbox_deliver(channel="sms", now=NOW)
    queue("b", "13900000001")
    assert outbox_deliver(channel="sms", now=NOW).counts == {M.FAILED: 1}
    assert "DeliveryFrequencyLimit" in Message.objects.get(key="b").last_error


def test_tencent_wrong_key_fails_the_signature(tencent, settings):
    settings.SMS_ACCESS_KEY_SECRET = "wrong"
    queue("a", "13900000001")
    assert outbox_deliver(channel="sms", now=NOW).counts == {M.FAILED: 1}
    assert "AuthFailure.SignatureFailure" in Message.objects.get().last_error
