"""The HTTP calls of the API channels (DingTalk, 浙政钉, robots, SMS): one place that tells apart a request
that never left (retry) from one whose answer was lost (the provider may have taken it: uncertain)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from .base import Outcome, Result, error_text


class CallFailed(Exception):
    """The call did not produce a JSON answer; ``result`` says what that means for the message."""

    def __init__(self, result: Result):
        super().__init__(result.error)
        self.result = result


def _never_sent(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True
    text = repr(exc)
    return isinstance(exc, requests.ConnectionError) and (
        "NewConnectionError" in text or "NameResolutionError" in text or "Connection refused" in text
    )


_session = requests.Session()
# The environment's proxies and CA bundle are read once per origin, not on every call (requests reads
# the whole environment per request when it trusts it: a third of a call to the loopback stand-in).
_session.trust_env = False
_environment: dict[str, dict] = {}


def _from_environment(url: str) -> dict:
    """What requests would take from the environment for ``url`` (proxies, verify, cert), once per origin."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if origin not in _environment:
        reader = requests.Session()  # trust_env on: the same reading requests does per call
        _environment[origin] = reader.merge_environment_settings(origin + "/", {}, None, None, None)
        reader.close()
    return _environment[origin]


def call(method: str, url: str, *, idempotent: bool = False, **kwargs: Any) -> dict:
    """``method`` ``url`` and its JSON answer. Raises CallFailed: RETRY when the request surely did not
    reach the provider or it answered 5xx, UNCERTAIN when the answer was lost after sending (RETRY for an
    idempotent call), FAILED on another HTTP error (a wrong address is a configuration matter)."""
    kwargs.setdefault("timeout", settings.NOTIFY_HTTP_TIMEOUT)
    for key, value in _from_environment(url).items():
        if value is not None:
            kwargs.setdefault(key, value)
    try:
        response = _session.request(method, url, **kwargs)
    except requests.RequestException as exc:
        lost = not idempotent and not _never_sent(exc)
        raise CallFailed(Result(Outcome.UNCERTAIN if lost else Outcome.RETRY, error=error_text(exc))) from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise CallFailed(Result(Outcome.RETRY, error=f"HTTP {response.status_code}: {response.text[:300]}"))
    if response.status_code >= 400:
        raise CallFailed(Result(Outcome.FAILED, error=f"HTTP {response.status_code}: {response.text[:300]}"))
    try:
        return response.json()
    except ValueError as exc:
        raise CallFailed(Result(Outcome.RETRY, error=f"not JSON: {response.text[:300]}")) from exc
