"""Reading uploads takes a slot: one read per user, IMPORT_MAX_PARALLEL site-wide (session 21, hsafe5).

Found: nothing limited how many uploads one account had read at once. Each plan read is a forked child of up
to 2 GB for up to 60 seconds in a web worker (the compose file runs three): one coordinator sending three
uploads at once held every worker for a minute. Now a read that finds its user's slot, or every site slot,
taken is refused at once with 429 and a message; the staged import is kept for the retry.
"""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tasks.models import Plan
from tasks.services import staging
from tasks.services.parse_slots import parse_slot
from tasks.services.staging import STAGING_DIR
from tasks.tests.daily_setup import login, make_world
from tasks.tests.factories import UserFactory
from tasks.tests.hardening.test_import_limits import PLAN, _docx
from tasks.tests.views.test_roundup_views import _city, _login, golden, roundup  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _coordinator():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_plan"))
    client = Client()
    client.force_login(user)
    return user, client


def _staged_files() -> list[str]:
    try:
        return default_storage.listdir(STAGING_DIR)[1]
    except FileNotFoundError:
        return []


def _upload(client):
    return client.post(reverse("tasks:plan_import"), {"document": SimpleUploadedFile("方案.docx", _docx(PLAN))})


def test_a_second_read_by_the_same_user_is_refused_at_once_and_leaves_nothing(monkeypatch):
    user, client = _coordinator()
    calls = []
    monkeypatch.setattr(staging, "read_and_parse", lambda *a, **k: calls.append(a) or (_ for _ in ()).throw(
        AssertionError("read while the user's slot was taken")))
    with parse_slot(user):  # the user's first upload, still being read
        response = _upload(client)
    assert response.status_code == 429 and "仍在处理" in response.content.decode()
    assert calls == [] and _staged_files() == [] and not Plan.objects.exists()


def test_the_slot_is_free_again_after_a_read_and_after_a_refusal():
    _user, client = _coordinator()
    assert _upload(client).status_code == 302  # to the preview
    assert client.get(reverse("tasks:plan_import_preview")).status_code == 200
    bad = client.post(reverse("tasks:plan_import"), {"document": SimpleUploadedFile("坏.docx", b"PK\x03\x04bad")})
    assert bad.status_code == 200
    assert _upload(client).status_code == 302


def test_other_users_read_while_one_is_reading_up_to_the_site_cap(settings):
    first, _client = _coordinator()
    second, second_client = _coordinator()
    third, third_client = _coordinator()
    settings.IMPORT_MAX_PARALLEL = 2
    with parse_slot(first):
        assert _upload(second_client).status_code == 302
        with parse_slot(second):
            refused = _upload(third_client)
            assert refused.status_code == 429 and "处理其他文档" in refused.content.decode()


def test_a_busy_preview_keeps_the_staged_import_for_the_retry():
    user, client = _coordinator()
    assert _upload(client).status_code == 302
    staged = list(_staged_files())
    with parse_slot(user):
        busy = client.get(reverse("tasks:plan_import_preview"))
        assert busy.status_code == 429
        assert client.post(reverse("tasks:plan_import_confirm"), {}).status_code == 429
    assert _staged_files() == staged
    assert client.get(reverse("tasks:plan_import_preview")).status_code == 200


def test_minutes_and_rosters_take_the_same_slot():
    w = make_world()
    client = login(Client(), w.coordinator)
    with parse_slot(w.coordinator):
        minutes = client.post(reverse("tasks:decisions_upload", args=[w.plan.slug]), {
            "document": SimpleUploadedFile("纪要.txt", "由区建设局牵头，8月底前完成。".encode()),
            "origin": "meeting", "step": "preview"})
        assert minutes.status_code == 429 and "仍在处理" in minutes.content.decode()
        roster = client.post(reverse("tasks:roster_upload", args=[w.plan.slug]),
                             {"roster": SimpleUploadedFile("名单.csv", io.BytesIO("单位,姓名\n".encode()).read())})
        assert roster.status_code == 429 and "仍在处理" in roster.content.decode()


def test_a_roundup_pdf_takes_the_slot_too(client, monkeypatch, golden, roundup):  # noqa: F811
    """Printing a roundup's PDF starts Chromium: the same slot as reading an upload."""
    from tasks.views import roundups as views

    user = _city()
    _login(client, user)
    printed = []
    monkeypatch.setattr(views, "render_pdf", lambda report: printed.append(1) or b"%PDF-1.7 stand-in")
    with parse_slot(user):
        busy = client.get(reverse("tasks:roundup_pdf", args=[roundup.pk]))
    assert busy.status_code == 429 and "仍在处理" in busy.content.decode() and printed == []
    assert client.get(reverse("tasks:roundup_pdf", args=[roundup.pk])).status_code == 200 and printed == [1]
