"""Nobody logged out makes the site send anything: every route a visitor reaches without logging in, posted
with a real account's address and name in every field, sends no mail and queues no message.

The site mails only through the outbox (``tasks.notifications``: recorded, retried, in the working window),
and only on an act of someone logged in or of the schedule. ``django.contrib.auth.urls`` brought a password
reset with it (``/accounts/password_reset/``): a logged-out visitor had any account mailed a link that sets
its password, sent through SMTP inside the request (no outbox row, no audit row, no limit: anyone could
flood an address, and the time the answer took told which addresses have an account). The routes are read
from the URL resolver: a route added later is posted to as well.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import NoReverseMatch, resolve, reverse

from tasks.models import Message
from tasks.tests.daily_setup import make_world
from tasks.tests.hardening.test_routes import PARAMS, ROUTES, _route_kwargs

pytestmark = pytest.mark.django_db


def _anonymous_routes():
    for name, entry in ROUTES:
        kwargs = {arg: ("1" if arg in {"pk", "year", "content_type_id", "object_id"} else "x")
                  for arg in _route_kwargs(entry)}
        try:
            path = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        if getattr(resolve(path).func, "login_required", True) is False:
            yield name, path


def test_the_sweep_reaches_the_visitors_routes():
    names = {name for name, _path in _anonymous_routes()}
    assert {"login", "set_language", "tasks:link_follow", "tasks:public_index"} <= names


def test_no_route_sends_mail_or_queues_a_message_for_a_logged_out_visitor(client):
    w = make_world()
    person = w.lead_user
    person.email = "liaison@example.gov.cn"
    person.set_password("an-old-password-1")
    person.save()
    data = dict.fromkeys(PARAMS, person.email)
    data |= {"email": person.email, "username": person.username, "next": "/"}
    sent = []
    for name, path in _anonymous_routes():
        client.logout()
        client.post(path, data)
        if mail.outbox or Message.objects.exists():
            sent.append(name)
            mail.outbox.clear()
            Message.objects.all().delete()
    assert sent == []


@pytest.mark.parametrize("name", ["password_reset", "password_reset_done", "password_reset_confirm",
                                  "password_reset_complete"])
def test_the_password_reset_routes_are_gone(name):
    with pytest.raises(NoReverseMatch):
        reverse(name, kwargs={"uidb64": "MQ", "token": "x"} if name == "password_reset_confirm" else None)


def test_the_account_routes_the_site_uses_remain(client):
    w = make_world()
    client.force_login(w.lead_user)
    assert client.get(reverse("password_change")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("tasks:home")).status_code == 302  # logged out
