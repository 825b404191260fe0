"""SMS through Aliyun (default) or Tencent Cloud: an approved template with an approved signature, and the
message's variables (``payload["template_params"]``). Both are plain signed HTTPS calls (Aliyun's RPC
signature, Tencent's TC3-HMAC-SHA256); their SDKs would add a dependency tree for one call each.

One SMS is 70 characters (longer ones are split into 67-character parts, each billed): the templates
say what and when and point to the item. A URL in a variable is refused unless SMS_TEMPLATE_ALLOWS_URL.
The provider's refusals (frequency limits, a blacklisted number, a rejected template) are the message's
state: failed, with the provider's code, not a retry loop.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from math import ceil

from django.conf import settings

from tasks import stored_text as T
from tasks.models import Message

from .base import ChannelAdapter, Outcome, Result, unique_chunks
from .dingtalk import missing
from .http import CallFailed, call

ALIYUN_BASE = "https://dysmsapi.aliyuncs.com"
TENCENT_BASE = "https://sms.tencentcloudapi.com"
ALIYUN_TRANSIENT = {"isp.SYSTEM_ERROR", "Throttling.User", "isp.RAM_PERMISSION_DENY", "ServiceUnavailable"}
TENCENT_TRANSIENT = {"InternalError", "RequestLimitExceeded", "InternalError.Timeout"}


def sms_segments(text: str) -> int:
    """How many SMS a text is billed as: one up to 70 characters, else parts of 67."""
    return 1 if len(text) <= 70 else ceil(len(text) / 67)


def _pe(value: str) -> str:
    return urllib.parse.quote(str(value), safe="~")


def aliyun_signature(secret: str, params: dict, method: str = "POST") -> str:
    canonical = "&".join(f"{_pe(k)}={_pe(params[k])}" for k in sorted(params))
    to_sign = f"{method}&%2F&{_pe(canonical)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


def tencent_authorization(*, secret_id: str, secret_key: str, host: str, body: str, timestamp: int,
                          action: str = "SendSms", service: str = "sms") -> str:
    day = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    canonical = (f"POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:{host}\n"
                 f"x-tc-action:{action.lower()}\n\ncontent-type;host;x-tc-action\n"
                 + hashlib.sha256(body.encode()).hexdigest())
    scope = f"{day}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"

    def _h(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    signing = _h(_h(_h(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    signature = hmac.new(signing, to_sign.encode(), hashlib.sha256).hexdigest()
    return (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host;x-tc-action, "
            f"Signature={signature}")


class SmsChannel(ChannelAdapter):
    name = "sms"
    batch_size = 200

    def missing_configuration(self) -> str:
        provider = settings.SMS_PROVIDER
        if provider not in ("aliyun", "tencent"):
            return "SMS_PROVIDER 未设置(aliyun 或 tencent)"
        names = ["SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_TEMPLATE_CODE"]
        return missing(*names, *(["SMS_SDK_APP_ID"] if provider == "tencent" else []))

    def send(self, messages: list[Message]) -> Iterator[tuple[Message, Result]]:
        groups: dict[str, list[Message]] = defaultdict(list)
        for m in messages:
            params = m.payload.get("template_params") or {}
            if not getattr(settings, "SMS_TEMPLATE_ALLOWS_URL", False) and any(
                "://" in str(v) or "www." in str(v) for v in params.values()
            ):
                yield m, Result(Outcome.FAILED, error=T.written(T.CHANNEL_SMS_URL))
                continue
            groups[json.dumps(params, ensure_ascii=False)].append(m)
        limit = 1000 if settings.SMS_PROVIDER == "aliyun" else 200
        for params, group in groups.items():
            for batch in unique_chunks(group, limit):
                if settings.SMS_PROVIDER == "aliyun":
                    yield from self._aliyun(batch, params)
                else:
                    yield from self._tencent(batch, json.loads(params))

    def _aliyun(self, batch: list[Message], params: str) -> Iterator[tuple[Message, Result]]:
        query = {
            "AccessKeyId": settings.SMS_ACCESS_KEY_ID, "Action": "SendSms", "Format": "JSON",
            "PhoneNumbers": ",".join(m.address for m in batch), "RegionId": "cn-hangzhou",
            "SignName": settings.SMS_SIGN_NAME, "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "TemplateCode": settings.SMS_TEMPLATE_CODE, "TemplateParam": params,
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        }
        query["Signature"] = aliyun_signature(settings.SMS_ACCESS_KEY_SECRET, query)
        try:
            answer = call("POST", (settings.SMS_API_BASE or ALIYUN_BASE) + "/", data=query)
        except CallFailed as exc:
            result = exc.result
        else:
            code = answer.get("Code")
            if code == "OK":
                result = Result(Outcome.SENT, provider_id=str(answer.get("BizId", "")))
            else:
                outcome = Outcome.RETRY if code in ALIYUN_TRANSIENT else Outcome.FAILED
                result = Result(outcome, error=f"{code}: {answer.get('Message', '')}")
        for m in batch:
            yield m, result

    def _tencent(self, batch: list[Message], params: dict) -> Iterator[tuple[Message, Result]]:
        base = settings.SMS_API_BASE or TENCENT_BASE
        host = urllib.parse.urlsplit(base).netloc
        phones = {("+86" + m.address if not m.address.startswith("+") else m.address): m for m in batch}
        body = json.dumps({
            "PhoneNumberSet": list(phones), "SmsSdkAppId": settings.SMS_SDK_APP_ID,
            "SignName": settings.SMS_SIGN_NAME, "TemplateId": settings.SMS_TEMPLATE_CODE,
            "TemplateParamSet": [str(v) for v in params.values()],
        }, ensure_ascii=False)
        ts = int(time.time())
        headers = {
            "Authorization": tencent_authorization(secret_id=settings.SMS_ACCESS_KEY_ID,
                                                   secret_key=settings.SMS_ACCESS_KEY_SECRET, host=host, body=body,
                                                   timestamp=ts),
            "Content-Type": "application/json; charset=utf-8", "Host": host, "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(ts), "X-TC-Version": "2021-01-11", "X-TC-Region": settings.SMS_REGION,
        }
        try:
            answer = call("POST", base + "/", data=body.encode(), headers=headers).get("Response") or {}
        except CallFailed as exc:
            for m in batch:
                yield m, exc.result
            return
        if answer.get("Error"):
            code = answer["Error"].get("Code", "")
            outcome = Outcome.RETRY if code in TENCENT_TRANSIENT else Outcome.FAILED
            for m in batch:
                yield m, Result(outcome, error=f"{code}: {answer['Error'].get('Message', '')}")
            return
        statuses = {s.get("PhoneNumber"): s for s in answer.get("SendStatusSet") or []}
        for phone, m in phones.items():
            s = statuses.get(phone) or {}
            if s.get("Code") == "Ok":
                yield m, Result(Outcome.SENT, provider_id=str(s.get("SerialNo", "")))
            else:  # a number refused within a taken request: this one only (blacklisted, too frequent)
                yield m, Result(Outcome.FAILED, error=f"{s.get('Code', 'missing')}: {s.get('Message', '')}")
