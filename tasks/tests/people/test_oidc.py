"""Single sign-on against a real OpenID provider: ``oidc-provider-mock`` (a complete OpenID Connect provider,
authlib-based, despite its name) started by the test as its own process on loopback. The app's client is not
patched: it discovers the endpoints, redirects, exchanges the code, checks the ID token's signature against
the provider's JWKS and asks the userinfo endpoint over HTTP."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.urls import reverse

from tasks import oidc
from tasks.models import Profile
from tasks.tests.daily_setup import make_world

pytestmark = pytest.mark.django_db
if importlib.util.find_spec("oidc_provider_mock") is None:  # not imported here: it runs as its own process
    pytest.skip("oidc-provider-mock (requirements-dev.txt) is not installed", allow_module_level=True)

BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend",
            "tasks.oidc.RosterOIDCBackend"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def provider():
    port = _free_port()
    users = [{"sub": "wang", "phone_number": "+8613800000001", "name": "王芳"},
             {"sub": "stranger", "phone_number": "13999999999"},
             {"sub": "nophone", "email": "x@example.gov.cn"}]
    command = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce", "true"]
    for u in users:
        command += ["--user-claims", json.dumps(u)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(issuer + "/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("the OpenID provider did not start")
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso(settings, provider):
    settings.OIDC_ISSUER = provider
    settings.OIDC_RP_CLIENT_ID = "housing"
    settings.OIDC_RP_CLIENT_SECRET = "housing-secret"
    settings.OIDC_ENABLED = True
    settings.OIDC_MATCH_CLAIM = "phone_number"
    settings.OIDC_MATCH_FIELD = "mobile"
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    oidc._discovery.clear()
    yield provider
    oidc._discovery.clear()


def _login_at_provider(client, sub: str):
    """The app redirects to the provider; the person there says who they are; the provider redirects back."""
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    authorize = start["Location"]
    query = parse_qs(urlparse(authorize).query)
    assert query["client_id"] == ["housing"] and "nonce" in query and "code_challenge" in query
    back = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text[:500]
    callback = urlparse(back.headers["Location"])
    assert callback.path == reverse("oidc_authentication_callback")
    return client.get(f"{callback.path}?{callback.query}")


def test_a_roster_person_logs_in_with_the_provider_matched_by_mobile(client, sso):
    w = make_world()
    Profile.objects.filter(user=w.lead_user).update(mobile="13800000001")
    done = _login_at_provider(client, "wang")
    assert done.status_code == 302 and not done["Location"].startswith("/accounts/login")
    assert int(client.session["_auth_user_id"]) == w.lead_user.pk
    assert w.item.text in client.get(reverse("tasks:home")).content.decode()


def test_nobody_off_the_roster_gets_in_and_nobody_is_created(client, sso, django_user_model):
    w = make_world()
    Profile.objects.filter(user=w.lead_user).update(mobile="13800000001")
    users = django_user_model.objects.count()
    for sub in ("stranger", "nophone"):
        done = _login_at_provider(client, sub)
        assert done["Location"] == "/accounts/login/?sso=failed"
        assert "_auth_user_id" not in client.session
    assert django_user_model.objects.count() == users
    page = client.get(done["Location"])
    assert "sso-failed" in page.content.decode() and 'id="sso-login"' in page.content.decode()
    # A deactivated account (a liaison replaced) is refused too.
    django_user_model.objects.filter(pk=w.lead_user.pk).update(is_active=False)
    assert _login_at_provider(client, "wang")["Location"] == "/accounts/login/?sso=failed"


def test_a_forged_callback_is_refused(client, sso):
    make_world()
    client.get(reverse("oidc_authentication_init"))
    response = client.get(reverse("oidc_authentication_callback") + "?code=forged&state=forged")
    assert response.status_code in (302, 400) and "_auth_user_id" not in client.session


def test_without_configuration_the_routes_are_404_and_password_login_stays(client, settings):
    settings.OIDC_ENABLED = False
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404
    page = client.get(reverse("login"))
    assert page.status_code == 200 and 'id="sso-login"' not in page.content.decode()


def test_an_account_of_no_unit_used_through_single_sign_on_is_claimed_by_no_coordinator(client, sso):
    """Single sign-on creates no account; its login marks the account used (``last_login``), so a coordinator
    cannot place a person of no unit who has signed in (their owner may work elsewhere); before, they could."""
    from django.core.exceptions import ValidationError

    from tasks.selectors.permissions import manages_person
    from tasks.services.people import PersonSpec, unit_person_add
    from tasks.tests.daily_setup import user

    w = make_world()
    person = user("sso_person")
    Profile.objects.create(user=person, mobile="13800000001")
    person.refresh_from_db()
    assert person.last_login is None
    assert manages_person(w.coordinator, person)
    assert _login_at_provider(client, "wang").status_code == 302
    assert int(client.session["_auth_user_id"]) == person.pk
    person.refresh_from_db()
    assert person.last_login is not None
    with pytest.raises(ValidationError, match="超级管理员"):
        unit_person_add(unit=w.lead, spec=PersonSpec(name="王芳", mobile="13800000001", email="x@example.gov.cn"),
                        actor=w.coordinator)
    person.refresh_from_db()
    assert person.profile.unit is None and person.email == "sso_person@example.gov.cn"
