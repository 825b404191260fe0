"""The 公文 layout, checked from the files themselves: python-docx for the .docx, pypdf for the PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
import zipfile
from datetime import date

import pytest
from docx import Document
from docx.shared import Mm, Pt
from lxml import etree
from pypdf import PdfReader

from tasks.documents.convert import convert, docx_to_pdf, pdf_page_png
from tasks.documents.gongwen import (
    FONT_BODY,
    FONT_HEI,
    FONT_KAI,
    FONT_TITLE,
    TITLE_PER_LINE,
    Attachment,
    Gongwen,
    Table,
    _width,
    balanced_title,
    banji_print_size,
    build_docx,
    chinese_date,
    column_widths,
)
from tasks.documents.linebreak import words
from tasks.rules.notices import BLUE, RED, YELLOW
from tasks.tests.documents.conftest import require_soffice

EMU_PER_MM = 36000
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def sample(**kw) -> Gongwen:
    values = dict(
        issuer_mark="金鉴区住房工作协调委员会办公室文件",
        doc_number="金住办〔2026〕12号",
        title="关于2026年第三季度住有宜居工作推进情况的通报",
        addressees="各镇人民政府、街道办事处，区级有关单位",
        body=["为推动方案落实落地，现将推进情况通报如下。" * 3, "一、总体情况", "本季度应办事项120项。" * 12,
              "（一）地方", "城东街道等推进有力。", "二、下步要求", "请对照附件逐项整改。" * 10],
        signer="金鉴区住房工作协调委员会办公室",
        signed_on=date(2026, 10, 9),
        copy_to="区委办、区政府办",
        printer="金鉴区住房工作协调委员会办公室",
        attachments=[Attachment(title="单位排名", tables=[Table(header=["排名", "单位", "得分"],
                                                           rows=[[str(i), f"区测试局{i}", "90"] for i in range(40)])])],
    )
    values.update(kw)
    return Gongwen(**values)


def fonts_of(paragraph) -> set[str]:
    return {r._element.rPr.rFonts.get(f"{W}eastAsia") for r in paragraph.runs if r.text.strip()}


def test_chinese_date_uses_arabic_numerals_without_leading_zeros():
    assert chinese_date(date(2026, 3, 5)) == "2026年3月5日"


def test_docx_page_is_a4_with_the_standard_margins_and_text_block():
    doc = Document(io.BytesIO(build_docx(sample())))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert round(s.top_margin.mm) == 37 and round(s.left_margin.mm) == 28
    assert round((s.page_width - s.left_margin - s.right_margin) / EMU_PER_MM) == 156
    assert round((s.page_height - s.top_margin - s.bottom_margin) / EMU_PER_MM) == 225
    grid = s._sectPr.find(f"{W}docGrid")
    # 22 lines in 225 mm
    assert 22 * int(grid.get(f"{W}linePitch")) / 20 <= Mm(225).pt < 23 * int(grid.get(f"{W}linePitch")) / 20


def test_docx_head_has_red_mark_number_with_brackets_and_red_rule():
    doc = Document(io.BytesIO(build_docx(sample())))
    paras = [p for p in doc.paragraphs if p.text.strip()]
    mark, number = paras[0], paras[1]
    assert mark.text == "金鉴区住房工作协调委员会办公室文件"
    assert fonts_of(mark) == {FONT_TITLE}
    assert {str(r.font.color.rgb) for r in mark.runs} == {"FF0000"}
    assert number.text == "金住办〔2026〕12号"
    assert number.alignment == 1  # centred
    assert fonts_of(number) == {FONT_BODY}
    border = number._element.pPr.find(f"{W}pBdr").find(f"{W}bottom")
    assert border.get(f"{W}color") == "FF0000"


def test_docx_names_the_official_fonts_for_title_text_and_headings():
    doc = Document(io.BytesIO(build_docx(sample())))
    by_text = {p.text.replace("\n", ""): p for p in doc.paragraphs}
    assert fonts_of(by_text["关于2026年第三季度住有宜居工作推进情况的通报"]) == {FONT_TITLE}
    assert by_text["关于2026年第三季度住有宜居工作推进情况的通报"].runs[0].font.size.pt == 22
    assert fonts_of(by_text["一、总体情况"]) == {FONT_HEI}
    assert fonts_of(by_text["（一）地方"]) == {FONT_KAI}
    assert fonts_of(by_text["各镇人民政府、街道办事处，区级有关单位："]) == {FONT_BODY}
    assert by_text["2026年10月9日"].alignment == 2  # right, 4 characters in
    assert "附件：单位排名" in by_text
    assert any(p.text == "附件" for p in doc.paragraphs)  # the attachment's own page
    banji = doc.tables[-1]
    assert banji.rows[0].cells[0].text == "抄送：区委办、区政府办。"
    assert re.fullmatch(r"金鉴区住房工作协调委员会办公室\t2026年10月9日印发", banji.rows[1].cells[0].text)


def _boundaries(text: str) -> set[int]:
    ends, at = set(), 0
    for w in words(text):
        at += len(w)
        ends.add(at)
    return ends


@pytest.mark.parametrize("title", [
    "关于2026年11月住有宜居工作推进情况的通报",
    "关于2023年第二季度住有宜居工作推进情况的通报",
    "关于海宁市住有宜居实施方案第三季度重点任务推进情况的通报",
    "绍兴市越城区城乡住房工作协调委员会办公室关于2026年第四季度住有宜居实施方案重点工作任务推进情况的通报",
])
def test_a_long_title_breaks_between_words_into_even_lines(title):
    lines = balanced_title(title).split("\n")
    assert len(lines) >= 2 and "".join(lines) == title
    ends, at = _boundaries(title), 0
    for line in lines[:-1]:
        at += len(line)
        assert at in ends, (title, lines)  # never inside a word
    assert all(_width(line) <= TITLE_PER_LINE for line in lines)
    assert "住有宜居" in "".join(line for line in lines if "住有宜居" in line)  # the slogan stays whole
    assert min(_width(line) for line in lines) >= 5  # no character or two alone on a line


def test_the_issues_title_breaks_after_the_slogan_not_inside_it():
    first, second = balanced_title("关于2026年11月住有宜居工作推进情况的通报").split("\n")
    assert (first, second) == ("关于2026年11月住有宜居", "工作推进情况的通报")
    assert balanced_title("关于6月工作的通报") == "关于6月工作的通报"
    assert words("2026年11月") == ["2026年", "11月"]  # digits stay with their unit


def _xml(data: bytes, name: str):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def test_docx_language_is_chinese():
    data = build_docx(sample())
    lang = _xml(data, "word/styles.xml").find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert (lang.get(f"{W}val"), lang.get(f"{W}eastAsia")) == ("zh-CN", "zh-CN")
    theme = _xml(data, "word/settings.xml").find(f"{W}themeFontLang")
    assert (theme.get(f"{W}val"), theme.get(f"{W}eastAsia")) == ("zh-CN", "zh-CN")
    assert b"en-US" not in zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml")
    assert Document(io.BytesIO(data)).core_properties.language == "zh-CN"


def test_table_rows_do_not_split_the_header_repeats_and_header_words_stay_whole():
    header = ["排名", "单位", "应办", "按期", "逾期完成", "逾期未完成", "按期完成率", "得分", "灯号", "督办单(发/复)"]
    weights = [0.9, 2.6, 0.9, 0.9, 1.1, 1.1, 1.3, 0.9, 0.9, 1.3]
    att = Attachment(title="排名", tables=[Table(header=header, rows=[[str(i)] + ["x"] * 9 for i in range(60)],
                                                 widths=weights)])
    doc = Document(io.BytesIO(build_docx(sample(attachments=[att]))))
    table = doc.tables[0]
    rows = table._tbl.findall(f"{W}tr")
    head_props = rows[0].find(f"{W}trPr")
    assert [el.tag for el in head_props] == [f"{W}cantSplit", f"{W}tblHeader"]  # the schema's order
    assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows[1:])
    widths = column_widths(header, weights)
    assert sum(widths) <= Mm(156) + 10
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        lines = cell.text.split("\n")
        assert "".join(lines) == text
        ends, at = _boundaries(text), 0
        for line in lines[:-1]:
            at += len(line)
            assert at in ends, (text, lines)
    assert table.rows[0].cells[6].text == "按期\n完成率"


def test_the_last_body_lines_the_seal_room_and_the_signature_keep_together():
    gw = sample()
    doc = Document(io.BytesIO(build_docx(gw)))
    paras = doc.paragraphs
    signer = next(i for i, p in enumerate(paras) if p.text == gw.signer)
    last_body = max(i for i, p in enumerate(paras[:signer]) if p.text == gw.body[-1])
    assert paras[signer + 1].text == chinese_date(gw.signed_on)
    assert all(p.paragraph_format.keep_with_next for p in paras[last_body:signer + 1])
    assert not paras[last_body - 1].paragraph_format.keep_with_next


def test_the_printing_line_takes_a_smaller_size_rather_than_wrapping():
    assert banji_print_size("金鉴区住房工作协调委员会办公室", "2026年10月9日印发") == Pt(14)
    long_name = "绍兴市越城区城乡住房和住有宜居工作协调委员会办公室"
    size = banji_print_size(long_name, "2026年11月30日印发")
    assert Pt(10.5) <= size < Pt(14)


def _pdftotext(pdf: bytes) -> list[str]:
    """The PDF's pages as text with the layout kept (poppler's pdftotext)."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return out.decode().split("\f")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
def test_pdf_keeps_the_signature_with_the_body_and_the_printing_line_on_one_line(soffice):
    long_name = "绍兴市越城区城乡住房和住有宜居工作协调委员会办公室"
    gw = sample(attachments=[], printer=long_name, signer=long_name,
                body=["为推动方案落实落地，现将推进情况通报如下。" * 3] * 8 + ["请于十日内报送整改情况。"])
    raw = [p for p in _pdftotext(docx_to_pdf(build_docx(gw))) if p.strip()]
    pages = [p.replace(" ", "") for p in raw]
    signed = next(n for n, p in enumerate(pages) if chinese_date(gw.signed_on) in p and long_name in p)
    assert "请于十日内报送整改情况" in pages[signed]
    printing = [line.replace(" ", "") for line in raw[-1].splitlines() if "印发" in line]
    assert len(printing) == 1 and printing[0].startswith(long_name)  # 印发机关 and 印发日期 on one line


def test_docx_page_numbers_alternate_right_on_odd_and_left_on_even_pages():
    doc = Document(io.BytesIO(build_docx(sample())))
    assert doc.settings.odd_and_even_pages_header_footer
    s = doc.sections[0]
    odd, even = s.footer.paragraphs[0], s.even_page_footer.paragraphs[0]
    assert (odd.alignment, even.alignment) == (2, 0)
    for p in (odd, even):
        assert "PAGE" in "".join(t.text for t in p._element.iter(f"{W}instrText"))
        assert p.text.startswith("— ") and p.text.endswith(" —")


def test_a_draft_shows_its_number_marked_draft():
    doc = Document(io.BytesIO(build_docx(sample(watermark="草稿"))))
    assert "金住办〔2026〕12号（草稿）" in [p.text for p in doc.paragraphs]


def _pdf_fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]).split("+")[-1])
            for desc in font.get("/DescendantFonts", []):
                fd = desc.get_object().get("/FontDescriptor")
                assert fd is None or any(k in fd.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return names


@pytest.fixture(scope="module")
def sample_printed():
    """The sample 公文 as .docx and as LibreOffice prints it, once for the module's tests that read them."""
    require_soffice()
    data = build_docx(sample())
    return data, docx_to_pdf(data)


def test_pdf_is_a4_numbered_and_embeds_the_free_fonts(sample_printed, artifacts):
    _data, pdf = sample_printed
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    for n, page in enumerate(reader.pages, start=1):
        assert (round(float(page.mediabox.width) / 72 * 25.4), round(float(page.mediabox.height) / 72 * 25.4)) == (
            210, 297)
        assert f"— {n} —" in page.extract_text()
    fonts = _pdf_fonts(reader)
    assert {"UMingCN", "UKaiCN"} <= fonts  # 仿宋_GB2312, 楷体_GB2312
    assert any(f.startswith("NotoSerifCJK") and "Bold" in f for f in fonts)  # 方正小标宋简体
    assert any(f.startswith("NotoSansCJK") for f in fonts)  # 黑体
    text = reader.pages[0].extract_text()
    assert "金住办〔2026〕12号" in text and "各镇人民政府" in text
    if shutil.which("pdftoppm"):
        (artifacts / "gongwen-sample-page1.png").write_bytes(pdf_page_png(pdf))


def test_libreoffice_round_trip_keeps_the_page_count(sample_printed):
    """Word and WPS cannot run here: the .docx saved again by LibreOffice prints to as many pages."""
    data, pdf = sample_printed
    direct = len(PdfReader(io.BytesIO(pdf)).pages)
    again = convert(data, source_ext="docx", target="docx:MS Word 2007 XML")
    assert len(PdfReader(io.BytesIO(docx_to_pdf(again))).pages) == direct


@pytest.mark.parametrize("colour", [BLUE, YELLOW, RED])
def test_notice_head_carries_its_colour(colour):
    from tasks.services.notices import COLOUR_RGB

    doc = Document(io.BytesIO(build_docx(sample(mark_note="（督办）", mark_note_colour=COLOUR_RGB[colour]))))
    note = next(p for p in doc.paragraphs if p.text == "（督办）")
    assert note.runs[0].font.color.rgb == COLOUR_RGB[colour]


def test_rendering_time_is_printed(soffice, capsys):
    started = time.perf_counter()
    docx_to_pdf(build_docx(sample()))
    print(f"公文 PDF in {time.perf_counter() - started:.1f}s")
