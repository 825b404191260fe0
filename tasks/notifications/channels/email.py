"""Email through the app's EMAIL_BACKEND (SMTP in production, files under var/mail/ in ``make run``).

One connection for the whole batch; each message is sent on it and its fate known before the next.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Iterator

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection

from tasks.models import Message

from .base import ChannelAdapter, Outcome, Result, error_text


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


class EmailChannel(ChannelAdapter):
    """Small batches (a crash leaves at most one batch 'uncertain'), one connection for all the batches of
    a delivery run: opened at the first, closed by ``close`` (or dropped when the server hangs up)."""

    name = "email"
    batch_size = 20

    def __init__(self):
        self.connection = None
        self.batch_size = settings.NOTIFY_EMAIL_BATCH_SIZE
        self._files: dict[str, bytes] = {}  # a document's files, read once per delivery run (S3: one GET)

    def _read(self, path: str) -> bytes:
        if path not in self._files:
            if len(self._files) >= 16:  # a run sends few distinct documents; keep memory bounded
                self._files.clear()
            self._files[path] = _read(path)
        return self._files[path]

    def close(self) -> None:
        self._files.clear()
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None

    def send(self, messages: list[Message]) -> Iterator[tuple[Message, Result]]:
        if self.connection is None:
            connection = get_connection(fail_silently=False)
            try:
                connection.open()
            except (smtplib.SMTPException, OSError) as exc:
                for m in messages:
                    yield m, Result(Outcome.RETRY, error=error_text(exc))
                return
            self.connection = connection
        for i, m in enumerate(messages):
            try:
                email = build_email(m, self.connection, self._read)
            except FileNotFoundError as exc:
                # A document's stored file is gone: this message cannot be sent as it was queued.
                yield m, Result(Outcome.FAILED, error="附件文件缺失: " + error_text(exc))
                continue
            except OSError as exc:
                # The storage did not answer (S3 down): this message waits for the next try.
                yield m, Result(Outcome.RETRY, error="附件读取失败: " + error_text(exc))
                continue
            try:
                self.connection.send_messages([email])
            except smtplib.SMTPRecipientsRefused as exc:
                # A refused address will be refused again: failed at once, not retried for hours.
                yield m, Result(Outcome.FAILED, error=error_text(exc))
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
                # The connection is gone: this message and the rest of the batch wait for the next try.
                self.close()
                for rest in messages[i:]:
                    yield rest, Result(Outcome.RETRY, error=error_text(exc))
                return
            except smtplib.SMTPException as exc:
                # This message only (a 4xx for one mailbox): the connection still serves the others.
                # (Before OSError: SMTPException is one.)
                yield m, Result(Outcome.RETRY, error=error_text(exc))
            except OSError as exc:
                # A socket error: the connection is gone, as above.
                self.close()
                for rest in messages[i:]:
                    yield rest, Result(Outcome.RETRY, error=error_text(exc))
                return
            else:
                yield m, Result(Outcome.SENT, provider_id=str(m.payload.get("headers", {}).get("Message-ID", "")))
