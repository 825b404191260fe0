"""Plain data produced by the plan-document parser.

The parser is pure Python: text in, these dataclasses out. Nothing here knows
about the ORM; ``tasks.services.plan_import`` turns a ``ParsedPlan`` into rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal


@dataclass
class Warning_:
    """Something the parser did not fully understand; ``line`` is 1-based."""

    message: str
    line: int | None = None
    code: str = "warning"
    subject: str = ""  # what it is about, when a name says it: the unit name of a unit warning

    def as_json(self) -> dict:
        return {"code": self.code, "line": self.line, "message": self.message}


@dataclass
class ParsedValue:
    """A target or baseline cell: the text as written plus what it means."""

    text: str
    value: Decimal | None = None
    # "eq", "gt", "ge", "lt", "le"; "" when there is no number (prose, "/").
    comparator: str = ""


@dataclass
class ParsedUnit:
    name: str  # canonical name: the longest / fullest name seen
    aliases: list[str] = field(default_factory=list)  # other names, incl. short ones
    kind: str = "department"  # department, town, collective, enterprise, court, other
    line: int | None = None
    listed: bool = True  # False: named by a task but absent from the plan's units list


@dataclass
class ParsedIndicator:
    domain: str
    number: int
    name: str  # without the measure in brackets, e.g. "城镇住房保障受益覆盖率"
    measure: str  # e.g. "%", "万套", "万套(间)", "个"
    cumulative: bool
    baseline: ParsedValue | None
    baseline_year: int | None
    targets: dict[int, ParsedValue]  # year -> target
    line: int | None = None
    name_as_written: str = ""  # full cell text, e.g. "城镇住房保障受益覆盖率(%)"


@dataclass
class ParsedMilestone:
    text: str
    deadline: date | None
    deadline_text: str


@dataclass
class ParsedKeyTask:
    number: int
    section: str  # e.g. "(一)加快完善住房保障体系"
    title: str  # e.g. "扩大保障性租赁住房供给"
    text: str  # full text, responsibility statement included
    lead_units: list[str]  # names as the document writes them
    supporting_units: list[str]
    deadline: date | None = None
    deadline_text: str = ""
    leaders: list[str] = field(default_factory=list)
    milestones: list[ParsedMilestone] = field(default_factory=list)
    line: int | None = None
    # Units in a role that is neither lead nor supporting (数据提供单位, 督办单位): (unit, role as written).
    other_units: list[tuple[str, str]] = field(default_factory=list)
    # Parser bookkeeping (not in as_json): a lead convention this task states for later ones, and whether
    # its units are one plain list whose lead that convention decides.
    convention: str = field(default="", repr=False)
    plain_list: bool = field(default=False, repr=False)


@dataclass
class ParsedWorkItem:
    year: int
    indicator: str  # indicator name as the work list writes it
    key_task: int | None  # number of the key task it serves
    text: str
    deadline: date | None
    deadline_text: str
    recurring: bool = False  # 每月 / 每季度 / 长期: no single date
    lead_units: list[str] = field(default_factory=list)
    supporting_units: list[str] = field(default_factory=list)
    target_text: str = ""  # the list's "2023年目标" cell
    line: int | None = None
    link_doubtful: bool = False  # the link to ``key_task`` is a guess the coordinator should check


@dataclass
class ParsedTable:
    """How the columns of a task table were read; ``unclear`` columns were guessed (the preview asks)."""

    line: int
    headers: list[str]
    roles: list[str]  # per column: num, task, lead, resp, support, deadline, leader, other, note, ignore
    unclear: list[int] = field(default_factory=list)
    inferred: bool = False  # no header row at all
    sample: list[str] = field(default_factory=list)  # the first data row


@dataclass
class ParsedPlan:
    title: str
    issuer: str = ""
    region: str = ""  # e.g. "海宁市", "越城区"
    first_year: int | None = None
    last_year: int | None = None
    units: list[ParsedUnit] = field(default_factory=list)
    indicators: list[ParsedIndicator] = field(default_factory=list)
    key_tasks: list[ParsedKeyTask] = field(default_factory=list)
    work_items: list[ParsedWorkItem] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    tables: list[ParsedTable] = field(default_factory=list)  # task tables and how their columns were read

    def as_json(self) -> dict:
        """The ``import_plan --dry-run --json`` shape (see issue 2 / 3)."""

        def d(v: date | None) -> str | None:
            return v.isoformat() if v else None

        return {
            "title": self.title,
            "issuer": self.issuer,
            "region": self.region,
            "period": [self.first_year, self.last_year],
            "units": [u.name for u in self.units],
            "key_tasks": [
                {
                    "number": t.number,
                    "section": t.section,
                    "title": t.title,
                    "text": t.text,
                    "lead_units": t.lead_units,
                    "supporting_units": t.supporting_units,
                    "deadline": d(t.deadline),
                    "deadline_text": t.deadline_text,
                    "leaders": t.leaders,
                    "other_units": [{"unit": u, "role": r} for u, r in t.other_units],
                    "milestones": [
                        {"text": m.text, "deadline": d(m.deadline), "deadline_text": m.deadline_text}
                        for m in t.milestones
                    ],
                }
                for t in self.key_tasks
            ],
            "indicators": [
                {
                    "domain": i.domain,
                    "number": i.number,
                    "name": i.name,
                    "measure": i.measure,
                    "cumulative": i.cumulative,
                    "baseline": i.baseline.text if i.baseline else None,
                    "targets": {str(y): v.text for y, v in sorted(i.targets.items())},
                }
                for i in self.indicators
            ],
            "work_items": [
                {
                    "year": w.year,
                    "indicator": w.indicator,
                    "key_task": w.key_task,
                    "text": w.text,
                    "deadline": d(w.deadline),
                    "deadline_text": w.deadline_text,
                    "lead_units": w.lead_units,
                }
                for w in self.work_items
            ],
            "warnings": [w.as_json() for w in self.warnings],
            "tables": [
                {"line": t.line, "headers": t.headers, "roles": t.roles, "unclear": t.unclear}
                for t in self.tables
            ],
        }


@dataclass
class Grid:
    """A table as the reader rebuilt it (the first rows), for a coordinator to say which row is the header
    and what each column holds when the parser found no task in it."""

    line: int  # the first row's line
    rows: list[tuple[int, list[str]]]  # (line, cells)
    width: int = 0
    more: int = 0  # rows not shown

    def as_json(self) -> dict:
        return {"line": self.line, "rows": [[n, cells] for n, cells in self.rows], "width": self.width,
                "more": self.more}


class PlanParseError(Exception):
    """The document cannot become a plan; the message names file and line."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None,
                 grids: list[Grid] | None = None):
        self.message = message
        self.path = path
        self.line = line
        self.grids = grids or []  # "no task found": the tables as read, for the coordinator to lay out
        where = path
        if line:
            where = f"{path}:{line}" if path else f"line {line}"
        self.where = where  # "file:line", for a command's error
        super().__init__(f"{where}: {message}" if where else message)


__all__ = [
    "Grid",
    "ParsedIndicator",
    "ParsedKeyTask",
    "ParsedMilestone",
    "ParsedPlan",
    "ParsedTable",
    "ParsedUnit",
    "ParsedValue",
    "ParsedWorkItem",
    "PlanParseError",
    "Warning_",
    "asdict",
]
