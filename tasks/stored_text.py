"""Text the app writes into the database itself (not typed by a person), read in the reader's language.

History reasons ("签收", "由区建设局分解交办"), system notes on a 督办单, a closed extension request's note, the
people log's details, why a message went by a channel, an export's failure: the services write each from one
of the templates below, always in the site's language (``written``), whoever's page caused the write. A page
shows a stored text through ``shown`` (the ``stored`` template filter): a text written from a template is
rendered again from its values in the reader's language (a value that is a label of the app, 领导批示 or 红色,
translated too; a date written 2026年6月30日 as a date); anything else (what people typed) is shown as it is.
Reading works on rows written before this module existed: their text is the same template's.

The Chinese template is the catalogue's message id (``gettext_noop`` marks each for the catalogue).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext, gettext_noop

from tasks.importers import messages as import_messages
from tasks.importers.decisions import TEMPLATES as DECISION_TEMPLATES
from tasks.importers.issues import Issue
from tasks.importers.roster import FIELD_LABELS as ROSTER_LABELS
from tasks.importers.roster import TEMPLATES as ROSTER_TEMPLATES

_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%s|%%")
# Joins several written texts into one (a message's channel note: "邮件总会发送；钉钉未配置(…)").
JOIN = "；"


@dataclass(frozen=True)
class Template:
    msgid: str
    dates: frozenset[str] = field(default_factory=frozenset)  # values written as 2026年6月30日
    # A value that is one of a few words (a role's name): only those are read as it, so a typed text that
    # merely starts like the template ("任务…" against "任%(role)s") is not taken for one.
    words: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # A value that is a list of texts of another template, joined by a separator: (name, (separator, template)).
    lists: tuple[tuple[str, tuple[str, Template]], ...] = ()

    @property
    def pattern(self) -> re.Pattern:
        return _pattern(self.msgid, self.words)


@cache
def _pattern(msgid: str, words: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> re.Pattern:
    allowed = dict(words)
    parts, at, n = [], 0, 0
    for m in _PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[at:m.start()]))
        if m.group(0) == "%%":
            parts.append("%")
        else:
            name = m.group(1) or f"_{n}"
            n += m.group(1) is None
            inner = "|".join(map(re.escape, allowed[name])) if name in allowed else ".+?"
            parts.append(rf"(?P<{name}>{inner})")
        at = m.end()
    parts.append(re.escape(msgid[at:]))
    return re.compile("".join(parts), re.S)


def _t(msgid: str, *, dates: tuple[str, ...] = (), words: dict[str, tuple[str, ...]] | None = None,
       lists: dict[str, tuple[str, Template]] | None = None) -> Template:
    return Template(msgid, frozenset(dates), tuple((words or {}).items()), tuple((lists or {}).items()))


_ROLES = {"role": (gettext_noop("联络员"), gettext_noop("分管领导"), gettext_noop("专班协调员"))}


# Every template a service writes into a stored field. Longer (more specific) ones are tried first.
SIGNED = _t(gettext_noop("签收"))
HANDED_BY = _t(gettext_noop("由%(u)s分解交办"))
HANDED_TO = _t(gettext_noop("分解交办给：%(units)s"))
FROM_ORIGIN = _t(gettext_noop("来自%(origin)s %(ref)s"))
RATED_UNSATISFIED = _t(gettext_noop("评价不满意：%s"))
IMPORTED_PAST_DUE = _t(gettext_noop("导入时已过期限(%s 前到期)，留作历史记录：不计入任何比率、排名，不催办、不督办。"))
EXTENSION_NOT_NEEDED = _t(gettext_noop("事项已办结，无需延期。"))
NOTICE_PROPOSED = _t(gettext_noop("系统按规则拟制"))
NOTICE_UNANSWERED = _t(gettext_noop("%(due)s前未回复"), dates=("due",))
NOTICE_ESCALATED = _t(gettext_noop("由%(n)s升级"))
NOTICE_REPLY = _t(gettext_noop("【回复%(number)s】%(text)s"))
NOTICE_ISSUED = _t(gettext_noop("【%(number)s %(colour)s督办单】%(req)s请于%(due)s前书面回复。"), dates=("due",))
INVITED_UNTIL = _t(gettext_noop("有效至 %(t)s"))
ADDED_AS = _t(gettext_noop("任%(role)s"), words=_ROLES)
ADDED_AS_TITLED = _t(gettext_noop("任%(role)s（%(title)s）"), words=_ROLES)
MOVED_FROM = _t(gettext_noop("自%(u)s调入"))
HOLDERS_MOVED = _t(gettext_noop("责任单位：%(moves)s；原因：%(why)s"))
HOLDERS_BY_ADMIN = _t(gettext_noop("管理后台修改"))
HOLDERS_BY_IMPORT = _t(gettext_noop("重新导入：随关联的重点任务变更"))
MOVED_TO = _t(gettext_noop("调至%(u)s"))
REPLACED = _t(gettext_noop("接替%(n)s；转交待发提醒 %(m)d 条"))
EMAIL_ALWAYS = _t(gettext_noop("邮件总会发送"))
CHANNEL_UNCONFIGURED = _t(gettext_noop("%(channel)s未配置(%(why)s)"))
CHANNEL_NO_ADDRESS = _t(gettext_noop("%(channel)s缺少收件人标识"))
CHANNEL_PREFERRED = _t(gettext_noop("按本人接收渠道顺序"))
CHANNEL_FALLBACK = _t(gettext_noop("%(before)s %(hours)s小时内未送达时补发"))
ROBOT_SUMMARY = _t(gettext_noop("群机器人：摘要和链接"))
NOTIFY_TEST = _t(gettext_noop("notify_test 测试"))
EXPORT_TIMED_OUT = _t(gettext_noop("生成超时，请重新导出。"))
# A channel's own reasons for not sending a message (the outbox's last error); a provider's answer stays as it came.
CHANNEL_ROBOT_GONE = _t(gettext_noop("群机器人不存在或已停用"))
CHANNEL_ROBOT_HOST = _t(gettext_noop("群机器人地址的主机不在 NOTIFY_ROBOT_HOSTS 中，未发送"))
CHANNEL_ROBOT_WINDOW = _t(gettext_noop("群机器人限流中，等待发送窗口"))
CHANNEL_FILE_MISSING = _t(gettext_noop("附件文件缺失: %s"))
CHANNEL_FILE_UNREAD = _t(gettext_noop("附件读取失败: %s"))
CHANNEL_SMS_URL = _t(gettext_noop("短信模板变量中不得含网址(PARAM_NOT_SUPPORT_URL)"))
EXPORT_FAILED = _t(gettext_noop("生成文件时出错，请重试。"))
REMINDER_TAKEN_OVER = _t(gettext_noop("联络员已更换，新联络员已有同一提醒"))
# Messages' subjects (the outbox's record, read in its admin): written by the services from the catalogue's
# message ids below, in the site's language. A label among the values (a colour, an origin, a period's name,
# a reminder section's title) is one of a few words; a subject's other values are data.
SUBJECT_INVITE = _t(gettext_noop("【住有宜居】请设置您的账号密码"))
SUBJECT_TEST = _t(gettext_noop("住有宜居：测试消息"))
SUBJECT_NOTICE = _t(gettext_noop("【%(colour)s督办单】%(number)s %(plan)s"),
                    words={"colour": (gettext_noop("蓝色"), gettext_noop("黄色"), gettext_noop("红色"))})
SUBJECT_RATE = _t(gettext_noop("【待评价】%(origin)s事项已销号：%(text)s"),
                  words={"origin": (gettext_noop("会议议定"), gettext_noop("领导批示"), gettext_noop("方案任务"))})
SUBJECT_ROUNDUP = _t(gettext_noop("【%(title)s】%(plan)s %(label)s"),
                     words={"title": (gettext_noop("月晾晒"), gettext_noop("季通报"), gettext_noop("年考核"))})
DIGEST_PART = _t(gettext_noop("%(title)s%(n)s项"), words={"title": (
    gettext_noop("专班催办"), gettext_noop("已逾期"), gettext_noop("交办事项逾期未签收"), gettext_noop("即将到期"),
    gettext_noop("请填报本月工作进展"))})
SUBJECT_DIGEST = _t(gettext_noop("【住有宜居】工作提醒：%(parts)s"), lists={"parts": ("，", DIGEST_PART)})

TEMPLATES: tuple[Template, ...] = tuple(sorted(
    (value for value in list(globals().values()) if isinstance(value, Template)),
    key=lambda t: len(_PLACEHOLDER.sub("", t.msgid)), reverse=True,
))


def written(template: Template, **values) -> str:
    """The text to store: ``template`` with ``values``, in the site's language whatever the writer's. A label of
    the app among the values (a channel's or a colour's name) must be passed lazy (``Choices(x).label``, not
    ``get_x_display()``, which is already in the writer's language) to be written in it too."""
    with translation.override(settings.LANGUAGE_CODE):
        if not values:
            return template.msgid
        if "_0" in values:  # a template with one positional value
            return template.msgid % str(values["_0"])
        return template.msgid % {k: v if isinstance(v, int) else str(v) for k, v in values.items()}


def _value(name: str, value: str, template: Template):
    if name in (lists := dict(template.lists)):
        separator, inner = lists[name]
        parts = value.split(separator)
        shown_parts = [_of(inner, part) for part in parts]
        return gettext(separator).join(p if p is not None else raw for p, raw in zip(shown_parts, parts, strict=True))
    if name in template.dates and (m := _DATE.fullmatch(value)):
        return formats.date_format(date(*map(int, m.groups())), "DATE_FORMAT")
    if value.isdigit():
        return int(value)
    return gettext(value) if value else value  # a label of the app in the reader's language; data as it is


def _of(template: Template, text: str) -> str | None:
    """``text`` rendered again from ``template`` in the active language, or None when it is not the template's."""
    m = template.pattern.fullmatch(text)
    if m is None:
        return None
    values = {k: _value(k, v, template) for k, v in m.groupdict().items()}
    english = gettext(template.msgid)
    try:
        if "_0" in values:
            return english % values["_0"]
        return english % values if values else english
    except (TypeError, ValueError, KeyError):
        return None


def _one(text: str) -> str | None:
    for template in TEMPLATES:
        if template.pattern.fullmatch(text) is not None:
            return _of(template, text)
    return None


def shown(text: str | None) -> str:
    """A stored text in the active language: rendered again from its template if the app wrote it (each part
    of several joined with ``JOIN``), else as it is."""
    if not text or (translation.get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        return text or ""
    whole = _one(text)
    if whole is not None:
        return whole
    if JOIN in text:
        parts = [_one(part) for part in text.split(JOIN)]
        if any(p is not None for p in parts):
            return gettext("；").join(p if p is not None else raw for p, raw in zip(parts, text.split(JOIN),
                                                                                   strict=True))
    return text


# -- the importers' messages ------------------------------------------------------------------------------------
# Every message an importer (or the plan import's service) writes, stored on a plan or shown in a preview or a
# refused upload's error: ``importers.messages``, the roster's and the minutes' templates. Read like the texts
# above; a value that is one of the importers' labels (a field's name) is translated, one written from another
# of these templates (the line a limit warning names, the task a doubtful split names) is read with it, any
# other value (a unit's, a document's name) stays as written.
IMPORT_TEMPLATES: tuple[Template, ...] = tuple(sorted(
    {_t(msgid) for msgid in (*import_messages.TEMPLATES, *DECISION_TEMPLATES, *ROSTER_TEMPLATES)},
    key=lambda t: (len(_PLACEHOLDER.sub("", t.msgid)), t.msgid), reverse=True,
))
IMPORT_LABELS = frozenset((*import_messages.LABELS, *ROSTER_LABELS.values()))
# Each template's longest fixed piece: a text without it is no text of the template (a substring test spares
# most of the regular expressions; a plan page reads every warning of its last import).
_IMPORT_KEYS = tuple((max(re.split(r"%\(\w+\)[sd]|%s|%%", t.msgid), key=len), t) for t in IMPORT_TEMPLATES)
_LEGACY_KEYS = tuple(key for key, t in _IMPORT_KEYS if t.msgid in import_messages.LEGACY)  # "” read as ", "任务"
# The English technical note for staff after a message ("文件为空 (empty file)"): ASCII in brackets at its end.
_NOTE = re.compile(r"\s*[(（]([\x20-\x7e]*[A-Za-z][\x20-\x7e]*)[)）]\s*$")
_ANY_NOTE = re.compile(r"\s*[(（](.*)[)）]\s*", re.S)


def note_parts(message: str) -> tuple[str, str]:
    """A message split into what users read and the technical note staff may see:
    "关联把握不大,请核对 (doubtful link: score 0.42)" -> ("关联把握不大,请核对", "doubtful link: score 0.42")."""
    match = _NOTE.search(message)
    if match is None:
        return message.strip(), ""
    return message[:match.start()].rstrip(" ,，;；"), match.group(1).strip()


def _import_value(value: str):
    nested = _import_one(value) if value else None
    if nested is not None:
        return nested
    if value in IMPORT_LABELS:
        return gettext(value)
    if "、" in value and all(part in IMPORT_LABELS for part in value.split("、")):
        return gettext("、").join(gettext(part) for part in value.split("、"))
    return int(value) if value.isdigit() else value


def _render(msgid: str, values: dict) -> str | None:
    translated = gettext(import_messages.LEGACY.get(msgid, msgid))  # an old wording: as its successor
    try:
        return translated % values if values else translated
    except (TypeError, ValueError, KeyError):
        return None


def _import_one(text: str) -> str | None:
    """``text`` in the active language if one of the importers' templates wrote it, else None."""
    for key, template in _IMPORT_KEYS:
        m = template.pattern.fullmatch(text) if key in text else None
        if m is not None:
            rendered = _render(template.msgid, {k: _import_value(v) for k, v in m.groupdict().items()})
            if rendered is not None:
                return rendered
    return None


def _one_with_note(message: str) -> tuple[str, str] | None:
    """A message whose note is not plain ASCII (an exception's text naming a file in Chinese): the template's
    text, read in the active language, and the note."""
    for key, template in _IMPORT_KEYS:
        m = re.fullmatch(template.pattern.pattern + _ANY_NOTE.pattern, message, re.S) if key in message else None
        if m is not None:
            values = m.groupdict()
            rendered = _render(template.msgid, {k: _import_value(v) for k, v in values.items()})
            if rendered is not None:
                return rendered, m.group(m.lastindex).strip()
    return None


def import_parts(message: str) -> tuple[str, str]:
    """An importer's message (a stored warning, a preview's, a refusal's) in the active language, and its
    English technical note for staff. A text no template wrote (one a service wrote with ``gettext``, already
    in the writer's language) is read through the catalogue, else as it is."""
    text, note = note_parts(str(message))
    if (translation.get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        if any(key in text for key in _LEGACY_KEYS):
            return _import_one(text) or text, note  # an old wording, as an import writes it now
        return text, note
    rendered = _import_one(text)
    if rendered is None and not note:
        found = _one_with_note(text)
        if found is not None:
            return found
    return (rendered if rendered is not None else gettext(text)), note


def import_text(message: str) -> str:
    """An importer's message in the active language, its technical note (if any) kept at its end: what a
    management command prints (in the site's language unless it activates another)."""
    text, note = import_parts(message)
    return f"{text} ({note})" if note else text


def import_error_text(exc) -> str:
    """A refusal (``PlanParseError``) as a command prints it: the file and line, then the message in the active
    language (the site's unless the command activates another) with its technical note."""
    text = import_text(exc.message)
    return f"{exc.where}: {text}" if exc.where else text


def issue_text(issue: str) -> str:
    """An importer's message for its preview in the active language (``importers.issues.Issue``: from its
    template, the catalogue's message id, and values, a label or a message among them translated too); any
    other text through ``import_text`` (a message that went through a session or the database)."""
    if not isinstance(issue, Issue):
        return import_text(str(issue)) if issue else ""
    params = {k: issue_text(v) if isinstance(v, Issue) else gettext(v) if v in IMPORT_LABELS else v
              for k, v in issue.params.items()}
    template = gettext(import_messages.LEGACY.get(issue.template, issue.template))
    return template % params if params else template
