"""A roster (联络员名单) as a spreadsheet's rows -> validated rows: pure, no database.

Columns are found by their headers (单位, 姓名, 职务, 手机, 邮箱, 浙政钉/钉钉 ID, 角色) in any order, on the first
sheet (``tasks.importers.sheets``) that has at least 单位 and 姓名 among its first rows. Each row gets its own
errors (a missing name, a malformed mobile or address, an unknown role, the same mobile twice in the file);
what needs the database (the unit, a person already elsewhere) is checked by ``selectors.roster``. A row
naming only a unit (the template lists the plan's units) is no person and is skipped.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields

from .issues import Issue
from .matching import normalise_name

LIAISON, LEADER, COORDINATOR = "liaison", "leader", "coordinator"
ROLE_WORDS = {
    "": LIAISON, "liaison": LIAISON, "联络员": LIAISON, "联系人": LIAISON,
    "分管领导": LEADER, "leader": LEADER, "领导": LEADER, "分管负责人": LEADER,
    "coordinator": COORDINATOR, "专班": COORDINATOR, "专班协调员": COORDINATOR, "协调员": COORDINATOR,
}
ROLE_LABELS = {LIAISON: "联络员", LEADER: "分管领导", COORDINATOR: "专班协调员"}

# Header words -> field; the first header that contains one of a field's words is that field's column.
HEADERS: list[tuple[str, tuple[str, ...]]] = [
    ("zzd_id", ("浙政钉",)),
    ("dingtalk_id", ("钉钉", "dingtalk")),
    ("unit", ("单位", "部门", "unit")),
    ("name", ("姓名", "name")),
    ("title", ("职务", "职位", "title")),
    ("mobile", ("手机", "电话", "mobile", "phone")),
    ("email", ("邮箱", "邮件", "email", "e-mail")),
    ("role", ("角色", "身份", "role")),
]
HEADER_SCAN_ROWS = 10
MOBILE_RE = re.compile(r"^1\d{10}$")
EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
FIELD_MAX = {"unit": 100, "name": 50, "title": 50, "email": 254, "zzd_id": 64, "dingtalk_id": 64}


NO_HEADER = "找不到表头：名单的前几行中应有“单位”和“姓名”两列"
# The templates of a row's errors (Chinese, the catalogue's message ids: ``stored_text.issue_text`` reads
# each in the reader's language; tests/people/test_roster_i18n.py holds every one to an English translation).
UNKNOWN_ROLE = "角色“%(role)s”无法识别，应为 联络员、分管领导 或 专班协调员"
NO_UNIT = "缺少单位"
NO_NAME = "缺少姓名"
BAD_MOBILE = "手机号“%(mobile)s”不是 11 位手机号"
BAD_EMAIL = "邮箱“%(email)s”格式不正确"
NO_ADDRESS = "缺少邮箱（或浙政钉/钉钉 ID），无法发送邀请"
TOO_LONG = "%(field)s超过 %(limit)d 字"
SAME_MOBILE = "手机号 %(value)s 与第 %(row)d 行重复"
SAME_EMAIL = "邮箱 %(value)s 与第 %(row)d 行重复"
FIELD_LABELS = {"unit": "单位", "name": "姓名", "title": "职务", "email": "邮箱", "zzd_id": "浙政钉 ID",
                "dingtalk_id": "钉钉 ID"}
TEMPLATES = (NO_HEADER, UNKNOWN_ROLE, NO_UNIT, NO_NAME, BAD_MOBILE, BAD_EMAIL, NO_ADDRESS, TOO_LONG, SAME_MOBILE,
             SAME_EMAIL, *FIELD_LABELS.values())


class RosterError(ValueError):
    """The file is no roster (no header with 单位 and 姓名): the message says what was looked for."""


@dataclass
class RosterRow:
    row: int  # the spreadsheet's row number (1-based), for the person correcting it
    unit: str
    name: str
    title: str = ""
    mobile: str = ""
    email: str = ""
    zzd_id: str = ""
    dingtalk_id: str = ""
    role: str = LIAISON
    errors: list[str] = field(default_factory=list)


@dataclass
class ParsedRoster:
    sheet: str
    columns: dict[str, int]
    rows: list[RosterRow]


def find_columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = normalise_name(cell).lower()
        if not text:
            continue
        for name, words in HEADERS:
            if name not in columns and any(w in text for w in words):
                columns[name] = index
                break
    return columns


def clean_mobile(text: str) -> str:
    digits = re.sub(r"[\s\-()（）]", "", text or "")
    if re.fullmatch(r"\d{11}\.0+", digits):
        digits = digits.split(".")[0]  # a number cell read as a float
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def parse_roster(sheets) -> ParsedRoster:
    """The first sheet with a roster header -> its person rows, each with the errors the file alone shows."""
    for sheet in sheets:
        for offset, header in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
            columns = find_columns(header)
            if "unit" in columns and "name" in columns:
                body = sheet.rows[offset + 1:]
                return ParsedRoster(sheet=sheet.name, columns=columns,
                                    rows=_rows(body, columns, first=offset + 2))
    raise RosterError(NO_HEADER)


def _rows(body: list[list[str]], columns: dict[str, int], *, first: int) -> list[RosterRow]:
    def cell(row: list[str], name: str) -> str:
        i = columns.get(name)
        return (row[i] if i is not None and i < len(row) else "").strip()

    out: list[RosterRow] = []
    for n, raw in enumerate(body, start=first):
        values = {name: cell(raw, name) for name, _w in HEADERS}
        if not any(v for k, v in values.items() if k != "unit"):
            continue  # blank, or only a unit (the template's list): nobody to add
        r = RosterRow(row=n, unit=values["unit"], name=values["name"].replace(" ", ""), title=values["title"],
                      mobile=clean_mobile(values["mobile"]), email=values["email"].strip(),
                      zzd_id=values["zzd_id"], dingtalk_id=values["dingtalk_id"])
        role_text = normalise_name(values["role"]).lower()
        r.role = ROLE_WORDS.get(role_text, role_text or LIAISON)
        out.append(r)
    return check_rows(out)


def check_rows(rows: list[RosterRow]) -> list[RosterRow]:
    """Every row's errors afresh (after the parse, or after the coordinator corrected flagged rows)."""
    for r in rows:
        r.errors = []
        if r.role not in ROLE_LABELS:
            r.errors.append(Issue(UNKNOWN_ROLE, role=r.role))
        if not r.unit:
            r.errors.append(Issue(NO_UNIT))
        if not r.name:
            r.errors.append(Issue(NO_NAME))
        if r.mobile and not MOBILE_RE.match(r.mobile):
            r.errors.append(Issue(BAD_MOBILE, mobile=r.mobile))
        if r.email and not EMAIL_RE.match(r.email):
            r.errors.append(Issue(BAD_EMAIL, email=r.email))
        if not r.email and not r.zzd_id and not r.dingtalk_id:
            r.errors.append(Issue(NO_ADDRESS))
        for name, limit in FIELD_MAX.items():
            if len(getattr(r, name)) > limit:
                r.errors.append(Issue(TOO_LONG, field=Issue(FIELD_LABELS[name]), limit=limit))
    _duplicates(rows)
    return rows


def role_of(text: str) -> str:
    """A role as written (联络员, 分管领导, leader, ...) -> its code; unknown text stays (and is flagged)."""
    key = normalise_name(text or "").lower()
    return ROLE_WORDS.get(key, key)


def rows_as_json(rows: list[RosterRow]) -> list[dict]:
    return [asdict(r) for r in rows]


def rows_from_json(data: list[dict]) -> list[RosterRow]:
    names = {f.name for f in fields(RosterRow)}
    return [RosterRow(**{k: v for k, v in d.items() if k in names}) for d in data]


def _duplicates(rows: list[RosterRow]) -> None:
    """The same mobile (or address) twice in the file: both rows name the other (one account is one person
    of one unit)."""
    for key, template in (("mobile", SAME_MOBILE), ("email", SAME_EMAIL)):
        seen: dict[str, RosterRow] = {}
        for r in rows:
            value = getattr(r, key).lower()
            if not value:
                continue
            first = seen.get(value)
            if first is None:
                seen[value] = r
            else:
                r.errors.append(Issue(template, value=getattr(r, key), row=first.row))
                message = Issue(template, value=getattr(r, key), row=r.row)
                if message not in first.errors:
                    first.errors.append(message)
