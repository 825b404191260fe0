"""Spreadsheets as rows of text: .csv, .xlsx and legacy .xls, for the roster import.

The interface is ``read_sheets(data, *, filename, limits) -> list[Sheet]`` (the integrator may swap this module
for the shared ``tasks/importers/sheets.py`` of the same interface). Every cell is text, as a person reads it:
a whole number stored as a float (a mobile number typed into Excel) is written without ``.0``; a date as
``YYYY-MM-DD``. Caps: the file's size, the unpacked size of an .xlsx, rows and columns read.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from . import PlanParseError
from .reader import soffice_binary

CONVERT_TIMEOUT = 60


@dataclass(frozen=True)
class SheetLimits:
    bytes: int = 5 * 1024 * 1024
    inflated_bytes: int = 50 * 1024 * 1024
    rows: int = 5000
    columns: int = 40


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[str]]


class SheetError(PlanParseError):
    """The file cannot be read as a spreadsheet (the message says why and what to do)."""


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def _trim(rows: list[list[str]], limits: SheetLimits) -> list[list[str]]:
    out = []
    for row in rows:
        cells = [c.strip() for c in row[: limits.columns]]
        while cells and not cells[-1]:
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def read_csv(data: bytes, limits: SheetLimits) -> list[Sheet]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("无法识别 CSV 文件的编码,请另存为 UTF-8 (cannot decode the CSV file)")
    if "\x00" in text:
        raise SheetError("不是 CSV 文本文件 (not a CSV text file)")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for i, row in enumerate(csv.reader(io.StringIO(text), dialect)):
        if i >= limits.rows:
            raise SheetError(f"超过 {limits.rows} 行 (more than {limits.rows} rows)")
        rows.append(row)
    return [Sheet("CSV", _trim(rows, limits))]


def read_xlsx(data: bytes, limits: SheetLimits) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > limits.inflated_bytes:
                raise SheetError("文件解压后过大 (the workbook unpacks too large)")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except SheetError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SheetError("无法读取 .xlsx 文件(已损坏或不是 Excel 工作簿) "
                         f"(cannot read the workbook: {type(exc).__name__})") from None
    sheets = []
    try:
        for ws in book.worksheets:
            rows = []
            for i, row in enumerate(ws.iter_rows(values_only=True, max_col=limits.columns)):
                if i >= limits.rows:
                    raise SheetError(f"工作表“{ws.title}”超过 {limits.rows} 行 (more than {limits.rows} rows)")
                rows.append([cell_text(v) for v in row])
            sheets.append(Sheet(ws.title, _trim(rows, limits)))
    finally:
        book.close()
    return sheets


def read_xls(data: bytes, limits: SheetLimits) -> list[Sheet]:
    """A legacy .xls converted to .xlsx by LibreOffice (its own profile, a time limit), then read as one."""
    if not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if data.startswith(b"PK\x03\x04"):
            return read_xlsx(data, limits)  # an .xlsx under the old name
        raise SheetError("不是 Excel 97-2003 工作簿 (not an .xls workbook)")
    binary = soffice_binary()
    if binary is None:
        raise SheetError("读取 .xls 需要 LibreOffice,服务器未安装;请另存为 .xlsx 后上传 (LibreOffice is not installed)")
    with tempfile.TemporaryDirectory(prefix="roster-xls-") as tmp:
        outdir = Path(tmp)
        source = outdir / "roster.xls"
        source.write_bytes(data)
        profile = outdir / "profile"
        command = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--nolockcheck", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir),
                   str(source)]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT, check=False,
                           env={"HOME": str(profile), "PATH": "/usr/bin:/bin"})
        except subprocess.TimeoutExpired:
            raise SheetError("转换 .xls 超时,请另存为 .xlsx 后上传 (converting the .xls timed out)") from None
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        out = outdir / "roster.xlsx"
        if not out.exists() or out.stat().st_size == 0:
            raise SheetError("LibreOffice 无法读取此 .xls 文件,请另存为 .xlsx 后上传 (could not convert the .xls)")
        return read_xlsx(out.read_bytes(), limits)


READERS = {".csv": read_csv, ".xlsx": read_xlsx, ".xls": read_xls}


def read_sheets(data: bytes, *, filename: str, limits: SheetLimits | None = None) -> list[Sheet]:
    """Every sheet of the file ``filename`` (its suffix chooses the reader) as rows of text cells."""
    limits = limits or SheetLimits()
    suffix = Path(filename or "").suffix.lower()
    if suffix not in READERS:
        raise SheetError("只支持 .xlsx、.xls 和 .csv 文件 (only .xlsx, .xls and .csv)")
    if len(data) > limits.bytes:
        raise SheetError(f"文件超过 {limits.bytes // (1024 * 1024)}MB (the file is too large)")
    if not data:
        raise SheetError("文件是空的 (the file is empty)")
    return READERS[suffix](data, limits)
