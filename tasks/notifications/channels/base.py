"""The one interface every channel adapter implements, and what a send's outcome may be."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tasks.models import Message


class Outcome(StrEnum):
    SENT = "sent"  # the provider took it (delivery may be confirmed later by ``reconcile``)
    DELIVERED = "delivered"  # the provider says it reached the person or group
    RETRY = "retry"  # not taken, may pass later (network, 5xx, expired token): an attempt
    HOLD = "hold"  # not tried: the provider's window is closed until ``at`` (a muted robot); no attempt
    FAILED = "failed"  # refused for good (unknown user, blacklisted number, rejected template)
    UNCERTAIN = "uncertain"  # may or may not have been taken (a timeout after the request went out)
    PENDING = "pending"  # reconcile: no answer yet


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    provider_id: str = ""
    error: str = ""
    at: datetime | None = None  # HOLD: when to try again


class ConfigurationError(Exception):
    """The channel is not set up (no key, no agent id): a configuration matter, never retried."""


class ChannelAdapter:
    """A provider. ``send`` yields one result per message, as each is known, so the outbox can record
    them in small chunks: a crash loses the fate of a chunk at most (those become 'uncertain')."""

    name: str = ""
    #: How many queued messages one delivery claims at a time.
    batch_size: int = 100
    #: The provider refuses a repeated id of ours (浙政钉's bizMsgId): a message left 'sending' by a dead
    #: worker can be sent again safely. Otherwise it is marked 'uncertain' and a person decides.
    idempotent: bool = False
    #: The send's answer is not delivery: ``reconcile`` asks the provider later (DingTalk's send result).
    reconciles: bool = False

    def missing_configuration(self) -> str:
        """Why the channel cannot be used ("" when it can)."""
        return ""

    def send(self, messages: list[Message]) -> Iterator[tuple[Message, Result]]:
        raise NotImplementedError

    def reconcile(self, messages: list[Message]) -> Iterable[tuple[Message, Result]]:
        return []

    def close(self) -> None:
        """End of a delivery run: release what ``send`` kept open across batches (an SMTP connection)."""


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def unique_chunks(messages: list[Message], limit: int) -> Iterator[list[Message]]:
    """``messages`` in calls of at most ``limit``, each address at most once per call (a person's second
    message of the same content goes in the next call: one answer per address stays one per message)."""
    rest = list(messages)
    while rest:
        batch, later, seen = [], [], set()
        for m in rest:
            if m.address in seen or len(batch) >= limit:
                later.append(m)
            else:
                seen.add(m.address)
                batch.append(m)
        yield batch
        rest = later
