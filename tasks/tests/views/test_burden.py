"""基层负担: the coordinator's page per unit and month (a liaison sees their own unit's rows), its exports,
the annual appendix, the evidence setting on the close form, and forms that start from the last report."""

import csv
import io
import uuid
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tasks.models import IndicatorReport, ProgressReport, Reminder, WorkItem
from tasks.roundups.periods import Period
from tasks.roundups.report import pct
from tasks.selectors.roundups import roundup_document
from tasks.services.reports import work_item_report_progress
from tasks.services.roundups import roundup_generate, roundup_publish
from tasks.tests.daily_setup import login, make_world, pdf

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 6, 15)


def _sent(item, unit, kind, when, step):
    Reminder.objects.create(work_item=item, kind=kind, step=step, email="x@x.cn", role=Reminder.RecipientRole.LEAD,
                            unit=unit, scheduled_for=when.date(), status=Reminder.Status.SENT, sent_at=when,
                            digest=uuid.uuid4(), created_at=when)


@pytest.fixture
def w():
    w = make_world(today=TODAY)
    # The lead reported in May, then May's monthly request came (asked twice); the other unit got one too.
    work_item_report_progress(item=w.item, user=w.lead_user, note="五月进展", percent=40,
                              at=datetime(2026, 5, 3, 9, tzinfo=TZ))
    _sent(w.item, w.lead, Reminder.Kind.MONTHLY, datetime(2026, 5, 5, 9, tzinfo=TZ), 202605)
    _sent(w.other_item, w.other, Reminder.Kind.MONTHLY, datetime(2026, 5, 5, 9, tzinfo=TZ), 202605)
    return w


def _page(client, w, **params):
    return client.get(reverse("tasks:plan_burden", args=[w.plan.slug]), params)


def test_the_coordinator_sees_every_unit_per_month_beside_its_results(client, w):
    login(client, w.coordinator)
    response = _page(client, w, year=2026)
    assert response.status_code == 200
    text = response.content.decode()
    assert "区建设局" in text and "区教育局" in text and "2026-05" in text
    assert "burden-summary" in text and "不计分、不排名" in text
    table = response.context["table"]
    rows = {(r["unit"], r["month"]): r for r in table.data}
    may = rows[("区建设局", date(2026, 5, 1))]
    assert may["reports_requested"] == 1 and may["asked_twice"] == 1
    assert rows[("区财政局", date(2026, 7, 1))]["reports_requested"] == 1  # its part of the item due in July
    # Sorted as the reader asks (by total, most first), never ranked.
    response = _page(client, w, year=2026, sort="-asked_twice")
    assert [r.record["unit"] for r in response.context["table"].page.object_list][0] == "区建设局"
    # One month only.
    assert not _page(client, w, year=2026, month=4).context["table"].data


def test_the_page_exports_the_same_rows_to_excel_and_csv(client, w):
    login(client, w.coordinator)
    page = _page(client, w, year=2026)
    response = _page(client, w, year=2026, export="xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["各单位合计", "按单位和月份"]
    rows = list(book["按单位和月份"].iter_rows(values_only=True))
    assert rows[0][:2] == ("单位", "月份") and {r[0] for r in rows[1:]} == {"区建设局", "区财政局", "区教育局"}
    # The first sheet is the page's totals table: per unit its results beside its asks, the same figures.
    totals = list(book["各单位合计"].iter_rows(values_only=True))
    assert totals[0] == ("单位", "牵头应办", "按期完成", "按期完成率", "逾期未完成", "要求报送", "要求佐证", "提醒催办",
                         "督办单", "签收催办", "重复索要", "合计", "未送达(不计入)")
    shown = {s["unit"]: s for s in page.context["summary"]}
    assert [r[0] for r in totals[1:]] == sorted(shown) == ["区建设局", "区教育局", "区财政局"]
    for row in totals[1:]:
        s = shown[row[0]]
        assert row[1:] == (
            s["n_due"] if s["n_due"] is not None else "—", s["n_on_time"] if s["n_due"] is not None else "—",
            pct(s["on_time_rate"]) if s["n_due"] is not None else "—",
            s["n_overdue"] if s["n_due"] is not None else "—",
            s["reports_requested"], s["evidence_demanded"], s["reminders"], s["notices"], s["sign_chases"],
            s["asked_twice"], s["total"], s["undelivered"])
    builder = shown["区建设局"]
    assert builder["asked_twice"] == 1 and builder["n_due"] is not None
    assert f'<td data-label="合计"><b>{builder["total"]}</b></td>' in page.content.decode()
    response = _page(client, w, year=2026, export="csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][0] == "单位" and ["区建设局", "2026-05", "1", "0", "0", "0", "0", "1", "1", "0"] in lines
    # A CSV holds one table: the totals on request.
    response = _page(client, w, year=2026, export="csv", table="totals")
    assert "%E5%90%84%E5%8D%95%E4%BD%8D%E5%90%88%E8%AE%A1" in response["Content-Disposition"]  # 各单位合计
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == [str(h) for h in totals[0]]
    assert lines[1:] == [["" if v is None else str(v) for v in row] for row in totals[1:]]


@pytest.fixture
def default_language_after():
    yield
    translation.activate(settings.LANGUAGE_CODE)  # a request to /en/ left English active in this thread


def test_the_totals_export_is_in_english_on_the_english_site(client, w, default_language_after):
    login(client, w.coordinator)
    url = "/en" + reverse("tasks:plan_burden", args=[w.plan.slug])
    book = load_workbook(io.BytesIO(client.get(url, {"year": 2026, "export": "xlsx"}).content))
    assert book.sheetnames == ["Totals by unit", "By unit and month"]
    header = [c.value for c in book["Totals by unit"][1]]
    assert header[:5] == ["Unit", "Lead items due", "Closed on time", "On-time rate", "Overdue and open"]
    assert header[-2:] == ["Total", "Not delivered (not counted)"] and "Reports requested" in header
    page = client.get(url, {"year": 2026}).content.decode()
    assert "Export CSV (totals)" in page and "table=totals" in page


def test_a_liaison_sees_only_their_own_units_rows(client, w):
    login(client, w.lead_user)
    response = _page(client, w, year=2026)
    assert response.status_code == 200
    assert {r["unit"] for r in response.context["table"].data} == {"区建设局"}
    assert "区教育局" not in response.content.decode()
    login(client, w.lead_user)
    lines = list(csv.reader(io.StringIO(_page(client, w, year=2026, export="csv").content.decode("utf-8-sig"))))
    assert {line[0] for line in lines[1:]} == {"区建设局"}


def test_another_plans_coordinator_and_a_stranger_get_nothing(client, w):
    assert _page(client, w).status_code == 302  # to the login page
    login(client, w.other_coordinator)
    assert _page(client, w).status_code == 404
    assert client.get(reverse("tasks:plan_burden", args=["no-such-plan"])).status_code == 404


def test_the_annual_assessment_has_the_burden_appendix(client, w):
    roundup = roundup_generate(plan=w.plan, period=Period.year(2026), today=date(2027, 1, 2))[0]
    login(client, w.coordinator)
    text = client.get(reverse("tasks:roundup_detail", args=[roundup.pk])).content.decode()
    assert "附：基层负担" in text and "重复索要" in text
    book = load_workbook(io.BytesIO(client.get(reverse("tasks:roundup_xlsx", args=[roundup.pk])).content))
    sheet = book["基层负担"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    # May's request (asked twice) and the item due in July.
    assert rows["区建设局"][1] == 2 and rows["区建设局"][6] == 1
    assert rows["区建设局"][7 + 5] == 1 and rows["区建设局"][7 + 7] == 1  # May's and July's columns
    month = roundup_generate(plan=w.plan, period=Period.month(2026, 5), today=date(2026, 6, 2))[0]
    assert "基层负担" not in client.get(reverse("tasks:roundup_detail", args=[month.pk])).content.decode()


def test_an_assessment_frozen_before_the_appendix_says_not_recorded(client, w):
    """Its appendix is neither missing (as if nothing had been asked) nor computed now (today's settings and
    rows are not what was asked then): the page, the workbook and the document say "not recorded"."""
    roundup = roundup_generate(plan=w.plan, period=Period.year(2026), today=date(2027, 1, 2))[0]
    del roundup.data["burden"]
    roundup.save(update_fields=["data"])
    login(client, w.coordinator)
    text = client.get(reverse("tasks:roundup_detail", args=[roundup.pk])).content.decode()
    assert "附：基层负担" in text and "未记录：本年度考核生成时系统尚未统计基层负担" in text
    assert "重复索要" not in text
    sheet = load_workbook(io.BytesIO(client.get(reverse("tasks:roundup_xlsx", args=[roundup.pk])).content))["基层负担"]
    assert sheet["A2"].value.startswith("未记录") and sheet.max_row == 2
    # The document (the status API, ``roundup --json``) says null, not an empty list (nothing was asked).
    roundup_publish(roundup=roundup, actor=w.coordinator)
    assert roundup_document(plan=w.plan, period=Period.year(2026))["burden"] is None
    assert roundup_document(plan=w.plan, period=Period.year(2026), user=w.lead_user)["burden"] is None


def test_the_report_form_starts_from_the_units_last_report(client, w):
    login(client, w.lead_user)
    form = client.get(w.item.get_absolute_url()).context["report_form"]
    assert form.initial == {"note": "五月进展", "percent": 40}
    work_item_report_progress(item=w.item, user=w.support_user, note="资金已下达", at=datetime(2026, 6, 1, tzinfo=TZ))
    login(client, w.support_user)
    assert client.get(w.item.get_absolute_url()).context["report_form"].initial == {"note": "资金已下达"}
    login(client, w.other_user)  # nothing reported yet: an empty form
    assert not client.get(w.other_item.get_absolute_url()).context["report_form"].initial


def test_the_indicator_form_starts_from_the_last_figure(client, w):
    IndicatorReport.objects.create(indicator=w.indicator, month=date(2026, 5, 1), value=Decimal("3.1"), note="五月",
                                   unit=w.lead, reported_at=datetime(2026, 6, 1, tzinfo=TZ))
    login(client, w.lead_user)
    form = client.get(w.indicator.get_absolute_url()).context["form"]
    assert form.initial["value"] == Decimal("3.1") and form.initial["note"] == "五月"


def test_the_close_form_asks_for_evidence_only_where_the_plan_requires_it(client, w):
    login(client, w.lead_user)
    url = reverse("tasks:work_item_close", args=[w.item.pk])
    assert "必填" not in str(client.get(w.item.get_absolute_url()).context["close_form"]["files"].help_text)
    w.plan.evidence_for_plan_items = True
    w.plan.save()
    assert "必填" in str(client.get(w.item.get_absolute_url()).context["close_form"]["files"].help_text)
    response = client.post(url, {"note": "已完成"})
    assert response.status_code == 200 and "佐证材料" in response.content.decode()
    assert response.context["close_form"].errors["files"]
    w.item.refresh_from_db()
    assert w.item.status != WorkItem.Status.AWAITING_REVIEW
    response = client.post(url, {"note": "已完成", "files": pdf()})
    w.item.refresh_from_db()
    assert response.status_code == 302 and w.item.status == WorkItem.Status.AWAITING_REVIEW
    assert ProgressReport.objects.filter(work_item=w.item, kind="close_request").count() == 1


def test_the_api_gives_a_liaison_only_their_own_units_appendix_row(client, w):
    from tasks.selectors.roundups import roundup_document

    whole = roundup_document(plan=w.plan, period=Period.year(2026))
    assert {r["unit"] for r in whole["burden"]} == {"区建设局", "区财政局", "区教育局"}
    own = roundup_document(plan=w.plan, period=Period.year(2026), user=w.lead_user)
    assert [r["unit"] for r in own["burden"]] == ["区建设局"]
    assert "burden" not in roundup_document(plan=w.plan, period=Period.month(2026, 5))
