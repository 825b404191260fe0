"""Table documents as Word files: the table corpus cases rebuilt as real .docx tables (merged cells
included) read like their text, and legacy .doc / .wps files (made here by converting those .docx with
LibreOffice) read like the .docx."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tasks.importers import PlanParseError, parse_plan_file
from tasks.importers.reader import read_document, soffice_binary

from .test_cases import CASES, _compare

docx = pytest.importorskip("docx")

KEYS = ("number", "section", "title", "lead_units", "supporting_units", "deadline", "deadline_text", "other_units")


def _expected(name: str) -> tuple[dict, int | None]:
    expected = json.loads((CASES / f"{name}.expected.json").read_text(encoding="utf-8"))
    year = expected.pop("_year", None)
    tasks = [{k: v for k, v in t.items() if k in KEYS and k != "section"} for t in expected["key_tasks"]]
    return {"key_tasks": tasks}, year


def _document(title: str, rows: list[list[str]], *, merges=(), spans=(), before=(),
              after=("二、保障措施", "加强领导。")):
    """A .docx with ``title``, paragraphs ``before``, one table of ``rows`` and paragraphs ``after``
    (Word always ends a document with a paragraph; LibreOffice drops a table that ends the body).

    ``merges``: (row, col, rows down) cells merged down, as Word does for "same as above";
    ``spans``: rows whose cells are one merged cell (section rows)."""
    document = docx.Document()
    document.add_paragraph(title)
    for text in before:
        document.add_paragraph(text)
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            if text:
                table.cell(r, c).text = text
    for r in spans:
        text = rows[r][0]
        merged = table.cell(r, 0).merge(table.cell(r, width - 1))
        merged.text = text
    for r, c, down in merges:
        text = rows[r][c]
        merged = table.cell(r, c).merge(table.cell(r + down, c))
        merged.text = text
    for text in after:
        document.add_paragraph(text)
    return document


def _check(name: str, path: Path) -> None:
    expected, year = _expected(name)
    got = parse_plan_file(path, year=year).as_json()
    problems = _compare(name, got, expected)
    assert not problems, "\n".join(problems)


PIPE_MERGED = [
    ["序号", "重点任务", "具体措施", "牵头责任单位", "协同责任单位", "计划完成时间", "备注"],
    ["一、住房保障", "", "", "", "", "", ""],
    ["1", "扩大保障性租赁住房供给", "新增筹集房源800套", "区住建局", "区发改局", "2024年10月底前", ""],
    ["", "", "认定保障性租赁住房项目", "区自然资源局", "区财政局", "2024年12月底前", ""],
    ["2", "完善公租房保障", "动态调整保障标准", "", "区民政局", "6月底前", ""],
    ["3", "推进人才安居", "发放人才租房补贴", "同上", "区人社局、区财政局", "全年", ""],
    ["二、住房品质", "", "", "", "", "", ""],
    ["4", "推进老旧小区改造", "开工改造小区12个", "区住建局", "区财政局，各街道", "长期坚持", "跨年度"],
    ["5", "加强物业服务管理", "开展物业服务质量评价", "区住建局", "", "11月", ""],
    ["6", "推进城中村改造", "完成征迁2000户", "区住建局、区城改办分别牵头", "区财政局", "2021.12", ""],
]


def _pipe_merged_docx(tmp_path: Path) -> Path:
    # Task 1 spans two rows (序号 and 重点任务 merged down); task 2's lead is merged with the cell above.
    document = _document("某某区2024年住房领域重点工作责任分解表", PIPE_MERGED, spans=(1, 6),
                         merges=((2, 0, 1), (2, 1, 1), (3, 3, 1)))
    path = tmp_path / "table_pipe_merged.docx"
    document.save(str(path))
    return path


def test_docx_table_with_merged_cells_reads_like_the_text_case(tmp_path):
    _check("table_pipe_merged", _pipe_merged_docx(tmp_path))


def test_docx_merged_rows_come_out_as_empty_cells(tmp_path):
    lines = read_document(_pipe_merged_docx(tmp_path)).splitlines()
    assert "\t\t认定保障性租赁住房项目\t区自然资源局\t区财政局\t2024年12月底前\t" in lines
    assert "2\t完善公租房保障\t动态调整保障标准\t\t区民政局\t6月底前\t" in lines
    assert "一、住房保障\t\t" in lines  # a row merged across the table stays a row


CELLS_ROLES = [
    ["序号", "工作任务", "牵头单位", "责任单位", "完成时间", "备注"],
    ["一、住房保障"] + [""] * 5,
    ["1", "筹集保障性租赁住房300套（间）。", "县住建局", "县发改局、县财政局", "2024年6月底前", ""],
    ["2", "发放公租房租赁补贴。", "县住建局", "县民政局", "每季度末", "按季度发放"],
    ["3", "推进人才公寓建设。", "县人才办", "县住建局、县自然资源和规划局", "12月", ""],
    ["二、住房安全"] + [""] * 5,
    ["4", "开展自建房安全专项整治。", "县住建局", "各乡镇(街道)", "长期坚持", ""],
]


def _cells_docx(tmp_path: Path) -> Path:
    document = _document("某某县2024年城乡住房工作任务分工表", CELLS_ROLES, spans=(1, 5))
    path = tmp_path / "table_cells_roles.docx"
    document.save(str(path))
    return path


def test_docx_task_table_with_section_rows_reads_like_the_text_case(tmp_path):
    _check("table_cells_roles", _cells_docx(tmp_path))


def test_docx_table_without_header_row_is_read_from_its_cells(tmp_path):
    rows = [
        ["1", "新开工配售型保障性住房500套", "市住建局", "市发改局、市财政局", "2024年9月底前"],
        ["2", "完成城中村改造征迁1000户", "市城改办", "市自然资源局、各区政府", "2024年12月底前"],
        ["3", "建立保障性住房轮候库", "市住建局", "市大数据局", "6月底前"],
    ]
    document = _document("某某市2024年保障性住房工作任务清单", rows,
                         before=["为推进保障性住房建设，现将任务分解如下："], after=["请各单位按时报送进展。"])
    path = tmp_path / "table_no_header.docx"
    document.save(str(path))
    _check("table_no_header", path)
    plan = parse_plan_file(path)
    assert plan.tables[0].roles == ["num", "task", "lead", "support", "deadline"]
    assert plan.tables[0].unclear == [0, 1, 2, 3, 4]


def test_docx_table_with_other_roles_and_leader_column(tmp_path):
    rows = [
        ["序号", "重点任务", "牵头负责领导", "牵头单位", "配合单位", "数据提供单位", "完成时限"],
        ["1", "推进保障性租赁住房建设", "张三", "市住建局", "市财政局", "市统计局", "2024年6月底前"],
        ["2", "完善住房公积金制度", "李四", "市公积金中心", "市财政局", "", "年底前"],
    ]
    path = tmp_path / "roles.docx"
    _document("某某市2024年住房工作任务分工表", rows).save(str(path))
    plan = parse_plan_file(path)
    first, second = plan.key_tasks
    assert (first.lead_units, first.supporting_units, first.leaders) == (["市住建局"], ["市财政局"], ["张三"])
    assert first.other_units == [("市统计局", "数据提供单位")]
    assert second.other_units == [] and second.deadline.isoformat() == "2024-12-31"


# -- legacy .doc / .wps through LibreOffice -----------------------------------------------------

def _soffice() -> str:
    binary = soffice_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing in CI: scripts/ensure_sysdeps.sh installs it")
        pytest.skip("LibreOffice (soffice) is not installed")
    return binary


def _to_doc(source: Path, tmp_path: Path) -> Path:
    binary = _soffice()
    profile = tmp_path / "profile"
    subprocess.run([binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "doc",
                    "--outdir", str(tmp_path / "doc"), str(source)], capture_output=True, timeout=180, check=True)
    out = tmp_path / "doc" / (source.stem + ".doc")
    assert out.exists()
    return out


@pytest.fixture(scope="module")
def doc_file(tmp_path_factory):
    """The .doc LibreOffice makes of the merged-rows table: made once for the module's tests, which only read
    it (a LibreOffice start is some 1.7 CPU seconds)."""
    folder = tmp_path_factory.mktemp("doc")
    return _to_doc(_pipe_merged_docx(folder), folder)


def test_doc_converted_by_libreoffice_reads_like_the_docx(doc_file):
    assert doc_file.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    _check("table_pipe_merged", doc_file)


def test_wps_named_file_is_read_through_libreoffice(doc_file, tmp_path):
    wps = tmp_path / "plan.wps"
    shutil.copyfile(doc_file, wps)
    _check("table_pipe_merged", wps)


def test_cell_table_as_doc(tmp_path):
    _check("table_cells_roles", _to_doc(_cells_docx(tmp_path), tmp_path))


def test_unreadable_doc_says_so(tmp_path):
    _soffice()
    bad = tmp_path / "broken.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(PlanParseError, match="LibreOffice"):
        parse_plan_file(bad)


def test_doc_without_libreoffice_is_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setattr("tasks.importers.reader.shutil.which", lambda name: None)
    doc = tmp_path / "plan.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(PlanParseError, match="LibreOffice is not installed"):
        parse_plan_file(doc)


def test_wps_retried_as_word_97_when_the_default_filter_fails(tmp_path, monkeypatch):
    calls = []

    def fake(binary, source, outdir, filter_name):
        calls.append(filter_name)
        if filter_name != "MS Word 97":
            return None
        out = outdir / "source.docx"
        _document("某某县2024年城乡住房工作任务分工表", CELLS_ROLES, spans=(1, 5)).save(str(out))
        return out

    monkeypatch.setattr("tasks.importers.reader.soffice_binary", lambda: "/usr/bin/soffice")
    monkeypatch.setattr("tasks.importers.reader._convert", fake)
    wps = tmp_path / "plan.wps"
    wps.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    _check("table_cells_roles", wps)
    assert calls == [None, "MS Word 97"]


def test_conversion_uses_its_own_profile_and_a_timeout(tmp_path, monkeypatch):
    seen = {}

    def fake_run(command, **kwargs):
        seen["command"], seen["timeout"] = command, kwargs.get("timeout")
        raise subprocess.TimeoutExpired(command, kwargs.get("timeout"))

    monkeypatch.setattr("tasks.importers.office.run_contained", fake_run)  # every LibreOffice run goes through it
    monkeypatch.setattr("tasks.importers.reader.soffice_binary", lambda: "/usr/bin/soffice")
    doc = tmp_path / "plan.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(PlanParseError, match="could not convert"):
        parse_plan_file(doc)
    assert any(part.startswith("-env:UserInstallation=file://") for part in seen["command"])
    assert seen["timeout"] and seen["timeout"] <= 300


TWO_ROW_HEADER = [
    ["序号", "重点任务", "责任单位", "", "完成时限"],
    ["", "", "牵头单位", "配合单位", ""],
    ["1", "推进城中村改造", "市住建局", "市自然资源局、市财政局", "2024年12月底前"],
    ["2", "加快发展保障性租赁住房", "市住建局、市发改委", "市财政局", "9月底前"],
]


def _assert_two_row_header(plan) -> None:
    got = [(t.number, t.lead_units, t.supporting_units, t.deadline_text) for t in plan.key_tasks]
    assert got == [
        (1, ["市住建局"], ["市自然资源局", "市财政局"], "2024年12月底前"),
        (2, ["市住建局", "市发改委"], ["市财政局"], "9月底前"),
    ]
    assert plan.tables[0].roles == ["num", "task", "lead", "support", "deadline"]


def test_docx_header_over_two_rows_under_a_merged_cell(tmp_path):
    # "责任单位" spans 牵头单位 | 配合单位; 序号, 重点任务 and 完成时限 are merged down over both header rows.
    document = _document("某某市2024年住房工作任务分工表", TWO_ROW_HEADER,
                         merges=((0, 0, 1), (0, 1, 1), (0, 4, 1)))
    table = document.tables[0]
    table.cell(0, 2).merge(table.cell(0, 3)).text = "责任单位"
    path = tmp_path / "two_rows.docx"
    document.save(str(path))
    _assert_two_row_header(parse_plan_file(path))


def test_text_header_over_two_rows():
    from tasks.importers import parse_plan_text

    lines = ["某某市2024年住房工作任务分工表"] + ["| " + " | ".join(r) + " |" for r in TWO_ROW_HEADER]
    _assert_two_row_header(parse_plan_text("\n".join(lines)))
