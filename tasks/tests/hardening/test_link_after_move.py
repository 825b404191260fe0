"""A message's signed link followed after its item moved to another unit grants nothing (session 21, hsafe5).

Checked and sound, kept as a guard: a link names a purpose and an object and is never a login; following it
only redirects, and the target's view asks the guard about the person as they are now. The old unit's liaison
lands on the page and cannot act; the new unit's liaison, with the same link, can.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tasks.models import ProgressReport, WorkItemUnit
from tasks.notifications.links import signed_url
from tasks.tests.daily_setup import login, make_world

pytestmark = pytest.mark.django_db


def test_the_old_units_link_lands_but_cannot_act_after_the_item_moved(settings):
    settings.SITE_URL = "http://testserver"
    w = make_world()
    url = signed_url(purpose="item", pk=w.item.pk).removeprefix("http://testserver")
    old = login(Client(), w.lead_user)
    assert old.get(url)["Location"].endswith(reverse("tasks:work_item_detail", args=[w.item.pk]))
    WorkItemUnit.objects.filter(work_item=w.item, unit=w.lead).update(unit=w.other)

    followed = old.get(url)
    assert followed.status_code == 302  # the link still says where to go, nothing more
    report = reverse("tasks:work_item_report", args=[w.item.pk])
    assert old.post(report, {"note": "旧单位冒报", "percent": "90"}).status_code in (403, 404)
    assert not ProgressReport.objects.filter(work_item=w.item).exists()

    new = login(Client(), w.other_user)
    assert new.get(new.get(url)["Location"]).status_code == 200
    assert new.post(report, {"note": "新单位报进度", "percent": "40"}).status_code == 302
    assert ProgressReport.objects.filter(work_item=w.item).count() == 1
