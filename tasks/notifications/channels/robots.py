"""DingTalk and WeCom group robots (a unit's or a plan's group).

DingTalk signs each call: ``sign = urlencode(base64(hmac_sha256(secret, timestamp + "\\n" + secret)))``
with the timestamp in milliseconds (the server refuses one more than an hour off). Both providers take at
most 20 messages a minute per robot; past it DingTalk answers errcode 130101 and mutes the robot for ten
minutes, WeCom answers 45009. So each robot has a sliding window in the cache (Redis in production):
a message that would exceed it is held until the window opens (no attempt counted), never dropped, and
a refused one (130101/45009: not taken) is held and sent later, never twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache

from tasks import stored_text as T
from tasks.models import Message
from tasks.models.notifications import robot_host_allowed

from .base import ChannelAdapter, Outcome, Result
from .http import CallFailed, call
from .zzd import fit_bytes

MUTED = {"dingtalk": 130101, "wecom": 45009}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


class RobotWindow:
    """At most NOTIFY_ROBOT_LIMIT sends per NOTIFY_ROBOT_WINDOW_SECONDS for one robot, across workers: the
    send times in the cache, changed under a short cache lock (``cache.add``), and a mute after a refusal."""

    def __init__(self, robot_id: int):
        self.key = f"notify:robot:{robot_id}"
        self.taken: float | None = None

    def _lock(self) -> bool:
        return cache.add(self.key + ":lock", 1, timeout=30)

    def _unlock(self) -> None:
        cache.delete(self.key + ":lock")

    def take(self) -> float | None:
        """Take a place in the window now: None when taken, else the epoch second the window opens. The
        place is stamped again when the provider has answered (``stamp``): it received the message at some
        moment before that, so our window never opens before the provider's."""
        now = time.time()
        muted = cache.get(self.key + ":muted")
        if muted and muted > now:
            return muted
        if not self._lock():
            return now + 1
        try:
            window = settings.NOTIFY_ROBOT_WINDOW_SECONDS
            sent = [t for t in cache.get(self.key + ":sent", []) if t > now - window]
            if len(sent) >= settings.NOTIFY_ROBOT_LIMIT:
                return sent[0] + window
            cache.set(self.key + ":sent", [*sent, now], window + 5)
            self.taken = now
            return None
        finally:
            self._unlock()

    def stamp(self) -> None:
        """The provider answered: the place taken counts from now."""
        while not self._lock():
            time.sleep(0.01)
        try:
            sent = cache.get(self.key + ":sent", [])
            now = time.time()
            sent = sorted(now if t == self.taken else t for t in sent)
            cache.set(self.key + ":sent", sent, settings.NOTIFY_ROBOT_WINDOW_SECONDS + 5)
        finally:
            self._unlock()

    def mute(self) -> float:
        until = time.time() + settings.NOTIFY_ROBOT_MUTE_SECONDS
        cache.set(self.key + ":muted", until, settings.NOTIFY_ROBOT_MUTE_SECONDS + 5)
        return until


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch + 0.05, tz=UTC)


class _RobotChannel(ChannelAdapter):
    kind = ""
    batch_size = 100

    def request(self, message: Message) -> tuple[str, dict]:
        raise NotImplementedError

    def send(self, messages: list[Message]) -> Iterator[tuple[Message, Result]]:
        for m in messages:
            robot = m.robot
            if robot is None or not robot.active or robot.kind != self.kind:
                yield m, Result(Outcome.FAILED, error=T.written(T.CHANNEL_ROBOT_GONE))
                continue
            if not robot_host_allowed(robot.webhook):  # a webhook stored before the form checked it
                yield m, Result(Outcome.FAILED, error=T.written(T.CHANNEL_ROBOT_HOST))
                continue
            window = RobotWindow(robot.pk)
            opens = window.take()
            if opens is not None:
                yield m, Result(Outcome.HOLD, at=_at(opens), error=T.written(T.CHANNEL_ROBOT_WINDOW))
                continue
            url, body = self.request(m)
            try:
                answer = call("POST", url, json=body)
            except CallFailed as exc:
                yield m, exc.result
                continue
            finally:
                window.stamp()
            code = answer.get("errcode")
            if code == 0:
                yield m, Result(Outcome.DELIVERED)
            elif code == MUTED[self.kind]:
                # Refused, not taken: hold until the provider lets the robot speak again.
                until = window.mute() if self.kind == "dingtalk" else time.time() + settings.NOTIFY_ROBOT_WINDOW_SECONDS
                yield m, Result(Outcome.HOLD, at=_at(until), error=f"errcode {code}: {answer.get('errmsg', '')}")
            else:
                yield m, Result(Outcome.FAILED, error=f"errcode {code}: {answer.get('errmsg', '')}")


class DingTalkRobotChannel(_RobotChannel):
    name = "dingtalk_robot"
    kind = "dingtalk"

    def request(self, message: Message) -> tuple[str, dict]:
        url = message.robot.webhook
        if message.robot.secret:
            ts = int(time.time() * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={dingtalk_sign(message.robot.secret, ts)}"
        text = message.payload.get("markdown") or message.body
        return url, {"msgtype": "markdown",
                     "markdown": {"title": message.payload.get("title") or message.subject, "text": text}}


class WeComRobotChannel(_RobotChannel):
    name = "wecom_robot"
    kind = "wecom"

    def request(self, message: Message) -> tuple[str, dict]:
        text = fit_bytes(message.payload.get("markdown") or message.body, 4096)
        return message.robot.webhook, {"msgtype": "markdown", "markdown": {"content": text}}
