"""An API token does not outlive a new password (session 21, hsafe5).

Found: changing a password (the user's own change, an admin's reset) ended the user's other sessions but left
every API token working, so a token taken with a leaked password kept reading the API after the owner changed it.
"""

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from tasks.models import ApiToken
from tasks.services.api_tokens import create_token
from tasks.tests.daily_setup import PASSWORD, login, user

pytestmark = pytest.mark.django_db


def _api(key: str) -> int:
    return Client().get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_the_users_own_password_change_revokes_their_tokens():
    owner = user("owner")
    key = create_token(owner, name="script").key
    assert _api(key) == 200
    client = login(Client(), owner)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "a-New-long-pass-4711", "new_password2": "a-New-long-pass-4711"})
    assert response.status_code == 302
    assert _api(key) == 401 and not ApiToken.objects.filter(user=owner).exists()
    assert client.get(reverse("password_change_done")).status_code == 200  # the changing session stays


def test_an_admin_reset_revokes_the_tokens_and_other_saves_do_not():
    owner = user("owner")
    other = user("other")
    key, other_key = create_token(owner).key, create_token(other).key
    owner.first_name = "改名"
    owner.save()
    owner.save(update_fields=["last_login"])
    assert _api(key) == 200
    owner.set_password("another-Long-pass-99")
    owner.save()
    assert _api(key) == 401
    assert _api(other_key) == 200  # only the owner's


def test_a_rehash_at_login_is_not_a_new_password(settings, client):
    """Django re-hashes a password with the preferred hasher at login: the same password, the token stays."""
    owner = user("owner")
    owner.password = make_password(PASSWORD, hasher="md5")
    owner.save()
    key = create_token(owner).key
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert client.post(reverse("login"), {"username": "owner", "password": PASSWORD}).status_code == 302
    owner.refresh_from_db()
    assert owner.password.startswith("pbkdf2_")
    assert _api(key) == 200
