"""A figure shown in two places comes from one function: the plan dashboard, the roundup (and the
``roundup --json`` document), the API and the roundup email agree on the same data."""

from __future__ import annotations

import json
import re
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from tasks.models import Unit, WorkItem, WorkItemUnit
from tasks.roundups.periods import Period
from tasks.roundups.report import pct
from tasks.selectors.roundups import roundup_data
from tasks.selectors.work import plan_unit_rows
from tasks.services import documents as documents_service
from tasks.services import roundups as roundup_service
from tasks.services.roundups import roundup_generate, roundup_publish
from tasks.tests.daily_setup import login, user
from tasks.tests.factories import PlanFactory, RegionFactory, UnitFactory, WorkItemFactory
from tasks.tests.roundup_golden import at

pytestmark = pytest.mark.django_db
S = WorkItem.Status
JUNE = Period.month(2023, 6)


@pytest.fixture
def office(monkeypatch):
    """A department that leads (one item done, a done parent with a waived part), a town with an overdue
    item, and a department that only supports (one part marked on time, one missing)."""
    monkeypatch.setattr(roundup_service, "html_to_pdf", lambda html: b"%PDF-1.4 stand-in")
    monkeypatch.setattr(documents_service, "docx_to_pdf", lambda data: b"%PDF-1.4 stand-in")
    region = RegionFactory(name="金鉴区", slug="jinjian")
    plan = PlanFactory(region=region, slug="agree")
    dept = UnitFactory(region=region, name="区建设局", emails="jianshe@example.gov.cn")
    town = UnitFactory(region=region, name="金鉴街道", kind=Unit.Kind.TOWN, town_kind="街道",
                       emails="jinjian@example.gov.cn")
    helper = UnitFactory(region=region, name="区财政局", emails="caizheng@example.gov.cn")
    done = {"status": S.DONE, "completed_on_time": True, "progress": 100}
    WorkItemFactory(plan=plan, lead=dept, supporting=[helper], deadline=date(2023, 6, 10),
                    completed_at=at(6, 9), **done)
    parent = WorkItemFactory(plan=plan, lead=dept, supporting=[helper], deadline=date(2023, 6, 20),
                             completed_at=at(6, 19), **done)
    WorkItemFactory(plan=plan, lead=dept, parent=parent, deadline=date(2023, 6, 20), status=S.WAIVED)
    WorkItemFactory(plan=plan, lead=town, deadline=date(2023, 6, 15), status=S.IN_PROGRESS)
    WorkItemUnit.objects.filter(unit=helper, work_item__deadline=date(2023, 6, 10)).update(support_done_at=at(6, 8))
    coordinator = user("coordinator", is_staff=True)
    plan.coordinators.add(coordinator)
    return plan, coordinator, {"dept": dept, "town": town, "helper": helper}


KEYS = ("due", "done_on_time", "overdue", "on_time_rate")


def test_dashboard_roundup_api_and_email_agree(client, office, celery_eager, django_capture_on_commit_callbacks):
    plan, coordinator, units = office
    data = roundup_data(plan=plan, period=JUNE)
    roundup = {u["unit"]: u for u in data["units"]}
    # By the rule: the waived part is not due; the department is 2 of 2 on time (the dashboard said 0.67).
    assert tuple(roundup["区建设局"][k] for k in KEYS) == (2, 2, 0, 1.0)
    assert tuple(roundup["金鉴街道"][k] for k in KEYS) == (1, 0, 1, 0.0)
    # The department that only supports is ranked among departments on its parts.
    helper = roundup["区财政局"]
    assert (helper["kind"], helper["due"], helper["support"]["due"], helper["rank"]) == ("department", 0, 2, 2)
    assert helper["score"] == 50.0 and data["units_without_due"] == []

    # The dashboard (live, every item here due in June) shows the same lead figures.
    login(client, coordinator)
    response = client.get(plan.get_absolute_url())
    shown = {u.name: (u.n_due, u.n_on_time, u.n_overdue, u.on_time_rate) for u in response.context["units"]}
    assert shown == {name: tuple(roundup[name][k] for k in KEYS) for name in ("区建设局", "金鉴街道")}
    assert {u.name for u in plan_unit_rows(plan, date(2023, 7, 1))} == set(shown)

    # The API returns the roundup --json document whole.
    out = StringIO()
    call_command("roundup", plan=plan.slug, month="2023-06", json=True, stdout=out)
    body = client.get(f"/api/v1/plans/{plan.slug}/status/?as_of=2023-06-30").json()
    assert body == json.loads(out.getvalue())
    assert {u["unit"]: tuple(u[k] for k in KEYS) for u in body["units"]} == {
        name: tuple(row[k] for k in KEYS) for name, row in roundup.items()
    }

    # The email: every recipient gets both rankings, each unit its own line, with the same figures.
    generated, _ = roundup_generate(plan=plan, period=JUNE, today=date(2023, 7, 1))
    with django_capture_on_commit_callbacks(execute=True):
        roundup_publish(roundup=generated, actor=coordinator, at=at(7, 3))
    to_dept = next(m for m in mail.outbox if m.to == ["jianshe@example.gov.cn"])
    for message in mail.outbox:
        assert "地方（镇、街道）排名" in message.body and "部门排名" in message.body, message.to
        assert re.search(r"1\. 金鉴街道 .*按期率 0\.0%", message.body)
        assert re.search(r"1\. 区建设局 .*按期率 100\.0%", message.body)
        assert re.search(r"2\. 区财政局 .*配合按期率 50\.0%", message.body)
    assert "区建设局：排名第1，得分100，" in to_dept.body and "牵头应办2项，按期完成2项" in to_dept.body
    assert pct(roundup["区建设局"]["on_time_rate"]) == "100.0%"


def test_an_indicators_actual_reads_the_same_everywhere_and_its_progress_is_of_that_value(client, office):
    from io import BytesIO

    from openpyxl import load_workbook

    from tasks.models import IndicatorReport
    from tasks.roundups.html import render_standalone_html
    from tasks.roundups.report import RoundupReport
    from tasks.roundups.xlsx import render_xlsx
    from tasks.tests.factories import IndicatorFactory, IndicatorTargetFactory

    plan, coordinator, _units = office
    indicator = IndicatorFactory(plan=plan, number=6, name="创县级及以上优质工程数量", measure="个")
    IndicatorTargetFactory(indicator=indicator, year=2023, text="40", value=40, comparator="ge")
    IndicatorReport.objects.create(indicator=indicator, month=date(2023, 6, 1), value="39.8125", reported_at=at(6, 28))

    (row,) = roundup_data(plan=plan, period=JUNE)["indicators"]
    assert (row["actual"], row["actual_text"], row["progress"]) == (39.8125, "39.81", 99.5)
    assert row["progress"] == round(float(row["actual_text"]) / 40 * 100, 1)  # of the value shown

    report = RoundupReport(data=roundup_data(plan=plan, period=JUNE))
    html = render_standalone_html(report)
    shown = html.split("创县级及以上优质工程数量", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">39.81</td>' in shown and "99.5%" in shown
    sheet = load_workbook(BytesIO(render_xlsx(report)))["指标"]
    assert 39.81 in [c.value for c in sheet[3]]

    login(client, coordinator)
    plan.last_year = 2023  # an ended plan: its dashboard stands at 2023-12-31, against the 2023 target
    plan.save(update_fields=["last_year"])
    page = client.get(plan.get_absolute_url()).context["indicator_rows"]
    assert [(p["actual_text"], p["progress"]) for p in page if p["id"] == indicator.pk] == [("39.81", 99.5)]
    body = client.get(f"/api/v1/plans/{plan.slug}/status/?as_of=2023-06-30").json()
    assert [(i["actual_text"], i["progress"]) for i in body["indicators"]] == [("39.81", 99.5)]


def test_an_item_kept_as_history_is_counted_nowhere_and_every_figure_still_agrees(client, office):
    """Issue 32 §4: an item past due when its plan was imported, kept as history, changes no figure: the
    rule, its SQL translations (roundup, dashboard) and the API agree, with and without it."""
    from tasks.rules import outcomes

    plan, coordinator, units = office
    before = {u["unit"]: tuple(u[k] for k in KEYS) for u in roundup_data(plan=plan, period=JUNE)["units"]}
    kept = WorkItemFactory(plan=plan, lead=units["town"], supporting=[units["helper"]], deadline=date(2023, 6, 12),
                           status=S.HISTORY)
    assert outcomes.item_outcome(status=kept.status, due=kept.due_date, on_time=None, as_of=date(2023, 6, 30)) \
        == outcomes.NOT_DUE
    data = roundup_data(plan=plan, period=JUNE)
    assert {u["unit"]: tuple(u[k] for k in KEYS) for u in data["units"]} == before
    assert kept.pk not in {i["id"] for i in data["overdue_items"]}
    helper = next(u for u in data["units"] if u["unit"] == "区财政局")
    assert helper["support"]["due"] == 2  # its part of the kept item is not due either

    login(client, coordinator)
    shown = {u.name: (u.n_due, u.n_on_time, u.n_overdue, u.on_time_rate)
             for u in client.get(plan.get_absolute_url()).context["units"]}
    assert shown == {name: before[name] for name in ("区建设局", "金鉴街道")}
    body = client.get(f"/api/v1/plans/{plan.slug}/status/?as_of=2023-06-30").json()
    assert {u["unit"]: tuple(u[k] for k in KEYS) for u in body["units"]} == before

    # The control: the same item tracked is overdue in all three.
    WorkItem.objects.filter(pk=kept.pk).update(status=S.IN_PROGRESS)
    town = next(u for u in roundup_data(plan=plan, period=JUNE)["units"] if u["unit"] == "金鉴街道")
    assert (town["due"], town["overdue"]) == (2, 2)
