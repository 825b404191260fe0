"""Decisions out of meeting minutes (会议纪要) and 交办单: text in, ``ParsedDecisions`` out. No Django.

A decision is a numbered paragraph (``一、`` ``（一）`` ``1.`` ``1、`` ``（1）``) or, in minutes without numbering,
a paragraph, that names who does it. Who is read from the ways minutes write it:

* ``由X牵头，Y配合`` / ``X牵头、Y协助`` / ``X牵头负责，Y参与`` (lead X, supporting Y);
* ``X、Y分别负责`` / ``X、Y按职责分工负责`` / ``由X、Y牵头`` (several leads; ``X牵头，Y按职责分工负责``: Y supports);
* ``由X负责`` / ``X负责…`` / ``责成X…`` / ``特指令X对…`` / ``小组授权X进行审核`` / ``X审核把关…`` / ``由X综合排序…`` /
  ``请X…`` / ``要求X…`` / ``他要求X…`` / ``X、Y要…`` / ``X应将…`` / ``X：…`` (the units charged are leads; a time word
  before the name, ``下一步X按照…``, and a capacity after it, ``X作为…牵头部门``, are no part of it);
  ``（X牵头，Y、Z）``: Y and Z support; ``由X形成报告上报Y，由Y呈报Z`` / ``另15万元由X支持补助`` (X, then Y: two
  decisions);
* ``X要积极配合Y做好…`` (lead Y, supporting X);
* ``由X主办，Y协办`` / ``X为牵头单位，Y为配合单位`` (lead X, supporting Y);
* ``X会同Y…`` / ``X联合Y、Z，…`` / ``由X牵头，会同Y…`` (lead X, supporting Y; ``X协调Y…`` and ``要开展联合检查``
  join nobody);
* ``X要做好牵头抓总，各相关部门、各街道要…`` (the collectives charged beside a unit that 要牵头 support it);
* labelled fields: ``牵头单位：X`` ``责任单位：X`` ``配合单位：Y`` ``完成时限：…`` (beside a 牵头单位 field, the
  责任单位 units are supporting; in one field ``X（牵头）、Y`` leads X), on the decision's line or the lines under it,
  a value wrapped onto the next line, or in brackets after the task (``（牵头单位：X）``, ``（X牵头，Y配合）``);
* 交办/督办/整改 tables (pipes, tabs, spaced columns, one cell per line): read by the plan importer's one table
  reader (``blocks.to_blocks`` + ``tables.TableParser``, columns by header), one decision per row; a lone 责任单位
  column charges every unit it names unless a cell says who leads (``X（牵头）、Y``), persons in a unit column
  (``区住建局（张三）``, ``李四``) are no units; a .docx table is read the same way (``reader.read_docx`` gives its
  rows as tab-separated lines);
* a 交办单/督办单 laid out as a form, a name beside its value (``交办事项 | …``, ``牵头单位 | X | 配合单位 | Y``,
  ``完成时限 | …``): one decision, its names read by the same header vocabulary.
* 督查通报 problem lists: a problem line closed by ``（责任单位：X）`` on its own line (even after its 。); the
  numbered problems closed by one ``整改责任单位：X 整改时限：…`` group (one decision); a heading ``属X职责范围：``
  and the problems under it, to the next heading numbered as it is (one decision of X); such a page flattened onto
  one line with spaces where its lines broke is read as its lines; a numbered problem ending with its units alone in
  brackets (``一、…占道停放。(交警大队)``); ``问题整改责任单位:X 整改时限:3天`` on one line (a field ends where the next
  is written after a space); a place captioned above its ``存在问题：`` line (not the rest of the unit above). A role
  before a name (``由包片单位县幼儿园负责``) is no part of the unit. A deadline the notice sets once for all its
  problems (``并于5月20日前将问题整改完成``; not a report's due date) is each item's that names none; a deadline cell
  ``全年`` names no point. Responsibility written by kind, ``（主体责任：X，监督责任：Y）``: X leads, Y supports; a
  problem's sentence ending ``其责任单位是X`` / ``责任单位为X`` (or opening ``Z的责任单位是X，…``) names X as the field
  would, one problem per sentence outside a numbered item. A text cut off inside the brackets of who answers reads
  them as closed before the last, possibly shortened, name.

Minutes often hand out several decisions in one paragraph or numbered item: ``一是…二是…`` enumerations, and
sentences or clauses each charging other units (``县财政局要…，县自然资源和规划局要…``, ``由X牵头…；由Y牵头…``).
Each charge starts a decision of its own; the clauses after it (its 配合 units, its deadline) belong to it. A clause
``由Y…`` after one that charged X starts one too (``由X编制方案，待…后，由Y、Z筹资``); a clause charging the same units
again does not. A sentence exhorting collectives (``各相关责任部门要强化协作配合``) belongs to neither charge around it;
collectives asked to cooperate with another party (``要求相关部门密切配合供电企业``) support no lead, and those of
another enumerated item (``三是沿线镇街和区直相关部门要密切配合``) none of the one item that charges a unit. What
units have already done (``国土局联合环保局已组织…``) charges nobody.

A person (``由马娜牵头``, ``相关县领导``, ``副市长张三``) is not a unit: the units that 负责 or 落实 become the leads.
``X要…`` charges X only when X names a unit, not only a collective (``各相关部门要…`` is an exhortation) or an
unnamed party (``施工单位要…``); ``X要密切配合`` makes X a supporting unit beside a lead, the lead when the
decision has none. A list ends at ``等`` (``县住建局等部门`` -> 县住建局) or at a count (``双沟、王集两镇``), and
the manner words before the role word are not part of the last unit
(``密切配合``, ``负责搞好配合``, ``密切协作配合``). A collective joined by 和/及/与 is a party of its own
(``规划建设部门及乡镇``); unnamed enterprises (``相关投资开发企业``) are no units. A 领导小组, a zone's
administration (``工业区``), a 宾馆/图书馆 and a village (``杨林乡和团田村``: two) are units. A span that says what to
do or with whom (``会议要求抓紧办理…``, ``与市规划局协调…``) or describes (``需要区委、区政府协调解决的问题``,
``X提出的``) names no unit; nor does one that only 参与 (``发动广大群众参与…``). Adverbs before the work
(``会同Y扎实开展…``) are not part of a unit. Traditional-script minutes are read on a simplified copy, one
character for one, and written back as they are written.
Page numbers printed in the text (``— 3 —``) are skipped; a page pasted with its HTML tags is read as its lines.
A table without a deadline column takes the latest
point its schedule column (``实施计划``, ``进度安排``) names.

Who a text addresses without a charging word: a numbered heading that names a unit alone (``（一）城南街道（5处）``)
charges it with each item numbered below it (not where fields name who answers: there it is the place inspected);
requirements enumerated with no subject (``一是…要…二是…``) charge the one unit the opening says the visit or meeting
was held at (``副县长到县水利局调度…``); short names heading an item (``食堂、浴室：…``) the parties named in full in
the opening; ``请以上责任单位…`` the units named before as owning tasks (``X负责的第1件、Y负责的第4件``); a bare kind
(``向办事处下发通知单``) the unit of that kind named in full before (not the meeting's own convener naming itself).
``X、Y和Z要相互配合`` charges them all; ``各施工单位要…，X、Y全力配合``: the collectives lead, X and Y support; a list
closed by 等 then the work (``甲镇、乙镇等继续…``) is charged; ``特别是/尤其是/如`` before a name is no part of it.
So are ``X、Y按职责分工抓好…`` (several leads), ``X为项目实施主体``, ``交X研究办理``, ``X承担…``/``Y予以…``,
``X于…前联合开展…``/``X将于…前完成…``, ``X加强/强化/完善…``; ``办结时限：`` is a deadline field. Numbered items under
an unnumbered heading with a colon (``县住建局（3项）：``), a demand made of a unit (``对X提出两点要求：``) or a
requirement's lead-in after a visit (``他要求：``) are the unit's.

General components (``orgnames``), not phrasings of one batch: what a unit's name looks like (organisation words,
departments' short names, collectives, districts, traditional script) splits lists between names (``纪检监察及各乡镇``:
two), drops a list's ``等…部门`` tail whatever the departments are called, and refuses a phrase that says what is done
rather than who (``通过…等措施争取业主的支持`` is no 配合 unit, and a list holding one is no list of units); a letter's
words for its addressees (``贵单位``, ``你单位``, ``各单位``) are the units its opening addresses (a ``主送`` field or
the names on a line of their own ending with a colon), and the letter's one date each of its charges to them; one
sentence charging several units in turn (``X办事处加紧…，Y办事处抓紧…，Z办事处…``) gives one decision each, a clause
opening with a unit's name (or a list of names: ``X、Y合作建设…``) before what it is to do; ``由X与Y签订…合同`` /
``X与Y签订合同`` charges X (Y is no 配合 unit); ``确保X、Y于…前完成…`` charges X and Y; names a clause describes
before their 要 (``承担拆迁任务的X、Y要…``, ``列入整治名单的X、Y，要…``) are charged, not a report (``听取了X的汇报``)
nor a described class (``本次公布的重大隐患单位``); ``X为项目业主单位``, ``由X依法查处``, and ``由其负责`` (the unit
named before). A list of short names closed by its kind (``规划、土地部门``) is the departments (规划, 土地); a
heading run into the next line's subject is cut where the unit's name with its level begins; ``X牵头，协同A、B等部门``
makes A, B supporting; ``X与Y深入对接`` charges both; ``要向市政府作出报告`` charges nobody; ``由X负责…、Y牵头、Z配合…``
is two charges; ``其余三家X`` is the others of the list written before it; a report's due date is no deadline.
Departments named by their kind in a run without 要 (``气象部门精准传递…，交通、交警部门全员上岗…``) give one
decision each (not ``…等部门负责人参加``); what a unit undertakes at a meeting (``X表示（，）将…``, ``X将协调…``) is
its charge, a school's too (``X小学表示将…``; as a heading it is the project's site); a collective joined after
``等…部门`` (``以及有关…单位``) is the list's tail; a quoted name keeps its quotes (``由县“三电办”牵头``);
``高校和县X部门`` both lead; a unit relaying a charge (``创建办要求X、Y等有关部门要…``) charges the list
(``建成区各街道`` a name); a stage heading (``第一阶段，5月10日前，由X和Y拿出方案``) is an item of its own. A
list's bullet (``●``, ``■``, ``⑴``, a dash) before a clause is no part of a unit; a department whose name holds 和
(``文化和旅游部门``) is one unit; ``X部门关注…`` and ``对…的，X跟进追究`` are charges; an enumerated item
(``一要…三要…``) that alone charges a unit is its own decision, without the other items' dates;
``由X牵头，…，A、B分别负责…，C负责…，D、E全程配合``: three decisions, D and E helping X;
``各相关单位要…，积极配合X完成…``: X leads, they support; ``工会组织`` is a unit; ``确保今年目标任务完成`` sets
no deadline. A date the notice sets once for all its work
(``以X为时间节点…完成各项任务``, ``上述工作于…前完成``) is each charge's that names none;
``…，联合Y做好…`` after a charge gives its partners; ``由X与各Y单位…`` are joint leads;
``市、区X局`` is one unit per level; ``A、B等部门进一步强化…`` and ``X遵循…，负责…``
are charges; a phrase written in a 牵头/配合 slot that is no unit's name is named in a
warning. The organisation words a name ends with are one lexicon (``orgnames.SUFFIXES``
for the recogniser, ``orgnames.UNIT_END`` for the clause patterns). A numbered heading alone on its
line (``2、工作上要抓紧部署``) is read before a colon; ``责令X镇人民政府…`` names the government whole and
``X站责令施工单位…`` charges X; ``…，结合Y做好…`` and a later sentence ``联合Y…`` give the partners of the unit
charged before; ``X牵头，Y实施…`` / ``由X牵头，由A、B参加`` make Y, A, B supporting; ``X负总责，A、B牵头`` are one
charge's leads; ``X在…时要…``, ``X部门在每个考点组织…`` and ``X举全局之力做好…`` are charges; ``并要求X，…`` is a
request, ``与Y配合`` no supporting unit; collectives helping in a sentence of their own support no one; a
``年底收官之战`` is no deadline; a 整改 form one cell a line without colons is a record.

Units are kept as written (``市住房和城乡建设局``, ``各镇（街道）``, ``有关部门``), split on ``、`` and ``，`` and on
``和``/``及``/``与`` only between two names that each end as a unit does (so ``住房和城乡建设局`` stays whole). The
deadline is the latest point in time the decision's text names (``tasks.importers.deadlines``), in the year the
minutes were held when they do not say.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from . import messages as msgs
from .blocks import Para, Row, to_blocks
from .deadlines import parse_deadline_in, relative_deadline
from .document import PlanParseError
from .issues import Issue
from .limits import Limits, read_text
from .orgnames import (
    ADDRESSEE_WORDS,
    EACH_ADDRESSEE,
    KIND_JOINED,
    SHORT_NAMES,
    UNIT_END,
    addressees,
    is_unit_name,
    leading_unit,
    letter_like,
    name_after_heading,
    names_no_unit,
    opening_name,
    shared_kind_tail,
    shared_levels,
    shared_seat,
    short_name_organisation,
    short_name_with_level,
    trim_etc,
    without_collective_tail,
)
from .orgnames import unit_list as written_units
from .tables import TableParser, column_role
from .text import MINUTES_T2S as _MINUTES_T2S
from .text import ascii_digits, simplified

_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}[、﹑.．]|[（(][一二三四五六七八九十]{1,3}[)）]|[0-9]{1,2}[、﹑.．](?![0-9])"
    r"|[（(][0-9]{1,2}[)）]|[①-⑳])\s*"
)
# A list's bullet before a clause, at a line's start, after a clause's end or after the item's number ("●建设、水利等
# 部门加强…", "；■X要…", "三、●X局要…", "(一)▲X要…", "⑴", "——X局：…"): no part of the unit written after it. A dash
# before a digit is a page number's, not a bullet.
_BULLET = re.compile(r"(?:^|(?<=[。；;：:!！、．.)）①-⑳]))\s*"
                     r"(?:[●○■□◆◇▲△★☆·•▪►▶➢✓✔※→⑴-⒇]|[-—－–]+(?![-—－–\s]*[0-9]))\s*")
_UNIT_END = UNIT_END  # the lexicon of organisation words, one for the recogniser and the parser
# Words that open a sentence before the unit: "会议要求，由…", "请…", "责成…".
_LEAD_IN = re.compile(r"^(?:[0-9]{1,2}[.．、](?![0-9])|会后|会议(?:要求|明确|决定|议定|同意|指出|强调)?"
                      r"|明确|要求|并|另|同时|希望|要|请|责成|由|在|其中|此外|具体由|第?[一二三四五六七八九十]{1,2}是"
                      # a unit singled out or given as an example: "特别是X要…", "如X负责的…"
                      r"|特别是|尤其是|尤其|例如|比如|如(?=[省市县区])"
                      r"|[该此这本]项(?:工作|任务|事项)"
                      r"|下一步|下步|今后|近期|目前)+")  # "下一步市住建局按照…": when, not who
# "8月7日前金元村、石宝沟村要…", "年底前X要…": when, written before who (tried only on a span that starts so).
_WHEN_FIRST = set("0123456789一二三四五六七八九十年本于在")
_WHEN_LEAD = re.compile(r"^(?:于|在)?(?:(?:20[0-9]{2}年)?[0-9一二三四五六七八九十]{1,2}月"
                        r"(?:[0-9一二三四五六七八九十]{1,3}[日号])?(?:底|末|上旬|中旬|下旬)?|本月底|本月末|年底)"
                        r"(?:之前|以前|前)[，,]?")
# A field's value runs to the end of its clause, or to the next field written after a comma or a space
# ("责任单位：区城管局，配合单位：各街道，完成时间：8月底", "整改责任单位:市科技馆 整改时限:3天").
_FIELD_VALUE = r"((?:(?![，,]\s*[\u4e00-\u9fff]{2,6}\s*[:：]|\s+[\u4e00-\u9fff]{2,6}\s*[:：])[^；;。\n])*)"
# The name of a field of who answers: a role ("牵头", "主责", "承办", "整改", "配合", "协同"…) and what answers
# ("单位", "部门", "主体", "科室", "处室"): "整改责任单位", "责任主体", "承办部门", "主责单位", "协同单位".
_ROLE_WORDS = ("牵头", "主责", "主办", "承办", "责任", "整改", "落实", "配合", "协办", "协同", "协助", "参与")
_LABEL_NOUN = "(?:单位|部门|主体|科室|处室)"
# written as alternatives that each start with a character, so that a search skips ahead as fast as for literals
_UNIT_LABEL = "|".join([*(f"{prefix}(?:{'|'.join(_ROLE_WORDS)}){_LABEL_NOUN}" for prefix in ("整改", "问题")),
                        *(f"{role}{_LABEL_NOUN}" for role in _ROLE_WORDS)])
_LABEL = re.compile(
    rf"({_UNIT_LABEL}|完成时限|办理时限|办结时限|时限要求|完成时间)"
    r"\s*[:：]\s*" + _FIELD_VALUE
)


def _label_kind(label: str) -> str:
    """"first" (牵头/主责/主办: beside one, the 责任 fields support), "lead", "support", or "" (a time field)."""
    if re.search(r"配合|协办|协同|协助|参与", label):
        return "support"
    if re.search(r"牵头|主责|主办", label):
        return "first"
    return "lead" if re.search(r"单位|部门|主体|科室|处室", label) else ""


# "【责任单位】县城管局【整改时限】8月15日": a field's name in brackets, read as "责任单位：" (one character for one).
_BRACKETED_LABEL = re.compile(rf"【({_UNIT_LABEL}|(?:整改|完成|办理)?时限|完成时间)】")
# A line of fields under a numbered item: "牵头单位：…", "责任领导：…；责任单位：…；配合单位：…".
_FIELD_LINE = re.compile(r"^(?:问题)?(?:整改)?(?:牵头|责任|配合|协办|协助|主办|承办|完成|办理|办结|时限|分管|包保"
                         r"|主责|协同|参与|整改(?=单位|部门|主体))"
                         r"[\u4e00-\u9fff]{0,3}\s*[:：]")
# Who is responsible, on a line of its own under the item it closes: "（责任单位：住建局）".
_BRACKETED_FIELD_LINE = re.compile(r"^[（(【\[]\s*(?:整改)?(?:牵头|责任|配合|协办|协助|主办|承办)[\u4e00-\u9fff]{0,3}"
                                   r"\s*[:：][^（）()【】\[\]]+[）)】\]]$")
# The rest of a field's value wrapped onto a line of its own: short, no sentence ("底前", "县自然资源局").
_WRAPPED_END = re.compile(r"^[^，,。；;:：]{1,8}$")
_CLAUSE = re.compile(r"[，,；;。:：\n]")
# "X表示，将…": what a unit undertakes is one clause with its name
_WHO_CLAUSE = re.compile(r"(?<!表示)[，,]|[；;。:：\n]|(?<=表示)[，,](?!\s*将)")
_SUPPORT_WORD = re.compile(r"(配合|协助|参与|协同|协办|协管(?=[。；;，,]|$)|给予[^，,。；;]{0,6}?支持(?=[。；;，,]|$))")
# Manner words between a unit and its role word: "县住建局等部门密切配合", "社区负责搞好配合", "各有关单位要主动配合".
_MANNER = re.compile(r"(?:负责|要|应|须)?"
                     r"(?:搞好|做好|加强|密切|积极|主动|全力以赴|全力|认真|大力|共同|协调|协作|紧密|具体"
                     r"|扎实|切实|迅速|全面|持续|深入|及时|进一步|全程|全方位|通力|协同"
                     r"|按职责|按照职责|依职责|根据职责|按职能)*$")
# "X等部门", "交通等相关职能部门": a list ends at 等.
_ETC = re.compile(r"(?:等(?:其他)?(?:相关|有关)?(?:行业)?(?:职能|主管)?(?:部门|单位|机构)?"
                  r"|等?[0-9两三四五六七八九十]+个?家?(?:单位|部门|镇|乡|街道|区|县))$")
# While what is done, written between the units and their 要: "X在审批商业网点时要…", "X在汛期期间要…".
_WHILE = re.compile(r"(?:在|于)[^，,；;。]{1,20}?(?:时|期间|过程中|之际)$")
# Adverbs between the units and their 要: "X等单位一定要…", "X也要…".
_MODAL = re.compile(r"(?:一定|也|都|还|均|更|同样|首先|将)+$")  # "X、Y将牵头": who, then when it is done
# When, written between the units and their 要: "X12月15日前要…", "X在本月底前要…", "X一周内要…".
_CN_NUM = "0-9一二三四五六七八九十"
_WHEN = re.compile(rf"(?:于|在)?(?:(?:20[0-9]{{2}}年)?[{_CN_NUM}]{{1,2}}月(?:[{_CN_NUM}]{{1,3}}[日号])?"
                   r"(?:底|末|上旬|中旬|下旬)?|本月底|本月末|本周|下周[一二三四五六日]?|年底|年内"
                   r"|[0-9一二三四五六七八九十两]{1,3}个?(?:工作日|日|天|周|月))(?:之前|以前|前|之内|以内|内)?$")
_WHEN_ENDS = set("前内底末旬日号月周天年")
# "X要…", "X应当/务必/必须…", and "X应" before what it is to do ("市外轮供应公司应将…交给…"), not the 应 of
# 供应/相应/适应/响应/应急.
_CHARGED = re.compile(r"(?:(?<![需主重只必纪概摘提想])要(?![求素点闻件])|应当|务必|必须"
                      r"|(?<![供相适反响回效感呼顺答理])应(?=将|于|在|按|把|尽快|及时|加快|抓紧|立即|做好|抓好|会同|积极"
                      r"|主动|负责|牵头|配合|进一步|严格|切实|认真|全面|加强|确保|结合|根据|依法|督促))")
_GENERIC = re.compile(r"^(?:[省市县区][级直]?|全[省市县区镇乡]|城区|市区|辖区)?"
                      r"(?:各|相关|有关|其他|其它|其余|全体|所有|属地)"
                      r"|(?:成员单位|责任单位|相关单位|有关单位|相关部门|有关部门)$|^(?:行业)?主管部门$"
                      r"|^(?:[省市县区][级直])?(?:部门|单位|机关|乡镇|街道|镇村|社区|村|县区|区县){1,2}$")
# Parties a decision names by role, not by name: not units ("施工单位要…", "项目方要…").
_UNNAMED = re.compile(r"^(?:施工|建设|监理|设计|勘察|项目|业主|承建|参建|运维|管线|第三方"
                      r"|咨询|咨询服务|中介|中介技术|中介服务|测绘|评估|造价|检测|代建|技术服务|物业|物业服务)"
                      r"(?:单位|企业|方|机构)$|^项目方$|^(?:相关|有关|其他|其它)[\u4e00-\u9fff]{0,10}企业$")
# Short names of departments that read like a person's name ("林业" is not a Mr 林).
_SHORT_DEPARTMENTS = {"林业", "农业", "交通", "公安", "财政", "环保", "住建", "城管", "水利", "水务", "教育", "卫健",
                      "民政", "商务", "审计", "统计", "税务", "应急", "文旅", "工信", "国土", "规划", "人社", "司法",
                      "发改", "金融", "信访", "邮政", "电力", "供电", "消防", "交警", "市监", "环卫", "网信", "监察",
                      "国资", "自然资源", "生态环境", "市场监管", "住房保障"}
_PERSON_TITLE = re.compile(r"(?:领导|书记|县长|市长|区长|镇长|主任|局长|同志|组长|干部)$")  # "村干部"
# A title then a name: "副市长张三", "县委常委李四".
_TITLED_NAME = re.compile(r"(?:书记|县长|市长|区长|镇长|乡长|主任|局长|部长|主席|常委|秘书长)([\u4e00-\u9fff]{2,3})$")
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
                "辛裴庞樊兰殷施洪翁葛柴柳牛詹缪鲁倪童颜盛聂耿焦祝席伍包凌常温祁艾谷滕岳左甘苗项阮申蒲齐屈桂尚关宁"
                "俞舒季戚冉易骆喻华靳芦鲍")
_SEVERAL = re.compile(r"(分别负责|分别牵头|按职责分工负责|按照职责分工负责|按职责负责|各负其责"
                      # "X、Y按职责分工抓好落实": each its part, whatever the verb after
                      r"|按(?:照)?职(?:责|能)分工(?=抓好|做好|落实|推进|开展|实施|办理|配合))")
MAX_UNIT = 40


@dataclass
class ParsedDecision:
    text: str
    lead_units: list[str]
    supporting_units: list[str]
    deadline: date | None
    line: int
    relative: str = ""  # a deadline written relative to the meeting ("会后一周内") that no meeting date resolved

    def as_json(self) -> dict:
        return {"text": self.text, "lead_units": self.lead_units, "supporting_units": self.supporting_units,
                "deadline": self.deadline.isoformat() if self.deadline else None}


# The warnings' templates (Chinese, the catalogue's message ids; ``stored_text.issue_text`` shows each in the
# reader's language).
NO_LEAD = "第%(line)d行：没有找到牵头单位，请指定。"
RELATIVE_DEADLINE = "第%(line)d行：完成时限“%(relative)s”按会议日期计算，请填写会议日期或在确认时指定。"
NO_DEADLINE = "第%(line)d行：没有找到完成时限。"
NO_DECISIONS = "没有找到写明责任单位的议定事项。"
TEMPLATES = (NO_LEAD, RELATIVE_DEADLINE, NO_DEADLINE, NO_DECISIONS)


@dataclass
class DecisionWarning:
    line: int
    message: str

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class ParsedDecisions:
    year: int | None
    meeting: date | None = None
    items: list[ParsedDecision] = field(default_factory=list)
    warnings: list[DecisionWarning] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"items": [d.as_json() for d in self.items], "warnings": [w.as_json() for w in self.warnings]}


# A separator inside quotes is part of the name ("区“保交楼、保交房”工作专班"): split outside them only.
_SEPARATOR = re.compile(r"(?:[、，,/]|以及)(?![^“”]*”)")


def _split_units(span: str) -> list[str]:
    out = []
    for part in (_SEPARATOR.split(span) if "”" in span else re.split(r"[、，,/]|以及", span)):
        part = part.strip(" \t\"'")
        # a quote that opens or closes a name ("“三勤合一”机动队") stays; a stray one does not
        part = part.lstrip("“") if "”" not in part else part
        part = part.rstrip("”") if "“" not in part else part
        if out and (kind := KIND_JOINED.match(part)):
            part = part[kind.end():]  # "X、Y等部门、单位及各镇街": the kinds closing the list, then who joins it
        out += [p.strip() for p in _split_joined(part) if p.strip()]
    return out


_LEVEL_NAME = re.compile(r"^[省市县区][\u4e00-\u9fff]{2,}$")  # "区人大城环工委和区监察": 区监察 is a name
# A unit named with its level after 和/及 ("小区及县客运中心"), not a name's own word ("市容", "市场", "市政", "区域").
_LEVEL_UNIT = re.compile(r"^[省市县区](?!容|场|政|域|际|属|直|级)[\u4e00-\u9fff]{3,}$")
# "经济开发区和国土局", "杨林乡和团田村", "城关小学和市容整治联合执法工作组" (a school, a kindergarten or a co-operative
# by its name ends as a unit does where two names are joined; 学校/项目 alone do not)
_ENDS_AS_UNIT = re.compile(rf"(?=.{{3}}).*(?:{_UNIT_END}|区|县|市|省|幼儿园|小学|中学|大学|供销社|合作社"
                           r"|食堂|餐厅|超市)$")  # a campus's outlets, charged as its offices are
# A collective or unnamed party after 和/及/与 is a party of its own: "规划建设部门及乡镇", "X集团和相关投资企业".
_COLLECTIVE = re.compile(r"^(?:(?:乡镇|街道|社区|部门|单位){1,2}$|(?:各|相关|有关|其他|其它)[\u4e00-\u9fff]{2,})")
# Collectives written bare, charged beside named units when joined to them ("…、电力及乡镇等部门").
_BARE_COLLECTIVE = re.compile(r"^(?:乡镇|镇街|街道|社区|村居|镇村)$")


def _split_joined(part: str) -> list[str]:
    """"X和Y" / "X及Y" / "X与Y" in two only where both sides read as units (住房和城乡建设局 stays whole)."""
    for m in re.finditer(r"和|及|与", part):
        left, right = part[: m.start()], part[m.end():]
        if _ENDS_AS_UNIT.match(left) and (_ENDS_AS_UNIT.match(right) or _LEVEL_NAME.match(right)
                                          or _COLLECTIVE.match(right) or _is_person(right)):
            return [left, *_split_joined(right)]
        if len(left) >= 2 and _LEVEL_UNIT.match(right) and _ENDS_AS_UNIT.match(right):
            return [left, *_split_joined(right)]  # "…、社区及县汽车站": a short party, then a unit by its level
    return [part]


_SPEAKER = re.compile(r"^(.{2,12}?|他|她)(?:要求|强调|指出)[:：]?")  # "毛孝泉要求…", "他要求…"
# Groups that hand work out (督查组要求…, "监管问责小组要求…", "调研组希望…"): the one who asks, not a unit charged.
_ASKER = r"(?:[\u4e00-\u9fff]{0,8}?组|督查室|督导室)"
_ASKER_RE = re.compile(_ASKER)


def _speaker(span: str) -> re.Match[str] | None:
    """"毛孝泉要求…", "督查组要求…", "他要求…": a person, a group that asks or a pronoun, then 要求/强调/指出."""
    if "要求" not in span and "强调" not in span and "指出" not in span:
        return None
    speaker = _SPEAKER.match(span)
    if speaker and (_is_person(speaker.group(1)) or _ASKER_RE.fullmatch(speaker.group(1))
                    or speaker.group(1) in ("他", "她") or _RELAYS.match(span)):
        return speaker
    return None


# "创建办要求X、Y等有关部门要迅速行动": a unit relaying a charge to others, the charge theirs, not its own.
_RELAYS = re.compile(rf"^[^，,；;。:：]{{1,10}}?{_UNIT_END}要求(?!其)[^，,；;。:：要]{{2,{MAX_UNIT * 2}}}"
                     r"(?<![需主重只必纪概摘提想])要(?![求素点闻件])")


def _unquoted(span: str) -> str:
    """``span`` without the quotes and spaces at its ends that pair with nothing inside it: a name in quotes keeps
    its closing one ("由县“三电办”牵头" -> 县“三电办”)."""
    while True:
        before = span
        span = span.strip(" \t\"'")
        if span.startswith("“") and "”" not in span[1:] or span.startswith("”"):
            span = span[1:]
        if span.endswith("”") and "“" not in span[:-1] or span.endswith("“"):
            span = span[:-1]
        if span == before:
            return span


def _clean_span(span: str) -> str:
    span = _unquoted(span)
    if speaker := _speaker(span):
        span = span[speaker.end():]  # "毛孝泉要求双沟、王集两镇要…": the speaker is not charged
    span = _LEAD_IN.sub("", span)
    if span[:1] in _WHEN_FIRST and (when := _WHEN_LEAD.match(span)):
        span = _LEAD_IN.sub("", span[when.end():])
    # "由X牵头" inside a longer clause ("会议要求由X牵头"): the unit is after the last 由.
    if "由" in span:
        span = span.rsplit("由", 1)[1]
    return _unquoted(span.strip(" \t、"))


def _is_person(name: str) -> bool:
    """相关县领导, 马娜, 副市长张三: a leader or a person's name, not a unit."""
    if _PERSON_TITLE.search(name):
        return True
    titled = _TITLED_NAME.search(name)
    if titled and titled.group(1)[0] in _SURNAMES:
        return True
    return (2 <= len(name) <= 3 and name[0] in _SURNAMES and not re.search(_UNIT_END + "$", name)
            and name[-1] not in "省市区县镇乡村" and name not in _SHORT_DEPARTMENTS
            and not _KIND_OF_BODY.match(name))  # "高校和县退役军人事务部门要…": 高校 is no 高 surname


# Bodies named by their kind, a collective beside named units ("高校和县…部门要…").
_KIND_OF_BODY = re.compile(r"^(?:高校|学校|医院|中小学)$")


# How a span starts that names no unit but what to do or with whom: "会议要求抓紧办理…", "同时与市规划局协调…",
# "涉及防火问题尽快与消防支队沟通" (the unit there is who the work is done with, not who does it).
_NOT_A_NAME = re.compile(r"^(?:与|跟|对|给|涉及|抓紧|尽快|加快|及时|立即|力争|确保"
                         # "鼓励农业经营主体参与…", "广泛发动群众参与…": whom it invites, no unit
                         r"|(?:广泛|积极|充分|大力)?(?:鼓励|引导|动员|发动|吸引|号召))")


# The role a unit is given, written before its name: "由包片单位县幼儿园负责", "陈家坝沿线包片单位县职教中心",
# "由牵头单位市住建局…" (the name is what follows).
_ROLE_BEFORE_NAME = re.compile(r"^[^、，,；;。]{0,12}?"
                               r"(?:包片|包保|包联|挂包|挂点|联系|帮扶|结对|牵头|责任|配合|协办|主办|承办)(?:单位|部门)(?=[^、，,；;。]{2,})")


def _unit_list(span: str, *, phrases: bool = False) -> list[str]:
    """The units of a span that names them, each cut at 等 and stripped of manner words and of a role written
    before its name; persons dropped, and spans that start with what to do or with whom, and (unless ``phrases``:
    a caller that reads the name a phrase starts with) pieces that say what is done rather than who."""
    units = []
    towns = re.search(r"[两三四五六七八九十]+个?(?:镇|乡|区|县)$", span.strip())  # "双沟、王集两镇": not persons
    for unit in _split_units(_MANNER.sub("", without_collective_tail(span))):
        unit = _ETC.sub("", _MANNER.sub("", unit)).strip()
        if (acting := unit.find("作为")) >= 2:
            unit = unit[:acting]  # "区城管局作为管理整治类任务牵头部门": the name, not the capacity it acts in
        if "单位" in unit or "部门" in unit:
            role = _ROLE_BEFORE_NAME.match(unit)
            if role and not _GENERIC.search(unit[role.end():]):
                unit = unit[role.end():]  # the role says the name is a unit's, whatever its ending (县供销社)
        if "等" in unit:
            unit = trim_etc(unit)  # "运管等执法部门": the list's closing tail, whatever the departments are called
        if (0 < len(unit) <= MAX_UNIT and (towns or not _is_person(unit)) and not _UNNAMED.match(unit)
                and not _NOT_A_NAME.match(unit) and (phrases or not names_no_unit(unit))):
            units += _joined_names(name_after_heading(unit))  # "强化…防治市建管中心": a heading run into the name
    # "规划、土地部门": 部门 is what the listed departments are; "市、区自然资源局": one unit per level
    # "秭归县、夷陵区政府": each place's government
    return shared_seat(shared_kind_tail(shared_levels(units)))


def _joined_names(unit: str) -> list[str]:
    """A piece that is a list of names joined by 及/和/与 ("纪检监察及各乡镇") as the names, by the recogniser of
    names (``orgnames``); one name as it is."""
    if not any(w in unit for w in "及和与"):
        return [unit]
    if (party := re.match(r"^(.{2,}?)(?:及|和|与|以及)(.{2,})$", unit)) and _UNNAMED.match(party.group(2)) and (
            is_unit_name(party.group(1))):
        return _joined_names(party.group(1))  # "社区及物业服务企业": an unnamed party joined on is no unit
    names = written_units(unit)
    return names if names and len(names) > 1 and all(is_unit_name(n) for n in names) else [unit]


# How a charged unit's name may end: a unit's word, a district or county ("通川区要…"), not "全区"/"我县".
_NAMED_UNIT = re.compile(rf"(?:{_UNIT_END}|[^全我本各该两三四五六七八九十]{{2,}}[区县])$")


def _names_a_unit(units: list[str], span: str) -> bool:
    """Whether a list read before 要 charges units: one of them is named as a unit, or the text itself calls
    them departments or towns ("公安、应急等部门", "双沟、王集两镇")."""
    if any(re.search(r"了|的|关于|听取|汇报|研究|通报", u) for u in units):
        return False  # "会议听取了X、Y关于…": what the meeting did, not whom it charges
    if re.search(r"等(?:其他)?(?:相关|有关)?(?:职能)?部门|[两三四五六七八九十]+个?(?:镇|乡|区|县)$", span):
        return True
    if "等" in span and trim_etc(span) != span and all(is_unit_name(u) for u in units):
        return True  # "公安、交警、运管等执法部门": short names closed by what kind of departments they are
    if len(units) > 1 and all(is_unit_name(u) for u in units) and sum(not _GENERIC.search(u) for u in units) > 1:
        return True  # "环保、水利、审计以及各街道": a list the recogniser reads as names, two of them named
    # "县住建局（县人防办）": a name with its other name in brackets; "市财政": a level and a department's short name
    # "市公安交警": a level and two short names run together, as the recogniser of names reads them
    # "工会组织": a body's short name closed by 组织
    return any((_NAMED_UNIT.search(_BRACKETED.sub("", u)) or _LEVEL_SHORT.match(u) or short_name_with_level(u)
                or short_name_organisation(u))
               and not _GENERIC.search(u) for u in units)


# Words that follow a unit's name and start what it is to do ("县住房城乡建设局设置办公室", "请海航集团结合…").
_VERB = (r"(?:设置|设立|开展|负责|牵头|统筹|推进|做好|抓好|抓紧|尽快|对|将|把|按照|根据|加强|加大|加快|建立|成立|结合|"
         r"协调|研究|制定|提出|落实|完成|实施|并|在|要|于|会同|配合|协助|认真|进一步|立即|及时|不断|持续|切实)")
# The units another supports, up to what they are to do: "配合各镇做好…" -> 各镇.
_SERVED = re.compile(rf"^(.{{1,{MAX_UNIT}}}?{_UNIT_END})"
                     r"(?=(?:尽快|抓紧|及时|加快|全力|第一时间|立即|迅速|全面|深入)*"
                     r"(?:做好|抓好|开展|完成|推进|实施|落实|摸排|排查|核查|调查|清查|清理|整治|处置))")
_LEADING_UNITS = re.compile(rf"^(.{{1,{MAX_UNIT * 2}}}?{_UNIT_END})(?={_VERB})")


def _leading_units(text: str) -> list[str]:
    """The units a phrase starts with, up to the first unit name followed by what it is to do."""
    m = _LEADING_UNITS.match(text)
    return _unit_list(m.group(1)) if m else []


_AS_ROLE = re.compile(rf"({_UNIT_END})(?:作为|为|是)$")
# A span that opens with whom the work is done with ("积极与X配合", "主动同Y协作"): the subject is written before.
_WITH_WHOM = re.compile(r"^(?:积极|主动|要|并|密切|加强|及时|全力)*(?:与|同|跟)")


def _units_before(clause: str, word: str) -> list[str]:
    """The units written before ``word`` in ``clause`` ("由X、Y牵头" -> [X, Y])."""
    span = _MODAL.sub("", _MANNER.sub("", _clean_span(clause.split(word, 1)[0])))  # "由X、Y将牵头"
    if _WITH_WHOM.match(span):
        return []  # "积极与公安和街道相关科室配合": whom the unit charged works with, no unit of this role
    span = _AS_ROLE.sub(r"\1", span)  # "县住建局为牵头单位"
    if not span or len(span) > MAX_UNIT * 3:
        return []
    units = _unit_list(span, phrases=True)
    if len(units) == 1 and len(units[0]) > 8 and not re.search(_UNIT_END + "$", units[0]):
        # "县住房城乡建设局设置办公室并负责总(牵头)": the unit named at the start of a longer phrase.
        return _leading_units(units[0]) or [u for u in units if not names_no_unit(u)]
    return [u for u in units if not names_no_unit(u)]


# What a clause says of the names it describes that is a report, not a description ("会议听取了X的汇报").
_REPORTS = re.compile(r"了|听取|汇报|关于|研究|通报|提出|反映|表扬|批评|肯定|会议|对$")
_DESCRIBED_THEN_YAO = re.compile(r"((?:^|(?<=[。；;，,：:\n]))[^，,；;。：:\n]{2,80}的[^，,；;。：:\n的]{2,80})[，,]"
                                 r"(?=\s*(?:要|应当|务必|必须))")


def _described_names(span: str) -> list[str]:
    """The names after the last 的 of ``span`` when the words before it describe them ("承担拆迁任务的X、Y",
    "进度滞后的X"): the recogniser reads each as a name and one of them names a unit; else []."""
    head, _, tail = span.rpartition("的")
    if not head or _REPORTS.search(head):
        return []
    names = written_units(tail)
    if not names or not all(is_unit_name(n) for n in names) or all(_GENERIC.search(n) for n in names):
        return []
    if any(re.search(r"(?:单位|部门|企业|机构)$", _BRACKETED.sub("", n)) for n in names):
        return []  # "本次公布的重大隐患单位": a class of units the text describes, not names
    return names


def _modified_names(span: str) -> str:
    """``span`` as the names it describes, when it describes names ("涉及征地的青龙镇" -> "青龙镇"); as it is else."""
    names = _described_names(span)
    return span[span.rfind("的") + 1:] if names else span


def _units_charged(clause: str) -> list[str]:
    """"X、Y要…" / "请X…" / "要求X…": the units the clause charges, when one of them names a unit."""
    by_word = (re.match(rf"^(?:[0-9]{{1,2}}[.．、])?(?:并|同时|还|另外)?(?:会议|{_ASKER})?(?:请|要求|责成|希望)",
                        clause.strip())
               or ((speaker := _speaker(clause.strip())) and speaker.group(0).endswith("要求")))
    clause = _clean_span(clause)
    m = _CHARGED.search(clause)
    span = ""
    if m and 0 < m.start() <= MAX_UNIT * 2:
        span = clause[: m.start()]
        if span[-1:] in _WHEN_ENDS:
            span = _WHEN.sub("", span)  # "X12月15日前要…"
        span = _MODAL.sub("", span)  # "工信委等单位一定要…"
        if "时" in span or "期间" in span or "之际" in span:
            span = _WHILE.sub("", span)  # "X在审批商业网点时要…": when, written between who and 要
        if "的" in span:
            span = _modified_names(span)  # "承担拆迁任务的城北办事处、城南办事处要…": the names the clause describes
        units = _unit_list(span, phrases=True)
        if any(names_no_unit(u) for u in units):
            return []  # "餐厅、超市的常用送货车要…": a list with a piece that is no name is no list of units
        if _ETC.search(span) and re.search(r"等.*(?:部门|单位)$", span):
            # "公安、应急等部门要…": short names, departments; a collective named beside them is charged with them
            # ("各村(居)委会、村建、国土等相关部门要…"), as everywhere a named unit stands beside it, and so is a bare
            # collective joined to the named ones ("交通、水务、电力及乡镇等部门要…")
            named = [u for u in units if not _GENERIC.search(u)]
            return [u for u in units if u in named or (named and is_unit_name(u) and (
                u.startswith("各") or _BARE_COLLECTIVE.match(u) and re.search(rf"(?:及|和|与){u}", span)))]
    elif by_word:
        units = _leading_units(clause) or _asked_units(clause)
    else:
        return []
    if not units or not _names_a_unit(units, span or clause):
        return []
    if all(_GENERIC.search(u) for u in units):
        return []  # "各相关部门要…": an exhortation, not a charge
    return units


def _year_of(text: str) -> int | None:
    m = re.search(r"(20[0-9]{2})\s*年", _years_as_digits(ascii_digits(text[:400]), None))  # or 二〇二六年
    return int(m.group(1)) if m else None


_INLINE_ITEM = re.compile(r"(?<=[。；;：:])\s*"
                          r"(?=(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]))")


_TABLE = "\0table"
_RECORDS = "\0records"
_BRACKETED = re.compile(r"[（(]([^（）()]*)[）)]$")


def _not_persons(units: list[str]) -> list[str]:
    """A unit column's names without the persons in it: "区住建局（张三）" -> 区住建局, "李四" dropped."""
    out = []
    for unit in units:
        m = _BRACKETED.search(unit)
        if m and all(_is_person(p) for p in re.split(r"[、，,\s]+", m.group(1)) if p):
            unit = unit[: m.start()].strip()
        if unit and not _is_person(unit):
            out.append(unit)
    return _dedupe(out)


# A column that schedules the work ("工作举措及实施计划", "进度安排", "时间节点") where a table has no deadline column.
_SCHEDULE_HEADER = re.compile(r"计划|进度|时间安排|时间节点|节点安排|推进安排")


def _table_of(tables: list, line: int):
    """The table (of those read in one run of rows) whose header is the last before ``line``."""
    return max((tb for tb in tables if tb.line <= line), key=lambda tb: tb.line, default=None)


def _schedule_cells(table, row: Row | None) -> str:
    """The row's cells under a schedule column of a table that has no deadline column."""
    if table is None or row is None or "deadline" in table.roles:
        return ""
    return "；".join(row.cells[c] for c, (header, role) in enumerate(zip(table.headers, table.roles, strict=False))
                    if c < len(row.cells) and role not in ("task", "num") and _SCHEDULE_HEADER.search(header))


# A unit cell that says who leads or helps: "县住建局（牵头）、县财政局", "★县住建局", "X牵头，Y配合".
_ROLE_MARKED = re.compile(r"牵头|主办|配合|协助|协办|参与|★")


def _resp_cell(tables: list, row: Row | None, line: int) -> str:
    """The row's 责任单位 cell ("" when the row or the column is not found)."""
    table = _table_of(tables, line)
    if table is None or row is None or "resp" not in table.roles:
        return ""
    col = table.roles.index("resp")
    return row.cells[col] if col < len(row.cells) else ""


# A deadline cell that gives the whole year as the work's span ("全年", "2025年全年"), not a point it is due by.
_WHOLE_YEAR = re.compile(r"^(?:20[0-9]{2}年)?全年(?:度)?(?:内?持续|推进|实施)?$")


def _table_deadline(task, year: int | None, meeting: date | None, schedule: str = "") -> dict:
    """A table row's deadline: its deadline cell (a date, or words relative to the meeting: "会后一周内"), else
    the latest point its schedule cells ("11月底前…竣工交付") or its text name; none for a cell that gives the
    whole year ("全年": work through the year, not a point)."""
    if task.deadline_text and _WHOLE_YEAR.match(re.sub(r"\s+", "", task.deadline_text)):
        return {"deadline": None, "relative": ""}
    if not task.deadline_text:
        deadline, relative = _deadline(task.text, year, meeting)
        if schedule and (later := _deadline(schedule, year, meeting))[0] and (not deadline or later[0] > deadline):
            deadline, relative = later
    elif task.deadline:
        deadline, relative = task.deadline, ""
    else:
        # a cell the table reader could not read as one point ("…1月底前完成；其它事项12月底前取得明显成效并长期坚持"):
        # the latest point it names, as a decision's text is read, else words relative to the meeting
        deadline, relative = _deadline(task.deadline_text, year, meeting)
        if not deadline and not relative:
            deadline, relative = relative_deadline(task.deadline_text, meeting)
            relative = "" if deadline else relative
    return {"deadline": deadline, "relative": relative}


def _table_decisions(text: str, year: int | None,
                     meeting: date | None = None) -> tuple[list[str], dict[int, list[ParsedDecision]]]:
    """The document's lines as the shared table reader normalises them, and {line: decisions} for each 交办/督办
    table in it (pipes, tabs, spaced columns, one cell per line): a table's first line maps to one decision
    per row (its columns read by header: task text, 牵头/责任/配合 units, 责任人/领导 persons, deadline), every
    other line of it to []. Only tables whose header names their columns are read; anything else is prose."""
    blocks, lines = to_blocks(text)
    paragraph_lines = {n for b in blocks if isinstance(b, Para) for _offset, n in b.segs}
    out: dict[int, list[ParsedDecision]] = {}
    i = 0
    while i < len(blocks):
        if isinstance(blocks[i], Para):
            i += 1
            continue
        j = i
        while j < len(blocks) and isinstance(blocks[j], Row):
            j += 1
        run = blocks[i:j]
        results = TableParser(year=year, known=set(), warnings=[]).feed(run)
        tasks = [t.task for t in results.tasks if t.task.lead_units or t.task.supporting_units]
        if tasks and results.tables and not any(t.inferred for t in results.tables):
            roles = {r for table in results.tables for r in table.roles}
            first = run[0].line
            rows = {r.line: r for r in run}
            if "resp" in roles and not roles & {"lead", "support"}:
                for t in tasks:  # a lone 责任单位 column: every unit it names is charged (the minutes' convention),
                    if not _ROLE_MARKED.search(_resp_cell(results.tables, rows.get(t.line), t.line or first)):
                        t.lead_units, t.supporting_units = t.lead_units + t.supporting_units, []
                    # unless the cell says who leads ("县住建局（牵头）、县财政局", "X牵头，Y配合")
            last = (blocks[j].line - 1) if j < len(blocks) else len(lines)
            out.update({n: [] for n in range(first, last + 1) if n not in paragraph_lines})
            out[first] = [ParsedDecision(
                text=t.text.replace("\n", " "), lead_units=_not_persons(t.lead_units),
                supporting_units=[u for u in _not_persons(t.supporting_units) if u not in t.lead_units],
                **_table_deadline(t, year, meeting,
                                  _schedule_cells(_table_of(results.tables, t.line or first), rows.get(t.line))),
                line=t.line or first)
                for t in tasks]
        elif form := _form_decision(run, year, meeting):
            last = (blocks[j].line - 1) if j < len(blocks) else len(lines)
            out.update({n: [] for n in range(run[0].line, last + 1) if n not in paragraph_lines})
            out[run[0].line] = [form]
        i = j
    return lines, out


# The fields of a 交办单 form by the table reader's role of their name, written as the prose fields are.
_FORM_FIELDS = {"lead": "牵头单位", "resp": "责任单位", "support": "配合单位"}


def _form_decision(run: list, year: int | None, meeting: date | None) -> ParsedDecision | None:
    """The decision of a 交办单 laid out as a form, one or two name | value pairs a row ("交办事项 | …",
    "牵头单位 | X | 配合单位 | Y", "完成时限 | …"; 交办单位, 交办时间, 办理要求 and the like are not read): the names
    by the table reader's header vocabulary (``tables.column_role``), the units and the deadline as the same
    fields written in prose. None when the rows are not such a form (a name cell is long, or no 事项 or no unit)."""
    fields: list[tuple[str, str]] = []  # (role, value)
    for row in run:
        cells = [c.strip() for c in row.cells]
        while cells and not cells[-1]:
            cells.pop()
        cells += [""] * (len(cells) % 2)
        for name, value in zip(cells[0::2], cells[1::2], strict=True):
            if len(name) > 12:
                return None  # a sentence where a name should be: not a form
            role = column_role(name)
            if value and role in ("task", "deadline", *_FORM_FIELDS):
                fields.append((role, value))
    roles = {role for role, _value in fields}
    if "task" not in roles or not roles & set(_FORM_FIELDS):
        return None
    text = " ".join(value for role, value in fields if role == "task")
    leads, supporting = _who("；".join(f"{_FORM_FIELDS[role]}：{value}" for role, value in fields
                                      if role in _FORM_FIELDS))
    due = "；".join(f"完成时限：{value}" for role, value in fields if role == "deadline")
    deadline, relative = _deadline(due or text, year, meeting)
    return ParsedDecision(text=text, lead_units=_not_persons(leads), supporting_units=_not_persons(supporting),
                          deadline=deadline, line=run[0].line, relative=relative)


# A page number printed in the text ("— 3 —", "- 12 -", "第 3 页"): not part of the paragraph it interrupts.
_PAGE_NUMBER = re.compile(r"^(?:[—\-－–_\s]*[—\-－–][—\-－–\s]*[0-9]{1,3}[—\-－–\s]*"
                          r"|第\s*[0-9]{1,3}\s*页(?:\s*共\s*[0-9]{1,3}\s*页)?)$")


# A line that opens a block with a label of its own, no field of who or when: "存在问题：…", "问题：…".
_OTHER_LABEL = re.compile(r"^[\u4e00-\u9fff]{2,6}\s*[:：]")


def _captions(lines: list[str], n: int) -> bool:
    """Whether line ``n`` (1-based) is the caption of the block below it (a place, "黄龙街县医院路段", then
    "存在问题：…"), not the rest of a field's value wrapped onto its own line."""
    for raw in lines[n:]:
        if raw.strip():
            below = raw.strip()
            return bool(_OTHER_LABEL.match(below)) and not _FIELD_LINE.match(below) and not _LABEL.match(below)
    return False


# Units alone in brackets after a numbered problem's sentence ("一、…长期占道停放。(交警大队)", "二、…非法营运车辆多。
# （运管所、执法大队）"): who answers for it, as "（责任单位：…）" would say (not a news paragraph's "(宣传部)" byline).
_BRACKETED_NAMES = re.compile(r"(?<=[。；;!！])\s*[（(]([^（）()：:，,。；;]{2,120})[）)]\s*$")


def _names_in_brackets(line: str) -> str | None:
    """The units a numbered problem line ends with in brackets, if it ends with units alone."""
    if (names := _BRACKETED_NAMES.search(line)) and (units := _split_units(names.group(1))) and all(
            _ENDS_AS_UNIT.match(u) and not _GENERIC.search(u) and not _is_person(u) for u in units):
        return names.group(1)
    return None


# A numbered heading on a line of its own ("2、工作上要抓紧部署", "（一）道路交通领域"): short, no punctuation. The
# paragraph under it is read after a colon, so the heading's words run into no name or clause of it.
_HEADING_LINE = re.compile(r"^[^，,、；;。:：!！?？（）()]{2,16}$")


# A caption that says who answers for the numbered problems under it, the field in brackets at its end ("三义街社区
# (责任单位:荆州区西城街道办事处三义街社区)", "胜利街道办:(责任单位:…)", "一﹑…植物园社区 (责任单位:植物园社区)"), as an
# 曝光台's problem list gives them: the place, then the units.
_CAPTION_FIELD = re.compile(r"^([^，,；;。!！?？（）()]{2,40}?)\s*[:：]?\s*"
                            r"[（(]\s*(?:问题)?(?:整改)?责任(?:单位|部门)\s*[:：]\s*([^（）()：:，,。；;]{2,120})[)）]$")


def _caption_units(lines: list[str], n: int, line: str) -> str | None:
    """The units of a caption line (``line``, line ``n`` 1-based, its numbering still on it) when numbered items
    numbered otherwise follow it at once: the caption heads their block."""
    m = _CAPTION_FIELD.match(_NUMBERED.sub("", line, count=1).strip())
    if not m:
        return None
    kind = _numbering_kind(line)
    for raw in lines[n:]:
        if below := raw.strip():
            return m.group(2) if _NUMBERED.match(below) and _numbering_kind(below) != kind else None
    return None


def _segments(lines: list[str], tables: dict[int, list[ParsedDecision]], year: int | None = None,
              meeting: date | None = None) -> list[tuple[int, str]]:
    """(first line number, text) of each numbered paragraph; unnumbered lines join the one above, or stand
    alone when nothing numbered came before. A table read by the table reader is one ``_TABLE`` segment."""
    out: list[tuple[int, str]] = []
    numbered = False
    fields = False  # the segment above ends with a field line
    closed = False  # the segment above ends with a bracketed field line: what follows starts afresh
    block = opened = 0  # the first segment after the last one that fields closed; the block fields now close
    items: set[int] = set()  # the segments that start at a numbered line
    heading = False  # the segment above is a numbered heading alone on its line, nothing joined to it yet
    caption: tuple[int, str] | None = None  # (index in out, units) of the caption whose problems are being read
    captioned: list[tuple[int, str]] = []
    for n, raw in enumerate(lines, start=1):
        line = raw.strip()
        if n in tables:
            if tables[n]:
                out.append((n, _TABLE))
                numbered = False  # what follows the table starts afresh
            continue
        if not line or _PAGE_NUMBER.match(line):
            continue
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        was_heading, heading = heading, False
        if units := _caption_units(lines, n, line):
            # "三义街社区(责任单位:X)" / "1、…" / "2、…": the problems under the caption are one decision of X
            out.append((n, _NUMBERED.sub("", line, count=1).strip()))
            caption = (len(out) - 1, units)
            captioned.append(caption)
            numbered, fields, closed = False, False, True
            continue
        if caption is not None:
            if _NUMBERED.match(line):
                at = caption[0]
                item = _NUMBERED.sub("", line, count=1).strip()
                sep = " " if re.search(r"[)）。；;]$", out[at][1]) else "；"
                out[at] = (out[at][0], out[at][1] + sep + item)
                continue
            caption = None
        # Items run together on one line, as web pages give them: "…会议。 一、要… 二、加快…".
        pieces = _INLINE_ITEM.split(line)
        if len(pieces) > 1:
            out += [(n, p.strip()) for p in pieces[:1] if p.strip()]
            out += [(n, _NUMBERED.sub("", p.strip(), count=1).strip()) for p in pieces[1:] if p.strip()]
            numbered, fields = True, False
            continue
        if _NUMBERED.match(line) and line[-1] in "）)" and (names := _names_in_brackets(line)):
            # a problem closed by its units in brackets: one decision, as written; what follows starts afresh
            text = _NUMBERED.sub("", line, count=1).strip()
            leads, supporting = _who(f"责任单位：{names}")
            tables[n] = [ParsedDecision(text=text, lead_units=leads, supporting_units=supporting, line=n,
                                        **dict(zip(("deadline", "relative"), _deadline(text, year, meeting),
                                                   strict=True)))]
            out.append((n, _TABLE))
            numbered, fields, closed = False, False, False
        elif _NUMBERED.match(line):
            numbered, fields, closed = True, False, False
            items.add(len(out))
            out.append((n, _NUMBERED.sub("", line, count=1).strip()))
            # not "（一）县住建局" (who the paragraph is for), nor the start of a sentence charging units
            heading = bool(_HEADING_LINE.match(out[-1][1])) and not is_unit_name(out[-1][1]) and not any(
                _who(out[-1][1]))
        elif out and out[-1][1] != _TABLE and _BRACKETED_FIELD_LINE.match(line):
            # "富丽城工地 - …乱丢乱放。" / "（责任单位：住建局）": who answers for the item above, even after its 。
            out[-1] = (out[-1][0], out[-1][1] + line)
            closed = True
        elif out and out[-1][1] != _TABLE and not closed and (
                (field_line := _FIELD_LINE.match(line))
                or (fields and (re.search(r"[、，,：:]$", out[-1][1])
                                or (_WRAPPED_END.match(line) and not _captions(lines, n))))
                or (numbered and not fields and not re.search(r"[。；;]$", out[-1][1]))):
            # A paragraph broken over lines, the fields under it (numbered or not), or a field's value wrapped
            # onto the next line ("责任单位：A、B、" / "C", "完成时限：9月" / "底前"); after the fields, a line that
            # continues no value starts afresh.
            if field_line and not fields:
                opened = block  # where the block these fields close began
            if field_line and line.startswith(("整改", "问题整改")):
                # "1.…；2.…。" / "整改责任单位：X" / "整改时限：…": the problems since the last fields are one block
                first = len(out) - 1  # back over the numbered problems, not over a heading or an introduction
                while first - 1 >= opened and first - 1 in items and not _LABEL.search(out[first - 1][1]) and not any(
                        _who(out[first - 1][1])):
                    first -= 1
                if first < len(out) - 1:
                    out[first:] = [(out[first][0], " ".join(text for _n, text in out[first:]))]
            sep = "；" if field_line and not re.search(r"[。；;、，,：:]$", out[-1][1]) else ""
            if was_heading and not field_line and not fields and len(line) > len(out[-1][1]) + 4:
                sep = "："  # "2、工作上要抓紧部署" / "农业部门要…": a heading, then the paragraph under it
            out[-1] = (out[-1][0], out[-1][1] + sep + line)
            if field_line:
                fields = True
                block = len(out)
        else:
            out.append((n, line))
            fields, closed = False, False
    for at, units in captioned:
        n, text = out[at]
        leads, supporting = _who(f"责任单位：{units}")
        tables[n] = [ParsedDecision(text=text, lead_units=leads, supporting_units=supporting, line=n,
                                    **dict(zip(("deadline", "relative"), _deadline(text, year, meeting), strict=True)))]
        out[at] = (n, _TABLE)
    return out


# A page flattened onto one line, spaces where its lines broke ("…杂物; 整改责任单位:X 整改时限:8月13日前 1.…"):
# where a line holds two 责任单位 fields or more, a field, a numbered item, and what follows a field's value start
# lines of their own.
_FLAT_FIELD = r"(?:整改)?(?:责任|牵头|配合)(?:单位|部门)|(?:整改|完成)?时限"
_FLAT_BREAK = re.compile(rf"((?:{_FLAT_FIELD})\s*[:：]\s*\S+)\s+"
                         rf"|\s+(?=(?:{_FLAT_FIELD})\s*[:：]|[0-9]{{1,2}}[.．、](?![0-9]))")


def _unflattened(text: str) -> str:
    if text.count("责任单位") < 2:
        return text
    lines = text.split("\n")
    for k, line in enumerate(lines):
        if len(re.findall(r"责任单位\s*[:：]", line)) >= 2:
            lines[k] = _FLAT_BREAK.sub(lambda m: f"{m.group(1)}\n" if m.group(1) else "\n", line)
    return "\n".join(lines)


# A character of the units a clause starts with: not 的/了, which describe ("需要区委、区政府协调解决的问题").
_NAMING = "[^的了]"


# A heading that says whose duty the items under it are: "一、属住建局职责范围：", "（二）属于城关镇管辖范围的问题".
_DUTY_HEADING = re.compile(rf"^(?:属于?|归)({_NAMING}{{2,{MAX_UNIT}}}?{_UNIT_END})的?(?:职责|职能|管辖|管理|监管)范围"
                           r"(?:内|的问题|问题)?[:：]?")


def _numbering_kind(line: str) -> str:
    """How a numbered line is numbered, digits aside ("一、" and "二、" alike; "（一）" and "1." not)."""
    m = _NUMBERED.match(line)
    return re.sub(r"[0-9]+", "0", re.sub(r"[一二三四五六七八九十]+", "一", m.group(0).strip())) if m else ""


def _duty_blocks(segments: list[tuple[int, str]], lines: list[str], tables: dict[int, list[ParsedDecision]],
                 year: int | None, meeting: date | None) -> list[tuple[int, str]]:
    """Segments with each heading "属X职责范围：" and the numbered items under it (the problems X is to put right, up
    to the next heading numbered as it is) made one decision of X, put in ``tables`` under the heading's line."""
    out: list[tuple[int, str]] = []
    k = 0
    while k < len(segments):
        line, segment = segments[k]
        heading = _DUTY_HEADING.match(segment) if segment != _TABLE and "范围" in segment else None
        kind = _numbering_kind(lines[line - 1]) if heading else ""
        if not kind:
            out.append((line, segment))
            k += 1
            continue
        body = [segment]
        k += 1
        while k < len(segments) and segments[k][1] != _TABLE and (
                below := _numbering_kind(lines[segments[k][0] - 1])) and below != kind:
            body.append(segments[k][1])
            k += 1
        text = " ".join(body)
        leads, supporting = _who(f"责任单位：{heading.group(1)}")
        tables[line] = [ParsedDecision(text=text, lead_units=leads, supporting_units=supporting,
                                       line=line, **dict(zip(("deadline", "relative"),
                                                             _deadline(text, year, meeting), strict=True)))]
        out.append((line, _TABLE))
    return out


# A numbered heading that is only the name of who answers for the items under it, with their count
# ("（一）城南街道（5处）", "2.县交通运输局：", "（三）东城区、西城区（共8个问题）"): a 责任单位 field for each of them.
_UNIT_HEADING = re.compile(rf"^([^，,；;。:：\s的了]{{2,{MAX_UNIT}}}?)\s*"
                           r"(?:[（(]\s*共?[0-9一二三四五六七八九十]+\s*(?:个|处|条|项|件)?(?:问题)?\s*[)）])?\s*[:：]?$")


def _heading_units(segment: str) -> list[str]:
    """The units a numbered heading names and nothing else, or []."""
    m = _UNIT_HEADING.match(segment) if segment != _TABLE and len(segment) <= MAX_UNIT + 12 else None
    if not m:
        return []
    units = _unit_list(m.group(1))
    if units and all(_NAMED_UNIT.search(u) and not _GENERIC.search(u) for u in units):
        return units
    return []


def _unit_headings(segments: list[tuple[int, str]], lines: list[str], tables: dict[int, list[ParsedDecision]],
                   year: int | None, meeting: date | None, addressee: str = "") -> list[tuple[int, str]]:
    """Segments with each numbered item under a line that says whom the items are for made a decision of those
    units, put in ``tables`` under the item's line: the items numbered as the first one below it, up to one numbered
    otherwise. Such a line is a heading that names units alone ("（一）城南街道（5处）", or unnumbered with a colon:
    "县住建局（3项）："), a demand made of units ("会议对县城管局提出三点要求："), or, where the text's opening
    names the unit a visit or meeting was held at (``addressee``), a requirement's lead-in ("他要求：", "会议强调：").
    An item
    that itself charges units with a sentence keeps them; a place written before a colon ("东风市场：…") is where,
    not who. Not in a text that names who answers in fields ("问题整改责任单位：X"): there a heading is the place
    inspected ("5. 市第一人民医院"). The heading or lead-in is no decision of its own once its items are."""
    out: list[tuple[int, str]] = []
    fielded: bool | None = None  # whether the text names who answers in fields (looked up once, when needed)
    k = 0
    while k < len(segments):
        line, segment = segments[k]
        kind = _numbering_kind(lines[line - 1]) if segment != _TABLE else ""
        units = _items_for(segment, kind, addressee)
        if units and fielded is None:
            fielded = any(_LABEL.search(x) for x in lines)
        units = [] if fielded else units
        below = _numbering_kind(lines[segments[k + 1][0] - 1]) if units and k + 1 < len(segments) else ""
        if not below or below == kind or segments[k + 1][1] == _TABLE:
            out.append((line, segment))
            k += 1
            continue
        out.append((line, segment))
        at, charged = len(out) - 1, False
        k += 1
        while k < len(segments) and segments[k][1] != _TABLE and _numbering_kind(
                lines[segments[k][0] - 1]) == below:
            item_line, item = segments[k]
            own = _who(re.sub(r"^[^，,；;。:：]{2,30}[:：]", "", item))[0]
            if own:
                out.append((item_line, item))
            else:
                charged = True
                leads, supporting = _who(f"责任单位：{'、'.join(units)}")
                if item_line not in tables:
                    out.append((item_line, _TABLE))
                tables.setdefault(item_line, []).append(ParsedDecision(
                    text=item, lead_units=leads, supporting_units=supporting, line=item_line,
                    **dict(zip(("deadline", "relative"), _deadline(item, year, meeting), strict=True))))
            k += 1
        if charged:
            del out[at]  # the heading or lead-in says whom the items are for: no decision of its own
    return out


# A requirement's lead-in at a line's end: "他要求：", "会议强调：", "提出如下要求：".
_ASKS_BELOW = re.compile(r"(?:要求|强调|指出|提出|明确)[^，,；;。:：]{0,8}[:：]$")


def _items_for(segment: str, kind: str, addressee: str) -> list[str]:
    """The units the numbered items below ``segment`` are for ([] when it says of none): a numbered heading, or one
    with a colon, that names units alone; a demand made of units; a requirement's lead-in, of the addressee."""
    if segment == _TABLE:
        return []
    colon = segment.rstrip()[-1:] in ("：", ":")
    if (kind or colon) and (units := _heading_units(segment)):
        return units
    if not colon:
        return []
    if "提出" in segment and (demands := _DEMANDS_OF.search(segment)) and _names_a_unit(
            named := _unit_list(demands.group(1)), ""):
        return named
    if addressee and _ASKS_BELOW.search(segment):
        return [addressee]
    return []


# Where the work is done, then what is done ("在每个考点组织…", "在主要路口设置…"), not what was done there.
_AT_THEN_WORK = (r"(?<!所)在(?!地)[^，,；;。了的]{1,12}?(?:组织|设立|设置|建立|开展|安排|做好|加强|配备|组建|增设)"
                 r"(?![了过])")
# A clause that starts with the units it charges and what they are to do, without 要: "县国土局根据…，及时完善…",
# "城东办一周内完成…", "九重镇落实", the duties a meeting fixes ("住建局统筹协调全局；应急局严管…").
_CHARGE_START = re.compile(
    # a school by its number ("六中制定搬迁方案，四中制定承接方案") is named as a unit is
    # a school by its name when it undertakes something ("实验小学表示，将…"; as a heading, "X小学:", it is the
    # project's site)
    rf"^({_NAMING}{{1,{MAX_UNIT * 2}}}?{_UNIT_END}|[一二三四五六七八九十]{{1,2}}[中小]"
    rf"|[^，,；;。:：的了]{{1,12}}?(?<![初高])(?:小学|中学)(?=表示|将))"
    # "X、Y等部门进一步强化…", "…全力做好…": a manner word, then the work
    r"(?=(?:进一步|全力|切实|认真|积极|继续|全面|持续|坚决|具体|举全?[\u4e00-\u9fff]{1,3}之力|集中力量|全力以赴)?"
    r"(?:根据|按照|督促|协调|指导|尽快|抓紧|立即|及时|加快|做好|抓好"
    rf"|{_AT_THEN_WORK}"
    r"|统筹|制定(?!了)|拟定(?!了)"
    r"|严管|严控|严查|(?:审核|审查|复核|汇总)(?![了的])"  # "学工办审核把关并将评定结果予以公示"
    r"|责令(?![了过])"  # "县监督站责令施工单位立即整改": the unit that orders a party to put things right
    r"|从[^，,；;。]{1,12}?(?:严控|严管|严查|把关)"
    r"|对[^，,；;。]{1,30}?(?:进行|实行|实施)(?![了过])"  # "财务处对在建项目资金进行专项管理"
    r"|(?:分别|各自|共同)?负责(?!人|同志|制(?![定订]))|落实$|实施$|承办$|[0-9一二三四五六七八九十两]+个?(?:天|日|周|个工作日|个月)内"
    # "县国资公司承担项目融资，县财政局予以贴息": what a unit takes on or grants
    r"|承担(?![了的过])|予以|给予(?![了的过])"
    # "县城管局年底前完成…", "城东办5月20日前拿出方案": by when, then the work
    # "县税务局于11月30日前联合开展…", "县住建局将于9月底前完成…": by when (於/在/将于 before it), then the work
    r"|(?:将于|将在|于|在)?(?:(?:20[0-9]{2}年)?[0-9]{1,2}月(?:[0-9]{1,2}[日号]|底|份|上旬|中旬|下旬)?|年底|年内|本月底"
    r"|本月内|月底)(?:之前|以前|前|内)?(?:全面|全部|联合|组织|集中)?(?:完成|办结|建成|到位|拿出|提交|上报|启动|开展|开工"
    r"|完工|实施|出台|制定)"
    # "县公安局加强巡逻防控": what a unit is to strengthen, improve or organise
    r"|加强(?!了)|加大(?!了)|强化(?!了)|完善(?!了)|组织开展(?!了)"
    # "…不配合的，纪委跟进追究": what a unit is to pursue when the condition written before it is met
    r"|跟进(?:追究|问责|督办|查处)|(?:严肃)?追究(?![了的过])|(?:严肃)?问责(?![了的过])"
    # "交通运输、公安交管部门关注道路结冰…": what a department is to watch (not "社会关注、群众关心")
    r"|(?:(?<=部门|单位|中心)|(?<=[局委办队站所]))(?:密切|重点)?关注(?![了的过])"
    # "X表示将抽调人手…", "X将协调Y做好…": what a unit undertakes at the meeting
    r"|表示[，,]?\s*将(?!来|近)|将(?:协调|统筹|组织|抽调|增派|加强|加大|开展|做好|督促|牵头|安排|落实|负责)"
    r"))")
# "气象部门精准传递…，交通、交警部门全员上岗…": departments' short names closed by 部门, then (no 要) the work they
# do; not what they are or attend ("…等部门负责人参加", "住建部门相关人员").
_SHORT_ANY = "|".join(sorted(set(SHORT_NAMES), key=len, reverse=True))
_KIND_START = re.compile(
    rf"^((?:[省市县区]级?)?(?:{_SHORT_ANY})(?:[、和及与](?:{_SHORT_ANY}))*部门)"
    rf"(?!负责|相关|关于|职|主要|汇报|参加|出席|陪同|领导|人员|工作人员|同志|干部|的|是|为|在(?!{_AT_THEN_WORK})|和|与|及"
    r"|、|等|要|应|须|将|已"
    r"|正|均|也|都|还|对于|从|被|联合|配合|协助)(?=[\u4e00-\u9fff]{2})")
# "市财政要…": a level and a department's short name is a unit's name.
_LEVEL_SHORT = re.compile(rf"^(?:[省市县区]级?)(?:{'|'.join(sorted(_SHORT_DEPARTMENTS, key=len, reverse=True))})$")
# "区财政安排…经费": a level and a department's short name, then what it is to do.
_SHORT_START = re.compile(rf"^((?:[省市县区]级?)(?:{'|'.join(sorted(_SHORT_DEPARTMENTS, key=len, reverse=True))}))"
                          r"(?=安排|保障|拨付|落实|负责|牵头|做好|抓好|统筹|增加|加大|给予"
                          # "县财政在去年的基础上，增加…": what it builds on, then (after the comma) what it does
                          r"|在[^，,；;。]{1,12}(?:基础上|之上))")
# "X要(密切)配合…": X supports; "X要会同/联合Y…": X leads, Y supports.
_SUPPORT_AFTER_YAO = re.compile(r"^(?:积极|主动|全力|密切|紧密|协同|相互|全面|切实)*(?:配合|协助|协同|参与|协办)")
_WITH = re.compile(r"(?:会同|联合)")
# A clause that opens with 协同 before the units the lead named before works with ("…牵头，协同疾控、教育等部门").
_WORKS_WITH = re.compile(r"^(?:并|同时|要)?协同(?!配合|推进|作战|联动|治理|监管|共治|发展|办公|工作)")
# 联合 naming partners, not a joint action or body ("联合执法", "联合体"); 结合 naming partners, not "结合实际".
_JOINED_BY = r"联合(?!执法|检查|调查|督查|督导|巡查|整治|办公|工作|指挥|行动|体|会|社|站|队|组|党)"
_COMBINED_WITH = r"结合(?!实际|自身|本|各自|当地|工作|自己)"
_JOINS = re.compile(_JOINED_BY)
# A clause that opens with the partners of the unit charged before it ("…，联合X做好预测预报", "…，会同Y开展…",
# "…，结合交警做好…"; not "结合实际").
_PARTNERS_FIRST = re.compile(rf"^(?:并|同时|要|积极|主动)*(?:会同|{_JOINED_BY}|{_COMBINED_WITH})")
# "…，结合Y做好…": Y (a unit the recogniser reads as a name) works with the unit charged before.
_COMBINED = re.compile(rf"^\s*(?:并|同时|要|积极|主动)*{_COMBINED_WITH}")
# "X要(做好/负责)牵头…": X is named as the one who leads the others.
_HEADS = re.compile(r"^(?:做好|负责|主动|切实)*牵头")
# Units listed and closed by 等, then the work ("甲镇、乙镇、丙办事处等继续完善…"), not "X等部门负责人参加…".
_LISTED_THEN_WORK = re.compile(rf"^([^，,；;。的了]{{2,{MAX_UNIT * 2}}}?{_UNIT_END})等"
                               r"(?=继续|加快|抓紧|尽快|全面|积极|做好|抓好|开展|推进|完善|创新|落实|负责|牵头|按照"
                               r"|根据|立即|及时|切实|进一步|认真|大力|持续|率先|着力|重点)")
# "X、Y要相互配合": units that work with each other, no lead among them.
_MUTUAL = re.compile(r"^(?:积极|主动|密切|紧密)?(?:相互|互相|彼此)")
# "由X提出/制定…": X is charged with drafting what the meeting will decide on; "由X形成报告上报区政府", "另15万元由Y
# 支持补助", "经济合同均由X扎口把关"; not "由…对工业区提出的问题" (a verb then 的 describes, charges nobody).
_BY_WORK = (r"(?:提出|制定|编制|拟定|起草|组织|研究|承担|办理|筹资|筹措|按|将|把|聘请|委托|邀请|安排|选派"
                 r"|形成|拿出|提交|出具|上报|呈报|报送|报请|申报|支持|补助|补贴|拨付|出资|支付|负担|解决"
                 # "均由质量监管科扎口把关", "由X统一审核": who vets or manages what the meeting decided (not 审定:
                 # "由各乡、街道办事处报…领导小组审定" names who reports first)
                 r"|统一|归口|扎口|把关|管理|监管|督办|对接|跟踪|实施|落实"
                 r"|综合|汇总|审核|审查|复核)(?!的)")  # "由学工办综合排序，向学校提交…"
_BY = re.compile(rf"^({_NAMING}{{1,{MAX_UNIT * 2}}}?{_UNIT_END})(?={_BY_WORK})")
# The same after a name the recogniser of names reads, whatever organisation word ends it ("由新桥路项目拆迁组按…").
# ("由X在6月10日前拆除", "由X依法查处")
_BY_WORK_RE = re.compile(_BY_WORK + r"|给予|依法|依规|查处|处置|核实|调查|(?:在|于)[^，,；;。]{1,12}?(?:前|内|底)")
# Who speaks before the sentence's topic ("调研组认为，…", "会议指出：…"), and what a unit is charged with next
# ("…，接下来要…", "…，下一步要…").
_PREFACE = re.compile(r"^[^，,；;。:：]{0,12}(?:认为|指出|强调|表示|肯定)[，,:：]")
_TOPIC = re.compile(rf"^[^，,；;。]{{1,{MAX_UNIT}}}?(?:{_UNIT_END}|区|县)"
                    r"(?=自|从|近年|今年|去年|成立|挂牌|[0-9]{4}年以来)")  # "高新区自成立以来…"
_NEXT_CHARGE = re.compile(r"[，,]\s*(?:接下来|下一步|下步|今后|此后)(?:还|也)?要")
# Units written first in a sentence that a later clause charges: "姚集镇因…，应及时变更项目计划".
_SUBJECT = re.compile(rf"^(.{{1,{MAX_UNIT}}}?{_UNIT_END})(?=因|由于|针对|就)")


_NAME = rf"[^，,；;。]{{0,{MAX_UNIT}}}?{_UNIT_END}(?!门|会|公室|事处|(?<=乡)镇)"  # not 规划建设部(门), 乡(镇)
_PREFIX = re.compile(rf"^{_NAME}(?:[、和及与]{_NAME})*")


def _units_prefix(text: str) -> list[str] | None:
    """The units a text starts with ("管网提质增效排查单位全面查明…" -> [管网提质增效排查单位]), None if it starts
    with no unit's name."""
    m = _PREFIX.match(text)
    return _unit_list(m.group(0)) if m else None


def _asked_units(clause: str) -> list[str]:
    """The units a request names before what they are to do in words no list covers ("要求城管中队秉持…"); none
    when a list goes on after them ("南山街道孤岛社区、…": the name was cut short)."""
    m = _PREFIX.match(clause)
    return _unit_list(m.group(0)) if m and "、" not in clause[m.end():] else []


def _with_units(after: str) -> list[str]:
    """The units after 会同/联合, up to what they are to do."""
    # a name ends before where or by when the work is done ("会同X设计院在…基础上", "会同X于本月底前…")
    span = re.split(r"等|对|研究|制定|做好|开展|抓紧|尽快|赴|到|深入|工作人员|负责人|[，,]|(?<=..)(?:在|于)"
                    r"|(?<=..)(?:检查|排查|巡查|督查|整治|查处|核查|清理|打击)(?![室组队站所局办处科中])", after,
                    maxsplit=1)[0]
    units = _unit_list(span, phrases=True)
    if len(units) == 1 and (len(units[0]) > MAX_UNIT // 2 or not _NAMED_UNIT.search(units[0])):
        prefix = _units_prefix(after)  # "管网提质增效排查单位全面查明…"
        if prefix is None and not (_GENERIC.search(units[0]) or units[0] in _SHORT_DEPARTMENTS):
            return []  # "要开展联合检查": how the work is done, nobody joined
        units = units if prefix is None else prefix
    return [u for u in units if not names_no_unit(u)]


_NOT_STOP = "[^，,；;。：:]"
_ASKED_LIST = re.compile(rf"((?:^|[，,；;。：:]){_NOT_STOP}{{0,12}}?(?:要求|请|责成))"
                         rf"({_NOT_STOP}{{2,{MAX_UNIT * 2}}})[，,]"
                         rf"(?=[^，,；;。：:、]{{2,{MAX_UNIT}}}?{_UNIT_END}、)")
_OWNED_TASK = re.compile(rf"((?:^|[，,；;。：:]))({_NOT_STOP}{{2,{MAX_UNIT}}}?{_UNIT_END})(?:承担|负责|牵头)的"
                         rf"{_NOT_STOP}{{1,20}}[，,]\s*(?=要)")


def _joined_lists(body: str) -> str:
    """"要求A、B,C、D立即整改": a list of units the request names, broken by a comma, read as one list."""
    def join(m: re.Match[str]) -> str:
        names = _split_units(m.group(2))
        if names and all(_ENDS_AS_UNIT.match(n) for n in names):  # a list of names only, no verb
            return m.group(1) + m.group(2) + "、"
        return m.group(0)
    return _ASKED_LIST.sub(join, body)


# Who is responsible, written in brackets after the task ("（牵头单位：X；责任单位：Y）", "（X牵头，Y配合）",
# "【责任单位：X】"): read as clauses of their own. Brackets inside a name ("各镇（街道）", "X（牵头）") stay.
_BRACKETED_WHO = re.compile(rf"[（(【\[]([^（）()【】\[\]]*?(?:{_UNIT_END})[^（）()【】\[\]]*?)[）)】\]]")
_WHO_WORD = re.compile(r"牵头|负责(?!人)|配合|协助|协办|参与|(?:单位|部门)\s*[:：]")
# "市住建局（牵头）、市财政局": in one field, the unit marked 牵头 leads and the others support.
_MARKED_LEAD = re.compile(r"\s*[（(]牵头[）)]$")


# A field in brackets written with a semicolon for its colon ("(责任单位;住建局、畜牧局)").
_SEMICOLON_FIELD = re.compile(r"(?<=[（(【\[])(\s*(?:整改)?(?:牵头|责任|配合|协办|协助|主办|承办)(?:单位|部门))"
                              r"\s*[;；]")


def _unbracketed_who(text: str) -> str:
    if not any(c in text for c in "（(【["):
        return text
    text = _SEMICOLON_FIELD.sub(r"\1：", text)
    return _BRACKETED_WHO.sub(lambda m: f"；{_lead_then_others(m.group(1))}；" if _WHO_WORD.search(m.group(1))
                              else m.group(0), text)


# "（X牵头，Y、Z）": the units listed after the lead in its brackets, with no role of their own, support it.
_LEAD_THEN_OTHERS = re.compile(r"^([^，,；;:：]+牵头)[，,]([^，,；;:：]+)$")


def _lead_then_others(who: str) -> str:
    m = _LEAD_THEN_OTHERS.match(who.strip())
    return f"{m.group(1)}，{m.group(2)}配合" if m and not _WHO_WORD.search(m.group(2)) else who


# The lead-in of a list of duties written on the line its first unit is on ("其职责分工为:", "各单位职责如下:").
_DUTIES_OPEN = re.compile(r"(?:^|(?<=[。；;]))[^。；;，,:：]{0,20}?(?:如下|分工为|职责为|分别为)\s*[:：]\s*")
_HANDED_TO = re.compile(rf"^((?:[^，,；;。：:、\s]{{2,{MAX_UNIT}}}、)*(?:[^，,；;。：:、\s]{{2,{MAX_UNIT}}}?{_UNIT_END}"
                        rf"|[^，,；;。：:、\s]{{1,{MAX_UNIT}}}?委))"
                        r"\s*[:：]")


# What units have already done ("6月20日，国土局联合环保局已组织砖厂业主考察学习"): a report, no charge.
_DONE_ALREADY = re.compile(r"[^要应需须]{2,}已经?(?:组织|完成|开展|召开|启动|落实|整改|拆除|制定|印发|下发|建成)")


_SERVED_TASK = re.compile(r"做好|抓好|搞好|开展|完成|推进|实施|落实|工作|支持|好|做")  # "配合做好…": the task, no party
# "督导组分别向X及Y下发督导通知单并限期整改", "向X发出整改通知书": the units a notice is handed to are charged.
_ISSUED_TO = re.compile(r"向([^，,；;。的了]{2,80}?)(?:分别)?(?:下发|发出|发放|送达|下达|印发|开具|移交|转交|交办)了?"
                        r"[^，,；;。]{0,10}?(?:通知单|交办单|督办单|督办函|交办函|通知书|告知书|提醒函|整改通知|督办通知"
                        r"|问题清单|整改清单)")
# Who an item of a list of duties names at its start ("…；规划分局现场与企业比对…；"): an office's name, not a place
# or a problem's subject ("院内…；", "门诊大厅…；"), nor a role (测绘单位).
_DUTY_ITEM_UNIT = re.compile(r"^[^为的了与和及]{1,12}"
                             r"(?:分局|局|委|办|中心|公司|集团|处|站|所|队|政府|街道|镇|乡|社区)$")
# A unit named to a role: "X为责任单位", "Y是配合单位", "Z作为牵头部门" (at the clause's end).
_NAMED_AS = re.compile(r"(?:为|是|作为)"
                       r"(牵头单位|牵头部门|责任单位|责任部门|主办单位|配合单位|配合部门|协办单位|协助单位"
                       # "明确县城投公司为项目实施主体": the body that carries the work out
                       r"|(?:项目|工程|工作)?(?:实施|责任|建设|运营)主体"
                       # "县城投集团为项目业主单位": the body that owns and builds the project
                       r"|(?:项目|工程)?(?:业主|建设|实施)单位|项目法人)$")
# Work handed over to a unit to carry out: "该项目交由X具体实施", "已转X办理", "移交X处理".
_REFERRED = re.compile(rf"(?:交由|转交|移交|转由|交给|转(?<![^已并即现拟]转)|^(?:会议同意|同意|会议决定|决定)?交)"
                       rf"([^，,；;。的了]{{2,{MAX_UNIT}}}?{_UNIT_END})"
                       r"(?:具体|负责|进行|依法)?(?:实施|办理|处理|落实|承办|调查|核查|整改|研究|答复|处置)")
# What a place's name goes on with when it names the place's government or office: "X镇人民政府", "X乡政府", "X街道
# 办事处", "X镇党委".
_SEAT = r"(?:(?:人民)?政府|(?:街道)?办事处|党委|党工委|管委会)"
_AUTHORISED = re.compile(r"(?<![经已])授权(?=[^，,；;。]{2,}?(?:进行|负责|办理|审核|审批|开展))")  # "小组授权X进行审核"


# "对X提出（三点）要求": X is charged with what follows; "要求其…", "督促其…": the unit named before it.
_DEMANDS_OF = re.compile(r"对([^，,；;。对]{2,40}?)提出[^，,；;。]{0,6}?(?:要求|意见)")
_IT = re.compile(r"^(?:并|同时|当场|及时)?(?:要求|督促|责成|责令|请|指导|责令)其")
_NAME_CUT = "，,；;。、\\s的了及与对在向到赴为给"  # what a name does not hold, and words written before one
_ANY_NAME = re.compile(rf"(?:^|(?<=[{_NAME_CUT}]))[^{_NAME_CUT}]{{1,12}}?{_UNIT_END}")


def _named_before(clauses: list[str | None], at: int) -> str:
    """The last unit named in the clauses of ``at``'s sentence before it (not a group that asks: 检查组)."""
    k = at - 1
    while k >= 0 and clauses[k] is not None:
        names = [n for n in _ANY_NAME.findall(_clean_span(clauses[k]))
                 if not _ASKER_RE.fullmatch(n) and not _GENERIC.search(n) and not _is_person(n)]
        if names:
            return names[-1]
        k -= 1
    return ""


# "请以上责任单位…", "上述单位要…": the units the sentence named before as owning a task ("X负责的第1件、Y负责的…").
_ABOVE = re.compile(r"(?:以上|上述)(?:各)?(?:责任|相关)?(?:单位|部门)")
_OWNER = re.compile(rf"(?:^|(?<=[、，,；;。由\s]))([^、，,；;。由\s的]{{2,{MAX_UNIT}}}?{_UNIT_END})"
                    r"(?:负责|承担|牵头)的")


def _owners_named_above(body: str) -> list[str]:
    """The units owning tasks named before "以上责任单位" in its sentence, when there are two or more."""
    above = _ABOVE.search(body)
    if not above:
        return []
    start = max(body.rfind(c, 0, above.start()) for c in "。；;\n") + 1
    owners = _dedupe([u for u in _OWNER.findall(body[start:above.start()]) if not _GENERIC.search(u)])
    return owners if len(owners) > 1 else []


def _who(text: str, *, promote: bool = True) -> tuple[list[str], list[str]]:
    """(leads, supporting) of a decision's text; ``promote``: units that 要配合 lead when nobody else does."""
    leads: list[str] = []
    supporting: list[str] = []
    text = _unbracketed_who(text)
    fields = _LABEL.findall(text)
    first_lead = any(_label_kind(label) == "first" for label, _value in fields)
    for label, value in fields:
        units = _unit_list(value)
        kind = _label_kind(label)
        if kind in ("first", "lead") and not (first_lead and kind != "first"):
            marked = [u for u in units if _MARKED_LEAD.search(u)]
            leads += [_MARKED_LEAD.sub("", u) for u in marked] or units
            supporting += [u for u in units if marked and u not in marked]
        elif kind:
            supporting += units
    if leads or supporting:
        return leads, supporting
    body = _LABEL.sub("", text)
    # "县住建局：加快推进…": a list of named units before a colon is who the task is handed to.
    head = body.strip()
    if ("如下" in head or "为" in head) and not _HANDED_TO.match(head) and (
            opened := _DUTIES_OPEN.search(head)) and _HANDED_TO.match(head[opened.end():]):
        head = head[opened.end():]  # "…。其职责分工为:区委宣传部:制订…": the list of duties starts after its lead-in
    if (to := _HANDED_TO.match(head)) and (named := _unit_list(to.group(1))) and all(
            (_ENDS_AS_UNIT.match(u) or len(u) == 2 and u[-1] in "委办局" and is_unit_name(u))  # "商委："
            and not _GENERIC.search(u) and not re.search(r"(?:常委|常务|办公|例)会$", u)
            and "的" not in u for u in named):  # not "县委常委会：研究了…", "表现较好的单位：…" (describes)
        leads += named
        body = head[to.end():]
    if ("以上" in body or "上述" in body) and (owners := _owners_named_above(body)):
        return owners, []  # "X负责的第1件、Y负责的第4件…，请以上责任单位加快…"
    if "同意" in body and (proposer := _proposer(body)):
        return proposer, []  # "会议原则同意X提交的《…》，要求根据会议审议意见修改完善后…": X takes it on
    # "县财政、环保等部门和相关乡镇，要…": the list and its 要 are one clause.
    body = re.sub(rf"((?:部门|单位|乡镇|街道|镇街|{_UNIT_END}))[，,](?=要|应当|务必|必须)", r"\1", body)
    if "负责" in body:  # "X局相关部门负责人要…", "A局、B镇主要负责人要…": the unit its officials answer for
        body = _OFFICIALS.sub(lambda m: m.group(1) if _unit_list(m.group(1)) and all(
            is_unit_name(u) and not _GENERIC.search(u) and not _NO_NAME_KIND.match(u) for u in _unit_list(m.group(1)))
            else m.group(0), body)
    if "时" in body or "期间" in body:  # "X在该路段审批商业网点时，要…": the list, when, and its 要 are one clause
        body = re.sub(r"((?:在|于)[^，,；;。]{1,20}?(?:时|期间|过程中|之际))[，,](?=要|应当|务必|必须)", r"\1", body)
    if "的" in body:  # "列入整治名单的县红星化工厂、县光明砖厂，要…": a described list of names, then its 要
        body = _DESCRIBED_THEN_YAO.sub(lambda m: m.group(1) if _described_names(m.group(1)) else m.group(0), body)
    if "要求" in body or "请" in body or "责成" in body:
        body = _joined_lists(body)
    if "承担的" in body or "负责的" in body or "牵头的" in body:
        body = _OWNED_TASK.sub(r"\1\2", body)  # "X承担的征拆任务，要…": X is charged with its task
    willing: list[str] = []  # units that 要配合: the leads when nobody else leads
    sentence_start = 0
    # collectives asked to help before anyone leads ("需要多个村协作的，各村要积极配合。8月6日前X村要…"): they help a
    # lead of their own sentence, not one a later sentence charges
    asked: list[str] = []
    subjects: list[str] = []  # collectives a clause charged ("各乡镇要…"), for a later "…，全力配合" without a subject
    subjects_at = 0  # the clause that charged them
    heads = False  # a unit of this sentence 要牵头 ("X要做好牵头抓总"): the collectives charged beside it support
    headed = False  # a clause of this sentence named units in a 牵头 slot and nothing else ("由X牵头，")
    # A clause that opens a sentence ending in ；: an item of a list of duties ("X牵头…；Y现场与企业比对…；").
    duty_items: set[int] = set()
    clauses: list[str | None] = []
    for sentence in re.split(r"(?<=[。；;\n])", body):
        if sentence.rstrip().endswith(("；", ";")):
            duty_items.add(len(clauses) + 1)
        clauses += [None, *_WHO_CLAUSE.split(sentence)]
    for at, clause in enumerate(clauses):
        if clause is None:
            if len(leads) > sentence_start:
                supporting += asked  # "各村要积极配合，X牵头…": the lead of their own sentence
            subjects, sentence_start, heads, asked = [], len(leads), False, []  # a subject carries over its sentence
            headed = False
            continue
        clause = clause.strip()
        if not clause or _DONE_ALREADY.search(clause):
            continue
        several = _SEVERAL.search(clause)
        if several:
            units = _units_before(clause, several.group(1))
            if len(leads) > sentence_start and several.group(1).startswith(("按", "各负")):
                supporting += units  # "X牵头，Y按职责分工负责": Y does its part of X's lead
            else:
                leads += units  # "X、Y分别负责"
            continue
        if clause.endswith(("单位", "部门", "主体")) and (named_as := _NAMED_AS.search(clause)):
            units = _unit_list(_clean_span(clause[: named_as.start()]))
            if units and _names_a_unit(units, ""):
                # "该项工作县卫健局为责任单位，县医保局为配合单位": the role a unit is named to
                (supporting if _label_kind(named_as.group(1)) == "support" else leads).extend(units)
                continue
        cleaned = _clean_span(clause)
        if joint := _jointly(cleaned):
            leads += joint  # "X与Y深入对接…": both do the work together, both lead
            continue
        charged = _CHARGED.search(cleaned)
        if charged and _REPORT_BACK.match(cleaned[charged.end():]):
            continue  # "…滞后的区市政府，要向市政府作出报告": a report owed to who charges, no charge of its own
        role = _ROLE.search(cleaned)
        if headed and (doers := _carry_out(cleaned)):
            supporting += doers  # "X牵头，Y实施…", "由X牵头，由A、B等部门参加": the units that carry out X's lead
            continue
        if charged and (role is None or charged.start() < role.start()):
            units = _units_charged(clause)
            rest = cleaned[charged.end():]
            if len(units) > 1 and _MUTUAL.match(rest):
                leads += units  # "X、Y和Z要相互配合": each does its part of one task; nobody helps another
                continue
            if units and (helps := _SUPPORT_AFTER_YAO.match(rest)):
                served = _SERVED.match(rest[helps.end():])
                if helps.group(0) == "协同" and (partners := _with_units(rest[helps.end():])) and not all(
                        _GENERIC.search(u) for u in partners):
                    leads += units  # "X要协同Y制订…": 协同 alone before a name is 会同, X leads, Y supports
                    supporting += partners
                elif served and not _GENERIC.search(served.group(1)):
                    leads += _unit_list(served.group(1))  # "X要积极配合Y做好…": Y leads, X supports
                    supporting += units
                else:
                    willing += units  # "县市政局、房产局等部门要密切配合"
                continue
            if units:
                leads += units
                heads = heads or bool(_HEADS.match(rest))
                with_ = _WITH.search(rest)
                if with_:
                    supporting += _with_units(rest[with_.end():])
                continue
            named = _unit_list(_MODAL.sub("", cleaned[: charged.start()]))
            subjects = named if named and all(_GENERIC.search(u) for u in named) else []
            subjects_at = at
            if subjects and heads:
                supporting += subjects  # "区应急局要做好牵头抓总，各相关部门以及各街道要…": they support its lead
                continue
        if leads and (combined := _COMBINED.match(clause)) and (
                partners := [u for u in _with_units(clause[combined.end():])
                             if is_unit_name(u) and not _GENERIC.search(u)]) and not re.search(
                    rf"{re.escape(partners[-1])}[^，,；;。]{{0,4}}?的", clause):  # not "结合X的意见": what, not who
            supporting += partners  # "X要控制…，结合交警做好安全防范": the partners of the unit charged before
            continue
        # "X牵头，联合Y…", and a sentence of the same charge opening with them, its subject the unit charged before
        # ("镇派出所强化执法力度…。联合交通部门检查…")
        if _WITH.search(clause) and "会同" in clause or re.search(r"要联合", clause) or (
                (joins := _JOINS.search(clause)) and (_ENDS_AS_UNIT.match(_clean_span(clause[: joins.start()])) or (
                    not _clean_span(clause[: joins.start()]) and leads))):
            # "X牵头，联合Y、Z开展…": the lead of the clause before joins with them
            # "县水利局联合妙高街道、县经投公司，结合…": 联合 after a unit's name is 会同 (not "开展联合执法", nor
            # a name: "县第一中学和城区联合执法队")
            word = "会同" if "会同" in clause else "联合"
            before, after = clause.split(word, 1)
            with_whom = _units_before(before + word, word)  # "请X会同Y等部门…": lead X, supporting Y
            if with_whom:  # not "施工单位要会同…": an unnamed party's task
                leads += with_whom
                supporting += _with_units(after)
            elif not re.sub(r"^(?:负责|并|同时|要)+", "", before.strip()) and leads:
                # "由X牵头，会同Y、Z，…", "X：负责会同Y、Z查处…": the lead of the clause before
                supporting += _with_units(after)
            continue
        if head := re.search(r"牵头|主办", clause):  # "由X主办，Y协办" as "由X牵头，Y配合"
            before, after = clause[: head.start()], clause[head.end():]
            named = _units_before(before + head.group(0), head.group(0))
            leads += named
            support = _SUPPORT_WORD.search(after)
            if support:  # "X牵头Y配合" in one clause
                supporting += _units_before(after, support.group(1))
            elif named and (led := _LEADS_OTHERS.match(after)) and (
                    others := _unit_list(led.group(1))) and (
                    _names_a_unit(others, led.group(1)) or all(_GENERIC.search(u) for u in others)):
                supporting += others  # "X牵头区各有关部门对…进行梳理": the units X leads in the work support it
            headed = headed or bool(named and not support and _SLOT_END.match(after))
            continue
        if (co := _WORKS_WITH.match(clause)) and len(leads) > sentence_start and (
                with_whom := _with_units(clause[co.end():])):
            supporting += with_whom  # "X牵头，协同Y、Z等部门，…": 协同 before a list is 会同, Y and Z support X
            continue
        support = _SUPPORT_WORD.search(clause)
        if support and "对" in clause and _OBJECT_OF.search(clause[: support.start()]):
            support = None  # "X做好对Y工作的监督和协助工作": what X does for Y, X is charged
        if support and (leads or "由" not in clause):
            units = _units_before(clause, support.group(1))
            other = clause[support.end():].strip()
            if units and all(_GENERIC.search(u) for u in units) and other and not _SERVED_TASK.match(other) and (
                    not any(lead in other for lead in leads)):
                if not leads and (served := _SERVED.match(other)) and not _GENERIC.search(served.group(1)) and (
                        named_lead := _unit_list(served.group(1))):
                    leads += named_lead  # "各相关单位要积极配合区交通局尽快完成…": the unit named leads, they help
                    supporting += units
                continue  # "要求相关部门密切配合供电企业": collectives that serve another party, not this lead
            units = [u for u in units if not u.endswith("的")]  # "一对一的协助", "在X的配合下": how, not who
            if units and not leads and all(_GENERIC.search(u) for u in units):
                asked += units
            elif not any(_HOW.search(u) and not (_ENDS_AS_UNIT.match(u) and not _HOW.search(_QUOTES.sub("", u)))
                         for u in units):  # a name in quotes ("“三勤合一”机动队") is a name
                supporting += units  # not "各司其职、相互配合" nor "形成“齐抓共管、协同…”": how, not who
            if not units and len(leads) > sentence_start:
                # "县交运局要…，各乡镇要按照…，全力以赴配合": the subject was written before, beside the lead
                supporting += subjects
            elif not units and subjects and subjects_at < at and not leads and (
                    served := _SERVED.match(other)) and not _GENERIC.search(served.group(1)) and (
                    named_lead := _unit_list(served.group(1))):
                # "各相关单位要提高站位，积极配合区交通局尽快完成…": the collectives charged help the unit named
                leads += named_lead
                supporting += subjects
                continue
            elif units and subjects and subjects_at < at and len(leads) == sentence_start and not any(
                    _GENERIC.search(u) for u in units):
                leads += subjects  # "各施工单位要…，县住建局、县城管局全力配合": the collectives charged lead
            served = _SERVED.match(clause[support.end():])
            if not leads and units and served:
                leads += _unit_list(served.group(1))  # "X配合Y做好…": Y leads
            continue
        if (headed or len(leads) > sentence_start and _CARRIES_OUT.search(clause)) and (
                duty := re.search(r"负责(?!人|同志)", clause)) and "由" not in clause[: duty.start()] and (
                part := _units_before(clause, duty.group(0))) and all(_GENERIC.search(u) for u in part):
            supporting += part  # "由X牵头,各街道办事处负责本辖的…": collectives doing their part of X's lead help it
            continue
        if not leads:
            start = _CHARGE_START.match(_clean_span(clause)) or _KIND_START.match(_clean_span(clause))
            if ordered := (re.match(r"责成|责令|特?指令", clause) or _AUTHORISED.search(clause)):
                # "责成县城管局对…开展…", a 指令's "特指令操军供电所对…", "会审小组授权资产处进行审核": the units up to
                # the first word that ends a unit's name (after 指令 or 授权 a name runs to no 对/派/将: "指令各连派专人
                # 对…所有" names no unit).
                name = "[^，,；;。]" if ordered.group(0) in ("责成", "责令") else "[^，,；;。对派将把]"
                # a town or a district with its government's seat is one name ("大湖口镇人民政府", not 大湖口镇)
                m = re.match(rf"{name}*?{_UNIT_END}{_SEAT}?(?:(?:[、和及与]|以及){name}*?{_UNIT_END}{_SEAT}?)*",
                             clause[ordered.end():])
                if m:
                    leads += [u for u in _split_units(m.group(0)) if len(u) <= MAX_UNIT]
            elif "向" in clause and (issued := _ISSUED_TO.search(clause)) and _names_a_unit(
                    handed := _unit_list(issued.group(1)), ""):
                leads += handed
            elif re.search(r"由(?!于)", clause) and (by := _BY.match(_clean_span(clause))):
                leads += _unit_list(by.group(1))  # "由县发改局提出实施方案…"
            elif duty := re.search(r"负责(?!人|同志|制(?![定订]))|负总责|负主责", clause):
                duty_units = _units_before(clause, duty.group(0))  # "…等单位负责人参加了会议" charges nobody
                if duty_units == ["其"]:  # "会议同意X提出的方案，由其负责组织实施": 其 is the unit named before
                    duty_units = [it] if (it := _named_before(clauses, at)) else []
                if not duty_units and at and clauses[at - 1] and _DUTY_NEXT.match(clause):
                    duty_units = _duty_subject(clauses[at - 1])  # "X区遵循…的原则，负责…": the subject written before
                leads += duty_units
            elif re.search(r"由(?!于)", clause) and (by_name := leading_unit(_clean_span(clause), _BY_WORK_RE)) and (
                    not _GENERIC.search(by_name) and not _UNNAMED.match(by_name)):
                leads += _joined_names(by_name)  # "由新桥路项目拆迁组按…方案给予货币补偿"
            elif ("交" in clause or "转" in clause) and (referred := _REFERRED.search(clause)) and (
                    handed := _unit_list(referred.group(1))):
                leads += handed  # "交由县城投公司具体实施", "已转县城管局办理"
            elif ensured := _ensured(clause):
                leads += ensured  # "确保X、Y于8月底前完成…"
            elif start and not _GENERIC.search(_listed(start.group(1))) and not _PARTNERS_FIRST.match(
                    start.group(1)) and not (
                    start.group(1).endswith("组") and _clean_span(clause)[start.end():].startswith("对")):
                # not "督导组对X辖区进行实地督导检查": the group that inspects is not charged
                leads += _unit_list(start.group(1))
            elif at in duty_items and (named := _units_prefix(_clean_span(clause))) and all(
                    _DUTY_ITEM_UNIT.match(u) and not _GENERIC.search(u) for u in named) and not re.match(
                    r"被|未|没|不|无|有|存在|较|已|仍", _clean_span(clause)[_PREFIX.match(_clean_span(clause)).end():]):
                # (not a problem's subject: "毒饵站被…遮挡；", "服务站未…；")
                leads += named  # "区经发局牵头…；规划分局现场与企业比对…；": each item of the list names who does it
            elif "等" in clause and (listed := _LISTED_THEN_WORK.match(_clean_span(clause))) and _names_a_unit(
                    named := _unit_list(listed.group(1)), ""):
                leads += named  # "甲镇、乙镇、丙街道办事处等继续推进…": a list closed by 等, then what they do
            elif short := _SHORT_START.match(_clean_span(clause)):
                leads.append(short.group(1))  # "区财政安排领导小组工作经费"
            elif "提出" in clause and (demands := _DEMANDS_OF.search(clause)) and (
                    named := _unit_list(demands.group(1))) and _names_a_unit(named, ""):
                leads += named  # "督查组对县城管局提出三点要求：一是…"
            elif "其" in clause and _IT.search(clause) and (it := _named_before(clauses, at)):
                leads.append(it)  # "城西街道…清运不及时，要求其立即整改": 其 is the unit named before in the sentence
            else:
                leads += _units_charged(clause) or _agreed_by(clause) or _led_by(clause)
    if not leads:
        subject = _SUBJECT.match(_clean_span(body))
        if subject and re.search(r"[，,]\s*(?:要|应|须|务必|必须)", body):
            leads += _unit_list(subject.group(1))
    if not leads and _NEXT_CHARGE.search(body):
        for sentence in re.split(r"[。；;\n]", body):
            # "调研组认为，空港经济区自挂牌以来…成效显著，接下来要…": the unit the sentence is about is charged with
            # what it is to do next
            topic = _NEXT_CHARGE.search(sentence) and _TOPIC.match(_PREFACE.sub("", sentence.strip()))
            if topic and (named := _unit_list(topic.group(0))) and all(
                    _NAMED_UNIT.search(u) and not _GENERIC.search(u) for u in named):
                leads += named
                break
    if len(leads) > sentence_start:
        supporting += asked
    if promote and not leads and willing and not all(_GENERIC.search(u) for u in willing):
        leads, willing = willing, []
    supporting += willing
    # a phrase that says what is done or how ("通过…等措施争取业主的支持") is no unit, whatever clause it came from
    if any("指示" in u for u in leads):  # "陶某当场指示国土局、规划局…要": who gave the order is no part of the name
        leads = [rest if (m := _ORDERED_BY.match(u)) and is_unit_name(rest := u[m.end():]) else u for u in leads]
    if any(u[:1] in "(（" for u in leads + supporting):  # "。(1)各街道办事处按照…": the item's number is no part of it
        leads = [_ITEM_NUMBER.sub("", u) for u in leads]
        supporting = [_ITEM_NUMBER.sub("", u) for u in supporting]
    leads = [u for u in leads if not _UNNAMED.match(u) and not names_no_unit(u)]
    supporting = [u for u in supporting if u not in leads and not _UNNAMED.match(u) and not names_no_unit(u)]
    if not leads and (all(_GENERIC.search(u) for u in supporting) or not _names_a_unit(supporting, "")):
        supporting = []  # "部门、乡镇要配合到位": an exhortation; "发动广大群众参与…": nobody named
    return _dedupe(leads), _dedupe(supporting)


_ORDERED_BY = re.compile(r"^[^，,；;。]{1,12}?(?:当场|现场|当即|随即|再次)?指示")
# A clause that only carries out the work a lead of its sentence leads ("…，各区人民政府负责具体组织实施"): no work of
# its own named.
_CARRIES_OUT = re.compile(r"负责具体(?:组织)?(?:实施|落实)\s*[。；;，,]?\s*$")
# The units a lead leads in the work, between 牵头 and what they do to it ("X牵头区各有关部门对公共服务事项进行梳理").
_LEADS_OTHERS = re.compile(r"^([^，,；;。对]{2,30}?)对")
# A unit's officials charged in its stead: "X局相关部门负责人要…", "A局、B镇主要负责人要…" (not "X负责人参加").
_OFFICIALS = re.compile(r"(?:^|(?<=[，,；;。：:\n]))([^，,；;。：:\n]{2,40}?)(?:相关(?:部门|科室)|的)?(?:主要)?"
                        r"负责(?:人|同志)(?=要|务必|必须)")
# A kind of office with no name of its own ("项目部主要负责人要…": whichever project's): its officials charge no unit.
_NO_NAME_KIND = re.compile(r"^(?:项目|工程|工作|指挥|施工)部$")
_ITEM_NUMBER = re.compile(r"^[(（](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）](?=[\u4e00-\u9fff])")


# An agreement a unit is to sign ("由X与施工队伍签订工程施工委托合同", "X与供电公司签订合同"): X is charged with it;
# the party it signs with is no 配合 unit.
_AGREES = re.compile(rf"^由?({_NAMING}{{1,{MAX_UNIT}}}?{_UNIT_END})(?:负责)?(?:与|同|和)[^，,；;。]{{2,30}}?"
                     r"(?:签订|签署|订立|商签)(?![了过])")


# Two named units that do one piece of work together: "X与Y深入对接", "X和Y加强沟通", "X同Y密切协作" (both lead).
_JOINTLY = re.compile(r"^([^，,；;。与和同及]{2,20})(?:与|和|同)([^，,；;。与和同及]{2,20}?)(?:要|应)?"
                      r"(?:深入|密切|加强|积极|主动|及时|做好)*(?:对接|沟通|衔接|协作|合作|会商)")
# A clause that only owes a report to whoever charges ("要向市政府作出报告", "要及时向县政府汇报").
_REPORT_BACK = re.compile(r"^(?:及时|主动|书面|立即)*向[^，,；;。]{1,12}?(?:作出|做出|书面)?(?:报告|汇报|说明|报备)"
                          r"(?:[，,；;。]|$)")


# A collective of a named kind ("各管线单位", "各物业公司"), not of a level or of any kind ("各部门", "各单位").
_OF_A_NAMED_KIND = re.compile(r"^各(?!相关|有关|级|直|属)(?!(?:部门|单位|机关|科室|处室|成员单位)$)")


def _jointly(clause: str) -> list[str]:
    """The two named units of "X与Y深入对接…" (both lead), by the recogniser of names, or a named unit and then a
    collective of a named kind ("X区与各管线单位"); [] when either is no name of a unit or both are collectives."""
    m = _JOINTLY.match(clause.strip())
    if not m:
        return []
    names = [m.group(1), m.group(2)]
    if not all(is_unit_name(n) and _ENDS_AS_UNIT.match(n) for n in names):
        return []
    # a collective of named kind beside a named unit is charged with it ("由X区与各管线单位主动对接"), as everywhere a
    # named unit stands beside it; two collectives, or one of a level ("三区和市直各部门"), are no charge
    if sum(bool(_GENERIC.search(n)) for n in names) > bool(_OF_A_NAMED_KIND.match(names[1])):
        return []
    return names


# A meeting's item agreeing to what a unit proposed and handing it back to it: "会议原则同意X提交(提出)的《…》，要求根
# 据会议审议意见修改完善后组织实施", "会议同意X提出的…，作进一步修改完善后提请区委常委会审议", "原则同意X提交的…，按程
# 序提交…" — X revises, submits or carries out what it proposed (the text names nobody else). Not when the item
# hands the work to a unit of its own ("…，由Y负责组织实施", "责成Y…"): that unit is read as such.
_PROPOSED = re.compile(r"同意([^，,；;。：:《》“”]{2,60}?)(?:提出|提交|上报|报送|呈报|起草|拟定|编制|制定|报请审议)的"
                       r"([^。；;]*)")
_HANDED_BACK = re.compile(r"修改|完善|组织实施|实施|提请|提交|按程序|发布|印发|报|执行|推进|落实")


def _proposer(body: str) -> list[str]:
    """The units a meeting agreed the proposal of and handed it back to ("同意X提交的…，要求…修改完善后…"), [] when
    the text charges another unit or the proposer is no unit's name."""
    m = _PROPOSED.search(body)
    if not m or not _HANDED_BACK.search(m.group(2)) or re.search(r"由(?!于)|责成|负责(?!人|同志)|牵头|配合|会同",
                                                                m.group(2)):
        return []
    named = _unit_list(m.group(1).removeprefix("由"))
    if not named or not all(is_unit_name(u) and not _GENERIC.search(u) for u in named):
        return []
    return named


def _agreed_by(clause: str) -> list[str]:
    """The unit a clause charges with signing an agreement, [] when it names none (or only a collective)."""
    if "签" not in clause and "订立" not in clause:
        return []
    m = _AGREES.match(_clean_span(clause) if not clause.lstrip().startswith("由") else clause.strip())
    if not m or _DONE_ALREADY.search(clause):
        return []
    names = [u for u in _unit_list(m.group(1)) if not _GENERIC.search(u)]
    return names if len(names) == 1 and leading_unit(names[0] + "负责") == names[0] else []  # a plain name


# "确保X、Y于8月底前完成…": the units whose work and date a clause ensures are charged with it (the one who ensures
# is a collective or the meeting).
_ENSURED = re.compile(r"(?:^|[，,；;。])\s*(?:要|并|同时)?(?:确保|督促|保证)([^，,；;。]{2,80}?)(?:于|於|在)"
                      r"[^，,；;。]{1,12}?(?:前|底|内)(?:全部|全面)?(?:完成|办结|到位|整改|建成|完工|拆除)")


def _ensured(clause: str) -> list[str]:
    """The units a clause ensures do their work by a date, when the recogniser reads them all as names."""
    if "确保" not in clause and "督促" not in clause and "保证" not in clause:
        return []
    m = _ENSURED.search(clause)
    names = written_units(m.group(1)) if m else None
    return names if names and all(is_unit_name(n) and not _GENERIC.search(n) for n in names) else []


def _led_by(clause: str) -> list[str]:
    """The unit a clause opens with before what it is to do, by the recogniser of names ("西关办事处加紧推进…"),
    not a collective nor an unnamed party, nor what was done already."""
    return list(_led_by_cached(clause))


@lru_cache(maxsize=8192)
def _led_by_cached(clause: str) -> tuple[str, ...]:
    if _DONE_ALREADY.search(clause):
        return ()
    name = leading_unit(_clean_span(clause))
    if not name:
        return ()
    names = (written_units(name) or [name]) if "、" in name else _joined_names(name)
    return tuple(names) if all(not _GENERIC.search(n) and not _UNNAMED.match(n) and not _is_person(n)
                               and not _NOT_A_NAME.match(n) for n in names) else ()


def _dedupe(units: list[str]) -> list[str]:
    seen: list[str] = []
    for unit in units:
        if unit and unit not in seen:
            seen.append(unit)
    return seen


_CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
_NEXT_YEAR = re.compile(r"(?:明年|次年|来年)(?:度)?")


def _years_as_digits(text: str, year: int | None) -> str:
    """"二〇二六年" -> "2026年"; "明年/次年" -> the year after the minutes' year when it is known."""
    if "〇" in text or "零" in text:
        text = _CN_YEAR.sub(lambda m: "".join(str("〇一二三四五六七八九".find(c)) if c != "零" else "0"
                                             for c in m.group(1)) + "年", text)
    if year and _NEXT_YEAR.search(text):
        text = _NEXT_YEAR.sub(f"{year + 1}年", text)
    return text


# 长期 as part of what a thing is called ("超长期特别国债", "中长期规划", "长期护理保险"), not how long work goes on.
_LONG_TERM_NOUN = re.compile(r"(?:超|中)长期|长期(?=国债|贷款|护理|规划|目标|资金|债券)")
# Work that goes on after the point it is due by: "12月底前取得明显成效并长期坚持" is due 31 December.
_ONGOING_AFTER = re.compile(r"(?<=[前底])[^，,；;。]*?(?:并|后)?(?:长期|常态化|持续)")


# A date by which a report goes to whoever charged ("于11月底书面报规划科", "4月30日前报送县政府办提案组").
_REPORT_DUE = re.compile(r"(?:前|底|内)[^，,；;。]{0,12}?(?:书面|统一)?(?:报送|上报|呈报|报)(?:至|到|给)?"
                         r"[^，,；;。]{1,15}?(?:室|科|办|组|局|委|处|政府|中心)$")


_YEAR_OF_TARGETS = re.compile(r"(?:今年|本年度?|全年)(?:的)?(?=(?:各项)?(?:目标|任务|计划))")
# A point that names a stage of the work, not when it is due: "打好年底收官之战", "迎接年底考核", "月底冲刺".
_STAGE_NAMED = re.compile(r"(?:(?:20[0-9]{2}年)?年底|年末|岁末|[0-9一二三四五六七八九十]{1,2}月底)"
                          r"(?=(?:的)?(?:收官|决战|冲刺|大考|考核|总结|盘点))")


def _deadline(text: str, year: int | None, meeting: date | None = None) -> tuple[date | None, str]:
    """(deadline, relative words): the latest point in time the decision names; else the latest deadline it
    writes relative to the meeting ("会后一周内", "本月底前"), a date when the meeting's date is known, and the words
    as written when it is not (the coordinator sets it on confirm). "二〇二六年", "明年" are read as years."""
    text = _years_as_digits(text, year)
    labelled = re.search(r"(?:完成时限|办理时限|办结时限|办结期限|整改时限|时限要求|完成时间|完成期限"
                         r"|(?:^|(?<=[，,；;。\s]))(?:时间|时限|期限))"
                         r"\s*[:：]\s*" + _FIELD_VALUE, text)  # "…，时间：2026年9月"
    if labelled:
        found, _recurring = parse_deadline_in(labelled.group(1), year)
        if found:
            return found, ""
        found, words = relative_deadline(labelled.group(1), meeting)
        if words:
            return found, "" if found else words
    # The point a decision is to be done by: "于6月底前完成", "9月30日前", "年底前"; a date the text only
    # mentions (a meeting held "6月5日") is not one, so prefer the clauses that say 前/完成/底.
    # A year or month the decision only mentions ("纳入今年计划") is not a deadline either.
    best = None
    relative: tuple[date | None, str] = (None, "")
    for clause in re.split(r"[，,；;。]", text):
        if _REPORT_DUE.search(clause):
            continue  # "并将落实情况于11月底书面报规划科": when a report is due to the issuer, not the work
        if re.search(r"前|之前|以前|完成|底|截止|为止|内(?!容)|完工|竣工|办结|交付|建成", clause):  # not 内容
            # "确保今年目标任务完成": the year names whose targets they are, as "纳入今年计划" does; no date
            clause = _YEAR_OF_TARGETS.sub("", clause)
            if "底" in clause or "末" in clause:
                clause = _STAGE_NAMED.sub("", clause)  # "打好年底收官之战": the stage's name, no point it is due by
            found, recurring = parse_deadline_in(clause, year)
            if recurring and (ongoing := _ONGOING_AFTER.search(clause)):
                found, _recurring = parse_deadline_in(clause[: ongoing.start()], year)  # "12月底前见效并长期坚持"
            if recurring and not found and "长期" in clause and _LONG_TERM_NOUN.search(clause):
                # "超长期国债项目6月底前开工、12月底前完工": 长期 in a thing's name, not work that goes on
                found, _recurring = parse_deadline_in(_LONG_TERM_NOUN.sub("", clause), year)
            if found and (best is None or found > best):
                best = found
            elif not found and not relative[0]:
                later = relative_deadline(clause, meeting)
                if later[1] and (not relative[1] or (later[0] and (not relative[0] or later[0] > relative[0]))):
                    relative = later
    if best:
        return best, ""
    return relative[0], "" if relative[0] else relative[1]


# "一是…；二是…", "一要…，二要…" written inline, and sentences that open with 要 ("…指出，要…。要…。"): each is an
# item of its own.
_STAGE = r"第[一二三四五六七八九十]{1,2}个?阶段[,，:：]"
_ENUMERATED = re.compile(r"(?:^|(?<=[。；;：:，,!！\s]))(?:第?[一二三四五六七八九十]{1,2}(?:是|要)(?=[^，,。；;]{2})"
                         r"|(?<=[。；;!！])(?=要[^求])"
                         # "分三个阶段:第一阶段,5月10日前,由X和Y拿出方案…。第二个阶段,…": each stage an item
                         r"|(?<=[。；;!！:：])(?=" + _STAGE + "))")
_SENTENCE_END = re.compile(r"(?<=[。；;!！?？])")
# A sentence that exhorts collectives ("其他涉及部门要积极配合…"): not part of the decision before it.
_EXHORTATION = re.compile(r"^(?:会议)?(?:(?:要求|强调|指出)?[:：,，]?(?:全[省市县区镇乡])?"
                          r"(?:各|其他|其它|其余|全体|所有|相关|有关)[^，,。；;]{0,20}?要"
                          r"|(?:要求|请)(?:全[省市县区镇乡])?(?:各|全体|所有|相关|有关)"  # "要求全市各街道…"
                          # "其他乡镇在本月底前全面启动…": the rest of the collectives, with or without 要
                          r"|(?:其他|其它|其余)(?:各)?(?:乡镇|街道|部门|单位|县区|镇街|村|社区)"
                          # "各部门主动配合，相互帮助…": collectives asked to help, without 要, in a sentence of its own
                          r"|(?:全[省市县区镇乡])?(?:各|相关|有关)[^，,。；;要]{0,12}?(?:主动|积极|密切|全力|紧密)*"
                          r"(?:配合|协助|协作|支持)(?=[，,。；;]|$|做好|搞好|工作))")  # (not "…配合县住建局…")


# Words that say how units work together, not who helps: "各司其职、相互配合", "强化家校协同配合".
_HOW = re.compile(r"其职|其责|相互|互相|通力|齐心|共同|上下|加强|强化|深化|[“”\"《]|^(?:形成|确保|实现)")
# "对Y工作的监督和": a support word that is a noun of what is done for Y, not a role.
_OBJECT_OF = re.compile(r"对[^，,；;。]{1,30}的[^，,；;。]{0,8}$")
_QUOTES = re.compile(r"[“”\"《》]")
_SUPPORT_ROLE = re.compile(r"(?:负责)?(?:搞好|做好|积极|主动|全力|密切|全程|通力)*(?:配合|协助|参与|协办)")


# A clause that says what a unit is responsible for with its subject written in the clause before ("X区遵循…的原则，
# 负责按方案组织施工"), not "负责人"/"负责同志".
_DUTY_NEXT = re.compile(r"^\s*负责(?!人|同志)")


def _duty_subject(clause: str) -> list[str]:
    """The unit a clause opens with ("城关区遵循…的原则"), by the recogniser of names, when it is no collective,
    unnamed party or person: the subject of a "负责…" written after it."""
    if _DONE_ALREADY.search(clause):
        return []
    name = opening_name(_clean_span(clause))
    if not name or _GENERIC.search(name) or _UNNAMED.match(name) or _is_person(name) or _NOT_A_NAME.match(name):
        return []
    return [name]


def _duty_parts(parts: list[str]) -> list[str]:
    """The clauses of a sentence with a clause that opens with a unit's name joined to the "负责…" after it ("X区
    遵循…的原则，" + "负责…"): one charge."""
    out: list[str] = []
    for part in parts:
        if out and _DUTY_NEXT.match(part) and _duty_subject(out[-1]):
            out[-1] += part
        else:
            out.append(part)
    return out


def _listed(span: str) -> str:
    """The names of a list closed by 等 and what they are ("公安、交通等相关部门" -> "公安、交通"): whether a collective
    is all it names is read on them, not on the kind that closes the list."""
    return trim_etc(span) if "等" in span else span


def _opens_charge(part: str) -> bool:
    """Whether a clause starts by charging units with what they are to do ("清河头乡要…", "县国土局根据…"),
    not by giving a lead ("由X牵头": the rest of one decision) or a unit that 要配合."""
    part = part.strip("，,。；; ")
    if _PARTNERS_FIRST.match(part):
        return False  # "…，联合X做好预报": the partners of the unit charged before, no charge of their own
    if len(duty := _WHO_CLAUSE.split(part, maxsplit=2)) > 1 and _DUTY_NEXT.match(duty[1]) and _duty_subject(duty[0]):
        return True  # "X区遵循…的原则，负责…
    cleaned = _clean_span(part)
    charged = _CHARGED.search(cleaned)
    if charged and (units := _units_charged(part)):
        rest = cleaned[charged.end():]
        return not _SUPPORT_AFTER_YAO.match(rest) or (len(units) > 1 and bool(_MUTUAL.match(rest)))
    if _agreed_by(part) or _jointly(cleaned):
        return True  # "…，市政园林建设管理处与供电公司签订合同", "…，公交公司与教育部门深入对接": a charge of its own
    start = _CHARGE_START.match(cleaned) or _KIND_START.match(cleaned)
    if start is None and _led_by(part):
        # "丁庄办事处抓紧完成…": the next unit in turn; not "X、Y等部门积极配合…" (the lead's helpers)
        return not _SUPPORT_ROLE.match(cleaned[len(leading_unit(cleaned)):])
    return bool(start and not _GENERIC.search(_listed(start.group(1))) and not cleaned.startswith("由")
                # "X、Y等其他相关单位加强配合协调": the lead's helpers
                and not _SUPPORT_WORD.search(cleaned[start.end():start.end() + 4])
                and not _SUPPORT_WORD.search(start.group(1))  # "A、B配合…成立工作组对…进行": A, B help
                and not _SUPPORT_ROLE.match(cleaned[start.end():]))  # "…、社区负责搞好配合": the lead's helpers


def _charges_others(part: str, before: str) -> bool:
    """Whether a clause "由X…" hands work to other units than the piece before it charged ("由县水利局编制预算，
    待预算出来后，由县扶贫办、县财政局筹资": two decisions)."""
    if not re.match(r"由(?!于)", part.strip("，,。；; ")):
        return False
    leads = _who(part, promote=False)[0]
    return bool(leads) and set(leads) != set(_who(before, promote=False)[0])


# Where a clause may open another charge: after a comma, and after a 、 that ends one charge before the next unit's
# ("由X负责…工作、Y牵头、Z配合…": the 、 parts two charges, not two names of a list).
_PARTS = re.compile(r"(?<=[，,])(?<!表示，)(?<!表示,)"
                    r"|(?<=[\u4e00-\u9fff]{6}、)(?=[^、，,；;。]{2,20}?(?:牵头|负责(?!人|同志)))")


def _list_kept(parts: list[str]) -> list[str]:
    """Clauses cut at a 、 joined again where the words before it are a unit's name: a list of names before its
    role word ("区住建委、区城管执法监察局、区土地储备中心牵头"), not one charge's end before the next ("由X负责…工作、
    Y牵头")."""
    out: list[str] = []
    for part in parts:
        if out and out[-1].endswith("、") and is_unit_name(re.split(r"[，,、]", out[-1][:-1])[-1]):
            out[-1] += part
        else:
            out.append(part)
    return out


def _charges(item: str) -> list[str]:
    """An item cut where a sentence, or a clause opening with a charge, names other units than the piece before
    it: the clauses that follow a charge (its 配合 units, its deadline) and those before the first stay with it. A
    sentence exhorting collectives after a charge is a piece of its own, which ends at the next charge
    ("卫健委要…；各相关责任部门要强化协作配合…；爱卫办要会同…": three)."""
    pieces: list[str] = []
    exhorting = False  # the last piece is a sentence that exhorts collectives
    for sentence in (x for x in _SENTENCE_END.split(item) if x.strip()):
        if not pieces:
            pieces.append("")
        elif (exhorting or _who(pieces[-1], promote=False)[0]) and (
                (charges := bool(_who(sentence, promote=False)[0])) or (
                    not exhorting and _EXHORTATION.match(sentence.strip()))):
            exhorting = not charges
            pieces.append("")
        elif pieces[-1].strip() and _CHARGED.search(pieces[-1]) and _deadline(pieces[-1], 2000) != (None, "") and (
                _who(sentence, promote=False)[0]) and not any(_who(pieces[-1], promote=False)):
            # "…户外广告整治要迅速启动，一个星期内要整治到位；X区要全面开展…": a requirement that names no unit and sets
            # its own time is one of its own (unlabelled); its time is not the time of the charge after it
            pieces.append("")
        first = len(pieces) - 1  # the piece this sentence starts in
        parts = _list_kept(_PARTS.split(sentence))
        if "负责" in sentence:
            parts = _duty_parts(parts)
        for k, part in enumerate(parts):
            if k and pieces[-1].strip() and (_opens_charge(part) or _charges_others(part, pieces[-1])) and (
                    before := _who(pieces[-1], promote=False)[0]) and set(before) != set(
                        _who(part, promote=False)[0]) and not (
                    _HEADED_END.search(pieces[-1]) and _carry_out(_clean_span(part.strip("，,。；; ")))) and not (
                    _OVERALL_END.search(pieces[-1])):
                # (not "X牵头，" + "Y实施…": Y carries out X's lead, one decision; nor "X负总责，" + "Y牵头…": the work
                # X answers for overall is the one Y leads, X and Y its leads)
                pieces.append(part)
            elif (k == len(parts) - 1 and len(pieces) - 1 > first and _LED.search(pieces[first])
                  and _helpers_only(part)):
                # "由X牵头，…，A、B分别负责…，C负责…，D、E全程配合。": the helpers closing a sentence that a lead
                # opened and other units' parts followed help the lead's work, not the last part's
                pieces[first] += part if pieces[first].rstrip().endswith(("，", ",")) else "，" + part
            else:
                pieces[-1] += part
    return [p.strip() for p in pieces if p.strip()]


_LED = re.compile(r"由[^，,；;。]{2,40}?牵头")


_ROLE = re.compile(r"牵头|主办|负责(?!人|同志|制(?![定订]))|会同|联合|配合|协助|参与|协同|协办")
# "由A、B等部门参加": the units a clause says take part, after a 牵头 slot.
_TAKE_PART = re.compile(rf"^([^，,；;。]{{2,{MAX_UNIT * 3}}}?)(?:共同)?参加$")


def _carry_out(cleaned: str) -> list[str]:
    """The units a clause names as carrying out the work, with no role word nor 要 of their own ("巴州区政府实施",
    "A、B、C按照管理权限予以规范", "由A、B等部门参加"): read after a clause that named the lead in a 牵头 slot, they
    are the units that carry out its lead (as 责任单位 beside a 牵头单位 are); [] for none, a collective or a person."""
    if _CHARGED.search(cleaned) or _ROLE.search(cleaned):
        return []  # "Y负责…", "Y要…", "Y配合": a part of its own, or a helper by its own word
    if m := _TAKE_PART.match(cleaned):
        units = _unit_list(m.group(1))
        return units if units and _names_a_unit(units, m.group(1)) else []
    start = _CHARGE_START.match(cleaned) or _KIND_START.match(cleaned)
    units = _unit_list(start.group(1)) if start else _led_by(cleaned)
    if not units or any(_GENERIC.search(u) or _is_person(u) for u in units) or _DONE_ALREADY.search(cleaned):
        return []
    return units


# A piece that ends with a unit that answers for the work overall, no work of its own named ("…，属地政府负总责，").
_OVERALL_END = re.compile(r"负(?:总|主)责\s*[，,]\s*$")
# A piece that ends with the lead named in a 牵头 slot, its clause closed ("…，市住建局牵头，").
# (also with its helpers' clause after it: "…，X牵头负责，Y配合，")
_HEADED_END = re.compile(r"牵头(?:负责)?\s*[，,](?:[^，,；;。]{2,40}?(?:配合|协助|参与)\s*[，,])?\s*$")


def _helpers_only(part: str) -> bool:
    """Whether a clause names only units that help ("D、E全程配合。"), none that leads."""
    leads, supporting = _who(part, promote=False)
    return not leads and bool(supporting) and bool(re.search(r"(?:配合|协助|协办)[。；;，,]?$", part.strip()))


def _decision_texts(segment: str) -> list[str]:
    """The decisions of a numbered paragraph: one per inline enumerated item and per charge within it. A
    segment with labelled fields, or that charges one set of units (or none), stays whole."""
    if _LABEL.search(segment):
        return [segment]
    bounds = [m.start() for m in _ENUMERATED.finditer(segment) if m.start()]
    items = [segment[a:b] for a, b in zip([0, *bounds], [*bounds, len(segment)], strict=True)]
    out = []
    for item in items:
        item = _ENUMERATED.sub("", item.strip(), count=1) if _ENUMERATED.match(item.strip()) else item.strip()
        if item:
            out += _charges(item)
    with_who = [t for t in out if any(_who(t))]
    if len(with_who) > 1:
        return with_who
    if len(items) > 1 and len(with_who) == 1 and (_who(segment) != _who(with_who[0])
                                                  or re.match(_STAGE, with_who[0])
                                                  or with_who[0] not in items[0]):
        # "一是各镇街要…；二是自然资源局要…；三是沿线镇街和区直相关部门要密切配合…": the units of the one item that
        # charges a unit are the decision's; the other items' collectives are none of them. So is an enumerated
        # item that alone charges a unit ("一要…6月10日前…。二要…。三要…。X部门要…"): neither the other items'
        # words nor their dates are its own (the paragraph's lead-in, "X要：一是…二是…", stays whole)
        return with_who
    # One charge, then sentences that exhort collectives ("要求全市各街道…于7月11日完成"): not part of it.
    after = out[out.index(with_who[0]) + 1:] if with_who else []
    if after and _EXHORTATION.match(after[0]) and (cut := segment.find(after[0])) > 0:
        return [segment[:cut].strip()]
    return [segment]


def _as_written(found: str, read: str, written: str, back: dict[int, int] | None = None) -> str:
    """``found`` (a piece of ``read``, the simplified copy) as ``written`` writes it; a text ``read`` does not hold
    in one piece (a table cell wrapped over lines) character by character through ``back``."""
    at = read.find(found)
    if at >= 0:
        return written[at:at + len(found)]
    return found.translate(back) if back else found


def _written_back(read: str, written: str) -> dict[int, int]:
    """Each simplified character of ``read`` that stands for one traditional character of ``written`` only, and
    that ``written`` never writes as such (so a text mixing both scripts keeps what it is not sure of)."""
    seen: dict[str, set[str]] = {}
    for r, w in zip(read, written, strict=True):
        if r != w:
            seen.setdefault(r, set()).add(w)
    as_is = set(written)
    return {ord(r): ord(next(iter(ws))) for r, ws in seen.items() if len(ws) == 1 and r not in as_is}


# A page copied with its HTML markup: a paragraph or line-break tag is a line break, any other tag nothing.
_BLOCK_TAG = re.compile(r"\s*<\s*(?:/\s*(?:p|div|li|tr|h[1-6])|br\s*/?)\s*>\s*"
                        r"|\s*<\s*(?:p|div|li|tr|h[1-6])(?:\s[^<>]*)?>\s*", re.IGNORECASE)
_OTHER_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_ENTITIES = {"&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&amp;": "&"}


def _without_markup(text: str) -> str:
    """``text`` with the HTML of a page pasted as it was stored ("<p class=…>…</p> <p>…</p>") read as the lines it
    stands for; text with no tag is returned as it is."""
    if not _BLOCK_TAG.search(text):
        return text
    text = _OTHER_TAG.sub("", _BLOCK_TAG.sub("\n", text))
    return re.sub("|".join(_ENTITIES), lambda m: _ENTITIES[m.group(0)], text)


def parse_decisions(text: str, *, year: int | None = None, meeting: date | None = None) -> ParsedDecisions:
    """Each decision of ``text`` with its leads, supporting units and deadline; warnings name the line.

    ``year``: of deadlines written without one (default: the meeting's year, else the first year the text
    names); ``meeting``: the meeting's date, which deadlines written relative to it ("会后一周内", "10个工作日内",
    "本月底前", "下周五前") count from; without it they are None with a warning naming the line. A text pasted
    with its page's HTML tags is read as the lines the tags stand for."""
    text = _without_markup(text)
    read = simplified(text).translate(_MINUTES_T2S)
    if read != text:
        parsed = _parse_decisions(read, year=year, meeting=meeting)
        back = _written_back(read, text)
        for d in parsed.items:
            d.text = _as_written(d.text, read, text, back)
            d.lead_units = [_as_written(u, read, text, back) for u in d.lead_units]
            d.supporting_units = [_as_written(u, read, text, back) for u in d.supporting_units]
        return parsed
    return _parse_decisions(text, year=year, meeting=meeting)


# A deadline a notice sets once for all the problems it lists ("请各事涉部门…并于5月20日前将问题整改完成"): the work
# itself to be done (整改完成/到位, 办结), for the problems or items as a whole, not a report that is due
# ("于7月17日前将落实情况报市政府督查室").
_DONE_BY = re.compile(r"(?:整改|办理|处理|落实)(?:工作)?(?:全部)?(?:完成|完毕|到位|办结)|完成整改|全部办结")
_ALL_OF_THEM = re.compile(r"问题|事项|上述|以上|所列|各项")
_REPORTED = re.compile(r"报|反馈|函告|告知")
# ... and a date stated once for all the work the text hands out: "上述工作于4月20日前完成", "以上任务须在…前全部完成";
# "要以3月15日为时间节点，倒排日程，完成各项任务" (the node, then in the same sentence the completion of all of it).
_ALL_THE_WORK = re.compile(r"(?:上述|以上|各项|所有|全部)[^，,；;。]{0,4}?(?:工作|任务|事项)")
_FINISHED = re.compile(r"完成|办结|到位|完工|建成")
_NODE = re.compile(r"以([^，,；;。以为]{2,16}?)为(?:时间节点|节点|截止时间|截止日期|最后期限|完成时限)")


def _notice_deadline(text: str, year: int | None) -> date | None:
    """The one point the whole notice's work is due by, if the text sets exactly one."""
    if not (_DONE_BY.search(text) or _ALL_THE_WORK.search(text)):
        return None
    points = set()
    for sentence in re.split(r"[。；;\n]", _years_as_digits(text, year)):
        if (node := _NODE.search(sentence)) and _FINISHED.search(sentence[node.end():]) and (
                _ALL_THE_WORK.search(sentence) or "全部" in sentence[node.end():]):
            found, recurring = parse_deadline_in(node.group(1), year)
            if found and not recurring:
                points.add(found)  # "以3月15日为时间节点，…，完成各项任务"
        for clause in re.split(r"[，,]", sentence):
            if _REPORTED.search(clause) or not re.search(r"前|以前|之前", clause):
                continue
            if (_DONE_BY.search(clause) and _ALL_OF_THEM.search(clause)
                    or _ALL_THE_WORK.search(clause) and _FINISHED.search(clause)):
                found, recurring = parse_deadline_in(clause, year)
                if found and not recurring:
                    points.add(found)
    return points.pop() if len(points) == 1 else None


# Who answers, written as the kinds of responsibility ("（主体责任:各营业网点,监督责任:市工商局）"): the body that
# bears the 主体责任 leads and the department that bears the 监督/监管责任 over it supports, read as the fields
# "责任单位：" and "配合单位：" (the same length, so the text's positions stay those of the written copy).
_DUTY_KIND = re.compile(r"(?<=[（(【\[，,；;\s])(主体|监督|监管)责任(?=\s*[:：])")


# A problem's sentence that names who answers with 是/为 ("…小广告乱涂乱画，其责任单位是市住建局。", "华声小区的责任
# 单位是市人社局，该小区…"): the 是/为 stands for a field's colon and the value ends at the clause's end (the
# comma after it read as a semicolon); a 。 after it with more on the line ends the problem as a line break
# would ("…其责任单位是海城区。窨井盖破损，责任单位为市政管理局。"). One character for one. Not a note on roles
# ("第一责任单位为牵头单位").
_FIELD_IS = re.compile(r"责任单位[是为爲](?!\s*(?:牵头|配合|主办|协办)(?:单位|部门))(\s*[\u4e00-\u9fff][^，,。；;\n]*)"
                       r"(?:[，,]|。(?=[^\n])|(?=[。；;\n]|$))")


def _field_is(m: re.Match[str]) -> str:
    end = {"，": "；", ",": "；", "。": "\n"}.get(m.group(0)[-1:], "")
    if end == "\n" and _NUMBERED.match(m.string, m.string.rfind("\n", 0, m.start()) + 1):
        end = "。"  # a numbered item is one decision, however many sentences it takes
    return f"责任单位：{m.group(1)}{end}"


# The text ends inside brackets that name who answers ("…并处置相关投诉举报。(委X处牵头,市Y局、委相关处室和"): the
# page was cut off there; the brackets are read as closed before the last name, which the cut may have shortened.
_CUT_BRACKET = re.compile(r"[（(][^（）()\n]*?(?:牵头|负责|配合|单位|部门)[^（）()\n]*?"
                          r"([、，,和及与]*[^、，,（）()\n]*)\s*$")


# A unit the text names again by what it is ("希望该局要抓好…", "该镇要…"): the last unit of that kind written
# before it ("调研组对市交通运输局…表示肯定，希望该局要…" -> 市交通运输局, "督查组到石门镇…。该镇要…" -> 石门镇).
_ANAPHOR = re.compile(r"^该(局|委|办|镇|乡|街道|公司|中心|处|站|所|队|村|社区|集团)$"
                      # a kind no unit is named by alone ("向办事处下发通知单"): the one of that kind named before
                      r"|^(?:该|此)?(办事处|管委会|居委会|村委会|指挥部)$")


def _referent(unit: str, before: str) -> str:
    """The unit ``unit`` ("该局") stands for: the last name of its kind in ``before`` up to where it is written."""
    m = _ANAPHOR.match(unit)
    if not m:
        return unit
    kind = m.group(1) or m.group(2)
    # a bare kind is also the end of the full name it stands for: cut at where it is written alone, the last time
    at = before.find(unit) if m.group(1) else before.rfind(unit)
    before = before[:at] if at >= 0 else before
    names = re.findall(rf"(?:^|(?<=[{_NAME_CUT}]))[^{_NAME_CUT}]{{1,12}}?{kind}", before)
    names = [n for n in names if n != unit and not _ANAPHOR.match(n) and not _GENERIC.search(n)]
    if names and m.group(2) and re.search(re.escape(names[-1]) + r"[^，,。；;]{0,12}?(?:召开|组织)", before):
        return unit  # the unit that held the meeting naming itself by its kind ("办事处要…"): as written
    return names[-1] if names else unit


# "其余三家通信企业": the others, by their number, of a group the text listed before with the unit named beside them.
_THE_REST = re.compile(r"^(?:其余|其他|其它|另外)([两二三四五六七八九十2-9])(?:家|个)[\u4e00-\u9fff]{0,8}$")
_LISTED = re.compile(rf"(?:[^、，,；;。:：\s]{{2,20}}?{_UNIT_END}、)+[^、，,；;。:：\s]{{1,20}}?{_UNIT_END}")
_LEVEL_AT = re.compile(r"[省市县区](?!容|场|政|域|际|属|直|级)")


def _the_rest(unit: str, before: str, named: list[str]) -> list[str]:
    """The units "其余三家X" stands for: the names of the last list written before it that holds one of ``named``
    (the units charged beside them) and as many other names as it says; [unit] when no list fits."""
    m = _THE_REST.match(unit)
    if not m or not named:
        return [unit]
    count = int(m.group(1)) if m.group(1).isdigit() else "一二三四五六七八九十".find(m.group(1).replace("两", "二")) + 1
    for run in reversed(_LISTED.findall(before)):
        names = run.split("、")
        if (level := _LEVEL_AT.search(names[0], 1)) is not None:
            names[0] = names[0][level.start():]  # "督导市移动公司": the list starts at the name with its level
        same = [n for n in names if any(n.endswith(x) or x.endswith(n) for x in named)]
        others = [n for n in names if n not in same]
        if same and len(others) == count and all(is_unit_name(n) for n in others):
            return others
    return [unit]


# A record page of a 交办单 / 督办单 system: each field's label on a line of its own, its value on the lines under it
# ("责任单位:" / "市政园林工程处", "交办单标题:" / "关于…的通知"). One record is one decision: its title (else what
# it hands out) is the text, the unit fields say who, a deadline field by when; "请你单位…" in the content is the
# record's own 责任单位.
_RECORD_LABEL = re.compile(r"^([\u4e00-\u9fff]{2,8})\s*[:：]\s*$")
_RECORD_TITLE = re.compile(r"标题|名称|事项$|主题")
_RECORD_CONTENT = re.compile(r"内容|事项|问题|描述|要求")
_RECORD_WHO = re.compile(rf"^(?:{_UNIT_LABEL})$")
def _record_label(line: str) -> str:
    """A record field's name as written on its line, with or without its colon."""
    m = _RECORD_LABEL.match(line.strip())
    return m.group(1) if m else line.strip()


_RECORD_WHEN = re.compile(r"^(?:完成|办理|整改|办结|反馈)?(?:时限|期限)$|^要求完成时间$|^完成时间$")


# The same record as a form one cell a line ("整改任务" / "河长巡查流于形式…" / "责任单位" / "X局、Y镇" / "整改措施"
# / …): a field's name alone on its line, without a colon, from a 交办/整改 form's words, its value under it.
_BARE_RECORD_LABEL = re.compile(r"^(?:整改|问题|交办|督办|办理|责任|牵头|配合|协办|完成)[\u4e00-\u9fff]{2,4}$")


def _bare_labels(lines: list[str]) -> list[int]:
    """The lines that are a form's field names alone (no colon), each followed by a value, not by another name."""
    named = [n for n, line in enumerate(lines) if _BARE_RECORD_LABEL.match(line.strip())
             and (column_role(line.strip()) or line.strip().startswith("整改"))]
    out = []
    for n in named:
        below = next((m for m in range(n + 1, len(lines)) if lines[m].strip()), None)
        if below is not None and below not in named:
            out.append(n)
    return out


def _records(text: str, year: int | None) -> tuple[list[ParsedDecision], str]:
    """The decisions of the field records in ``text``, and the text with their lines blanked (numbers kept)."""
    lines = text.split("\n")
    labels = [n for n, line in enumerate(lines) if _RECORD_LABEL.match(line.strip())]
    if len(labels) < 3 and ("单位" in text or "部门" in text):
        labels = _bare_labels(lines)  # a form one cell a line, its names without colons
    if len(labels) < 3 or not any(_RECORD_WHO.match(_record_label(lines[n])) for n in labels):
        return [], text
    records: list[list[tuple[int, str, str]]] = [[]]
    for k, n in enumerate(labels):
        label = _record_label(lines[n])
        end = labels[k + 1] if k + 1 < len(labels) else len(lines)
        if k + 1 == len(labels):  # the last field's value: its lines up to a blank line
            end = next((m for m in range(n + 1, len(lines)) if not lines[m].strip() and m > n + 1), len(lines))
        if k and n - labels[k - 1] > 12 or any(label == seen for _n, seen, _v in records[-1]):
            records.append([])  # another record, or fields too far apart to be one
        records[-1].append((n, label, " ".join(x.strip() for x in lines[n + 1:end] if x.strip())))
    out = []
    for record in records:
        fields = {label: value for _n, label, value in record}
        who = "；".join(f"{label}：{value}" for label, value in fields.items() if _RECORD_WHO.match(label) and value)
        said = ([v for label, v in fields.items() if _RECORD_TITLE.search(label) and v]
                or [v for label, v in fields.items() if _RECORD_CONTENT.search(label) and v]
                or [v for label, v in fields.items() if column_role(label) == "task" and v])  # "整改任务"
        if not who or not said or len(record) < 3:
            continue
        leads, supporting = _who(who)
        when = "；".join(f"完成时限：{v}" for label, v in fields.items() if _RECORD_WHEN.match(label) and v)
        deadline, relative = _deadline(when, year) if when else (None, "")
        out.append(ParsedDecision(text=said[0], lead_units=leads, supporting_units=supporting, deadline=deadline,
                                  line=record[0][0] + 1, relative=relative))
        first, last = record[0][0], record[-1][0]
        last_end = next((m for m in range(last + 1, len(lines)) if not lines[m].strip() and m > last + 1),
                        len(lines))
        for m in range(first, last_end):
            lines[m] = ""
    return out, "\n".join(lines)


# The unit a leader's visit or a meeting is held at and for, named in the text's opening ("副县长到县水利局调度…",
# "深入城关镇调研…", "在县医保局召开现场办公会"): the addressee of the requirements that name no subject.
_VISITED = re.compile(rf"(?:到|赴|来到|深入|在)([^，,；;。到赴在的了]{{2,{MAX_UNIT}}}?{_UNIT_END})"
                      r"(?:调度|调研|督导|督查|检查|视察|指导|走访|现场办公|召开[^，,；;。]{0,20}?(?:调度|推进|办公|现场)会)")


def _addressee(text: str) -> str:
    """The one unit the text's opening says the visit or meeting was held at ("" when none, or several)."""
    opening = text[:400]
    if not any(w in opening for w in ("调度", "调研", "督导", "督查", "检查", "视察", "指导", "走访", "办公")):
        return ""
    named = {_clean_span(u) for u in _VISITED.findall(opening)}
    named = {u for u in named if _NAMED_UNIT.search(u) and not _GENERIC.search(u) and not _is_person(u)}
    return named.pop() if len(named) == 1 else ""


# What a requirement says is to be done: "要…", "务必…", "必须…", "确保…".
_REQUIRED = re.compile(r"要(?!求)|务必|必须|确保|切实")


def _asked_of_addressee(segment: str) -> list[str]:
    """The enumerated requirements ("一是…要…。二是…") of a paragraph that charges no unit, each a piece of its
    own, when there are two or more; else []."""
    bounds = [m.start() for m in _ENUMERATED.finditer(segment) if m.start()]
    if len(bounds) < 2 or any(_who(segment)):
        return []
    items = [segment[a:b] for a, b in zip(bounds, [*bounds[1:], len(segment)], strict=True)]
    items = [_ENUMERATED.sub("", item.strip(), count=1).strip() for item in items]
    return [item for item in items if _REQUIRED.search(item)]


# Short names before a colon that heads an item ("餐厅、超市：…", "物业：…"): who the item is for, when each is how
# the text named a party in full before ("…双满餐厅、越好超市、明喆物业等部门负责人参加").
_SHORT_HEADED = re.compile(r"^((?:[\u4e00-\u9fff]{2,6}、)*[\u4e00-\u9fff]{2,6})\s*[:：]")


def _participants_headed(segment: str, text: str) -> list[str]:
    """The short names heading ``segment``, as written, when each ends a name listed before it in the opening of
    ``text``; else []."""
    m = _SHORT_HEADED.match(segment)
    if not m:
        return []
    head = text[:2000]  # the parties are named in the opening, where the meeting is described
    at = head.find(segment[:12])
    before = head[:at] if at >= 0 else head
    names = m.group(1).split("、")
    if all(re.search(rf"[、，,：:\s][^、，,；;。：:\s]{{1,10}}{re.escape(n)}(?=[、，,等])", before) for n in names):
        return names
    return []


# A deadline a paragraph's last charge sets for all of them ("县水务局要…，县自然资源局要…，两项工作均于8月底前完成"):
# the deadline of each piece of that paragraph that names none.
_SHARED_WHEN = re.compile(r"(?:均|都|一律|同时|全部)(?:要|须|需|应|必须)?(?:于|在)[^，,；;。]{2,16}?"
                          r"(?:之前|以前|前|底|内)[^，,；;。]{0,6}?(?:完成|办结|到位|完工|建成)")


# A unit's slot written in prose: "由X牵头", "X牵头", "X配合/协助/协办" (X the span before the role word in its clause).
_SLOT_WORD = re.compile(r"牵头|主办|配合|协助|协办")
_SLOT_FIELD = {"first": "牵头单位", "lead": "牵头单位", "support": "配合单位"}
_SLOT_END = re.compile(r"^\s*(?:负责|实施|落实)?\s*$")
_HOW_FIRST = re.compile(r"进一步|做好|抓好|搞好|加大|加快")  # "做好支持与配合": how the work is done


def _refused_in_slots(text: str) -> list[tuple[str, str]]:
    """(phrase, slot) for each phrase a decision writes where a 牵头 or 配合 unit is named (a field's value, the words
    before 牵头/配合 in their clause) that the recogniser of names refuses (``names_no_unit``: it says what is done
    or how, not who); slot is 牵头单位 or 配合单位. How the units work (the words before 的, "在X的配合下", "对Y工作的
    监督和协助") is no slot."""
    found: list[tuple[str, str]] = []
    text = _unbracketed_who(text)  # "（责任单位：X）…": the field ends with its brackets
    spans: list[tuple[str, str]] = [
        (value, _SLOT_FIELD[kind]) for label, value in _LABEL.findall(text) if (kind := _label_kind(label))]
    for clause in _CLAUSE.split(_LABEL.sub("", text)):
        word = _SLOT_WORD.search(clause)
        # a slot: "由X牵头…", or the role word closing its clause ("X牵头，Y配合"); not a role the clause describes
        # ("X要发挥好牵头作用", "各单位要加强沟通配合": a charge and how it is done)
        if not word or not (re.match(r"^\s*由(?!于)", clause) or _SLOT_END.match(clause[word.end():])) or (
                "对" in clause and _OBJECT_OF.search(clause[: word.start()])):
            continue
        span = _MANNER.sub("", _clean_span(clause[: word.start()]))
        if span and len(span) <= MAX_UNIT * 3 and not span.endswith("的") and not _CHARGED.search(
                clause[: word.start()]) and not _HOW.search(span) and not _HOW_FIRST.match(span):
            spans.append((span, "配合单位" if word.group(0) in ("配合", "协助", "协办") else "牵头单位"))
    for span, slot in spans:
        for piece in _split_units(without_collective_tail(span)):
            piece = _ETC.sub("", _MANNER.sub("", piece)).strip()
            if piece and names_no_unit(piece) and not _is_person(piece) and (piece, slot) not in found:
                found.append((piece, slot))
    return found


def _line_of(lines: list[str], phrase: str, start: int) -> int:
    """The number of the first line from ``start`` (1-based) that holds ``phrase``; ``start`` when none does."""
    for n in range(max(start, 1), len(lines) + 1):
        if phrase in lines[n - 1]:
            return n
    return start


# A list of duties naming each unit in a sentence of its own, or with 职责 before the colon: "县环保局。负责…",
# "县交通局、公路局。负责…", "市规划监察支队职责:成立…". Read as "X：…" (same length, so the text maps back as
# written) when what stands before is the names of units and nothing else.
_DUTY_NAMED = re.compile(r"(?:^|(?<=[。；;：:\n]))\s*"
                         r"(?:(?:[(（][一二三四五六七八九十\d]{1,4}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、])\s*)?"
                         r"([^。，,；;：:\s（）()“”]{2,60}?)"
                         r"(?:(。)(?=\s*负责(?!人|同志))|(职责)\s*[:：])")


def _duty_named(m: re.Match[str]) -> str:
    names = written_units(m.group(1))
    if not names or not all(is_unit_name(n) for n in names):
        return m.group(0)
    head, rest = m.group(0)[: m.end(1) - m.start(0)], m.group(0)[m.end(1) - m.start(0):]
    return head + ("：" + rest[1:] if m.group(2) else rest.replace("职责", "  ", 1))


def _parse_decisions(text: str, *, year: int | None = None, meeting: date | None = None) -> ParsedDecisions:
    written = text
    if "。负责" in text or "职责" in text:
        text = _DUTY_NAMED.sub(_duty_named, text)
    text = _DUTY_KIND.sub(lambda m: "责任单位" if m.group(1) == "主体" else "配合单位", text)
    text = _FIELD_IS.sub(_field_is, text)
    text = _BRACKETED_LABEL.sub(lambda m: f" {m.group(1)}：", text)
    if cut := _CUT_BRACKET.search(text):  # a page cut off inside the brackets of who answers
        text = text[:cut.start(1)] + ")"
    year = year or (meeting.year if meeting else None) or _year_of(text)
    parsed = ParsedDecisions(year=year, meeting=meeting)
    records, text = _records(text, year)
    lines, tables = _table_decisions(_unflattened(text), year, meeting)
    segments = _duty_blocks(_segments(lines, tables, year, meeting), lines, tables, year, meeting)
    addressee = _addressee(text)
    segments = _unit_headings(segments, lines, tables, year, meeting, addressee)
    pieces = []  # (line, piece, the deadline clause the pieces of its paragraph share, the unit addressed)
    for line, segment in segments:
        texts = [segment] if segment == _TABLE else _decision_texts(segment)
        shared = _SHARED_WHEN.search(texts[-1]) if len(texts) > 1 else None
        if addressee and len(texts) == 1 and segment != _TABLE and (asked := _asked_of_addressee(segment)):
            pieces += [(line, piece, "", addressee) for piece in asked]
            continue
        pieces += [(line, piece, shared.group(0) if shared else "", "") for piece in texts]
    notice_deadline = _notice_deadline(text, year)
    sent_to = addressees(text)
    letter = bool(sent_to) and letter_like(text)

    def _addresses(unit: str) -> bool:  # a word for the addressees: 贵单位, 你们; 各单位 in a letter or notice
        return bool(ADDRESSEE_WORDS.match(unit) or (letter and EACH_ADDRESSEE.match(unit)))
    addressed_to: list[int] = []  # the decisions charging the letter's addressees by a word for them
    for line, segment, shared, addressed in [(0, _RECORDS, "", ""), *pieces]:
        if segment == _RECORDS:
            found = records
        elif segment == _TABLE:
            found = tables[line]
        else:
            if sent_to and written_units(segment.strip().rstrip(":：")) == sent_to:
                continue  # the letter's addressees, named before its body: no charge of their own
            # context ("会议听取了…汇报") names nobody charged: no decision
            # "请你们于…前…" in a letter: the addressees by a word the unit lists read as a unit's
            leads, supporting = ([addressed], []) if addressed else _who(
                _YOU_ALL.sub("贵单位", segment) if sent_to else segment)
            if not leads and not supporting and ("：" in segment[:20] or ":" in segment[:20]):
                leads = _participants_headed(segment, text)  # "餐厅、物业：…" after "…双满餐厅、明喆物业…参加"
            if not leads and not supporting:
                continue
            if sent_to and any(_addresses(u) for u in leads + supporting):
                # "请贵单位于…前完成", "各单位负责…" in a letter: the units it is addressed to
                leads = _dedupe([n for u in leads for n in (sent_to if _addresses(u) else [u])])
                supporting = [u for u in supporting if not _addresses(u) and u not in leads]
                addressed_to.append(len(parsed.items))
            if any(_ANAPHOR.match(u) for u in leads + supporting):
                before = text[: max(text.find(segment[:12]), 0)]
                leads = _dedupe([_referent(u, before + segment) for u in leads])
                supporting = _dedupe([_referent(u, before + segment) for u in supporting])
            if any(_THE_REST.match(u) for u in leads + supporting):
                before = text[: max(text.find(segment[:12]), 0)]
                supporting = _dedupe([n for u in supporting for n in _the_rest(u, before, leads)])
            deadline, relative = _deadline(segment, year, meeting)
            if deadline is None and not relative and shared:
                deadline, relative = _deadline(shared, year, meeting)  # "X要…，Y要…，两项工作均于8月底前完成"
            found = [ParsedDecision(text=segment, lead_units=leads, supporting_units=supporting,
                                    deadline=deadline, line=line, relative=relative)]
            for phrase, slot in _refused_in_slots(segment):
                if phrase not in leads and phrase not in supporting:
                    at = _line_of(lines, phrase, line)  # "…等措施争取业主的支持配合": written as a unit, read as none
                    parsed.warnings.append(DecisionWarning(at, Issue(msgs.SLOT_NOT_A_UNIT, line=at, slot=slot,
                                                                     phrase=phrase)))
        for decision in found:
            if decision.deadline is None and not decision.relative and notice_deadline:
                decision.deadline = notice_deadline  # the notice's one deadline, for each item that names none
            parsed.items.append(decision)
            at = decision.line
            if not decision.lead_units:
                parsed.warnings.append(DecisionWarning(at, Issue(NO_LEAD, line=at)))
            if decision.deadline is None and decision.relative:
                parsed.warnings.append(DecisionWarning(at, Issue(RELATIVE_DEADLINE, line=at,
                                                                 relative=decision.relative)))
            elif decision.deadline is None:
                parsed.warnings.append(DecisionWarning(at, Issue(NO_DEADLINE, line=at)))
    _letter_deadline(parsed, addressed_to)
    if not parsed.items:
        parsed.warnings.append(DecisionWarning(0, Issue(NO_DECISIONS)))
    if text != written:  # each decision's words as written (是, 主体责任), not as read
        for d in parsed.items:
            d.text = _as_written(d.text, text, written)
    return parsed


# "你们" / "您们" for a letter's addressees, written as the word the unit lists read ("贵单位").
_YOU_ALL = re.compile(r"(?:你|您)们(?!单位|公司|局|委|办|部门)")


def _letter_deadline(parsed: ParsedDecisions, addressed_to: list[int]) -> None:
    """A letter that sets its addressees one date ("请贵单位于5月20日前完成…") sets it for each of its charges to
    them that names none ("二、各单位负责…"): the warning that it has none goes with it."""
    dated = {parsed.items[k].deadline for k in addressed_to if parsed.items[k].deadline}
    if len(dated) != 1:
        return
    when = dated.pop()
    for k in addressed_to:
        d = parsed.items[k]
        if d.deadline is None and not d.relative:
            d.deadline = when
            if all(o.deadline or o.relative for o in parsed.items if o.line == d.line):
                parsed.warnings = [w for w in parsed.warnings
                                   if not (w.line == d.line and w.message == Issue(NO_DEADLINE, line=d.line))]


def read_decisions(path: str | Path, *, year: int | None = None, limits: Limits | None = None,
                   name: str = "", meeting: date | None = None) -> ParsedDecisions:
    """The decisions of a minutes file (.txt, .docx, .pdf, …) through the plan importer's caps and readers, as
    ``manage.py import_decisions`` reads them; ``PlanParseError`` names what is wrong with the file."""
    path = Path(path)
    text = read_text(path, limits=limits or Limits(), source=name or path.name)
    if not text.strip():
        raise PlanParseError(msgs.NO_TEXT, path=name or path.name)
    return parse_decisions(text, year=year, meeting=meeting)
