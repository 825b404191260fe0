"""Reading files: encodings, .docx (paragraphs and tables in order), .pdf, and the user's mistakes."""

from pathlib import Path

import pytest

from tasks.importers import PlanParseError, parse_plan_file
from tasks.importers.reader import read_document

PLAN = """\
某某县住房工作专班办公室
某某县住房保障实施方案(2023—2027年)
一、重点任务
1.扩大保障性租赁住房供给。加快建设。(责任单位:县住建局、县发改局)
2.提升公租房保障能力。做好保障。(责任单位:县住建局、县财政局)
"""


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(PlanParseError, match=r"nope\.txt: .*file not found"):
        parse_plan_file(tmp_path / "nope.txt")


@pytest.mark.parametrize("content", [b"", b"   \n\n  \r\n"])
def test_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(PlanParseError, match="empty"):
        parse_plan_file(path)


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(PlanParseError, match="binary"):
        parse_plan_file(path)


def test_undecodable_bytes_are_refused(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(b"\x81\x30\xff\xfe\x80" * 50)
    with pytest.raises(PlanParseError) as exc:
        parse_plan_file(path)
    assert "plan.txt" in str(exc.value)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_text_encodings(tmp_path, encoding):
    path = tmp_path / f"plan-{encoding}.txt"
    path.write_bytes(PLAN.encode(encoding))
    plan = parse_plan_file(path)
    assert plan.title == "某某县住房保障实施方案(2023—2027年)"
    assert [t.lead_units for t in plan.key_tasks] == [["县住建局"], ["县住建局"]]


def test_crlf_line_endings(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(PLAN.replace("\n", "\r\n").encode("utf-8"))
    assert len(parse_plan_file(path).key_tasks) == 2


def test_doc_and_directory_are_refused(tmp_path):
    doc = tmp_path / "plan.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0rest")  # not even an OLE2 header: refused before LibreOffice
    with pytest.raises(PlanParseError, match=r"\.doc"):
        parse_plan_file(doc)
    with pytest.raises(PlanParseError, match="directory"):
        parse_plan_file(tmp_path)


def test_broken_docx_is_refused(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(b"not a zip")
    with pytest.raises(PlanParseError, match="docx"):
        parse_plan_file(path)


def _docx(tmp_path: Path) -> Path:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("某某县住房工作专班办公室")
    document.add_paragraph("某某县住房保障工作方案(2023—2027年)")
    document.add_paragraph("一、重点任务")
    document.add_paragraph("1.扩大保障性租赁住房供给。加快建设。(责任单位:县住建局、县发改局)")
    table = document.add_table(rows=4, cols=5)
    header = ["序号", "重点任务", "牵头 单位", "配合单位", "完成时限"]
    rows = [
        ["2", "提升公租房保障能力。做好保障。", "县住建局", "县财政局、县民政局", "2023年6月底前"],
        ["3", "推进老旧小区改造。开工10个。", "", "县财政局", "2023年12月底前"],
    ]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    section = table.rows[1].cells[0].merge(table.rows[1].cells[4])
    section.text = "(二)提升住房品质"
    for r, values in enumerate(rows, start=2):
        for cell, text in zip(table.rows[r].cells, values, strict=True):
            cell.text = text
    # 牵头单位 merged over both task rows, as Word does
    table.cell(2, 2).merge(table.cell(3, 2))
    table.cell(2, 2).text = "县住建局"
    document.add_paragraph("二、保障措施")
    document.add_paragraph("附件")
    document.add_paragraph("县级有关单位名单")
    document.add_paragraph("县住房和城乡建设局、县发改局、县财政局、县民政局")
    path = tmp_path / "plan.docx"
    document.save(str(path))
    return path


def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    text = read_document(_docx(tmp_path))
    lines = text.splitlines()
    assert lines.index("一、重点任务") < lines.index("序号\t重点任务\t牵头 单位\t配合单位\t完成时限")
    assert lines.index("(二)提升住房品质\t\t") < lines.index("二、保障措施")


def test_docx_plan_tasks_from_paragraphs_and_table(tmp_path):
    plan = parse_plan_file(_docx(tmp_path))
    assert plan.title == "某某县住房保障工作方案(2023—2027年)"
    got = [(t.number, t.section, t.title, t.lead_units, t.supporting_units, t.deadline_text)
           for t in plan.key_tasks]
    assert got == [
        (1, "", "扩大保障性租赁住房供给", ["县住建局"], ["县发改局"], ""),
        (2, "(二)提升住房品质", "提升公租房保障能力", ["县住建局"], ["县财政局", "县民政局"],
         "2023年6月底前"),
        (3, "(二)提升住房品质", "推进老旧小区改造", ["县住建局"], ["县财政局"], "2023年12月底前"),
    ]
    assert plan.key_tasks[2].deadline.isoformat() == "2023-12-31"
    listed = [u.name for u in plan.units if u.listed]
    assert listed == ["县住房和城乡建设局", "县发改局", "县财政局", "县民政局"]
    assert "县住建局" in plan.units[0].aliases


def _pdf_with_text(text: str) -> bytes:
    """A minimal one-page PDF with an ASCII text layer (Helvetica)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_text_layer_is_read(tmp_path):
    pytest.importorskip("pypdf")
    path = tmp_path / "plan.pdf"
    path.write_bytes(_pdf_with_text("Plan text layer"))
    assert "Plan text layer" in read_document(path)
    with pytest.raises(PlanParseError, match="no key tasks"):
        parse_plan_file(path)


def test_pdf_without_text_layer_is_refused(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=612, height=792)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(PlanParseError, match="text layer"):
        parse_plan_file(path)


def test_docx_automatic_list_numbers_are_read(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("某某县住房保障实施方案(2023—2027年)")
    document.add_paragraph("一、重点任务")
    document.add_paragraph("扩大供给。加快筹集。(责任单位:县住建局、县财政局)", style="List Number")
    document.add_paragraph("提升能力。做好保障。(责任单位:县住建局)", style="List Number")
    path = tmp_path / "numbered.docx"
    document.save(str(path))
    assert "2.提升能力。做好保障。(责任单位:县住建局)" in read_document(path).splitlines()
    plan = parse_plan_file(path)
    assert [(t.number, t.title) for t in plan.key_tasks] == [(1, "扩大供给"), (2, "提升能力")]
