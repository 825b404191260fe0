"""The one way a value goes into a workbook cell (table exports, roundup workbooks) or a CSV file's cell.

Excel and WPS run text that starts with ``= + - @`` (and tab/CR, which they skip) as a formula:
a unit name or task title typed as ``=HYPERLINK(...)`` must stay text, shown as written. Sheet titles may not hold
``/ \\ ? * [ ] :`` nor exceed 31 characters, nor start or end with an apostrophe.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tasks.inputs import clean_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?%?")
_SHEET_FORBIDDEN = re.compile(r"[/\\?*\[\]:]")
MAX_SHEET_TITLE = 31
MAX_CELL_TEXT = 32767


def csv_cell(value):
    """A value as a CSV cell that a spreadsheet opens as written: None empty, text that would start a formula
    marked as text with a leading apostrophe (a CSV cell has no type to set), numbers and dates unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def safe_value(value):
    """A value openpyxl stores as a constant: numbers and dates unchanged, text cleaned and cut to a cell."""
    if value is None or isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", clean_text(str(value)))[:MAX_CELL_TEXT]


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text)


def protect(cell):
    """Make ``cell`` keep its text as written: a string cell, marked as typed with a leading apostrophe
    (Excel's and WPS's own marker), so it is not evaluated on opening nor on editing. Call after styling."""
    if isinstance(cell.value, str):
        cell.data_type = "s"  # openpyxl would take text starting with "=" for a formula ("f")
        if formula_like(cell.value):
            cell.quotePrefix = True
    return cell


def write_cell(ws, *, row: int, column: int, value):
    """``ws.cell(row, column, value)`` with the value made safe; text stays text."""
    cell = ws.cell(row=row, column=column)
    cell.value = safe_value(value)
    return protect(cell)


def append_row(ws, values, *, font=None) -> None:
    """``ws.append(values)`` with every value made safe, on a write-only sheet (``Workbook(write_only=True)``):
    formula-like text, and every value when ``font`` is given, goes in as a ``WriteOnlyCell`` styled there
    (a write-only sheet's rows cannot be revisited); the rest as plain values, which stream fastest."""
    row = []
    for value in values:
        value = safe_value(value)
        if font is not None or (isinstance(value, str) and formula_like(value)):
            cell = WriteOnlyCell(ws, value=value)
            if font is not None:
                cell.font = font
            value = protect(cell)
        row.append(value)
    ws.append(row)


def protect_workbook(wb) -> None:
    """``protect`` every text cell of ``wb`` that looks like a formula (for writers that style cells freely)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (cell.data_type == "f" or formula_like(cell.value)):
                    protect(cell)


def safe_sheet_title(title: str, *, fallback: str = "Sheet") -> str:
    """A sheet title Excel accepts: forbidden characters replaced, at most 31 characters, never empty."""
    text = _SHEET_FORBIDDEN.sub("_", ILLEGAL_CHARACTERS_RE.sub("", clean_text(str(title or "")))).strip()
    text = text.strip("'")[:MAX_SHEET_TITLE].strip()
    return text or fallback
