"""Drafting a year's work list from the target table (a coordinator's starting point).

For every indicator with a target for the year, the office typically sets: a plan that
breaks the target down early in the year, a mid-year check, a third-quarter push and
the year-end completion. Deadlines are spread by indicator so that not everything falls
on the same day, as an office would stagger them. Drafted items are ordinary work items
(source "draft") that a coordinator edits, deletes or adds to in the admin.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from tasks.importers.matching import work_item_key
from tasks.models import Indicator, Plan, Role, WorkItem, WorkItemUnit
from tasks.rules.towns import part_holders
from tasks.selectors.towns import collectives_members


@dataclass(frozen=True)
class DraftItem:
    text: str
    deadline: date
    deadline_text: str
    step: str  # "plan", "mid", "q3", "final" or "prose": the item's identity, whatever its wording


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def target_phrases(target, measure: str) -> tuple[str, str]:
    """How a draft names a year's target: (the goal alone, the goal as a verb phrase).

    ``target`` has ``text``, ``value`` and ``comparator``. A plain target keeps its text as written
    ("79%" -> "79%", "达到79%"); a bound reads as Chinese puts it rather than as the cell's sign:
    ">250" -> "250台以上", "≥95" -> "不低于95%" / "达到95%及以上", "<5" -> "控制在5%以下", "≤5" -> "控制在5%以内".
    """
    comparator = target.comparator
    if target.value is None or comparator in ("", "eq"):
        goal = target.text if not measure or target.text.endswith(measure) else f"{target.text}{measure}"
        return goal, f"达到{goal}"
    amount = f"{_fmt(target.value)}{measure}"
    if comparator == "gt":
        return f"{amount}以上", f"达到{amount}以上"
    if comparator == "ge":
        return f"不低于{amount}", f"达到{amount}及以上"
    if comparator == "lt":
        return f"{amount}以下", f"控制在{amount}以下"
    return f"{amount}以内", f"控制在{amount}以内"  # le


def draft_items_for(indicator: Indicator, year: int, *, target, previous) -> list[DraftItem]:
    """The draft items of one indicator for ``year`` (pure: no database access)."""
    label = f"{indicator.name}"
    measure = indicator.measure or ""
    # Stagger: odd-numbered indicators plan in February and finish in November, others March/December.
    early, late = (2, 11) if indicator.number % 2 else (3, 12)
    items: list[DraftItem] = []
    if target.value is None:
        # Prose target ("至2027年至少创建1个…"): one year-end item carrying the text.
        return [DraftItem(f"推进落实：{target.text}", _month_end(year, late), f"{late}月底前", "prose")]
    goal, reach = target_phrases(target, measure)
    items.append(
        DraftItem(f"制定{year}年“{label}”工作计划，分解落实年度目标（{goal}），明确项目和进度安排。",
                  _month_end(year, early), f"{early}月底前", "plan")
    )
    if indicator.cumulative and previous is not None and target.comparator == "eq" and target.value > previous:
        half = previous + (target.value - previous) / 2
        mid = f"“{label}”上半年完成年度新增任务过半（累计达到{_fmt(half)}{measure}）。"
    else:
        mid = f"开展“{label}”上半年推进情况自查，报送阶段性进展和存在问题。"
    items.append(DraftItem(mid, _month_end(year, 6), "6月底前", "mid"))
    items.append(
        DraftItem(f"对照年度目标开展“{label}”第三季度攻坚，补齐短板。", _month_end(year, 9), "9月底前", "q3")
    )
    items.append(
        DraftItem(f"完成{year}年度目标：{label}{reach}。", _month_end(year, late), f"{late}月底前", "final")
    )
    return items


def work_list_draft(*, plan: Plan, year: int) -> list[WorkItem]:
    """Create the draft work list of ``plan`` for ``year``; running it again adds nothing twice.

    Items go to the key task each indicator serves (and that task's units); an indicator
    without a key task yields items without units, for the coordinator to link.
    """
    if not plan.first_year <= year <= plan.last_year:
        raise ValueError(
            _("%(year)d 不在方案期限 %(first)d—%(last)d 内。")
            % {"year": year, "first": plan.first_year, "last": plan.last_year}
        )
    indicators = (
        plan.indicators.select_related("key_task")
        .prefetch_related("targets", "key_task__assignments")
        .order_by("number")
    )
    existing = set(plan.work_items.filter(year=year).values_list("import_key", flat=True))
    # An indicator drafted before (under any wording of the drafts, or edited since) is not drafted again.
    drafted = set(
        plan.work_items.filter(year=year, source=WorkItem.Source.DRAFT, indicator__isnull=False)
        .values_list("indicator_id", flat=True)
    )
    members = collectives_members(plan.region_id)
    created: list[WorkItem] = []
    with transaction.atomic():
        position = plan.work_items.filter(year=year).count()
        for indicator in indicators:
            targets = {t.year: t for t in indicator.targets.all()}
            target = targets.get(year)
            if target is None or (target.value is None and target.text.strip() in {"", "/", "-", "—"}):
                continue
            if indicator.pk in drafted:
                continue
            prev_target = targets.get(year - 1)
            previous = prev_target.value if prev_target else indicator.baseline_value
            for draft in draft_items_for(indicator, year, target=target, previous=previous):
                # Keyed by the step, not the text, so rewording the drafts never makes a second copy.
                key = "draft:" + work_item_key(indicator.name, f"{year}:{draft.step}")[:26]
                if key in existing:
                    continue
                item = WorkItem.objects.create(
                    plan=plan,
                    year=year,
                    key_task=indicator.key_task,
                    indicator=indicator,
                    indicator_name=indicator.name,
                    target_text=target.text[:100],
                    text=draft.text,
                    deadline=draft.deadline,
                    due_date=draft.deadline,
                    deadline_text=draft.deadline_text,
                    source=WorkItem.Source.DRAFT,
                    import_key=key,
                    position=position,
                )
                position += 1
                existing.add(key)
                created.append(item)
                if indicator.key_task:
                    rows = sorted(indicator.key_task.assignments.all(), key=lambda a: (a.position, a.pk))
                    # The task's lead and supporting units, a collective's members in its place.
                    holders = part_holders(
                        [(a.unit_id, a.role) for a in rows if a.role in (Role.LEAD, Role.SUPPORT) and not a.expanded],
                        members,
                    )
                    WorkItemUnit.objects.bulk_create(
                        WorkItemUnit(work_item=item, unit_id=unit_id, role=role, position=position)
                        for position, (unit_id, role) in enumerate(holders)
                    )
    return created
