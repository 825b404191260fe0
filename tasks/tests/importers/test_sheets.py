"""Spreadsheets in: real .xlsx (openpyxl), .xls and WPS .et (made by LibreOffice), .csv; merged cells,
cached formula values, and hostile files refused with a clear message before anything is allocated."""

import io
import re
import subprocess
import zipfile
from datetime import date

import pytest

from tasks.importers import PlanParseError
from tasks.importers.limits import Limits, read_and_parse
from tasks.importers.sheets import MAX_COLUMNS, MAX_ROWS, calc_available, read_sheets, soffice_binary
from tasks.tests.budgets import cpu_budget

openpyxl = pytest.importorskip("openpyxl")

ROWS = [
    ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"],
    [1, "推进城镇老旧小区改造", "市住建局", "市财政局、市发改委", "2024年底前"],
    [2, "加快发展保障性租赁住房", None, "市自然资源局", "持续推进"],
    [3, "完善住房公积金制度", "市公积金中心", "市财政局", date(2024, 6, 30)],
]


def _workbook(rows=ROWS, *, title="2024年住房工作重点任务分工表", merge_lead=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分工表"
    ws.append([title])
    ws.merge_cells("A1:E1")
    for row in rows:
        ws.append(row)
    if merge_lead:
        ws.merge_cells("C3:C4")  # one lead for two tasks
    notes = wb.create_sheet("填报说明")
    notes["A1"] = "请于6月30日前报送"
    return wb


def _xlsx(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _convert(tmp_path, data: bytes, to: str) -> bytes:
    binary = soffice_binary()
    if binary is None or not calc_available():
        pytest.skip("LibreOffice Calc is not installed")
    source = tmp_path / "book.xlsx"
    source.write_bytes(data)
    target, _, filter_name = to.partition(":")
    command = [binary, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
               "--convert-to", to, "--outdir", str(tmp_path), str(source)]
    subprocess.run(command, capture_output=True, timeout=180, check=True)
    return (tmp_path / f"book.{target}").read_bytes()


def test_xlsx_every_sheet_with_merged_cells_filled_down():
    sheets = read_sheets(_xlsx(_workbook()), filename="分工.xlsx")
    assert [s.name for s in sheets] == ["分工表", "填报说明"]
    rows = sheets[0].rows
    assert rows[0] == ["2024年住房工作重点任务分工表"]  # merged across: the first column only
    assert rows[2][:3] == ["1", "推进城镇老旧小区改造", "市住建局"]
    assert rows[3][2] == "市住建局"  # merged down: the lead covers the second task too
    assert rows[4][4] == "2024年6月30日"  # a date cell as the sheet shows it
    assert (2, 2, 3, 2) in sheets[0].merged and sheets[0].continued() >= {(3, 2), (0, 1)}
    assert sheets[1].rows == [["请于6月30日前报送"]]


def test_formulas_are_read_as_their_cached_values_never_evaluated():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "任务", "=1+1"  # openpyxl stores no cached value: nothing to read
    ws["A2"] = "='[外部.xlsx]Sheet1'!A1"  # an external link: not followed
    data = _xlsx(wb)
    # A file saved by a spreadsheet program keeps the value it computed: put one in the XML.
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(patched, "w") as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                part = part.replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>42</v>").replace(
                    b"<f>1+1</f><v/>", b"<f>1+1</f><v>42</v>")
                if b"<v>42</v>" not in part:
                    part = re.sub(rb"(<c r=\"B1\"[^>]*>)<f>1\+1</f>(?:<v\s*/>|<v></v>)?",
                                  rb"\1<f>1+1</f><v>42</v>", part)
            dst.writestr(info, part)
    (sheet,) = read_sheets(patched.getvalue(), filename="f.xlsx")
    assert sheet.rows[0] == ["任务", "42"]
    assert sheet.rows[0][1] != "2" and sheet.rows[1:] == []  # not evaluated; the external link not fetched


def test_xls_made_by_libreoffice_reads_the_same(tmp_path):
    data = _convert(tmp_path, _xlsx(_workbook()), "xls")
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    sheets = read_sheets(data, filename="分工.xls")
    assert sheets[0].rows == read_sheets(_xlsx(_workbook()), filename="分工.xlsx")[0].rows


def test_a_wps_et_file_is_read_through_libreoffice_calc(tmp_path):
    # WPS 表格 writes .et as a BIFF (Excel 97) compound file: LibreOffice makes one the same way.
    data = _convert(tmp_path, _xlsx(_workbook()), "et:MS Excel 97")
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    sheets = read_sheets(data, filename="分工.et")
    assert sheets[0].rows[3][:3] == ["2", "加快发展保障性租赁住房", "市住建局"]


def test_a_broken_et_file_is_refused_naming_the_file():
    with pytest.raises(PlanParseError, match=r"坏\.et: .*not a WPS spreadsheet"):
        read_sheets(b"this is no spreadsheet", filename="坏.et")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_the_encodings_offices_save(encoding):
    text = "序号,重点任务,牵头单位\n1,\"推进老旧小区改造,完成100个\",市住建局\n"
    (sheet,) = read_sheets(text.encode(encoding), filename="清单.csv")
    assert sheet.rows == [["序号", "重点任务", "牵头单位"], ["1", "推进老旧小区改造,完成100个", "市住建局"]]


def test_not_a_workbook_is_refused():
    with pytest.raises(PlanParseError, match="not an Excel workbook"):
        read_sheets(b"hello", filename="x.xlsx")
    with pytest.raises(PlanParseError, match="not a readable workbook"):
        read_sheets(b"PK\x03\x04" + b"\x00" * 100, filename="x.xlsx")


# ---- hostile files ------------------------------------------------------------------------------------


def _with_sheet_xml(data: bytes, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                part = change(part)
            dst.writestr(info.filename, part)
    return out.getvalue()


def _timed_refusal(data: bytes, name: str, match: str) -> None:
    """Refused, and before it is loaded: within 3 CPU seconds (wall time grew with the machine's load)."""
    with cpu_budget(3, f"refusing {name}"), pytest.raises(PlanParseError, match=match):
        read_sheets(data, filename=name)


def test_a_zip_bomb_is_refused_from_its_directory():
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    padding = b"<!--" + b" " * (60 << 20) + b"--></worksheet>"
    bomb = _with_sheet_xml(_xlsx(wb), lambda p: p.replace(b"</worksheet>", padding))
    assert len(bomb) < 1 << 20
    _timed_refusal(bomb, "bomb.xlsx", "inflates to 60 MB")


def test_a_million_empty_rows_are_refused_before_loading():
    wb = openpyxl.Workbook()
    wb.active["A1"] = "任务"
    rows = b"".join(b'<row r="%d"><c r="A%d" s="0"/></row>' % (i, i) for i in range(1, 1_000_001))
    data = _with_sheet_xml(_xlsx(wb), lambda p: re.sub(rb"<sheetData>.*</sheetData>",
                                                       b"<sheetData>" + rows + b"</sheetData>", p, flags=re.S))
    _timed_refusal(data, "rows.xlsx", f"工作表“Sheet”超过 {MAX_ROWS:,} 行上限")


@pytest.mark.parametrize("far", ["XFD1", "A1048576", "XFD1048576"])
def test_a_cell_far_out_is_refused_not_allocated(far):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "任务"
    wb.active[far] = "x"
    _timed_refusal(_xlsx(wb), "far.xlsx", "上限")


def test_a_million_column_csv_and_a_million_row_csv_are_refused():
    _timed_refusal(b",".join([b"x"] * 1_000_000), "wide.csv", f"超过 {MAX_COLUMNS:,} 列上限")
    _timed_refusal(b"a,b\n" * (MAX_ROWS + 5), "long.csv", f"超过 {MAX_ROWS:,} 行上限")


def test_the_caps_apply_before_the_forked_parse_too(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_with_sheet_xml(_xlsx(wb), lambda p: p.replace(
        b"</worksheet>", b"<!--" + b" " * (3 << 20) + b"--></worksheet>")))
    with pytest.raises(PlanParseError, match="bomb.xlsx: .*inflates to 3 MB"):
        read_and_parse(path, limits=Limits(inflated_bytes=2 << 20))


# ---- the plan import reads them -------------------------------------------------------------------------


def test_a_task_list_spreadsheet_parses_to_a_plan(tmp_path):
    path = tmp_path / "分工.xlsx"
    path.write_bytes(_xlsx(_workbook()))
    _text, plan = read_and_parse(path)
    assert plan.title == "2024年住房工作重点任务分工表"
    assert [(t.number, t.lead_units, t.supporting_units, t.deadline_text) for t in plan.key_tasks] == [
        (1, ["市住建局"], ["市财政局", "市发改委"], "2024年底前"),
        (2, ["市住建局"], ["市自然资源局"], "持续推进"),
        (3, ["市公积金中心"], ["市财政局"], "2024年6月30日"),
    ]
    assert plan.key_tasks[2].deadline == date(2024, 6, 30)


def test_a_3000_row_spreadsheet_parses_in_under_5_cpu_seconds(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "重点任务", "牵头单位", "配合单位", "完成时限"])
    units = ["市住建局", "市财政局", "市发改委", "市自然资源局", "市公积金中心", "市民政局"]
    for i in range(1, 3001):
        ws.append([i, f"第{i}项任务：推进城镇老旧小区改造，完成{i}个小区的改造提升", units[i % 6],
                   f"{units[(i + 1) % 6]}、{units[(i + 2) % 6]}", f"2024年{i % 12 + 1}月底前"])
    path = tmp_path / "big.xlsx"
    path.write_bytes(_xlsx(wb))
    with cpu_budget(5, "parsing 3,000 rows"):  # the parse runs in a forked child: its CPU is counted too
        _text, plan = read_and_parse(path)
    assert len(plan.key_tasks) == 3000
    assert plan.key_tasks[-1].lead_units == [units[0]]


def test_header_rows_below_a_title_and_form_lines_groups_become_sections(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某某县2024年重点任务清单"])
    ws.merge_cells("A1:E1")
    ws.append(["填报单位：", "县住建局", None, "填报日期：", "2024年3月1日"])
    ws.append(["联系人：", "张三", None, "电话：", "12345678"])
    ws.append(["序号", "工作任务", "责任单位", "牵头单位", "时限要求"])
    ws.append(["一、住房保障"])
    ws.merge_cells("A5:E5")
    ws.append([1, "推进城镇老旧小区改造", "县住建局、县财政局", "县住建局", "年底前"])
    ws.append([2, "发展保障性租赁住房", "县住建局、县自然资源局", "县自然资源局", "持续推进"])
    ws.append(["二、房地产市场"])
    ws.merge_cells("A8:E8")
    ws.append([1, "促进房地产市场平稳健康发展", "县住建局、县发改局、县财政局", "县住建局", "2024年6月底前"])
    path = tmp_path / "清单.xlsx"
    path.write_bytes(_xlsx(wb))
    _text, plan = read_and_parse(path)
    assert [(t.section, t.lead_units, t.supporting_units, t.deadline_text) for t in plan.key_tasks] == [
        ("一、住房保障", ["县住建局"], ["县财政局"], "年底前"),
        ("一、住房保障", ["县自然资源局"], ["县住建局"], "持续推进"),
        ("二、房地产市场", ["县住建局"], ["县发改局", "县财政局"], "2024年6月底前"),
    ]


def test_unit_names_broken_over_lines_in_a_narrow_spreadsheet_column(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某市2024年重点任务分工表"])
    ws.append(["序号", "重点任务", "牵头单位", "配合单位"])
    ws.append([1, "深化纪检监察体制改革", "市\n监\n察\n局", "市委组织部\n市财政局"])
    path = tmp_path / "窄列.xlsx"
    path.write_bytes(_xlsx(wb))
    _text, plan = read_and_parse(path)
    (task,) = plan.key_tasks
    assert (task.lead_units, task.supporting_units) == (["市监察局"], ["市委组织部", "市财政局"])
