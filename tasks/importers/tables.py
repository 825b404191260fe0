"""Tables (pipe- or tab-separated text, or .docx tables): targets, work lists and task tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from . import messages as msgs
from .blocks import Block, Para, Row
from .deadlines import normalize_deadline_text, parse_deadline, parse_deadline_in
from .document import Grid, ParsedIndicator, ParsedKeyTask, ParsedMilestone, ParsedValue, Warning_
from .messages import Issue, noted
from .statements import OTHER_LABELS as _OTHER_LABELS
from .statements import find_milestones, parse_content
from .text import ascii_digits, cn_number, first_sentence, no_spaces, numbering, simplified, squeeze_cjk_spaces

_ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("num", re.compile(r"^(序号?|编号|序列号?)$")),
    ("domain", re.compile(r"^(领域|类别|分类|类型|板块)$")),
    ("indicator", re.compile(r"^(指标|指标体系|指标名称|主要指标|指标内容|具体指标)$")),
    ("baseline", re.compile(r"^(?:(20[0-9]{2})年?(?:底|末)?)?(现状值?|基期值?|基准值?|基数|基础值|实际值)$")),
    ("year", re.compile(r"^(20[0-9]{2})年度?(目标值?|计划|任务|预期值?)?$")),
    ("years", re.compile(r"^(年度目标|目标值|分年度目标|各年度目标|年度目标值)$")),
    ("task", re.compile(
        r"^(任务|重点任务|主要任务|具体任务|任务内容|任务名称|工作任务|工作内容|重点工作|工作措施|具体措施"
        r"|主要措施|工作举措|工作事项|重点事项|事项|工作清单|具体工作|主要工作|重点任务及措施|任务措施"
        r"|工作目标|目标任务|任务目标|主要内容|具体内容|工作要求|任务事项|重点任务内容|具体举措|重点举措"
        r"|工作安排|任务要求|主要工作任务|重点工作任务|具体工作任务|实施内容|项目名称|项目|工作职责|主要职责|职责"
        r"|交办事项|督办事项|议定事项|交办内容|督办内容|议定内容|交办任务|督办任务|整改措施|整改任务|整改事项"
        r"|存在问题|问题|问题描述|具体问题|反馈问题)$")),
    ("lead", re.compile(r"^(牵头单位|牵头部门|牵头|主办单位|牵头责任单位|牵头处室|主办|主办部门|牵头责任部门"
                        r"|主责单位|主责部门|牵头科室)$")),
    ("resp", re.compile(r"^(责任单位|责任部门|主要责任单位|责任主体|实施主体|责任处室|负责单位|承办单位|落实单位"
                        r"|实施单位|责任科室|具体责任单位|责任单位及分工)$")),
    ("support", re.compile(r"^(配合单位|配合部门|协办单位|协同单位|参与单位|配合|协办|协同责任单位|协同部门"
                           r"|配合责任单位|协办部门|协同配合单位|协助单位)$")),
    ("deadline", re.compile(r"^(完成期限|完成时限|时限|完成时间|时间节点|办结时限|时限要求|完成年限|计划完成时间"
                            r"|时间安排|进度安排|完成时间节点|时间要求|推进时限|实施时间|完成时间及进度"
                            r"|整改时限|整改期限|办理时限|办结时间|交办时限|督办时限|办结期限)$")),
    ("leader", re.compile(r"^(责任领导|牵头领导|分管领导|联系领导|牵头负责领导|牵头市领导|牵头区领导|责任市领导"
                          r"|责任区领导|分管市领导|分管区领导|负责领导|牵头县领导|联系市领导"
                          r"|责任人|具体责任人|第一责任人|直接责任人|牵头领导责任人)$")),
    ("other", re.compile(r"^(数据提供|数据报送|督办|督导|监督|指导|考核|考评|评分|评价|技术支撑|业务指导|审核|督查"
                         r"|验收|考核评分)(单位|部门|处室|科室)$")),
    ("progress", re.compile(r"^(时间进度|进度要求|节点安排|阶段目标|季度安排)$")),
    ("note", re.compile(r"^(备注|说明)$")),
]
# Roles a coordinator may give a task table's column (the preview's reassignment form).
COLUMN_ROLES = ("num", "task", "lead", "resp", "support", "deadline", "leader", "other", "note", "ignore")
_HEADER_NOTE = re.compile(r"[（(][^（）()]*[）)]$")
_INT = re.compile(r"^[0-9０-９]{1,4}$")
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
    others: dict[int, str] = field(default_factory=dict)  # column -> role as written ("数据提供单位")
    headers: list[str] = field(default_factory=list)
    unclear: list[int] = field(default_factory=list)  # columns whose meaning is a guess
    inferred: bool = False  # no header row: every column's meaning is read from its cells


@dataclass
class TableColumns:
    """How a task table's columns were read, for the preview (and the coordinator's reassignment)."""

    line: int
    headers: list[str]
    roles: list[str]  # one of COLUMN_ROLES per column
    unclear: list[int]
    inferred: bool
    sample: list[str] = field(default_factory=list)  # the first data row, to tell the columns apart


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
    tables: list[TableColumns] = field(default_factory=list)


def _role(cell: str) -> tuple[str, re.Match[str]] | None:
    key = simplified(ascii_digits(no_spaces(cell)).replace("：", "").replace(":", ""))  # "２０２３年": a year too
    if len(key) > 30:
        return None
    bare = _HEADER_NOTE.sub("", key)
    for candidate in (key, bare) if bare != key else (key,):  # "责任单位（列第一位为牵头单位）"
        for role, rx in _ROLES:
            m = rx.match(candidate)
            if m:
                return role, m
    if len(bare) <= 12:
        for role, rx in _LOOSE_ROLES:  # a header worded its own way: "责任主体与协同单位", "牵头责任部门(单位)"
            m = rx.search(bare)
            if m:
                return role, m
    return None


def column_role(cell: str) -> str:
    """The role a header cell names ("牵头单位" -> "lead", "交办事项" -> "task"), "" when none."""
    found = _role(cell)
    return found[0] if found else ""


# Header words that say a column's role inside a longer header, tried after the exact names.
_LOOSE_ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("support", re.compile(r"(协同|配合|协办|协助|参与)(责任)?(单位|部门|处室|科室)")),
    ("lead", re.compile(r"(牵头|主责|主办)(责任)?(单位|部门|处室|科室)")),
    ("resp", re.compile(r"(责任|承办|落实|实施)(单位|部门|主体|处室|科室)")),
    ("leader", re.compile(r"(牵头|责任|分管|联系)(市|区|县)?领导")),
    # "目标任务主要内容", "具体要求", "细化分工", "考核内容": a column of what is to be done
    ("task", re.compile(r"^[\u4e00-\u9fff]{0,6}(内容|要求|任务|事项|分工)$")),
]


def _header(cells: list[str], line: int) -> Schema | None:
    if sum(1 for c in cells if c and len(c) <= 30) < 2 or any(len(c) > 60 for c in cells):
        return None  # a data row: header cells are short
    roles = [(i, _role(c)) for i, c in enumerate(cells)]
    found = [(i, r) for i, r in roles if r]
    names = {r[0] for _, r in found}
    if len(found) < 2 or not names & {"indicator", "task", "lead", "resp", "deadline"}:
        return None
    schema = Schema(kind="", width=len(cells), line=line, headers=list(cells))
    for i, (role, m) in found:
        if role == "year":
            schema.years[i] = int(m.group(1))
        elif role == "task":
            schema.task_cols.append(i)
        elif role == "baseline":
            schema.cols.setdefault("baseline", i)
            if m.group(1):
                schema.baseline_year = int(m.group(1))
        elif role == "other":
            schema.others[i] = no_spaces(cells[i])
        elif role in schema.cols and role in ("lead", "resp", "support", "deadline"):
            schema.unclear.append(i)  # a second column of the same meaning: read as a note
        else:
            schema.cols.setdefault(role, i)
    if "indicator" in schema.cols and schema.task_cols:
        schema.kind = "worklist"
    elif "indicator" in schema.cols:
        schema.kind = "targets"
    elif names & {"lead", "resp", "support"}:
        unknown = [i for i, r in roles if r is None and no_spaces(cells[i])]
        if not schema.task_cols and unknown:
            # No column says "任务": the first unnamed one holds the tasks, most likely. Say so.
            schema.task_cols.append(unknown[0])
        if schema.task_cols:
            schema.kind = "tasks"
            schema.unclear += [i for i in unknown]
    return schema


def schema_from_roles(roles: list[str], *, line: int, headers: list[str]) -> Schema:
    """A task table's schema as a coordinator assigned its columns (``COLUMN_ROLES`` per column)."""
    schema = Schema(kind="tasks", width=len(roles), line=line, headers=list(headers))
    for i, role in enumerate(roles):
        if role == "task":
            schema.task_cols.append(i)
        elif role == "other":
            schema.others[i] = no_spaces(headers[i]) if i < len(headers) and headers[i] else "其他"
        elif role in COLUMN_ROLES and role != "ignore":
            schema.cols.setdefault(role, i)
    if not schema.task_cols:
        schema.kind = ""
    return schema


def _roles_of(schema: Schema) -> list[str]:
    roles = ["ignore"] * schema.width
    for role, i in schema.cols.items():
        if i < schema.width and role in COLUMN_ROLES:
            roles[i] = role
    for i in schema.task_cols:
        roles[i] = "task"
    for i in schema.others:
        roles[i] = "other"
    return roles


def _resp_label(cells: list[str], schema: Schema) -> str:
    """How a row's 责任单位 cell reads: beside a filled 配合单位 cell and no 牵头单位 one, every unit it
    names leads (the 配合单位 column holds the supporting units), else its first unit leads."""
    def filled(role: str) -> bool:
        col = schema.cols.get(role)
        return col is not None and col < len(cells) and bool(cells[col].strip())

    return "牵头单位" if filled("support") and not filled("lead") else "责任单位"


_STAR = "★☆*＊※▲"
_STAR_AFTER = re.compile(rf"([^、，,；;\s{_STAR}]+?)\s*[{_STAR}]")
_STAR_BEFORE = re.compile(rf"[{_STAR}]\s*([^、，,；;\s{_STAR}]+)")


def mark_stars(cell: str) -> str:
    """"市住建局★、市财政局", "★市住建局": the starred unit leads, as "市住建局（牵头）" says it."""
    if not any(c in cell for c in _STAR):
        return cell
    out = _STAR_AFTER.sub(r"\1（牵头）", cell)
    return _STAR_BEFORE.sub(r"\1（牵头）", out)


_TITLES = ("副市长", "市长", "副区长", "区长", "副县长", "县长", "副书记", "书记", "副主任", "主任", "副局长", "局长",
           "秘书长", "副秘书长", "部长", "副部长", "常务副市长", "主席", "副主席", "同志")
_PERSON = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


def looks_like_persons(cell: str, known: set[str]) -> bool:
    """A cell of persons ("张三", "李四副市长", "王五（常务副区长）"), not of units: a 牵头领导 column."""
    from .units import looks_like_unit

    parts = [p for p in re.split(r"[、，,；;/\s]+", cell) if p]
    if not parts or len(parts) > 8:
        return False
    for part in parts:
        bare = re.sub(r"[（(][^（）()]*[）)]", "", part)
        for title in sorted(_TITLES, key=len, reverse=True):
            if bare.endswith(title) and len(bare) > len(title):
                bare = bare[: -len(title)]
                break
        if not _PERSON.match(bare) or looks_like_unit(part, known) or looks_like_unit(bare, known):
            return False
    return True


def _looks_like_units(cell: str, known: set[str]) -> bool:
    from .units import looks_like_unit, split_units

    if not cell or len(cell) > 120:
        return False
    names = split_units(cell, known=known).names
    return bool(names) and all(looks_like_unit(n, known) for n in names)


_DEADLINE_START = re.compile(
    r"^(20[0-9]{2}|[0-9一二三四五六七八九十]{1,2}月|年|到|至|每|长期|全年|上半年|下半年|第|持续|按|常态)")


def looks_like_deadline(cell: str) -> bool:
    """A cell that is a deadline ("2024年6月底前", "全年", "长期坚持"), not task text naming a time."""
    t = no_spaces(cell)
    return bool(t) and len(t) <= 24 and (len(t) <= 10 or bool(_DEADLINE_START.match(t))) and not re.search(
        r"[，,。；;]", t) and parse_deadline(t, year=2000) != (None, False)


_looks_like_deadline = looks_like_deadline


def infer_schema(rows: list[list[str]], *, line: int, known: set[str]) -> Schema | None:
    """The columns of a task table without a header row, from what its cells hold: small numbers,
    unit lists, deadlines and the longest text. None when it does not look like a task table."""
    rows = [r for r in rows if sum(1 for c in r if c) >= 2][:30]
    if not rows or (len(rows) == 1 and not (len(rows[0]) >= 3 and any(
            _looks_like_units(c, known) for c in rows[0]))):
        return None  # one row alone: a table row only when it names units beside other cells
    width = max(len(r) for r in rows)
    stats = []
    for col in range(width):
        cells = [r[col] for r in rows if col < len(r) and r[col]]
        n = len(cells) or 1
        stats.append({
            "int": sum(1 for c in cells if _INT.match(c) or numbering(c)) / n,
            "units": sum(1 for c in cells if _looks_like_units(c, known)) / n,
            "date": sum(1 for c in cells if _looks_like_deadline(c)) / n,
            "length": sum(len(c) for c in cells) / n,
            "filled": len(cells) / len(rows),
        })
    roles = ["ignore"] * width
    free = set(range(width))
    num = next((c for c in range(width) if stats[c]["int"] >= 0.6 and stats[c]["length"] <= 4), None)
    if num is not None:
        roles[num] = "num"
        free.discard(num)
    unit_cols = [c for c in sorted(free) if stats[c]["units"] >= 0.6]
    for c, role in zip(unit_cols, ("lead", "support") if len(unit_cols) > 1 else ("resp",), strict=False):
        roles[c] = role
        free.discard(c)
    date_col = next((c for c in sorted(free) if stats[c]["date"] >= 0.5), None)
    if date_col is not None:
        roles[date_col] = "deadline"
        free.discard(date_col)
    if not unit_cols or not free:
        return None
    task = max(free, key=lambda c: (stats[c]["length"] * stats[c]["filled"], -c))
    if stats[task]["length"] < 6:
        return None
    roles[task] = "task"
    schema = schema_from_roles(roles, line=line, headers=[""] * width)
    schema.inferred = True
    schema.unclear = list(range(width))
    return schema


def complete_from_cells(schema: Schema, rows: list[list[str]], known: set[str]) -> Schema:
    """A header's reading checked against the cells under it: a column the header does not name is read
    from what it holds (units, deadlines, persons), and a unit column that holds persons is a 牵头领导
    column (a person never becomes a unit). A header naming a task column but no unit column becomes a
    task table when its cells show one."""
    if schema.kind not in ("", "tasks") or not (schema.task_cols or "num" in schema.cols):
        return schema
    rows = [r for r in rows if sum(1 for c in r if c) >= 2][:30]
    if not rows:
        return schema
    named = set(schema.cols.values()) | set(schema.task_cols) | set(schema.others)

    def share(col: int, test) -> float:
        cells = [r[col] for r in rows if col < len(r) and r[col]]
        return sum(1 for c in cells if test(c)) / len(cells) if cells else 0.0

    for role in ("lead", "resp", "support"):
        col = schema.cols.get(role)
        if col is not None and share(col, lambda c: looks_like_persons(c, known)) >= 0.6:
            del schema.cols[role]
            schema.cols.setdefault("leader", col)
            if col not in schema.unclear:
                schema.unclear.append(col)
    width = max([schema.width] + [len(r) for r in rows])
    free = [c for c in range(width) if c not in named]
    if schema.headers:
        # a column whose header says something we do not read as a role (备注 is named): its cells decide
        free = [c for c in free if c >= len(schema.headers) or not _role(schema.headers[c])]
    named_units = any(r in schema.cols for r in ("lead", "resp", "support"))
    if schema.headers:
        # a column past the header's last one, filled in a few rows only, is overflow (a continuation
        # line, a note), not a column of its own; when the header names its unit columns, a row wider
        # than it has a header cell spanning several of its cells (read by ``_fold_wide``)
        free = [c for c in free if c < len(schema.headers) or (
            not named_units and sum(1 for r in rows if c < len(r) and r[c]) >= len(rows) / 2)]
    unit_cols = [c for c in free if share(c, lambda c_: _looks_like_units(c_, known)) >= 0.6]
    have = [r for r in ("lead", "resp", "support") if r in schema.cols]
    if unit_cols and not have:
        roles = ("lead", "support") if len(unit_cols) > 1 else ("resp",)
        for c, role in zip(unit_cols, roles, strict=False):
            schema.cols[role] = c
            schema.unclear.append(c)
    elif unit_cols and have == ["lead"]:
        schema.cols["support"] = unit_cols[0]
        schema.unclear.append(unit_cols[0])
    elif unit_cols and have in (["resp"], ["support"]):
        schema.cols["lead" if have == ["support"] else "support"] = unit_cols[0]
        schema.unclear.append(unit_cols[0])
    used = set(schema.cols.values())
    free = [c for c in free if c not in used]
    if "deadline" not in schema.cols:
        col = next((c for c in free if share(c, looks_like_deadline) >= 0.6), None)
        if col is not None:
            schema.cols["deadline"] = col
            schema.unclear.append(col)
            free.remove(col)
    if "leader" not in schema.cols:
        col = next((c for c in free if share(c, lambda c_: looks_like_persons(c_, known)) >= 0.8), None)
        if col is not None:
            schema.cols["leader"] = col
            schema.unclear.append(col)
    if schema.kind == "" and "indicator" not in schema.cols and any(
            r in schema.cols for r in ("lead", "resp", "support")):
        if not schema.task_cols:
            return schema
        schema.kind = "tasks"
    if not (schema.headers and named_units):
        schema.width = max(schema.width, width)
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
            if _INT.match(cells[k]) or _number_cell(cells[k]):
                shift = num - k
                out = [""] * width
                for i, c in enumerate(cells):
                    if 0 <= i + shift < width:
                        out[i + shift] = c
                return out
            if cells[k]:
                break
    core = schema.width
    while core > 0 and core - 1 in (schema.cols.get("note"), schema.cols.get("progress")):
        core -= 1  # a 备注 column last, left empty
    if len(cells) >= core or (cells and not cells[0]):
        # full (but for an empty 备注), or starting with empty cells that keep the columns in place
        return cells + [""] * (width - len(cells))
    return [""] * (schema.width - len(cells)) + cells  # leading cells merged away


def _number_cell(cell: str) -> bool:
    """A cell that is a number alone: "(二)", "3.", "①", "十二" (a 序号 written otherwise than "3")."""
    t = no_spaces(cell)
    if not t or len(t) > 6:
        return False
    num = numbering(t)
    return (num is not None and num[2] >= len(t)) or cn_number(t) is not None


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
    def __init__(self, *, year: int | None, known: set[str], warnings: list[Warning_],
                 columns: dict[int, list[str]] | None = None):
        self.year = year
        self.known = known
        self.warnings = warnings
        self.columns = columns or {}  # a coordinator's column roles, by the table's first line
        self.results = TableResults()
        self._schema: Schema | None = None
        self._domain = ""
        self._section = ""
        self._work_indicator: tuple[int | None, str, str] = (None, "", "")
        self._prev_task_cells: dict[str, str] = {}
        self._last_row_header = False
        self._last_para = ""
        self._last_para_line = 0
        self._work_year: int | None = None
        self._ahead: list[Row] = []
        self._skip_to = 0  # rows above a header row the coordinator marked are skipped

    def feed(self, blocks: list[Block]) -> TableResults:
        i, n = 0, len(blocks)
        while i < n:
            block = blocks[i]
            if isinstance(block, Para):
                self._last_para, self._last_para_line = block.text, block.line
                self._last_row_header = False
                i += 1
                continue
            j = i
            while j < n and isinstance(blocks[j], Row):
                j += 1
            run = blocks[i:j]
            self._domain = ""
            if (self._schema is None or not self._schema.kind) and not any(
                    -r.line in self.columns for r in run) and not any(_header(r.cells, r.line) for r in run[:6]):
                # A table without a header row: its columns read from what the cells hold, or as assigned.
                first = run[0].line
                schema = (schema_from_roles(self.columns[first], line=first, headers=[""] * len(self.columns[first]))
                          if first in self.columns else
                          infer_schema([r.cells for r in run], line=first, known=self.known))
                if schema is not None and schema.kind == "tasks":
                    schema.inferred = True
                    schema.unclear = schema.unclear or list(range(schema.width))
                    self._use(schema, run[0])
            before, warned, tables = len(self.results.tasks), len(self.warnings), len(self.results.tables)
            marked = [r.line for r in run if -r.line in self.columns]
            self._skip_to = marked[0] if marked else 0
            if marked:
                self._schema = None
            for k, r in enumerate(run):
                self._ahead = run[k + 1:k + 31]
                self._row(r)
            self._ahead = []
            self._skip_to = 0
            self._retry_unread(run, before, warned, tables)
            i = j
        return self.results

    def _retry_unread(self, run: list[Row], before: int, warned: int, tables: int) -> None:
        """A task table whose header gave no task with units (a header at odds with its cells):
        read its rows again with the columns their cells suggest, rather than refuse the document."""
        schema = self._schema
        if schema is None or schema.kind != "tasks" or schema.inferred or schema.line in self.columns or (
                -schema.line in self.columns):
            return
        added = self.results.tasks[before:]
        if any(t.task.lead_units or t.task.supporting_units for t in added):
            return
        rows = [r for r in run if r.line != schema.line]
        guess = infer_schema([r.cells for r in rows], line=rows[0].line if rows else 0, known=self.known)
        if guess is None:
            return
        del self.results.tasks[before:]
        del self.warnings[warned:]
        del self.results.tables[tables:]
        guess.inferred, guess.unclear = True, list(range(guess.width))
        self._use(guess, rows[0])
        for r in rows:
            self._row(r)

    def _use(self, schema: Schema, sample: Row | None) -> None:
        self._schema = schema
        if schema.kind == "tasks":
            self._section = ""
            self._prev_task_cells = {}
            self.results.tables.append(TableColumns(
                line=schema.line, headers=schema.headers, roles=_roles_of(schema), unclear=sorted(schema.unclear),
                inferred=schema.inferred, sample=list(sample.cells) if sample is not None else []))
            self.results.tables[-1].unclear = sorted(set(schema.unclear))

    def _row(self, row: Row) -> None:
        if -row.line in self.columns:
            # The coordinator marked this row as the table's header: its columns as they assigned them.
            schema = schema_from_roles(self.columns[-row.line], line=row.line, headers=row.cells)
            if schema.kind == "tasks":
                self._schema = schema
                self._last_row_header = True
                self._use(schema, None)
            return
        if self._skip_to and row.line < self._skip_to:
            return  # above the marked header row: a title
        header = _header(row.cells, row.line)
        prev = self._schema
        if (header is not None and prev is not None and prev.headers and self._last_row_header
                and header.kind in ("", "tasks")):
            # A second header row under a merged cell ("责任单位" over "牵头单位 | 配合单位"): one header.
            top = prev.headers + [""] * max(0, len(row.cells) - len(prev.headers))
            merged = [c if c and _role(c) else (top[i] if i < len(top) else c) for i, c in enumerate(row.cells)]
            merged += top[len(merged):]
            combined = _header(merged, prev.line)
            if combined is not None and combined.kind:
                if prev.kind == "tasks" and self.results.tables and self.results.tables[-1].line == prev.line:
                    self.results.tables.pop()
                header = combined
        self._last_row_header = header is not None
        if header is not None and header.line in self.columns and header.kind in ("tasks", ""):
            roles = self.columns[header.line]
            header = schema_from_roles(roles, line=header.line, headers=row.cells)
        elif header is not None and self._ahead:
            header = complete_from_cells(header, [r.cells for r in self._ahead if not _header(r.cells, r.line)],
                                         self.known)
        if header is not None:
            self._schema = header
            if header.kind == "worklist":
                m = re.search(r"(20[0-9]{2})\s*年", ascii_digits(self._last_para))
                if m and "清单" in self._last_para:
                    self._work_year = int(m.group(1))
                elif header.years:
                    self._work_year = min(header.years.values())
            if header.kind == "tasks":
                self._use(header, None)
            return
        schema = self._schema
        tables = self.results.tables
        if schema is not None and tables and tables[-1].line == schema.line and not tables[-1].sample:
            tables[-1].sample = list(row.cells)
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
                noted(Issue(msgs.PROSE_TARGET, number=number, name=base, year=last), f"prose target stored as {last}"),
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
        for role, label in (("lead", "牵头单位"), ("resp", _resp_label(cells, schema)), ("support", "配合单位")):
            col = schema.cols.get(role)
            if col is not None and cells[col]:
                parts.append(f"{label}:{mark_stars(cells[col])}")
        if not parts:
            return [], []
        st = parse_content("；".join(parts), self.known)
        return st.leads, st.supports

    # -- task tables ----------------------------------------------------------------------
    def _task_row(self, row: Row, schema: Schema) -> None:
        nonempty = [c for c in row.cells if c]
        first = row.cells[0] if row.cells else ""
        if schema.inferred and row.line == schema.line and _header_like(nonempty, self.known):
            # The header row of a table whose headers say nothing we know: keep them for the preview.
            schema.headers = list(row.cells)
            if self.results.tables and self.results.tables[-1].line == schema.line:
                self.results.tables[-1].headers = list(row.cells)
                self.results.tables[-1].sample = []
            return
        if row.line != schema.line and _repeats_header(nonempty, schema.headers):
            return  # the header repeated mid-table (a table continued on a new page)
        if (len(nonempty) == 1 and not _INT.match(nonempty[0]) and (first or numbering(nonempty[0]))) or (
                len(nonempty) == 2 and first and _section_number(first)):
            # "一、住房保障 | | |", "一 | 住房保障": a section row
            self._section = first_sentence(" ".join(nonempty), 60)
            return
        cells = [("" if no_spaces(c) in _SAME_AS_ABOVE else c) for c in self._fill_short_row(row, schema)]
        num = cells[schema.cols["num"]] if "num" in schema.cols else ""
        unit_roles = [r for r in ("lead", "resp", "support") if r in schema.cols]
        filled = [r for r in (*unit_roles, "deadline") if r in schema.cols and cells[schema.cols[r]]]
        task_text = "\n".join(cells[c] for c in schema.task_cols if cells[c])
        tasks = self.results.tasks
        prev = tasks[-1] if tasks and tasks[-1].task.line < row.line else None
        head_empty = not cells[schema.task_cols[0]] and not num
        numbered = "num" in schema.cols and prev is not None and bool(prev.task.number)
        if prev is not None and not num and not task_text and filled and self._continues_names(prev, cells, schema):
            return  # the unit names of the row above, wrapped onto this line
        if prev is not None and not num and not _numbered_after(prev.task.text, task_text) and (
                (head_empty and (task_text or filled) and len(schema.task_cols) > 1) or (numbered and filled)):
            # A sub-row of the task above (its first cells merged down): its measures and units join it.
            self._join_subrow(prev, cells, schema, task_text, row)
            return
        if not task_text:
            return
        if "num" in schema.cols and not num and not filled and prev is not None:
            # A row that only continues the task above (its text broken over two rows).
            prev.task.text += "\n" + task_text
            return
        inherited = []
        if unit_roles and not any(cells[schema.cols[r]] for r in unit_roles if r != "support") and any(
                self._prev_task_cells.get(r) for r in unit_roles):
            # The lead cell is empty: merged with the one above ("same as above").
            none_filled = not any(cells[schema.cols[x]] for x in unit_roles)
            for r in unit_roles:
                if not cells[schema.cols[r]] and (r != "support" or none_filled):
                    cells[schema.cols[r]] = self._prev_task_cells.get(r, "")
                    inherited.append(r)
            if "deadline" in schema.cols and not cells[schema.cols["deadline"]] and not any(
                    row.cells[schema.cols[r]] for r in unit_roles if schema.cols[r] < len(row.cells)):
                cells[schema.cols["deadline"]] = self._prev_task_cells.get("deadline", "")
            if inherited:
                self.warnings.append(Warning_(
                    noted(Issue(msgs.MERGED_CELL, labels="、".join(_LABEL[r] for r in inherited)),
                          "empty cell: value taken from the row above"), row.line, "merged_cell"))
        for r in (*unit_roles, "deadline"):
            if r in schema.cols:
                self._prev_task_cells[r] = cells[schema.cols[r]]
        title_cell = cells[schema.task_cols[0]] or task_text
        st = self._statement(cells, schema)
        year = self.year
        deadline_text = ""
        deadline = None
        if "deadline" in schema.cols and cells[schema.cols["deadline"]]:
            deadline_text = normalize_deadline_text(cells[schema.cols["deadline"]])
            deadline, recurring = parse_deadline_in(deadline_text, year)
            if deadline is None and not recurring:
                self.warnings.append(Warning_(
                    noted(Issue(msgs.DEADLINE_UNREADABLE, text=deadline_text), "unreadable deadline"), row.line,
                    "deadline_unreadable"))
        if "progress" in schema.cols:
            source = cells[schema.cols["progress"]]
        elif "deadline" in schema.cols and len(find_milestones(deadline_text, year)) > 1:
            source = cells[schema.cols["deadline"]]  # "5月底前:开工;10月底前:完工" in the 进度安排 column
        else:
            source = task_text
        milestones = find_milestones(source, year)
        num_value = int(ascii_digits(num)) if _INT.match(num) else (numbering(num)[1] if numbering(num) else 0)
        task = ParsedKeyTask(
            number=num_value, section=self._section, title=first_sentence(title_cell),
            text=task_text, lead_units=st.leads, supporting_units=st.supports,
            deadline=deadline, deadline_text=deadline_text, leaders=st.leaders, milestones=milestones,
            line=row.line, other_units=[(u, r) for u, r in st.others if u not in st.leads + st.supports],
        )
        self.results.tasks.append(TableTask(task=task, carry_forward=st.carry_forward, doubtful=st.doubtful))

    def _statement(self, cells: list[str], schema: Schema):
        parts = []
        for role, label in (("leader", "责任领导"), ("lead", "牵头单位"), ("resp", _resp_label(cells, schema)),
                            ("support", "配合单位")):
            col = schema.cols.get(role)
            if col is not None and cells[col]:
                parts.append(f"{label}:{mark_stars(cells[col]) if role != 'leader' else cells[col]}")
        for col, label in schema.others.items():
            if col < len(cells) and cells[col]:
                parts.append(f"{label}:{cells[col]}" if label in _OTHER_LABELS else f"督办单位:{cells[col]}")
        st = parse_content("；".join(parts), self.known)
        if any(label not in _OTHER_LABELS for label in schema.others.values()):
            # A column the coordinator called "other": its header is the role as written.
            named = {lbl for lbl in schema.others.values()}
            st.others = [(u, r if r in named else next(iter(named))) for u, r in st.others]
        return st

    def _join_subrow(self, prev: TableTask, cells: list[str], schema: Schema, text: str, row: Row) -> None:
        task = prev.task
        if text:
            task.text += "\n" + text
        st = self._statement(cells, schema)
        for name in st.leads:
            if name not in task.lead_units:
                task.lead_units.append(name)
        task.supporting_units = [n for n in dict.fromkeys(task.supporting_units + st.supports)
                                 if n not in task.lead_units]
        task.leaders += [x for x in st.leaders if x not in task.leaders]
        task.other_units += [x for x in st.others if x not in task.other_units]
        prev.carry_forward += st.carry_forward
        prev.doubtful += st.doubtful
        if "deadline" in schema.cols and cells[schema.cols["deadline"]]:
            text_ = normalize_deadline_text(cells[schema.cols["deadline"]])
            when, _rec = parse_deadline_in(text_, self.year)
            if when is not None and (task.deadline is None or when > task.deadline):
                if task.deadline is not None or task.deadline_text:
                    task.milestones.append(ParsedMilestone(
                        text=first_sentence(task.title), deadline=task.deadline, deadline_text=task.deadline_text))
                task.milestones.append(ParsedMilestone(text=first_sentence(text), deadline=when, deadline_text=text_))
                task.deadline, task.deadline_text = when, text_
        for r in ("lead", "resp", "support", "deadline"):
            if r in schema.cols and cells[schema.cols[r]]:
                self._prev_task_cells[r] = cells[schema.cols[r]]

    def _fitter(self, schema: Schema):
        """How well a placement of cells fits the columns' roles: (kind, score) where score(placed) is
        (sum of fits, any misfit) and kind(cell) is (units, persons, date)."""
        roles = _roles_of(schema)
        roles += ["ignore"] * (schema.width - len(roles))
        seen: dict[str, tuple[bool, bool, bool]] = {}

        def kind(cell: str) -> tuple[bool, bool, bool]:
            if cell not in seen:
                units = _looks_like_units(cell, self.known)
                persons = not units and looks_like_persons(cell, self.known)
                seen[cell] = (units, persons, not units and looks_like_deadline(cell))
            return seen[cell]

        def fit(col: int, cell: str) -> int:
            role = roles[col] if col < len(roles) else "ignore"
            if not cell:
                return 0
            units, persons, date = kind(cell)
            if role in ("ignore", "note", "other"):
                return -1 if (units or date) and role == "note" else 0
            if role in ("lead", "resp", "support"):
                return 1 if units else (-1 if persons or date or len(cell) > 12 else 0)
            if role == "leader":
                return 1 if persons else (-1 if units or date else 0)
            if role == "deadline":
                return 1 if date else (-1 if units or persons or len(cell) > 12 else 0)
            if role == "task":
                return 1 if len(cell) >= 6 and not units and not persons else -1
            if role == "num":
                return 1 if _INT.match(cell) or _number_cell(cell) else -1
            return 0

        def score(placed: list[str]) -> tuple[int, bool]:
            fits = [fit(c, v) for c, v in enumerate(placed)]
            return sum(fits), any(f < 0 for f in fits)

        return roles, kind, score

    def _best_fit(self, cells: list[str], schema: Schema) -> list[str] | None:
        """The placement of a short row's cells that fits every column's role, when reading them by
        position does not (None: keep the positional reading)."""
        roles, kind, score = self._fitter(schema)
        gap = schema.width - len(cells)
        positional = cells + [""] * gap
        base, misfit = score(positional)
        if not misfit or ("leader" not in roles and len(schema.task_cols) < 2) or not any(
                any(kind(c)) for c in cells if c):
            # only a row whose persons and units, or (two text columns, one merged away) whose units and
            # dates, a dropped cell put in the wrong columns
            return None
        best, best_score = None, base
        for k in range(1, gap + 1):
            for at in range(1, len(cells)):
                placed = cells[:at] + [""] * k + cells[at:] + [""] * (gap - k)
                total, bad = score(placed)
                if not bad and total > best_score:
                    best, best_score = placed, total
        return best

    def _fold_wide(self, cells: list[str], schema: Schema) -> list[str]:
        """A row wider than its header (a header cell spanning several columns: "分解情况" over an
        indicator, its figure and its shares): the neighbouring cells that one header cell covers are
        joined into it, at the place where every column's content then fits its role best."""
        extra = len(cells) - schema.width
        if extra <= 0 or schema.width < 3:
            return cells
        _roles, _kind, score = self._fitter(schema)
        base, base_bad = score(cells[:schema.width])
        best, best_key = cells, (not base_bad, base)
        for at in range(schema.width):
            placed = cells[:at] + [" ".join(c for c in cells[at:at + extra + 1] if c)] + cells[at + extra + 1:]
            total, bad = score(placed)
            if (not bad, total) > best_key:
                best, best_key = placed, (not bad, total)
        return best

    def _continues_names(self, prev: TableTask, cells: list[str], schema: Schema) -> bool:
        """A line under a row holding only the rest of its unit cells, their names broken in a narrow
        column ("市财政局、市发" / "改委"): joined to them, and the row's units read again. True when done."""
        from .units import looks_like_unit, split_units

        roles = [r for r in ("lead", "resp", "support") if r in schema.cols and cells[schema.cols[r]]]
        if not roles or any(cells[c] for c in range(len(cells))
                            if c not in {schema.cols[r] for r in roles} and c != schema.cols.get("deadline")):
            return False
        joined = dict(self._prev_task_cells)
        for r in roles:
            before, piece = joined.get(r, ""), no_spaces(cells[schema.cols[r]])
            names = split_units(before, known=self.known).names if before else []
            pieces = split_units(piece, known=self.known).names or [piece]
            whole = bool(names) and looks_like_unit(names[-1], self.known) and looks_like_unit(pieces[0], self.known)
            if not names or whole:
                return False  # the cell above ends on a whole name: a row of its own, not a wrapped one
            joined[r] = before + piece
        full = [""] * schema.width
        for r, col in schema.cols.items():
            if r in joined and col < schema.width:
                full[col] = joined[r]
        st = self._statement(full, schema)
        prev.task.lead_units, prev.task.supporting_units = st.leads, st.supports
        self._prev_task_cells.update({r: joined[r] for r in roles})
        return True

    def _lead_among_resp(self) -> bool:
        """The row above named its lead among its 责任单位 too: that column lists every responsible
        unit, so a row leaving 牵头单位 empty is led by its first 责任单位, not by the row above's lead."""
        from .units import split_units

        lead, resp = self._prev_task_cells.get("lead", ""), self._prev_task_cells.get("resp", "")
        leads = split_units(lead, known=self.known).names if lead else []
        resps = set(split_units(resp, known=self.known).names) if resp else set()
        return bool(leads) and all(u in resps for u in leads)

    def _fill_short_row(self, row: Row, schema: Schema) -> list[str]:
        """A row left short by merged cells: unit cells missing are taken from the row above.
        A row wider than the header with empty cells inside (columns shifted by a stray separator)
        loses those empty cells first."""
        cells = list(row.cells)
        if len(cells) != schema.width or not any(
                cells[schema.cols[r]] for r in ("lead", "resp") if r in schema.cols):
            # a row exactly as wide as the header, its lead cell filled, keeps its empty last cells in
            # place (a grid rebuilt by position); any other row loses them
            while cells and not cells[-1]:
                cells.pop()
        if len(cells) > schema.width:
            for i in range(len(cells) - 1, 0, -1):
                if len(cells) <= schema.width:
                    break
                if not cells[i]:
                    del cells[i]
            cells = self._fold_wide(cells, schema)
            row = Row(cells=cells, line=row.line)
        unit_roles = [r for r in ("lead", "resp", "support") if r in schema.cols]
        if cells and not cells[0]:
            cells = []  # leading empty cells keep the columns in place: read by position
        core = schema.width
        while core > 0 and core - 1 in (schema.cols.get("note"), schema.cols.get("progress")):
            core -= 1
        fitted = None
        if cells and len(cells) < schema.width and unit_roles and (
                _INT.match(cells[0]) or _number_cell(cells[0])) and len(cells) >= core - 1:
            # A numbered row short of a cell or two (an empty cell dropped, as published): when reading it by
            # position puts a person or a date in a unit column, the cells go where their content fits.
            fitted = self._best_fit(cells, schema)
        if fitted is not None:
            out = fitted
        elif not cells or len(cells) >= core or not unit_roles:
            out = _align(row.cells, schema)
        else:
            out = [""] * schema.width
            rest = list(cells)
            if "num" in schema.cols and rest and _INT.match(rest[0]):
                out[schema.cols["num"]] = rest.pop(0)
            if ("deadline" in schema.cols and rest and len(rest[-1]) <= 20
                    and parse_deadline(rest[-1], year=2000) != (None, False)):
                out[schema.cols["deadline"]] = rest.pop()
            texts = 0
            while texts < min(len(rest), len(schema.task_cols)) and not _looks_like_units(rest[texts], self.known):
                texts += 1
            # fewer text cells than text columns: the first text column was merged away ("3.具体要求 | 单位")
            for col in schema.task_cols[len(schema.task_cols) - texts:] if texts else schema.task_cols[:1]:
                if rest:
                    out[col] = rest.pop(0)
            missing = len(unit_roles) - len(rest)
            present_roles = unit_roles
            if missing > 0:
                # The merged column is the one whose value repeats from the row above: the lead, usually;
                # a lead column after the 责任单位 column is the row's last cell.
                ordered = sorted(unit_roles, key=lambda r: schema.cols[r])
                if ordered != unit_roles:
                    absent, present_roles = ordered[len(ordered) - missing:], ordered[:len(ordered) - missing]
                else:
                    absent, present_roles = unit_roles[:missing], unit_roles[missing:]
                if "lead" in absent and "resp" in present_roles and self._lead_among_resp():
                    absent = [r for r in absent if r != "lead"]  # the 责任单位 lists the lead first
                for r in absent:
                    out[schema.cols[r]] = self._prev_task_cells.get(r, "")
                if absent:
                    self.warnings.append(Warning_(
                        noted(Issue(msgs.SHORT_ROW, labels="、".join(_LABEL[r] for r in absent)),
                              "short row: value taken from the row above"), row.line, "merged_cell"))
            for r, value in zip(present_roles, rest, strict=False):
                if (len(value) > 8 or _number_cell(value)) and not _looks_like_units(value, self.known):
                    continue  # text or a figure, not units: a row under a merged 序号 and 责任单位
                out[schema.cols[r]] = value
        return out


_LABEL = {"lead": "牵头单位", "resp": "责任单位", "support": "配合单位"}
_SAME_AS_ABOVE = {"同上", "同上。", "〃", "\"", "”", "同左"}


def grids_of(blocks: list[Block], *, rows: int = 12, limit: int = 20) -> list[Grid]:
    """The tables of a document as rebuilt (runs of rows), their first ``rows`` rows each, for the
    coordinator to lay out when no task was found; tables of one row are left out."""
    out: list[Grid] = []
    run: list[Row] = []
    for block in [*blocks, None]:
        if isinstance(block, Row):
            run.append(block)
            continue
        if len(run) >= 2 and len(out) < limit:
            width = max(len(r.cells) for r in run)
            out.append(Grid(line=run[0].line, rows=[(r.line, r.cells + [""] * (width - len(r.cells)))
                                                    for r in run[:rows]], width=width, more=max(0, len(run) - rows)))
        run = []
    return out


def guess_layout(grid: Grid, known: set[str] | frozenset[str] = frozenset()) -> tuple[int, list[str]]:
    """A first guess for the layout form: the header row's line (0: none) and a role per column, from a
    header the parser half knows, else from what the cells hold; "ignore" where nothing is known."""
    rows = [cells for _line, cells in grid.rows]
    for k, (line, cells) in enumerate(grid.rows[:6]):
        header = _header(cells, line)
        if header is not None:
            header = complete_from_cells(header, rows[k + 1:], set(known))
            roles = _roles_of(header)
            return line, roles + ["ignore"] * (grid.width - len(roles))
    schema = infer_schema(rows, line=grid.line, known=set(known))
    roles = _roles_of(schema) if schema is not None else ["ignore"] * grid.width
    return grid.line, roles + ["ignore"] * (grid.width - len(roles))


def layout_columns(grids: list[Grid], layouts: list[dict]) -> dict[int, list[str]]:
    """A saved layout (``Plan.import_layout``: header cells and the role of each column) applied to the
    tables of a new document: a row whose cells are that header marks the table's header row."""
    out: dict[int, list[str]] = {}
    wanted = [([no_spaces(h) for h in lay.get("headers") or []], list(lay.get("roles") or []))
              for lay in layouts if isinstance(lay, dict)]
    for grid in grids:
        for line, cells in grid.rows:
            key = [no_spaces(c) for c in cells]
            while key and not key[-1]:
                key.pop()
            match = next((roles for headers, roles in wanted if headers and headers == key
                          and all(r in COLUMN_ROLES for r in roles)), None)
            if match is not None:
                out[-line] = match + ["ignore"] * max(0, len(cells) - len(match))
                break
    return out


def _numbered_after(above: str, text: str) -> bool:
    """``text`` is numbered next after a line of ``above`` ("3.及时反馈…" under "…\n2.及时更新…"): a task of
    its own under a merged group cell, not a sub-row of the task above."""
    here = numbering(text.strip())
    if not here:
        return False
    for line in above.splitlines():
        there = numbering(line.strip())
        if there and there[0] == here[0] and there[1] == here[1] - 1:
            return True
    return False


def _repeats_header(cells: list[str], headers: list[str]) -> bool:
    """A row that is the table's header again: its cells are the header's cells, in order."""
    heads = [no_spaces(h) for h in headers if no_spaces(h)]
    return len(cells) >= 2 and len(heads) >= 2 and [no_spaces(c) for c in cells] == heads


def _header_like(cells: list[str], known: set[str]) -> bool:
    return bool(cells) and all(
        len(no_spaces(c)) <= 8 and not _INT.match(c) and not re.search(r"[0-9。，,、]", c)
        and not _looks_like_units(c, known) for c in cells)


def _section_number(cell: str) -> bool:
    """A Chinese section number ("一", "一、", "(一)") rather than a task's 序号."""
    num = numbering(cell)
    if num:
        return num[0] in ("cn_dun", "cn_paren")
    return not _INT.match(cell) and cn_number(cell) is not None
