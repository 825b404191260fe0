"""Turn a parsed plan document into rows, atomically, updating a re-imported plan in place.

Re-importing never loses what people recorded since: statuses, progress, reports,
extended deadlines, aliases and units a coordinator added, and work-item links a
coordinator confirmed all stay.

The write path is bulk: each table costs a fixed number of queries whatever the size of
the document (see bench/import_bench.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tasks import stored_text as T
from tasks.importers import ParsedPlan, PlanParseError
from tasks.importers import messages as msgs
from tasks.importers.document import ParsedKeyTask, ParsedWorkItem
from tasks.importers.limits import Limits, enforce_field_limits, read_and_parse
from tasks.importers.linking import TaskIndex
from tasks.importers.matching import (
    UNIT_WARNINGS,
    indicator_not_matched_warning,
    match_indicator,
    normalise_name,
    work_item_keys,
)
from tasks.importers.messages import Issue
from tasks.models import (
    Indicator,
    IndicatorTarget,
    KeyTask,
    KeyTaskRole,
    KeyTaskUnit,
    Plan,
    Region,
    Role,
    StatusChange,
    Unit,
    UnitAlias,
    WorkItem,
    WorkItemUnit,
)
from tasks.rules.actions import Act
from tasks.rules.deadlines import reimported_due_date
from tasks.rules.outcomes import PAST_DUE_CHOICES, PAST_DUE_FROM, PAST_DUE_TRACK, kept_as_history, past_due_cut
from tasks.rules.plans import SHORT_NAME_MAX, default_short_name
from tasks.rules.towns import collective_members, part_holders
from tasks.selectors.guard import authorize
from tasks.selectors.towns import collectives_members, region_towns
from tasks.selectors.units import units_by_name
from tasks.services import holders
from tasks.services.holders import work_item_holders_set
from tasks.services.towns import region_towns_seed

# Which imported row a warning at a line is about, most likely first.
_WARNING_TARGETS = {
    "doubtful_link": ("workitem",),
    "indicator_not_matched": ("workitem",),
    "indicator_unlinked": ("indicator",),
    "indicator_link_doubtful": ("indicator",),
    "prose_target": ("indicator",),
    "deadline_unreadable": ("workitem", "keytask"),
}
_DEFAULT_TARGETS = ("keytask", "workitem", "indicator")
_KEY_TASK_FIELDS = ["section", "title", "text", "deadline", "deadline_text", "leaders"]
_INDICATOR_FIELDS = [
    "domain", "name", "measure", "cumulative", "baseline_year", "baseline_text", "baseline_value",
    "baseline_comparator",
]
_WORK_ITEM_FIELDS = [
    "indicator_name", "target_text", "text", "deadline_text", "recurring", "position", "deadline", "due_date",
    "key_task", "indicator", "link_confirmed",
]
_OWN_UNIT = object()  # a mapping value: the name is a unit of its own


class ImportChoiceError(ValueError):
    """A coordinator's choice (unit mapping, key-task link) that cannot be applied; nothing is written."""


class ImportWarningsError(Exception):
    """A strict import met warnings (the parser's or the import's own); nothing is written."""

    def __init__(self, warnings: list[dict]):
        self.warnings = warnings
        super().__init__(f"{len(warnings)} warnings and strict: nothing imported.")


@dataclass
class ImportResult:
    plan: Plan
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)
    kept_as_history: int = 0  # new work items already past due, kept as history (``past_due``)

    def count(self, bucket: str, kind: str, n: int = 1) -> None:
        target = self.created if bucket == "created" else self.updated
        target[kind] = target.get(kind, 0) + n

    def summary(self) -> str:
        parts = [f"{k} {self.created.get(k, 0)} new / {self.updated.get(k, 0)} updated" for k in _KINDS]
        history = f"; {self.kept_as_history} past-due work items kept as history" if self.kept_as_history else ""
        return f"{self.plan.title}: " + "; ".join(parts) + history + f"; {len(self.warnings)} warnings"


_KINDS = ("units", "indicators", "key_tasks", "work_items")


def import_limits() -> Limits:
    """What one document may cost, from the settings (``IMPORT_MAX_*``; the importer itself reads no settings)."""
    mb = 1024 * 1024
    return Limits(
        inflated_bytes=int(getattr(settings, "IMPORT_MAX_INFLATED_MB", 50) * mb),
        pages=int(getattr(settings, "IMPORT_MAX_PAGES", 3000)),
        seconds=float(getattr(settings, "IMPORT_MAX_SECONDS", 60)),
        memory_bytes=int(getattr(settings, "IMPORT_MAX_MEMORY_MB", 2048) * mb),
    )


def plan_import_file(*, path: str | Path, year: int | None = None, slug: str | None = None) -> ImportResult:
    """Parse and import the document at ``path``. Raises PlanParseError for a user's mistake."""
    path = Path(path)
    _text, parsed = read_and_parse(path, year=year, limits=import_limits())
    return plan_import(parsed=parsed, source_name=path.name, source_bytes=path.read_bytes(), slug=slug)


def clean_layout(layout) -> list[dict]:
    """A table layout as stored on the plan: header cells (text, at most 60 columns of 100 characters)
    and a known role per column; anything else dropped."""
    from tasks.importers.tables import COLUMN_ROLES

    out = []
    for item in layout if isinstance(layout, list) else []:
        if not isinstance(item, dict):
            continue
        headers = [str(h)[:100] for h in (item.get("headers") or [])][:60]
        roles = [r for r in (item.get("roles") or []) if r in COLUMN_ROLES][:60]
        if headers and "task" in roles:
            out.append({"headers": headers, "roles": roles})
    return out[:20]


def plan_import(
    *,
    parsed: ParsedPlan,
    source_name: str,
    source_bytes: bytes,
    slug: str | None = None,
    unit_mapping: Mapping[str, int | None] | None = None,
    key_task_links: Mapping[str, int | None] | None = None,
    strict: bool = False,
    actor=None,
    layout: list[dict] | None = None,
    past_due: str = PAST_DUE_TRACK,
    track_from: date | None = None,
    short_name: str | None = None,
    today: date | None = None,
) -> ImportResult:
    """Create or update the plan ``parsed`` describes, all or nothing.

    ``unit_mapping``: a coordinator's decisions on unit names as the document writes them.
    ``{name: unit_id}``: the name means that existing unit of the plan's region (it becomes an
    alias; for a unit's canonical name, the unit's other names follow). ``{name: None}``: the
    name is a unit of its own, even though the parser matched it to another as an abbreviation.

    ``key_task_links``: ``{work item key: key task number or None}`` (keys from ``work_item_keys``);
    the links are applied and marked confirmed, so later re-imports keep them.

    ``strict``: any warning (the parser's, or one the import finds, e.g. an indicator of the
    work list missing from the target table) raises ImportWarningsError.

    ``layout``: the coordinator's layout of the document's tables (header cells and column roles), kept on
    the plan (``Plan.import_layout``) so its next year's list is read the same way; None keeps what it has.

    ``actor``: the user importing (None: a command). A document that updates an existing plan asks the
    guard that they act for that plan (``NotAllowed`` otherwise, nothing written); a new plan needs none.

    ``past_due``: what to do with the new work items already past due on ``today`` (``rules.outcomes``):
    track them (``"track"``, they are overdue at once), keep them as history (``"history"``: kept for the
    record, counted in no rate or ranking, never chased), or track only those due from ``track_from``
    (``"from"``; the earlier ones are kept as history). Items a re-import finds already in the plan keep
    their status.

    ``short_name``: the plan's short name (blank: kept, or for a plan without one the region's name and
    the plan's theme, ``rules.plans.default_short_name``).

    Raises ImportChoiceError for a choice that does not fit the document or the region, and
    PlanParseError when the document has nothing to import; in all three cases nothing is written.
    """
    parsed = enforce_field_limits(parsed)  # every entry point: nothing too long or too large reaches a column
    today = today or timezone.localdate()
    if past_due not in PAST_DUE_CHOICES:
        raise ImportChoiceError(_("未知的过期事项处理方式：%s") % past_due)
    if past_due == PAST_DUE_FROM and track_from is None:
        raise ImportChoiceError(_("请选择从哪一天起到期的事项开始跟踪。"))
    cut = past_due_cut(choice=past_due, today=today, track_from=track_from)
    short_name = (short_name or "").strip()
    if len(short_name) > SHORT_NAME_MAX:
        raise ImportChoiceError(_("方案简称不能超过 %d 个字。") % SHORT_NAME_MAX)
    if not parsed.key_tasks:
        raise PlanParseError(_("没有找到带责任单位的重点任务，未导入任何内容。"), path=source_name)
    if not parsed.region:
        raise PlanParseError(_("无法从标题识别发文地区(如“海宁市”)。"), path=source_name)
    sha = hashlib.sha256(source_bytes).hexdigest()
    stored: list[tuple[object, str]] = []  # files saved by this import, removed again if it fails
    try:
        with transaction.atomic():
            result = _import(parsed, source_name, source_bytes, sha, slug, unit_mapping, key_task_links, stored,
                             actor, layout, cut=cut, short_name=short_name)
            if strict and result.warnings:
                raise ImportWarningsError(result.warnings)
            return result
    except (IntegrityError, DataError) as exc:
        # A safety net behind enforce_field_limits: whatever the document holds, the coordinator gets a
        # message and the transaction has written nothing.
        for storage, name in stored:
            storage.delete(name)
        raise PlanParseError(_("文档内容与数据库约束冲突，未导入任何内容：%s") % type(exc).__name__,
                             path=source_name) from exc
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise


def _import(parsed, source_name, source_bytes, sha, slug, unit_mapping, key_task_links, stored,
            actor=None, layout=None, *, cut: date | None = None, short_name: str = "") -> ImportResult:
    region, _created = Region.objects.get_or_create(
        name=parsed.region, defaults={"slug": slugify(parsed.region, allow_unicode=True)}
    )
    if not region_towns(region).exists():
        # A region towns.csv knows gets its towns on its first import, so collectives expand.
        region_towns_seed(region=region)
    names = units_by_name(region)
    keys = work_item_keys(parsed)
    mapping = _check_unit_mapping(parsed, region, names, unit_mapping or {})
    links = _check_key_task_links(parsed, keys, key_task_links or {})

    plan = Plan.objects.filter(region=region, title=parsed.title).first()
    is_new = plan is None
    if not is_new and actor is not None:
        authorize(Act.IMPORT_PLAN, actor, plan)
    if is_new:
        plan = Plan(region=region, title=parsed.title, slug=_unique_slug(slug or Path(source_name).stem))
    plan.issuer = parsed.issuer or plan.issuer
    plan.first_year = parsed.first_year or plan.first_year or _first_year(parsed)
    plan.last_year = parsed.last_year or plan.last_year or plan.first_year
    plan.imported_at = timezone.now()
    if layout is not None:
        plan.import_layout = clean_layout(layout)
    if short_name or not plan.short_name:
        taken = set(Plan.objects.filter(region=region).exclude(pk=plan.pk).values_list("short_name", flat=True))
        plan.short_name = short_name or default_short_name(
            region=region.name, title=plan.title, first_year=plan.first_year, last_year=plan.last_year, taken=taken
        )
    if plan.source_sha256 != sha:
        plan.source_sha256 = sha
        plan.source_name = source_name
        plan.source_file.save(source_name, ContentFile(source_bytes), save=False)
        stored.append((plan.source_file.storage, plan.source_file.name))
    plan.save()
    result = ImportResult(plan=plan)
    result.count("created" if is_new else "updated", "plans")

    _import_units(parsed, region, names, mapping, result)
    members = collectives_members(region)
    tasks, task_rows = _import_key_tasks(parsed, plan, names, members, result)
    indicators = _import_indicators(parsed, plan, result)
    links_before = {i.pk: i.key_task_id for i in indicators.values()}
    items = _import_work_items(parsed, plan, keys, links, tasks, task_rows, indicators, names, members, result,
                               cut=cut, actor=actor)
    _link_indicators(parsed, indicators, tasks, result)
    Indicator.objects.bulk_update(
        [i for i in indicators.values() if i.key_task_id != links_before[i.pk]], ["key_task"]
    )

    warnings = _annotate_warnings(parsed, result.warnings, tasks, indicators, items, keys, mapping, links)
    plan.import_warnings = result.warnings = warnings
    plan.save(update_fields=["import_warnings"])
    return result


def _check_unit_mapping(parsed: ParsedPlan, region: Region, names: dict[str, Unit], unit_mapping) -> dict:
    """Normalised name -> Unit or _OWN_UNIT; every id a unit of the region, every name one of the document."""
    written = {normalise_name(n) for pu in parsed.units for n in (pu.name, *pu.aliases)}
    ids = {v for v in unit_mapping.values() if v is not None}
    chosen = {u.pk: u for u in Unit.objects.filter(region=region, pk__in=ids)} if ids else {}
    mapping: dict[str, object] = {}
    for name, unit_id in unit_mapping.items():
        key = normalise_name(name)
        if key not in written:
            raise ImportChoiceError(_("文件中没有单位“%(name)s”。") % {"name": name})
        if unit_id is None:
            mapping[key] = _OWN_UNIT
            continue
        unit = chosen.get(unit_id)
        if unit is None:
            raise ImportChoiceError(
                _("“%(name)s”选择的单位(编号%(id)s)不是%(region)s的单位。")
                % {"name": name, "id": unit_id, "region": region.name}
            )
        known = names.get(key)
        if known is not None and known.pk != unit.pk:
            raise ImportChoiceError(
                _("“%(name)s”已是单位“%(known)s”的名称，不能再对应“%(unit)s”。")
                % {"name": name, "known": known.name, "unit": unit.name}
            )
        mapping[key] = unit
    return mapping


def _check_key_task_links(parsed: ParsedPlan, keys: list[str], key_task_links) -> dict[str, int | None]:
    numbers = {t.number for t in parsed.key_tasks}
    known = set(keys)
    for key, number in key_task_links.items():
        if key not in known:
            raise ImportChoiceError(_("文件中没有工作事项“%(key)s”。") % {"key": key})
        if number is not None and number not in numbers:
            raise ImportChoiceError(_("文件中没有第%(n)s项重点任务。") % {"n": number})
    return dict(key_task_links)


def _first_year(parsed: ParsedPlan) -> int:
    years = [y for i in parsed.indicators for y in i.targets] + [w.year for w in parsed.work_items]
    return min(years) if years else timezone.localdate().year


def _unique_slug(base: str) -> str:
    base = slugify(base, allow_unicode=True)[:80] or "plan"
    slug, n = base, 2
    while Plan.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# -- units ------------------------------------------------------------------------------------

def _import_units(parsed: ParsedPlan, region: Region, names: dict[str, Unit], mapping: dict, result) -> None:
    """Resolve every name of the document to a unit, creating the new ones and their aliases in bulk."""
    in_database = set(names)
    groups = []  # (names as written, the coordinator's choice, parsed unit, the unit's own group)
    for pu in parsed.units:
        peeled = [a for a in pu.aliases if normalise_name(a) in mapping]
        rest = [pu.name, *(a for a in pu.aliases if a not in peeled)]
        groups.append((rest, mapping.get(normalise_name(pu.name)), pu, True))
        groups += [([a], mapping[normalise_name(a)], pu, False) for a in peeled]
    new_units: dict[str, Unit] = {}
    resolved: list[tuple[list[str], Unit]] = []
    touched: set[int] = set()
    for group_names, choice, pu, own in groups:
        known = next((names[normalise_name(n)] for n in group_names if normalise_name(n) in names), None)
        if isinstance(choice, Unit):
            unit = choice
        elif known is not None:
            unit = known
        else:
            key = normalise_name(group_names[0])
            if key not in new_units:
                new_units[key] = Unit(region=region, name=group_names[0], kind=pu.kind, in_unit_list=pu.listed and own)
            unit = new_units[key]
        if unit.pk is not None and unit.pk not in touched:
            touched.add(unit.pk)
            result.count("updated", "units")
        resolved.append((group_names, unit))
        for n in group_names:
            names.setdefault(normalise_name(n), unit)
    Unit.objects.bulk_create(new_units.values())
    result.count("created", "units", len(new_units))
    aliases: dict[str, UnitAlias] = {}
    for group_names, unit in resolved:
        for n in group_names:
            key = normalise_name(n)
            if key not in in_database and key not in aliases and key != normalise_name(unit.name):
                aliases[key] = UnitAlias(unit=unit, region_id=region.pk, name=n)
    UnitAlias.objects.bulk_create(aliases.values())


def _resolve(names: dict[str, Unit], name: str, region: Region, result: ImportResult) -> Unit:
    key = normalise_name(name)
    unit = names.get(key)
    if unit is None:
        # The parser lists every unit it saw; this only happens for a name it did not report.
        unit = Unit.objects.create(region=region, name=name, in_unit_list=False)
        names[key] = unit
        result.count("created", "units")
        result.warnings.append({"code": "unit_created", "line": None, "message": Issue(msgs.UNIT_CREATED, name=name),
                                "unit": name})
    return unit


def _ordered_units(names, leads: list[str], supports: list[str], region: Region, result) -> list[tuple]:
    """(unit, role, name as written): leads then supporting units, each unit once.

    A unit appears once even when the document names it twice (two of its names, or a lead
    also listed as supporting): the first mention wins.
    """
    seen: set[int] = set()
    out = []
    for name, role in [(n, Role.LEAD) for n in leads] + [(n, Role.SUPPORT) for n in supports]:
        unit = _resolve(names, name, region, result)
        if unit.pk not in seen:
            seen.add(unit.pk)
            out.append((unit, role, name))
    return out


# -- key tasks --------------------------------------------------------------------------------

def _import_key_tasks(parsed: ParsedPlan, plan: Plan, names, members: dict[int, list[int]], result: ImportResult):
    """Key tasks and their units; returns tasks by number and each task's (unit id, role) rows.

    A collective unit (各镇(街道)) keeps its row as written and is expanded to a row for each of
    its member towns with the same role (``expanded``). The returned rows, which work items copy,
    are the parts' holders (``rules.towns.part_holders``): the member towns in the collective's
    place, and nothing for a collective without members. ``members`` (collective id -> member ids)
    gains what the names as written expand to.
    """
    existing = {t.number: t for t in plan.key_tasks.prefetch_related("assignments")}
    tasks: dict[int, KeyTask] = {}
    new_tasks, changed = [], []
    for pt in parsed.key_tasks:
        values = {
            "section": pt.section,
            "title": pt.title[:300],
            "text": pt.text,
            "deadline": pt.deadline,
            "deadline_text": pt.deadline_text,
            "leaders": "、".join(pt.leaders),
        }
        task = existing.get(pt.number)
        if task is None:
            task = KeyTask(plan=plan, number=pt.number, **values)
            new_tasks.append(task)
        else:
            if _assign(task, values):
                changed.append(task)
            result.count("updated", "key_tasks")
        tasks[pt.number] = task
    KeyTask.objects.bulk_create(new_tasks)
    KeyTask.objects.bulk_update(changed, _KEY_TASK_FIELDS)
    result.count("created", "key_tasks", len(new_tasks))

    new_rows, changed_rows = [], []
    task_rows: dict[int, list[tuple[int, str]]] = {}
    towns = [(u.pk, u.town_kind) for u in region_towns(plan.region)]
    unexpanded: set[str] = set()
    for pt in parsed.key_tasks:
        task = tasks[pt.number]
        current = {a.unit_id: a for a in task.assignments.all()} if pt.number in existing else {}
        rows = []
        ordered = _ordered_units(names, pt.lead_units, pt.supporting_units, plan.region, result)
        listed = {unit.pk for unit, _role, _name in ordered}
        expanded = []
        for unit, role, name in ordered:
            if unit.kind != Unit.Kind.COLLECTIVE:
                continue
            found = members.get(unit.pk) or collective_members(unit.name, towns) or collective_members(name, towns)
            members[unit.pk] = found
            if not found:
                unexpanded.add(unit.name)
            for town_id in found:
                if town_id not in listed:
                    listed.add(town_id)
                    expanded.append((town_id, role, name))
        wanted = [(unit.pk, role, name, False, "") for unit, role, name in ordered]
        for name, role_name in pt.other_units:
            # 数据提供单位, 督办单位: a role of its own on the key task, never lead or supporting.
            unit = _resolve(names, name, plan.region, result)
            if unit.pk not in listed:
                listed.add(unit.pk)
                wanted.append((unit.pk, KeyTaskRole.OTHER, name, False, role_name[:30]))
        wanted += [(town_id, role, name, True, "") for town_id, role, name in expanded]
        for position, (unit_id, role, name, is_expanded, role_name) in enumerate(wanted):
            assignment = current.pop(unit_id, None)
            values = (role, position, name, is_expanded, role_name)
            if assignment is None:
                assignment = KeyTaskUnit(key_task=task, unit_id=unit_id, role=role, position=position,
                                         name_as_written=name, expanded=is_expanded, role_name=role_name)
                new_rows.append(assignment)
            elif (
                assignment.role, assignment.position, assignment.name_as_written, assignment.expanded,
                assignment.role_name,
            ) != values:
                (assignment.role, assignment.position, assignment.name_as_written, assignment.expanded,
                 assignment.role_name) = values
                changed_rows.append(assignment)
            rows.append(assignment)
        # Units left in ``current`` were added by a coordinator: they stay.
        rows += current.values()
        # Work items take the task's own lead and supporting units, a collective's members in its place;
        # not other roles (数据提供单位).
        task_rows[pt.number] = part_holders([
            (a.unit_id, a.role) for a in sorted(rows, key=lambda a: a.position)
            if not a.expanded and a.role in (Role.LEAD, Role.SUPPORT)
        ], members)
    KeyTaskUnit.objects.bulk_create(new_rows)
    KeyTaskUnit.objects.bulk_update(changed_rows, ["role", "position", "name_as_written", "expanded", "role_name"])
    for name in sorted(unexpanded):
        result.warnings.append({
            "code": "collective_not_expanded", "line": None, "unit": name,
            "message": Issue(msgs.COLLECTIVE_NOT_EXPANDED, name=name),
        })
    return tasks, task_rows


def _assign(obj, values: dict) -> bool:
    """Set ``values`` on ``obj``; True when anything changed."""
    changed = False
    for k, v in values.items():
        if getattr(obj, k) != v:
            setattr(obj, k, v)
            changed = True
    return changed


# -- indicators -------------------------------------------------------------------------------

def _import_indicators(parsed: ParsedPlan, plan: Plan, result: ImportResult) -> dict[int, Indicator]:
    existing = {i.number: i for i in plan.indicators.prefetch_related("targets")}
    indicators: dict[int, Indicator] = {}
    new, changed = [], []
    for pi in parsed.indicators:
        values = {
            "domain": pi.domain,
            "name": pi.name,
            "measure": pi.measure,
            "cumulative": pi.cumulative,
            "baseline_year": pi.baseline_year,
            "baseline_text": pi.baseline.text if pi.baseline else "",
            "baseline_value": pi.baseline.value if pi.baseline else None,
            "baseline_comparator": pi.baseline.comparator if pi.baseline else "",
        }
        indicator = existing.get(pi.number)
        if indicator is None:
            indicator = Indicator(plan=plan, number=pi.number, **values)
            new.append(indicator)
        else:
            if _assign(indicator, values):
                changed.append(indicator)
            result.count("updated", "indicators")
        indicators[pi.number] = indicator
    Indicator.objects.bulk_create(new)
    Indicator.objects.bulk_update(changed, _INDICATOR_FIELDS)
    result.count("created", "indicators", len(new))

    new_targets, changed_targets = [], []
    for pi in parsed.indicators:
        indicator = indicators[pi.number]
        current = {t.year: t for t in indicator.targets.all()} if pi.number in existing else {}
        for year, value in pi.targets.items():
            values = {"text": value.text[:500], "value": value.value, "comparator": value.comparator}
            target = current.get(year)
            if target is None:
                new_targets.append(IndicatorTarget(indicator=indicator, year=year, **values))
            elif _assign(target, values):
                changed_targets.append(target)
    IndicatorTarget.objects.bulk_create(new_targets)
    IndicatorTarget.objects.bulk_update(changed_targets, ["text", "value", "comparator"])
    return indicators


def _link_indicators(parsed: ParsedPlan, indicators: dict[int, Indicator], tasks, result: ImportResult) -> None:
    """Indicators not linked through the work list go to the key task their name best matches (saved by the caller)."""
    index = None
    for pi in parsed.indicators:
        indicator = indicators[pi.number]
        if indicator.key_task_id is not None:
            continue  # linked by the work list, an earlier import, or a coordinator
        index = index or TaskIndex(parsed.key_tasks)
        link = index.link(pi.name, [])
        if link.number is None:
            result.warnings.append(
                {"code": "indicator_unlinked", "line": pi.line,
                 "message": Issue(msgs.INDICATOR_UNLINKED, number=pi.number, name=pi.name)}
            )
            continue
        indicator.key_task = tasks[link.number]
        if link.doubtful:
            result.warnings.append(
                {"code": "indicator_link_doubtful", "line": pi.line,
                 "message": Issue(msgs.INDICATOR_LINK_DOUBTFUL, number=pi.number, name=pi.name, task=link.number,
                                  title=indicator.key_task.title)}
            )


# -- work items -------------------------------------------------------------------------------

def _import_work_items(
    parsed: ParsedPlan, plan: Plan, keys: list[str], links: dict[str, int | None], tasks: dict[int, KeyTask],
    task_rows: dict[int, list[tuple[int, str]]], indicators: dict[int, Indicator], names,
    members: dict[int, list[int]], result: ImportResult, cut: date | None = None, actor=None,
) -> list[WorkItem]:
    """The work list's items, in the document's order; returns them (saved). A new item due before ``cut``
    is kept as history (``rules.outcomes.kept_as_history``), with its history row saying why."""
    indicator_list = list(indicators.values())
    parsed_tasks = {t.number: t for t in parsed.key_tasks}
    number_of = {t.pk: n for n, t in tasks.items()}
    matched: dict[str, Indicator | None] = {}
    existing = {
        (w.year, w.import_key): w for w in plan.work_items.exclude(import_key="").prefetch_related("assignments")
    }
    now = timezone.now()
    items: list[WorkItem] = []
    new_items, changed_items, reassigned = [], [], []
    moved: list[StatusChange] = []
    kept: list[WorkItem] = []  # new items kept as history
    units_for: dict[int, list[tuple[int, str]]] = {}  # id(item) -> its (unit id, role) rows to create
    for position, (pw, key) in enumerate(zip(parsed.work_items, keys, strict=True)):
        if pw.indicator not in matched:
            indicator, _score = match_indicator(pw.indicator, indicator_list)
            matched[pw.indicator] = indicator
            if indicator is None and pw.indicator:
                result.warnings.append(indicator_not_matched_warning(pw))
        indicator = matched[pw.indicator]
        chosen = key in links  # the coordinator settled this link in the preview
        number = links[key] if chosen else pw.key_task
        task = tasks.get(number) if number else None
        if indicator and task and indicator.key_task_id is None:
            indicator.key_task = task
        values = {
            "indicator_name": pw.indicator,
            "target_text": pw.target_text[:100],
            "text": pw.text,
            "deadline_text": pw.deadline_text,
            "recurring": pw.recurring,
            "position": position,
        }
        rows = _item_units(pw, number, chosen, parsed_tasks, task_rows, names, members, plan.region, result)
        item = existing.get((pw.year, key))
        items.append(item)
        if item is None:
            items[-1] = item = WorkItem(
                plan=plan, year=pw.year, import_key=key, source=WorkItem.Source.WORK_LIST,
                deadline=pw.deadline, due_date=pw.deadline, key_task=task, indicator=indicator,
                link_confirmed=chosen, **values,
            )
            if kept_as_history(due=pw.deadline, cut=cut):
                item.status = WorkItem.Status.HISTORY
                kept.append(item)
            new_items.append(item)
            units_for[id(item)] = rows
            continue
        result.count("updated", "work_items")
        values["deadline"] = pw.deadline
        values["due_date"] = reimported_due_date(
            old_deadline=item.deadline, old_due=item.due_date, new_deadline=pw.deadline
        )
        if values["due_date"] != item.due_date or values["deadline"] != item.deadline:
            # The plan's date moved: a history row of its own kind, which is not an extension.
            moved.append(StatusChange(
                work_item=item, at=now, event=StatusChange.Event.DEADLINE_REIMPORTED, from_status=item.status,
                to_status=item.status, from_due_date=item.due_date, to_due_date=values["due_date"],
                reason=pw.deadline_text,
            ))
        current = sorted((a.unit_id, a.role) for a in item.assignments.all())
        if chosen or not item.link_confirmed:
            task_id = task.pk if task else None
            before = task_rows.get(number_of.get(item.key_task_id), [])
            if item.key_task_id != task_id and current and current == sorted(before):
                # Its units came from the task it was linked to until now: they follow the new link.
                reassigned.append(item.pk)
                units_for[id(item)] = rows
            values.update(key_task_id=task_id, indicator_id=indicator.pk if indicator else None,
                          link_confirmed=item.link_confirmed or chosen)
        if not current and (chosen or not item.link_confirmed):
            units_for[id(item)] = rows
        if _assign(item, values):
            item.updated_at = now
            changed_items.append(item)
    WorkItem.objects.bulk_create(new_items)
    WorkItem.objects.bulk_update(changed_items, [*_WORK_ITEM_FIELDS, "updated_at"])
    StatusChange.objects.bulk_create(moved)
    reason = T.written(T.IMPORTED_PAST_DUE, _0=cut)
    StatusChange.objects.bulk_create([
        StatusChange(work_item=item, at=now, event=StatusChange.Event.IMPORTED, from_status="",
                     to_status=WorkItem.Status.HISTORY, reason=reason, to_due_date=item.due_date)
        for item in kept
    ])
    result.count("created", "work_items", len(new_items))
    result.kept_as_history = len(kept)
    # An item whose units follow its new key task moves from unit to unit: recorded as every move is
    # (``services.holders``: who, when, from which unit to which, why), never deleted and written anew.
    moving = set(reassigned)
    for item in items:
        if item is not None and item.pk in moving:
            work_item_holders_set(item=item, rows=units_for.get(id(item), []), actor=actor, at=now,
                                  source=holders.IMPORT, reason=T.written(T.HOLDERS_BY_IMPORT))
    WorkItemUnit.objects.bulk_create(
        [
            WorkItemUnit(work_item=item, unit_id=unit_id, role=role, position=position)
            for item in items if item.pk not in moving
            for position, (unit_id, role) in enumerate(units_for.get(id(item), []))
        ]
    )
    return items


def _item_units(
    pw: ParsedWorkItem, number: int | None, chosen: bool, parsed_tasks: dict[int, ParsedKeyTask],
    task_rows: dict[int, list[tuple[int, str]]], names, members: dict[int, list[int]], region: Region,
    result: ImportResult,
) -> list[tuple[int, str]]:
    """A work item's (unit id, role) rows: those of its key task, unless the list names other leads; a
    collective named there is replaced by its members (``rules.towns.part_holders``)."""
    lead_names = pw.lead_units
    guessed = parsed_tasks.get(pw.key_task) if pw.key_task else None
    if chosen and number and guessed is not None and not pw.supporting_units and lead_names == guessed.lead_units:
        # The parser copied the guessed task's leads: the chosen task's units apply instead. (With no
        # task chosen they stay, so that someone remains responsible.)
        lead_names = []
    task_units = task_rows.get(number, []) if number else []
    task_leads = [u for u, role in task_units if role == Role.LEAD]
    ordered = _ordered_units(names, lead_names, pw.supporting_units, region, result)
    leads = [u.pk for u, role, _ in ordered if role == Role.LEAD]
    if not leads or (leads == task_leads and len(ordered) == len(leads)):
        return task_units
    return part_holders([(u.pk, role) for u, role, _ in ordered], members)


# -- warnings ---------------------------------------------------------------------------------

def _annotate_warnings(parsed, extra, tasks, indicators, items, keys, mapping, links) -> list[dict]:
    """Every warning with its line, what it is about (for the admin's links) and what the coordinator chose."""
    by_line: dict[int, dict[str, int]] = {}
    for pt in parsed.key_tasks:
        if pt.line:
            by_line.setdefault(pt.line, {}).setdefault("keytask", tasks[pt.number].pk)
    for pi in parsed.indicators:
        if pi.line:
            by_line.setdefault(pi.line, {}).setdefault("indicator", indicators[pi.number].pk)
    key_at_line: dict[int, str] = {}
    for pw, key, item in zip(parsed.work_items, keys, items, strict=True):
        if pw.line:
            by_line.setdefault(pw.line, {}).setdefault("workitem", item.pk)
            key_at_line.setdefault(pw.line, key)
    canonical = {normalise_name(n): pu.name for pu in parsed.units for n in (pu.name, *pu.aliases)}
    out = []
    found_by_parser = [w.as_json() | ({"unit": w.subject} if w.subject else {}) for w in parsed.warnings]
    for w in sorted([*found_by_parser, *(dict(w) for w in extra)], key=lambda w: w["line"] or 0):
        if w["code"] in UNIT_WARNINGS and w.get("unit"):
            key = normalise_name(w["unit"])
            choice = mapping.get(key, mapping.get(normalise_name(canonical.get(key, w["unit"]))))
            if choice is _OWN_UNIT:
                w["resolved"] = Issue(msgs.CONFIRMED_OWN_UNIT, name=w["unit"])
            elif choice is not None:
                w["resolved"] = Issue(msgs.CONFIRMED_UNIT, name=choice.name)
        elif w.get("line"):
            found = by_line.get(w["line"], {})
            model = next((m for m in _WARNING_TARGETS.get(w["code"], _DEFAULT_TARGETS) if m in found), None)
            if model:
                w["target"] = {"model": model, "id": found[model]}
            if w["code"] == "doubtful_link" and key_at_line.get(w["line"]) in links:
                number = links[key_at_line[w["line"]]]
                w["resolved"] = Issue(msgs.CONFIRMED_LINK, number=number) if number else msgs.CONFIRMED_NO_LINK
        out.append(w)
    return out
