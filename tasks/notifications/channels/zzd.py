"""浙政钉 (Zhejiang's government DingTalk) work notice, through its own gateway with AK/SK signing.

Every request carries ``apiKey``, a timestamp, a nonce and ``X-Hmac-Auth-Signature`` =
Base64(HMAC-SHA256(secret, method, timestamp, nonce, URI and the sorted parameters, one a line)); the
official SDK is Java only, so the adapter signs itself. ``bizMsgId`` (derived from the message's key)
makes the provider refuse a repeat as a duplicate: the one channel where a send whose answer was lost is
simply sent again (a duplicate answer means it was taken). The body is at most 2,048 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from tasks.models import Message

from .base import ChannelAdapter, ConfigurationError, Outcome, Result
from .dingtalk import TokenCache, missing
from .http import CallFailed, call

MAX_BODY_BYTES = 2048
DUPLICATE = "233025"  # bizMsgId already taken: the message went out before
INVALID_TOKEN = {"INVALID_TOKEN", "TOKEN_EXPIRED"}
SH = ZoneInfo("Asia/Shanghai")


def fit_bytes(text: str, limit: int, tail: str = "…") -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (whole characters), ``tail`` marking a cut."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - len(tail.encode())].decode(errors="ignore") + tail


def sign(*, secret: str, method: str, timestamp: str, nonce: str, uri: str, params: dict) -> str:
    lines = [method, timestamp, nonce, uri]
    if params:
        lines.append("&".join(f"{k}={params[k]}" for k in sorted(params)))
    digest = hmac.new(secret.encode(), "\n".join(lines).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def biz_msg_id(message: Message) -> str:
    return hashlib.sha256(message.key.encode()).hexdigest()[:32]


class ZzdChannel(ChannelAdapter):
    name = "zzd"
    batch_size = 200
    idempotent = True

    def __init__(self):
        self.base = settings.ZZD_API_BASE
        self.tokens = TokenCache(base=self.base, key=settings.ZZD_APP_KEY, fetch=self._fetch_token)

    def missing_configuration(self) -> str:
        return missing("ZZD_APP_KEY", "ZZD_APP_SECRET")

    def _signed(self, method: str, uri: str, params: dict) -> dict:
        now = datetime.now(SH)
        timestamp = now.isoformat(timespec="milliseconds")
        nonce = f"{int(now.timestamp() * 1000)}{secrets.randbelow(10000):04d}"
        headers = {
            "apiKey": settings.ZZD_APP_KEY,
            "X-Hmac-Auth-Timestamp": timestamp,
            "X-Hmac-Auth-Version": "1.0",
            "X-Hmac-Auth-Nonce": nonce,
            "X-Hmac-Auth-Signature": sign(secret=settings.ZZD_APP_SECRET, method=method, timestamp=timestamp,
                                          nonce=nonce, uri=uri, params=params),
        }
        kwargs = {"params": params} if method == "GET" else {"data": params}
        return call(method, f"{self.base}{uri}", idempotent=True, headers=headers, **kwargs)

    def _fetch_token(self) -> tuple[str, int]:
        answer = self._signed("GET", "/gettoken.json",
                              {"appkey": settings.ZZD_APP_KEY, "appsecret": settings.ZZD_APP_SECRET})
        data = (answer.get("content") or {}).get("data") or {}
        if not answer.get("success") or not data.get("accessToken"):
            raise ConfigurationError(f"gettoken: {answer.get('errorCode')} {answer.get('errorMsg', '')}".strip())
        return data["accessToken"], data.get("expiresIn", 7200)

    @staticmethod
    def body(message: Message) -> str:
        """The ``msg`` parameter, within MAX_BODY_BYTES (the markdown is cut, never the JSON)."""
        text = message.payload.get("markdown") or message.body
        title = message.payload.get("title") or message.subject
        empty = json.dumps({"msgtype": "markdown", "markdown": {"title": title, "text": ""}}, ensure_ascii=False)
        budget = MAX_BODY_BYTES - len(empty.encode())
        # JSON escapes (quotes, newlines) grow the text: cut until the whole body fits.
        while True:
            body = json.dumps({"msgtype": "markdown", "markdown": {"title": title, "text": fit_bytes(text, budget)}},
                              ensure_ascii=False)
            if len(body.encode()) <= MAX_BODY_BYTES:
                return body
            budget -= len(body.encode()) - MAX_BODY_BYTES

    def send(self, messages: list[Message]) -> Iterator[tuple[Message, Result]]:
        for m in messages:
            yield m, self._send_one(m)

    def _send_one(self, m: Message) -> Result:
        for attempt in (1, 2):
            params = {"access_token": self.tokens.get(), "receiverIds": m.address, "bizMsgId": biz_msg_id(m),
                      "msg": self.body(m)}
            if settings.ZZD_TENANT_ID:
                params["tenantId"] = settings.ZZD_TENANT_ID
            try:
                answer = self._signed("POST", "/message/workNotification", params)
            except CallFailed as exc:
                return exc.result
            if answer.get("errorCode") in INVALID_TOKEN and attempt == 1:
                self.tokens.drop()
                continue
            break
        if not answer.get("success"):
            return Result(Outcome.FAILED, error=f"{answer.get('errorCode')}: {answer.get('errorMsg', '')}")
        content = answer.get("content") or {}
        if content.get("success"):
            return Result(Outcome.SENT, provider_id=str(content.get("data") or biz_msg_id(m)))
        code = str(content.get("responseCode", ""))
        if code == DUPLICATE:  # taken before (a send whose answer was lost): sent, once
            return Result(Outcome.SENT, provider_id=biz_msg_id(m))
        return Result(Outcome.FAILED, error=f"{code}: {content.get('responseMessage', '')}")
