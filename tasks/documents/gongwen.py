"""A 公文 (GB/T 9704-2012 党政机关公文格式) as a .docx, built with python-docx from plain values.

The layout from the standard:

- A4 portrait; 天头 (top margin) 37 mm, 订口 (left margin) 28 mm; text block 156 × 225 mm, so the right
  margin is 26 mm and the bottom one 35 mm; 22 lines of 28 characters of 3号 (16 pt) type.
- 版头: the red 发文机关标志 (方正小标宋简体), the 发文字号 with 〔〕 centred under it, and a red separator
  line under the number as wide as the text block.
- 主体: title in 2号 方正小标宋简体; 主送机关, body and 附件说明 in 3号 仿宋_GB2312; headings of the first level
  (一、) in 黑体, of the second (（一）) in 楷体_GB2312, the third and fourth (1. and （1）) in 仿宋;
  发文机关署名 and 成文日期 (Arabic numerals) at the right with room for the 印章 above them (a bookmark
  ``印章`` marks the place).
- 附件 each on a new page, ``附件1`` in 黑体 at the top left.
- 版记 at the foot of the last page: 抄送, 印发机关 and 印发日期 between two thick lines.
- Page numbers ``— 1 —`` in 4号 (14 pt) type, odd pages at the right, even pages at the left (different odd
  and even footers), 7 mm under the text block.

Everything is passed in (``Gongwen``); nothing here reads the database.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .linebreak import break_lines, words
from .linebreak import width as _width

# Font names as offices have them installed (Word/WPS on a government PC).
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEI = "黑体"
FONT_KAI = "楷体_GB2312"
FONT_SONG = "宋体"
OFFICIAL_FONTS = (FONT_TITLE, FONT_BODY, FONT_HEI, FONT_KAI, FONT_SONG)

RED = RGBColor(0xFF, 0x00, 0x00)

PAGE_W, PAGE_H = 210, 297
MARGIN_TOP, MARGIN_LEFT = 37, 28
BLOCK_W, BLOCK_H = 156, 225
MARGIN_RIGHT = PAGE_W - MARGIN_LEFT - BLOCK_W  # 26
MARGIN_BOTTOM = PAGE_H - MARGIN_TOP - BLOCK_H  # 35
LINES, CHARS = 22, 28
SIZE_BODY = Pt(16)  # 3号
SIZE_TITLE = Pt(22)  # 2号
SIZE_FOOT = Pt(14)  # 4号
# 225 mm / 22 lines, a hair under so the 22nd line still fits.
LINE_PITCH = Pt(28.95)

# Word (unlike LibreOffice) refuses a file whose elements are out of the schema's order: new elements go
# in before the ones the schema puts after them.
PPR_AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                  "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                  "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
PPR_AFTER_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                    *PPR_AFTER_SNAP)
RPR_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                     "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                     "w:specVanish", "w:oMath")
TBLPR_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
                       "w:tblPrChange")

HEADING_1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING_2 = re.compile(r"^（[一二三四五六七八九十]+）")


@dataclass
class Table:
    """A ranking table for an attachment: header row and body rows of text."""

    header: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative column widths
    caption: str = ""  # a line above the table, e.g. （一）地方


@dataclass
class Attachment:
    title: str
    intro: str = ""
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Gongwen:
    issuer_mark: str  # 发文机关标志, e.g. 海宁市城乡住房工作协调委员会办公室文件
    doc_number: str  # 发文字号, e.g. 海住宜办〔2026〕12号 (or with （草稿）)
    title: str
    addressees: str  # 主送机关, without the colon
    body: list[str]  # plain paragraphs; 一、/（一）/1. openings become headings
    signer: str  # 发文机关署名
    signed_on: date  # 成文日期
    copy_to: str = ""  # 抄送
    printer: str = ""  # 印发机关
    printed_on: date | None = None  # 印发日期
    attachments: list[Attachment] = field(default_factory=list)
    mark_note: str = ""  # a line under the mark, e.g. the 督办单's colour
    mark_note_colour: RGBColor | None = None
    watermark: str = ""  # e.g. 草稿, printed after the number


# Characters of 2号 type on a 156 mm line, less a margin for proportional digits in the substitute fonts.
TITLE_PER_LINE = BLOCK_W / 25.4 * 72 / SIZE_TITLE.pt - 1.5


def balanced_title(title: str, *, per_line: float = TITLE_PER_LINE) -> str:
    """A title longer than a line is broken between words (never inside one, GB/T 9704 7.3.1), into
    lines as even as the words allow (the standard's 梯形/菱形 shape) rather than leaving a character or
    two alone on the last line; the breaks are line breaks within the paragraph."""
    return "\n".join(break_lines(title, per_line))


def chinese_date(day: date) -> str:
    """成文日期 in Arabic numerals, no leading zeros: 2026年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


# -- low-level helpers ------------------------------------------------------------------------------


def _fonts(run, name: str, size=None, bold: bool | None = None, colour: RGBColor | None = None) -> None:
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour


def _para(doc_or_cell, text: str = "", *, font: str = FONT_BODY, size=SIZE_BODY, align=None, indent_chars: float = 0,
          bold: bool = False, colour: RGBColor | None = None, line=LINE_PITCH, right_chars: float = 0,
          left_chars: float = 0):
    p = doc_or_cell.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
        if line != LINE_PITCH:
            # Lines of another pitch (the mark, titles, tables) must not snap to the 22-line grid.
            snap = OxmlElement("w:snapToGrid")
            snap.set(qn("w:val"), "0")
            p._element.get_or_add_pPr().insert_element_before(snap, *PPR_AFTER_SNAP)
    if align is not None:
        p.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(size.pt * indent_chars)
    if right_chars:
        fmt.right_indent = Pt(size.pt * right_chars)
    if left_chars:
        fmt.left_indent = Pt(size.pt * left_chars)
    if text:
        lines = text.split("\n")
        run = p.add_run(lines[0])
        for line in lines[1:]:
            run.add_break()
            run.add_text(line)
        _fonts(run, font, size, bold, colour)
    return p


def _border(paragraph, side: str, *, colour: str = "FF0000", size: int = 12, space: int = 4) -> None:
    """A paragraph border (size in eighths of a point, space in points)."""
    ppr = paragraph._element.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *PPR_AFTER_BORDER)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), colour)
    borders.append(edge)


def _page_field(paragraph, font: str, size) -> None:
    """``— PAGE —`` as a Word field, so Word, WPS and LibreOffice number the pages themselves."""
    _fonts(paragraph.add_run("— "), font, size)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        _fonts(run, font, size)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._element.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            run.text = text
    _fonts(paragraph.add_run(" —"), font, size)


def _bookmark(paragraph, name: str) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), "0")
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), "0")
    paragraph._element.insert(1 if paragraph._element.pPr is not None else 0, start)
    paragraph._element.append(end)


def _grid(section) -> None:
    """Word's document grid: 22 lines and 28 characters per line, as the standard asks."""
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))


def _setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
    section.header_distance = Mm(15)
    # The page number's top is 7 mm under the text block: 35 − 7 − ~5 mm of 4号 type.
    section.footer_distance = Mm(22)
    _grid(section)
    doc.settings.odd_and_even_pages_header_footer = True
    normal = doc.styles["Normal"]
    normal.font.name = FONT_BODY
    normal.font.size = SIZE_BODY
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT_BODY)
    # Characters 156 mm / 28 = 15.75 pt apart: 16 pt type with a quarter point less spacing.
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), "-5")
    rpr.insert_element_before(spacing, *RPR_AFTER_SPACING)
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(SIZE_FOOT.pt)  # one character in from the edge
    _page_field(odd, FONT_SONG, SIZE_FOOT)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(SIZE_FOOT.pt)
    _page_field(even, FONT_SONG, SIZE_FOOT)
    core = doc.core_properties
    core.author = ""
    core.comments = ""
    core.language = LANGUAGE
    _language(doc)


LANGUAGE = "zh-CN"


def _language(doc) -> None:
    """The text is Chinese: the default run language (docDefaults) and the theme's are zh-CN (python-docx's
    template says en-US, which Word and WPS use for proofing and line breaking)."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, *RPR_AFTER_SPACING[RPR_AFTER_SPACING.index("w:lang") + 1:])
    for attr in ("w:val", "w:eastAsia"):
        lang.set(qn(attr), LANGUAGE)
    theme = doc.settings.element.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), LANGUAGE)
        theme.set(qn("w:eastAsia"), LANGUAGE)


def _body_paragraph(doc, text: str):
    text = text.strip()
    if HEADING_1.match(text):
        return _para(doc, text, font=FONT_HEI, indent_chars=2)
    if HEADING_2.match(text):
        return _para(doc, text, font=FONT_KAI, indent_chars=2)
    # Third and fourth levels (1. and （1）) stay in 仿宋 like the text (GB/T 9704 7.3.3).
    return _para(doc, text, indent_chars=2)


def _cell_paragraph(paragraph, align=None) -> None:
    """Table text: 五号 lines 16 pt apart, off the page's 22-line grid."""
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(16)
    if align is not None:
        paragraph.alignment = align
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._element.get_or_add_pPr().insert_element_before(snap, *PPR_AFTER_SNAP)


SIZE_TABLE = Pt(10.5)  # 五号
CELL_PADDING = Pt(2 * 5.4 + 1)  # Table Grid's left and right cell margins (108 twips each), and a point spare


def column_widths(header: list[str], weights: list[float], *, size=SIZE_TABLE, total=None) -> list[int]:
    """Column widths (EMU) in proportion to ``weights``, but each wide enough for the longest word of its
    header, so a header wraps between words (逾期|未完成), never inside one (按期完|成率)."""
    total = Mm(BLOCK_W) if total is None else total
    need = [max(_width(w) for w in words(text)) * size + CELL_PADDING if text else 0 for text in header]
    fixed: set[int] = set()
    while True:
        free = total - sum(need[i] for i in fixed)
        free_weight = sum(w for i, w in enumerate(weights) if i not in fixed)
        widths = [need[i] if i in fixed else free * w / free_weight for i, w in enumerate(weights)]
        short = {i for i, w in enumerate(widths) if i not in fixed and w < need[i]}
        if not short or len(fixed | short) == len(weights):
            return [int(w) for w in widths]
        fixed |= short


def _row_props(tr, *props: str) -> None:
    """Row properties in the schema's order (cantSplit before tblHeader)."""
    trpr = tr.get_or_add_trPr()
    for name in props:
        trpr.append(OxmlElement(name))


def _table(doc, table: Table) -> None:
    if table.caption:
        _para(doc, table.caption, font=FONT_KAI)
    cols = len(table.header)
    t = doc.add_table(rows=1, cols=cols)
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = SIZE_TABLE
    widths = column_widths(table.header, table.widths or [1.0] * cols)
    for column, width in zip(t.columns, widths, strict=True):
        column.width = width  # the grid: a fixed-layout table takes its widths from here
    for cell, text, width in zip(t.rows[0].cells, table.header, widths, strict=True):
        cell.width = width
        _cell_paragraph(cell.paragraphs[0], WD_ALIGN_PARAGRAPH.CENTER)
        per_line = (width - CELL_PADDING) / size
        run = cell.paragraphs[0].add_run()
        for n, line in enumerate(break_lines(text, per_line)):
            if n:
                run.add_break()
            run.add_text(line)
        _fonts(run, FONT_HEI, size)
    # The header row is not split and repeats on every page of a long table; no row is split across pages.
    _row_props(t.rows[0]._tr, "w:cantSplit", "w:tblHeader")
    # Fixed layout: column widths as given, so Word and LibreOffice need not measure every cell.
    t.autofit = False
    if not table.rows:
        return
    # One model row through python-docx; every body row is a copy of its XML with its own text
    # (python-docx's add_row/cells walk the whole table each time: minutes for thousands of rows).
    model_row = t.add_row()
    for cell, width in zip(model_row.cells, widths, strict=True):
        cell.width = width
        _cell_paragraph(cell.paragraphs[0])
        _fonts(cell.paragraphs[0].add_run("-"), FONT_BODY, size)
    model = model_row._tr
    _row_props(model, "w:cantSplit")
    tbl = t._tbl
    for row in table.rows:
        tr = copy.deepcopy(model)
        for t_el, text in zip(tr.iter(qn("w:t")), row, strict=True):
            t_el.text = str(text)
        tbl.append(tr)
    tbl.remove(model)


# The 版记's line: the block less the one-character indents at both ends and the cell's margins.
BANJI_LINE = Mm(BLOCK_W) - 2 * SIZE_FOOT - Pt(2 * 5.4)


def banji_print_size(printer: str, printed: str, *, line=BANJI_LINE) -> Pt:
    """4号 (14 pt) for the 印发 line, or the largest half point below it at which 印发机关, two
    characters of space and 印发日期 fit on one line (never under 五号)."""
    chars = _width(printer) + 2 + _width(printed)
    size = min(SIZE_FOOT.pt, int(line / chars / Pt(1) * 2) / 2)
    return Pt(max(size, 10.5))


def _banji(doc, gw: Gongwen) -> None:
    """版记: 抄送 and 印发 lines between thick rules, after the last text (at the foot of a page is left to
    the office: LibreOffice ignores floating-table and bottom-aligned-section placement)."""
    _para(doc, "")
    rows = []
    if gw.copy_to:
        rows.append(("copy", f"抄送：{gw.copy_to}。" if not gw.copy_to.endswith("。") else f"抄送：{gw.copy_to}"))
    rows.append(("print", ""))
    t = doc.add_table(rows=len(rows), cols=1)
    tbl = t._tbl
    tblpr = tbl.tblPr
    width = tblpr.find(qn("w:tblW"))
    width.set(qn("w:w"), str(int(BLOCK_W / 25.4 * 1440)))
    width.set(qn("w:type"), "dxa")
    borders = OxmlElement("w:tblBorders")
    # In the schema's order; 0.35 mm rules first and last, 0.25 mm between.
    for side, sz in (("top", 8), ("left", None), ("bottom", 8), ("right", None), ("insideH", 4), ("insideV", None)):
        edge = OxmlElement(f"w:{side}")
        if sz is None:
            edge.set(qn("w:val"), "nil")
        else:
            edge.set(qn("w:val"), "single")
            edge.set(qn("w:sz"), str(sz))
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    tblpr.insert_element_before(borders, *TBLPR_AFTER_BORDERS)
    for row, (kind, text) in zip(t.rows, rows, strict=True):
        cell = row.cells[0]
        cell.width = Mm(BLOCK_W)
        p = cell.paragraphs[0]
        fmt = p.paragraph_format
        fmt.left_indent = Pt(SIZE_FOOT.pt)
        fmt.right_indent = Pt(SIZE_FOOT.pt)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(26)
        if kind == "copy":
            _fonts(p.add_run(text), FONT_BODY, SIZE_FOOT)
            continue
        # 印发机关 at the left, 印发日期 at the right, on one line (a right tab stop); a long 印发机关 takes a
        # smaller size rather than pushing 印发 onto a line of its own.
        p.paragraph_format.tab_stops.add_tab_stop(Mm(BLOCK_W) - Pt(SIZE_FOOT.pt * 2), alignment=2)
        printed = f"{chinese_date(gw.printed_on or gw.signed_on)}印发"
        _fonts(p.add_run(f"{gw.printer}\t{printed}"), FONT_BODY, banji_print_size(gw.printer, printed))


def build_docx(gw: Gongwen) -> bytes:
    doc = Document()
    _setup(doc)
    # 版头: the mark, in red 小标宋, centred; then the number with a red line under it.
    # As large as fits on one line of the text block, at most 36 pt (the standard: no wider than 156 mm).
    mark_size = Pt(min(36, int(Mm(BLOCK_W).pt * 0.96 / max(len(gw.issuer_mark), 1))))
    mark = _para(doc, gw.issuer_mark, font=FONT_TITLE, size=mark_size,
                 align=WD_ALIGN_PARAGRAPH.CENTER, colour=RED, line=Pt(max(mark_size.pt * 1.4, 40)))
    mark.paragraph_format.space_before = Pt(12)
    if gw.mark_note:
        _para(doc, gw.mark_note, font=FONT_HEI, align=WD_ALIGN_PARAGRAPH.CENTER,
              colour=gw.mark_note_colour or RED)
    _para(doc, "")
    number = _para(doc, gw.doc_number, align=WD_ALIGN_PARAGRAPH.CENTER)
    if gw.watermark:
        _fonts(number.add_run(f"（{gw.watermark}）"), FONT_BODY, SIZE_BODY, colour=RED)
    number.paragraph_format.space_after = Pt(6)
    _border(number, "bottom", size=12, space=11)  # the red separator, 4 mm under the number
    _para(doc, "")
    # 主体
    _para(doc, balanced_title(gw.title), font=FONT_TITLE, size=SIZE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER,
          line=Pt(36))
    _para(doc, "")
    if gw.addressees:
        _para(doc, f"{gw.addressees.rstrip('：:')}：")
    # The last body paragraph, the 附件说明, the room for the seal and the signature form one block that
    # a page break does not enter: the signature and date never go alone onto a page (GB/T 9704 7.3.5).
    tail = []
    for text in gw.body:
        if text.strip():
            tail = [_body_paragraph(doc, text)]
    if gw.attachments:
        tail.append(_para(doc, ""))
        for n, att in enumerate(gw.attachments, start=1):
            label = "附件：" if n == 1 else ""
            numbered = f"{n}．{att.title}" if len(gw.attachments) > 1 else att.title
            p = _para(doc, "", indent_chars=2)
            if label:
                _fonts(p.add_run(label), FONT_BODY, SIZE_BODY)
            else:
                p.paragraph_format.first_line_indent = Pt(SIZE_BODY.pt * 5)
            _fonts(p.add_run(numbered), FONT_BODY, SIZE_BODY)
            tail.append(p)
    # 署名 and 成文日期 at the right with room above for the 印章 (bookmarked for WPS/Word users).
    tail += [_para(doc, "") for _ in range(3)]
    date_text = chinese_date(gw.signed_on)
    signer = _para(doc, gw.signer, align=WD_ALIGN_PARAGRAPH.RIGHT,
                   right_chars=max(4 + (len(date_text) - len(gw.signer)) / 2, 2))
    _bookmark(signer, "印章")
    tail.append(signer)
    for p in tail:
        p.paragraph_format.keep_with_next = True
    tail[0].paragraph_format.widow_control = True  # at least two of its lines come along
    _para(doc, date_text, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    # 附件, each on its own page.
    for n, att in enumerate(gw.attachments, start=1):
        brk = doc.add_paragraph()
        brk.add_run().add_break(WD_BREAK.PAGE)
        brk.paragraph_format.space_after = Pt(0)
        _para(doc, f"附件{n}" if len(gw.attachments) > 1 else "附件", font=FONT_HEI)
        _para(doc, "")
        _para(doc, balanced_title(att.title), font=FONT_TITLE, size=SIZE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER,
              line=Pt(36))
        _para(doc, "")
        if att.intro:
            _para(doc, att.intro, indent_chars=2)
        for table in att.tables:
            _table(doc, table)
            _para(doc, "", size=Pt(10.5), line=Pt(14))
        for note in att.notes:
            _para(doc, note, size=SIZE_FOOT, line=Pt(22), indent_chars=2)
    if gw.copy_to or gw.printer:
        _banji(doc, gw)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
