"""Items from meetings and instructions in the 月晾晒: their own section, and counted in their units' results."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tasks.importers.decisions import parse_decisions
from tasks.roundups.periods import Period
from tasks.roundups.report import RoundupReport
from tasks.roundups.xlsx import render_xlsx
from tasks.selectors.roundups import roundup_data, roundup_document
from tasks.services.decisions import decisions_import
from tasks.tests.daily_setup import make_world

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
