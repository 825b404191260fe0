"""Issue 11's numbered problems that a page or a service shows (the importer's are in test_import_limits.py,
the races in test_review_races.py). Each failed before the fix."""

import time
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from tasks.models import ExtensionRequest, ProgressReport, StatusChange, WorkItem
from tasks.services.reports import work_item_comment, work_item_report_progress, work_item_request_close
from tasks.services.review import (
    extension_grant,
    extension_reject,
    extension_request_create,
    work_item_accept,
    work_item_return,
)
from tasks.tests.daily_setup import login, make_world
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db
S = WorkItem.Status
ZW = "\u200b\u200c\u200d\ufeff"


def _sheet(response):
    assert response.status_code == 200
    return load_workbook(BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


# 1 ------------------------------------------------------------------------------------------------------
def test_1_exports_work_when_the_unit_name_holds_sheet_title_characters(client):
    w = make_world()
    w.lead.name = "区/建\\设?局*[一]:"
    w.lead.save()
    login(client, w.lead_user)
    wb = _sheet(client.get(reverse("tasks:my_work"), {"export": "xlsx"}))
    assert wb.active.title == "区_建_设_局__一__"
    login(client, w.coordinator)
    WorkItemFactory(plan=w.plan, year=w.today.year, text="逾期", deadline=w.today - timedelta(days=3),
                    due_date=w.today - timedelta(days=3), lead=w.lead)
    _sheet(client.get(reverse("tasks:overdue"), {"export": "xlsx"}))


# 2 ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["²", "9" * 30, "-1", "1.5"])
def test_2_remind_now_with_a_bad_id_is_refused_not_a_500(client, raw):
    w = make_world()
    login(client, w.coordinator)
    response = client.post(reverse("tasks:overdue_remind"), {"item": [str(w.item.pk), raw]})
    assert response.status_code == 403


def test_2_a_30_digit_id_in_a_url_is_a_404(client):
    w = make_world()
    login(client, w.coordinator)
    assert client.get(f"/items/{'9' * 30}/").status_code == 404
    assert client.post(reverse("tasks:review_bulk_accept"), {"items": ["²"]}).status_code == 403


# 3 ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("per_page", ["-1", "0", "abc", "9" * 30, "100000"])
def test_3_per_page_out_of_range_gives_a_page(client, per_page):
    w = make_world()
    login(client, w.lead_user)
    response = client.get(reverse("tasks:my_work"), {"per_page": per_page, "page": "-3"})
    assert response.status_code == 200
    assert 1 <= response.context["table"].paginator.per_page <= 200
    login(client, w.coordinator)
    for name in ("tasks:overdue", "tasks:review_queue"):
        assert client.get(reverse(name), {"per_page": per_page, "c-per_page": per_page}).status_code == 200


# 4 ------------------------------------------------------------------------------------------------------
def test_4_an_extension_past_the_plans_years_plus_two_is_refused_and_far_deadlines_render_fast(client):
    w = make_world()
    far = date(9999, 12, 31)
    with pytest.raises(ValidationError) as e:
        extension_request_create(item=w.item, user=w.lead_user, reason="理由", proposed_due_date=far)
    assert "proposed_due_date" in e.value.error_dict
    last = date(w.plan.last_year + 2, 12, 31)
    request = extension_request_create(item=w.item, user=w.lead_user, reason="理由", proposed_due_date=last)
    with pytest.raises(ValidationError):
        extension_grant(request=request, user=w.coordinator, due_date=far)
    login(client, w.coordinator)
    response = client.post(reverse("tasks:extension_decide", args=[request.pk]),
                           {"decision": "grant", "due_date": "9999-12-31"})
    assert response.status_code == 200 and response.context["decision_form"].errors
    assert WorkItem.objects.get(pk=w.item.pk).due_date == w.item.due_date
    # A deadline written before the bound existed still renders at once.
    WorkItem.objects.filter(pk=w.item.pk).update(due_date=far)
    start = time.perf_counter()
    assert client.get(w.item.get_absolute_url()).status_code == 200
    assert time.perf_counter() - start < 3


# 9 (without threads: the stale instance a view holds) -----------------------------------------------------
def test_9_an_extension_request_on_an_item_closed_meanwhile_is_refused():
    w = make_world()
    stale = WorkItem.objects.get(pk=w.item.pk)  # the lead's page loaded the item ...
    work_item_request_close(item=w.item, user=w.lead_user, note="完成")
    work_item_accept(item=w.item, user=w.coordinator)  # ... then the coordinator closed it
    with pytest.raises(ValidationError):
        extension_request_create(item=stale, user=w.lead_user, reason="需要更多时间",
                                 proposed_due_date=stale.due_date + timedelta(days=30))
    assert not ExtensionRequest.objects.filter(work_item=w.item).exists()


# 10 -----------------------------------------------------------------------------------------------------
def test_10_notes_comments_and_reasons_of_only_zero_width_characters_are_missing():
    w = make_world()
    with pytest.raises(ValidationError):
        work_item_report_progress(item=w.item, user=w.lead_user, note=ZW)
    with pytest.raises(ValidationError):
        work_item_request_close(item=w.item, user=w.lead_user, note=f" {ZW}\n")
    with pytest.raises(ValidationError):
        work_item_comment(item=w.item, user=w.coordinator, note=ZW)
    with pytest.raises(ValidationError):
        extension_request_create(item=w.item, user=w.lead_user, reason=ZW,
                                 proposed_due_date=w.item.due_date + timedelta(days=10))
    request = extension_request_create(item=w.item, user=w.lead_user, reason="理由",
                                       proposed_due_date=w.item.due_date + timedelta(days=10))
    with pytest.raises(ValidationError):
        extension_reject(request=request, user=w.coordinator, note=ZW)
    work_item_request_close(item=w.item, user=w.lead_user, note="完成\u200b情况")
    with pytest.raises(ValidationError):
        work_item_return(item=w.item, user=w.coordinator, reason=ZW)
    assert ProgressReport.objects.get(work_item=w.item).note == "完成情况"
    assert not StatusChange.objects.filter(to_status=S.RETURNED).exists()


def test_10_forms_show_a_zero_width_note_as_missing(client):
    w = make_world()
    login(client, w.lead_user)
    response = client.post(reverse("tasks:work_item_close", args=[w.item.pk]), {"note": ZW})
    assert response.status_code == 200 and "note" in response.context["close_form"].errors
    assert WorkItem.objects.get(pk=w.item.pk).status == S.NOT_STARTED


# 12 -----------------------------------------------------------------------------------------------------
def test_12_exports_keep_formula_looking_text_as_text(client):
    w = make_world()
    w.lead.name = "=HYPERLINK(\"http://evil\",\"x\")"
    w.lead.save()
    WorkItem.objects.filter(pk=w.item.pk).update(text="=1+2", due_date=w.today - timedelta(days=2))
    w.key_task.title = "@SUM(A1:A9)"
    w.key_task.save()
    login(client, w.lead_user)
    ws = _sheet(client.get(reverse("tasks:my_work"), {"export": "xlsx"})).active
    texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value == "=1+2" for c in texts)
    assert all(c.data_type == "s" for c in texts)
    login(client, w.coordinator)
    ws = _sheet(client.get(reverse("tasks:overdue"), {"export": "xlsx"})).active
    values = {c.value: c.data_type for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert values.get("=1+2") == "s"
    assert all(t == "s" for t in values.values())


def test_10_admin_text_fields_use_the_one_text_cleaner(rf):
    from django.contrib import admin

    from tasks.forms import TextField
    from tasks.models import Unit

    model_admin = admin.site._registry[Unit]
    field = model_admin.formfield_for_dbfield(Unit._meta.get_field("name"), request=rf.get("/"))
    assert isinstance(field, TextField)
    assert field.clean("区\u200b建设局\x07") == "区建设局"


def test_12_roundup_workbooks_keep_formula_looking_names_and_titles_as_text():
    from tasks.models import Indicator, KeyTask, Unit
    from tasks.roundups.periods import Period
    from tasks.roundups.report import RoundupReport
    from tasks.roundups.xlsx import render_xlsx
    from tasks.selectors.roundups import roundup_data
    from tasks.tests.roundup_golden import build_golden

    golden = build_golden()
    Unit.objects.filter(pk=golden.a.pk).update(name="=HYPERLINK(\"http://evil\",\"区建设局\")")
    KeyTask.objects.filter(plan=golden.plan, number=1).update(title="+扩大供给")
    Indicator.objects.filter(plan=golden.plan).update(name="@SUM(A1)")
    WorkItem.objects.filter(plan=golden.plan).update(text="-1+1 事项")
    report = RoundupReport(data=roundup_data(plan=golden.plan, period=Period.quarter(2023, 2)))
    wb = load_workbook(BytesIO(render_xlsx(report)))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if c.value.startswith(("=", "+", "-", "@"))]
    assert {c.value for c in risky} >= {"=HYPERLINK(\"http://evil\",\"区建设局\")", "@SUM(A1)"}
    assert all(c.data_type == "s" for c in risky)


@pytest.mark.parametrize("year", ["²", "9" * 30, "-1", "２０２６"])
def test_2_admin_calendar_year_parameters_are_parsed_not_isdigit(admin_client, year):
    assert admin_client.get(reverse("admin:tasks_calendaroverride_changelist"), {"year": year}).status_code in (
        200, 302)
    assert admin_client.get(reverse("admin:tasks_calendaroverride_year"), {"year": year}).status_code == 200
