"""Demo data for work broken down (分解交办) and supporting parts (配合到位), through the real services.

Deterministic and idempotent like the rest of the demo: an item already broken down, or a part
already marked, is left alone. Towns come from the region's units of kind ``town`` (seeded with
their liaisons elsewhere); without towns nothing is broken down.
"""

from __future__ import annotations

import random
from calendar import monthrange
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from tasks.models import CLOSED_STATUSES, PersonRole, Plan, Role, Unit, WorkItem, WorkItemUnit
from tasks.services.breakdown import BreakdownPart, work_item_break_down, work_item_sign
from tasks.services.reports import work_item_report_progress, work_item_request_close
from tasks.services.review import work_item_accept
from tasks.services.support import support_part_mark_done

S = WorkItem.Status
DEPARTMENTS_PER_MONTH = 10  # departments that get a part each month, besides every town


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def demo_liaison(unit: Unit):
    """The unit's liaison, who acts for it in the demo's history (not its 分管领导, who acts on nothing); from
    ``unit.members`` as prefetched, in a fixed order, so that two loads tell the same story."""
    liaisons = [m for m in unit.members.all() if m.role == PersonRole.LIAISON]
    return min(liaisons, key=lambda m: m.pk).user if liaisons else None


_member = demo_liaison


def demo_seed_breakdown(*, plan: Plan, today: date) -> int:
    """Every month of this year so far, one open department-led item is broken down to every town and to
    the plan's other departments, due at that month's end, with a spread of outcomes (ahead, behind,
    overdue, awaiting review, one never signed), so that 地方 and 部门 are each ranked in every month's
    roundup. Returns the number of sub-items made (none on a second run)."""
    towns = list(
        Unit.objects.filter(region=plan.region, kind=Unit.Kind.TOWN, members__isnull=False)
        .prefetch_related("members__user").distinct().order_by("name")
    )
    coordinator = plan.coordinators.order_by("pk").first()
    if not towns or coordinator is None:
        return 0
    departments = list(
        Unit.objects.filter(region=plan.region, kind=Unit.Kind.DEPARTMENT, members__isnull=False,
                            work_item_assignments__work_item__plan=plan)
        .prefetch_related("members__user").distinct().order_by("name")[:DEPARTMENTS_PER_MONTH + 1]
    )
    covered = {
        d.month for d in WorkItem.objects.filter(plan=plan, parent__isnull=False, due_date__year=today.year)
        .values_list("due_date", flat=True)
    }
    months = [m for m in range(1, today.month + 1) if m not in covered]
    candidates = list(
        WorkItem.objects.filter(plan=plan, parent__isnull=True, children__isnull=True,
                                due_date__gte=date(today.year, 1, 31))
        .exclude(status__in=[*CLOSED_STATUSES, S.AWAITING_REVIEW])
        .filter(assignments__role=Role.LEAD, assignments__unit__kind=Unit.Kind.DEPARTMENT)
        .prefetch_related("assignments__unit__members__user")
        .distinct().order_by("-due_date", "pk")
    )
    chosen = []
    for month in sorted(months, reverse=True):  # the latest deadlines serve the latest months
        month_end = date(today.year, month, monthrange(today.year, month)[1])
        parent = next((c for c in candidates if c.due_date >= month_end), None)
        if parent is not None:
            candidates.remove(parent)
            chosen.append((month, parent))
    made = 0
    for month, parent in sorted(chosen, key=lambda mp: mp[0]):
        lead = next((a.unit for a in parent.assignments.all() if a.role == Role.LEAD), None)
        lead_user = _member(lead) if lead else None
        if lead_user is None:
            continue
        month_end = date(today.year, month, monthrange(today.year, month)[1])
        handed = max(date(today.year, 1, 2), month_end.replace(day=1) - timedelta(days=10))
        units = towns + [d for d in departments if d.pk != lead.pk][:DEPARTMENTS_PER_MONTH]
        children = work_item_break_down(
            item=parent, user=lead_user, at=_aware(handed, 9),
            parts=[BreakdownPart(unit=u, due_date=month_end) for u in units],
        )
        made += len(children)
        for i, (child, unit) in enumerate(zip(children, units, strict=True)):
            _live_part(child, unit, coordinator, handed=handed, today=today, never_sign=i == len(towns) - 1,
                       rng=random.Random(f"breakdown:{plan.slug}:{month}:{unit.pk}"))
    return made


def _live_part(child: WorkItem, unit: Unit, coordinator, *, handed: date, today: date, never_sign: bool,
               rng: random.Random) -> None:
    """One part's plausible life up to ``today``: signed, reported, closed on time or late, or not."""
    user = _member(unit)
    if never_sign or user is None:
        return  # one town never signs: the reminders chase it
    work_item_sign(item=child, user=user, at=_aware(handed + timedelta(days=rng.randint(0, 3)), 11))
    due = child.due_date
    report_day = min(handed + timedelta(days=10), today - timedelta(days=1))
    work_item_report_progress(item=child, user=user, percent=rng.choice([30, 50, 70]),
                              note="已制定推进方案，正按计划推进。", at=_aware(report_day, 16))
    roll = rng.random()
    if due >= today:
        if roll < 0.3:  # ahead: already closed before its deadline
            day = today - timedelta(days=1)
            work_item_request_close(item=child, user=user, note="本单位任务已完成，申请办结。", at=_aware(day, 11))
            work_item_accept(item=child, user=coordinator, reason="审核通过", at=_aware(day, 15))
        return
    if roll < 0.6:  # on time
        day = due - timedelta(days=rng.randint(0, 6))
    elif roll < 0.75:  # late
        day = min(due + timedelta(days=rng.randint(2, 12)), today - timedelta(days=1))
    elif roll < 0.82:  # asked to close late, still awaiting review
        day = min(due + timedelta(days=1), today - timedelta(days=1))
        work_item_request_close(item=child, user=user, note="本单位任务已完成，申请办结。", at=_aware(day, 11))
        return
    else:
        return  # behind: still open past its deadline
    work_item_request_close(item=child, user=user, note="本单位任务已完成，申请办结。", at=_aware(day, 11))
    work_item_accept(item=child, user=coordinator, reason="审核通过", at=_aware(day, 15))


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
