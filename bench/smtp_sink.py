"""The bench's SMTP sink: a lean SMTP server on loopback that accepts, checks and counts every message.

It stands in for the remote mail server of the reminder day's e-mails (``bench/province.py``'s Celery run,
``bench/outbox_profile.py``), on the same two cores as the workers: aiosmtpd, the sink until session 21,
spent ~1.4 ms of CPU a message (its command parser, a coroutine and a session object per command, the
message kept as an ``Envelope`` and decoded), 22 of the reminder day's ~135 CPU seconds at 1M items. This
one is a plain ``asyncio.Protocol`` speaking the subset of SMTP that ``smtplib`` uses (EHLO/HELO, MAIL,
RCPT, DATA, RSET, NOOP, QUIT), and it still checks every message, more than the old sink did:

* the DATA is read to its terminating ``CRLF.CRLF`` (a message cut short is never counted);
* the header block is parsed: a ``Message-ID``, a non-empty ``Subject`` (decoded from RFC 2047) and a
  ``To`` naming exactly the envelope's recipients are required, else the message is refused (554) and
  counted as ``bad``;
* every recipient of the envelope is counted, and every ``Message-ID`` kept: one seen before is counted
  as a ``duplicate`` (a digest delivered twice), which the bench reports and fails on.

``aiosmtpd`` stays available (``BENCH_SMTP_SINK=aiosmtpd``) to compare the two: the numbers of both are in
bench/RESULTS.md (session 21, h31fast).
"""

from __future__ import annotations

import asyncio
from email.header import decode_header, make_header
from email.utils import getaddresses

_TERMINATOR = b"\r\n.\r\n"


class Counts:
    """What the sink accepted: shared counters (``multiprocessing.Value``s, or plain holders in a test)."""

    def __init__(self, accepted, recipients, duplicates, bad):
        self.accepted, self.recipients, self.duplicates, self.bad = accepted, recipients, duplicates, bad

    @staticmethod
    def add(value, n: int = 1) -> None:
        lock = getattr(value, "get_lock", None)
        if lock is None:
            value.value += n
            return
        with lock():
            value.value += n


def check_message(data: bytes, recipients: list[str]) -> tuple[str, str]:
    """(Message-ID, error) of one message's DATA (dot-stuffed, without its terminator); error "" when it
    holds a Message-ID, a non-empty Subject and a To of exactly ``recipients``."""
    head, _sep, _body = data.partition(b"\r\n\r\n")
    headers: dict[str, str] = {}
    current = None  # the header a folded line continues (None: a repeated header's, ignored)
    for line in head.decode("utf-8", "surrogateescape").split("\r\n"):
        if line[:1] in (" ", "\t"):
            if current is not None:
                headers[current] += line
            continue
        name, colon, value = line.partition(":")
        if not colon:
            return "", "malformed header line"
        name = name.strip().lower()
        current = None if name in headers else name  # the first of a repeated header counts
        if current is not None:
            headers[current] = value.strip()
    message_id = headers.get("message-id", "").strip()
    if not message_id:
        return "", "no Message-ID"
    try:
        subject = str(make_header(decode_header(headers.get("subject", "")))).strip()
    except (ValueError, LookupError):
        return message_id, "undecodable Subject"
    if not subject:
        return message_id, "no Subject"
    to = sorted(addr.lower() for _name, addr in getaddresses([headers.get("to", "")]) if addr)
    if to != sorted(r.lower() for r in recipients):
        return message_id, f"To {to} is not the envelope's {recipients}"
    return message_id, ""


class _Session(asyncio.Protocol):
    def __init__(self, counts: Counts, seen: set[str]):
        self.counts, self.seen = counts, seen
        self.buffer = bytearray()
        self.in_data = False
        self.scanned = 0  # where the search for the terminator goes on
        self.recipients: list[str] = []
        self.sender: str | None = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(_TERMINATOR, max(0, self.scanned - 4))
                if end < 0:
                    self.scanned = len(self.buffer)
                    return
                self._message(bytes(self.buffer[:end + 2]))
                del self.buffer[:end + len(_TERMINATOR)]
                self.in_data, self.scanned = False, 0
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            line = bytes(self.buffer[:end])
            del self.buffer[:end + 2]
            self._command(line)
            if self.transport.is_closing():
                return

    def _command(self, line: bytes) -> None:
        verb, _sp, arg = line.decode("utf-8", "surrogateescape").partition(" ")
        verb = verb.upper()
        write = self.transport.write
        if verb == "EHLO":
            write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
        elif verb == "HELO":
            write(b"250 sink\r\n")
        elif verb == "MAIL":
            self.sender, self.recipients = _path(arg, "FROM:"), []
            write(b"250 OK\r\n" if self.sender is not None else b"501 Syntax: MAIL FROM:<address>\r\n")
        elif verb == "RCPT":
            recipient = _path(arg, "TO:")
            if self.sender is None or not recipient:
                write(b"503 Error: need MAIL command\r\n" if self.sender is None
                      else b"501 Syntax: RCPT TO:<address>\r\n")
                return
            self.recipients.append(recipient)
            write(b"250 OK\r\n")
        elif verb == "DATA":
            if not self.recipients:
                write(b"503 Error: need RCPT command\r\n")
                return
            self.in_data, self.scanned = True, 0
            write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == "RSET":
            self.sender, self.recipients = None, []
            write(b"250 OK\r\n")
        elif verb == "NOOP":
            write(b"250 OK\r\n")
        elif verb == "QUIT":
            write(b"221 Bye\r\n")
            self.transport.close()
        else:
            write(b"502 Command not implemented\r\n")

    def _message(self, data: bytes) -> None:
        message_id, error = check_message(data, self.recipients)
        recipients, self.sender, self.recipients = self.recipients, None, []
        if error:
            Counts.add(self.counts.bad)
            self.transport.write(f"554 {error[:200]}\r\n".encode("utf-8", "replace"))
            return
        if message_id in self.seen:
            Counts.add(self.counts.duplicates)
        self.seen.add(message_id)
        Counts.add(self.counts.recipients, len(recipients))
        Counts.add(self.counts.accepted)
        self.transport.write(b"250 OK\r\n")


def _path(arg: str, prefix: str) -> str | None:
    """The address of ``FROM:<a@b> [params]`` / ``TO:<a@b>`` (None when the argument is not that)."""
    if arg[: len(prefix)].upper() != prefix:
        return None
    rest = arg[len(prefix):].strip()
    if not rest.startswith("<") or ">" not in rest:
        return None
    return rest[1: rest.index(">")]


def serve(port: int, counts: Counts, ready, stop) -> None:
    """Serve on 127.0.0.1:``port`` until ``stop`` (a ``multiprocessing.Event``) is set; ``ready`` set once
    listening."""
    loop = asyncio.new_event_loop()
    seen: set[str] = set()
    server = loop.run_until_complete(loop.create_server(lambda: _Session(counts, seen), "127.0.0.1", port))
    ready.set()

    async def wait_for_stop():
        while not stop.is_set():
            await asyncio.sleep(0.2)

    try:
        loop.run_until_complete(wait_for_stop())
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()
