"""Caps on what a plan document may cost, and the field limits of what it may create.

- ``check_document``: before any parsing, a .docx whose parts inflate past ``IMPORT_MAX_INFLATED_MB``
  or a document past ``IMPORT_MAX_PAGES`` pages is refused from the zip directory / page tree alone,
  so the refusal comes in well under a second whatever the document holds.
- ``read_and_parse``: reading and parsing run in a forked child with ``IMPORT_MAX_SECONDS`` of time
  (and a memory ceiling); past it the child is stopped and a clear message comes back. ``read_text``: the
  same caps for reading alone (the minutes of the decisions import).
- ``enforce_field_limits``: every text of the parsed plan cleaned (zero-width and control
  characters removed), texts longer than their column cut, numbers too large for a target column
  and dates outside ``workdays.date_bounds`` dropped, each with a warning that names the line.
  ``plan_import`` calls it again before writing, so every entry point is covered.

Settings (with defaults that admit the benchmarks' 2,000-page documents): ``IMPORT_MAX_INFLATED_MB``
(50), ``IMPORT_MAX_PAGES`` (3000), ``IMPORT_MAX_SECONDS`` (60), ``IMPORT_MAX_MEMORY_MB`` (2048).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from . import messages as msgs
from .document import ParsedPlan, PlanParseError, Warning_
from .messages import Issue, noted
from .processes import kill_tree
from .text import ascii_digits

# Column sizes of the models the import writes (tasks/models/plan.py); the importer stays ORM-free.
MAX_LENGTHS = {
    ("ParsedPlan", "title"): 300, ("ParsedPlan", "issuer"): 200, ("ParsedPlan", "region"): 100,
    ("ParsedUnit", "name"): 100, ("ParsedIndicator", "domain"): 50, ("ParsedIndicator", "name"): 200,
    ("ParsedIndicator", "measure"): 30, ("ParsedKeyTask", "section"): 200, ("ParsedKeyTask", "title"): 300,
    ("ParsedKeyTask", "deadline_text"): 100, ("ParsedWorkItem", "deadline_text"): 100,
    ("ParsedMilestone", "deadline_text"): 100, ("ParsedValue", "text"): 500, ("ParsedWorkItem", "indicator"): 200,
    ("ParsedWorkItem", "target_text"): 100,
}
UNIT_NAME_MAX = 100
VALUE_LIMIT = Decimal(10) ** 10  # DecimalField(max_digits=14, decimal_places=4)
SMALLINT_MAX = 32767


@dataclass(frozen=True)
class Limits:
    inflated_bytes: int = 50 * 1024 * 1024
    pages: int = 3000
    seconds: float = 60.0
    memory_bytes: int = 2048 * 1024 * 1024



def mb_text(n: int) -> str:
    return f"{n / (1024 * 1024):.0f}"


def check_inflated(infos: list[zipfile.ZipInfo], limits, *, name: str, kind: str, kind_en: str) -> None:
    """Refuse an archive (.docx, .xlsx) whose members inflate past ``limits.inflated_bytes`` (a zip bomb),
    from its directory alone."""
    inflated = sum(i.file_size for i in infos)
    if inflated > limits.inflated_bytes:
        raise PlanParseError(
            noted(Issue(msgs.INFLATES_TOO_LARGE, kind=kind, mb=mb_text(limits.inflated_bytes)),
                  f"{kind_en} inflates to {mb_text(inflated)} MB"), path=name)


_PAGES_XML = re.compile(rb"<(?:\w+:)?Pages>\s*(\d{1,9})\s*<")
_PAGE_BREAK = re.compile(rb'<w:br\b[^>]*w:type="page"')


def check_document(path: Path, limits: Limits, *, name: str = "") -> None:
    """Refuse a document past the size or page caps, from its zip directory or page tree only."""
    name = name or path.name
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size > limits.inflated_bytes:
        raise PlanParseError(noted(Issue(msgs.TOO_LARGE, mb=mb_text(limits.inflated_bytes)), "document too large"),
                             path=name)
    # The readers go by content as well as by name (a .doc/.wps that is a zip is read as a .docx), so any zip
    # not named as a spreadsheet gets the .docx caps, whatever its name.
    zipped = suffix not in (".xlsx", ".xlsm", ".xls", ".csv", ".et") and _starts_with(path, b"PK\x03\x04")
    if suffix == ".docx" or zipped:
        try:
            with zipfile.ZipFile(path) as archive:
                check_inflated(archive.infolist(), limits, name=name, kind="Word 文档", kind_en=".docx")
                pages = _docx_pages(archive)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise PlanParseError(noted(msgs.DOCX_UNREADABLE, f"not a readable .docx: {exc}"), path=name) from exc
        if pages > limits.pages:
            raise PlanParseError(noted(Issue(msgs.TOO_MANY_PAGES, pages=limits.pages), f"about {pages} pages"),
                                 path=name)
    elif suffix in (".xlsx", ".xlsm", ".xls", ".csv", ".et"):
        from .sheets import check_file

        check_file(path, limits, name=name)
    elif suffix == ".pdf" or (suffix not in (".docx",) and _starts_with(path, b"%PDF")):
        pages = _pdf_pages(path, name)
        if pages > limits.pages:
            raise PlanParseError(noted(Issue(msgs.TOO_MANY_PAGES, pages=limits.pages), f"{pages} pages"), path=name)


def _starts_with(path: Path, magic: bytes) -> bool:
    with open(path, "rb") as f:
        return f.read(len(magic)) == magic


def _docx_pages(archive: zipfile.ZipFile) -> int:
    """Word's own page count (docProps/app.xml) or the explicit page breaks, whichever is larger.

    The document part is scanned in chunks (its inflated size is already within the cap)."""
    pages = 0
    try:
        match = _PAGES_XML.search(archive.read("docProps/app.xml")[:65536])
        pages = int(match.group(1)) if match else 0
    except KeyError:
        pass
    breaks, tail = 1, b""
    try:
        with archive.open("word/document.xml") as part:
            while chunk := part.read(1 << 20):
                data = tail + chunk
                breaks += len(_PAGE_BREAK.findall(data))
                tail = data[-64:]
                breaks -= len(_PAGE_BREAK.findall(tail))  # counted again with the next chunk
    except KeyError:
        pass
    return max(pages, breaks)


def _pdf_pages(path: Path, name: str) -> int:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        return len(PdfReader(str(path)).pages)
    except ImportError:  # pragma: no cover - pypdf is in requirements.txt
        return 0
    except (PdfReadError, OSError, ValueError, KeyError, RecursionError) as exc:
        raise PlanParseError(noted(msgs.PDF_UNREADABLE, f"not a readable PDF: {exc}"), path=name) from exc


# ---- reading and parsing under a time limit --------------------------------------------------------------


def _read_text(path: Path, source: str, limits: Limits) -> str:
    from lxml import etree

    from .reader import read_document

    try:
        text = read_document(path)
    except PlanParseError as exc:
        raise PlanParseError(exc.message, path=source, line=exc.line) from None
    except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError) as exc:
        raise PlanParseError(noted(msgs.DAMAGED, f"damaged document: {type(exc).__name__}: {exc}"),
                             path=source) from None
    if len(text) > limits.inflated_bytes:
        raise PlanParseError(noted(Issue(msgs.TEXT_TOO_LARGE, mb=mb_text(limits.inflated_bytes)), "text too large"),
                             path=source)
    return text


def _read_and_parse(path: Path, source: str, year: int | None, limits: Limits,
                    columns: dict[int, list[str]] | None = None) -> tuple[str, ParsedPlan]:
    from . import parse_plan_text

    text = _read_text(path, source, limits)
    try:
        parsed = parse_plan_text(text, source=source, year=year, columns=columns)
    except PlanParseError as exc:
        raise PlanParseError(exc.message, path=source, line=exc.line, grids=exc.grids) from None
    return text, enforce_field_limits(parsed)


def _child(conn, source, limits, work, *args) -> None:  # pragma: no cover - runs in the forked child
    try:
        import resource

        if limits.memory_bytes > 0:
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    except (ImportError, ValueError, OSError):
        pass
    try:
        conn.send(("ok", work(*args)))
    except PlanParseError as exc:
        conn.send(("parse_error", (exc.message, exc.path, exc.line, exc.grids)))
    except MemoryError:
        conn.send(("parse_error", ("文档过于复杂，超出内存上限 (document needs too much memory)", source, None)))
    except BaseException as exc:  # anything else: the parent turns it into a clear message
        conn.send(("parse_error", (f"无法解析该文档 (cannot parse: {type(exc).__name__})", source, None)))
    finally:
        conn.close()
        os._exit(0)  # no atexit handlers, no database connection teardown in the child


def read_and_parse(path: str | Path, *, source: str = "", year: int | None = None,
                   limits: Limits | None = None, columns: dict[int, list[str]] | None = None,
                   ) -> tuple[str, ParsedPlan]:
    """The document's text and parsed plan, within the caps; PlanParseError with a clear message past one."""
    path, source, limits = _admitted(path, source, limits)
    return _within(limits, source, _read_and_parse, path, source, year, limits, columns)


def read_text(path: str | Path, *, source: str = "", limits: Limits | None = None) -> str:
    """A document's text (any format ``read_document`` reads) within the same caps as ``read_and_parse``:
    the size and page caps first, then reading in a forked child with the time and memory caps. For every
    upload read outside the plan import (minutes): LibreOffice or a hostile zip must not hold a web worker."""
    path, source, limits = _admitted(path, source, limits)
    return _within(limits, source, _read_text, path, source, limits)


def _read_sheets(data: bytes, filename: str, limits: Limits):
    from .sheets import read_sheets

    return read_sheets(data, filename=filename, limits=limits)


def read_spreadsheet(data: bytes, *, filename: str, limits: Limits | None = None):
    """A spreadsheet upload's sheets (``sheets.read_sheets``: .xlsx, .xls, .csv, WPS .et) read in a forked child
    under ``limits.seconds`` and ``limits.memory_bytes``, as every other upload is read: a WPS .et is converted
    by LibreOffice, which must not hold a web worker past the cap (a roster's .et was converted in the request
    for up to ``CONVERT_TIMEOUT``, 120 s, and LibreOffice ran on after it)."""
    limits = limits or Limits()
    return _within(limits, filename, _read_sheets, data, filename, limits)


def _admitted(path: str | Path, source: str, limits: Limits | None) -> tuple[Path, str, Limits]:
    """The upload as a path, its name for messages and the caps, once it is a file within the size and page caps
    (``PlanParseError`` naming it otherwise): what every read of an upload checks before reading."""
    path = Path(path)
    limits = limits or Limits()
    source = source or path.name
    if not path.is_file():
        from .reader import read_document

        read_document(path)  # its own clear message (not found, a directory)
    check_document(path, limits, name=source)
    return path, source, limits


def _within(limits: Limits, source: str, work, *args):
    """``work(*args)`` in a forked child under ``limits.seconds`` and ``limits.memory_bytes`` (in this process
    where fork is missing or the time cap is off); a PlanParseError past a cap."""
    if limits.seconds <= 0 or "fork" not in multiprocessing.get_all_start_methods():
        return work(*args)
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, source, limits, work, *args), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(limits.seconds):
            raise PlanParseError(
                noted(Issue(msgs.TIMED_OUT, seconds=f"{limits.seconds:g}"), "parse time limit"), path=source)
        try:
            kind, payload = parent.recv()
        except EOFError:
            raise PlanParseError(noted(msgs.PARSER_DIED, "parser process died"), path=source) from None
    finally:
        if process.is_alive():
            kill_tree(process.pid)  # the child and what it started (LibreOffice runs in a group of its own)
        process.join(5)
        parent.close()
    if kind == "ok":
        return payload
    message, where, line, *rest = payload
    raise PlanParseError(message, path=where, line=line, grids=rest[0] if rest else None)


# ---- field limits ---------------------------------------------------------------------------------------


def enforce_field_limits(parsed: ParsedPlan) -> ParsedPlan:
    """Clean every text, and cut or drop what its column cannot hold, with a warning naming the line.

    Idempotent: a second call changes nothing and adds no warning."""
    from tasks.text import clean_text
    from tasks.workdays import date_bounds

    low, high = date_bounds(parsed.last_year)
    warnings: list[Warning_] = []

    def warn(message: str, line: int | None, code: str, note: str) -> None:
        warnings.append(Warning_(noted(Issue(msgs.AT_LINE, line=line, message=message) if line else message, note),
                                 line, code))

    def visit(obj, line: int | None) -> None:
        line = getattr(obj, "line", None) or line
        kind = type(obj).__name__
        for f in fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, str):
                cleaned = clean_text(value)
                limit = MAX_LENGTHS.get((kind, f.name))
                if limit and len(cleaned) > limit:
                    warn(Issue(msgs.TOO_LONG, label=_label(kind, f.name), limit=limit), line, "too_long",
                         f"text longer than {limit}, cut")
                    cleaned = cleaned[:limit]
                if cleaned != value:
                    setattr(obj, f.name, cleaned)
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    if isinstance(v, str):
                        cleaned = clean_text(v)
                        if f.name in ("lead_units", "supporting_units", "aliases") and len(cleaned) > UNIT_NAME_MAX:
                            warn(Issue(msgs.UNIT_NAME_TOO_LONG, limit=UNIT_NAME_MAX), line, "too_long",
                                 "unit name too long")
                            cleaned = cleaned[:UNIT_NAME_MAX]
                        value[i] = cleaned
                    elif is_dataclass(v) and not isinstance(v, Warning_):
                        visit(v, line)
            elif isinstance(value, dict):
                for key in list(value):
                    if isinstance(key, int) and not low.year <= key <= high.year:
                        warn(Issue(msgs.YEAR_OUT_OF_RANGE, year=key, low=low.year, high=high.year), line,
                             "out_of_range", "year out of range")
                        del value[key]
                        continue
                    if is_dataclass(value[key]):
                        visit(value[key], line)
            elif isinstance(value, Decimal):
                if not value.is_finite() or abs(value) >= VALUE_LIMIT:
                    warn(Issue(msgs.NUMBER_TOO_LARGE, value=getattr(obj, "text", value)), line, "out_of_range",
                         "number too large")
                    setattr(obj, f.name, None)
                    if hasattr(obj, "comparator"):
                        obj.comparator = ""
            elif isinstance(value, date):
                if not low <= value <= high:
                    warn(Issue(msgs.DATE_OUT_OF_RANGE, value=value, low=low, high=high), line, "out_of_range",
                         "date out of range")
                    setattr(obj, f.name, None)
            elif isinstance(value, int) and not isinstance(value, bool) and f.name in ("number", "key_task"):
                if not 0 <= value <= SMALLINT_MAX:
                    warn(Issue(msgs.VALUE_OUT_OF_RANGE, label=_label(kind, f.name), value=value), line, "out_of_range",
                         "out of range")
                    setattr(obj, f.name, 0 if f.name == "number" else None)
            elif isinstance(value, int) and not isinstance(value, bool) and f.name == "baseline_year":
                if not low.year <= value <= high.year:
                    warn(Issue(msgs.BASELINE_YEAR_OUT_OF_RANGE, value=value), line, "out_of_range", "out of range")
                    setattr(obj, f.name, None)
            elif is_dataclass(value) and not isinstance(value, Warning_):
                visit(value, line)
            if f.name.endswith("deadline_text") and isinstance(getattr(obj, f.name), str):
                for text in impossible_dates(getattr(obj, f.name)):
                    warn(Issue(msgs.NO_SUCH_DATE, text=text), line, "impossible_date", "no such date")

    for f in fields(parsed):
        value = getattr(parsed, f.name)
        if f.name == "warnings":
            continue
        if isinstance(value, str):
            cleaned = clean_text(value)
            limit = MAX_LENGTHS.get(("ParsedPlan", f.name))
            if limit and len(cleaned) > limit:
                warn(Issue(msgs.TITLE_TOO_LONG, limit=limit), None, "too_long", f"text longer than {limit}, cut")
                cleaned = cleaned[:limit]
            setattr(parsed, f.name, cleaned)
        elif isinstance(value, list):
            for v in value:
                if is_dataclass(v):
                    visit(v, None)
    for kind, items in (("指标", parsed.indicators), ("重点任务", parsed.key_tasks)):
        seen: set[int] = set()
        for item in items:
            if item.number in seen:
                used = seen | {i.number for i in items}
                new = next(n for n in range(1, SMALLINT_MAX + 2) if n not in used)
                warn(Issue(msgs.DUPLICATE_NUMBER, kind=kind, number=item.number, new=new), item.line,
                     "duplicate_number", "duplicate number")
                item.number = new
            seen.add(item.number)
    if parsed.indicators and not any(i.targets for i in parsed.indicators):
        warn(msgs.NO_TARGET_COLUMNS, parsed.indicators[0].line, "no_targets", "no target year columns found")
    known = {(w.code, w.line, w.message) for w in parsed.warnings}
    parsed.warnings.extend(w for w in warnings if (w.code, w.line, w.message) not in known)
    return parsed


_LABELS = {"name": "名称", "title": "标题", "section": "板块", "domain": "领域", "measure": "计量单位",
           "deadline_text": "期限", "text": "内容", "number": "序号", "year": "年份", "baseline_year": "现状值年份",
           "key_task": "重点任务序号"}


def _label(kind: str, name: str) -> str:
    return _LABELS.get(name, name)


_YMD = re.compile(r"(?:(20[0-9]{2})年)?([0-9]{1,2})月([0-9]{1,2})[日号]")


def impossible_dates(text: str) -> list[str]:
    """Dates written with a day the month does not have ("2月30日", "4月31日")."""
    import calendar

    out = []
    for m in _YMD.finditer(ascii_digits(re.sub(r"\s+", "", text or ""))):
        year = int(m.group(1)) if m.group(1) else 2000  # a leap year: "2月29日" may be right
        month, day = int(m.group(2)), int(m.group(3))
        if 1 <= month <= 12 and not 1 <= day <= calendar.monthrange(year, month)[1]:
            out.append(m.group(0))
    return out
