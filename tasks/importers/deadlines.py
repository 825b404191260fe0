"""Deadlines as people write them (``6月底前``, ``4月中旬``, ``到2027年底``) to dates."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

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


# Deadlines written relative to the meeting that set them ("会后一周内", "10个工作日内", "本月底前", "下周五前"):
# dates only once the meeting's date is known. Each pattern maps a match and the meeting's date to a day.
_SPAN = re.compile(r"(?:会后|收到后|交办后|接到通知后|自即日起)?(?<![0-9月])([0-9]{1,3}|[一二两三四五六七八九十]{1,3})"
                   r"个?(工作日|日|天|周|星期|礼拜|月)(?:之内|以内|内)")
_WEEK = re.compile(r"(本|下个?)(?:周|星期|礼拜)(?:(?:([一二三四五六日天])|(末))(?:之前|前|内)?|之前|前|内)")
_MONTH_END = re.compile(r"(本月|当月|下(?:个)?月)(?:([0-9]{1,2})[日号]|底|末|内)"
                        r"|(?<![0-9一二三四五六七八九十本当下上个年])月(?:底|末)")
_QUARTER_END = re.compile(r"本季度(?:末|内|底)")
_WEEKDAYS = "一二三四五六日"


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _relative_points(s: str, meeting: date):
    from tasks.workdays import add_workdays  # pure (no Django); imported late: only relative deadlines need it

    for m in _SPAN.finditer(s):
        n, unit = cn_number(m.group(1)) or 0, m.group(2)
        if n <= 0:
            continue
        if unit == "工作日":
            yield m, add_workdays(meeting, n)
        elif unit in ("日", "天"):
            yield m, meeting + timedelta(days=n)
        elif unit == "月":
            yield m, _add_months(meeting, n)
        else:
            yield m, meeting + timedelta(weeks=n)
    for m in _WEEK.finditer(s):
        # 本周五 / 下周五: that day; 本周末 / 下周末: its Sunday; 本周内 / 下周前: its Friday.
        weekday = _WEEKDAYS.index(m.group(2).replace("天", "日")) if m.group(2) else 6 if m.group(3) else 4
        week = 0 if m.group(1) == "本" else 7
        yield m, max(meeting, meeting + timedelta(days=week - meeting.weekday() + weekday))
    for m in _MONTH_END.finditer(s):
        month = meeting if not (m.group(1) or "").startswith("下") else _add_months(meeting.replace(day=1), 1)
        if m.group(2):
            day = _safe_date(month.year, month.month, int(m.group(2)))
            if day:
                yield m, day
        else:
            yield m, _month_end(month.year, month.month)
    for m in _QUARTER_END.finditer(s):
        yield m, _month_end(meeting.year, (meeting.month - 1) // 3 * 3 + 3)


def relative_deadline(text: str, meeting: date | None) -> tuple[date | None, str]:
    """(date, phrase) of the latest deadline ``text`` writes relative to its meeting: ``会后一周内`` -> the meeting's
    date + 7 days, ``10个工作日内`` -> 10 working days after it, ``本月底前`` -> the end of its month, ``下周五前`` ->
    the Friday of the week after. ``phrase`` is the words as written ("" when there are none); the date is None
    when ``meeting`` is None (the words are not a date without it)."""
    s = ascii_digits(no_spaces(text or ""))
    if not s or _RECURRING.search(s):
        return None, ""
    found = sorted(_relative_points(s, meeting or date(2000, 1, 3)), key=lambda p: p[0].start())
    if not found:
        return None, ""
    phrase = found[0][0].group(0)
    if meeting is None:
        return None, phrase
    match, best = max(found, key=lambda p: p[1])
    return best, match.group(0)
