"""The 公文 layout, checked from the files themselves: python-docx for the .docx, pypdf for the PDF."""

from __future__ import annotations

import io
import re
import shutil
import time
from datetime import date

import pytest
from docx import Document
from docx.shared import Mm
from pypdf import PdfReader

from tasks.documents.convert import convert, docx_to_pdf, pdf_page_png
from tasks.documents.gongwen import (
    FONT_BODY,
    FONT_HEI,
    FONT_KAI,
    FONT_TITLE,
    Attachment,
    Gongwen,
    Table,
    _width,
    balanced_title,
    build_docx,
    chinese_date,
)
from tasks.rules.notices import BLUE, RED, YELLOW

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


def test_a_long_title_breaks_near_its_middle_not_before_its_last_character():
    title = "关于2026年10月住有宜居工作推进情况的通报"
    first, second = balanced_title(title).split("\n")
    assert first + second == title
    assert abs(_width(first) - _width(second)) <= 1  # digits count half a character
    assert balanced_title("关于6月工作的通报") == "关于6月工作的通报"


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


def test_pdf_is_a4_numbered_and_embeds_the_free_fonts(soffice, artifacts):
    pdf = docx_to_pdf(build_docx(sample()))
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


def test_libreoffice_round_trip_keeps_the_page_count(soffice):
    """Word and WPS cannot run here: the .docx saved again by LibreOffice prints to as many pages."""
    data = build_docx(sample())
    direct = len(PdfReader(io.BytesIO(docx_to_pdf(data))).pages)
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
