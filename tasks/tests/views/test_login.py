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
