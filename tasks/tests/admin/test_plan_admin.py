"""The plan's admin page lists the import's warnings readably, each linked to where it is fixed."""

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from tasks.importers import parse_plan_file
from tasks.models import Unit
from tasks.selectors.imports import plan_import_warnings
from tasks.services.plan_import import plan_import, plan_import_file
from tasks.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PLANS = Path(__file__).resolve().parents[3] / "fixtures" / "plans"
HAINING = PLANS / "haining-2023-2027.txt"
YUECHENG = PLANS / "yuecheng-2023-2027.txt"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _change_page(client, plan) -> str:
    response = client.get(reverse("admin:tasks_plan_change", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_unit_warnings_link_to_the_units_list_filtered_by_the_name(admin_client):
    plan = plan_import_file(path=HAINING).plan
    html = _change_page(admin_client, plan)
    assert '<ol class="import-warnings"' in html and "&quot;code&quot;" not in html
    assert "<b>第 38 行</b> 单位“市城投集团”不在有关单位名单中" in html
    rows = {r.unit: r for r in plan_import_warnings(plan=plan) if r.unit}
    assert set(rows) == {"市住建局", "市城投集团", "市文旅体局"}
    url = reverse("admin:tasks_unit_changelist") + "?q=%E5%B8%82%E6%96%87%E6%97%85%E4%BD%93%E5%B1%80"
    assert url in html
    # Following the link finds the unit the abbreviation was matched to (search covers aliases).
    href = html[html.index(url):].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlparse(href).query)["region__id__exact"] == [str(plan.region_id)]
    found = admin_client.get(href)
    assert [u.name for u in found.context["cl"].result_list] == ["市文化广电旅游局"]


def test_row_warnings_link_to_the_indicator_or_work_item_change_page(admin_client):
    plan = plan_import_file(path=HAINING).plan
    indicator = plan.indicators.get(number=11)
    html = _change_page(admin_client, plan)
    assert f'<a href="{reverse("admin:tasks_indicator_change", args=[indicator.pk])}">修改指标</a>' in html
    plan = plan_import_file(path=YUECHENG).plan
    item = plan.work_items.get(text__startswith="出台《绍兴市越城区稽山杯")
    html = _change_page(admin_client, plan)
    assert "<b>第 128 行</b>" in html
    assert f'<a href="{reverse("admin:tasks_workitem_change", args=[item.pk])}">修改工作事项</a>' in html


def test_a_warning_whose_row_was_deleted_has_no_dead_link(admin_client):
    plan = plan_import_file(path=YUECHENG).plan
    item = plan.work_items.get(text__startswith="出台《绍兴市越城区稽山杯")
    item.delete()
    html = _change_page(admin_client, plan)
    assert "<b>第 128 行</b>" in html
    assert reverse("admin:tasks_workitem_change", args=[item.pk]) not in html


def test_choices_made_in_the_preview_show_as_resolved(admin_client):
    parsed = parse_plan_file(HAINING)
    plan = plan_import(parsed=parsed, source_name=HAINING.name, source_bytes=HAINING.read_bytes(),
                       unit_mapping={"市文旅体局": None}).plan
    assert Unit.objects.filter(name="市文旅体局").exists()
    html = _change_page(admin_client, plan)
    assert "✓ 协调员确认：“市文旅体局”为独立单位" in html


def test_warnings_cost_a_fixed_number_of_queries(django_assert_max_num_queries):
    plan = plan_import_file(path=HAINING).plan
    with django_assert_max_num_queries(3):
        rows = plan_import_warnings(plan=plan)
    assert len(rows) == len(plan.import_warnings) == 6


def test_a_plan_without_warnings_says_so(admin_client):
    plan = plan_import_file(path=YUECHENG).plan
    plan.import_warnings = []
    plan.save()
    html = _change_page(admin_client, plan)
    assert '<ol class="import-warnings"' not in html and "<div class=\"readonly\">无</div>" in html


def test_the_plan_can_still_be_saved_and_keeps_its_warnings(admin_client):
    plan = plan_import_file(path=HAINING).plan
    warnings = plan.import_warnings
    form = admin_client.get(reverse("admin:tasks_plan_change", args=[plan.pk])).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
    data.update(region=plan.region_id, issuer="海宁市人民政府办公室", coordinators=[])
    response = admin_client.post(reverse("admin:tasks_plan_change", args=[plan.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    plan.refresh_from_db()
    assert plan.issuer == "海宁市人民政府办公室" and plan.import_warnings == warnings and plan.source_name


def test_the_deadline_in_force_is_read_only_in_the_admin_with_a_link_to_extensions(admin_client):
    from tasks.tests.factories import WorkItemFactory

    item = WorkItemFactory(deadline=date(2025, 6, 30), due_date=date(2025, 8, 31))
    page = admin_client.get(reverse("admin:tasks_workitem_change", args=[item.pk])).content.decode()
    assert 'name="due_date"' not in page
    assert "2025-08-31" in page and "已延期" in page and item.get_absolute_url() + "#extension" in page


def test_correcting_the_plans_deadline_records_it_and_keeps_an_extension():
    from tasks.models import StatusChange
    from tasks.services.deadlines import work_item_correct_deadline
    from tasks.tests.factories import WorkItemFactory

    plain = WorkItemFactory(deadline=None, due_date=None, deadline_text="长期坚持")
    work_item_correct_deadline(item=plain, deadline=date(2025, 12, 31), deadline_text="12月底前")
    plain.refresh_from_db()
    assert (plain.deadline, plain.due_date) == (date(2025, 12, 31), date(2025, 12, 31))
    row = StatusChange.objects.get(work_item=plain)
    assert (row.event, row.from_due_date, row.to_due_date) == ("deadline_corrected", None, date(2025, 12, 31))
    extended = WorkItemFactory(deadline=date(2025, 6, 30), due_date=date(2025, 8, 31))
    work_item_correct_deadline(item=extended, deadline=date(2025, 7, 31), deadline_text="7月底前")
    extended.refresh_from_db()
    assert (extended.deadline, extended.due_date) == (date(2025, 7, 31), date(2025, 8, 31))
