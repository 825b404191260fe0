"""The import pages: upload, preview with the points to settle, confirm with the coordinator's choices."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import KeyTask, Plan, Role, Unit, UnitAlias, WorkItem
from tasks.tests.factories import RegionFactory, UnitFactory, UserFactory, liaison_for

pytestmark = pytest.mark.django_db
PLANS = Path(__file__).resolve().parents[3] / "fixtures" / "plans"
AWARD = "创县级及以上优质工程（个）"
SMALL_PLAN = "\n".join([
    "测试区住房工作实施方案(2023—2027年)",
    "一、重点任务",
    "1. 推进未来社区建设。做好创建工作。(责任单位:区建设局、区财政局)",
    "2. 推进老旧小区改造。做好改造工作。(责任单位:区建设局、区发改局)",
    "2023年主要指标工作清单",
    "序号 | 指标体系 | 2023年目标 | 工作清单 | 完成期限",
    "1 | 未来社区创建数(个) | 5 | 创建未来社区5个。 | 视情况而定",
    "2 | 老旧小区改造数(个) | 9 | 改造老旧小区9个。 | 9月底前",
])


@pytest.fixture
def coordinator(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_plan"))
    client.force_login(user)
    return user


def _upload(client, name="yuecheng-2023-2027.txt", content=None):
    content = content if content is not None else (PLANS / name).read_bytes()
    return client.post(
        reverse("tasks:plan_import"), {"document": SimpleUploadedFile(name, content)}, follow=True
    )


def _field(response, label: str) -> str:
    """The name of the preview form's field labelled ``label``."""
    form = response.context["form"]
    return next(name for name, f in form.fields.items() if f.label == label)


def _yuecheng_region(*extra_units: str) -> list[Unit]:
    region = RegionFactory(name="越城区", slug="yuecheng")
    return [UnitFactory(region=region, name=name) for name in extra_units]


def test_preview_shows_tasks_units_and_source_lines_and_writes_nothing(client, coordinator):
    response = _upload(client)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("tasks:plan_import_preview"), 302)]
    html = response.content.decode()
    assert "11 项重点任务" in html and "14 个指标" in html and "25 条工作事项" in html
    assert "区建设局" in html and 'id="L1"' in html
    assert "越城区在系统中还没有单位：文件中的 25 个单位将全部新建。" in html
    assert not Plan.objects.exists() and not Unit.objects.exists() and not WorkItem.objects.exists()


def test_preview_page_survives_a_reload(client, coordinator):
    _upload(client)
    again = client.get(reverse("tasks:plan_import_preview"))
    assert again.status_code == 200 and "11 项重点任务" in again.content.decode()


def test_preview_without_a_staged_upload_goes_back_to_the_upload_page(client, coordinator):
    response = client.get(reverse("tasks:plan_import_preview"))
    assert response.status_code == 302 and response["Location"] == reverse("tasks:plan_import")


def test_confirm_imports_the_previewed_document(client, coordinator):
    _upload(client)
    response = client.post(reverse("tasks:plan_import_confirm"))
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert KeyTask.objects.filter(plan=plan).count() == 11
    # The importer coordinates the plan, so the page it lands on opens (the staff flag alone would not).
    assert list(plan.coordinators.all()) == [coordinator]
    assert client.get(plan.get_absolute_url()).status_code == 200
    message = str(list(get_messages(response.wsgi_request))[0])
    assert message == (
        "导入完成：重点任务新增 11、更新 0；指标新增 14、更新 0；工作事项新增 25、更新 0；新建单位 25 个。"
        "另有 3 条警告待在管理后台处理。"
    )
    # The staged upload is consumed: confirming again imports nothing new.
    again = client.post(reverse("tasks:plan_import_confirm"))
    assert again.status_code == 302 and again["Location"] == reverse("tasks:plan_import")


def test_preview_marks_units_already_known_under_another_name(client, coordinator):
    _upload(client, "haining-2023-2027.txt")
    client.post(reverse("tasks:plan_import_confirm"))
    response = _upload(client, "haining-2023-2027.txt")
    html = response.content.decode()
    assert "更新已有方案" in html
    assert "市资规局 → 市自然资源和规划局" in html


def test_preview_offers_existing_units_for_each_name_it_would_create(client, coordinator):
    bureau, _other = _yuecheng_region("区住房和城乡建设局", "区教育局")
    response = _upload(client)
    form = response.context["form"]
    names = {c.name for c in response.context["preview"].unit_choices}
    # Every name of the document is new to the region: each gets a select.
    assert len(names) == 25 and "区建设局" in names and all(c.field in form.fields for c in response.context[
        "preview"].unit_choices)
    field = form.fields[_field(response, "区建设局")]
    groups = dict(field.choices[1:])
    assert field.choices[0] == ("", "新建单位“区建设局”")
    assert groups["可能对应"] == [(str(bureau.pk), "区住房和城乡建设局")]
    html = response.content.decode()
    assert f'data-value="{bureau.pk}" title="选择此单位">区住房和城乡建设局</button>' in html
    assert not Plan.objects.exists() and Unit.objects.count() == 2


def test_confirm_with_a_unit_mapping_makes_the_name_an_alias_of_the_chosen_unit(client, coordinator):
    (bureau,) = _yuecheng_region("区住房和城乡建设局")
    preview = _upload(client)
    response = client.post(reverse("tasks:plan_import_confirm"), {_field(preview, "区建设局"): str(bureau.pk)})
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert UnitAlias.objects.get(name="区建设局").unit == bureau
    assert not Unit.objects.filter(name="区建设局").exists()
    lead = plan.key_tasks.get(number=1).assignments.get(role=Role.LEAD)
    assert lead.unit == bureau
    warning_units = [(w["code"], w["unit"]) for w in plan.import_warnings if w.get("unit")]
    # yuecheng lists all its units; only 各平台公司 has no member list to expand to.
    assert warning_units == [("collective_not_expanded", "各平台公司")]


@pytest.mark.parametrize("value", ["other-region", "abc", "999999"])
def test_an_invalid_unit_choice_reshows_the_preview_with_an_error_and_writes_nothing(client, coordinator, value):
    (bureau,) = _yuecheng_region("区住房和城乡建设局")
    elsewhere = UnitFactory(name="市住建局")
    preview = _upload(client)
    field = _field(preview, "区建设局")
    posted = str(elsewhere.pk) if value == "other-region" else value
    response = client.post(reverse("tasks:plan_import_confirm"), {field: posted})
    assert response.status_code == 200
    html = response.content.decode()
    assert "有选择无效" in html and 'role="alert"' in html
    assert response.context["form"][field].errors
    assert not Plan.objects.exists() and not UnitAlias.objects.exists() and Unit.objects.count() == 2
    # The staged file is still there: the coordinator can choose again and confirm.
    ok = client.post(reverse("tasks:plan_import_confirm"), {field: str(bureau.pk)})
    assert ok.status_code == 302 and Plan.objects.count() == 1


def test_a_unit_deleted_between_preview_and_confirm_is_reported_not_imported(client, coordinator):
    (bureau,) = _yuecheng_region("区住房和城乡建设局")
    preview = _upload(client)
    field = _field(preview, "区建设局")
    bureau.delete()
    response = client.post(reverse("tasks:plan_import_confirm"), {field: str(bureau.pk)})
    assert response.status_code == 200 and "单位在预览后有变化" in response.content.decode()
    assert not Plan.objects.exists()


def test_doubtful_link_is_offered_with_the_guess_selected_and_the_choice_is_applied(client, coordinator):
    preview = _upload(client)
    field = _field(preview, AWARD)
    assert preview.context["form"][field].value() == "6"
    html = preview.content.decode()
    assert "系统推测：重点任务 6" in html and 'href="#L128"' in html
    response = client.post(reverse("tasks:plan_import_confirm"), {field: "5"})
    assert response.status_code == 302
    items = WorkItem.objects.filter(indicator_name=AWARD)
    assert items.count() == 3
    assert {(i.key_task.number, i.link_confirmed) for i in items} == {(5, True)}
    assert WorkItem.objects.filter(link_confirmed=True).count() == 3


def test_a_forged_key_task_number_reshows_the_preview_and_writes_nothing(client, coordinator):
    preview = _upload(client)
    response = client.post(reverse("tasks:plan_import_confirm"), {_field(preview, AWARD): "99"})
    assert response.status_code == 200 and "有选择无效" in response.content.decode()
    assert not Plan.objects.exists()


def test_reimport_does_not_offer_again_a_link_a_coordinator_confirmed(client, coordinator):
    preview = _upload(client)
    client.post(reverse("tasks:plan_import_confirm"), {_field(preview, AWARD): "5"})
    again = _upload(client)
    assert not again.context["preview"].link_choices
    assert "另有 1 组关联已由协调员确认" in again.content.decode()
    client.post(reverse("tasks:plan_import_confirm"))
    assert {i.key_task.number for i in WorkItem.objects.filter(indicator_name=AWARD)} == {5}


def test_a_doubtful_abbreviation_can_be_made_a_unit_of_its_own(client, coordinator):
    preview = _upload(client, "haining-2023-2027.txt")
    field = _field(preview, "市文旅体局")
    html = preview.content.decode()
    assert "按简称推测为 市文化广电旅游局" in html
    client.post(reverse("tasks:plan_import_confirm"), {field: "own"})
    plan = Plan.objects.get()
    assert Unit.objects.filter(region=plan.region, name="市文旅体局").exists()
    assert not UnitAlias.objects.filter(name="市文旅体局").exists()


def test_unreadable_deadlines_are_listed_with_their_line(client, coordinator):
    response = _upload(client, "small.txt", SMALL_PLAN.encode())
    html = response.content.decode()
    assert "无法识别的完成期限 (1)" in html
    assert '<a class="line-link" href="#L7">第 7 行</a>: <b>“视情况而定”</b> — 创建未来社区5个。' in html
    client.post(reverse("tasks:plan_import_confirm"))
    item = WorkItem.objects.get(text="创建未来社区5个。")
    assert item.deadline is None and item.deadline_text == "视情况而定"
    warning = next(w for w in Plan.objects.get().import_warnings if w["code"] == "deadline_unreadable")
    assert warning["line"] == 7 and warning["target"] == {"model": "workitem", "id": item.pk}


def test_cancel_discards_the_staged_document(client, coordinator, settings):
    _upload(client)
    response = client.post(reverse("tasks:plan_import_cancel"))
    assert response.status_code == 302
    assert not any((Path(settings.MEDIA_ROOT) / "import-staging").iterdir())
    assert client.post(reverse("tasks:plan_import_confirm"))["Location"] == reverse("tasks:plan_import")
    assert not Plan.objects.exists()


def test_preview_costs_the_same_queries_for_a_region_of_3_or_300_units(client, coordinator,
                                                                       django_assert_max_num_queries):
    units = _yuecheng_region("区住房和城乡建设局", "区教育局", "区文广旅游局")
    _upload(client)
    # 10: the staff flag no longer means "every plan", so the nav asks which plans the user coordinates; the
    # default short name asks which the region's other plans already use.
    with django_assert_max_num_queries(10):
        client.get(reverse("tasks:plan_import_preview"))
    for i in range(297):
        UnitFactory(region=units[0].region, name=f"区测试单位{i}")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("tasks:plan_import_preview"))
    assert len(response.context["preview"].region_units) == 300


def test_unreadable_upload_is_reshown_with_the_file_named(client, coordinator):
    response = _upload(client, "plan.txt", b"\x00\x01\x02" * 500)
    assert response.status_code == 200
    assert "plan.txt" in response.content.decode()
    assert not Plan.objects.exists()


def test_wrong_type_is_refused(client, coordinator):
    response = _upload(client, "plan.exe", b"MZ")
    assert "只支持" in response.content.decode()


@pytest.mark.parametrize("who", ["liaison", "staff_without_permission"])
def test_only_users_who_may_add_plans_can_import(client, who):
    user = liaison_for(UnitFactory()) if who == "liaison" else UserFactory(is_staff=True)
    client.force_login(user)
    assert client.get(reverse("tasks:plan_import")).status_code == 403
    document = SimpleUploadedFile("y.txt", (PLANS / "yuecheng-2023-2027.txt").read_bytes())
    assert client.post(reverse("tasks:plan_import"), {"document": document}).status_code == 403
    assert client.get(reverse("tasks:plan_import_preview")).status_code == 403
    assert client.post(reverse("tasks:plan_import_confirm")).status_code == 403
    assert client.post(reverse("tasks:plan_import_cancel")).status_code == 403
    assert client.post(reverse("tasks:plan_import_columns")).status_code == 403
    assert not Plan.objects.exists()


def test_a_liaison_cannot_confirm_a_coordinators_staged_import(client, coordinator):
    _upload(client)
    client.force_login(liaison_for(UnitFactory()))
    assert client.post(reverse("tasks:plan_import_confirm")).status_code == 403
    assert not Plan.objects.exists()


def test_preview_shows_the_warning_the_import_itself_will_add(client, coordinator):
    response = _upload(client)
    message = "工作清单指标“城镇危房实质性解危（处）”在目标表中没有对应指标，请在管理后台关联。"
    assert f'<a class="line-link" href="#L134">第 134 行</a>: {message}' in response.content.decode()
    client.post(reverse("tasks:plan_import_confirm"))
    stored = {w["code"]: w for w in Plan.objects.get().import_warnings}["indicator_not_matched"]
    assert (stored["line"], stored["message"]) == (134, message)


def test_a_link_not_posted_keeps_the_guess_unconfirmed_and_an_empty_choice_unlinks(client, coordinator):
    preview = _upload(client)
    field = _field(preview, AWARD)
    client.post(reverse("tasks:plan_import_confirm"))
    items = WorkItem.objects.filter(indicator_name=AWARD)
    assert {(i.key_task.number, i.link_confirmed) for i in items} == {(6, False)}
    _upload(client)
    client.post(reverse("tasks:plan_import_confirm"), {field: ""})
    assert {(i.key_task, i.link_confirmed) for i in items.all()} == {(None, True)}
    # Someone stays responsible: the lead the document's list gave them.
    assert {i.assignments.get(role=Role.LEAD).unit.name for i in items.all()} == {"区建设局"}
