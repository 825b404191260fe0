"""No dead end (issue 33): a document in which the parser finds no task shows the tables it rebuilt; the
coordinator marks the header row and each column's role, the document is read with them and imported, and
the layout saved on the plan reads next year's list by itself."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import KeyTask, Plan
from tasks.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Headers no parser would know, units no list names: nothing is found until the coordinator says.
ROWS = [
    ["某某区2024年民生实事项目清单"],
    ["项", "干什么", "谁来干", "啥时候"],
    ["1", "推进老旧小区改造，完成30个小区", "住建", "年底"],
    ["2", "新建公共停车泊位500个", "交通", "9月底"],
]


def _text(rows, year=2024):
    rows = [[c.replace("2024", str(year)) for c in r] for r in rows]
    return "\n".join("\t".join(r) for r in rows).encode()


@pytest.fixture
def coordinator(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_plan"))
    client.force_login(user)
    return user


def _upload(client, year=2024):
    document = SimpleUploadedFile("清单.txt", _text(ROWS, year))
    return client.post(reverse("tasks:plan_import"), {"document": document}, follow=True)


def _layout(response, header_line=2, roles=("num", "task", "lead", "deadline")):
    form = response.context["layout_form"]
    (grid,) = form.grids
    posted = {"layout": "1", f"header_{grid.line}": str(header_line)}
    posted.update({f"role_{grid.line}_{i}": r for i, r in enumerate(roles)})
    return posted


def test_no_task_found_shows_the_rebuilt_grid_instead_of_a_refusal(client, coordinator):
    response = _upload(client)
    assert response.status_code == 200
    page = response.content.decode()
    assert "未能自动识别任务" in page and "干什么" in page and "推进老旧小区改造" in page
    (grid,) = response.context["layout_form"].grids
    assert [line for line, _cells in grid.rows] == [2, 3, 4]
    assert Plan.objects.count() == 0


def test_the_coordinators_layout_reads_the_document_then_imports_and_is_saved(client, coordinator):
    posted = _layout(_upload(client))
    response = client.post(reverse("tasks:plan_import_columns"), posted, follow=True)
    tasks = response.context["parsed"].key_tasks
    assert [(t.text, t.lead_units, t.deadline_text) for t in tasks] == [
        ("推进老旧小区改造，完成30个小区", ["住建"], "年底"), ("新建公共停车泊位500个", ["交通"], "9月底")]
    assert response.context["preview"].tables[0].assigned
    assert "保存表格格式" in response.content.decode()
    client.post(reverse("tasks:plan_import_confirm"), {"save_layout": "1"})
    plan = Plan.objects.get()
    assert plan.import_layout == [{"headers": ["项", "干什么", "谁来干", "啥时候"],
                                   "roles": ["num", "task", "lead", "deadline"]}]
    assert KeyTask.objects.count() == 2

    # Next year's list, laid out the same: read with the saved layout, straight to the preview.
    response = _upload(client, year=2025)
    assert "layout_form" not in response.context
    assert [t.lead_units for t in response.context["parsed"].key_tasks] == [["住建"], ["交通"]]
    assert "已按方案" in response.content.decode()


def test_a_layout_without_a_task_column_is_refused_and_the_grid_shown_again(client, coordinator):
    posted = _layout(_upload(client), roles=("num", "note", "lead", "deadline"))
    response = client.post(reverse("tasks:plan_import_columns"), posted)
    assert response.status_code == 200
    assert "请至少为一个表格指定哪一列是任务内容" in response.content.decode()
    assert Plan.objects.count() == 0


def test_a_layout_that_still_finds_nothing_goes_back_to_the_grid(client, coordinator):
    # The last row marked as the header: no row left to read a task from.
    posted = _layout(_upload(client), header_line=4)
    response = client.post(reverse("tasks:plan_import_columns"), posted, follow=True)
    page = response.content.decode()
    assert "未能自动识别任务" in page
    assert Plan.objects.count() == 0


def test_a_document_without_tables_is_refused_as_before(client, coordinator):
    document = SimpleUploadedFile("x.txt", "某某区通知\n请各单位认真落实。\n".encode())
    response = client.post(reverse("tasks:plan_import"), {"document": document})
    assert "layout_form" not in response.context
    assert "未找到带责任单位的重点任务" in response.content.decode()


def test_a_hostile_spreadsheet_upload_is_refused_with_a_clear_message_and_nothing_kept(client, coordinator, settings):
    import io
    import zipfile

    openpyxl = pytest.importorskip("openpyxl")
    from tasks.services.staging import STAGING_DIR

    wb = openpyxl.Workbook()
    wb.active["A1"] = "任务"
    wb.active["XFD1048576"] = "x"
    data = io.BytesIO()
    wb.save(data)
    assert zipfile.is_zipfile(io.BytesIO(data.getvalue()))
    upload = SimpleUploadedFile("far.xlsx", data.getvalue())
    response = client.post(reverse("tasks:plan_import"), {"document": upload})
    assert response.status_code == 200
    assert "超过 100,000 行上限" in response.content.decode()
    assert Plan.objects.count() == 0
    from django.core.files.storage import default_storage

    assert not default_storage.exists(STAGING_DIR) or not default_storage.listdir(STAGING_DIR)[1]
