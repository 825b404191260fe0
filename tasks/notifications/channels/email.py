"""Email through the app's EMAIL_BACKEND (SMTP in production, files under var/mail/ in ``make run``).

A batch goes out over a few connections side by side (``NOTIFY_EMAIL_CONNECTIONS``); on each, every
message is sent and its fate known before the next.
"""

from __future__ import annotations

import contextlib
import functools
import re
import smtplib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

from tasks import stored_text as T
from tasks.models import Message

from .base import ChannelAdapter, Outcome, Result, error_text
from .mime import email_bytes


def _read(path: str) -> bytes:
    with default_storage.open(path, "rb") as f:
        return f.read()


def build_email(message: Message, connection, read=_read) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers=dict(message.payload.get("headers") or {}),
        connection=connection,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    # Documents (a 督办单's PDF, a roundup's file) travel as names in the app's storage, read when sent.
    for attachment in message.payload.get("attachments") or []:
        email.attach(attachment["name"], read(attachment["path"]),
                     attachment.get("mimetype") or "application/octet-stream")
    return email


# A plain address (dot-atom @ an ASCII domain), which ``sanitize_address`` returns as it is: parsing it with the
# standard library's header parser cost ~0.2 ms, twice an e-mail.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                            r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")


def envelope_address(addr, encoding: str) -> str:
    """``sanitize_address(addr, encoding)``: a plain address as it is, anything else through Django's (the
    sender's, the same for every e-mail, once per process)."""
    if isinstance(addr, str) and _PLAIN_ADDRESS.fullmatch(addr):
        return addr
    if isinstance(addr, str):
        return _sanitized(addr, encoding)
    return sanitize_address(addr, encoding)


@functools.lru_cache(maxsize=64)
def _sanitized(addr: str, encoding: str) -> str:
    return sanitize_address(addr, encoding)


def send_one(connection, email: EmailMultiAlternatives) -> None:
    """``connection.send_messages([email])``; over Django's SMTP backend (its own ``_send``, unchanged) the
    same envelope and the same bytes, written by ``mime.email_bytes`` instead of Django's MIME tree and the
    standard generator (a millisecond of CPU an e-mail less). Raises what ``send_messages`` raises."""
    smtp = getattr(connection, "connection", None)
    if not isinstance(connection, SMTPBackend) or type(connection)._send is not SMTPBackend._send or smtp is None:
        connection.send_messages([email])
        return
    recipients = email.recipients()
    if not recipients:
        return
    encoding = email.encoding or settings.DEFAULT_CHARSET
    # The sender as its header will be written (``forbid_multi_line_headers`` sanitizes a non-ASCII one per
    # message otherwise): the same bytes, the sender parsed once per process.
    email.from_email = envelope_address(email.from_email, encoding)
    with connection._lock:
        smtp.sendmail(envelope_address(email.from_email, encoding),
                      [envelope_address(addr, encoding) for addr in recipients], email_bytes(email))


class EmailChannel(ChannelAdapter):
    """Small batches (a crash leaves at most one batch 'uncertain'), each sent over up to
    ``NOTIFY_EMAIL_CONNECTIONS`` SMTP connections side by side: a batch is dealt out to them and every
    connection sends its share in turn, each message's fate known before its next. An SMTP session is
    mostly waiting for the server (MAIL, RCPT, DATA and the message: four round trips an e-mail), so
    one connection at a time left the worker idle for most of a delivery. The connections are opened at
    the first batch and kept for all the batches of a delivery run, closed by ``close`` (or dropped
    when the server hangs up)."""

    name = "email"
    batch_size = 20

    def __init__(self):
        self.batch_size = settings.NOTIFY_EMAIL_BATCH_SIZE
        self.width = max(1, settings.NOTIFY_EMAIL_CONNECTIONS)
        self.connections: list = [None] * self.width
        self._pool = None  # the threads of the connections after the first, made at the first batch that needs them
        self._files: dict[str, bytes] = {}  # a document's files, read once per delivery run (S3: one GET)
        self._files_lock = threading.Lock()

    @property
    def connection(self):
        """The first connection (the only one when ``NOTIFY_EMAIL_CONNECTIONS`` is 1)."""
        return self.connections[0]

    def _read(self, path: str) -> bytes:
        with self._files_lock:
            if path in self._files:
                return self._files[path]
        data = _read(path)
        with self._files_lock:
            if len(self._files) >= 16:  # a run sends few distinct documents; keep memory bounded
                self._files.clear()
            self._files[path] = data
        return data

    def close(self) -> None:
        self._files.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for slot in range(self.width):
            self._drop(slot)

    def _drop(self, slot: int) -> None:
        connection, self.connections[slot] = self.connections[slot], None
        if connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()

    def send(self, messages: list[Message]) -> Iterator[tuple[Message, Result]]:
        lanes = [messages[i:: self.width] for i in range(min(self.width, len(messages)))]
        if len(lanes) <= 1:
            yield from self._send_lane(0, messages)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.width - 1, thread_name_prefix="smtp")
        # The first share on this thread, the others on the pool's; results as each share ends.
        futures = [self._pool.submit(lambda slot, lane: list(self._send_lane(slot, lane)), slot, lane)
                   for slot, lane in enumerate(lanes) if slot]
        try:
            yield from self._send_lane(0, lanes[0])
        finally:
            # Never leave a share unsent behind (or sending on) while the outbox records the batch.
            done = [f.result() for f in futures]
        for results in done:
            yield from results

    def _send_lane(self, slot: int, messages: list[Message]) -> Iterator[tuple[Message, Result]]:
        """``messages`` on connection ``slot``, one after the other."""
        if not messages:
            return
        if self.connections[slot] is None:
            connection = get_connection(fail_silently=False)
            try:
                connection.open()
            except (smtplib.SMTPException, OSError) as exc:
                for m in messages:
                    yield m, Result(Outcome.RETRY, error=error_text(exc))
                return
            self.connections[slot] = connection
        connection = self.connections[slot]
        for i, m in enumerate(messages):
            try:
                email = build_email(m, connection, self._read)
            except FileNotFoundError as exc:
                # A document's stored file is gone: this message cannot be sent as it was queued.
                yield m, Result(Outcome.FAILED, error=T.written(T.CHANNEL_FILE_MISSING, _0=error_text(exc)))
                continue
            except OSError as exc:
                # The storage did not answer (S3 down): this message waits for the next try.
                yield m, Result(Outcome.RETRY, error=T.written(T.CHANNEL_FILE_UNREAD, _0=error_text(exc)))
                continue
            try:
                send_one(connection, email)
            except smtplib.SMTPRecipientsRefused as exc:
                # A refused address will be refused again: failed at once, not retried for hours.
                yield m, Result(Outcome.FAILED, error=error_text(exc))
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
                # The connection is gone: this message and the rest of its share wait for the next try.
                self._drop(slot)
                for rest in messages[i:]:
                    yield rest, Result(Outcome.RETRY, error=error_text(exc))
                return
            except smtplib.SMTPException as exc:
                # This message only (a 4xx for one mailbox): the connection still serves the others.
                # (Before OSError: SMTPException is one.)
                yield m, Result(Outcome.RETRY, error=error_text(exc))
            except OSError as exc:
                # A socket error: the connection is gone, as above.
                self._drop(slot)
                for rest in messages[i:]:
                    yield rest, Result(Outcome.RETRY, error=error_text(exc))
                return
            else:
                yield m, Result(Outcome.SENT, provider_id=str(m.payload.get("headers", {}).get("Message-ID", "")))
