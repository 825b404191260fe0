"""Read spreadsheets into plain grids: .xlsx / .xlsm and .xls (python-calamine), .csv (UTF-8 or
GB18030) and Kingsoft WPS .et (LibreOffice's spreadsheet component converts it to .xlsx first).

Pure Python, no Django: ``read_sheets(data, filename=..., limits=...)`` gives every sheet as rows of
strings. Used by the plan import (a 任务清单 as a spreadsheet) and the roster import (a 联络员名单).

- Merged ranges: the lead cell's value is repeated down the rows it covers (a 牵头单位 merged over a
  run of tasks covers each of them); a cell merged across columns stays in its first column only, the
  others empty. ``Sheet.merged`` keeps the ranges for a reader that needs to tell a merged cell apart.
- Formulas are read as the value the file stored when it was last saved (never evaluated; no cached
  value reads as an empty cell); external links are never followed (calamine reads one file only).
- Caps, checked before the cells are loaded: the file's inflated size (``Limits.inflated_bytes``: a zip
  bomb is refused from the zip directory), ``MAX_ROWS`` rows, ``MAX_COLUMNS`` columns and ``MAX_CELLS``
  cells per sheet (a cell far out at row 1,048,576 or column XFD is refused, not allocated).
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from . import messages as msgs
from .document import PlanParseError
from .limits import check_inflated, mb_text
from .messages import Issue, noted
from .office import CONVERT_TIMEOUT, convert, soffice_binary

MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
MAX_CELLS = 2_000_000

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".et")

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


@dataclass
class Sheet:
    name: str
    rows: list[list[str]]
    # Merged ranges as (first row, first column, last row, last column), 0-based and inclusive, in ``rows``.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def continued(self) -> set[tuple[int, int]]:
        """The cells a merged range covers other than its first (row, column): filled copies."""
        out: set[tuple[int, int]] = set()
        for r0, c0, r1, c1 in self.merged:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        out.add((r, c))
        return out


def read_sheets(data: bytes, *, filename: str, limits=None) -> list[Sheet]:
    """Every sheet of a spreadsheet file, as rows of strings; PlanParseError (naming the file) when the
    file cannot be read or passes a cap."""
    from .limits import Limits

    limits = limits or Limits()
    suffix = Path(filename).suffix.lower()
    if not data:
        raise PlanParseError(noted(msgs.EMPTY_FILE, "empty file"), path=filename)
    if len(data) > limits.inflated_bytes:
        raise PlanParseError(noted(Issue(msgs.TOO_LARGE, mb=mb_text(limits.inflated_bytes)), "file too large"),
                             path=filename)
    if suffix == ".csv":
        return [_read_csv(data, filename)]
    if suffix == ".et":
        if not data.startswith(_OLE2 + b"") and not data.startswith(_ZIP):
            raise PlanParseError(noted(msgs.NOT_ET, "not a WPS spreadsheet"), path=filename)
        if data.startswith(_ZIP):
            return _read_workbook(data, filename, limits)  # WPS saved .xlsx content under the old name
        return _read_workbook(convert_et(data, filename, seconds=limits.seconds), filename, limits)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        if not data.startswith((_ZIP, _OLE2)):
            raise PlanParseError(
                noted(Issue(msgs.NOT_EXCEL, suffix=suffix), "not an Excel workbook"),
                path=filename)
        return _read_workbook(data, filename, limits)
    raise PlanParseError(noted(Issue(msgs.SHEET_FORMAT, suffix=suffix or "无扩展名"), "unsupported spreadsheet format"),
                         path=filename)


def check_file(path: Path, limits, *, name: str = "") -> None:
    """The caps a spreadsheet file can be refused by before it is read (the zip directory, each sheet's
    extent), quick whatever the file holds; ``read_sheets`` checks them again."""
    name = name or path.name
    with open(path, "rb") as f:
        head = f.read(4)
    if head == _ZIP and path.suffix.lower() != ".csv":
        _check_xlsx(path.read_bytes(), name, limits)


# ---- .xlsx / .xls -----------------------------------------------------------------------------------------

_SHEET_PART = re.compile(r"^(?:xl/)?worksheets/[^/]+\.xml$", re.I)
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,4})([0-9]{1,8})\"[^>]*?(/?)>")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _check_xlsx(data: bytes, filename: str, limits) -> None:
    """The zip directory (a zip bomb) and each sheet's extent, before calamine allocates a cell of it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            check_inflated(infos, limits, name=filename, kind="表格文件", kind_en="spreadsheet")
            names = _sheet_names(archive)
            for info in infos:
                if _SHEET_PART.match(info.filename):
                    _check_sheet_xml(archive, info, filename, limits, names)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise PlanParseError(noted(msgs.WORKBOOK_UNREADABLE, f"not a readable workbook: {exc}"), path=filename) from exc


_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb"([\w:]+)=\"([^\"]*)\"")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> the sheet's name as the workbook shows it (for the messages)."""
    try:
        book = archive.read("xl/workbook.xml")[:1 << 20]
        rels = archive.read("xl/_rels/workbook.xml.rels")[:1 << 20]
    except KeyError:
        return {}
    targets = {}
    for m in _REL.finditer(rels):
        attrs = dict(_ATTR.findall(m.group(0)))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace").lstrip("/")
        targets[attrs.get(b"Id", b"")] = target if target.startswith("xl/") else f"xl/{target}"
    out = {}
    for m in _SHEET_ENTRY.finditer(book):
        attrs = dict(_ATTR.findall(m.group(0)))
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        if rid in targets:
            out[targets[rid]] = attrs.get(b"name", b"").decode("utf-8", "replace")
    return out


def _check_sheet_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, limits,
                     names: dict[str, str]) -> None:
    """Rows and columns a sheet's cells reach, streamed: a cell with a value far out (XFD1048576) or
    a million rows of empty cells is refused here. The actual inflated size is counted too (a zip
    directory may lie about it)."""
    max_row = max_col = cells = 0
    total = 0
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(1 << 20):
            total += len(chunk)
            if total > limits.inflated_bytes:
                raise PlanParseError(
                    noted(Issue(msgs.SHEET_INFLATES_TOO_LARGE, mb=mb_text(limits.inflated_bytes)),
                          "spreadsheet too large"),
                    path=filename)
            buf = tail + chunk
            cut = buf.rfind(b">") + 1
            text, tail = buf[:cut], buf[cut:]
            for m in _CELL.finditer(text):
                cells += 1
                max_row = max(max_row, int(m.group(2)))
                max_col = max(max_col, _column_number(m.group(1)))
            _check_extent(max_row, max_col, cells, filename, names.get(info.filename) or _sheet_label(info.filename))


def _sheet_label(part: str) -> str:
    return part.rsplit("/", 1)[-1].removesuffix(".xml")


def _check_extent(rows: int, columns: int, cells: int, filename: str, sheet: str) -> None:
    if rows > MAX_ROWS:
        raise PlanParseError(
            noted(Issue(msgs.SHEET_TOO_MANY_ROWS, sheet=sheet, limit=f"{MAX_ROWS:,}", rows=f"{rows:,}"),
                  f"sheet has {rows:,} rows"), path=filename)
    if columns > MAX_COLUMNS:
        raise PlanParseError(
            noted(Issue(msgs.SHEET_TOO_MANY_COLUMNS, sheet=sheet, limit=f"{MAX_COLUMNS:,}", columns=f"{columns:,}"),
                  f"sheet has {columns:,} columns"), path=filename)
    if cells > MAX_CELLS or rows * max(columns, 1) > MAX_CELLS * 4:
        raise PlanParseError(
            noted(Issue(msgs.SHEET_TOO_MANY_CELLS, sheet=sheet, limit=f"{MAX_CELLS:,}"), "sheet has too many cells"),
            path=filename)


def _read_workbook(data: bytes, filename: str, limits) -> list[Sheet]:
    try:
        import python_calamine as calamine
    except ImportError as exc:  # pragma: no cover - a deployment problem, not the user's
        raise PlanParseError(noted(msgs.NEEDS_CALAMINE, "python-calamine is missing"), path=filename) from exc
    if data.startswith(_ZIP):
        _check_xlsx(data, filename, limits)
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise PlanParseError(noted(msgs.PASSWORD, "password-protected workbook"),
                             path=filename) from exc
    except (calamine.CalamineError, ValueError, OSError) as exc:
        raise PlanParseError(noted(msgs.WORKBOOK_DAMAGED, f"not a readable workbook: {exc}"),
                             path=filename) from exc
    sheets: list[Sheet] = []
    try:
        for index, meta in enumerate(workbook.sheets_metadata):
            if str(getattr(meta, "typ", "")).endswith(("ChartSheet", "Vba", "MacroSheet", "DialogSheet")):
                continue
            try:
                sheet = workbook.get_sheet_by_index(index)
            except (calamine.CalamineError, ValueError) as exc:
                raise PlanParseError(noted(Issue(msgs.SHEET_UNREADABLE, sheet=meta.name), f"unreadable sheet: {exc}"),
                                     path=filename) from exc
            height, width = sheet.height, sheet.width
            _check_extent(height, width, height * width, filename, meta.name)
            sheets.append(_sheet(meta.name, sheet))
    finally:
        workbook.close()
    if not sheets:
        raise PlanParseError(noted(msgs.NO_SHEETS, "no worksheets"), path=filename)
    return sheets


def _sheet(name: str, sheet) -> Sheet:
    if not sheet.height or not sheet.width:
        return Sheet(name=name, rows=[])
    top, left = sheet.start
    values = sheet.to_python(skip_empty_area=True)
    rows = [[_text(v) for v in row] for row in values]
    merged: list[tuple[int, int, int, int]] = []
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        r0, r1, c0, c1 = r0 - top, r1 - top, c0 - left, c1 - left
        if r1 < 0 or c1 < 0 or r0 >= len(rows):
            continue
        r0, c0 = max(r0, 0), max(c0, 0)
        r1 = min(r1, len(rows) - 1)
        merged.append((r0, c0, r1, c1))
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0 + 1, r1 + 1):  # down: each row the merged cell covers has its value
            if c0 < len(rows[r]) and not rows[r][c0]:
                rows[r][c0] = value
    while rows and not any(rows[-1]):
        rows.pop()
    for row in rows:
        while row and not row[-1]:
            row.pop()
    return Sheet(name=name, rows=rows, merged=merged)


def _text(value) -> str:
    """A cell's value as the sheet shows it: 3.0 -> "3", a date -> "2024年6月30日", True -> "是"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta):
        return str(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.strip()


# ---- .csv ---------------------------------------------------------------------------------------------------

_ENCODINGS = ("utf-8-sig", "gb18030")


def _decode(data: bytes, filename: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PlanParseError(noted(msgs.UTF16_UNREADABLE, "unreadable UTF-16 text"), path=filename) from exc
    if b"\x00" in data[:8192]:
        raise PlanParseError(noted(msgs.CSV_BINARY, "binary file, not a CSV"), path=filename)
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlanParseError(noted(msgs.CSV_ENCODING, "unreadable encoding"), path=filename)


def _read_csv(data: bytes, filename: str) -> Sheet:
    text = _decode(data, filename)
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|，")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    width = cells = 0
    csv.field_size_limit(max(len(text), 131072))
    try:
        for lineno, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), 1):
            if lineno > MAX_ROWS:
                _check_extent(lineno, width, cells, filename, Path(filename).stem)
            if len(row) > MAX_COLUMNS:
                _check_extent(lineno, len(row), cells, filename, Path(filename).stem)
            row = [c.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip() for c in row]
            while row and not row[-1]:
                row.pop()
            width = max(width, len(row))
            cells += len(row)
            rows.append(row)
    except csv.Error as exc:
        raise PlanParseError(noted(msgs.CSV_MALFORMED, f"malformed CSV: {exc}"), path=filename) from exc
    _check_extent(len(rows), width, cells, filename, Path(filename).stem)
    while rows and not any(rows[-1]):
        rows.pop()
    return Sheet(name=Path(filename).stem, rows=rows)


# ---- WPS .et through LibreOffice -----------------------------------------------------------------------------


def et_timeout(seconds: float) -> float:
    """How long one .et conversion may take within a read capped at ``seconds`` (0: no cap): a second or two
    less, for the reading child to report it before its parent stops it."""
    if seconds <= 0:
        return CONVERT_TIMEOUT
    return max(1.0, min(float(CONVERT_TIMEOUT), seconds - min(2.0, seconds / 5)))


def calc_available() -> bool:
    """LibreOffice with its spreadsheet component (Debian: libreoffice-calc-nogui)."""
    binary = soffice_binary()
    if binary is None:
        return False
    program = Path(os.path.realpath(binary)).parent
    return any((program / name).exists() for name in ("libsclo.so", "libscfiltlo.so")) or any(
        program.glob("libsc*lo.so"))


def convert_et(data: bytes, filename: str, *, seconds: float = CONVERT_TIMEOUT) -> bytes:
    """A Kingsoft .et workbook converted to .xlsx by LibreOffice Calc, headless, with a profile of its
    own; the .xlsx bytes (read with the same caps as any .xlsx). LibreOffice is stopped a little before the
    read's own time cap (``seconds``: ``Limits.seconds``, ``CONVERT_TIMEOUT`` at most), so the refusal says what
    took the time and what to do."""
    timeout = et_timeout(seconds)
    binary = soffice_binary()
    if binary is None or not calc_available():
        raise PlanParseError(
            noted(msgs.NEEDS_CALC, "LibreOffice Calc is not installed: save the file as .xlsx"), path=filename)
    with tempfile.TemporaryDirectory(prefix="sheet-convert-") as tmp:
        outdir = Path(tmp)
        source = outdir / "source.et"  # a plain name LibreOffice cannot misread
        source.write_bytes(data)
        for filter_name in (None, "MS Excel 97"):
            try:
                out = convert(binary, source, outdir, target="xlsx:Calc MS Excel 2007 XML", suffix=".xlsx",
                              filter_name=filter_name, timeout=timeout)
            except subprocess.TimeoutExpired:
                raise PlanParseError(
                    noted(Issue(msgs.ET_TOO_SLOW, seconds=f"{timeout:g}"), "conversion timed out"),
                    path=filename) from None
            if out is not None:
                return out.read_bytes()
    raise PlanParseError(
        noted(msgs.ET_UNCONVERTED, "LibreOffice could not convert this .et file"), path=filename)
