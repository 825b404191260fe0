"""What an import would create, for the coordinator's preview, and an imported plan's warnings (reads only)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tasks.importers import ParsedPlan, ParsedWorkItem
from tasks.importers.matching import UNIT_WARNINGS, normalise_name, unmatched_indicator_warnings, work_item_keys
from tasks.models import Indicator, KeyTask, Plan, Region, Unit, WorkItem
from tasks.rules.outcomes import is_past_due
from tasks.rules.plans import default_short_name
from tasks.rules.towns import collective_members
from tasks.stored_text import import_parts, note_parts

from .permissions import visible_plans
from .towns import town_rows
from .units import units_by_name

SUGGESTIONS = 3  # existing units offered first for a new name
SUGGESTION_THRESHOLD = 0.6
_PREFIX = re.compile(r"^(省|市|区|县|镇|乡|新区)")
_SUFFIX = re.compile(r"(分局|局|委员会|委|办公室|办|中心|大队|集团|公司)$")


@dataclass
class UnitPreview:
    name: str  # as the document writes it
    resolved: str  # the unit it will be
    status: str  # "existing", "alias" (existing unit under another name), "doubtful" (a guessed alias) or "new"


@dataclass
class UnitChoice:
    """A unit name the coordinator should settle before confirming."""

    field: str  # form field name, stable for the name
    name: str  # as the document writes it
    kind: str  # "new": would be created; "doubtful": matched to ``matched`` by a guessed abbreviation
    line: int | None
    other_names: list[str] = field(default_factory=list)
    matched: str = ""
    tasks: list[int] = field(default_factory=list)  # key tasks naming it
    suggestions: list[Unit] = field(default_factory=list)  # existing units it most resembles


@dataclass
class CollectivePreview:
    """A collective unit (各镇(街道), 各平台公司) and who will hold its parts: its members, if known."""

    name: str  # as the document writes it
    line: int | None
    members: list[str]  # the member towns' names; empty: the coordinator must name them
    tasks: list[int] = field(default_factory=list)  # key tasks naming it


@dataclass
class LinkChoice:
    """Work items (of one indicator) whose key task the parser only guessed."""

    field: str
    indicator: str
    line: int | None
    guess: int | None
    items: list[ParsedWorkItem]
    keys: list[str]


@dataclass
class DeadlineProblem:
    line: int | None
    deadline_text: str
    what: str  # the task or item it belongs to


@dataclass
class TableColumn:
    index: int
    header: str  # as the document writes it ("" for a table without a header row)
    sample: str  # the first data row's cell, to tell the columns apart
    role: str  # how it was read: one of tables.COLUMN_ROLES
    unclear: bool  # a guess the coordinator should check


@dataclass
class TableReading:
    """How the parser read one task table's columns; the preview lets the coordinator reassign them."""

    line: int
    inferred: bool  # no header row: every column read from its cells
    columns: list[TableColumn]
    assigned: bool = False  # read as the coordinator assigned

    @property
    def unclear(self) -> bool:
        return any(c.unclear for c in self.columns)


@dataclass
class ImportPreview:
    parsed: ParsedPlan
    existing_plan: Plan | None
    region: Region | None = None
    units: dict[str, UnitPreview] = field(default_factory=dict)
    region_units: list[Unit] = field(default_factory=list)
    unit_choices: list[UnitChoice] = field(default_factory=list)
    link_choices: list[LinkChoice] = field(default_factory=list)
    confirmed_links: int = 0  # doubtful links already confirmed by a coordinator in the existing plan
    deadline_problems: list[DeadlineProblem] = field(default_factory=list)
    other_warnings: list[WarningRow] = field(default_factory=list)
    tables: list[TableReading] = field(default_factory=list)
    collectives: list[CollectivePreview] = field(default_factory=list)
    # Deadlines of the new work items already past due (``rules.outcomes.is_past_due``), earliest first.
    past_due: list[date] = field(default_factory=list)
    short_name: str = ""  # the plan's short name as it will be unless the coordinator changes it

    @property
    def n_past_due(self) -> int:
        return len(self.past_due)

    def unit(self, name: str) -> UnitPreview:
        return self.units[normalise_name(name)]

    @property
    def unclear_tables(self) -> list[TableReading]:
        return [t for t in self.tables if t.unclear]

    @property
    def collectives_without_members(self) -> list[CollectivePreview]:
        return [c for c in self.collectives if not c.members]

    @property
    def n_to_check(self) -> int:
        return (len(self.unit_choices) + len(self.link_choices) + len(self.deadline_problems)
                + len(self.unclear_tables) + len(self.collectives_without_members))


def _field(prefix: str, text: str) -> str:
    return f"{prefix}_{hashlib.sha1(text.encode()).hexdigest()[:12]}"


def table_readings(parsed: ParsedPlan, assigned: dict[int, list[str]] | None = None) -> list[TableReading]:
    """Each task table's columns as read (header, a sample cell, the role given, whether it is a guess)."""
    assigned = assigned or {}
    out = []
    for t in parsed.tables:
        columns = []
        for i, role in enumerate(t.roles):
            header = t.headers[i] if i < len(t.headers) else ""
            sample = t.sample[i] if i < len(t.sample) else ""
            columns.append(TableColumn(index=i, header=header, sample=sample[:40], role=role,
                                       unclear=i in t.unclear and t.line not in assigned and -t.line not in assigned))
        out.append(TableReading(line=t.line, inferred=t.inferred, columns=columns,
                                assigned=t.line in assigned or -t.line in assigned))
    return out


def saved_layouts(user) -> list[tuple[str, list[dict]]]:
    """The table layouts coordinators saved on the plans ``user`` sees (newest import first): a new year's
    list laid out like last year's is read with it."""
    plans = visible_plans(user).exclude(import_layout=[]).order_by("-imported_at", "-pk")
    return [(title, layout) for title, layout in plans.values_list("title", "import_layout")[:50]]


def import_preview(*, parsed: ParsedPlan, columns: dict[int, list[str]] | None = None,
                   today: date | None = None) -> ImportPreview:
    """Resolve every unit name against the region's units, find the plan a re-import would update,
    and list what the coordinator should settle: new or doubtful unit names, doubtful key-task
    links, deadlines that could not be read. A fixed number of queries whatever the document."""
    region = Region.objects.filter(name=parsed.region).first()
    known = units_by_name(region) if region else {}
    existing_plan = Plan.objects.filter(region=region, title=parsed.title).first() if region else None
    preview = ImportPreview(parsed=parsed, existing_plan=existing_plan, region=region,
                            tables=table_readings(parsed, columns))
    preview.region_units = sorted({u.pk: u for u in known.values()}.values(), key=lambda u: u.name)
    canonical = {}
    for pu in parsed.units:
        for name in (pu.name, *pu.aliases):
            canonical[normalise_name(name)] = pu.name
    doubtful = {
        normalise_name(w.subject): w for w in parsed.warnings if w.code == "unit_doubtful_match" and w.subject
    }
    names = {n for t in parsed.key_tasks for n in (*t.lead_units, *t.supporting_units)}
    names |= {n for t in parsed.key_tasks for n, _role in t.other_units}
    names |= {n for w in parsed.work_items for n in (*w.lead_units, *w.supporting_units)}
    names |= {pu.name for pu in parsed.units}
    for name in names:
        key = normalise_name(name)
        unit = known.get(key) or known.get(normalise_name(canonical.get(key, name)))
        if unit is not None and key in known:
            status = "existing" if normalise_name(unit.name) == key else "alias"
            preview.units[key] = UnitPreview(name, unit.name, status)
        elif unit is not None:
            preview.units[key] = UnitPreview(name, unit.name, "doubtful" if key in doubtful else "alias")
        else:
            target = canonical.get(key, name)
            status = "new" if normalise_name(target) == key else ("doubtful" if key in doubtful else "alias")
            preview.units[key] = UnitPreview(name, target, status)
    _unit_choices(preview, known, doubtful)
    _past_due(preview, today or timezone.localdate())
    _collectives(preview)
    _link_choices(preview)
    _deadline_problems(preview)
    handled = {"deadline_unreadable"}
    if preview.link_choices or preview.confirmed_links:
        handled.add("doubtful_link")
    chosen_names = {normalise_name(c.name) for c in preview.unit_choices}
    preview.other_warnings = [
        w.as_json() for w in parsed.warnings
        if w.code not in handled and not (w.code in UNIT_WARNINGS and normalise_name(w.subject) in chosen_names)
    ]
    # The import adds this one itself; shown here so the coordinator sees it before confirming.
    preview.other_warnings = [
        WarningRow(line=w["line"], message=w["message"], code=w["code"])
        for w in sorted([*preview.other_warnings, *unmatched_indicator_warnings(parsed)], key=lambda w: w["line"] or 0)
    ]
    return preview


def _past_due(preview: ImportPreview, today: date) -> None:
    """The deadlines of the work items the import would create already past due, and the plan's short name
    (the existing plan's, or ``rules.plans.default_short_name``). One query at most."""
    parsed, plan = preview.parsed, preview.existing_plan
    existing = set(plan.work_items.exclude(import_key="").values_list("year", "import_key")) if plan else set()
    preview.past_due = sorted(
        w.deadline for w, key in zip(parsed.work_items, work_item_keys(parsed), strict=True)
        if (w.year, key) not in existing and is_past_due(due=w.deadline, today=today)
    )
    if plan is not None and plan.short_name:
        preview.short_name = plan.short_name
    else:
        taken = set(Plan.objects.filter(region=preview.region).values_list("short_name", flat=True)) \
            if preview.region else set()
        years = [y for y in (parsed.first_year, parsed.last_year) if y]
        preview.short_name = default_short_name(
            region=parsed.region, title=parsed.title, first_year=years[0] if years else None,
            last_year=years[-1] if years else None, taken=taken,
        )


def _unit_choices(preview: ImportPreview, known: dict[str, Unit], doubtful: dict) -> None:
    parsed = preview.parsed
    tasks_naming: dict[str, list[int]] = {}
    for t in parsed.key_tasks:
        for n in (*t.lead_units, *t.supporting_units):
            tasks_naming.setdefault(normalise_name(n), []).append(t.number)
    for pu in parsed.units:
        all_names = [pu.name, *pu.aliases]
        keys = [normalise_name(n) for n in all_names]
        numbers = sorted({n for k in keys for n in tasks_naming.get(k, [])})
        if preview.region_units and not any(k in known for k in keys):
            others = [n for n in pu.aliases if normalise_name(n) not in doubtful]
            preview.unit_choices.append(UnitChoice(
                field=_field("unit", normalise_name(pu.name)), name=pu.name, kind="new", line=pu.line,
                other_names=others, tasks=numbers, suggestions=_suggest(pu.name, preview.region_units),
            ))
        for alias in pu.aliases:
            key = normalise_name(alias)
            if key in doubtful and key not in known:
                matched = known.get(normalise_name(pu.name))
                preview.unit_choices.append(UnitChoice(
                    field=_field("unit", key), name=alias, kind="doubtful", line=doubtful[key].line,
                    matched=matched.name if matched else pu.name, tasks=sorted(set(tasks_naming.get(key, []))),
                    suggestions=_suggest(alias, preview.region_units),
                ))
    preview.unit_choices.sort(key=lambda c: (c.line or 0, c.name))


def _collectives(preview: ImportPreview) -> None:
    """Each collective the document names, with the towns it stands for (the region's towns, or those
    towns.csv will seed on a first import). One without members is flagged: it would hold no part, be
    ranked nowhere and never be asked 配合到位 until the coordinator names its members."""
    parsed = preview.parsed
    towns = [(u.name, u.town_kind) for u in sorted(preview.region_units, key=lambda u: u.pk)
             if u.kind == Unit.Kind.TOWN]
    # A region without towns gets towns.csv's on its first import (``plan_import``).
    towns = towns or [(row.name, row.kind) for row in town_rows(parsed.region)]
    tasks_naming: dict[str, list[int]] = {}
    for t in parsed.key_tasks:
        for n in (*t.lead_units, *t.supporting_units):
            tasks_naming.setdefault(normalise_name(n), []).append(t.number)
    for pu in parsed.units:
        if pu.kind != "collective":
            continue
        names = [pu.name, *pu.aliases]
        members = next((m for m in (collective_members(n, towns) for n in names) if m), [])
        numbers = sorted({n for name in names for n in tasks_naming.get(normalise_name(name), [])})
        preview.collectives.append(CollectivePreview(name=pu.name, line=pu.line, members=members, tasks=numbers))
    preview.collectives.sort(key=lambda c: (bool(c.members), c.line or 0, c.name))


def _suggest(name: str, units: list[Unit]) -> list[Unit]:
    scored = []
    for unit in units:
        score = max(_likeness(name, c) for c in (unit.name, *(a.name for a in unit.aliases.all())))
        if score >= SUGGESTION_THRESHOLD:
            scored.append((score, unit.name, unit))
    return [u for _, _, u in sorted(scored, key=lambda s: (-s[0], s[1]))[:SUGGESTIONS]]


def _likeness(a: str, b: str) -> float:
    """How much two unit names look like one unit: 区建设局 ~ 区住房和城乡建设局, not ~ 区教育局."""
    a, b = normalise_name(a), normalise_name(b)
    core_a, core_b = _core(a), _core(b)
    if len(core_a) >= 2 and len(core_b) >= 2 and (core_a in core_b or core_b in core_a):
        return 0.9
    return SequenceMatcher(None, a, b).ratio()


def _core(name: str) -> str:
    """A unit name without its level prefix and kind suffix: 区住房和城乡建设局 -> 住房和城乡建设."""
    name = _PREFIX.sub("", name)
    return _SUFFIX.sub("", name) or name


def _link_choices(preview: ImportPreview) -> None:
    parsed = preview.parsed
    keys = work_item_keys(parsed)
    groups: list[LinkChoice] = []
    previous = -2  # index of the last doubtful item
    for i, (pw, key) in enumerate(zip(parsed.work_items, keys, strict=True)):
        if not pw.link_doubtful:
            continue
        last = groups[-1] if groups else None
        if last and previous == i - 1 and (last.indicator, last.guess) == (pw.indicator, pw.key_task):
            last.items.append(pw)
            last.keys.append(key)
        else:
            groups.append(LinkChoice(field=_field("link", key), indicator=pw.indicator, line=pw.line,
                                     guess=pw.key_task, items=[pw], keys=[key]))
        previous = i
    if groups and preview.existing_plan is not None:
        confirmed = set(
            WorkItem.objects.filter(
                plan=preview.existing_plan, link_confirmed=True, import_key__in=[k for g in groups for k in g.keys]
            ).values_list("import_key", flat=True)
        )
        settled = [g for g in groups if set(g.keys) <= confirmed]
        preview.confirmed_links = len(settled)
        groups = [g for g in groups if g not in settled]
    preview.link_choices = groups


def _deadline_problems(preview: ImportPreview) -> None:
    parsed = preview.parsed
    at_line: dict[int, str] = {}
    for t in parsed.key_tasks:
        if t.line:
            at_line.setdefault(t.line, f"{t.number}. {t.title}")
    for w in parsed.work_items:
        if w.line:
            at_line[w.line] = w.text
    problems = [
        DeadlineProblem(w.line, _quoted(w.message), at_line.get(w.line, ""))
        for w in parsed.warnings if w.code == "deadline_unreadable"
    ]
    warned = {p.line for p in problems}
    problems += [
        DeadlineProblem(w.line, "", w.text)
        for w in parsed.work_items
        if w.deadline is None and not w.recurring and not w.deadline_text and w.line not in warned
    ]
    preview.deadline_problems = sorted(problems, key=lambda p: p.line or 0)


def _quoted(message: str) -> str:
    """The text between “ and ” in a parser message (the deadline as written)."""
    start, end = message.find("“"), message.find("”")
    return message[start + 1:end] if 0 <= start < end else message


# What each kind of warning means and what to do about it, in the coordinator's words.
WARNING_EXPLANATIONS = {
    "doubtful_link": _("系统按指标名称与各重点任务标题的相似程度推测了对应的重点任务，但把握不大。请确认或改选。"),
    "indicator_link_doubtful": _("系统按指标名称推测了它服务的重点任务，但把握不大。请确认或改选。"),
    "indicator_unlinked": _("没有找到与该指标对应的重点任务，它的工作事项暂无责任单位。请在管理后台指定重点任务。"),
    "indicator_not_matched": _("工作清单中的指标名称与目标表中的指标都对不上，请在管理后台关联到正确的指标。"),
    "unit_doubtful_match": _("文件中的单位简称被推测为名单中的某个单位，请确认是否为同一单位。"),
    "unit_not_in_list": _(
        "该单位出现在任务中，但不在方案所附的有关单位名单里。若它是已有单位的另一个名称，请合并为别名。"
    ),
    "unit_created": _("系统中原来没有这个单位，导入时新建了它。若它是已有单位的另一个名称，请合并为别名。"),
    "deadline_unreadable": _("无法从原文得出具体日期，该事项不会进入到期提醒。请在管理后台补填完成期限。"),
    "task_without_units": _("没有找到这项任务的责任单位，可能是文件不完整。请在管理后台补充牵头单位。"),
    "statement_unclosed": _("责任单位的括号没有闭合，单位名单可能不完整。请核对。"),
    "statement_covers_several": _("一条责任单位说明写在几项任务之后，系统把它用于这几项任务。请核对。"),
    "doubtful_split": _("单位名称的拆分不确定，请核对每个单位是否拆分正确。"),
    "no_units_list": _("文件没有附有关单位名单，单位全部取自各项任务的责任单位。"),
    "renumbered": _("任务编号有重复或缺失，系统已按出现顺序重新编号。请核对编号。"),
    "no_year": _("工作清单没有写明年份，请重新导入并填写工作清单年度。"),
    "prose_target": _("该指标的目标是一段文字而不是数值，记为最后一年的目标，不计算进度。"),
    "merged_cell": _("表格中有合并单元格，缺少的单位沿用了上一行。请核对。"),
}


def warning_parts(message: str) -> tuple[str, str]:
    """A warning's message split into what users read (Chinese, as stored) and the technical note staff may see:
    "关联把握不大,请核对 (doubtful link: score 0.42)" -> ("关联把握不大,请核对", "doubtful link: score 0.42")."""
    return note_parts(message)


def refusal_parts(message: str) -> tuple[str, str]:
    """A refused document's message as the user reads it, in the UI's language (``stored_text.import_parts``:
    every importer's refusal is a template of ``importers.messages``), and the importer's technical note
    (English)."""
    return import_parts(message)


@dataclass
class WarningRow:
    line: int | None
    message: str
    code: str
    resolved: str = ""
    unit: str = ""  # unit warnings: the name to look for
    model: str = ""  # "keytask", "workitem" or "indicator": the row to fix ...
    object_id: int | None = None  # ... when it still exists

    @property
    def text(self) -> str:
        """The message as users read it, in their language, without the parser's technical note."""
        return import_parts(self.message)[0]

    @property
    def detail(self) -> str:
        """The parser's technical note (scores and the like), for staff."""
        return note_parts(self.message)[1]

    @property
    def resolved_text(self) -> str:
        """How the coordinator's choice at import settled it, in the reader's language."""
        return import_parts(self.resolved)[0] if self.resolved else ""

    @property
    def explanation(self) -> str:
        return WARNING_EXPLANATIONS.get(self.code, "")

    @property
    def is_open(self) -> bool:
        return warning_is_open(self.resolved)


def warning_is_open(resolved: str | None) -> bool:
    """A warning stays open until the coordinator's choice at import settled it."""
    return not resolved


def open_warning_count(import_warnings: list[dict] | None) -> int:
    """How many of a plan's stored import warnings are still open (without reading any other table)."""
    return sum(1 for w in import_warnings or [] if warning_is_open(w.get("resolved")))


@dataclass
class PlanWarnings:
    """A plan's import warnings, the open ones first: the plan page lists them and the import's
    message counts them, so the two always agree."""

    open: list[WarningRow]
    settled: list[WarningRow]


def plan_warnings(*, plan: Plan) -> PlanWarnings:
    rows = plan_import_warnings(plan=plan)
    return PlanWarnings(open=[r for r in rows if r.is_open], settled=[r for r in rows if not r.is_open])


def warning_fix_url(plan: Plan, row: WarningRow) -> str:
    """Where in the admin a coordinator fixes a warning: the unit search, the row it names, or the plan."""
    if row.unit:
        query = urlencode({"q": row.unit, "region__id__exact": plan.region_id})
        return reverse("admin:tasks_unit_changelist") + "?" + query
    if row.model and row.object_id:
        return reverse(f"admin:tasks_{row.model}_change", args=[row.object_id])
    return reverse("admin:tasks_plan_change", args=[plan.pk])


def plan_import_warnings(*, plan: Plan) -> list[WarningRow]:
    """The warnings of a plan's last import, each with the row it is about (if that row still exists)."""
    rows = []
    wanted: dict[str, set[int]] = {"keytask": set(), "workitem": set(), "indicator": set()}
    for w in plan.import_warnings or []:
        target = w.get("target") or {}
        row = WarningRow(
            line=w.get("line"), message=w.get("message", ""), code=w.get("code", ""),
            resolved=w.get("resolved", ""), unit=w.get("unit", ""), model=target.get("model", ""),
            object_id=target.get("id"),
        )
        if row.model in wanted and row.object_id:
            wanted[row.model].add(row.object_id)
        rows.append(row)
    models = {"keytask": KeyTask, "workitem": WorkItem, "indicator": Indicator}
    exists = {
        name: set(models[name].objects.filter(plan=plan, pk__in=ids).values_list("pk", flat=True)) if ids else set()
        for name, ids in wanted.items()
    }
    for row in rows:
        if row.model and row.object_id not in exists.get(row.model, set()):
            row.model, row.object_id = "", None
    return rows
