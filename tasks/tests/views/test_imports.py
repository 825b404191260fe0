from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import KeyTask, Plan, Unit, WorkItem
from tasks.tests.factories import UnitFactory, UserFactory, liaison_for

pytestmark = pytest.mark.django_db
PLANS = Path(__file__).resolve().parents[3] / "fixtures" / "plans"


@pytest.fixture
def coordinator(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_plan"))
    client.force_login(user)
    return user


def _upload(client, name="yuecheng-2023-2027.txt", content=None):
    content = content if content is not None else (PLANS / name).read_bytes()
    return client.post(reverse("tasks:plan_import"), {"document": SimpleUploadedFile(name, content)})


def test_preview_shows_tasks_units_and_source_lines_and_writes_nothing(client, coordinator):
    response = _upload(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "11 项重点任务" in html and "14 个指标" in html and "25 条工作事项" in html
    assert "区建设局" in html and 'id="L1"' in html
    assert not Plan.objects.exists() and not Unit.objects.exists() and not WorkItem.objects.exists()


def test_confirm_imports_the_previewed_document(client, coordinator):
    _upload(client)
    response = client.post(reverse("tasks:plan_import_confirm"))
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert KeyTask.objects.filter(plan=plan).count() == 11
    # The staged upload is consumed: confirming again imports nothing new.
    again = client.post(reverse("tasks:plan_import_confirm"))
    assert again.status_code == 302 and again["Location"] == reverse("tasks:plan_import")


def test_preview_marks_units_already_known_under_another_name(client, coordinator):
    client.post(reverse("tasks:plan_import_confirm"))  # nothing staged: harmless
    _upload(client, "haining-2023-2027.txt")
    client.post(reverse("tasks:plan_import_confirm"))
    response = _upload(client, "haining-2023-2027.txt")
    html = response.content.decode()
    assert "更新已有方案" in html
    assert "市资规局 → 市自然资源和规划局" in html


def test_unreadable_upload_is_reshown_with_the_file_named(client, coordinator):
    response = _upload(client, "plan.txt", b"\x00\x01\x02" * 500)
    assert response.status_code == 200
    assert "plan.txt" in response.content.decode()
    assert not Plan.objects.exists()


def test_wrong_type_is_refused(client, coordinator):
    response = _upload(client, "plan.exe", b"MZ")
    assert "只支持" in response.content.decode()


def test_liaison_cannot_import(client):
    client.force_login(liaison_for(UnitFactory()))
    assert client.get(reverse("tasks:plan_import")).status_code == 403
    assert client.post(reverse("tasks:plan_import_confirm")).status_code == 403
