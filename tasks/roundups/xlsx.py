"""Excel formatter: one sheet per section, Chinese headers, number formats, the page's colours, frozen
header rows and native bar charts. Written with openpyxl directly."""

from __future__ import annotations

from copy import copy
from datetime import date
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.marker import DataPoint
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tasks.rules import indicators as indicator_rules
from tasks.xlsx_safe import protect_workbook, safe_value

from .report import COLOUR_FILL, COLOUR_HEX, RoundupReport, colour_label

PCT = "0.0%"
SCORE = "0.0"
INT = "0"
DATE = "yyyy-mm-dd"
THIN = Side(style="thin", color="D0D5DB")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="F0F2F5")
GROUP_FILL = PatternFill("solid", fgColor="E6E9EE")
TITLE_FONT = Font(bold=True, size=14, color="B71C1C")
HEAD_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=COLOUR_FILL.get(colour, COLOUR_FILL["none"]))


def _font(colour: str, bold: bool = True) -> Font:
    return Font(bold=bold, color=COLOUR_HEX.get(colour, COLOUR_HEX["none"]))


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _title(ws: Worksheet, report: RoundupReport, heading: str, width: int) -> None:
    ws.cell(row=1, column=1, value=safe_value(f"{report.plan['title']} {report.title} · {heading}")).font = TITLE_FONT
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    ws.row_dimensions[1].height = 24


def _header(ws: Worksheet, row: int, headers: list[tuple[str, float]]) -> None:
    for col, (text, width) in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=safe_value(text))
        cell.font, cell.fill, cell.alignment, cell.border = HEAD_FONT, HEAD_FILL, CENTER, BORDER
        ws.column_dimensions[get_column_letter(col)].width = width


def _row(ws: Worksheet, row: int, values: list, formats: dict[int, str] | None = None) -> None:
    # Setting border/alignment/format objects on every cell hashes them each time (slow for thousands of
    # rows); each combination is built once per workbook and its style array copied.
    cache = ws.parent.__dict__.setdefault("_roundup_styles", {})
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=safe_value(value))
        key = (formats.get(col) if formats else None, isinstance(value, str) and len(value) > 12)
        if key in cache:
            cell._style = copy(cache[key])
            continue
        cell.border = BORDER
        if key[1]:
            cell.alignment = WRAP
        if key[0]:
            cell.number_format = key[0]
        cache[key] = copy(cell._style)


def _paint(cell, colour: str, *, fill: bool = True) -> None:
    """Colour a cell's text (and background) like the page, reusing the style once built."""
    cache = cell.parent.parent.__dict__.setdefault("_roundup_styles", {})
    key = ("paint", tuple(cell._style), colour, fill)
    if key in cache:
        cell._style = copy(cache[key])
        return
    cell.font = _font(colour)
    if fill:
        cell.fill = _fill(colour)
    cache[key] = copy(cell._style)


def _light(ws: Worksheet, row: int, col: int, colour: str) -> None:
    cell = ws.cell(row=row, column=col, value=safe_value(colour_label(colour)))
    cache = ws.parent.__dict__.setdefault("_roundup_styles", {})
    key = ("light", colour)
    if key in cache:
        cell._style = copy(cache[key])
        return
    cell.fill, cell.font, cell.alignment, cell.border = _fill(colour), _font(colour), CENTER, BORDER
    cache[key] = copy(cell._style)


def _bar_chart(ws: Worksheet, *, title: str, cats: Reference, data: Reference, colours: list[str],
               anchor: str, max_value: float | None, number_format: str) -> None:
    chart = BarChart()
    chart.type = "bar"  # horizontal bars, like the page
    chart.style = 10
    chart.title = title
    chart.legend = None
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.y_axis.scaling.min = 0
    if max_value is not None:
        chart.y_axis.scaling.max = max_value
    chart.y_axis.numFmt = number_format
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # first row on top
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    series = chart.series[0]
    series.graphicalProperties.solidFill = COLOUR_HEX["none"]
    for idx, colour in enumerate(colours):
        point = DataPoint(idx=idx)
        point.graphicalProperties.solidFill = COLOUR_HEX.get(colour, COLOUR_HEX["none"])
        point.graphicalProperties.line.solidFill = COLOUR_HEX.get(colour, COLOUR_HEX["none"])
        series.dPt.append(point)
    chart.height = max(7.5, 0.55 * len(colours) + 2.5)
    chart.width = 16
    ws.add_chart(chart, anchor)


def _summary_sheet(wb: Workbook, report: RoundupReport) -> None:
    ws = wb.active
    ws.title = _("概况")
    ws.cell(row=1, column=1, value=safe_value(report.plan["title"])).font = TITLE_FONT
    ws.cell(row=2, column=1, value=safe_value(report.title)).font = Font(bold=True, size=13)
    period = report.period
    ws.cell(row=3, column=1, value=safe_value(
        _("统计期间 %(s)s 至 %(e)s，数据截至期末当日24时") % {"s": period["start"], "e": period["end"]}))
    status = _("已发布") if report.status == "published" else _("草稿，未发布")
    ws.cell(row=4, column=1, value=safe_value(_("状态：%s") % status))
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 14
    row = 6
    ws.cell(row=row, column=1, value=safe_value(_("要点"))).font = HEAD_FONT
    for line in report.highlights():
        row += 1
        ws.cell(row=row, column=1, value=safe_value(line))
    row += 2
    _header(ws, row, [(_("项目"), 22), (_("本期"), 14), (_("本年累计"), 14)])
    ws.freeze_panes = None
    s, cum = report.summary, report.summary["cumulative"]
    lines = [
        (_("应办事项"), s["due"], cum["due"], INT),
        (_("按期完成"), s["done_on_time"], cum["done_on_time"], INT),
        (_("逾期完成"), s["done_late"], cum["done_late"], INT),
        (_("逾期未完成"), s["overdue"], cum["overdue"], INT),
        (_("待审核"), s["awaiting_review"], cum["awaiting_review"], INT),
        (_("按期完成率"), s["on_time_rate"], cum["on_time_rate"], PCT),
    ]
    for label, value, total, fmt in lines:
        row += 1
        _row(ws, row, [label, value, total], {2: fmt, 3: fmt})
    ws.column_dimensions["C"].width = 14


def _units_sheet(wb: Workbook, report: RoundupReport) -> None:
    ws = wb.create_sheet(_("单位排名"))
    headers = [
        (_("排名"), 6), (_("较上期"), 8), (_("责任单位"), 22),
        (_("应办"), 7), (_("按期完成"), 9), (_("逾期完成"), 9), (_("逾期未完成"), 10), (_("待审核"), 8),
        (_("按期率"), 9), (_("应办"), 7), (_("按期率"), 9), (_("应办"), 7), (_("按期率"), 9),
        (_("得分"), 8), (_("预警"), 8), (_("类别"), 8), (_("含会议批示事项"), 26),
    ]
    kinds = {"town": _("地方"), "department": _("部门")}
    _title(ws, report, _("单位排名"), len(headers))
    for start, end, text in ((4, 9, _("牵头事项（本期）")), (10, 11, _("配合事项（本期）")),
                             (12, 13, _("本年累计（牵头）"))):
        cell = ws.cell(row=2, column=start, value=safe_value(text))
        cell.font, cell.fill, cell.alignment = HEAD_FONT, GROUP_FILL, CENTER
        ws.merge_cells(start_row=2, start_column=start, end_row=2, end_column=end)
    _header(ws, 3, headers)
    ws.freeze_panes = "D4"
    formats = {9: PCT, 11: PCT, 13: PCT, 14: SCORE}
    row = 3
    for u in report.units:
        row += 1
        change = u["rank_change"]
        change_text = (
            "—" if u["rank"] is None else _("新") if u["previous_rank"] is None
            else f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else _("持平")
        )
        _row(ws, row, [
            u["rank"], change_text, u["unit"], u["due"], u["done_on_time"], u["done_late"], u["overdue"],
            u["awaiting_review"], u["on_time_rate"], u["support"]["due"], u["support"]["on_time_rate"],
            u["cumulative"]["lead"]["due"], u["cumulative"]["lead"]["on_time_rate"], u["score"],
        ], formats)
        if u["overdue"]:
            _paint(ws.cell(row=row, column=7), "red", fill=False)
        ws.cell(row=row, column=3).fill = _fill(u["colour"])
        _light(ws, row, 15, u["colour"])
        ws.cell(row=row, column=16, value=str(kinds.get(u.get("kind"), "")))
        ws.cell(row=row, column=17, value=safe_value(report.outside_note(u)) or None)
    if report.units_without_due:
        row += 2
        ws.cell(row=row, column=3, value=_("本期无到期事项")).font = HEAD_FONT
        for u in report.units_without_due:
            row += 1
            ws.cell(row=row, column=3, value=u["unit"])
            ws.cell(row=row, column=16, value=str(kinds.get(u.get("kind"), "")))
            ws.cell(row=row, column=17, value=safe_value(report.shares_line(u["unit_id"])) or None)
    charted = [u for u in report.units if u["due"]]
    if charted:
        # Units with items due come first (rank order), so the chart reads rows 4.. of the table.
        _outcome_chart(ws, first=4, last=3 + len(charted), anchor="R3")


def _outcome_chart(ws: Worksheet, *, first: int, last: int, anchor: str) -> None:
    """A 100% stacked bar per unit: on time, late, awaiting review, overdue (as on the page)."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "percentStacked"
    chart.overlap = 100
    chart.gapWidth = 60
    chart.title = _("各单位按期完成率（牵头事项，按排名）")
    # (column, colour): 按期完成 E, 逾期完成 F, 待审核 H, 逾期未完成 G.
    for col, colour in ((5, "2E7D32"), (6, "EF8F00"), (8, "60A5FA"), (7, "C62828")):
        chart.add_data(Reference(ws, min_col=col, min_row=3, max_row=last), titles_from_data=True)
        series = chart.series[-1]
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
    chart.set_categories(Reference(ws, min_col=3, min_row=first, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"  # first (best) unit on top
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.numFmt = "0%"
    chart.y_axis.majorGridlines = None
    chart.legend.position = "t"
    chart.height = max(7.5, 0.6 * (last - first + 1) + 3)
    chart.width = 18
    ws.add_chart(chart, anchor)


def _indicators_sheet(wb: Workbook, report: RoundupReport) -> None:
    ws = wb.create_sheet(_("指标"))
    headers = [
        (_("序号"), 6), (_("领域"), 10), (_("指标"), 30), (_("计量单位"), 9), (_("牵头单位"), 16),
        (_("年度目标"), 14), (_("目标值"), 10), (_("比较"), 6), (_("最新实际值"), 11), (_("填报月份"), 10),
        (_("本期填报"), 9), (_("完成进度"), 10), (_("应达进度"), 10), (_("预警"), 8),
    ]
    _title(ws, report, _("指标完成情况"), len(headers))
    _header(ws, 2, headers)
    ws.freeze_panes = "D3"
    symbols = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "eq": "="}
    row = 2
    for i in report.indicators:
        row += 1
        _row(ws, row, [
            i["number"], i["domain"], i["name"], i["measure"], i["lead_unit"] or "", i["target_text"] or "",
            i["target_value"], symbols.get(i["comparator"], ""),
            indicator_rules.shown_value(i["actual"], i.get("places", 4)), i["actual_month"] or "",
            _("是") if i["reported_in_period"] else _("未填报"),
            None if i["progress"] is None else i["progress"] / 100,
            None if i["expected"] is None else i["expected"] / 100,
        ], {12: PCT, 13: PCT})
        if not i["reported_in_period"]:
            _paint(ws.cell(row=row, column=11), "yellow", fill=False)
        _light(ws, row, 14, i["colour"])
    numeric = [n for n, i in enumerate(report.indicators) if i["target_value"] is not None]
    if numeric and len(numeric) == len(report.indicators):
        _bar_chart(
            ws, title=_("指标完成进度"),
            cats=Reference(ws, min_col=3, min_row=3, max_row=2 + len(numeric)),
            data=Reference(ws, min_col=12, min_row=2, max_row=2 + len(numeric)),
            colours=[report.indicators[n]["colour"] for n in numeric], anchor="P2", max_value=1.0,
            number_format="0%",
        )
    elif numeric:
        # Indicators with prose targets have no progress: chart a contiguous copy of the numeric ones.
        col = 17
        ws.cell(row=2, column=col, value=safe_value(_("指标"))).font = HEAD_FONT
        ws.cell(row=2, column=col + 1, value=safe_value(_("完成进度"))).font = HEAD_FONT
        for offset, n in enumerate(numeric, start=3):
            ind = report.indicators[n]
            ws.cell(row=offset, column=col, value=safe_value(f"{ind['number']}. {ind['name']}"))
            cell = ws.cell(row=offset, column=col + 1, value=safe_value((ind["progress"] or 0) / 100))
            cell.number_format = PCT
        ws.column_dimensions[get_column_letter(col)].width = 24
        _bar_chart(
            ws, title=_("指标完成进度"),
            cats=Reference(ws, min_col=col, min_row=3, max_row=2 + len(numeric)),
            data=Reference(ws, min_col=col + 1, min_row=2, max_row=2 + len(numeric)),
            colours=[report.indicators[n]["colour"] for n in numeric], anchor=f"{get_column_letter(col + 3)}2",
            max_value=1.0, number_format="0%",
        )


def _tasks_sheet(wb: Workbook, report: RoundupReport) -> None:
    ws = wb.create_sheet(_("重点任务"))
    headers = [
        (_("序号"), 6), (_("板块"), 18), (_("重点任务"), 34), (_("牵头单位"), 18), (_("年度事项"), 9),
        (_("已完成"), 8), (_("逾期未完成"), 10), (_("待审核"), 8), (_("未到期"), 8), (_("完成率"), 9),
    ]
    _title(ws, report, _("重点任务推进"), len(headers))
    _header(ws, 2, headers)
    ws.freeze_panes = "D3"
    row = 2
    for t in report.key_tasks:
        row += 1
        _row(ws, row, [
            t["number"], t["section"], t["title"], "、".join(t["lead_units"]), t["total"], t["done"], t["overdue"],
            t["awaiting_review"], t["pending"], t["done_rate"],
        ], {10: PCT})
        if t["overdue"]:
            _paint(ws.cell(row=row, column=7), "red")


def _overdue_sheet(wb: Workbook, report: RoundupReport) -> None:
    ws = wb.create_sheet(_("逾期事项"))
    headers = [
        (_("序号"), 6), (_("事项"), 44), (_("牵头单位"), 16), (_("任务序号"), 8), (_("原定期限"), 11),
        (_("现行期限"), 11), (_("逾期天数"), 9), (_("状态"), 8), (_("最近进展"), 40), (_("进展日期"), 11),
    ]
    _title(ws, report, _("逾期未完成事项"), len(headers))
    _header(ws, 2, headers)
    ws.freeze_panes = "C3"
    row = 2
    for n, o in enumerate(report.overdue_items, start=1):
        row += 1
        _row(ws, row, [
            n, o["text"], o["lead_unit"] or "", o["key_task"], _date(o["deadline"]), _date(o["due_date"]),
            o["days_overdue"], o["status_label"], o["last_note"] or _("无进展报告"), _date(o["last_note_on"]),
        ], {5: DATE, 6: DATE, 7: INT, 10: DATE})
        _paint(ws.cell(row=row, column=7), "red")


def _outside_sheet(wb: Workbook, report: RoundupReport) -> None:
    """Items from meetings and leaders' instructions: the same columns as the page's own section."""
    ws = wb.create_sheet(_("会议批示事项"))
    headers = [(_("序号"), 6), (_("来源"), 12), (_("来源文号/会议"), 20), (_("事项"), 44), (_("牵头单位"), 16),
               (_("完成时限"), 11), (_("期末状态"), 10)]
    _title(ws, report, _("会议议定与领导批示事项"), len(headers))
    _header(ws, 2, headers)
    ws.freeze_panes = "D3"
    for n, item in enumerate(report.outside_items, start=1):
        _row(ws, n + 2, [n, item["origin_label"], item["origin_ref"] or "", item["text"], item["lead_unit"] or "",
                         _date(item["due_date"]), item["status_label"]], {6: DATE})


def _bulletin_sheet(wb: Workbook, report: RoundupReport) -> None:
    ws = wb.create_sheet(_("表扬通报"))
    headers = [(_("类别"), 8), (_("责任单位"), 22), (_("排名"), 6), (_("得分"), 8), (_("理由"), 50)]
    _title(ws, report, _("表扬与通报"), len(headers))
    _header(ws, 2, headers)
    ws.freeze_panes = "A3"
    row = 2
    for label, colour, rows in ((_("表扬"), "green", report.praise), (_("通报"), "red", report.call_out)):
        for p in rows:
            row += 1
            _row(ws, row, [label, p["unit"], p["rank"], p["score"], "；".join(p["reasons"])], {4: SCORE})
            _paint(ws.cell(row=row, column=1), colour)
    if row == 2:
        ws.cell(row=3, column=1, value=safe_value(_("本季度没有拟表扬或拟通报的单位。")))


def _assessment_sheet(wb: Workbook, report: RoundupReport) -> None:
    ws = wb.create_sheet(_("年度考核"))
    r = report.rules
    headers = [
        (_("排名"), 6), (_("责任单位"), 22), (_("按期完成率"), 11),
        (_("完成率得分（%(w)g分）") % {"w": r["weight_on_time"]}, 14), (_("牵头指标数"), 10),
        (_("指标完成度"), 11), (_("指标得分（%(w)g分）") % {"w": r["weight_indicators"]}, 14),
        (_("逾期未完成"), 10), (_("扣分"), 8), (_("考核得分"), 10),
        (_("类别"), 8),  # 地方 and 部门 are ranked apart: each row says in which (the page's two tables)
    ]
    _title(ws, report, _("年度考核"), len(headers))
    _header(ws, 2, headers)
    ws.freeze_panes = "C3"
    row = 2
    for a in report.assessment:
        row += 1
        _row(ws, row, [
            a["rank"], a["unit"], a["on_time_rate"], a["on_time_points"], a["indicators"],
            a["indicator_attainment"], a["indicator_points"], a["overdue"], -a["deduction"], a["score"],
            _("地方") if a.get("kind") == "town" else _("部门"),
        ], {3: PCT, 4: SCORE, 6: PCT, 7: SCORE, 9: SCORE, 10: SCORE})
        ws.cell(row=row, column=10).font = HEAD_FONT
    if report.assessment:
        _bar_chart(
            ws, title=_("年度考核得分"),
            cats=Reference(ws, min_col=2, min_row=3, max_row=row),
            data=Reference(ws, min_col=10, min_row=2, max_row=row),
            colours=["none"] * len(report.assessment), anchor="L2", max_value=100, number_format="0",
        )


def _burden_sheet(wb: Workbook, report: RoundupReport) -> None:
    """The assessment's appendix: the asks made of each unit over the year, by unit name (never a score)."""
    ws = wb.create_sheet(_("基层负担"))
    headers = [(_("责任单位"), 22), (_("要求报送"), 10), (_("要求佐证"), 10), (_("提醒催办"), 10),
               (_("督办单"), 8), (_("签收催办"), 10), (_("重复索要"), 10), (_("合计"), 8),
               *((_("%(m)d月") % {"m": m}, 6) for m in range(1, 13)), (_("未送达(不计入)"), 12)]
    _title(ws, report, _("附：基层负担（本年度向各单位提出的要求，不计分、不排名）"), len(headers))
    if not report.burden_recorded:
        ws.cell(row=2, column=1, value=report.burden_unrecorded_note())
        return
    _header(ws, 2, headers)
    ws.freeze_panes = "B3"
    for n, b in enumerate(report.burden, start=3):
        _row(ws, n, [b["unit"], b["reports_requested"], b["evidence_demanded"], b["reminders"], b["notices"],
                     b["sign_chases"], b["asked_twice"], b["total"], *b["months"], b.get("undelivered", 0)],
             {c: INT for c in range(2, 22)})


def _shares_sheet(wb: Workbook, report: RoundupReport) -> None:
    """分解目标: each town's and department's share of the year's targets with its progress (``share_rows``)."""
    ws = wb.create_sheet(_("分解目标"))
    headers = [(_("单位"), 18), (_("类别"), 8), (_("序号"), 6), (_("指标"), 30), (_("分解目标"), 11),
               (_("最新实际值"), 11), (_("填报月份"), 10), (_("完成进度"), 10), (_("应达进度"), 10), (_("预警"), 8)]
    _title(ws, report, _("分解目标完成情况"), len(headers))
    _header(ws, 2, headers)
    kinds = {"town": _("地方"), "department": _("部门")}
    for row, s in enumerate(report.target_shares, start=3):
        _row(ws, row, [
            s["unit"], str(kinds.get(s["kind"], "")), s["number"], s["indicator"], s["target_value"], s["actual"],
            s["actual_month"] or "", None if s["progress"] is None else s["progress"] / 100,
            None if s["expected"] is None else s["expected"] / 100,
        ], {8: PCT, 9: PCT})
        _light(ws, row, 10, s["colour"])


def render_xlsx(report: RoundupReport) -> bytes:
    wb = Workbook()
    wb.properties.title = f"{report.plan['title']} {report.title}"
    wb.properties.creator = "住有宜居 任务责任管理"
    _summary_sheet(wb, report)
    _units_sheet(wb, report)
    _indicators_sheet(wb, report)
    if report.target_shares:
        _shares_sheet(wb, report)
    _tasks_sheet(wb, report)
    _overdue_sheet(wb, report)
    if report.outside_items:
        _outside_sheet(wb, report)
    if report.is_quarter:
        _bulletin_sheet(wb, report)
    if report.is_year:
        _assessment_sheet(wb, report)
        _burden_sheet(wb, report)
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if ws.title != _("概况"):
            ws.print_title_rows = "1:3" if ws.title == _("单位排名") else "1:2"
    protect_workbook(wb)  # last: the style caches above copy whole style arrays
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
