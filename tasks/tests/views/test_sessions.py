"""Sessions: a working day without a request ends one, and closing the browser ends it unless "remember me"
was ticked on the login form (Chinese and English)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone, translation

from housing.middleware import SESSION_TOUCHED
from tasks.tests.daily_setup import PASSWORD, user

pytestmark = pytest.mark.django_db


def _log_in(client, remember: bool, prefix: str = ""):
    data = {"username": "li", "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post(f"{prefix}/accounts/login/", data)
    assert response.status_code == 302, response.content[:500]
    return response


def test_without_remember_me_the_cookie_ends_with_the_browser(client):
    user("li")
    response = _log_in(client, remember=False)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert client.get("/").status_code == 200


def test_remember_me_keeps_the_cookie_past_the_browser_for_the_idle_time(client):
    user("li")
    response = _log_in(client, remember=True)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == int(settings.SESSION_REMEMBER_HOURS * 3600)
    # A request that moves the end on sends the cookie again with its full age.
    stored = client.session
    stored[SESSION_TOUCHED] = 0
    stored.save()
    again = client.get("/")
    assert int(again.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == int(settings.SESSION_REMEMBER_HOURS * 3600)


@pytest.mark.parametrize("remember", [False, True])
def test_a_working_day_without_a_request_ends_the_session(client, remember):
    user("li")
    _log_in(client, remember=remember)
    assert 8 * 3600 <= settings.SESSION_COOKIE_AGE <= 10 * 3600
    session = Session.objects.get()
    # Activity moves the end on: not on every request (a write each), once the last move is a few minutes old.
    assert session.expire_date - timezone.now() > timedelta(hours=8)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/").status_code == 200
    assert Session.objects.get().expire_date - timezone.now() < timedelta(minutes=6)  # touched at login
    stored = client.session
    stored[SESSION_TOUCHED] -= settings.SESSION_TOUCH_SECONDS
    stored.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/").status_code == 200
    assert Session.objects.get().expire_date - timezone.now() > timedelta(hours=8)
    # ... and past it the session is gone: the next request goes to the login page.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("prefix, label", [("", "记住我"), ("/en", "Remember me")])
def test_the_login_form_offers_remember_me_in_both_languages(client, prefix, label):
    page = client.get(f"{prefix}/accounts/login/").content.decode()
    translation.activate(settings.LANGUAGE_CODE)  # the request left its language active in this thread
    assert 'name="remember"' in page and label in page
