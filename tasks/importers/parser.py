"""The plan parser: text in, ``ParsedPlan`` out. One pass per stage, linear in the document."""

from __future__ import annotations

import re
from pathlib import Path

from . import messages as msgs
from .blocks import _ATTACHMENT, Block, Para, Row, to_blocks
from .deadlines import parse_deadline
from .document import ParsedKeyTask, ParsedPlan, ParsedTable, ParsedWorkItem, PlanParseError, Warning_
from .keytasks import OutlineParser
from .linking import TaskIndex
from .messages import Issue, noted
from .meta import read_meta
from .reader import read_document
from .statements import clear_cache
from .tables import TableParser, WorkRow, grids_of
from .text import no_spaces, numbering
from .units import UnitRegistry, looks_like_unit, split_units

_UNITS_LIST = re.compile(r"(单位|部门)名单$")
NO_TASKS = msgs.NO_TASKS


def parse_plan_file(path: str | Path, *, year: int | None = None,
                    columns: dict[int, list[str]] | None = None) -> ParsedPlan:
    """Parse a .txt, .docx, .pdf (or, through LibreOffice, .doc/.wps) plan; PlanParseError (naming the
    file) when it cannot be a plan."""
    text = read_document(path)
    return parse_plan_text(text, source=str(path), year=year, columns=columns)


def parse_plan_text(text: str, *, source: str = "", year: int | None = None,
                    columns: dict[int, list[str]] | None = None) -> ParsedPlan:
    """Parse a plan's text. ``year`` is the work list's year when the document does not say it.

    ``columns``: a coordinator's reading of task tables, ``{table's first line: [role per column]}``
    (roles from ``tables.COLUMN_ROLES``); it replaces what the headers (or the cells) suggested. A key
    given negative, ``{-line: roles}``, says the row at ``line`` is the table's header row (marked by the
    coordinator where the parser saw none): the rows above it in the table are skipped.
    """
    try:
        return _parse(text, source, year, columns or {})
    finally:
        clear_cache()


def _parse(text: str, source: str, year: int | None, columns: dict[int, list[str]]) -> ParsedPlan:
    blocks, lines = to_blocks(text)
    if not any(line.strip() for line in lines):
        raise PlanParseError(noted(msgs.EMPTY_FILE, "empty document"), path=source)
    warnings: list[Warning_] = []
    meta = read_meta(lines)
    plan = ParsedPlan(
        title=meta.title or (Path(source).stem if source else ""), issuer=meta.issuer, region=meta.region,
        first_year=meta.first_year, last_year=meta.last_year,
    )
    registry = UnitRegistry()
    _read_units_list(blocks, registry)
    known = registry.known_keys  # a frozenset: statement lookups are cached per parse
    plan_year = year or meta.first_year

    tables = TableParser(year=plan_year, known=known, warnings=warnings, columns=columns).feed(blocks)
    outline = OutlineParser(known=known, year=plan_year, warnings=warnings, title_line=meta.title_line)
    drafts = [(t.task, t.carry_forward) for t in outline.parse(blocks)]
    drafts += [(t.task, t.carry_forward) for t in tables.tasks]
    for t in tables.tasks:
        for msg in t.doubtful:
            warnings.append(Warning_(noted(msg, "doubtful split"), t.task.line, "doubtful_split"))
    drafts.sort(key=lambda d: d[0].line or 0)
    if not any(t.lead_units or t.supporting_units for t, _ in drafts):
        raise PlanParseError(noted(NO_TASKS, "no key tasks with responsible units: not an implementation plan "
                                                 "this importer can read"), path=source, grids=grids_of(blocks))
    _apply_conventions([t for t, _ in drafts])
    _apply_carry_forward(drafts)
    tasks = [t for t, _ in drafts]
    _renumber(tasks, warnings)
    for t in tasks:
        for name in t.lead_units + t.supporting_units + [u for u, _ in t.other_units]:
            registry.resolve(name, t.line, warnings)
    if not registry.has_list:
        warnings.append(Warning_(noted(msgs.NO_UNITS_LIST, "no units list; units from the tasks"),
                                 None, "no_units_list"))
    plan.key_tasks = tasks
    plan.indicators = tables.indicators
    plan.work_items = _work_items(tables.work_rows, tasks, year, plan_year, warnings)
    for item in plan.work_items:
        for name in item.lead_units + item.supporting_units:
            registry.resolve(name, item.line, warnings)
    plan.units = registry.units
    plan.tables = [ParsedTable(line=t.line, headers=t.headers, roles=t.roles, unclear=t.unclear,
                               inferred=t.inferred, sample=t.sample) for t in tables.tables]
    plan.warnings = sorted(warnings, key=lambda w: (w.line or 0))
    return plan


def _read_units_list(blocks: list[Block], registry: UnitRegistry) -> None:
    """The attachment "有关单位名单": the paragraphs (or table cells) after its heading."""
    i, n = 0, len(blocks)
    while i < n:
        b = blocks[i]
        i += 1
        if not isinstance(b, Para):
            continue
        head = no_spaces(b.text)
        if len(head) > 30 or not _UNITS_LIST.search(head) or numbering(b.text) or head.startswith("附件"):
            continue
        while i < n:
            nxt = blocks[i]
            if isinstance(nxt, Para):
                t = nxt.text.strip()
                if _ATTACHMENT.match(t) or re.search(r"(名单|清单)$", t):
                    break
                num = numbering(t)
                body = t[num[2]:] if num else t
                split = split_units(body, known=registry.known_keys)
                names = [x for x in split.names if looks_like_unit(x)]
                if not names or len(names) < len(split.names) / 2:
                    break
                for name in names:
                    registry.add_listed(name, nxt.line)
            elif isinstance(nxt, Row):
                for cell in nxt.cells:
                    if cell and looks_like_unit(cell) and not cell.isdigit():
                        for name in split_units(cell).names:
                            registry.add_listed(name, nxt.line)
            i += 1


def _apply_conventions(tasks: list[ParsedKeyTask]) -> None:
    """"(…，按职责分工牵头，下同)": in later tasks listing their units plainly, every unit leads,
    until another convention ("列第一位的为牵头单位，下同") is stated."""
    mode = ""
    for task in tasks:
        if task.convention:
            mode = task.convention
        elif mode == "all_lead" and task.plain_list:
            task.lead_units, task.supporting_units = task.lead_units + task.supporting_units, []


def _apply_carry_forward(drafts: list[tuple[ParsedKeyTask, list[str]]]) -> None:
    """"以下均需镇(街道)落实,不再列出": every later task is also implemented by 各镇(街道)."""
    active: list[str] = []
    for task, carries in drafts:
        for name in active + carries:
            if no_spaces(name) not in {no_spaces(x) for x in task.lead_units + task.supporting_units}:
                task.supporting_units.append(name)
        for name in carries:
            if name not in active:
                active.append(name)


def _renumber(tasks: list[ParsedKeyTask], warnings: list[Warning_]) -> None:
    numbers = [t.number for t in tasks]
    if all(numbers) and len(set(numbers)) == len(numbers):
        return
    for i, t in enumerate(tasks, 1):
        t.number = i
    warnings.append(Warning_(
        noted(msgs.RENUMBERED, "task numbers repeat or are missing; renumbered 1..N"),
        tasks[0].line if tasks else None, "renumbered"))


def _work_items(rows: list[WorkRow], tasks: list[ParsedKeyTask], year_arg: int | None, plan_year: int | None,
                warnings: list[Warning_]) -> list[ParsedWorkItem]:
    if not rows:
        return []
    index = TaskIndex(tasks)
    by_number = {t.number: t for t in tasks}
    items: list[ParsedWorkItem] = []
    groups: list[list[WorkRow]] = []
    for row in rows:
        if groups and (groups[-1][0].number, groups[-1][0].indicator) == (row.number, row.indicator):
            groups[-1].append(row)
        else:
            groups.append([row])
    for group in groups:
        first = group[0]
        year = first.year or year_arg or plan_year
        if year is None:
            warnings.append(Warning_(noted(msgs.NO_YEAR, "work list year unknown; pass year="), first.line,
                                     "no_year"))
            year = 0
        link = index.link(first.indicator, [r.text for r in group])
        doubtful = link.number is None or link.doubtful
        if doubtful:
            warnings.append(Warning_(
                noted(Issue(msgs.DOUBTFUL_LINK, indicator=first.indicator, number=link.number or "?"),
                      f"doubtful link: score {link.score:.2f}, runner-up {link.runner_up:.2f}"),
                first.line, "doubtful_link"))
        task = by_number.get(link.number) if link.number is not None else None
        for row in group:
            deadline, recurring = (None, False)
            if row.deadline_text and year:
                deadline, recurring = parse_deadline(row.deadline_text, year=year)
                if deadline is None and not recurring:
                    warnings.append(Warning_(
                        noted(Issue(msgs.WORK_DEADLINE_UNREADABLE, text=row.deadline_text), "unreadable deadline"),
                                             row.line, "deadline_unreadable"))
            items.append(ParsedWorkItem(
                year=year, indicator=row.indicator, key_task=link.number, text=row.text,
                deadline=deadline, deadline_text=row.deadline_text, recurring=recurring,
                lead_units=list(row.leads) or (list(task.lead_units) if task else []),
                supporting_units=list(row.supports), target_text=row.target, line=row.line,
                link_doubtful=doubtful,
            ))
    return items
