"""Read a plan file to text: .txt (UTF-8, UTF-8 with BOM, GB18030), .docx (paragraphs and
tables in document order, table rows as tab-separated lines), text-layer .pdf, and legacy
.doc / Kingsoft .wps through LibreOffice headless (converted to .docx first); spreadsheets (.xlsx, .xls,
.csv, WPS .et: ``sheets.read_sheets``) become the same tab-separated rows as a .docx table."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from . import messages as msgs
from .document import PlanParseError
from .messages import Issue, noted
from .office import convert, soffice_binary
from .sheets import SUFFIXES as SHEET_SUFFIXES
from .sheets import Sheet, read_sheets
from .text import join_cell_lines

_ENCODINGS = ("utf-8-sig", "gb18030")


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f") or 0xE000 <= ord(c) <= 0xF8FF)
    return bad / len(sample)


def decode_text(data: bytes, path: str) -> str:
    if not data.strip():
        raise PlanParseError(noted(msgs.EMPTY_FILE, "empty file"), path=path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PlanParseError(noted(msgs.UTF16_UNREADABLE, "unreadable UTF-16 text"), path=path) from exc
    if _looks_binary(data):
        raise PlanParseError(noted(msgs.BINARY_TEXT, "binary file, not a text document"), path=path)
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _control_ratio(text) > 0.01:
            break
        return text
    raise PlanParseError(
        noted(msgs.ENCODING_UNREADABLE, "unreadable encoding: not UTF-8 or GB18030"), path=path)


def read_docx(path: Path) -> str:
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - a deployment problem, not the user's
        raise PlanParseError(noted(msgs.NEEDS_DOCX, "python-docx is missing"), path=str(path)) from exc
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PlanParseError(noted(msgs.DOCX_UNREADABLE, f"not a readable .docx: {exc}"), path=str(path)) from exc
    numbering = _Numbering(document)
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, document)
            lines.append(numbering.prefix(para) + para.text)
        elif tag == "tbl":
            _table_lines(Table(child, document), lines)
    return "\n".join(lines)


def _cell_text(cell) -> str:
    return join_cell_lines([p.text for p in cell.paragraphs]).replace("\t", " ")


def _table_lines(table, lines: list[str]) -> None:
    """Rows as tab-separated lines. A cell merged across columns is its text then empty cells (the
    columns stay in place); a cell merged down from the row above is empty ("same as above")."""
    from docx.table import _Cell

    for tr in table._tbl.tr_lst:
        cells = []
        nested = []
        for tc in tr.tc_lst:
            cell = _Cell(tc, table)
            if tc.vMerge == "continue":
                cells.append("")
                continue
            cells.append(_cell_text(cell))
            # A cell merged across columns keeps the columns after it in place ("责任单位" over two).
            if len(tr.tc_lst) > 1:
                cells += [""] * (max(int(tc.grid_span or 1), 1) - 1)
            nested += cell.tables
        if any(cells):
            # A one-cell row (a section row spanning the table) keeps a tab to stay a row.
            lines.append("\t".join(cells) if len(cells) > 1 else cells[0] + "\t\t")
        for t in nested:
            _table_lines(t, lines)


class _Numbering:
    """Automatic list numbers of Word paragraphs ("1." "（一）"), which are not in the text."""

    _FORMATS = {
        "decimal", "chineseCounting", "chineseCountingThousand", "ideographTraditional", "japaneseCounting",
        "taiwaneseCountingThousand", "decimalEnclosedCircle", "decimalEnclosedCircleChinese",
    }

    def __init__(self, document) -> None:
        self.levels: dict[tuple[str, str], tuple[str, str, int]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            part = document.part.numbering_part
        except (NotImplementedError, KeyError, AttributeError):
            return
        ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        root = part.element
        abstract: dict[str, dict[str, tuple[str, str, int]]] = {}
        for an in root.findall(f"{ns}abstractNum"):
            levels = {}
            for lvl in an.findall(f"{ns}lvl"):
                fmt = lvl.find(f"{ns}numFmt")
                text = lvl.find(f"{ns}lvlText")
                start = lvl.find(f"{ns}start")
                levels[lvl.get(f"{ns}ilvl")] = (
                    fmt.get(f"{ns}val") if fmt is not None else "decimal",
                    text.get(f"{ns}val") if text is not None else "",
                    int(start.get(f"{ns}val")) if start is not None else 1,
                )
            abstract[an.get(f"{ns}abstractNumId")] = levels
        for num in root.findall(f"{ns}num"):
            ref = num.find(f"{ns}abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(f"{ns}val"), {}).items():
                self.levels[(num.get(f"{ns}numId"), ilvl)] = spec

    @staticmethod
    def _num_pr(para):
        """The paragraph's numbering, or its style's ("List Number")."""
        ppr = para._p.pPr
        if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
            return ppr.numPr
        style = para.style
        while style is not None:
            sppr = style.element.pPr
            if sppr is not None and sppr.numPr is not None and sppr.numPr.numId is not None:
                return sppr.numPr
            style = style.base_style
        return None

    def prefix(self, para) -> str:
        try:
            num_pr = self._num_pr(para)
        except (AttributeError, KeyError, ValueError):
            return ""
        if num_pr is None:
            return ""
        num_id = str(num_pr.numId.val)
        ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        spec = self.levels.get((num_id, str(ilvl)))
        if spec is None or spec[0] not in self._FORMATS:
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, spec[2] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        fmt, text, _ = spec
        value = counters[ilvl]
        rendered = _render(value, fmt)
        out = text.replace(f"%{ilvl + 1}", rendered)
        return out if out.strip() else ""


_CN = "〇一二三四五六七八九"


def _render(n: int, fmt: str) -> str:
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= 20:
        return chr(ord("①") + n - 1)
    if fmt == "decimal":
        return str(n)
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n % 10] if n % 10 else "")
    return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")


def read_pdf(path: Path) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover
        raise PlanParseError(noted(msgs.NEEDS_PYPDF, "pypdf is not installed"), path=str(path)) from exc
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise PlanParseError(noted(msgs.PDF_UNREADABLE, f"not a readable PDF: {exc}"), path=str(path)) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise PlanParseError(noted(msgs.PDF_NO_TEXT, "PDF has no text layer; scanned?"), path=str(path))
    return text


LEGACY_SUFFIXES = (".doc", ".wps")
def _convert(binary: str, source: Path, outdir: Path, filter_name: str | None) -> Path | None:
    """One headless conversion to .docx (``office.convert``); the .docx path, or None when it failed or
    timed out (the caller tries the next filter, then refuses the file)."""
    try:
        return convert(binary, source, outdir, target="docx:MS Word 2007 XML", suffix=".docx",
                       filter_name=filter_name)
    except subprocess.TimeoutExpired:
        return None


def convert_legacy(path: Path, outdir: Path) -> Path:
    """A .doc or Kingsoft .wps file converted to .docx by LibreOffice; a .wps LibreOffice does not
    recognise is retried as a Word 97 document (the format WPS writes by default)."""
    binary = soffice_binary()
    if binary is None:
        raise PlanParseError(
            noted(msgs.NEEDS_LIBREOFFICE, "LibreOffice is not installed: save the file as .docx"), path=str(path))
    # LibreOffice names its output after the input: copy to a plain name it cannot misread.
    source = outdir / ("source" + path.suffix.lower())
    shutil.copyfile(path, source)
    filters = [None, "MS Word 97"] if path.suffix.lower() == ".wps" else [None]
    for filter_name in filters:
        out = _convert(binary, source, outdir, filter_name)
        if out is not None:
            return out
    raise PlanParseError(
        noted(Issue(msgs.LEGACY_UNCONVERTED, suffix=path.suffix.lower()),
              f"LibreOffice could not convert this {path.suffix.lower()} file"), path=str(path))


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_legacy(path: Path) -> str:
    try:
        head = path.read_bytes()[:8]
    except OSError as exc:
        raise PlanParseError(noted(msgs.CANNOT_READ, f"cannot read file: {exc.strerror}"), path=str(path)) from exc
    if head.startswith(b"PK\x03\x04"):
        return read_docx(path)  # WPS and Word can save .docx content under the old name
    if head != _OLE2:
        raise PlanParseError(
            noted(Issue(msgs.NOT_LEGACY, suffix=path.suffix.lower()), "not a Word 97 / WPS document"), path=str(path))
    with tempfile.TemporaryDirectory(prefix="plan-convert-") as tmp:
        converted = convert_legacy(path, Path(tmp))
        try:
            return read_docx(converted)
        except PlanParseError as exc:
            raise PlanParseError(exc.message, path=str(path)) from None


def read_spreadsheet(path: Path, limits=None) -> str:
    """A spreadsheet's sheets as the text of tables: one tab-separated line per row."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlanParseError(noted(msgs.CANNOT_READ, f"cannot read file: {exc.strerror}"), path=str(path)) from exc
    return sheets_text(read_sheets(data, filename=str(path), limits=limits))


def sheets_text(sheets: list[Sheet]) -> str:
    """Rows as tab-separated lines, as a .docx table is read: a cell merged down from the row above is
    empty ("same as above", the table reader decides what it carries), a one-cell row above the first
    table row is a paragraph (the title), a one-cell row inside the table keeps its tabs (a group row)."""
    lines: list[str] = []
    for sheet in sheets:
        continued = sheet.continued()
        started = False
        for r, row in enumerate(sheet.rows):
            cells = [("" if (r, c) in continued else join_cell_lines(v.split("\n")).replace("\t", " "))
                     for c, v in enumerate(row)]
            while cells and not cells[-1]:
                cells.pop()
            filled = [c for c in cells if c]
            if not filled:
                continue
            if len(filled) == 1 and not started:
                lines.append(filled[0])
                continue
            started = True
            lines.append("\t".join(cells) if len(cells) > 1 else cells[0] + "\t\t")
        lines.append("")
    return "\n".join(lines)


def read_document(path: str | Path) -> str:
    p = Path(path)
    if not p.exists():
        raise PlanParseError(noted(msgs.FILE_NOT_FOUND, "file not found"), path=str(p))
    if p.is_dir():
        raise PlanParseError(noted(msgs.A_DIRECTORY, "a directory, not a file"), path=str(p))
    suffix = p.suffix.lower()
    if suffix == ".docx":
        return read_docx(p)
    if suffix == ".pdf":
        return read_pdf(p)
    if suffix in LEGACY_SUFFIXES:
        return read_legacy(p)
    if suffix in SHEET_SUFFIXES:
        return read_spreadsheet(p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise PlanParseError(noted(msgs.CANNOT_READ, f"cannot read file: {exc.strerror}"), path=str(p)) from exc
    if data.startswith(b"PK\x03\x04"):
        raise PlanParseError(noted(msgs.ZIP_AS_TEXT, "zip/docx content in a text file"),
                             path=str(p))
    if data.startswith(b"%PDF"):
        return read_pdf(p)
    return decode_text(data, str(p))
