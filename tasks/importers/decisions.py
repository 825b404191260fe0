"""Decisions out of meeting minutes (会议纪要) and 交办单: text in, ``ParsedDecisions`` out. No Django.

A decision is a numbered paragraph (``一、`` ``（一）`` ``1.`` ``1、`` ``（1）``) or, in minutes without numbering,
a paragraph, that names who does it. Who is read from the ways minutes write it:

* ``由X牵头，Y配合`` / ``X牵头、Y协助`` / ``X牵头负责，Y参与`` (lead X, supporting Y);
* ``X、Y分别负责`` / ``X、Y按职责分工负责`` / ``由X、Y牵头`` (several leads);
* ``由X负责`` / ``X负责…`` / ``责成X…`` (one lead);
* labelled fields: ``牵头单位：X`` ``责任单位：X`` ``配合单位：Y`` ``完成时限：…``.

Units are kept as written (``市住房和城乡建设局``, ``各镇（街道）``, ``有关部门``), split on ``、`` and ``，`` and on
``和``/``及``/``与`` only between two names that each end as a unit does (so ``住房和城乡建设局`` stays whole). The
deadline is the latest point in time the decision's text names (``tasks.importers.deadlines``), in the year the
minutes were held when they do not say.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from .deadlines import parse_deadline_in
from .document import PlanParseError
from .limits import Limits, check_document
from .reader import read_document
from .text import ascii_digits

_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]|[0-9]{1,2}[、.．](?![0-9])"
    r"|[（(][0-9]{1,2}[)）]|[①-⑳])\s*"
)
_UNIT_END = (r"(?:局|委|办|部|厅|中心|政府|街道|镇|乡|公司|集团|院|所|队|会|处|科|室|站|分局|支队|大队|单位|部门|园区"
             r"|管委会|银行)")
# Words that open a sentence before the unit: "会议要求，由…", "请…", "责成…".
_LEAD_IN = re.compile(r"^(?:会议(?:要求|明确|决定|议定|同意|指出|强调)?|并|另|同时|要|请|责成|由|其中|此外|具体由)+")
_LABEL = re.compile(
    r"(牵头单位|责任单位|责任部门|主办单位|承办单位|牵头部门|配合单位|协办单位|配合部门|协助单位|完成时限|办理时限|时限要求|完成时间)"
    r"\s*[:：]\s*([^；;。\n]*)"
)
_LEAD_LABELS = {"牵头单位", "责任单位", "责任部门", "主办单位", "承办单位", "牵头部门"}
_SUPPORT_LABELS = {"配合单位", "协办单位", "配合部门", "协助单位"}
_CLAUSE = re.compile(r"[，,；;。:：\n]")
_SUPPORT_WORD = re.compile(r"(配合|协助|参与|协同|协办)")
_SEVERAL = re.compile(r"(分别负责|分别牵头|按职责分工负责|按照职责分工负责|按职责负责|各负其责)")
_RESPONSIBLE = re.compile(r"(牵头|负责|责成|配合|协助)")
MAX_UNIT = 40


@dataclass
class ParsedDecision:
    text: str
    lead_units: list[str]
    supporting_units: list[str]
    deadline: date | None
    line: int

    def as_json(self) -> dict:
        return {"text": self.text, "lead_units": self.lead_units, "supporting_units": self.supporting_units,
                "deadline": self.deadline.isoformat() if self.deadline else None}


@dataclass
class DecisionWarning:
    line: int
    message: str

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class ParsedDecisions:
    year: int | None
    items: list[ParsedDecision] = field(default_factory=list)
    warnings: list[DecisionWarning] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"items": [d.as_json() for d in self.items], "warnings": [w.as_json() for w in self.warnings]}


def _split_units(span: str) -> list[str]:
    out = []
    for part in re.split(r"[、，,/]|以及", span):
        part = part.strip(" \t“”\"'")
        out += [p.strip() for p in _split_joined(part) if p.strip()]
    return out


_ENDS_AS_UNIT = re.compile(rf".{{2,}}{_UNIT_END}$")


def _split_joined(part: str) -> list[str]:
    """"X和Y" / "X及Y" / "X与Y" in two only where both sides read as units (住房和城乡建设局 stays whole)."""
    for m in re.finditer(r"和|及|与", part):
        left, right = part[: m.start()], part[m.end():]
        if _ENDS_AS_UNIT.match(left) and _ENDS_AS_UNIT.match(right):
            return [left, *_split_joined(right)]
    return [part]


def _clean_span(span: str) -> str:
    span = span.strip(" \t“”\"'")
    span = _LEAD_IN.sub("", span)
    # "由X牵头" inside a longer clause ("会议要求由X牵头"): the unit is after the last 由.
    if "由" in span:
        span = span.rsplit("由", 1)[1]
    return span.strip(" \t、")


def _units_before(clause: str, word: str) -> list[str]:
    """The units written before ``word`` in ``clause`` ("由X、Y牵头" -> [X, Y])."""
    span = _clean_span(clause.split(word, 1)[0])
    if not span or len(span) > MAX_UNIT * 3:
        return []
    units = _split_units(span)
    return [u for u in units if 0 < len(u) <= MAX_UNIT]


def _year_of(text: str) -> int | None:
    m = re.search(r"(20[0-9]{2})\s*年", ascii_digits(text[:400]))
    return int(m.group(1)) if m else None


def _segments(lines: list[str]) -> list[tuple[int, str]]:
    """(first line number, text) of each numbered paragraph; unnumbered lines join the one above, or stand
    alone when nothing numbered came before."""
    out: list[tuple[int, str]] = []
    numbered = False
    for n, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if _NUMBERED.match(line):
            numbered = True
            out.append((n, _NUMBERED.sub("", line, count=1).strip()))
        elif numbered and out and not re.search(r"[。；;]$", out[-1][1]):
            out[-1] = (out[-1][0], out[-1][1] + line)  # a paragraph broken over lines
        else:
            out.append((n, line))
    return out


def _who(text: str) -> tuple[list[str], list[str]]:
    leads: list[str] = []
    supporting: list[str] = []
    for label, value in _LABEL.findall(text):
        if label in _LEAD_LABELS:
            leads += _split_units(value)
        elif label in _SUPPORT_LABELS:
            supporting += _split_units(value)
    if leads or supporting:
        return leads, supporting
    body = _LABEL.sub("", text)
    for clause in _CLAUSE.split(body):
        clause = clause.strip()
        if not clause:
            continue
        several = _SEVERAL.search(clause)
        if several:
            leads += _units_before(clause, several.group(1))
            continue
        if "牵头" in clause:
            before, after = clause.split("牵头", 1)
            leads += _units_before(before + "牵头", "牵头")
            support = _SUPPORT_WORD.search(after)
            if support:  # "X牵头Y配合" in one clause
                supporting += _units_before(after, support.group(1))
            continue
        support = _SUPPORT_WORD.search(clause)
        if support and (leads or "由" not in clause):
            supporting += _units_before(clause, support.group(1))
            continue
        if not leads:
            if clause.startswith("责成"):
                # "责成县城管局对…开展…": the units up to the first word that ends a unit's name.
                m = re.match(rf"[^，,；;。]*?{_UNIT_END}(?:[、和及与][^，,；;。]*?{_UNIT_END})*", clause[2:])
                if m:
                    leads += [u for u in _split_units(m.group(0)) if len(u) <= MAX_UNIT]
            elif "负责" in clause:
                leads += _units_before(clause, "负责")
    return _dedupe(leads), _dedupe([u for u in supporting if u not in leads])


def _dedupe(units: list[str]) -> list[str]:
    seen: list[str] = []
    for unit in units:
        if unit and unit not in seen:
            seen.append(unit)
    return seen


def _deadline(text: str, year: int | None) -> date | None:
    labelled = re.search(r"(?:完成时限|办理时限|时限要求|完成时间)\s*[:：]\s*([^；;。\n]*)", text)
    if labelled:
        found, _recurring = parse_deadline_in(labelled.group(1), year)
        if found:
            return found
    # The point a decision is to be done by: "于6月底前完成", "9月30日前", "年底前"; a date the text only
    # mentions (a meeting held "6月5日") is not one, so prefer the clauses that say 前/完成/底.
    clauses = [c for c in re.split(r"[，,；;。]", text) if re.search(r"前|之前|以前|完成|底|截止|为止|内", c)]
    for candidate in (clauses, [text]):
        best = None
        for clause in candidate:
            found, _recurring = parse_deadline_in(clause, year)
            if found and (best is None or found > best):
                best = found
        if best:
            return best
    return None


def parse_decisions(text: str, *, year: int | None = None) -> ParsedDecisions:
    """Each decision of ``text`` with its leads, supporting units and deadline; warnings name the line."""
    year = year or _year_of(text)
    parsed = ParsedDecisions(year=year)
    for line, segment in _segments(text.splitlines()):
        if not _RESPONSIBLE.search(segment) and not _LABEL.search(segment):
            continue  # context ("会议听取了…汇报"), not a decision
        leads, supporting = _who(segment)
        if not leads and not supporting:
            continue
        deadline = _deadline(segment, year)
        decision = ParsedDecision(text=segment, lead_units=leads, supporting_units=supporting, deadline=deadline,
                                  line=line)
        parsed.items.append(decision)
        if not leads:
            parsed.warnings.append(DecisionWarning(line, f"第{line}行：没有找到牵头单位，请指定。"))
        if deadline is None:
            parsed.warnings.append(DecisionWarning(line, f"第{line}行：没有找到完成时限。"))
    if not parsed.items:
        parsed.warnings.append(DecisionWarning(0, "没有找到写明责任单位的议定事项。"))
    return parsed


def read_decisions(path: str | Path, *, year: int | None = None, limits: Limits | None = None,
                   name: str = "") -> ParsedDecisions:
    """The decisions of a minutes file (.txt, .docx, .pdf, …) through the plan importer's caps and readers, as
    ``manage.py import_decisions`` reads them; ``PlanParseError`` names what is wrong with the file."""
    path = Path(path)
    check_document(path, limits or Limits(), name=name or path.name)
    text = read_document(path)
    if not text.strip():
        raise PlanParseError("文件中没有可读的文字。", path=name or path.name)
    return parse_decisions(text, year=year)
