"""Who can be reached, and on which channel: a person's channels from their contacts, what is configured and
what the last message on each channel came to (the coordinators' "触达情况" page).

Reach is never a score: nothing here feeds a roundup, a rank or an assessment (``rules/roundups.py`` reads
outcomes only). Pure functions over plain values; ``selectors.reach`` holds the SQL translation of
``has_problem`` for the page's filter (a test holds them to each other).
"""

from __future__ import annotations

from dataclasses import dataclass

# The personal channels, in the page's order (the values of ``Channel``; repeated so rules import no models).
EMAIL, DINGTALK, ZZD, SMS = "email", "dingtalk", "zzd", "sms"
CHANNELS = (EMAIL, ZZD, DINGTALK, SMS)

# Message states (``Message.State``) that say a channel did not get through.
FAILED, GAVE_UP, UNCERTAIN = "failed", "gave_up", "uncertain"
FAILING_STATES = (FAILED, GAVE_UP, UNCERTAIN)

# What a channel is to a person.
WORKING = "working"  # configured, an address, and its last message (if any) did not fail
NOT_CONFIGURED = "not_configured"  # the site has no credentials for it (not the person's problem)
NO_ADDRESS = "no_address"  # no e-mail, no mobile, no DingTalk / 浙政钉 id
BOUNCED = "bounced"  # the mail server refused the address
BLACKLISTED = "blacklisted"  # the SMS provider refuses the number (unsubscribed, blacklisted)
REFUSED = "refused"  # the provider refused the message for good (unknown user id, ...)
GAVE_UP_STATUS = "gave_up"  # failed again and again: given up
UNCERTAIN_STATUS = "uncertain"  # a worker died mid-send: maybe delivered, not resent by itself
PROBLEMS = (NO_ADDRESS, BOUNCED, BLACKLISTED, REFUSED, GAVE_UP_STATUS, UNCERTAIN_STATUS)


def channel_status(*, channel: str, configured: bool, address: str, last_state: str | None,
                   last_error: str = "") -> str:
    """What ``channel`` is to a person: working, not configured, or the problem that stops it."""
    if not configured:
        return NOT_CONFIGURED
    if not (address or "").strip():
        return NO_ADDRESS
    if last_state == FAILED:
        if channel == EMAIL:
            return BOUNCED
        if channel == SMS and "black" in (last_error or "").lower():
            return BLACKLISTED
        return REFUSED
    if last_state == GAVE_UP:
        return GAVE_UP_STATUS
    if last_state == UNCERTAIN:
        return UNCERTAIN_STATUS
    return WORKING


@dataclass(frozen=True)
class Reach:
    """A person's channels: each one's status, those that work, and the problems to fix."""

    statuses: dict[str, str]

    @property
    def working(self) -> list[str]:
        return [c for c in CHANNELS if self.statuses.get(c) == WORKING]

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(channel, problem) for each configured channel that does not work."""
        return [(c, self.statuses[c]) for c in CHANNELS if self.statuses.get(c) in PROBLEMS]

    @property
    def reachable(self) -> bool:
        return bool(self.working)


def person_reach(*, addresses: dict[str, str], configured: set[str] | frozenset[str],
                 last: dict[str, tuple[str | None, str]]) -> Reach:
    """``addresses``: channel -> the person's address on it; ``configured``: the channels the site can send on
    (email always); ``last``: channel -> (state, error) of the person's last message on it."""
    statuses = {}
    for c in CHANNELS:
        state, error = last.get(c, (None, ""))
        statuses[c] = channel_status(channel=c, configured=c == EMAIL or c in configured,
                                     address=addresses.get(c, ""), last_state=state, last_error=error)
    return Reach(statuses)


def has_problem(reach: Reach) -> bool:
    return bool(reach.problems)
