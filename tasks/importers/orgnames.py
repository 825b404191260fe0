"""What a unit's name looks like, independent of any one document's phrasing. No Django.

Minutes and 交办 texts name the units they charge in a few shapes, the same whatever the batch:

* a name ending in an organisation word: 局/委/办/处/中心/公司/分公司/集团/街道/镇/乡/村/所/队/院/会/部/组/站/厅/室/
  科/馆/厂/社/班…, including a level before it (``县住建局``, ``国网磐石市供电中心``, ``七里店办事处``);
* a department's short name, with or without its level and a trailing 部门/系统 (``国土``, ``发改``, ``县安监``,
  ``市财政``, ``交通运输部门``, ``纪检监察``);
* a collective (``各乡镇``, ``各村(居)委会``, ``镇直各单位``, ``相关部门``), which the parser keeps or drops by
  its own convention (a collective is charged beside a named unit, not alone);
* traditional characters of any of them (``運管``, ``縣整治辦``, ``交警大隊``), read on a simplified copy.

``is_unit_name`` says whether a phrase is such a name; ``unit_list`` splits a written list (``、``/``，``/``和``/
``及``/``与``/``以及``) into names, drops a closing ``等…部门`` tail, and refuses (None) a list with a phrase that
is no name (``通过社会保障及便民服务等措施争取业主的支持``). ``leading_unit`` finds the name a clause opens with
before what the unit is to do (``西关办事处加紧推进…``), which is how one sentence charges several units in turn.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import minutes_simplified


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The organisation words a unit's name ends with: one lexicon for the recogniser of names and for the minutes
# parser's clause patterns. Each entry is a word, or a word with what must come before it (a regex piece: "(?<=开发
# |工业|…)区", "(?<![农乡渔山])村"); plain entries serve both, ":n" ones only the recogniser (a school, a shop, a
# utility's short name, a longer form of a word already here), ":c" ones only the clause patterns (a word the
# recogniser reads through a shorter one: 电视台 through 台, 妇联 through 联; or a word in context). ``UNIT_END``
# tries the parser's entries in the order written (部 before 部门: a pattern may go on with 门).
_LEXICON = (
    "局 委 办 部 厅 中心 政府 街道 镇 乡 公司 集团 院 所 队 会 处 科 室 站 分局 支队 大队 单位 部门 园区 管委会:c 银行 "
    "社区 电视台:c 妇联:c 残联:c 侨联:c 文联:c 工商联:c 科协:c (?:督导|督查|检查|巡查|考核|工作)组:c 领导小组 专班 "
    "(?:供销|合作|报|出版|杂志)社:c (?<=开发|工业|高新|保税|.新)区:c 馆 (?<![农乡渔山])村:c "
    "(?<=公路|养护|工务|机务|车务|电务|管理)段:c "
    "街道办事处:n 办事处:n 管委会办公室:n 管理委员会:n 委员会:n 工作专班:n 指挥部:n 分公司:n 有限公司:n 办公室:n 村:n "
    "居委会:n 村委会:n 委会:n 中队:n 医院:n 法院:n 检察院:n 学院:n 工作组:n 督导组:n 小组:n 组:n 厂:n 社:n 联:n 台:n "
    "党校:n 网点:n 药店:n 支行:n 分行:n 幼儿园:n 小学:n 中学:n 大学:n 学校:n 食堂:n 餐厅:n 超市:n 开发区:n 新区:n "
    "示范区:n 物业:n 燃气:n 热力:n 水务:n 供电:n 电力:n 移动:n 联通:n 电信:n 公路段:n 养护段:n 工务段:n 机务段:n "
    "车务段:n 电务段:n 管理段:n"
)
_ENTRIES = tuple((m.group(1), m.group(2) or "")
                 for m in (re.match(r"^(.+?)(?::([cn]))?$", entry) for entry in _LEXICON.split()))
# The words a name ends with, as the recogniser reads them (longest first where it matches them).
SUFFIXES = tuple(word for word, only in _ENTRIES if only != "c")
# The same lexicon as a regex piece, for the clause patterns that close a charged unit's name ("X局要…", "由X牵头").
UNIT_END = "(?:" + "|".join(word for word, only in _ENTRIES if only != "n") + ")"
# Departments by their short name (a level and 部门/系统 may stand around them): 国土, 发改, 县安监, 交通运输部门.
SHORT_NAMES = _words(
    "国土资源 国土 发改 发展改革 公安 交警 交管 运管 路政 公路 法院 检察 纪检监察 纪检 纪委 "
    "监察 住建 城建 村建 规建 城管 城市管理 综合执法 执法 财政 税务 审计 统计 环保 生态环境 "
    "环卫 消防 消防救援 应急 应急管理 安监 质监 工商 市监 市场监管 商务 经贸 经信 工信 经发 "
    "网信 教育 教体 卫健 卫生 卫计 疾控 民政 人社 司法 信访 水利 水务 农业 农业农村 林业 "
    "林草 畜牧 自然资源 自然资源规划 规划 交通 交通运输 交运 文旅 文旅体 文广 文化 旅游 体育 "
    "科技 金融 国资 粮食 气象 人防 房管 住房保障 扶贫 乡村振兴 宣传 组织 统战 政法 邮政 "
    "电力 供电 物业 妇联 团委 工会 残联 工商联 科协 建设 移动 联通 电信 通信 通讯 供水 供气 供热 燃气 "
    "不动产登记 不动产 土地 保密 文体 食药监 药监"
)
# Departments whose own name holds 和 ("文化和旅游局", "教育和体育部门"): one department, not two short names joined.
MERGED_NAMES = _words(
    "文化和旅游 住房和城乡建设 自然资源和规划 人力资源和社会保障 教育和体育 工业和信息化 发展和改革 卫生和健康 "
    "卫生和计划生育 农业和农村 商务和投资促进 商务和经济信息化 科学技术和工业信息化 交通和运输 文化和广电 民族和宗教 "
    "退役军人事务 广播电视和旅游 文化广电和旅游 住房和城乡规划建设 规划和自然资源 生态环境和水务 应急和安全生产"
)
_MERGED = re.compile(rf"^(?:[省市县区镇乡]级?)?(?:{'|'.join(n for n in MERGED_NAMES if '和' in n)})")
_LEVEL = "(?:[省市县区镇乡]级?)"
_SHORT_ALT = "|".join(sorted(set(SHORT_NAMES), key=len, reverse=True))
# one short name or two run together ("公安交警部门")
_SHORT = re.compile(rf"^{_LEVEL}?(?:{_SHORT_ALT})(?:{_SHORT_ALT})?(?:部门|系统|口|战线)?$")
# A kind named alone that is one party in the text ("向办事处…", "督导组", "超市、餐厅"), and the bodies of a level
# ("区政府", "县委", "市人大").
_BARE_KIND = re.compile(r"^(?:街道办事处|办事处|管委会办公室|管委会|指挥部|督导组|督查组|工作组"
                        r"|工作专班|专班|超市|餐厅|食堂|居委会|村委会)$"
                        r"|^[省市县区镇乡](?:人民)?(?:政府|党委|委|人大|政协|纪委|监委)$")
# A district, county or zone by its name ("通川区", "空港经济区", "經開區"), not "全区", "城区", "辖区".
_PLACE = re.compile(r"^(?![全本我该各此])[\u4e00-\u9fff]{2,10}(?<![辖郊景社小园片宿校营])(?<![老主旧新]城)[区县旗]$")
_SUFFIX = re.compile(rf"(?:{'|'.join(sorted(set(SUFFIXES), key=len, reverse=True))})$")
# Collectives: 各X / 相关X / 有关X (各乡镇, 各村(居), 各营业网点), X直各单位 (镇直各单位), X属各Y (区属各重点国企).
_AREA_WORDS = "(?:主|中心)?城区|建成区|市区"  # the part of a town a collective is in ("建成区各街道")
_COLLECTIVE = re.compile(rf"^(?:[省市县区镇乡]级?|{_AREA_WORDS})?(?:各|相关|有关|其他|其它|其余)"
                         r"[\u4e00-\u9fff]{1,10}$"
                         r"|^[省市县区镇乡][直属](?:各|相关|有关)[\u4e00-\u9fff]{1,8}$")
_COLLECTIVE_WORD = re.compile(rf"^(?:[省市县区镇乡]级?|{_AREA_WORDS})?(?:[直属])?(?:各|相关|有关|其他|其它|其余)"
                              r"(?:级|大|重点|责任|职能)?")
# A school by its number ("六中", "四中").
_NUMBERED_SCHOOL = re.compile(r"^[一二三四五六七八九十]{1,2}[中小]$")
# A kind of unit that names none ("科室", "部门", "单位"): a collective's word, not a name.
_KIND_ONLY = re.compile(r"^(?:科室|处室|部门|单位|机关|企业|公司|学校|医院|政府|基层|站所|队所)$"
                        # a field's label: "责任单位", "参会单位", "主送单位"
                        r"|^(?:牵头|责任|配合|协办|主办|承办|整改|协助|参会|出席|列席|参加|与会|主送|抄送|发文|交办"
                        r"|督办|报送|成员|所属|下属|上级|基层)(?:单位|部门)$"
                        # a class of departments named by what they do ("职能部门", "执法部门")
                        r"|^(?:[省市县区]级?)?(?:职能|主管|行业|执法|监管)(?:部门|单位|机构)$")
# Collectives written bare ("规划建设部门及乡镇", "村组"), named as units by what they are.
_BARE_COLLECTIVE = re.compile(r"^(?:乡镇|镇街|镇村|村组|村居|社区|街道|高校|学校|医院|中小学)$")
# What a name never holds: a clause's function words, a request, a report's words, numbers, punctuation
# ("通过…措施争取业主的支持", "市委、市政府要求建立…", "幼儿园7所").
_NOT_IN_NAME = re.compile(
    r"的|了|着|通过|争取|采取|措施|按照|根据|确保|要求|希望|迅速|建成|[不未没在由向]"
    r"|^[一二三四五六七八九十]是|任务|人员|干部|分管|方面|已|将|把|对于|关于|如何|是否|情况|问题"
    r"|要(?!素)|[0-9０-９]|[，,；;。：:！!？?]")
# Words of that list that some names hold ("不动产登记中心", "未成年人保护中心", "自由贸易试验区管委会", "县委老干部局",
# "12345政务服务便民热线中心"): read as part of the name where they are, the rest of the name clean.
_IN_SOME_NAMES = re.compile(r"不动产|未成年|自由贸易|老干部|干部(?=学院|学校|教育)|所在地"
                            r"|^[0-9]{3,5}(?=[\u4e00-\u9fff])")
# What a name holds only before an organisation word ("建设提升行动工作专班", "百城提质推进办"): what is to be done.
_ACTION_IN_NAME = re.compile(
    r"做好|抓好|搞好|加强|加大|加快|加紧|抓紧|尽快|推进|开展|完成|落实|进行|督促|负责(?!人)|牵头|配合|力度"
    r"|协助|参与|支持|发挥|强化|深化|提高|提升|严格|及时|立即|全力|积极|主动|认真|指导|依据|协调(?!办)"
    r"|工作(?!组|站|部|专班|队|委员会|领导小组)")

# A list's closing tail: 等 then what they are ("等部门", "等执法部门", "等有关职能部门", "等单位", "等乡镇").
_ETC_TAIL = re.compile(r"等(?:其他|相关|有关)?[\u4e00-\u9fff]{0,6}?"
                       r"(?:部门|单位|机构|系统|企业|乡镇|镇街|街道|镇|乡|村|社区|学校|医院)"
                       r"(?:[（(](?:部门|单位|机构|企业)[)）])?$|等$")  # "等相关部门(单位)"
_BRACKET = re.compile(r"[（(][^（）()]{1,12}[）)]")
# A separator inside quotes is part of the name ("区“保交楼、保交房”工作专班").
_LIST_SEPARATOR = re.compile(r"(?:以及|[、，,/])(?![^“”]*”)")
_JOIN = re.compile(r"以及|和|及|与|并")
MAX_NAME = 40
# A list written inside one name is no one name ("纪检监察及各乡镇"): 及/和/与 before a collective or a level.
_JOIN_INSIDE = re.compile(r"(?:以及|及|和|与)(?=各|相关|有关)")


@lru_cache(maxsize=8192)
def _read(name: str) -> str:
    """A name as matched: simplified, without spaces, its brackets' content left out (各村(居)委会 -> 各村委会,
    区城建集团(惠馨物业) -> 区城建集团)."""
    name = re.sub(r"\s+", "", minutes_simplified(name)).strip("“”\"'")
    return _BRACKET.sub("", name) if "(" in name or "（" in name else name


# Characters of that list that place names hold too (向阳街道, 未央区住建局, 不老屯镇, 市将军路街道, 建成区管委会,
# 了墩社区): inside a short name that ends as a unit does, with nothing else of a clause, they are the place,
# not a predicate.
_WEAK_IN_NAME = re.compile(r"[不未没在由向将了已]|建成区")
_CLAUSE_START = re.compile(r"^(?:由|在|将|把|向(?!阳)|已|未(?!央)|不(?!老))")
_PLACE_PREFIX_MAX = 6


def _place_word_inside(read: str) -> bool:
    """Whether every mark of a clause in ``read`` is a weak one (a single character some place names hold) inside a
    name that ends with an organisation word after at most ``_PLACE_PREFIX_MAX`` characters, not at its start."""
    m = _SUFFIX.search(read)
    end = m.start() if m else (len(read) - 1 if _PLACE.match(read) else 0)  # 未央区: a place, 区 its word
    if not 1 <= end <= _PLACE_PREFIX_MAX or _CLAUSE_START.match(read):
        return False
    return not _NOT_IN_NAME.search(_WEAK_IN_NAME.sub("名", read))


# The part of a town a collective is in ("建成区各街道", "主城区各社区").
_AREA = re.compile(rf"^(?:{_AREA_WORDS})(?=各|相关|有关)")


def _verb_then_noun(read: str) -> bool:
    """Whether ``read`` opens with what is to be done and names no body after it ("提高市民", "加强社区", "严格
    企业"): the rest is a kind of party, a bare collective or ends as no unit does (not "推进办": one character, the
    office's word)."""
    m = _ACTION_IN_NAME.match(read)
    if not m:
        return False
    rest = read[m.end():]
    # "协调新闻单位": a kind of party named by what it is ("新闻单位", "施工企业"), no body's name
    return len(rest) >= 2 and bool(_KIND_ONLY.match(rest) or _BARE_COLLECTIVE.match(rest) or not _SUFFIX.search(rest)
                                   or m.start() == 0 and re.fullmatch(r"[\u4e00-\u9fff]{2}(?:单位|企业)", rest))


@lru_cache(maxsize=4096)
def is_unit_name(name: str) -> bool:
    """Whether ``name`` reads as one unit's name (an organisation word at its end, a department's short name, a
    collective or a numbered school); a phrase with a predicate or a clause's function word is none."""
    read = _read(name)
    if not 2 <= len(read) <= MAX_NAME or _JOIN_INSIDE.search(read):
        return False
    if "各" in read[1:] and not _COLLECTIVE.match(read) and not re.match(r"全[省市县区镇乡]", read):
        return False  # "主动权各镇": words run into a collective, no name
    core = _AREA.sub("", read)  # "建成区各街道": the area a collective is in holds no predicate (建成)
    if _NOT_IN_NAME.search(core) and (not _IN_SOME_NAMES.search(core)
                                      or _NOT_IN_NAME.search(_IN_SOME_NAMES.sub("名", core))) \
            and not _place_word_inside(core):
        return False
    if _ACTION_IN_NAME.search(read) and not _SUFFIX.search(read) or _KIND_ONLY.match(read):
        return False
    if _verb_then_noun(read):
        return False  # "加强社区", "提高市民": what is to be done to whom, no name
    if _SHORT.match(read) or _NUMBERED_SCHOOL.match(read) or _BARE_COLLECTIVE.match(read):
        return True
    if _BARE_KIND.match(read) or _PLACE.match(read):
        return True
    if _COLLECTIVE.match(read):  # what the collective is made of ends as a unit does: 各乡镇, 各村(居)
        rest = _COLLECTIVE_WORD.sub("", read)
        return (len(rest) == 1 and rest in "镇乡村区县市局委办队站组所"
                or bool(_SHORT.match(rest) or _BARE_COLLECTIVE.match(rest[:2]) or _SUFFIX.search(rest))
                or rest.endswith("国企"))
    m = _SUFFIX.search(read)
    return bool(m) and m.start() >= 1


# A phrase opening with what the work goes by ("根据…", "按照…", "依照…"): no unit's name starts so.
_BY_WHAT = re.compile(r"(?:根据|按照|依照|依据|遵照)")


@lru_cache(maxsize=8192)
def names_no_unit(phrase: str) -> bool:
    """Whether ``phrase`` says what is done or how rather than who ("通过社会保障及便民服务等措施争取业主的支持"):
    it holds a predicate or a clause's function word and does not read as a name; a short bare place ("乐土")
    or a name of an unusual shape is not refused, a short phrase that opens with what is to be done ("提高市民") is."""
    read = _read(phrase)
    if "谁" in read:
        return True  # "谁收费、谁管理、谁负责": whoever it is, no name
    if _BY_WHAT.match(read) and not is_unit_name(phrase):
        return True  # "要求根据会议审议意见…" read to "根据会": what the work goes by, however short
    holds_predicate = bool(_NOT_IN_NAME.search(read) or _ACTION_IN_NAME.search(read))
    return (len(read) > 4 or _verb_then_noun(read)) and holds_predicate and not is_unit_name(phrase)


def trim_etc(span: str) -> str:
    """``span`` without the tail that closes a list ("公安、交警、运管等执法部门" -> "公安、交警、运管"); as it is
    when the tail is all there is."""
    read = minutes_simplified(span)
    m = _ETC_TAIL.search(read)
    return span[: m.start()] if m and m.start() > 0 else span


def _split_joined(piece: str) -> list[str]:
    """"X及Y" in two where both read as names and the join is between names, not inside one: the left ends as a
    unit does, or the right is a collective or named with its level ("纪检监察及各乡镇", "公安局和交警大队",
    "国土和住建"); "住房和城乡建设局", "自然资源和规划局" stay whole."""
    read = minutes_simplified(piece)
    for m in _JOIN.finditer(read):
        left, right = piece[: m.start()], piece[m.end():]
        if not (is_unit_name(left) and (is_unit_name(right) or _JOIN.search(minutes_simplified(right)))):
            continue
        lr, rr = _read(left), _read(right)
        if m.group() == "和" and _MERGED.match(_read(piece[: m.end()] + right)):
            continue  # "文化和旅游部门": one department's name
        right_names = _split_joined(right)
        if not all(is_unit_name(r) for r in right_names):
            continue
        left_whole = bool(_SUFFIX.search(lr)) and not _SHORT.match(lr)
        right_marked = bool(_COLLECTIVE.match(rr) or re.match(r"^[省市县区镇乡]", rr))
        both_short = bool(_SHORT.match(lr)) and all(_SHORT.match(_read(r)) for r in right_names)
        if left_whole or right_marked or both_short:
            return [left, *right_names]
    return [piece]


# "公安、交通、城管等部门以及有关经营管理单位": after a list closed by 等…部门, a collective joined on (有关/相关/其他…
# 单位) is the list's tail, no unit of its own.
_COLLECTIVE_AFTER_ETC = re.compile(r"(等[^、，,]{0,6}?(?:部门|单位|机构|部門|單位|機構))(?:以及|及|和|与)"
                                   r"(?:其他|其它|有关|相关|有關|相關)"
                                   r"[\u4e00-\u9fff]{0,10}?(?:单位|單位|部门|部門|企业|企業)$")


def without_collective_tail(span: str) -> str:
    """``span`` without a collective joined on after its closing 等…部门 ("公安、交通、城管等部门以及有关经营管理单位"
    -> "公安、交通、城管等部门"): those units are the list's tail, not named."""
    return _COLLECTIVE_AFTER_ETC.sub(r"\1", span) if "等" in span else span


# Levels written once before the one name they share ("市、区自然资源局", "省、市生态环境厅"): one unit per level. Not
# a count of levels ("县、乡两级财政所") nor a collective ("各市、县").
_LEVELS_SHARED = re.compile(r"^((?:[省市县区镇乡][、，,])+)([省市县区镇乡])(?![级两二三四五各直属])(.+)$")


def expand_levels(span: str) -> list[str]:
    """``span`` as one unit per level when it writes several levels before the one name they share ("市、区自然资源
    局" -> 市自然资源局, 区自然资源局); ``[span]`` as it is else."""
    m = _LEVELS_SHARED.match(span.strip())
    if not m or not _SUFFIX.search(_read(m.group(3))) or not is_unit_name(m.group(2) + m.group(3)):
        return [span]
    return [level + m.group(3) for level in [*re.split(r"[、，,]", m.group(1))[:-1], m.group(2)]]


def shared_levels(names: list[str]) -> list[str]:
    """A list split on its separators with levels standing alone before a name with its level (["市", "区自然资源
    局"]) as one unit per level (市自然资源局, 区自然资源局); the other names as they are."""
    if not any(len(n) == 1 for n in names):
        return names
    out: list[str] = []
    levels: list[str] = []
    for name in names:
        if len(name) == 1 and name in "省市县区镇乡":
            levels.append(name)
            continue
        if levels:
            expanded = expand_levels("、".join([*levels, name]))
            out += expanded if len(expanded) > 1 else [*levels, name]
            levels = []
        else:
            out.append(name)
    return out + levels


# A kind word after a list's 等…部门 tail, then the party joined on ("…等部门、单位及各镇街"): no name of its own.
KIND_JOINED = re.compile(r"(?:部门|单位|机构)(?:以及|和|及|与)(?=.)")


_BARE_PLACE = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:县|区|市|镇|乡|街道)$")
_SEAT_OF = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:县|区|市|镇|乡)((?:人民)?政府)$")  # not 管委会: "X镇、Y园区管委会"


def shared_seat(names: list[str]) -> list[str]:
    """A list of bare places closed by a place with its government ("秭归县", "夷陵区", "伍家岗区政府"; "A镇", "B镇
    人民政府"): the government the list writes once is each place's (秭归县政府, 夷陵区政府, 伍家岗区政府); the other
    names as they are."""
    out = list(names)
    for k, name in enumerate(names):
        seat = _SEAT_OF.match(name)
        if not seat:
            continue
        j = k - 1
        while j >= 0 and _BARE_PLACE.match(names[j]) and not names[j].endswith(seat.group(1)):
            out[j] = names[j] + seat.group(1)
            j -= 1
    return out


def unit_list(span: str) -> list[str] | None:
    """The names a written list holds, as written, split on 、/，/以及 and on 和/及/与 between two names, its closing
    ``等…部门`` tail dropped; None when a piece is no unit's name. A short bare place (``乐土``) passes beside
    at least one piece that is a name."""
    span = trim_etc(without_collective_tail(span.strip(" \t、，,")))
    names: list[str] = []
    for piece in _LIST_SEPARATOR.split(span):
        piece = piece.strip(" \t\"'")
        piece = trim_etc(piece.lstrip("“") if "”" not in piece else piece.rstrip("”") if "“" not in piece else piece)
        if names and (kind := KIND_JOINED.match(piece)):
            piece = piece[kind.end():]  # "X、Y等部门、单位及各镇街": the kinds closing the list, then who joins it
        if piece:
            names += _split_joined(piece)
    names = shared_levels(names)  # "市、区自然资源局": one per level
    names = shared_seat(names)  # "秭归县、夷陵区政府": each place's government
    if not names:
        return None
    named = [is_unit_name(n) for n in names]
    if not any(named):
        return None
    for name, ok in zip(names, named, strict=True):
        if not ok and not (len(_read(name)) <= 4 and not _NOT_IN_NAME.search(_read(name))
                           and not _ACTION_IN_NAME.search(_read(name))):
            return None
    return names


def short_name_with_level(name: str) -> bool:
    """Whether ``name`` is a department's short name with its level ("市公安交警", "县财政", "区市场监管")."""
    read = _read(name)
    return bool(re.match(_LEVEL, read)) and bool(_SHORT.match(read)) and len(read) >= 3


def short_name_organisation(name: str) -> bool:
    """Whether ``name`` is a body's short name closed by 组织 ("工会组织", "县妇联组织"): the body, as 部门 closes a
    department's short name (not 组织 alone, nor "党组织", whose short name is none)."""
    read = _read(name)
    return read.endswith("组织") and len(read) > 3 and bool(_SHORT.match(read[:-2])) and read[:-2] != "组织"


_KIND_TAIL = re.compile(r"(?:部门|系统)$")


def shared_kind_tail(names: list[str]) -> list[str]:
    """A list of departments' short names whose last one carries the kind they all are ("规划、土地部门",
    "发展改革和财政部门"): the trailing 部门/系统 belongs to the list, not to its last name (-> 规划, 土地); as it is
    when a name of the list is no short name ("公交公司与教育部门") or the list is one name ("市监察部门"). The run of
    short names may be followed by other parties joined on ("公路、交通部门和各乡镇" -> 公路, 交通, 各乡镇)."""
    if len(names) < 2:
        return names
    at = next((k for k, n in enumerate(names) if _KIND_TAIL.search(_read(n))), -1)
    if at < 1:
        return names
    stem = _KIND_TAIL.sub("", _read(names[at]))
    if not _SHORT.match(stem) or any(not _SHORT.match(_read(n)) for n in names[:at]):
        return names
    if at < len(names) - 1 and any(_SHORT.match(_read(n)) for n in names[at + 1:]):
        return names  # "公安、交通部门、城管": the kind is not the run's alone
    return [*names[:at], names[at][: len(names[at]) - 2], *names[at + 1:]]


# Where a unit's name can begin inside a phrase that runs on from a heading: a level before the name ("市建管中心").
_NAME_START = re.compile(r"(?=[省市县区](?!容|场|政|域|际|属|直|级))")


def name_after_heading(phrase: str) -> str:
    """A unit's name run together with the heading written before it on a line of its own ("强化施工工地扬尘污染防治
    市建管中心" -> 市建管中心): after the last action word, from where a name with its level begins and reads as a
    name with no action word; ``phrase`` as it is when it holds no action word or no such name follows it (a name
    that holds one: "建设提升行动工作专班", "百城提质推进办")."""
    read = _read(phrase)
    if len(read) != len(phrase) or _SUFFIX.search(read) is None:
        return phrase
    acts = [m for m in _ACTION_IN_NAME.finditer(read) if m.end() < _SUFFIX.search(read).start()]
    if not acts:
        return phrase
    after = acts[-1].end()
    for m in _NAME_START.finditer(read, after):
        rest = read[m.start():]
        if len(rest) >= 4 and is_unit_name(rest) and not _ACTION_IN_NAME.search(rest):
            return phrase[m.start():]
    return phrase

# What a unit is to do, written straight after its name at a clause's start ("西关办事处加紧推进…").
ACTION = re.compile(
    r"(?:要(?!求)|应当|必须|务必|负责(?!人|同志)|牵头|(?:优化|完善|服务|管理|把握|把关|衔接|对接|统筹|维护)好|加紧|抓紧|加快|尽快|立即|全力|继续|切实|认真|积极|主动|进一步|做好|抓好"
    r"|搞好|推进|落实|督促|加强|强化|严格|确保|会同|联合|制定|编制|启动|实施|承担|压实|筹措|筹集|拨付|安排|保障"
    r"|提供|予以|给予|合作|共同|依法|依规)")
_REPORTED = re.compile(r"^[^，,；;。]{0,8}?(?:[了过]|已)|^[^，,；;。]{0,4}?(?:情况|工作(?:汇报|报告))")
# What a name at a clause's start does not hold: another verb (the clause's subject did something else first:
# "县交运局组织各乡镇…", "五华召开协调会"), a person, a list, a collective.
_NOT_A_LEADING_NAME = re.compile(
    r"^(?:和|与|及|并|同|跟)|与|、|各|相关|有关|其他|组织|带领|召开|召集|参加|出席|调研|汇报|进驻|帮助|推动"
    r"|包括|再次|深入|前往|来到|陪同|主持|听取|传达|学习|通报|考察|检查(?!站|组|所|队)|走访|县长|市长|区长|镇长|乡长|书记|局长|主任|同志|负责人|领导")


def _plain_name(head: str) -> bool:
    return bool(_SUFFIX.search(_read(head))) and is_unit_name(head) and not _NOT_A_LEADING_NAME.search(head)


@lru_cache(maxsize=8192)
def leading_unit(clause: str, action: re.Pattern[str] = ACTION) -> str:
    """The unit's name a clause opens with before what the unit is to do ("丁庄办事处抓紧完成…" -> 丁庄办事处);
    "" when the clause does not open with a name ending as an organisation does, or says what was done
    ("西关办事处完成了…"). ``action``: the words that may follow the name (by default what a unit is charged to do)."""
    clause = clause.strip(" \t，,；;")
    read = minutes_simplified(clause)
    for m in action.finditer(read[: MAX_NAME + 4]):
        head = read[: m.start()]
        if len(head) >= 3 and not _REPORTED.match(read[m.end():]) and (
                _plain_name(head) or "、" in head and (names := unit_list(head)) and all(map(_plain_name, names))):
            return clause[: m.start()]  # a name, or a list of names ("县供销社、县邮政公司合作建设…")
        if m.start() >= 2:
            break  # the first action word ends the name, whatever it is
    return ""


def opening_name(clause: str) -> str:
    """The unit's name a clause opens with, whatever it goes on to do ("城关区遵循…的原则" -> 城关区): the longest
    start that reads as a name ending as an organisation or a district does, not a person's or a list's, nor one
    that says what was done; "" when the clause opens with none."""
    clause = clause.strip(" \t，,；;")
    read = minutes_simplified(clause)
    for end in range(min(len(read), MAX_NAME), 1, -1):
        head = _read(read[:end])
        if (len(head) == end and (_SUFFIX.search(head) and _SUFFIX.search(head).start() >= 1 or _PLACE.match(head))
                and is_unit_name(head) and not _NOT_A_LEADING_NAME.search(head) and not _REPORTED.match(read[end:])):
            return clause[:end]
    return ""


# Who a letter, notice or 交办单 is addressed to: a "主送：" line, or the list of names on a line of its own ending
# with a colon before the body ("中国移动…分公司、…、国网磐石市供电中心:").
_SENT_TO = re.compile(r"^\s*(?:主送|主送单位|送达单位|致|抄送)?\s*[:：]?\s*([^:：\n]{2,400}?)\s*[:：]\s*$")
_SENT_TO_FIELD = re.compile(r"^\s*(?:主送|主送单位|送达单位|交办单位|承办单位)\s*[:：]\s*([^\n]{2,400}?)\s*$")
# How a letter names its addressees in its body: "贵单位", "你单位", "你们"; and "各单位" in a text that is a
# letter or notice by its title or fields (in minutes, "各单位" after a unit heading is a collective).
ADDRESSEE_WORDS = re.compile(r"^(?:贵|你|您)(?:们)?(?:单位|公司|局|委|办|部门|中心|镇|乡|街道|处|院|所)?(?:们)?$")
EACH_ADDRESSEE = re.compile(r"^各(?:单位|公司|部门)$")
_LETTER_TITLE = re.compile(r"函|通知|交办|督办|通报|告知|提醒|决定|意见|主送|〔\s*20[0-9]{2}\s*〕|\[\s*20[0-9]{2}\s*\]")


def letter_like(text: str, lines: int = 12) -> bool:
    """Whether the opening of ``text`` (its first non-empty lines) reads as a letter's or notice's: a 函/通知/
    交办/督办/通报 title word, a 主送 field or a document number 〔2026〕."""
    opening = [line for line in text.split("\n") if line.strip()][:lines]
    return any(_LETTER_TITLE.search(line) for line in opening)
_COPY = re.compile(r"^\s*抄送")


def addressees(text: str, lines: int = 12) -> list[str]:
    """The units a letter, notice or 交办单 is addressed to, named before its body (a "主送：" field, or a line of
    names alone ending with a colon), as written; [] when the opening names none, or names only collectives."""
    seen = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        seen += 1
        if seen > lines:
            break
        if _COPY.match(line):
            continue
        m = _SENT_TO_FIELD.match(line) or _SENT_TO.match(line)
        if not m:
            continue
        names = unit_list(m.group(1))
        if names and all(is_unit_name(n) for n in names) and not all(_COLLECTIVE.match(_read(n)) for n in names):
            return names
    return []
