"""Items from meetings and instructions in the 月晾晒: their own section, and counted in their units' results."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tasks.importers.decisions import parse_decisions
from tasks.models import RoundupSettings, WorkItem
from tasks.roundups.html import render_standalone_html
from tasks.roundups.periods import Period
from tasks.roundups.report import RoundupReport
from tasks.roundups.xlsx import render_xlsx
from tasks.selectors.roundups import roundup_data, roundup_document
from tasks.services.decisions import decisions_import
from tasks.tests.daily_setup import make_world
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db

MINUTES = """专班会议纪要（2026年3月12日）
一、由区建设局牵头，区财政局配合，于2026年4月20日前完成改造方案。
二、区教育局负责学校周边住房摸排，2026年4月10日前完成。
三、区建设局负责年底前完成验收，2026年12月31日前完成。
"""


def test_the_month_lists_items_from_meetings_due_in_it_and_counts_them_for_their_leads():
    w = make_world(today=date(2026, 6, 1))
    decisions_import(plan=w.plan, parsed=parse_decisions(MINUTES), origin_ref="纪要〔2026〕2号")
    data = roundup_data(plan=w.plan, period=Period.month(2026, 4))
    rows = data["outside_items"]
    assert [(r["lead_unit"], r["due_date"], r["outcome"], r["origin_ref"]) for r in rows] == [
        ("区教育局", "2026-04-10", "overdue", "纪要〔2026〕2号"),
        ("区建设局", "2026-04-20", "overdue", "纪要〔2026〕2号"),
    ]
    units = {u["unit"]: u for u in data["units"]}
    assert units["区教育局"]["overdue"] == 1 and units["区建设局"]["overdue"] == 1
    report = RoundupReport(data=data)
    assert "outside" in [key for key, _heading in report.sections]
    # The workbook has the section as a sheet of its own, the same rows as the page.
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["会议批示事项"]
    assert [(r[2], r[4]) for r in sheet.iter_rows(min_row=3, values_only=True)] == [
        ("纪要〔2026〕2号", "区教育局"), ("纪要〔2026〕2号", "区建设局")]
    # A liaison reads the rows of items they may see.
    doc = roundup_document(plan=w.plan, period=Period.month(2026, 4), user=w.other_user)
    assert [r["lead_unit"] for r in doc["outside_items"]] == ["区教育局"]
    # A month with none has no such section.
    quiet = RoundupReport(data=roundup_data(plan=w.plan, period=Period.month(2026, 2)))
    assert "outside" not in [k for k, _h in quiet.sections]
    assert "会议批示事项" not in load_workbook(io.BytesIO(render_xlsx(quiet))).sheetnames


def _units(data) -> dict:
    return {u["unit"]: u for u in data["units"]}


def test_the_plans_outside_weight_decides_how_items_from_meetings_count_in_unit_results():
    w = make_world(today=date(2026, 6, 1))
    april = Period.month(2026, 4)
    # A plan item 区建设局 led and finished on time in April.
    done = WorkItemFactory(plan=w.plan, year=2026, lead=w.lead, deadline=date(2026, 4, 15))
    WorkItem.objects.filter(pk=done.pk).update(
        status=WorkItem.Status.DONE, completed_at=datetime(2026, 4, 14, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
        completed_on_time=True)
    plan_only = roundup_data(plan=w.plan, period=april)  # before the meeting: the plan's items alone
    decisions_import(plan=w.plan, parsed=parse_decisions(MINUTES), origin_ref="纪要〔2026〕2号")

    # Default (weight 1): counted like plan items, and shown apart in ``outside``.
    counted = roundup_data(plan=w.plan, period=april)
    assert counted["rules"]["outside_weight"] == 1.0
    before, after = _units(plan_only), _units(counted)
    lead = after["区建设局"]
    assert lead["outside"]["lead"]["overdue"] == 1 and lead["outside"]["lead"]["due"] == 1
    assert (lead["due"], lead["overdue"]) == (before["区建设局"]["due"] + 1, before["区建设局"]["overdue"] + 1)
    assert after["区财政局"]["outside"]["support"]["due"] == after["区财政局"]["support"]["due"] == 1
    assert "区财政局" not in before
    report = RoundupReport(data=counted)
    note = "含会议批示事项：牵头1项、配合0项"
    assert note in report.unit_line(lead["unit_id"])  # the unit's email
    assert note in render_standalone_html(report)  # the page's unit table
    assert "（方案外事项）权重1：" in render_standalone_html(report)  # and its 统计口径
    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["单位排名"]
    assert note in [c.value for c in sheet["Q"]]

    # Weight 0: listed in its own section, not counted: every unit's results are the plan's alone.
    RoundupSettings.objects.create(plan=w.plan, outside_weight="0")
    ignored = roundup_data(plan=w.plan, period=april)
    assert [r["lead_unit"] for r in ignored["outside_items"]] == ["区教育局", "区建设局"]
    strip = ("unit", "due", "done_on_time", "overdue", "score", "rank", "colour", "support")
    assert [{k: u[k] for k in strip} for u in ignored["units"]] == [
        {k: u[k] for k in strip} for u in plan_only["units"]]
    assert all(not u["outside"]["lead"]["due"] and not u["outside"]["support"]["due"] for u in ignored["units"])
    assert ignored["units_without_due"] == plan_only["units_without_due"]
    assert "含会议批示事项" not in RoundupReport(data=ignored).unit_line(lead["unit_id"])

    # Weight 0.5: counted (the same counts as at 1), weighing half in the score.
    RoundupSettings.objects.filter(plan=w.plan).update(outside_weight="0.5")
    half = _units(roundup_data(plan=w.plan, period=april))
    assert half["区建设局"]["due"] == lead["due"]
    assert half["区建设局"]["outside"] == lead["outside"]
    plan_score = before["区建设局"]["score"]
    assert (plan_score, half["区建设局"]["score"], lead["score"]) == (100.0, 66.7, 50.0)
