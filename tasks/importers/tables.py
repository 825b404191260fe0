"""Tables (pipe- or tab-separated text, or .docx tables): targets, work lists and task tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .blocks import Block, Para, Row
from .deadlines import normalize_deadline_text, parse_deadline, parse_deadline_in
from .document import ParsedIndicator, ParsedKeyTask, ParsedValue, Warning_
from .statements import find_milestones, parse_content
from .text import ascii_digits, cn_number, first_sentence, no_spaces, numbering, squeeze_cjk_spaces

_ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("num", re.compile(r"^(序号?|编号|序列号?)$")),
    ("domain", re.compile(r"^(领域|类别|分类|类型|板块)$")),
    ("indicator", re.compile(r"^(指标|指标体系|指标名称|主要指标|指标内容|具体指标)$")),
    ("baseline", re.compile(r"^(?:(20[0-9]{2})年?(?:底|末)?)?(现状值?|基期值?|基准值?|基数|基础值|实际值)$")),
    ("year", re.compile(r"^(20[0-9]{2})年度?(目标值?|计划|任务|预期值?)?$")),
    ("years", re.compile(r"^(年度目标|目标值|分年度目标|各年度目标|年度目标值)$")),
    ("task", re.compile(
        r"^(任务|重点任务|主要任务|具体任务|任务内容|任务名称|工作任务|工作内容|重点工作|工作措施|具体措施"
        r"|主要措施|工作举措|工作事项|重点事项|事项|工作清单|具体工作|主要工作|重点任务及措施|任务措施)$")),
    ("lead", re.compile(r"^(牵头单位|牵头部门|牵头|主办单位|牵头责任单位|牵头处室)$")),
    ("resp", re.compile(r"^(责任单位|责任部门|主要责任单位|责任主体|实施主体|责任处室)$")),
    ("support", re.compile(r"^(配合单位|配合部门|协办单位|协同单位|参与单位|配合)$")),
    ("deadline", re.compile(r"^(完成期限|完成时限|时限|完成时间|时间节点|办结时限|时限要求|完成年限)$")),
    ("leader", re.compile(r"^(责任领导|牵头领导|分管领导|联系领导)$")),
    ("progress", re.compile(r"^(进度安排|时间进度|进度要求|节点安排|阶段目标|季度安排)$")),
    ("note", re.compile(r"^(备注|说明)$")),
]
_INT = re.compile(r"^[0-9０-９]{1,3}$")
_NUMBER = re.compile(r"^(-?[0-9]+(?:\.[0-9]+)?)")
_GE = ("≥", ">=", "不低于", "不少于", "至少", "大于等于", "不小于")
_GT = (">", "＞", "大于", "超过", "高于", "多于")
_LE = ("≤", "<=", "不高于", "不超过", "不大于", "最多", "小于等于", "控制在")
_LT = ("<", "＜", "小于", "低于", "少于")
_MEASURE = re.compile(r"[（(]([^（）()]{1,12})[）)]\s*$")


@dataclass
class Schema:
    kind: str  # "targets", "worklist", "tasks" or ""
    width: int
    cols: dict[str, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)  # column -> year
    baseline_year: int | None = None
    task_cols: list[int] = field(default_factory=list)
    line: int = 0


@dataclass
class TableTask:
    task: ParsedKeyTask
    carry_forward: list[str]
    doubtful: list[str]


@dataclass
class WorkRow:
    number: int | None
    indicator: str
    target: str
    text: str
    deadline_text: str
    leads: list[str]
    supports: list[str]
    line: int
    year: int | None = None


@dataclass
class TableResults:
    indicators: list[ParsedIndicator] = field(default_factory=list)
    work_rows: list[WorkRow] = field(default_factory=list)
    tasks: list[TableTask] = field(default_factory=list)


def _role(cell: str) -> tuple[str, re.Match[str]] | None:
    key = ascii_digits(no_spaces(cell))  # "２０２３年" is a year column too
    for role, rx in _ROLES:
        m = rx.match(key)
        if m:
            return role, m
    return None


def _header(cells: list[str], line: int) -> Schema | None:
    roles = [(i, _role(c)) for i, c in enumerate(cells)]
    found = [(i, r) for i, r in roles if r]
    names = {r[0] for _, r in found}
    if len(found) < 2 or not names & {"indicator", "task", "lead", "resp", "deadline"}:
        return None
    schema = Schema(kind="", width=len(cells), line=line)
    for i, (role, m) in found:
        if role == "year":
            schema.years[i] = int(m.group(1))
        elif role == "task":
            schema.task_cols.append(i)
        elif role == "baseline":
            schema.cols.setdefault("baseline", i)
            if m.group(1):
                schema.baseline_year = int(m.group(1))
        else:
            schema.cols.setdefault(role, i)
    if "indicator" in schema.cols and schema.task_cols:
        schema.kind = "worklist"
    elif "indicator" in schema.cols:
        schema.kind = "targets"
    elif schema.task_cols and names & {"lead", "resp", "support"}:
        schema.kind = "tasks"
    return schema


def _year_subheader(cells: list[str], schema: Schema) -> bool:
    years = {}
    for i, c in enumerate(cells):
        key = ascii_digits(no_spaces(c))
        if not key:
            continue
        m = re.match(r"^(20[0-9]{2})年?(目标值?)?$", key)
        if not m:
            return False
        years[i] = int(m.group(1))
    if not years:
        return False
    schema.years.update(years)
    schema.width = max(schema.width, len(cells))
    return True


def _align(cells: list[str], schema: Schema) -> list[str]:
    """Cells placed under the header's columns: by the 序号 cell when there is one, else from the right."""
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    width = max(schema.width, len(cells))
    num = schema.cols.get("num")
    if num is not None:
        for k in range(min(3, len(cells))):
            if _INT.match(cells[k]):
                shift = num - k
                out = [""] * width
                for i, c in enumerate(cells):
                    if 0 <= i + shift < width:
                        out[i + shift] = c
                return out
            if cells[k]:
                break
    if len(cells) >= schema.width or (cells and not cells[0]):
        # full, or starting with empty cells that keep the columns in place
        return cells + [""] * (width - len(cells))
    return [""] * (schema.width - len(cells)) + cells  # leading cells merged away


def parse_value(text: str) -> ParsedValue:
    """A target cell: ``23``, ``79%``, ``>1.48``, ``大于220``, ``≥95``, ``/``, or prose."""
    written = text.strip()
    t = ascii_digits(no_spaces(written)).replace("％", "%")
    comparator = "eq"
    for prefixes, comp in ((_GE, "ge"), (_LE, "le"), (_GT, "gt"), (_LT, "lt")):
        for p in sorted(prefixes, key=len, reverse=True):
            if t.startswith(p):
                t, comparator = t[len(p):], comp
                break
        if comparator != "eq":
            break
    if t.endswith("以上"):
        t, comparator = t[:-2], "ge"
    elif t.endswith(("以下", "以内")):
        t, comparator = t[:-2], "le"
    m = _NUMBER.match(t)
    if not m or len(t) - m.end() > 4 or re.search(r"[0-9。，,]", t[m.end():]):
        return ParsedValue(text=written, value=None, comparator="")
    try:
        return ParsedValue(text=written, value=Decimal(m.group(1)), comparator=comparator)
    except InvalidOperation:
        return ParsedValue(text=written, value=None, comparator="")


def split_measure(name: str) -> tuple[str, str]:
    """``城镇住房保障受益覆盖率(%)`` -> (name, "%"); ``…（万套<间>）`` -> "万套(间)"."""
    s = name.strip()
    m = _MEASURE.search(s.replace("<", "‹").replace(">", "›"))
    if not m:
        return squeeze_cjk_spaces(s), ""
    measure = m.group(1).replace("‹", "(").replace("›", ")")
    return squeeze_cjk_spaces(s[: m.start()]), measure


def _is_year_row(cells: list[str]) -> bool:
    return all(not c or re.match(r"^(20[0-9]{2})\s*年", ascii_digits(c)) for c in cells) and any(cells)


class TableParser:
    def __init__(self, *, year: int | None, known: set[str], warnings: list[Warning_]):
        self.year = year
        self.known = known
        self.warnings = warnings
        self.results = TableResults()
        self._schema: Schema | None = None
        self._domain = ""
        self._section = ""
        self._work_indicator: tuple[int | None, str, str] = (None, "", "")
        self._prev_task_cells: dict[str, str] = {}
        self._last_para = ""
        self._last_para_line = 0
        self._work_year: int | None = None

    def feed(self, blocks: list[Block]) -> TableResults:
        in_run = False
        for block in blocks:
            if isinstance(block, Para):
                self._last_para, self._last_para_line = block.text, block.line
                in_run = False
                continue
            if not in_run:
                in_run = True
                self._domain = ""
            self._row(block)
        return self.results

    def _row(self, row: Row) -> None:
        header = _header(row.cells, row.line)
        if header is not None:
            self._schema = header
            if header.kind == "worklist":
                m = re.search(r"(20[0-9]{2})\s*年", ascii_digits(self._last_para))
                if m and "清单" in self._last_para:
                    self._work_year = int(m.group(1))
                elif header.years:
                    self._work_year = min(header.years.values())
            if header.kind == "tasks":
                self._section = ""
            return
        schema = self._schema
        if schema is None:
            return
        if _year_subheader(row.cells, schema):
            return
        if schema.kind == "targets":
            self._target_row(row, schema)
        elif schema.kind == "worklist":
            self._work_row(row, schema)
        elif schema.kind == "tasks":
            self._task_row(row, schema)

    # -- targets --------------------------------------------------------------------------
    def _target_row(self, row: Row, schema: Schema) -> None:
        cells = _align(row.cells, schema)
        if _is_year_row(cells):
            return
        number = cells[schema.cols["num"]] if "num" in schema.cols else ""
        name = cells[schema.cols["indicator"]]
        if not name:
            return
        domain_col = schema.cols.get("domain")
        if domain_col is not None and cells[domain_col]:
            self._domain = squeeze_cjk_spaces(cells[domain_col]).replace(" ", "")
        base, measure = split_measure(name)
        value_cols = sorted(schema.years)
        baseline_col = schema.cols.get("baseline")
        filled = [c for c in value_cols + ([baseline_col] if baseline_col is not None else []) if cells[c]]
        indicator = ParsedIndicator(
            domain=self._domain, number=int(ascii_digits(number)) if _INT.match(number) else 0,
            name=base, measure=measure, cumulative=("累计" in name or "累积" in name),
            baseline=None, baseline_year=schema.baseline_year, targets={}, line=row.line,
            name_as_written=name,
        )
        # One text cell spanning the years ("至2027年至少创建1个…"): the final year's target.
        prose = (len(value_cols) > 1 and len(filled) == 1 and len(cells[filled[0]]) > 2
                 and parse_value(cells[filled[0]]).value is None)
        if prose:
            last = max(schema.years.values())
            indicator.targets[last] = ParsedValue(text=cells[filled[0]], value=None, comparator="")
            self.warnings.append(Warning_(
                f"指标{number}“{base}”只有一段文字目标,记为{last}年目标 (prose target stored as {last})",
                row.line, "prose_target"))
        else:
            if baseline_col is not None and cells[baseline_col]:
                indicator.baseline = parse_value(cells[baseline_col])
            for col in value_cols:
                if cells[col]:
                    indicator.targets[schema.years[col]] = parse_value(cells[col])
        if not indicator.number:
            indicator.number = len(self.results.indicators) + 1
        self.results.indicators.append(indicator)

    # -- work list ------------------------------------------------------------------------
    def _work_row(self, row: Row, schema: Schema) -> None:
        cells = _align(row.cells, schema)
        text_col = schema.task_cols[-1]
        num = cells[schema.cols["num"]] if "num" in schema.cols else ""
        name = cells[schema.cols["indicator"]]
        target_col = min(schema.years) if schema.years else schema.cols.get("years")
        target = cells[target_col] if target_col is not None else ""
        if name:
            number = int(ascii_digits(num)) if _INT.match(num) else None
            self._work_indicator = (number, name, target)
        number, name, target = self._work_indicator
        text = cells[text_col]
        if not text:
            return
        deadline = cells[schema.cols["deadline"]] if "deadline" in schema.cols else ""
        leads, supports = self._units(cells, schema)
        self.results.work_rows.append(WorkRow(
            number=number, indicator=name, target=target, text=text,
            deadline_text=normalize_deadline_text(deadline), leads=leads, supports=supports, line=row.line,
            year=self._work_year,
        ))

    def _units(self, cells: list[str], schema: Schema) -> tuple[list[str], list[str]]:
        parts = []
        for role, label in (("lead", "牵头单位"), ("resp", "责任单位"), ("support", "配合单位")):
            col = schema.cols.get(role)
            if col is not None and cells[col]:
                parts.append(f"{label}:{cells[col]}")
        if not parts:
            return [], []
        st = parse_content("；".join(parts), self.known)
        return st.leads, st.supports

    # -- task tables ----------------------------------------------------------------------
    def _task_row(self, row: Row, schema: Schema) -> None:
        nonempty = [c for c in row.cells if c]
        first = row.cells[0] if row.cells else ""
        if (len(nonempty) == 1 and not _INT.match(nonempty[0]) and (first or numbering(nonempty[0]))) or (
                len(nonempty) == 2 and first and _section_number(first)):
            # "一、住房保障 | | |", "一 | 住房保障": a section row
            self._section = first_sentence(" ".join(nonempty), 60)
            return
        cells = self._fill_short_row(row, schema)
        num = cells[schema.cols["num"]] if "num" in schema.cols else ""
        filled = [r for r in ("lead", "resp", "support", "deadline")
                  if r in schema.cols and cells[schema.cols[r]]]
        task_text = "\n".join(cells[c] for c in schema.task_cols if cells[c])
        if not task_text:
            return
        tasks = self.results.tasks
        if "num" in schema.cols and not num and not filled and tasks and tasks[-1].task.line < row.line:
            # A row that only continues the task above (its text broken over two rows).
            tasks[-1].task.text += "\n" + task_text
            return
        title_cell = cells[schema.task_cols[0]] or task_text
        parts = []
        for role, label in (("leader", "责任领导"), ("lead", "牵头单位"), ("resp", "责任单位"),
                            ("support", "配合单位")):
            col = schema.cols.get(role)
            if col is not None and cells[col]:
                parts.append(f"{label}:{cells[col]}")
        st = parse_content("；".join(parts), self.known)
        year = self.year
        deadline_text = ""
        deadline = None
        if "deadline" in schema.cols and cells[schema.cols["deadline"]]:
            deadline_text = normalize_deadline_text(cells[schema.cols["deadline"]])
            deadline, recurring = parse_deadline_in(deadline_text, year)
            if deadline is None and not recurring:
                self.warnings.append(Warning_(
                    f"无法识别完成时限“{deadline_text}” (unreadable deadline)", row.line,
                    "deadline_unreadable"))
        source = cells[schema.cols["progress"]] if "progress" in schema.cols else task_text
        milestones = find_milestones(source, year)
        num_value = int(ascii_digits(num)) if _INT.match(num) else 0
        task = ParsedKeyTask(
            number=num_value, section=self._section, title=first_sentence(title_cell),
            text=task_text, lead_units=st.leads, supporting_units=st.supports,
            deadline=deadline, deadline_text=deadline_text, leaders=st.leaders, milestones=milestones,
            line=row.line,
        )
        self.results.tasks.append(TableTask(task=task, carry_forward=st.carry_forward, doubtful=st.doubtful))

    def _fill_short_row(self, row: Row, schema: Schema) -> list[str]:
        """A row left short by merged cells: unit cells missing are taken from the row above."""
        cells = list(row.cells)
        while cells and not cells[-1]:
            cells.pop()
        unit_roles = [r for r in ("lead", "resp", "support") if r in schema.cols]
        if cells and not cells[0]:
            cells = []  # leading empty cells keep the columns in place: read by position
        core = schema.width
        while core > 0 and core - 1 in (schema.cols.get("note"), schema.cols.get("progress")):
            core -= 1
        if not cells or len(cells) >= core or not unit_roles:
            out = _align(row.cells, schema)
        else:
            out = [""] * schema.width
            rest = list(cells)
            if "num" in schema.cols and rest and _INT.match(rest[0]):
                out[schema.cols["num"]] = rest.pop(0)
            if ("deadline" in schema.cols and rest and len(rest[-1]) <= 20
                    and parse_deadline(rest[-1], year=2000) != (None, False)):
                out[schema.cols["deadline"]] = rest.pop()
            for col in schema.task_cols:
                if rest:
                    out[col] = rest.pop(0)
            missing = len(unit_roles) - len(rest)
            present_roles = unit_roles
            if missing > 0:
                # The merged column is the one whose value repeats from the row above: the lead, usually.
                present_roles = unit_roles[missing:]
                for r in unit_roles[:missing]:
                    out[schema.cols[r]] = self._prev_task_cells.get(r, "")
                self.warnings.append(Warning_(
                    "表格行缺少单元格(合并单元格),"
                    f"{'、'.join(_LABEL[r] for r in unit_roles[:missing])}沿用上一行 "
                    "(short row: value taken from the row above)", row.line, "merged_cell"))
            for r, value in zip(present_roles, rest, strict=False):
                out[schema.cols[r]] = value
        for r in ("lead", "resp", "support"):
            if r in schema.cols:
                self._prev_task_cells[r] = out[schema.cols[r]]
        return out


_LABEL = {"lead": "牵头单位", "resp": "责任单位", "support": "配合单位"}


def _section_number(cell: str) -> bool:
    """A Chinese section number ("一", "一、", "(一)") rather than a task's 序号."""
    num = numbering(cell)
    if num:
        return num[0] in ("cn_dun", "cn_paren")
    return not _INT.match(cell) and cn_number(cell) is not None
