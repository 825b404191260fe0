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

import random
import re
import sys
from email.message import Message as MIMEMessage

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
