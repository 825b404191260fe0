"""Single sign-on does not let a person claim someone else's account (session 21, hsafe5).

Against the same real provider as tasks/tests/people/test_oidc.py (its fixtures), with people added to it at run
time. Found: a provider account whose e-mail address or phone number its person typed in, unverified
(``email_verified`` / ``phone_number_verified`` false), was matched to the roster account with that address or
number: anyone able to edit their own provider profile could log in as anyone. Also added, as OpenID Connect
requires and mozilla-django-oidc does not check: the ID token's audience and issuer, and the userinfo answer's
subject against the ID token's.
"""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation

from tasks.models import Profile
from tasks.oidc import RosterOIDCBackend
from tasks.tests.daily_setup import make_world
from tasks.tests.people.test_oidc import _login_at_provider, provider, sso  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
FAILED = "/accounts/login/?sso=failed"


def _person(issuer: str, sub: str, claims: dict) -> None:
    requests.put(f"{issuer}/users/{sub}", json=claims, timeout=10).raise_for_status()


def test_an_unverified_email_matches_nobody_and_a_verified_one_logs_in(client, sso, settings):  # noqa: F811
    settings.OIDC_MATCH_CLAIM, settings.OIDC_MATCH_FIELD = "email", "email"
    w = make_world()
    w.lead_user.email = "Boss@Example.gov.cn"
    w.lead_user.save()
    _person(sso, "mallory", {"email": "boss@example.gov.cn", "email_verified": False})
    assert _login_at_provider(client, "mallory")["Location"] == FAILED
    assert "_auth_user_id" not in client.session
    _person(sso, "boss", {"email": "boss@example.gov.cn", "email_verified": True})
    done = _login_at_provider(client, "boss")
    assert done.status_code == 302 and done["Location"] != FAILED
    assert int(client.session["_auth_user_id"]) == w.lead_user.pk


def test_an_unverified_phone_number_matches_nobody(client, sso):  # noqa: F811
    w = make_world()
    Profile.objects.filter(user=w.lead_user).update(mobile="13800000077")
    _person(sso, "mallory2", {"phone_number": "+8613800000077", "phone_number_verified": "false"})
    assert _login_at_provider(client, "mallory2")["Location"] == FAILED
    _person(sso, "owner77", {"phone_number": "13800000077"})  # a provider that sends no flag: as before
    assert _login_at_provider(client, "owner77")["Location"] != FAILED


@pytest.fixture
def signed(settings):
    settings.OIDC_ISSUER = "https://sso.example.gov.cn"
    settings.OIDC_RP_CLIENT_ID = "housing"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    for name in ("AUTHORIZATION", "TOKEN", "USER", "JWKS"):  # no discovery: these tests ask no provider
        setattr(settings, f"OIDC_OP_{name}_ENDPOINT", f"https://sso.example.gov.cn/{name.lower()}")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    backend = RosterOIDCBackend()
    backend.OIDC_RP_IDP_SIGN_KEY = key.public_key()

    def token(**claims) -> str:
        body = {"iss": "https://sso.example.gov.cn", "aud": "housing", "sub": "wang", "nonce": "n1",
                "exp": int(time.time()) + 300, **claims}
        return jwt.encode(body, key, algorithm="RS256")

    return backend, token


def test_an_id_token_for_another_client_or_from_another_issuer_is_refused(signed):
    backend, token = signed
    assert backend.verify_token(token(), nonce="n1")["sub"] == "wang"
    assert backend.verify_token(token(aud=["other", "housing"]), nonce="n1")["sub"] == "wang"
    with pytest.raises(SuspiciousOperation, match="another client"):
        backend.verify_token(token(aud="other-app"), nonce="n1")
    with pytest.raises(SuspiciousOperation, match="another issuer"):
        backend.verify_token(token(iss="https://evil.example.com"), nonce="n1")


def test_a_userinfo_answer_about_someone_else_is_refused(signed, monkeypatch):
    backend, _token = signed
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend

    monkeypatch.setattr(OIDCAuthenticationBackend, "get_userinfo",
                        lambda self, access, id_token, payload: {"sub": "li", "phone_number": "13800000001"})
    with pytest.raises(SuspiciousOperation, match="another person"):
        backend.get_userinfo("access", "id-token", {"sub": "wang"})
    assert backend.get_userinfo("access", "id-token", {"sub": "li"})["sub"] == "li"
