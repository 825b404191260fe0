"""Links that land: every reminder and notice links to its page through a signed, single-purpose link.

A link names one purpose and one object (``item``: the work item's page; ``sign``: the 签收 confirm page of
a sub-item; ``notice``: a 督办单's page, where its unit replies; ``rate``: a closed item's page with its rating
form open), signed with the site's key
(``django.core.signing``, its own salt) and dated, so it cannot be pointed elsewhere and stops working after
``NOTIFY_LINK_MAX_AGE_DAYS``. It is never a login: it only says where to go. Following it
(``tasks.views.links.link_follow``) sends a logged-out person to the login page with the target as ``next``,
and a logged-in one straight to the target, whose view checks what they may see and do as for any request
(the guard).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, get_urlconf, reverse

SALT = "tasks.notifications.links"
# purpose -> the URL name of its target (one id argument).
TARGETS = {
    "item": "tasks:work_item_detail",
    "sign": "tasks:work_item_sign",
    "notice": "tasks:notice_detail",
    "rate": "tasks:work_item_detail",
}
# purpose -> what follows the target's path (the item's page opens its rating form there).
SUFFIXES = {"rate": "?open=rate#rate"}


# An invitation's link (``/invitation/<token>/``): its token sets the account's password. A message keeps it
# while the outbox may still send it; once the message's fate is final the token is replaced by TOKEN_GONE.
TOKEN_GONE = "[链接已隐去]"
_INVITATION_TOKEN = re.compile(r"(/invitation/)(?!" + re.escape(TOKEN_GONE) + r")[^/\s\"'<>]+")


def without_tokens(text: str, marker: str = "…") -> str:
    """``text`` (a message's body or parameters) with every invitation link's token replaced by ``marker``."""
    return _INVITATION_TOKEN.sub(lambda m: m.group(1) + marker, text or "")


def payload_without_tokens(value, marker: str = TOKEN_GONE):
    """A message's parameters (JSON: dicts, lists, strings) with every invitation token replaced by ``marker``."""
    if isinstance(value, str):
        return without_tokens(value, marker)
    if isinstance(value, dict):
        return {k: payload_without_tokens(v, marker) for k, v in value.items()}
    if isinstance(value, list):
        return [payload_without_tokens(v, marker) for v in value]
    return value


class LinkError(Exception):
    """A link that was tampered with, names no known purpose, or has expired (``expired``)."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class Link:
    purpose: str
    pk: int

    @property
    def target(self) -> str:
        """The target's path (its view decides who may see it)."""
        return reverse(TARGETS[self.purpose], args=[self.pk]) + SUFFIXES.get(self.purpose, "")


def link_token(*, purpose: str, pk: int) -> str:
    """``signing.dumps([purpose, pk], salt=SALT)``: the same token, made without Django's signer objects (the
    reminder day signs a link per item of every digest: ~60 µs each through ``signing.dumps``, most of it
    the signer's set-up and the key's derivation per call; here the derived key's HMAC is made once per
    secret key and copied). ``link_read`` reads it with Django's ``signing.loads``."""
    if purpose not in TARGETS:
        raise ValueError(f"unknown link purpose: {purpose!r}")
    # JSONSerializer's bytes (compact separators); a purpose is one of TARGETS' plain names.
    data = f'["{purpose}",{int(pk)}]'.encode("latin-1")
    value = f"{_b64(data)}:{signing.b62_encode(int(time.time()))}"
    mac = _keyed_hmac(settings.SECRET_KEY).copy()
    mac.update(value.encode())
    return f"{value}:{_b64(mac.digest())}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@lru_cache(maxsize=4)
def _keyed_hmac(secret: str):
    """The HMAC of Django's ``Signer(salt=SALT)`` (sha256, ``salted_hmac``'s derived key), before any data."""
    key = hashlib.sha256(f"{SALT}signer".encode() + secret.encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


# A token made for (purpose, object) is reused by this process for this long: the reminder day signs a
# link per item and recipient, and an item is in the digests of each of its units' addresses, its
# coordinators' and leaders', composed by different tasks (signing was a quarter of composing a digest's
# data). A reused token is at most this much older: it expires that much sooner, out of 30 days.
TOKEN_REUSE_SECONDS = 300
_TOKEN_CACHE_SIZE = 50_000
_tokens: dict[tuple, tuple[str, float]] = {}


def _reused_token(purpose: str, pk: int) -> str:
    key = (purpose, int(pk), settings.SECRET_KEY)
    now = time.time()
    made = _tokens.get(key)
    if made is not None and 0 <= now - made[1] < TOKEN_REUSE_SECONDS:
        return made[0]
    if len(_tokens) >= _TOKEN_CACHE_SIZE:
        _tokens.clear()
    token = link_token(purpose=purpose, pk=pk)
    _tokens[key] = (token, now)
    return token


def signed_url(*, purpose: str, pk: int) -> str:
    """The absolute link a message carries (``SITE_URL`` + ``/l/<token>/``); a token made for the same
    purpose and object in the last ``TOKEN_REUSE_SECONDS`` is reused."""
    before, after = _around_token(get_script_prefix(), get_urlconf())
    return f"{settings.SITE_URL}{before}{_reused_token(purpose, pk)}{after}"


def url_signer():
    """``signed_url`` as a function of (purpose, pk), with the site's address and the route read once: a digest
    task signs a link per item of its digests (the script prefix and the URLconf are context-local lookups)."""
    site = settings.SITE_URL
    before, after = _around_token(get_script_prefix(), get_urlconf())
    return lambda purpose, pk: f"{site}{before}{_reused_token(purpose, pk)}{after}"


_STAND_IN = "stand-in-token"


@lru_cache(maxsize=32)
def _around_token(prefix: str, urlconf) -> tuple[str, str]:
    # A digest carries a link per item: the route is reversed once, not per link (a token has no "/").
    url = reverse("tasks:link_follow", args=[_STAND_IN], urlconf=urlconf)
    before, _found, after = url.partition(_STAND_IN)
    return before, after


def link_read(token: str, *, max_age_days: int | None = None) -> Link:
    """The link a token names, or ``LinkError`` (tampered, unknown purpose, expired)."""
    days = settings.NOTIFY_LINK_MAX_AGE_DAYS if max_age_days is None else max_age_days
    try:
        value = signing.loads(token, salt=SALT, max_age=days * 86400)
    except signing.SignatureExpired as exc:
        raise LinkError("expired", expired=True) from exc
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as exc:
        raise LinkError("bad signature") from exc
    if not (isinstance(value, list) and len(value) == 2 and value[0] in TARGETS and isinstance(value[1], int)
            and 0 < value[1] < 2**63):
        raise LinkError("malformed")
    return Link(purpose=value[0], pk=value[1])
