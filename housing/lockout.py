"""The login lockout's three tiers, on django-axes' database handler (settings: ``AXES_HANDLER``).

django-axes locks when any combination of ``AXES_LOCKOUT_PARAMETERS`` reaches the one ``AXES_FAILURE_LIMIT``,
and a successful login deletes the attempts of every combination. Neither fits an address a whole office shares
(government offices reach the Internet through one NAT address, hundreds of people behind it): five failures per
address would lock an office out, and one colleague's successful login would wipe the count of an attacker
spraying one password across many names from the same address. So each combination has its own limit:

- a name from one address (``["username", "ip_address"]``): ``AXES_FAILURE_LIMIT`` failures (5), as before: one
  person guessing one account;
- an address (``"ip_address"``): ``LOGIN_ADDRESS_NAME_LIMIT`` different names that failed from it (50): password
  spraying. Names, not failures, are counted: a colleague who mistypes four times is one name, an attacker
  trying one password on 50 accounts is 50;
- a name from any address (``"username"``): ``LOGIN_NAME_FAILURE_LIMIT`` failures (20): guessing one account
  from many addresses (at least four, since each address stops at five).

All three within ``AXES_COOLOFF_TIME``. A successful login clears only that name's failures from that address:
an account an attacker holds cannot clear the count of the names they sprayed, and the owner logging in from
their desk does not lift an attacker's lockout elsewhere.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from django.conf import settings
from django.db.models import Sum

# The order django-axes builds its querysets in (``filter_user_attempts``); settings.py sets the same list.
LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]


def tier_limits(request, credentials) -> tuple[int, int, int]:
    return (get_failure_limit(request, credentials), settings.LOGIN_ADDRESS_NAME_LIMIT,
            settings.LOGIN_NAME_FAILURE_LIMIT)


def tier_counts(pair, address, name) -> tuple[int, int, int]:
    """Failures of the name from the address, different names failed from the address, failures of the name."""
    return (pair.aggregate(total=Sum("failures_since_start"))["total"] or 0,
            address.values("username").distinct().count(),
            name.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class TieredLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The name-from-address count, or ``AXES_FAILURE_LIMIT`` when any tier has reached its own limit
        (django-axes compares this number with that one limit)."""
        counts = tier_counts(*self.get_user_attempts(request, credentials))
        limits = tier_limits(request, credentials)
        if any(count >= limit for count, limit in zip(counts, limits, strict=True)):
            return max(limits[0], counts[0])
        return counts[0]

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login: the failures of this name from this address (the first tier's rows)."""
        username = get_client_username(request, credentials)
        if username is None:
            return 0
        return self.filter_user_attempts(request, credentials)[0].delete()[0]
