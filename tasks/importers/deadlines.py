"""Deadlines as people write them (``6月底前``, ``4月中旬``, ``到2027年底``) to dates."""

from __future__ import annotations

import calendar
import re
from datetime import date

from .text import ascii_digits, cn_number, no_spaces

_RECURRING = re.compile(r"^(每|逐月|按月|按季|定期)|长期|持续推进|持续开展|常态化|长效|持续|经常性")

_CN = "一二三四五六七八九十"
_NUM = rf"[0-9]{{1,2}}|[{_CN}]{{1,3}}"
_YEAR = r"(20[0-9]{2})年"
_QUARTER = rf"第?([1-4{_CN[:4]}])季度"

# Each pattern finds one point in time; the latest one in the text is the deadline
# ("3月启动,6月底前完成" is due at the end of June).
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # "2021.12", "2024.6.30", "2024/06", "2024-06-30" (tables write dates this way)
    ("dotted", re.compile(r"(?<![0-9])(20[0-9]{2})[.．/\-](1[0-2]|0?[1-9])(?:[.．/\-]([0-9]{1,2}))?(?![0-9])")),
    ("ymd", re.compile(rf"{_YEAR}({_NUM})月({_NUM})[日号]")),
    ("ym", re.compile(rf"{_YEAR}({_NUM})月(底|末|上旬|中旬|下旬|份)?")),
    ("yq", re.compile(rf"{_YEAR}{_QUARTER}")),
    ("yh", re.compile(rf"{_YEAR}(上半年|下半年)")),
    ("yend", re.compile(rf"{_YEAR}(底|末|年底|年末|内|全年|年内)?")),
    ("md", re.compile(rf"(?<![0-9年])({_NUM})月({_NUM})[日号]")),
    ("m", re.compile(rf"(?<![0-9年])({_NUM})月(底|末|上旬|中旬|下旬|份)?")),
    ("q", re.compile(rf"(?<!年){_QUARTER}")),
    ("h", re.compile(r"(?<!年)(上半年|下半年)")),
    ("this_year", re.compile(r"年内|全年|年底|年末|本年度|当年|今年")),
]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _in_month(year: int, month: int, part: str | None) -> date | None:
    if not 1 <= month <= 12:
        return None
    if part == "上旬":
        return date(year, month, 10)
    if part == "中旬":
        return date(year, month, 20)
    return _month_end(year, month)


def _num(text: str) -> int:
    n = cn_number(text)
    return n if n is not None else 0


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _point(kind: str, m: re.Match[str], year: int) -> date | None:
    g = m.groups()
    if kind == "dotted":
        if g[2]:
            return _safe_date(int(g[0]), int(g[1]), int(g[2]))
        return _month_end(int(g[0]), int(g[1]))
    if kind == "ymd":
        return _safe_date(int(g[0]), _num(g[1]), _num(g[2]))
    if kind == "ym":
        return _in_month(int(g[0]), _num(g[1]), g[2])
    if kind == "yq":
        return _month_end(int(g[0]), _num(g[1]) * 3)
    if kind == "yh":
        return _month_end(int(g[0]), 6 if g[1] == "上半年" else 12)
    if kind == "yend":
        return date(int(g[0]), 12, 31)
    if kind == "md":
        return _safe_date(year, _num(g[0]), _num(g[1]))
    if kind == "m":
        return _in_month(year, _num(g[0]), g[1])
    if kind == "q":
        return _month_end(year, _num(g[0]) * 3)
    if kind == "h":
        return _month_end(year, 6 if g[0] == "上半年" else 12)
    return date(year, 12, 31)


def normalize_deadline_text(text: str) -> str:
    """``6 月底前`` -> ``6月底前`` (spaces dropped, full-width digits kept as written)."""
    return no_spaces(text)


def parse_deadline_in(text: str, year: int | None) -> tuple[date | None, bool]:
    """``parse_deadline`` when the plan's year may be unknown: then only a year written in the text
    ("2023年6月底前") makes a date."""
    if year:
        return parse_deadline(text, year=year)
    m = re.search(r"(20[0-9]{2})\s*年", ascii_digits(text or ""))
    if not m:
        return None, bool(_RECURRING.search(no_spaces(text or "")))
    return parse_deadline(text, year=int(m.group(1)))


def parse_deadline(text: str, *, year: int) -> tuple[date | None, bool]:
    """(date, recurring) for a deadline written in words, for a plan year ``year``.

    ``6月底前`` -> 30 June; ``4月中旬`` -> 20 April; ``2027年底前`` -> 31 Dec 2027;
    ``每月``/``长期`` -> (None, True); unreadable -> (None, False).
    """
    s = ascii_digits(no_spaces(text or ""))
    if not s:
        return None, False
    if _RECURRING.search(s):
        return None, True
    best: date | None = None
    taken: list[tuple[int, int]] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(s):
            # A span already read by a more specific pattern is not read again
            # ("2023年6月底" is not also "2023年" -> 31 Dec).
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if kind == "yend" and m.group(2) is None and s[m.end():m.end() + 1] not in ("", "前", "完", "起"):
                continue
            point = _point(kind, m, year)
            if point is None:
                continue
            taken.append((m.start(), m.end()))
            if best is None or point > best:
                best = point
    return best, False
