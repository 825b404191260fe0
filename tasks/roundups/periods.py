"""Roundup periods: a month, a quarter or a year, parsed from ``2023-06``, ``2023-Q2`` or ``2023``."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils.translation import gettext as _

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (MONTH, QUARTER, YEAR)


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """A calendar period; ``start`` and ``end`` are its first and last days."""

    kind: str
    start: date
    end: date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(MONTH, date(year, month, 1), date(year, month, monthrange(year, month)[1]))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(QUARTER, date(year, first, 1), date(year, first + 2, monthrange(year, first + 2)[1]))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def of(cls, kind: str, start: date) -> Period:
        """The period of ``kind`` that begins on ``start``."""
        if kind == MONTH:
            return cls.month(start.year, start.month)
        if kind == QUARTER:
            return cls.quarter(start.year, (start.month - 1) // 3 + 1)
        if kind == YEAR:
            return cls.year(start.year)
        raise PeriodError(_("未知的周期类型：%s") % kind)

    @classmethod
    def up_to(cls, kind: str, as_of: date) -> Period:
        """The period of ``kind`` that contains ``as_of``, cut off at the close of ``as_of``.

        What the dashboard shows today and what the API answers for a day inside a period.
        """
        return replace(cls.of(kind, as_of), end=as_of)

    @classmethod
    def parse(cls, kind: str, text: str) -> Period:
        """``month``/``2023-06``, ``quarter``/``2023-Q2``, ``year``/``2023``; a clear error otherwise."""
        text = (text or "").strip()
        patterns = {
            MONTH: (r"(\d{4})-(\d{1,2})", _("月份格式应为 YYYY-MM，例如 2023-06")),
            QUARTER: (r"(\d{4})-?[Qq]([1-4])", _("季度格式应为 YYYY-Qn，例如 2023-Q2")),
            YEAR: (r"(\d{4})", _("年份格式应为 YYYY，例如 2023")),
        }
        if kind not in patterns:
            raise PeriodError(_("未知的周期类型：%s") % kind)
        pattern, message = patterns[kind]
        match = re.fullmatch(pattern, text)
        if not match:
            raise PeriodError(message)
        year = int(match.group(1))
        if kind == MONTH:
            month = int(match.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(message)
            return cls.month(year, month)
        if kind == QUARTER:
            return cls.quarter(year, int(match.group(2)))
        return cls.year(year)

    @classmethod
    def last_ended(cls, kind: str, today: date) -> Period:
        """The latest period of ``kind`` that ended before ``today``."""
        return cls.of(kind, today).previous()

    @classmethod
    def as_of(cls, kind: str, day: date) -> Period:
        """The period of ``kind`` that contains ``day``, cut off at the end of ``day`` (a status "so far")."""
        return cls.of(kind, day).until(day)

    def until(self, day: date) -> Period:
        """This period ending at the close of ``day`` when ``day`` falls inside it (key and label unchanged)."""
        if day < self.start:
            raise PeriodError(_("截止日期 %(day)s 早于期间开始 %(start)s") % {"day": day, "start": self.start})
        return replace(self, end=min(self.end, day))

    @property
    def complete(self) -> bool:
        """Whether the period runs to its calendar end (not cut off by ``until``)."""
        return self.end == Period.of(self.kind, self.start).end

    def previous(self) -> Period:
        return Period.of(self.kind, (self.start - timedelta(days=1)).replace(day=1))

    @property
    def year_start(self) -> date:
        return date(self.end.year, 1, 1)

    @property
    def year_end(self) -> date:
        return date(self.end.year, 12, 31)

    @property
    def key(self) -> str:
        """Machine form: ``2023-06``, ``2023-Q2``, ``2023``."""
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        """Chinese form: ``2023年6月``, ``2023年第二季度``, ``2023年度``."""
        if self.kind == MONTH:
            return _("%(y)d年%(m)d月") % {"y": self.start.year, "m": self.start.month}
        if self.kind == QUARTER:
            names = [_("第一季度"), _("第二季度"), _("第三季度"), _("第四季度")]
            return f"{self.start.year}" + _("年") + names[(self.start.month - 1) // 3]
        return _("%(y)d年度") % {"y": self.start.year}

    @property
    def title(self) -> str:
        """The regime's name for it: 月晾晒 / 季通报 / 年考核."""
        return {MONTH: _("月晾晒"), QUARTER: _("季通报"), YEAR: _("年考核")}[self.kind]
