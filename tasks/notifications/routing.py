"""Which channels reach a person: their profile's order, limited to what is configured and what they have.

Email is always one of them (the record, and today's behaviour); the first preferred channel that is
configured and for which the person has an id is added. The skipped preferences are written on the
message (``note``), so the outbox says why a person who asked for DingTalk got email only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

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


def missing_configuration(channel: str) -> str:
    return adapter_for(channel).missing_configuration()


def personal_routes(*, email: str, profile: Profile | None) -> list[Route]:
    """The channels to reach the owner of ``email`` (and ``profile``, when the address is a person's)."""
    skipped: list[str] = []
    extra: Route | None = None
    for name in parse_channel_order(profile.channels if profile else ""):
        if name == "email" or name not in ADDRESS_FIELD:
            continue
        label = str(Channel(name).label)
        missing = missing_configuration(name)
        address = getattr(profile, ADDRESS_FIELD[name])
        if missing:
            skipped.append(_("%(channel)s未配置(%(why)s)") % {"channel": label, "why": missing})
        elif not address:
            skipped.append(_("%(channel)s缺少收件人标识") % {"channel": label})
        else:
            extra = Route(name, address, _("按本人接收渠道顺序"))
            break
    note = _("邮件总会发送")
    if skipped:
        note += "；" + "；".join(skipped)
    routes = [Route(Channel.EMAIL, email, note)]
    if extra:
        routes.insert(0, extra)
    return routes
