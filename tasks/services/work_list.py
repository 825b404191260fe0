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

from tasks.models import Indicator, Plan, Role, WorkItem, WorkItemUnit
from tasks.services.plan_import import work_item_key


@dataclass(frozen=True)
class DraftItem:
    text: str
    deadline: date
    deadline_text: str


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def draft_items_for(indicator: Indicator, year: int, *, target, previous) -> list[DraftItem]:
    """The draft items of one indicator for ``year`` (pure: no database access)."""
    label = f"{indicator.name}"
    measure = indicator.measure or ""
    # Stagger: odd-numbered indicators plan in February and finish in November, others March/December.
    early, late = (2, 11) if indicator.number % 2 else (3, 12)
    items: list[DraftItem] = []
    if target.value is None:
        # Prose target ("至2027年至少创建1个…"): one year-end item carrying the text.
        return [DraftItem(f"推进落实：{target.text}", _month_end(year, late), f"{late}月底前")]
    # The target as written (">1.48", "大于250", "79%") reads well; only the measure is added.
    goal = target.text if not measure or target.text.endswith(measure) else f"{target.text}{measure}"
    items.append(
        DraftItem(f"制定{year}年“{label}”工作计划，分解落实年度目标（{goal}），明确项目和进度安排。",
                  _month_end(year, early), f"{early}月底前")
    )
    if indicator.cumulative and previous is not None and target.comparator == "eq" and target.value > previous:
        half = previous + (target.value - previous) / 2
        mid = f"“{label}”上半年完成年度新增任务过半（累计达到{_fmt(half)}{measure}）。"
    else:
        mid = f"开展“{label}”上半年推进情况自查，报送阶段性进展和存在问题。"
    items.append(DraftItem(mid, _month_end(year, 6), "6月底前"))
    items.append(
        DraftItem(f"对照年度目标开展“{label}”第三季度攻坚，补齐短板。", _month_end(year, 9), "9月底前")
    )
    items.append(DraftItem(f"完成{year}年度目标：{label}达到{goal}。", _month_end(year, late), f"{late}月底前"))
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
    created: list[WorkItem] = []
    with transaction.atomic():
        position = plan.work_items.filter(year=year).count()
        for indicator in indicators:
            targets = {t.year: t for t in indicator.targets.all()}
            target = targets.get(year)
            if target is None or (target.value is None and target.text.strip() in {"", "/", "-", "—"}):
                continue
            prev_target = targets.get(year - 1)
            previous = prev_target.value if prev_target else indicator.baseline_value
            for draft in draft_items_for(indicator, year, target=target, previous=previous):
                key = "draft:" + work_item_key(indicator.name, draft.text)[:26]
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
                    WorkItemUnit.objects.bulk_create(
                        WorkItemUnit(work_item=item, unit_id=a.unit_id, role=a.role, position=a.position)
                        for a in indicator.key_task.assignments.all()
                        # Towns expanded from a collective hold the task, not each of its items.
                        if a.role in (Role.LEAD, Role.SUPPORT) and not a.expanded
                    )
    return created
