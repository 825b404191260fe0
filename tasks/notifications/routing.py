"""Which channels reach a person: their profile's order, limited to what is configured and what they have.

* The first preferred channel that is configured and for which the person has an id goes at once.
* Each further one in their order is a fallback: queued with it, sent only if the one before has not
  reached the person within ``NOTIFY_FALLBACK_HOURS`` (e.g. 浙政钉 first, SMS if not delivered in 4 hours).
* Email is always one of them: the record (today's behaviour), and the only channel that carries
  documents (a 督办单's or a roundup's files); the other channels get a summary with a link.

The skipped preferences are written on the message (``note``), so the outbox says why a person who asked
for DingTalk got email only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings

from tasks import stored_text as T
from tasks.models import Channel, Profile
from tasks.models.plan import parse_channel_order

from .channels import adapter_for

# The profile field that holds a person's address on each personal channel.
ADDRESS_FIELD = {"dingtalk": "dingtalk_id", "zzd": "zzd_id", "sms": "mobile"}


@dataclass(frozen=True)
class Route:
    channel: str
    address: str
    note: str = ""
    #: A fallback: the channel it backs up, and how long after queuing it goes if that one has not reached.
    fallback_for: str = ""
    wait: timedelta | None = field(default=None)

    @property
    def timing(self) -> dict:
        """The ``MessageSpec`` fields of a fallback (none for a first channel)."""
        return {"fallback_for": self.fallback_for, "wait": self.wait} if self.fallback_for else {}


def missing_configuration(channel: str) -> str:
    return adapter_for(channel).missing_configuration()


def fallback_wait() -> timedelta:
    return timedelta(hours=float(getattr(settings, "NOTIFY_FALLBACK_HOURS", 4)))


def personal_routes(*, email: str, profile: Profile | None) -> list[Route]:
    """The channels to reach the owner of ``email`` (and ``profile``, when the address is a person's):
    the first usable preferred channel, its fallbacks in the person's order, then email."""
    skipped: list[str] = []
    chain: list[Route] = []
    for name in parse_channel_order(profile.channels if profile else ""):
        if name == "email" or name not in ADDRESS_FIELD:
            continue
        label = Channel(name).label  # lazy: written in the site's language (``stored_text.written``)
        missing = missing_configuration(name)
        address = getattr(profile, ADDRESS_FIELD[name])
        if missing:
            skipped.append(T.written(T.CHANNEL_UNCONFIGURED, channel=label, why=missing))
        elif not address:
            skipped.append(T.written(T.CHANNEL_NO_ADDRESS, channel=label))
        elif not chain:
            chain.append(Route(name, address, T.written(T.CHANNEL_PREFERRED)))
        else:
            before = chain[-1]
            wait = fallback_wait() * len(chain)
            chain.append(Route(name, address, T.written(
                T.CHANNEL_FALLBACK, before=Channel(before.channel).label, hours=f"{wait.total_seconds() / 3600:g}"),
                fallback_for=before.channel, wait=wait))
    note = T.JOIN.join([T.written(T.EMAIL_ALWAYS), *skipped])
    return [*chain, Route(Channel.EMAIL, email, note)]
