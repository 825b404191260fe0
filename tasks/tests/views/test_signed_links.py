"""Links that land (issue 31 §5): a message's link is signed, single-purpose and expiring; it is never a login."""

from __future__ import annotations

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail, signing
from django.urls import reverse

from tasks.models import ReminderSettings, WorkItem
from tasks.notifications.links import SALT, LinkError, link_read, link_token, signed_url
from tasks.services.breakdown import BreakdownPart, work_item_break_down
from tasks.services.reminders import reminders_scan, reminders_send_pending
from tasks.tests.daily_setup import MODEL_BACKEND, PASSWORD, make_world

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def w():
    return make_world()


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_a_logged_in_person_lands_on_the_item(client, w):
    client.force_login(w.lead_user, backend=MODEL_BACKEND)
    response = client.get(path_of(signed_url(purpose="item", pk=w.item.pk)))
    assert response.status_code == 302 and response["Location"] == w.item.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_a_logged_out_person_logs_in_with_remember_me_and_lands_on_the_item(client, w):
    link = path_of(signed_url(purpose="item", pk=w.item.pk))
    response = client.get(link)
    login = reverse("login")
    assert response.status_code == 302 and response["Location"].startswith(login)
    assert response["Location"] == f"{login}?next={w.item.get_absolute_url()}"
    landed = client.post(response["Location"], {"username": "lead", "password": PASSWORD, "remember": "on"})
    assert landed.status_code == 302 and landed["Location"] == w.item.get_absolute_url()
    # Days later, on the phone that remembered the login, the next message's link lands at once.
    again = client.get(link)
    assert again.status_code == 302 and again["Location"] == w.item.get_absolute_url()


def test_the_link_is_not_a_login_and_the_view_still_decides(client, w):
    """A link to an item of a unit the person does not belong to lands on a 404, as the item's URL would."""
    client.force_login(w.other_user, backend=MODEL_BACKEND)
    response = client.get(path_of(signed_url(purpose="item", pk=w.item.pk)), follow=True)
    assert response.status_code == 404
    client.logout()
    assert client.get(w.item.get_absolute_url()).status_code == 302  # and logged out, to the login page


def test_a_tampered_link_is_refused(client, w):
    client.force_login(w.lead_user, backend=MODEL_BACKEND)
    token = link_token(purpose="item", pk=w.item.pk)
    forged = signing.dumps(["item", w.other_item.pk], salt="another purpose", compress=True)
    swapped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (swapped, forged, "set-password", token.replace(":", "", 1)):
        response = client.get(reverse("tasks:link_follow", args=[bad]))
        assert response.status_code == 400 and "链接无效" in response.content.decode()
    # Another purpose under the same key is refused too: a link names one purpose.
    assert pytest.raises(LinkError, link_read, signing.dumps(["admin", 1], salt=SALT, compress=True))
    assert client.post(reverse("tasks:link_follow", args=[token])).status_code == 405


def test_an_expired_link_says_so_and_goes_nowhere(client, w, monkeypatch, settings):
    settings.NOTIFY_LINK_MAX_AGE_DAYS = 30
    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() - 31 * 86400)
    old = link_token(purpose="item", pk=w.item.pk)
    fresh_enough = None
    monkeypatch.setattr(signing.time, "time", lambda: real() - 29 * 86400)
    fresh_enough = link_token(purpose="item", pk=w.item.pk)
    monkeypatch.setattr(signing.time, "time", real)
    client.force_login(w.lead_user, backend=MODEL_BACKEND)
    response = client.get(reverse("tasks:link_follow", args=[old]))
    assert response.status_code == 410 and "链接已过期" in response.content.decode()
    assert w.item.get_absolute_url() not in response.content.decode()
    assert client.get(reverse("tasks:link_follow", args=[fresh_enough])).status_code == 302
    with pytest.raises(LinkError) as caught:
        link_read(old)
    assert caught.value.expired


def test_a_sign_can_be_completed_from_the_link_in_two_taps(client, w):
    (sub,) = work_item_break_down(item=w.other_item, user=w.coordinator,
                                  parts=[BreakdownPart(unit=w.support, due_date=w.other_item.due_date)])
    client.force_login(w.support_user, backend=MODEL_BACKEND)
    page = client.get(path_of(signed_url(purpose="sign", pk=sub.pk)), follow=True)  # tap 1: the link
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="sign-confirm"' in html and html.count('type="submit"') == 1 + html.count('id="logout')
    done = client.post(reverse("tasks:work_item_sign", args=[sub.pk]))  # tap 2: the one button
    assert done.status_code == 302
    sub.refresh_from_db()
    assert sub.status == WorkItem.Status.NOT_STARTED and sub.signed_by == w.support_user
    # The same link afterwards lands on the item, not on a second sign.
    again = client.get(reverse("tasks:work_item_sign", args=[sub.pk]))
    assert again.status_code == 302 and again["Location"] == sub.get_absolute_url()


def test_the_sign_page_is_refused_to_who_may_not_sign(client, w):
    (sub,) = work_item_break_down(item=w.other_item, user=w.coordinator,
                                  parts=[BreakdownPart(unit=w.support, due_date=w.other_item.due_date)])
    client.force_login(w.coordinator, backend=MODEL_BACKEND)  # sees it, does not sign for the unit
    assert client.get(reverse("tasks:work_item_sign", args=[sub.pk])).status_code == 403
    client.force_login(w.lead_user, backend=MODEL_BACKEND)  # does not see it
    assert client.get(reverse("tasks:work_item_sign", args=[sub.pk])).status_code in (403, 404)


def test_every_digest_link_is_signed_and_the_sign_chase_links_to_the_confirm_page(w, settings):
    settings.SITE_URL = "https://zf.example.cn"
    w.lead.emails = "jsj@yc.gov.cn"
    w.lead.save(update_fields=["emails"])
    w.support.emails = "czj@yc.gov.cn"
    w.support.save(update_fields=["emails"])
    ReminderSettings.objects.create(plan=w.plan, monthly_enabled=False)
    (sub,) = work_item_break_down(item=w.other_item, user=w.coordinator,
                                  parts=[BreakdownPart(unit=w.support, due_date=w.other_item.due_date)])
    WorkItem.objects.filter(pk=sub.pk).update(handed_at=datetime(2020, 1, 6, 9, tzinfo=SH))
    day = w.item.due_date
    while day.weekday() >= 5:
        day = date.fromordinal(day.toordinal() - 1)
    now = datetime.combine(day, datetime.min.time(), tzinfo=SH).replace(hour=9)
    reminders_scan(today=day, now=now)
    reminders_send_pending(now=now, today=day)
    bodies = {m.to[0]: m for m in mail.outbox}
    assert set(bodies) >= {"jsj@yc.gov.cn", "czj@yc.gov.cn"}
    for message in bodies.values():
        html = message.alternatives[0][0]
        assert "/items/" not in message.body and "/items/" not in html  # no bare item URL
        assert "https://zf.example.cn/l/" in message.body
    sign_links = [part for part in bodies["czj@yc.gov.cn"].body.split() if part.startswith("https://zf.example.cn/l/")]
    purposes = sorted(link_read(url.rstrip("/").rsplit("/", 1)[1]).purpose for url in sign_links)
    assert purposes == ["item", "sign"]


def test_a_reader_who_chose_english_lands_in_english(client, w, settings):
    """The link has no language prefix, and an unprefixed page is Chinese: someone who had switched to English
    landed on the Chinese login page and the Chinese item page from every message."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):  # an English request leaves English active here
        _english_reader_lands_in_english(client, w, settings)


def _english_reader_lands_in_english(client, w, settings):
    link = path_of(signed_url(purpose="item", pk=w.item.pk))
    item_url, login = w.item.get_absolute_url(), reverse("login")  # the unprefixed (Chinese) addresses
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == f"/en{login}?next=/en{item_url}"
    landed = client.post(response["Location"], {"username": "lead", "password": PASSWORD})
    assert landed.status_code == 302 and landed["Location"] == "/en" + item_url
    page = client.get(landed["Location"]).content.decode()
    assert '<html lang="en">' in page and "Report progress" in page
    # Chinese (the cookie, or none) keeps the unprefixed address.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert client.get(link)["Location"] == item_url
