"""The preview says how each task table's columns were read and lets the coordinator reassign them."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import KeyTask, Plan
from tasks.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# "改革举措" and "推进节点" are no header names the parser knows: the first is taken as the task (a guess),
# the second as the deadlines, from what its cells hold (a guess too): the coordinator may say otherwise.
TABLE_PLAN = "\n".join([
    "某某区2024年住房工作重点事项分工表",
    "序号 | 改革举措 | 牵头单位 | 配合单位 | 推进节点",
    "1 | 推行商品房现房销售试点 | 区住建局 | 区自然资源局 | 2024年9月底前",
    "2 | 优化住房公积金提取 | 区公积金中心 | 区财政局 | 年底前",
])


@pytest.fixture
def coordinator(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_plan"))
    client.force_login(user)
    return user


def _upload(client):
    document = SimpleUploadedFile("table.txt", TABLE_PLAN.encode())
    return client.post(reverse("tasks:plan_import"), {"document": document}, follow=True)


def _columns(response) -> dict[str, str]:
    form = response.context["columns_form"]
    return {name: form[name].value() for name in form.fields}


def test_preview_says_which_column_was_read_as_what(client, coordinator):
    response = _upload(client)
    page = response.content.decode()
    assert "表格各列的识别" in page and "改革举措" in page and "推进节点" in page
    table = response.context["preview"].tables[0]
    assert [(c.header, c.role, c.unclear) for c in table.columns] == [
        ("序号", "num", False), ("改革举措", "task", True), ("牵头单位", "lead", False),
        ("配合单位", "support", False), ("推进节点", "deadline", True)]
    assert response.context["preview"].n_to_check == 1
    assert [t.deadline.isoformat() for t in response.context["parsed"].key_tasks] == ["2024-09-30", "2024-12-31"]


def test_reassigned_columns_reparse_the_preview_and_the_import(client, coordinator):
    posted = _columns(_upload(client))
    posted["table_2_4"] = "note"  # the coordinator says: no deadlines, a note
    response = client.post(reverse("tasks:plan_import_columns"), posted, follow=True)
    tasks = response.context["parsed"].key_tasks
    assert [t.deadline for t in tasks] == [None, None]
    assert response.context["preview"].tables[0].assigned
    assert not response.context["preview"].unclear_tables
    assert Plan.objects.count() == 0  # nothing written before confirming
    client.post(reverse("tasks:plan_import_confirm"))
    assert list(KeyTask.objects.order_by("number").values_list("deadline_text", flat=True)) == ["", ""]


def test_swapping_lead_and_supporting_columns(client, coordinator):
    posted = _columns(_upload(client))
    posted["table_2_2"], posted["table_2_3"] = "support", "lead"
    response = client.post(reverse("tasks:plan_import_columns"), posted, follow=True)
    first = response.context["parsed"].key_tasks[0]
    assert (first.lead_units, first.supporting_units) == (["区自然资源局"], ["区住建局"])


def test_an_assignment_without_a_task_column_is_refused_and_changes_nothing(client, coordinator):
    posted = _columns(_upload(client))
    posted["table_2_1"] = "note"
    response = client.post(reverse("tasks:plan_import_columns"), posted)
    assert response.status_code == 200
    assert "请指定哪一列是任务内容" in response.content.decode()
    again = client.get(reverse("tasks:plan_import_preview"))
    assert again.context["preview"].tables[0].columns[1].role == "task"


def test_reset_goes_back_to_the_parsers_reading(client, coordinator):
    posted = _columns(_upload(client))
    posted["table_2_4"] = "ignore"
    client.post(reverse("tasks:plan_import_columns"), posted)
    response = client.post(reverse("tasks:plan_import_columns"), {"reset": "1"}, follow=True)
    assert response.context["preview"].tables[0].columns[4].role == "deadline"


def test_a_legacy_doc_upload_is_converted_and_previewed(client, coordinator, tmp_path):
    import subprocess

    docx = pytest.importorskip("docx")
    from tasks.importers.reader import soffice_binary

    binary = soffice_binary()
    if binary is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    document = docx.Document()
    for line in ["某某区住房保障工作实施方案", "一、重点任务",
                 "1.扩大保障性租赁住房供给。加快筹集。（责任单位：区住建局、区财政局）", "二、保障措施", "加强领导。"]:
        document.add_paragraph(line)
    document.save(str(tmp_path / "plan.docx"))
    subprocess.run([binary, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc", "--outdir", str(tmp_path), str(tmp_path / "plan.docx")],
                   capture_output=True, timeout=180, check=True)
    upload = SimpleUploadedFile("plan.doc", (tmp_path / "plan.doc").read_bytes())
    response = client.post(reverse("tasks:plan_import"), {"document": upload}, follow=True)
    (task,) = response.context["parsed"].key_tasks
    assert (task.lead_units, task.supporting_units) == (["区住建局"], ["区财政局"])


def test_a_spreadsheet_upload_is_read_and_previewed(client, coordinator):
    import io

    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某某区2024年重点任务清单"])
    ws.append(["序号", "工作任务", "责任单位", "完成时限"])
    ws.append([1, "推行商品房现房销售试点", "区住建局★、区自然资源局", "2024年9月底前"])
    ws.append([2, "优化住房公积金提取", "区财政局、区公积金中心（牵头）", "年底前"])
    data = io.BytesIO()
    wb.save(data)
    upload = SimpleUploadedFile("清单.xlsx", data.getvalue())
    response = client.post(reverse("tasks:plan_import"), {"document": upload}, follow=True)
    tasks = response.context["parsed"].key_tasks
    assert [(t.lead_units, t.supporting_units) for t in tasks] == [
        (["区住建局"], ["区自然资源局"]), (["区公积金中心"], ["区财政局"])]
    client.post(reverse("tasks:plan_import_confirm"))
    assert Plan.objects.get().title == "某某区2024年重点任务清单"
