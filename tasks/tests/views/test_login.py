import pytest
from django.urls import reverse

from tasks.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_the_right_password_works(client):
    UserFactory(username="liaison")
    response = client.post(reverse("login"), {"username": "liaison", "password": "pw-for-tests-123"})
    assert response.status_code == 302


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(client, settings):
    UserFactory(username="liaison")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "liaison", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "liaison", "password": "pw-for-tests-123"})
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()


def test_every_page_but_login_needs_a_user(client):
    response = client.get(reverse("tasks:plan_import"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_a_login_session_names_the_backend_that_checked_the_password_and_survives_a_request(client):
    """The lockout backend authenticates nobody: a session records ModelBackend (or the OpenID backend), the
    path ``get_user`` looks up in ``AUTHENTICATION_BACKENDS`` on every request. django-axes' backend moved
    from ``AxesBackend`` to ``AxesStandaloneBackend`` without logging anybody out (docs/operations.md)."""
    from django.contrib.auth import BACKEND_SESSION_KEY

    UserFactory(username="liaison")
    client.post(reverse("login"), {"username": "liaison", "password": "pw-for-tests-123"})
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert client.get(reverse("tasks:home")).status_code == 200


def test_a_permission_a_user_lacks_is_looked_for_once(monkeypatch):
    """Only ModelBackend answers permission checks (AxesBackend, a ModelBackend too, answered each again)."""
    from django.contrib.auth.backends import ModelBackend

    person = UserFactory(username="liaison")
    asked = []
    original = ModelBackend.has_perm
    monkeypatch.setattr(ModelBackend, "has_perm", lambda self, *args: asked.append(type(self)) or original(
        self, *args))
    assert not person.has_perm("tasks.act_on_all_plans")
    assert asked == [ModelBackend]
