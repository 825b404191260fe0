"""An e-mail's bytes on the wire, written straight from the MIME tree Django builds for it.

``EmailMessage.message().as_bytes()`` runs the standard library's generator: every header is folded again
through ``email.header.Header`` (already folded by Django) and a regular expression is compiled per message
to check its multipart boundary: about a millisecond of CPU an e-mail, more than composing a digest's
text. The outbox's e-mails are simple trees (a text part, or a text and an HTML alternative, and files
attached as base64): ``wire_bytes`` writes such a tree directly, the same bytes the generator writes
(tested byte for byte on digests, documents and odd headers); anything else (a nested message, a header
that is not plain folded ASCII, a preamble) goes through the generator as before.
"""

from __future__ import annotations

import functools
import random
import re
import sys
from email.header import Header
from email.message import Message as MIMEMessage
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT
from django.core.mail.utils import DNS_NAME

_NEWLINES = re.compile(r"\r\n|\r|\n")
_WIDTH = len(repr(sys.maxsize - 1))  # as ``email.generator._make_boundary``
MAX_LINE = 78  # the generator's fold width (compat32)


class _Unusual(Exception):
    """A tree this writer does not cover: the standard generator writes it."""


def _header(name: str, value) -> str:
    """``name: value`` as the compat32 generator folds a value Django has encoded already: plain ASCII,
    folded lines starting with white space, each at most ``MAX_LINE`` long (the first after the name)."""
    if not isinstance(value, str) or not value.isascii() or "\r" in value:
        raise _Unusual
    lines = value.split("\n")
    if any(len(line) > MAX_LINE or not line[:1].isspace() for line in lines[1:]):
        raise _Unusual
    first = lines[0]
    if len(name) + 2 + len(first) > MAX_LINE:
        # The generator breaks right after the name when the first word does not fit beside it.
        if " " in first or len(first) + 1 > MAX_LINE:
            raise _Unusual
        lines[0] = " " + first
        return f"{name}: \r\n" + "\r\n".join(lines) + "\r\n"
    return f"{name}: " + "\r\n".join(lines) + "\r\n"


def _leaf(part: MIMEMessage, out: list[str]) -> None:
    payload = part._payload
    if part.is_multipart() or not isinstance(payload, str) or part.preamble is not None or part.epilogue is not None:
        raise _Unusual
    for name, value in part._headers:
        out.append(_header(name, value))
    out.append("\r\n")
    out.append(_NEWLINES.sub("\r\n", payload))


def _boundary(texts: list[str]) -> str:
    while True:
        boundary = "=" * 15 + f"{random.randrange(sys.maxsize):0{_WIDTH}d}" + "=="
        if not any("--" + boundary in text for text in texts):
            return boundary


def wire_bytes(msg: MIMEMessage) -> bytes:
    """``msg.as_bytes(linesep="\\r\\n")``, written directly for the simple trees (see the module)."""
    try:
        return _write(msg)
    except _Unusual:
        return msg.as_bytes(linesep="\r\n")


def _write(msg: MIMEMessage) -> bytes:
    out: list[str] = []
    if not msg.is_multipart():
        _leaf(msg, out)
        return "".join(out).encode("ascii", "surrogateescape")
    if msg.preamble is not None or msg.epilogue is not None:
        raise _Unusual
    parts = []
    for part in msg._payload:
        text: list[str] = []
        _leaf(part, text)
        parts.append("".join(text))
    headers = [_header(n, v) for n, v in msg._headers if n.lower() != "content-type"]
    boundary = msg.get_boundary()
    if boundary is None:
        content_type = msg.get_content_type()
        if msg._headers[0][0].lower() != "content-type" or msg.get("Content-Type") != content_type \
                or len(headers) != len(msg._headers) - 1:
            raise _Unusual  # parameters of its own, or more than one: the generator sets the boundary
        boundary = _boundary(parts)
        line = f'Content-Type: {content_type}; boundary="{boundary}"'
        out.append((line if len(line) <= MAX_LINE else line.replace("; ", ";\r\n ", 1)) + "\r\n")
    else:
        headers = [_header(n, v) for n, v in msg._headers]
    out += headers
    out.append("\r\n")
    out.append(f"--{boundary}\r\n")
    out.append(f"\r\n--{boundary}\r\n".join(parts))
    out.append(f"\r\n--{boundary}--\r\n")
    return "".join(out).encode("ascii", "surrogateescape")


@functools.lru_cache(maxsize=1024)
def _subject(subject: str, encoding: str) -> str:
    """The Subject header's value as ``forbid_multi_line_headers`` encodes it (a reminder day's subjects are a
    few hundred different ones: encoded once each)."""
    return Header(subject).encode() if subject.isascii() else Header(subject, encoding).encode()


def _text_part(text: str, subtype: str) -> str | None:
    """A ``SafeMIMEText`` part of ``text`` as written on the wire, or None where Django would quote it
    (a line longer than the limit)."""
    data = text.encode("utf-8")
    if max(map(len, data.splitlines()), default=0) > RFC5322_EMAIL_LINE_LENGTH_LIMIT:
        return None
    cte = "7bit" if data.isascii() else "8bit"
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
            f"Content-Transfer-Encoding: {cte}\r\n\r\n" + _crlf(data.decode("ascii", "surrogateescape")
                                                                   if not data.isascii() else text))


def _crlf(text: str) -> str:
    """Every line ending as CRLF (``_NEWLINES.sub``): a text without CR, as a digest's, by ``str.replace`` (a
    regular expression's pass over a digest's 20 KB of HTML cost as much as writing the rest of the e-mail)."""
    return text.replace("\n", "\r\n") if "\r" not in text else _NEWLINES.sub("\r\n", text)


def email_bytes(email) -> bytes:
    """``wire_bytes(email.message())`` for an outbox e-mail without files (a text part, or a text and an HTML
    alternative, in UTF-8, with plain ASCII addresses and headers), written without building the MIME tree:
    the same bytes (tested), a reminder day's e-mails' most frequent shape; anything else through the tree."""
    try:
        return _email_bytes(email)
    except _Unusual:
        return wire_bytes(email.message())


_OWN_HEADERS = {"from", "to", "cc", "reply-to"}


def _email_bytes(email) -> bytes:
    if (email.attachments or email.cc or email.reply_to or email.content_subtype != "plain"
            or (email.encoding or settings.DEFAULT_CHARSET).lower() != "utf-8"
            or any(a[1] != "text/html" for a in getattr(email, "alternatives", ()))
            or len(getattr(email, "alternatives", ())) > 1):
        raise _Unusual
    sender = str(email.extra_headers.get("From", email.from_email))
    to = ", ".join(str(v) for v in email.to)
    extra = [(str(k), str(v)) for k, v in email.extra_headers.items() if str(k).lower() not in _OWN_HEADERS]
    if not (sender.isascii() and to.isascii()) or any("\n" in v or "\r" in v or not v.isascii()
                                                      for v in (sender, to, *(v for _k, v in extra))):
        raise _Unusual  # Django encodes (or refuses) these: its tree writes them
    parts = [_text_part(email.body, "plain")]
    if email.alternatives:
        parts.append(_text_part(str(email.alternatives[0][0]), "html"))
    if None in parts:
        raise _Unusual
    names = {k.lower() for k, _v in extra}
    headers = [("Subject", _subject(str(email.subject), "utf-8")), ("From", sender)]
    if to:
        headers.append(("To", to))
    if "date" not in names:
        headers.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
    if "message-id" not in names:
        headers.append(("Message-ID", make_msgid(domain=DNS_NAME)))
    head = "".join(_header(n, v) for n, v in headers + extra)
    if len(parts) == 1:
        top, _sep, body = parts[0].partition("\r\n\r\n")
        return (top + "\r\n" + head + "\r\n" + body).encode("ascii", "surrogateescape")
    boundary = _boundary(parts)
    line = f'Content-Type: multipart/alternative; boundary="{boundary}"'
    out = [(line if len(line) <= MAX_LINE else line.replace("; ", ";\r\n ", 1)) + "\r\n", "MIME-Version: 1.0\r\n",
           head, "\r\n", f"--{boundary}\r\n", f"\r\n--{boundary}\r\n".join(parts), f"\r\n--{boundary}--\r\n"]
    return "".join(out).encode("ascii", "surrogateescape")
