"""DingTalk work notice (工作通知) of a corp app.

* Token: ``GET /gettoken?appkey&appsecret`` -> ``access_token`` valid 7,200 s, kept in the cache until
  five minutes before it expires; an invalid-token answer drops it and the call is made once more.
* Send: ``POST /topapi/message/corpconversation/asyncsend_v2`` to at most 100 user ids per call, the
  messages of identical content together (a digest is one person's, a roundup's notice is everyone's).
* The answer is not delivery: past the provider's limits (the same content to a user once a day, 500 a
  user a day) it still answers success and delivers nothing. ``reconcile`` reads
  ``getsendresult`` for each task id and marks each message delivered or failed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.conf import settings
from django.core.cache import cache

from tasks.models import Message

from .base import ChannelAdapter, ConfigurationError, Outcome, Result, unique_chunks
from .http import CallFailed, call

MAX_USERS = 100
INVALID_TOKEN = {40014, 42001, 40001}  # invalid, expired, bad credential (re-fetch the token once)
TRANSIENT = {-1, 90002, 90018, 90006}  # system busy, flow control: may pass later


def missing(*names: str) -> str:
    unset = [n for n in names if not getattr(settings, n, "")]
    return ", ".join(unset) + (" 未设置" if unset else "")


class TokenCache:
    """An access token per (base, app key) in the cache, shared by every worker, until shortly before expiry.

    An adapter (one per delivery run) also keeps the token it read for up to ``HELD_SECONDS``: a read of
    the shared cache per call was a third of a DingTalk call's time. The cache entry ends five minutes
    before the token does, so a token read from it is still good for longer than that; a token the
    provider calls invalid is dropped from both at once."""

    HELD_SECONDS = 60

    def __init__(self, *, base: str, key: str, fetch):
        self.cache_key = "notify:token:" + hashlib.sha256(f"{base}|{key}".encode()).hexdigest()[:24]
        self.fetch = fetch  # () -> (token, expires_in seconds)
        self._held: tuple[str, float] | None = None  # (token, until: time.monotonic())

    def get(self) -> str:
        if self._held and self._held[1] > time.monotonic():
            return self._held[0]
        token = cache.get(self.cache_key)
        if not token:
            token, expires_in = self.fetch()
            cache.set(self.cache_key, token, max(int(expires_in) - 300, 30))
        self._held = (token, time.monotonic() + self.HELD_SECONDS)
        return token

    def drop(self) -> None:
        self._held = None
        cache.delete(self.cache_key)


class DingTalkChannel(ChannelAdapter):
    name = "dingtalk"
    batch_size = 500
    reconciles = True

    def __init__(self):
        self.base = settings.DINGTALK_API_BASE
        self.tokens = TokenCache(base=self.base, key=settings.DINGTALK_APP_KEY, fetch=self._fetch_token)
        self.width = max(1, int(getattr(settings, "NOTIFY_DINGTALK_CALLS", 1)))
        self._pool: ThreadPoolExecutor | None = None  # made at the first batch of two calls or more, kept for the run

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def missing_configuration(self) -> str:
        unset = missing("DINGTALK_APP_KEY", "DINGTALK_APP_SECRET", "DINGTALK_AGENT_ID")
        if not unset and not str(settings.DINGTALK_AGENT_ID).isdigit():
            return "DINGTALK_AGENT_ID 须为数字"
        return unset

    def _fetch_token(self) -> tuple[str, int]:
        answer = call("GET", f"{self.base}/gettoken", idempotent=True,
                      params={"appkey": settings.DINGTALK_APP_KEY, "appsecret": settings.DINGTALK_APP_SECRET})
        if answer.get("errcode") != 0:
            raise ConfigurationError(f"gettoken errcode {answer.get('errcode')}: {answer.get('errmsg')}")
        return answer["access_token"], answer.get("expires_in", 7200)

    def _api(self, path: str, body: dict, *, idempotent: bool = False) -> dict:
        """POST with the token; on an invalid-token answer, a fresh token and one more call."""
        for attempt in (1, 2):
            answer = call("POST", f"{self.base}{path}", idempotent=idempotent,
                          params={"access_token": self.tokens.get()}, json=body)
            if answer.get("errcode") in INVALID_TOKEN and attempt == 1:
                self.tokens.drop()
                continue
            return answer
        return answer

    @staticmethod
    def msg(message: Message) -> dict:
        if message.payload.get("markdown"):
            return {"msgtype": "markdown",
                    "markdown": {"title": message.payload.get("title") or message.subject,
                                 "text": message.payload["markdown"]}}
        return {"msgtype": "text", "text": {"content": message.body}}

    def send(self, messages: list[Message]) -> Iterator[tuple[Message, Result]]:
        """One call per content and 100 users; up to ``NOTIFY_DINGTALK_CALLS`` of them in flight at once (a
        reminder day's digests are one person's content each: a call per person, mostly waiting for the
        provider). Each call's messages are yielded as it answers, so the outbox records them then."""
        by_content: dict[str, tuple[dict, list[Message]]] = {}
        for m in messages:
            msg = self.msg(m)
            by_content.setdefault(json.dumps(msg, sort_keys=True, ensure_ascii=False), (msg, []))[1].append(m)
        calls = [(batch, msg) for msg, group in by_content.values() for batch in unique_chunks(group, MAX_USERS)]
        if self.width == 1 or len(calls) == 1:
            for batch, msg in calls:
                yield from self._send_one(batch, msg)
            return
        self.tokens.get()  # once, before the threads (a failure here fails the batch before any call)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.width, thread_name_prefix="dingtalk")
        futures = [self._pool.submit(lambda b, g: list(self._send_one(b, g)), batch, msg) for batch, msg in calls]
        failure: BaseException | None = None
        for future in as_completed(futures):
            try:
                results = future.result()
            except Exception as exc:  # a call outside any message's send (the token): the others still count
                failure = failure or exc
                continue
            yield from results
        if failure is not None:
            # Every call that answered was yielded first: only the messages of the failed calls are left for
            # the outbox to treat as the failure says (never a message the provider took).
            raise failure

    def _send_one(self, batch: list[Message], msg: dict) -> Iterator[tuple[Message, Result]]:
        body = {"agent_id": int(settings.DINGTALK_AGENT_ID), "userid_list": ",".join(m.address for m in batch),
                "msg": msg}
        try:
            answer = self._api("/topapi/message/corpconversation/asyncsend_v2", body)
        except CallFailed as exc:
            for m in batch:
                yield m, exc.result
            return
        code = answer.get("errcode")
        if code == 0:
            result = Result(Outcome.SENT, provider_id=str(answer.get("task_id", "")))
        elif code in TRANSIENT or code in INVALID_TOKEN:
            result = Result(Outcome.RETRY, error=f"errcode {code}: {answer.get('errmsg', '')}")
        else:
            result = Result(Outcome.FAILED, error=f"errcode {code}: {answer.get('errmsg', '')}")
        for m in batch:
            yield m, result

    def reconcile(self, messages: list[Message]) -> Iterable[tuple[Message, Result]]:
        by_task: dict[str, list[Message]] = defaultdict(list)
        for m in messages:
            by_task[m.provider_id].append(m)
        for task_id, group in by_task.items():
            try:
                answer = self._api("/topapi/message/corpconversation/getsendresult",
                                   {"agent_id": int(settings.DINGTALK_AGENT_ID), "task_id": int(task_id)},
                                   idempotent=True)
            except CallFailed:
                continue  # asked again at the next tick
            if answer.get("errcode") != 0:
                continue
            result = answer.get("send_result") or {}
            delivered = set(result.get("read_user_id_list") or []) | set(result.get("unread_user_id_list") or [])
            refused = {
                "invalid_user_id_list": "无效的用户 ID",
                "forbidden_user_id_list": "超出钉钉发送限制(同一内容每天一次或每人每天上限)，未送达",
                "failed_user_id_list": "钉钉发送失败",
            }
            codes = {f.get("userid"): f.get("code") for f in result.get("forbidden_list") or []}
            for m in group:
                if m.address in delivered:
                    yield m, Result(Outcome.DELIVERED)
                    continue
                for field, why in refused.items():
                    if m.address in set(result.get(field) or []):
                        code = codes.get(m.address)
                        yield m, Result(Outcome.FAILED, error=f"{why}" + (f" (code {code})" if code else ""))
                        break
