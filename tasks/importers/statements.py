"""Responsibility statements: ``(责任单位:A、B)``, ``牵头单位:A;配合单位:B``, ``[A牵头,B配合]``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from .deadlines import normalize_deadline_text, parse_deadline_in
from .document import ParsedMilestone
from .text import bracket_groups, matching_close, split_top_level
from .units import looks_like_unit, split_units

LEAD_LABELS = ("牵头单位", "牵头部门", "主办单位", "主责单位", "牵头责任单位", "牵头责任部门", "牵头处室",
               "主办部门", "主办", "牵头")
RESP_LABELS = ("主要责任单位", "责任单位", "责任部门", "责任主体", "实施主体", "实施单位", "承办单位", "责任处室",
               "落实单位", "具体责任单位")
SUPPORT_LABELS = ("配合单位", "配合部门", "协办单位", "协办部门", "协同单位", "参与单位", "协助单位", "协同责任单位",
                  "协同部门", "配合责任单位", "协同配合单位", "协办", "配合")
LEADER_LABELS = ("责任领导", "牵头领导", "分管领导", "联系领导", "牵头市领导", "牵头区领导", "牵头负责领导",
                 "责任市领导", "责任区领导", "分管市领导", "分管区领导", "联系市领导", "负责领导", "牵头县领导")
# Roles that are neither lead nor supporting: kept on the key task with the role as written.
OTHER_LABELS = ("数据提供单位", "数据报送单位", "督办单位", "督导单位", "监督单位", "指导单位", "考核单位",
                "技术支撑单位", "业务指导单位", "审核单位", "督查单位")
DEADLINE_LABELS = ("计划完成时间", "完成时限", "完成时间", "完成期限", "时间节点", "时限要求", "办结时限", "时间安排",
                   "时限")

_ALL = sorted(LEAD_LABELS + RESP_LABELS + SUPPORT_LABELS + LEADER_LABELS + OTHER_LABELS + DEADLINE_LABELS,
              key=len, reverse=True)
_UNIT_LABELS = sorted(LEAD_LABELS + RESP_LABELS + SUPPORT_LABELS + LEADER_LABELS + OTHER_LABELS, key=len,
                      reverse=True)
LABEL_RE = re.compile(r"(" + "|".join(_ALL) + r")\s*[:：]")
# A label that opens a statement inside brackets: "(责任单位:" / "【牵头单位："
_BRACKET_LABEL = re.compile(r"[（(【\[〔]\s*(?:" + "|".join(_UNIT_LABELS) + r")\s*[:：]")
# A label not in brackets: at the start of the paragraph or after a sentence end.
_BARE_LABEL = re.compile(r"(?:^|(?<=[。；;!！?？\s]))(?:" + "|".join(_UNIT_LABELS) + r")\s*[:：]")
STANDALONE = re.compile(r"^\s*[（(【\[〔]?\s*(?:" + "|".join(_ALL) + r")\s*[:：]")

_MILESTONE = re.compile(
    r"(第?[一二三四1-4]季度(?:末|底)?(?:前)?|上半年|下半年|[0-9０-９]{1,2}月(?:底|末|上旬|中旬|下旬)?(?:前)?"
    r"|年底前?)\s*[:：]"
)
_DEADLINE_GROUP = re.compile(
    r"^(?:完成时限|完成时间|时限)?[:：]?\s*((?:20[0-9]{2}年)?[^，,。；;]{0,14}?(?:月|年底|年内|季度|半年)[^，,。；;]{0,6})$"
)


@dataclass
class Statement:
    """Who is responsible, as one statement says it; ``start``/``end`` locate it in its paragraph."""

    leads: list[str] = field(default_factory=list)
    supports: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    others: list[tuple[str, str]] = field(default_factory=list)  # (unit, role as written): 数据提供单位 …
    deadline_text: str = ""
    carry_forward: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    doubtful: list[str] = field(default_factory=list)
    start: int = 0
    end: int = 0
    unclosed: bool = False
    content: str = ""
    # A convention stated with 下同 that later tasks follow: "all_lead" (按职责分工牵头，下同) or "first_lead".
    convention: str = ""
    plain: bool = False  # units from one unlabelled list with no role marks: the convention decides the lead

    @property
    def has_units(self) -> bool:
        return bool(self.leads or self.supports)


def combine(statements: list[Statement], known: set[str] | None = None) -> Statement:
    """Several statements about one task ("牵头单位:A" then "责任单位:B、C") read as one."""
    if len(statements) == 1:
        return statements[0]
    st = parse_content("；".join(s.content for s in statements), known)
    st.start, st.end = statements[0].start, statements[-1].end
    st.unclosed = any(s.unclosed for s in statements)
    return st


def _category(label: str) -> str:
    if label in LEAD_LABELS:
        return "lead"
    if label in RESP_LABELS:
        return "resp"
    if label in SUPPORT_LABELS:
        return "support"
    if label in LEADER_LABELS:
        return "leader"
    if label in OTHER_LABELS:
        return "other"
    return "deadline"


def parse_content(content: str, known: set[str] | None = None) -> Statement:
    """Read the inside of a statement: labelled parts, or ``A牵头,B配合``."""
    st = Statement(content=content)
    labels = list(LABEL_RE.finditer(content))
    if not labels:
        parts = [("resp", content, "")]
    else:
        parts = []
        for i, m in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else len(content)
            parts.append((_category(m.group(1)), content[m.end():end], m.group(1)))
    lead_labelled: list[str] = []
    resp: list[tuple[str, str]] = []
    support: list[str] = []
    for cat, value, label in parts:
        value = value.strip().strip("；;，,。 ")
        if cat == "other":
            split = split_units(value, known=known)
            st.others += [(n, label) for n in split.names if (n, label) not in st.others]
            continue
        if cat == "deadline":
            st.deadline_text = normalize_deadline_text(value)
            continue
        if cat == "leader":
            st.leaders += [p for p, _ in split_top_level(value, "、,，;；") if p]
            continue
        split = split_units(value, known=known)
        st.notes += split.notes
        st.carry_forward += split.carry_forward
        st.doubtful += split.doubtful
        if any("下同" in note for note in split.notes):
            if split.all_lead:
                st.convention = "all_lead"
            elif any(re.search(r"列第一位|列首位|排第一|排在第一", note) for note in split.notes):
                st.convention = "first_lead"
        if cat == "lead":
            marked = [n for n, role in zip(split.names, split.roles, strict=True) if role == "lead"]
            if marked:  # "牵头单位:A(牵头)、B": only A leads
                lead_labelled += marked
                support += [n for n in split.names if n not in marked]
            else:
                lead_labelled += split.names
        elif cat == "support":
            support += split.names
        else:
            resp += list(zip(split.names, split.roles, strict=True))
    if lead_labelled:
        st.leads = lead_labelled
        rest = [n for n, _ in resp if n not in lead_labelled]
    elif any(role == "lead" for _, role in resp):
        st.leads = [n for n, role in resp if role == "lead"]
        rest = [n for n, role in resp if role != "lead"]
    elif resp:
        # "列第一位的为牵头单位": the first listed unit leads.
        st.leads = [resp[0][0]]
        rest = [n for n, _ in resp[1:]]
    else:
        rest = []
    st.supports = [n for n in rest + support if n not in st.leads]
    # A name listed twice is one unit.
    st.supports = list(dict.fromkeys(st.supports))
    st.plain = (not lead_labelled and not support and not any(role for _, role in resp) and len(resp) > 1
                and not st.convention)
    return st


def has_content(st: Statement) -> bool:
    """A statement that says who is responsible for something (units, leaders or other roles)."""
    return bool(st.leads or st.supports or st.leaders or st.others)


_PLAIN_ROLE = re.compile(r"(?:按职责分工负责|按职责负责|分工负责|负责|落实)$")


def _plain_units(content: str, known: set[str] | None) -> Statement | None:
    """``市住建局、市财政局`` / ``市发改委、市住建局负责`` in brackets: units when every part is one, and
    the list is more than one name, ends in 负责, or names a listed unit (not "(含人才公寓)")."""
    body = _PLAIN_ROLE.sub("", content.strip())
    if not body or len(body) > 200 or re.search(r"[:：]", body):
        return None
    split = split_units(body, known=known)
    names = split.names
    if not names or not all(looks_like_unit(n, known) for n in names) or split.notes and not names:
        return None
    from .text import name_key

    if not (len(names) >= 2 or body != content.strip() or (known and name_key(names[0]) in known)):
        return None
    if any(re.search(r"[0-9]", n) for n in names):
        return None
    return parse_content(body, known)


def _lead_form(content: str, known: set[str] | None) -> Statement | None:
    """``A牵头,B、C按职责分工负责`` / ``A牵头,B配合``: a statement when every part is a unit."""
    if "牵头" not in content or len(content) > 300:
        return None
    split = split_units(content, known=known)
    if not split.names or "lead" not in split.roles:
        return None
    if not all(looks_like_unit(n, known) for n in split.names):
        return None
    return parse_content(content, known)


_SENTENCE_LEAD = re.compile(
    r"由([^，,。；;（）()由]{2,80}?)(?:(?:共同|分别|按职责分工)?牵头(?:负责)?|负责)(?:[，,、]\s*([^，,。；;（）()]{2,120}?)(?:等(?:有关|相关)?(?:单位|部门))?"
    r"(?:配合|协助|参与|协同))?(?=[，,。；;]|$)"
)


def _sentence_lead(text: str, known: frozenset[str]) -> Statement | None:
    """"由X牵头，Y配合，在9月底前完成…" (minutes, 督办 notices): a statement when every name is a unit."""
    m = _SENTENCE_LEAD.search(text)
    if not m:
        return None
    leads = split_units(m.group(1), known=known).names
    supports = split_units(m.group(2), known=known).names if m.group(2) else []
    if not leads or not all(looks_like_unit(n, known) for n in leads + supports):
        return None
    content = "牵头单位:" + m.group(1) + (";配合单位:" + m.group(2) if m.group(2) else "")
    st = parse_content(content, known)
    st.start, st.end = m.start(), m.end()
    return st


def find_statements(text: str, known: frozenset[str] | set[str] | None = None) -> list[Statement]:
    """Every responsibility statement in a paragraph, in order (a new list; statements are shared)."""
    return list(_find_statements(text, known if isinstance(known, frozenset) else frozenset(known or ())))


def clear_cache() -> None:
    from .units import _split_cached

    _find_statements.cache_clear()
    _split_cached.cache_clear()


@cache  # one parse reads a paragraph several times; cleared after each parse
def _find_statements(text: str, known: frozenset[str]) -> tuple[Statement, ...]:
    found: list[Statement] = []
    taken: list[tuple[int, int]] = []
    for m in _BRACKET_LABEL.finditer(text):
        if any(a <= m.start() <= b for a, b in taken):
            continue
        close = matching_close(text, m.start())
        unclosed = close < 0
        end = len(text) if unclosed else close + 1
        inner = text[m.start() + 1: end if unclosed else close]
        st = parse_content(inner, known)
        st.start, st.end, st.unclosed = m.start(), end, unclosed
        found.append(st)
        taken.append((m.start(), end))
    for a, b in bracket_groups(text):
        if any(x <= a <= y for x, y in taken):
            continue
        st = _lead_form(text[a + 1:b], known)
        if st:
            st.start, st.end = a, b + 1
            found.append(st)
            taken.append((a, b + 1))
    for a, b in bracket_groups(text):
        # "…推进改造。(市住建局、市财政局)" / "(市发改委、市住建局负责)": a plain list of units closing the task
        if any(x <= a <= y for x, y in taken) or text[b + 1:].strip(" 。；;，,") or b - a > 200:
            continue
        st = _plain_units(text[a + 1:b], known)
        if st:
            st.start, st.end = a, b + 1
            found.append(st)
            taken.append((a, b + 1))
    for m in _BARE_LABEL.finditer(text):
        if any(x <= m.start() < y for x, y in taken):
            continue
        end = len(text)
        st = parse_content(text[m.start():end], known)
        st.start, st.end = m.start(), end
        found.append(st)
        taken.append((m.start(), end))
        break
    if not found and "由" in text and ("牵头" in text or "负责" in text):
        st = _sentence_lead(text, known)
        if st is not None:
            found.append(st)
    found.sort(key=lambda s: s.start)
    return tuple(found)


def is_standalone(text: str) -> bool:
    """A paragraph that is only a statement ("责任单位:A、B" on its own line)."""
    return bool(STANDALONE.match(text))


def find_deadline(text: str, year: int | None) -> tuple[str, tuple]:
    """A deadline written in a task as ``(2023年6月底前)`` or ``完成时限:6月底``: (text, date)."""
    for m in LABEL_RE.finditer(text):
        if _category(m.group(1)) == "deadline":
            value = re.split(r"[；;。）)\]】，,\n]", text[m.end():], maxsplit=1)[0]
            nxt = LABEL_RE.search(value)
            value = value[: nxt.start()] if nxt else value
            value = normalize_deadline_text(value)
            if value:
                return value, parse_deadline_in(value, year)
    for a, b in bracket_groups(text):
        inner = text[a + 1:b].strip()
        if len(inner) > 24:
            continue
        mm = _DEADLINE_GROUP.match(inner)
        if mm:
            value = normalize_deadline_text(inner.removeprefix("完成时限").strip(":："))
            parsed = parse_deadline_in(value, year)
            if parsed[0] or parsed[1]:
                return value, parsed
    return "", (None, False)


_TIME = (r"(?:20[0-9]{2}年(?:[0-9]{1,2}月(?:底|末|上旬|中旬|下旬)?|底|末|上半年|下半年|内)"
         r"|[0-9]{1,2}月(?:底|末|上旬|中旬|下旬|份)?|年底|年末|年内|上半年|下半年|第?[一二三四1-4]季度(?:末|底)?)")
# A time in a task's own sentence that is its deadline: "9月底前完成", "年内新建", "在9月底前", "9月投入使用".
_SENTENCE_TIME = re.compile(
    r"(?<![0-9年至到—\-~一两三四五六七八九十半几每])(?:在|于)?(" + _TIME + r"前?)"
    r"(?=前|完成|实现|建成|开工|动工|完工|投入使用|交付|出台|制定|印发|启动|基本|全面|新建|新增|开展|推进|达到|形成|落实|竣工|上线|建立|[，,。；;]|$)"
)
_CLAUSE_END = re.compile(r"[，,。；;]")


def find_sentence_deadlines(text: str, year: int | None) -> list[ParsedMilestone]:
    """Deadlines written inside a task's sentence, in order, each with its clause
    ("5月底前动工，10月底前完工" -> two). Ranges ("3月至6月") and years alone ("到2027年") are not deadlines."""
    out: list[ParsedMilestone] = []
    for m in _SENTENCE_TIME.finditer(text):
        when = normalize_deadline_text(m.group(1))
        deadline, recurring = parse_deadline_in(when, year)
        if deadline is None or (year and deadline.year < year):
            continue  # "2000年底前建成的小区": a date in the past describes, it does not set a deadline
        start = max((x.end() for x in _CLAUSE_END.finditer(text, 0, m.start())), default=0)
        end_m = _CLAUSE_END.search(text, m.end())
        clause = text[start: end_m.start() if end_m else len(text)].strip()
        out.append(ParsedMilestone(text=clause, deadline=deadline, deadline_text=when))
    return out


def find_milestones(text: str, year: int | None) -> list[ParsedMilestone]:
    """``第一季度:…;第二季度:…`` -> dated milestones."""
    marks = list(_MILESTONE.finditer(text))
    if not marks:
        return []
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[m.end():end].strip().rstrip("；;。，, ")
        when = normalize_deadline_text(m.group(1))
        deadline, _ = parse_deadline_in(when, year)
        out.append(ParsedMilestone(text=body, deadline=deadline, deadline_text=when))
    return out
