"""Turn a parsed plan document into rows, atomically, updating a re-imported plan in place.

Re-importing never loses what people recorded since: statuses, progress, reports,
extended deadlines, aliases and units a coordinator added, and work-item links a
coordinator confirmed all stay.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from tasks.importers import ParsedPlan, PlanParseError, parse_plan_file
from tasks.importers.linking import TaskIndex
from tasks.models import (
    Indicator,
    IndicatorTarget,
    KeyTask,
    KeyTaskUnit,
    Plan,
    Region,
    Role,
    Unit,
    UnitAlias,
    WorkItem,
    WorkItemUnit,
)

# Below this similarity a work list's indicator is not linked to a target-table indicator.
INDICATOR_MATCH_THRESHOLD = 0.6


@dataclass
class ImportResult:
    plan: Plan
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)

    def count(self, bucket: str, kind: str) -> None:
        target = self.created if bucket == "created" else self.updated
        target[kind] = target.get(kind, 0) + 1

    def summary(self) -> str:
        parts = [f"{k} {self.created.get(k, 0)} new / {self.updated.get(k, 0)} updated" for k in _KINDS]
        return f"{self.plan.title}: " + "; ".join(parts) + f"; {len(self.warnings)} warnings"


_KINDS = ("units", "indicators", "key_tasks", "work_items")


def plan_import_file(*, path: str | Path, year: int | None = None, slug: str | None = None) -> ImportResult:
    """Parse and import the document at ``path``. Raises PlanParseError for a user's mistake."""
    path = Path(path)
    parsed = parse_plan_file(path, year=year)
    return plan_import(parsed=parsed, source_name=path.name, source_bytes=path.read_bytes(), slug=slug)


def normalise_name(name: str) -> str:
    """Names compare without spaces and with half-width brackets."""
    return name.replace(" ", "").replace("（", "(").replace("）", ")").strip()


def units_by_name(region: Region) -> dict[str, Unit]:
    """Every name (canonical and alias) of a region's units, normalised."""
    names: dict[str, Unit] = {}
    for unit in Unit.objects.filter(region=region).prefetch_related("aliases"):
        names[normalise_name(unit.name)] = unit
        for alias in unit.aliases.all():
            names[normalise_name(alias.name)] = unit
    return names


def plan_import(
    *, parsed: ParsedPlan, source_name: str, source_bytes: bytes, slug: str | None = None
) -> ImportResult:
    """Create or update the plan ``parsed`` describes, all or nothing."""
    if not parsed.key_tasks:
        raise PlanParseError("没有找到带责任单位的重点任务，未导入任何内容。", path=source_name)
    if not parsed.region:
        raise PlanParseError("无法从标题识别发文地区(如“海宁市”)。", path=source_name)
    sha = hashlib.sha256(source_bytes).hexdigest()
    with transaction.atomic():
        region, _ = Region.objects.get_or_create(
            name=parsed.region, defaults={"slug": slugify(parsed.region, allow_unicode=True)}
        )
        plan = Plan.objects.filter(region=region, title=parsed.title).first()
        is_new = plan is None
        if is_new:
            plan = Plan(region=region, title=parsed.title, slug=_unique_slug(slug or Path(source_name).stem))
        plan.issuer = parsed.issuer or plan.issuer
        plan.first_year = parsed.first_year or plan.first_year or _first_year(parsed)
        plan.last_year = parsed.last_year or plan.last_year or plan.first_year
        plan.imported_at = timezone.now()
        plan.import_warnings = [w.as_json() for w in parsed.warnings]
        if plan.source_sha256 != sha:
            plan.source_sha256 = sha
            plan.source_name = source_name
            plan.source_file.save(source_name, ContentFile(source_bytes), save=False)
        plan.save()
        result = ImportResult(plan=plan, warnings=list(plan.import_warnings))
        result.count("created" if is_new else "updated", "plans")

        names = _import_units(parsed, region, result)
        tasks = _import_key_tasks(parsed, plan, names, result)
        indicators = _import_indicators(parsed, plan, result)
        _import_work_items(parsed, plan, tasks, indicators, names, result)
        _link_indicators(parsed, indicators, tasks, result)
        if result.warnings != plan.import_warnings:
            plan.import_warnings = result.warnings
            plan.save(update_fields=["import_warnings"])
    return result


def _first_year(parsed: ParsedPlan) -> int:
    years = [y for i in parsed.indicators for y in i.targets] + [w.year for w in parsed.work_items]
    return min(years) if years else timezone.localdate().year


def _unique_slug(base: str) -> str:
    base = slugify(base, allow_unicode=True)[:80] or "plan"
    slug, n = base, 2
    while Plan.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _import_units(parsed: ParsedPlan, region: Region, result: ImportResult) -> dict[str, Unit]:
    names = units_by_name(region)
    for pu in parsed.units:
        all_names = [pu.name, *pu.aliases]
        unit = next((names[normalise_name(n)] for n in all_names if normalise_name(n) in names), None)
        if unit is None:
            unit = Unit.objects.create(region=region, name=pu.name, kind=pu.kind, in_unit_list=pu.listed)
            result.count("created", "units")
        else:
            result.count("updated", "units")
        names[normalise_name(unit.name)] = unit
        for alias in all_names:
            key = normalise_name(alias)
            if key not in names:
                UnitAlias.objects.create(unit=unit, name=alias)
                names[key] = unit
    return names


def _resolve(names: dict[str, Unit], name: str, region: Region, result: ImportResult) -> Unit:
    key = normalise_name(name)
    unit = names.get(key)
    if unit is None:
        # The parser lists every unit it saw; this only happens for a name it did not report.
        unit = Unit.objects.create(region=region, name=name, in_unit_list=False)
        names[key] = unit
        result.count("created", "units")
        result.warnings.append({"code": "unit_created", "line": None, "message": f"新建单位：{name}"})
    return unit


def _import_key_tasks(parsed: ParsedPlan, plan: Plan, names, result: ImportResult) -> dict[int, KeyTask]:
    existing = {t.number: t for t in plan.key_tasks.all()}
    tasks: dict[int, KeyTask] = {}
    for pt in parsed.key_tasks:
        fields = {
            "section": pt.section,
            "title": pt.title[:300],
            "text": pt.text,
            "deadline": pt.deadline,
            "deadline_text": pt.deadline_text,
            "leaders": "、".join(pt.leaders),
        }
        task = existing.get(pt.number)
        if task is None:
            task = KeyTask.objects.create(plan=plan, number=pt.number, **fields)
            result.count("created", "key_tasks")
        else:
            for k, v in fields.items():
                setattr(task, k, v)
            task.save()
            result.count("updated", "key_tasks")
        tasks[pt.number] = task
        current = {a.unit_id: a for a in task.assignments.all()}
        ordered = [(n, Role.LEAD) for n in pt.lead_units] + [(n, Role.SUPPORT) for n in pt.supporting_units]
        for position, (name, role) in enumerate(ordered):
            unit = _resolve(names, name, plan.region, result)
            assignment = current.pop(unit.pk, None)
            if assignment is None:
                KeyTaskUnit.objects.create(
                    key_task=task, unit=unit, role=role, position=position, name_as_written=name
                )
            elif (assignment.role, assignment.position, assignment.name_as_written) != (role, position, name):
                assignment.role, assignment.position, assignment.name_as_written = role, position, name
                assignment.save()
        # Units left in ``current`` were added by a coordinator: they stay.
    return tasks


def _import_indicators(parsed: ParsedPlan, plan: Plan, result: ImportResult) -> dict[int, Indicator]:
    existing = {i.number: i for i in plan.indicators.all()}
    indicators: dict[int, Indicator] = {}
    for pi in parsed.indicators:
        fields = {
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
            indicator = Indicator.objects.create(plan=plan, number=pi.number, **fields)
            result.count("created", "indicators")
        else:
            for k, v in fields.items():
                setattr(indicator, k, v)
            indicator.save()
            result.count("updated", "indicators")
        indicators[pi.number] = indicator
        for year, value in pi.targets.items():
            IndicatorTarget.objects.update_or_create(
                indicator=indicator,
                year=year,
                defaults={"text": value.text[:500], "value": value.value, "comparator": value.comparator},
            )
    return indicators


def _link_indicators(parsed: ParsedPlan, indicators: dict[int, Indicator], tasks, result: ImportResult) -> None:
    """Indicators not linked through the work list go to the key task their name best matches."""
    index = TaskIndex(parsed.key_tasks)
    for pi in parsed.indicators:
        indicator = indicators[pi.number]
        if indicator.key_task_id is not None:
            continue  # linked by the work list, an earlier import, or a coordinator
        link = index.link(pi.name, [])
        if link.number is None:
            result.warnings.append(
                {"code": "indicator_unlinked", "line": pi.line,
                 "message": f"指标{pi.number}“{pi.name}”未能关联到重点任务，请在管理后台指定。"}
            )
            continue
        indicator.key_task = tasks[link.number]
        indicator.save(update_fields=["key_task"])
        if link.doubtful:
            result.warnings.append(
                {"code": "indicator_link_doubtful", "line": pi.line,
                 "message": f"指标{pi.number}“{pi.name}”关联到重点任务{link.number}"
                            f"“{indicator.key_task.title}”把握不大，请核对。"}
            )


def match_indicator(name: str, indicators: list[Indicator]) -> tuple[Indicator | None, float]:
    """The target-table indicator a work list's indicator name means, with its similarity."""
    key = _strip_measure(name)
    best, score = None, 0.0
    for indicator in indicators:
        ratio = SequenceMatcher(None, key, _strip_measure(indicator.name)).ratio()
        if ratio > score:
            best, score = indicator, ratio
    return (best, score) if score >= INDICATOR_MATCH_THRESHOLD else (None, score)


def _strip_measure(name: str) -> str:
    name = normalise_name(name)
    cut = name.find("(")
    return name[:cut] if cut > 0 else name


def work_item_key(indicator_name: str, text: str) -> str:
    """Stable identity of an imported work item within its plan and year."""
    return hashlib.sha1(f"{normalise_name(indicator_name)}|{normalise_name(text)}".encode()).hexdigest()[:32]


def _import_work_items(parsed, plan: Plan, tasks: dict[int, KeyTask], indicators, names, result) -> None:
    indicator_list = list(indicators.values())
    matched: dict[str, Indicator | None] = {}
    existing = {(w.year, w.import_key): w for w in plan.work_items.exclude(import_key="")}
    for position, pw in enumerate(parsed.work_items):
        if pw.indicator not in matched:
            indicator, score = match_indicator(pw.indicator, indicator_list)
            matched[pw.indicator] = indicator
            if indicator is None and pw.indicator:
                result.warnings.append(
                    {
                        "code": "indicator_not_matched",
                        "line": pw.line,
                        "message": f"工作清单指标“{pw.indicator}”在目标表中没有对应指标，请在管理后台关联。",
                    }
                )
        indicator = matched[pw.indicator]
        task = tasks.get(pw.key_task) if pw.key_task else None
        if indicator and task and indicator.key_task_id is None:
            indicator.key_task = task
            indicator.save(update_fields=["key_task"])
        key = work_item_key(pw.indicator, pw.text)
        item = existing.get((pw.year, key))
        fields = {
            "indicator_name": pw.indicator,
            "target_text": pw.target_text[:100],
            "text": pw.text,
            "deadline_text": pw.deadline_text,
            "recurring": pw.recurring,
            "position": position,
        }
        if item is None:
            item = WorkItem.objects.create(
                plan=plan,
                year=pw.year,
                import_key=key,
                source=WorkItem.Source.WORK_LIST,
                deadline=pw.deadline,
                due_date=pw.deadline,
                key_task=task,
                indicator=indicator,
                **fields,
            )
            result.count("created", "work_items")
            _assign_units(item, task, pw, names, result)
            continue
        result.count("updated", "work_items")
        for k, v in fields.items():
            setattr(item, k, v)
        if item.due_date == item.deadline:  # no extension granted: follow the document
            item.due_date = pw.deadline
        item.deadline = pw.deadline
        if item.due_date is None and item.deadline is not None:
            item.due_date = item.deadline
        if not item.link_confirmed:
            item.key_task, item.indicator = task, indicator
        item.save()
        if not item.link_confirmed and not item.assignments.exists():
            _assign_units(item, task, pw, names, result)


def _assign_units(item: WorkItem, task: KeyTask | None, pw, names, result: ImportResult) -> None:
    """A work item's units are those of its key task, unless the list names other leads."""
    task_rows = list(task.assignments.all()) if task else []
    task_leads = [a.unit_id for a in task_rows if a.role == Role.LEAD]
    leads = [_resolve(names, n, item.plan.region, result).pk for n in pw.lead_units]
    supporting = [_resolve(names, n, item.plan.region, result).pk for n in pw.supporting_units]
    if not leads or (leads == task_leads and not supporting):
        leads = task_leads
        supporting = [a.unit_id for a in task_rows if a.role == Role.SUPPORT]
    ordered = [(u, Role.LEAD) for u in leads] + [(u, Role.SUPPORT) for u in supporting if u not in leads]
    WorkItemUnit.objects.bulk_create(
        [
            WorkItemUnit(work_item=item, unit_id=unit_id, role=role, position=position)
            for position, (unit_id, role) in enumerate(ordered)
        ]
    )


def unit_find(*, region: Region, name: str) -> Unit | None:
    """The unit of ``region`` known by ``name`` (canonical or alias)."""
    key = normalise_name(name)
    return (
        Unit.objects.filter(region=region)
        .filter(Q(name=key) | Q(aliases__name=key) | Q(name=name) | Q(aliases__name=name))
        .distinct()
        .first()
    )
