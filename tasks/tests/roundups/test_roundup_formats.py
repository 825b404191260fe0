"""The roundup's formatters: the self-contained HTML, the Excel workbook and the PDF."""

import os
import re
import unicodedata
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tasks.roundups.html import render_standalone_html
from tasks.roundups.pdf import chromium_path, render_pdf
from tasks.roundups.periods import Period
from tasks.roundups.report import RoundupReport
from tasks.roundups.xlsx import render_xlsx
from tasks.selectors.roundups import roundup_data
from tasks.tests.roundup_golden import build_golden

pytestmark = pytest.mark.django_db


@pytest.fixture
def golden():
    return build_golden()


def _report(golden, period: Period) -> RoundupReport:
    return RoundupReport(data=roundup_data(plan=golden.plan, period=period))


def test_standalone_html_needs_nothing_from_the_network(golden):
    html = render_standalone_html(_report(golden, Period.month(2023, 6)))
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html and "<script" not in html
    assert "<style>" in html and ".rp-table" in html  # styles inlined
    assert html.count("<svg") == 2  # the two charts
    assert "月晾晒（2023年6月）" in html
    assert "区资规局" in html and "逾期未完成事项（2项）" in html


def test_workbook_has_a_sheet_per_section_with_headers_formats_colours_frozen_rows_and_a_chart(golden):
    wb = load_workbook(BytesIO(render_xlsx(_report(golden, Period.month(2023, 6)))))
    assert wb.sheetnames == ["概况", "单位排名", "指标", "重点任务", "逾期事项"]

    units = wb["单位排名"]
    assert [c.value for c in units[3]][:9] == ["排名", "较上期", "责任单位", "应办", "按期完成", "逾期完成",
                                           "逾期未完成", "待审核", "按期率"]
    assert units.freeze_panes == "D4"
    assert [units.cell(row=r, column=3).value for r in (4, 5, 6)] == ["区财政局", "区建设局", "区资规局"]
    assert units["I4"].value == 0.5 and units["I4"].number_format == "0.0%"
    assert units["N5"].value == 50.0
    assert units["O5"].value == "红灯" and units["O5"].fill.fgColor.rgb.endswith("FDECEA")
    assert units["O4"].value == "绿灯" and units["O4"].fill.fgColor.rgb.endswith("E7F5EA")
    assert len(units._charts) == 1

    indicators = wb["指标"]
    assert indicators.freeze_panes == "D3"
    assert indicators["C2"].value == "指标" and indicators["L2"].value == "完成进度"
    assert indicators["L3"].value == 0.75 and indicators["L3"].number_format == "0.0%"
    assert indicators["K4"].value == "未填报"
    assert len(indicators._charts) == 1

    overdue = wb["逾期事项"]
    assert overdue.freeze_panes == "C3"
    assert overdue["G3"].value == 92
    assert overdue["F3"].number_format == "yyyy-mm-dd" and overdue["F3"].value.date().isoformat() == "2023-03-31"
    assert overdue["I3"].value == "已完成选址"

    assert wb["重点任务"]["G3"].value == 1


def test_quarter_and_year_workbooks_add_the_bulletin_and_the_assessment(golden):
    quarter = load_workbook(BytesIO(render_xlsx(_report(golden, Period.quarter(2023, 2)))))
    assert quarter.sheetnames[-1] == "表扬通报"
    assert quarter["表扬通报"]["B3"].value == "区资规局"
    year = load_workbook(BytesIO(render_xlsx(_report(golden, Period.year(2023)))))
    sheet = year["年度考核"]
    assert [c.value for c in sheet[2]] == ["排名", "责任单位", "按期完成率", "完成率得分（60分）", "牵头指标数",
                                           "指标完成度", "指标得分（40分）", "逾期未完成", "扣分", "考核得分", "类别"]
    assert [sheet.cell(row=3, column=c).value for c in (2, 10, 11)] == ["区财政局", 76.7, "部门"]
    assert sheet.freeze_panes == "C3"
    assert len(sheet._charts) == 1


def test_pdf_is_printed_by_chromium_with_the_chinese_text(golden):
    if not chromium_path():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (make sysdeps)")
        pytest.skip("Chromium is not installed (make sysdeps)")
    pdf = render_pdf(_report(golden, Period.month(2023, 6)))
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(BytesIO(pdf))
    first = reader.pages[0]
    assert float(first.mediabox.width) > float(first.mediabox.height)  # A4 landscape
    # Some CJK fonts map common characters to Kangxi radical glyphs (⽉ for 月) in the text layer.
    text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in reader.pages))
    assert "月晾晒(2023年6月)" in text
    assert "区资规局" in text and "已完成选址" in text


@pytest.mark.browser
def test_the_warning_column_shows_its_label_on_screen_and_in_print(golden):
    """绿灯/红灯 in the 预警 column are badges wide enough for their text (issue 29: one `.light` rule)."""
    if not os.path.exists("/usr/bin/chromium"):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (make sysdeps)")
        pytest.skip("Chromium is not installed (make sysdeps)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    html = render_standalone_html(_report(golden, Period.month(2023, 6)))
    measure = """() => [...document.querySelectorAll('.light')].filter(e => e.textContent.trim()).map(e => {
        const r = document.createRange(); r.selectNodeContents(e);
        return {text: e.textContent.trim(), box: e.getBoundingClientRect().width,
                ink: r.getBoundingClientRect().width, clipped: e.scrollWidth > e.clientWidth,
                colour: getComputedStyle(e).color, bg: getComputedStyle(e).backgroundColor};
    })"""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.set_content(html)
            for media in ("screen", "print"):
                page.emulate_media(media=media)
                badges = page.evaluate(measure)
                assert {b["text"] for b in badges} >= {"绿灯", "红灯"}, media
                for b in badges:
                    assert not b["clipped"] and b["box"] >= b["ink"] > 10, (media, b)
                    if b["text"] != "—":
                        assert b["colour"] != b["bg"], (media, b)
        finally:
            browser.close()
