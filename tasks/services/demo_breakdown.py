"""Demo data for work broken down (分解交办) and supporting parts (配合到位), through the real services.

Deterministic and idempotent like the rest of the demo: an item already broken down, or a part
already marked, is left alone. Towns come from the region's units of kind ``town`` (seeded with
their liaisons elsewhere); without towns nothing is broken down.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from tasks.models import CLOSED_STATUSES, Plan, Role, Unit, WorkItem, WorkItemUnit
from tasks.services.breakdown import BreakdownPart, work_item_break_down, work_item_sign
from tasks.services.reports import work_item_report_progress, work_item_request_close
from tasks.services.review import work_item_accept
from tasks.services.support import support_part_mark_done

S = WorkItem.Status
PARENTS_PER_PLAN = 2


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _member(unit: Unit):
    member = next(iter(unit.members.all()), None)
    return member.user if member else None


def demo_seed_breakdown(*, plan: Plan, today: date) -> int:
    """Break a few open department-led items of this year down to every town, with a spread of
    outcomes (ahead, behind, overdue, one never signed). Returns the number of sub-items made."""
    towns = list(
        Unit.objects.filter(region=plan.region, kind=Unit.Kind.TOWN, members__isnull=False)
        .prefetch_related("members__user").distinct().order_by("name")
    )
    coordinator = plan.coordinators.order_by("pk").first()
    if not towns or coordinator is None:
        return 0
    done_parents = WorkItem.objects.filter(plan=plan, children__isnull=False).distinct().count()
    candidates = (
        WorkItem.objects.filter(plan=plan, year=today.year, parent__isnull=True, children__isnull=True,
                                due_date__gt=today + timedelta(days=20))
        .exclude(status__in=[*CLOSED_STATUSES, S.AWAITING_REVIEW])
        .filter(assignments__role=Role.LEAD, assignments__unit__kind=Unit.Kind.DEPARTMENT)
        .prefetch_related("assignments__unit__members__user")
        .distinct().order_by("due_date", "pk")[: max(PARENTS_PER_PLAN - done_parents, 0)]
    )
    made = 0
    for parent in candidates:
        lead = next((a.unit for a in parent.assignments.all() if a.role == Role.LEAD), None)
        lead_user = _member(lead) if lead else None
        if lead_user is None:
            continue
        rng = random.Random(f"breakdown:{plan.slug}:{parent.import_key or parent.pk}")
        handed = today - timedelta(days=45)
        parts = []
        for i, town in enumerate(towns):
            # Half the towns have an earlier, already passed deadline; the rest the parent's.
            due = today - timedelta(days=rng.randint(3, 30)) if i % 2 == 0 else parent.due_date
            parts.append(BreakdownPart(unit=town, due_date=due))
        children = work_item_break_down(item=parent, user=lead_user, parts=parts, at=_aware(handed, 9))
        made += len(children)
        for i, (child, town) in enumerate(zip(children, towns, strict=True)):
            user = _member(town)
            if i == len(children) - 1:
                continue  # one town never signs: the reminders chase it
            work_item_sign(item=child, user=user, at=_aware(handed + timedelta(days=rng.randint(0, 3)), 11))
            step = i % 5
            if step == 4:
                continue  # signed, nothing reported yet
            work_item_report_progress(item=child, user=user, percent=rng.choice([30, 50, 70]),
                                      note="已制定推进方案，正按计划推进。", at=_aware(handed + timedelta(days=10), 16))
            if step in (0, 1, 2):
                # Ahead (0, 1: before the deadline) or behind (2: after it).
                day = child.due_date - timedelta(days=2) if step < 2 else child.due_date + timedelta(days=2)
                day = min(day, today - timedelta(days=1))
                work_item_request_close(item=child, user=user, note="本镇任务已完成，申请办结。", at=_aware(day, 11))
                work_item_accept(item=child, user=coordinator, reason="审核通过", at=_aware(day, 15))
    return made


def demo_seed_support_parts(*, plan: Plan, today: date) -> int:
    """Supporting units mark their part done on a spread of past-due items: most on time, some late,
    some missing. Returns the number of parts marked."""
    rows = (
        WorkItemUnit.objects.filter(work_item__plan=plan, role=Role.SUPPORT, support_done_at__isnull=True,
                                    work_item__due_date__lt=today, work_item__parent__isnull=True)
        .exclude(work_item__status=S.WAIVED)
        .select_related("work_item", "unit")
        .prefetch_related("unit__members__user")
        .order_by("work_item__due_date", "pk")
    )
    marked = 0
    for row in rows:
        user = _member(row.unit)
        if user is None:
            continue
        rng = random.Random(f"support:{plan.slug}:{row.work_item.import_key or row.work_item_id}:{row.unit_id}")
        roll = rng.random()
        if roll >= 0.85:
            continue  # missing: never marked
        due = row.work_item.due_date
        day = due - timedelta(days=rng.randint(0, 15)) if roll < 0.7 else due + timedelta(days=rng.randint(2, 20))
        day = min(day, today - timedelta(days=1))
        support_part_mark_done(item=row.work_item, user=user, at=_aware(day, 15),
                               note="本单位配合事项已落实：相关资金、审批和数据已到位。")
        marked += 1
    return marked
