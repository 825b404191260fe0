"""Responsible units: split a list into names, tell their kind, and match short names to the list."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import messages as msgs
from .document import ParsedUnit, Warning_
from .messages import Issue, noted
from .text import CLOSE, OPEN, name_key, no_spaces, split_top_level

SEPARATORS = "、,，;；。"

# Endings that make a string look like the name of an office, company or body.
UNIT_SUFFIXES = (
    "局", "委", "办", "院", "中心", "部", "厅", "署", "队", "所", "站", "公司", "集团", "银行", "政府",
    "街道", "镇", "乡", "组", "会", "联", "社", "馆", "处", "科", "室", "团", "台", "部门", "单位",
    "镇街", "区", "园", "监管组", "分中心", "支行", "分行", "协会", "学校", "医院", "法院", "检察院",
    "大学", "管委会", "指挥部", "专班", "(街道)", "（街道）", "(乡镇)", "（乡镇）",
)
_SUFFIX_KEYS = tuple(name_key(s) for s in UNIT_SUFFIXES)
# Run-together names are split only after these (the brief: 局/委/办/院/中心).
_SPLIT_SUFFIXES = ("局", "委", "办", "院", "中心")

_NOTE = re.compile(
    r"列第一位|列首位|排第一|排在第一|为牵头单位|下同|不再列出|以下均需|以下各项|以下任务|均需|分别牵头|各司其职"
    r"|按职责分工|按照职责|^负责|^牵头$|^配合$"
)
CARRY_FORWARD = re.compile(r"以下(?:各项)?(?:任务|工作)?均需(?:由)?(.+?)(?:负责)?(?:组织)?落实")
_ROLE_SUFFIX = re.compile(
    r"(?:[（(]\s*(牵头|主责|主办|配合|协办|协同)\s*[）)]"
    r"|(分别牵头|按职责分工牵头|按职责牵头|共同牵头|联合牵头|牵头负责|牵头|主办|配合|协办|协助|协同|参与"
    r"|按职责分工负责|按职责负责|分工负责|负责|按职责分工落实|按职责落实))$"
)
_LEAD_WORDS = ("主责", "主办")
_ALL_LEAD = re.compile(
    r"^(?:均为|都是|共同|分别|按职责分工|按职责)?牵头(?:单位)?$|分别牵头|按职责分工牵头|均为牵头单位|共同牵头")
_ROLE_WORD = re.compile(r"^(牵头|主责|主办|配合|协办|协同)$")
_TRAILING_ETC = re.compile(r"(?:等(?:有关|相关)?(?:单位|部门)?|等)$")
# "A、B等(有关)部门": the list ends there; what follows is a note ("按职责分工负责").
_ETC_END = re.compile(r"等(?:有关|相关|其他)?(?:单位|部门|镇街|乡镇)")
# A bracketed note after the last unit: "市卫生健康委(除标注“分别牵头”外,列第一位为牵头单位,下同)".
_BRACKET_NOTE = re.compile(r"[（(]([^（）()]*)[）)]$")
# 及 / 和 / 以及 / 与 between two unit names ("市住建局及各县区政府"); not inside one ("市住房和城乡建设局").
_AND = re.compile(r"以及|及|和|与|(?<=[处局委办室科厅])会同?(?=.{2})")  # "宣传处会(同)办公室"
_LEADING_FILLER = re.compile(r"^(?:和|及|以及|与|由|其他|其余)")

_COLLECTIVE = re.compile(r"^各")
_ENTERPRISE = re.compile(r"(公司|集团|银行|支行|分行)$")
_TOWN = re.compile(r"(镇|乡|街道|街道办事处|办事处)$")


@dataclass
class SplitResult:
    """Names in a responsibility list, in order, with what each one means."""

    names: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)  # "lead", "support" or "" per name
    notes: list[str] = field(default_factory=list)
    carry_forward: list[str] = field(default_factory=list)  # 以下均需X落实 -> ["各X"]
    all_lead: bool = False  # a note says every unit listed leads ("分别牵头", "按职责分工牵头")
    doubtful: list[str] = field(default_factory=list)  # messages for warnings


def looks_like_unit(name: str, known: set[str] | None = None) -> bool:
    key = name_key(name)
    if not key or len(key) > 30 or "。" in key:
        return False
    if known and key in known:
        return True
    if key.startswith("各"):
        return True
    base = re.sub(r"\([^()]*\)$", "", key) or key
    return base.endswith(_SUFFIX_KEYS) or key.endswith(_SUFFIX_KEYS)


def unit_kind(name: str) -> str:
    """department, town, collective, enterprise, court or other, from the name alone."""
    key = name_key(name)
    if _COLLECTIVE.match(key):
        return "collective"
    if "法院" in key:
        return "court"
    if "人民银行" in key:
        return "department"  # a government body, not a commercial bank
    if _ENTERPRISE.search(key):
        return "enterprise"
    if _TOWN.search(key) or re.search(r"(镇|乡)\(街道\)$", key):
        return "town"
    if looks_like_unit(key):
        return "department"
    return "other"


_INNER_END = re.compile(r"(?:局|委|办|院|中心|部|队|公司|集团|组|会|所|站|联|处)(?=.{3})")


def _split_run_together(item: str, known: set[str] | frozenset[str]) -> tuple[list[str], bool]:
    """``区住建局区财政局`` -> two names; returns (names, heuristic) -- heuristic when not both known."""
    key = name_key(item)
    if key in known or not 6 <= len(item) <= 40 or len(key) != len(item) or not _INNER_END.search(item):
        return [item], False
    depth = 0
    for i, ch in enumerate(item[:-2]):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth -= 1
        if depth or i < 2:
            continue
        left, right = item[: i + 1], item[i + 1:]
        left_known, right_known = key[: i + 1] in known, key[i + 1:] in known
        if left_known and (right_known or looks_like_unit(right, known)):
            rest, heur = _split_run_together(right, known)
            return [left, *rest], heur or not right_known
        guessed = left.endswith(_SPLIT_SUFFIXES) and right[0] == left[0] and len(right) >= 3
        if guessed and looks_like_unit(right, known):
            rest, _ = _split_run_together(right, known)
            return [left, *rest], True
    return [item], False


def split_units(text: str, *, known: set[str] | frozenset[str] | None = None) -> SplitResult:
    """Split a responsibility list into unit names (cached per parse: tables repeat their unit cells)."""
    keys = known if isinstance(known, frozenset) else frozenset(known or ())
    cached = _split_cached(text, keys)
    return SplitResult(names=list(cached.names), roles=list(cached.roles), notes=list(cached.notes),
                       carry_forward=list(cached.carry_forward), doubtful=list(cached.doubtful),
                       all_lead=cached.all_lead)


@lru_cache(maxsize=4096)
def _split_cached(text: str, known: frozenset[str]) -> SplitResult:
    return _split_units(text, known=known)


def _split_units(text: str, *, known: set[str] | frozenset[str] | None = None) -> SplitResult:
    """Split a responsibility list into unit names.

    Separators 、,，;； outside brackets; brackets belong to names (``各镇(街道)``);
    a trailing 等 is dropped; notes ("列第一位的为牵头单位,下同") are kept apart;
    ``A牵头``/``B配合``/``C(牵头)`` set roles; run-together names are split.
    """
    known = known or set()
    result = SplitResult()
    pending: list[int] = []  # names waiting for a role given after them ("B、C按职责分工负责")
    ended = False
    text = text.strip()
    for piece, new_list in _joined_collectives(
            [(p, off > 0 and text[off - 1] in _LIST_BREAK) for p, off in split_top_level(text, SEPARATORS)]):
        piece = no_spaces(piece).strip("：:")
        if not piece:
            continue
        if ended and new_list and looks_like_unit(_TRAILING_ETC.sub("", _ROLE_SUFFIX.sub("", piece)), known) \
                and not _NOTE.search(piece):
            ended = False  # "A等相关部门,各街道": a comma opens a further list of units
        if ended:
            result.notes.append(piece)
            continue
        note = _BRACKET_NOTE.search(piece)
        if (note and _NOTE.search(note.group(1)) and not _ROLE_WORD.match(no_spaces(note.group(1)))
                and name_key(piece) not in known):
            result.notes.append(note.group(1))
            piece = piece[: note.start()]
            if not piece:
                continue
        etc = _ETC_END.search(piece)
        if etc and name_key(piece) not in known and looks_like_unit(piece[: etc.start()], known):
            rest = piece[etc.end():]
            piece = piece[: etc.start()]
            ended = True
            m_rest = _ROLE_SUFFIX.search(rest) if rest else None
            if rest:
                result.notes.append(rest)
            if m_rest and m_rest.group(2) and "牵头" in m_rest.group(2) and not rest.startswith("负责"):
                piece += m_rest.group(2)  # "A、B等部门分别牵头": the role still applies
        carry = CARRY_FORWARD.search(piece)
        if carry:
            name = carry.group(1)
            result.carry_forward.append(name if name.startswith("各") else "各" + name)
            result.notes.append(piece)
            continue
        if _NOTE.search(piece) and name_key(piece) not in known:
            stripped = _TRAILING_ETC.sub("", _ROLE_SUFFIX.sub("", piece))  # "省财政厅等按职责分工负责"
            if not (stripped and looks_like_unit(stripped, known) and not _NOTE.search(stripped)):
                result.notes.append(piece)
                if _ALL_LEAD.search(piece) and not re.search(r"除.*外", piece):
                    # "A、B，按职责分工牵头(，下同)": every unit named leads (and, with 下同, in later tasks too)
                    for i in pending:
                        result.roles[i] = "lead"
                    pending = []
                    result.all_lead = True
                continue
        role, own_only = "", False
        m = _ROLE_SUFFIX.search(piece)
        if m and name_key(piece) not in known:
            word = m.group(1) or m.group(2)
            role = "lead" if "牵头" in word or word in _LEAD_WORDS else "support"
            own_only = m.group(1) is not None  # "B(牵头)" marks B alone; "B、C配合" marks both
            piece = piece[: m.start()].strip()
        piece = _TRAILING_ETC.sub("", piece) if name_key(piece) not in known else piece
        piece = _LEADING_FILLER.sub("", piece)
        if not piece:
            continue
        names, heuristic = [], False
        for part in _split_and(piece, known):
            more, heur = _split_run_together(part, known)
            names += more
            heuristic = heuristic or heur
        if heuristic:
            result.doubtful.append(Issue(msgs.SPLIT_DOUBTFUL, piece=piece, n=len(names), names="、".join(names)))
        for name in names:
            result.names.append(name)
            result.roles.append(role)
            if not role:
                pending.append(len(result.names) - 1)
        if role and not own_only:
            for i in pending:
                result.roles[i] = role
            pending = []
    return result


_EACH_LEVEL = re.compile(r"^各(?:省|市|州|盟|县|区|地)(?:、(?:省|市|州|盟|县|区|旗|地))*$")
_LEVEL = re.compile(r"^(?:省|市|州|盟|县|区|旗|地)$")
# "13个街道、镇", "各乡、镇", "全区各街道、镇": a count or 各 over local levels, continued by a bare level
_EACH_LOCAL = re.compile(r"^(?:全[市区县])?(?:各|[0-9]+个|[一二三四五六七八九十]+个)(?:镇|乡|街道|社区|村|园区)"
                         r"(?:、(?:镇|乡|街道|社区|村|园区))*$")
_LOCAL_LEVEL = re.compile(r"^(?:镇|乡|街道|社区|村|园区)$")
_LIST_BREAK = ",，;；"


def _joined_collectives(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """"各市、县(市、区)人民政府", "各县、市、区政府" and "13个街道、镇" are one collective unit each (each
    city's and county's government; the 13 streets and towns), not two or three. Pieces are
    (text, whether a comma or semicolon comes before it)."""
    out: list[tuple[str, bool]] = []
    for piece, new_list in pieces:
        last = no_spaces(out[-1][0]) if out else ""
        here = no_spaces(piece)
        if out and not new_list and not piece.startswith("各") and (
                (_EACH_LEVEL.match(last) and (re.search(r"(政府|党委|党委政府|管委会)$", here) or _LEVEL.match(here)))
                or (_EACH_LOCAL.match(last) and _LOCAL_LEVEL.match(here))):
            out[-1] = (f"{out[-1][0]}、{piece}", out[-1][1])
        else:
            out.append((piece, new_list))
    return out


# a body named without its place: it shares the place of the name before 和/及 ("X党委和人民政府")
_BARE_BODY = re.compile(r"^(?:人民)?(?:政府|党委|党工委|党组|管委会|工委|人大|政协|纪委|监委)$")


def _split_and(piece: str, known: set[str] | frozenset[str]) -> list[str]:
    """``市住建局及各县区政府`` -> two names, when every part is a unit name on its own."""
    if name_key(piece) in known or not _AND.search(piece):
        return [piece]
    parts = _AND.split(piece)
    if len(parts) < 2 or any(not p for p in parts):
        return [piece]
    if any(_BARE_BODY.match(p) for p in parts[1:]):
        return [piece]  # "各县(市、区)党委和人民政府", "高新区党工委和管委会": one place's two bodies, one unit
    if all(looks_like_unit(p, known) and len(name_key(p)) >= 3 for p in parts):
        return parts
    return [piece]


class UnitRegistry:
    """The plan's units: the attachment's list, then the names the tasks use.

    Short names resolve to the listed full name by exact key, bracket alias
    (``市委统战部(市民宗局)`` is also ``市民宗局``), a missing region prefix
    (``新奥燃气公司`` = ``市新奥燃气公司``) or an abbreviation (``市资规局`` =
    ``市自然资源和规划局``; one missing character, ``市文旅体局``, is accepted with a warning).
    """

    def __init__(self) -> None:
        self.units: list[ParsedUnit] = []
        self._by_key: dict[str, ParsedUnit] = {}
        self._listed: list[ParsedUnit] = []
        self._cache: dict[str, ParsedUnit] = {}
        self.has_list = False

    @property
    def known_keys(self) -> frozenset[str]:
        return frozenset(self._by_key)

    def add_listed(self, name: str, line: int | None) -> ParsedUnit:
        key = name_key(name)
        if key in self._by_key:
            return self._by_key[key]
        unit = ParsedUnit(name=name, aliases=[], kind=unit_kind(name), line=line)
        self.has_list = True
        self.units.append(unit)
        self._listed.append(unit)
        self._by_key[key] = unit
        m = re.match(r"^(.+?)[（(]([^（）()]+)[）)]$", name)
        if m and unit.kind != "collective" and looks_like_unit(m.group(2)):
            for alias in (m.group(1), m.group(2)):
                self._alias(unit, alias)
        return unit

    def _alias(self, unit: ParsedUnit, alias: str) -> None:
        key = name_key(alias)
        if key != name_key(unit.name) and alias not in unit.aliases:
            unit.aliases.append(alias)
        self._by_key.setdefault(key, unit)

    def resolve(self, name: str, line: int | None, warnings: list[Warning_]) -> ParsedUnit:
        """The unit a task's name refers to; creates it (with a warning) when it is not listed."""
        key = name_key(name)
        if key in self._cache:
            return self._cache[key]
        unit = self._by_key.get(key)
        if unit is None:
            unit, doubtful = self._match(key)
            if unit is not None:
                self._alias(unit, name)
                if doubtful:
                    warnings.append(Warning_(
                        noted(Issue(msgs.UNIT_DOUBTFUL_MATCH, name=name, unit=unit.name),
                              "doubtful abbreviation match"),
                        line, "unit_doubtful_match", subject=name))
        if unit is None:
            unit = ParsedUnit(name=name, aliases=[], kind=unit_kind(name), line=line)
            unit.listed = False
            self.units.append(unit)
            self._by_key[key] = unit
            if self.has_list and unit.kind != "collective":
                warnings.append(Warning_(
                    noted(Issue(msgs.UNIT_NOT_IN_LIST, name=name), "unit not in the units list"), line,
                    "unit_not_in_list",
                    subject=name))
        self._cache[key] = unit
        return unit

    def _match(self, key: str) -> tuple[ParsedUnit | None, bool]:
        best: tuple[int, ParsedUnit] | None = None
        doubtful_best: tuple[int, ParsedUnit] | None = None
        ambiguous = False
        for unit in self._listed:
            for cand in (unit.name, *unit.aliases):
                full = name_key(cand)
                if full[1:] == key and full[0] in "市区县省镇乡":
                    return unit, False
                score = _abbreviation(key, full)
                if score is None:
                    continue
                missing, extra = score
                target = (extra, unit)
                if missing == 0:
                    if best is not None and best[0] == extra and best[1] is not unit:
                        ambiguous = True
                    if best is None or extra < best[0]:
                        best, ambiguous = target, False
                elif doubtful_best is None or extra < doubtful_best[0]:
                    doubtful_best = target
        if best is not None:
            return best[1], ambiguous
        if doubtful_best is not None:
            return doubtful_best[1], True
        return None, False


def _abbreviation(short: str, full: str) -> tuple[int, int] | None:
    """(missing chars, extra chars) when ``short`` abbreviates ``full``; None when it does not.

    Same first character (the region) and same ending; the characters in between
    appear in order in the full name, at most one missing when three or more are given.
    """
    if len(short) < 3 or len(short) >= len(full) or short[0] != full[0]:
        return None
    ending = short[-1]
    if full[-1] != ending:
        return None
    middle, target = short[1:-1], full[1:-1]
    if not middle:
        return None
    pos, missing = 0, 0
    for ch in middle:
        found = target.find(ch, pos)
        if found < 0:
            missing += 1
            continue
        pos = found + 1
    if missing == 0 or (missing == 1 and len(middle) >= 3):
        return missing, len(full) - len(short)
    return None
