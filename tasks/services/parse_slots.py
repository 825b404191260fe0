"""Slots for the heavy document work of a request: one at a time per user, ``IMPORT_MAX_PARALLEL`` site-wide.

Reading an upload is the most expensive thing a request does: a forked child of up to ``IMPORT_MAX_MEMORY_MB``
for up to ``IMPORT_MAX_SECONDS``, LibreOffice for a .doc/.wps/.et; converting a draft 通报 or 督办单 to PDF
(LibreOffice) and printing a roundup's PDF (Chromium) come next. A web node has a few workers (the compose
file: three), so one account sending three uploads at once held every worker for a minute, and their children
the memory of six gigabytes. A read takes a slot first; when its user's slot or every site slot is taken, the
request is refused at once (``ParseBusy``: the page says to try again shortly) rather than waiting in a worker.

The slots are keys in the shared cache (Redis in production, so they hold across nodes), taken with
``cache.add`` and expiring by themselves after the longest a read may take, so a worker killed mid-read
frees its slot anyway.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _


class ParseBusy(Exception):
    """No slot free for this read: the user's own read is running, or the site's reads are."""


def _lifetime() -> int:
    # The child's time cap, plus LibreOffice's own (a conversion outlives a killed child) and a margin.
    return int(float(getattr(settings, "IMPORT_MAX_SECONDS", 60))) + 180


@contextmanager
def parse_slot(user):
    """Hold the user's slot and one of the site's while the body reads or converts a document; ``ParseBusy``
    when either is taken."""
    token = uuid.uuid4().hex
    lifetime = _lifetime()
    held: list[str] = []
    try:
        own = f"parse-slot:user:{user.pk}"
        if not cache.add(own, token, lifetime):
            raise ParseBusy(_("您的上一个文档仍在处理中，请等它完成后再试。"))
        held.append(own)
        for n in range(max(1, int(getattr(settings, "IMPORT_MAX_PARALLEL", 2)))):
            key = f"parse-slot:site:{n}"
            if cache.add(key, token, lifetime):
                held.append(key)
                break
        else:
            raise ParseBusy(_("系统正在处理其他文档，请稍后再试。"))
        yield
    finally:
        for key in held:
            if cache.get(key) == token:
                cache.delete(key)
