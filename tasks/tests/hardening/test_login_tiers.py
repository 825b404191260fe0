"""The login lockout's three tiers (housing/lockout.py; session 21, hsafe5).

Before: django-axes locked only a name from one address (``[["username", "ip_address"]]``), so one address could
try one password on every account (password spraying), and many addresses could take turns at one account,
each stopping at four failures. An address cannot simply be locked after five failures: an office's staff share
one NAT address.
"""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tasks.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"
OFFICE, ELSEWHERE = "10.0.0.1", "10.9.9.9"


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_NAME_LIMIT = 12
    settings.LOGIN_NAME_FAILURE_LIMIT = 9
    return settings


def _login(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_spraying_one_password_over_many_names_from_one_address_locks_that_address(client, limits):
    UserFactory(username="victim")
    for n in range(limits.LOGIN_ADDRESS_NAME_LIMIT - 1):
        assert _login(client, f"staff{n:03}", "Spring2026!", OFFICE).status_code == 200
    assert _login(client, "staff999", "Spring2026!", OFFICE).status_code == 429  # the limit-th name
    # Then every guess, even a right one, is refused; so is the address for anyone behind it.
    assert _login(client, "victim", PASSWORD, OFFICE).status_code == 429
    # Not the account from elsewhere.
    assert _login(client, "victim", PASSWORD, ELSEWHERE).status_code == 302


def test_an_office_of_people_mistyping_is_not_locked_out(client, limits):
    """Names are counted, not failures: a dozen colleagues each mistyping up to four times share the address."""
    for n in range(limits.LOGIN_ADDRESS_NAME_LIMIT - 1):
        UserFactory(username=f"clerk{n}")
        for _ in range(limits.AXES_FAILURE_LIMIT - 1):
            assert _login(client, f"clerk{n}", "typo", OFFICE).status_code == 200
    UserFactory(username="latecomer")
    assert _login(client, "latecomer", PASSWORD, OFFICE).status_code == 302


def test_one_account_guessed_from_many_addresses_is_locked_everywhere(client, limits):
    UserFactory(username="leader")
    guesses = 0
    for host in range(10):
        for _ in range(limits.AXES_FAILURE_LIMIT - 1):  # each address stays under its own limit
            if guesses < limits.LOGIN_NAME_FAILURE_LIMIT:
                _login(client, "leader", f"guess{guesses}", f"172.16.0.{host}")
                guesses += 1
    assert _login(client, "leader", PASSWORD, "192.168.1.1").status_code == 429
    assert _login(client, "someone-else", "x", "192.168.1.1").status_code == 200  # the address is not locked


def test_a_colleague_s_successful_login_does_not_clear_the_sprayer_s_count(client, limits):
    UserFactory(username="colleague")
    for n in range(limits.LOGIN_ADDRESS_NAME_LIMIT - 1):
        _login(client, f"staff{n:03}", "Spring2026!", OFFICE)
    assert _login(client, "colleague", PASSWORD, OFFICE).status_code == 302
    client.logout()
    assert _login(client, "staff999", "Spring2026!", OFFICE).status_code == 429


def test_a_successful_login_clears_its_own_name_and_a_lockout_is_not_extended_by_attempts_during_it(client,
                                                                                                  limits):
    UserFactory(username="liaison")
    for _ in range(limits.AXES_FAILURE_LIMIT - 1):
        _login(client, "liaison", "typo", OFFICE)
    _login(client, "liaison", "guess", ELSEWHERE)
    assert _login(client, "liaison", PASSWORD, OFFICE).status_code == 302
    # Its failures from this address, not those from elsewhere.
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("liaison", ELSEWHERE)]
    AccessAttempt.objects.all().delete()
    client.logout()
    for _ in range(limits.AXES_FAILURE_LIMIT):
        _login(client, "liaison", "typo", OFFICE)
    for _ in range(3):
        assert _login(client, "liaison", PASSWORD, OFFICE).status_code == 429
    assert AccessAttempt.objects.get(username="liaison").failures_since_start == limits.AXES_FAILURE_LIMIT
