"""A plan of any size with a realistic, deterministic history, built with bulk inserts.

Used by the query-count tests (5 vs 500 items) and by ``bench/roundup_bench.py`` (5,000 items).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tasks.models import (
    ExtensionRequest,
    Indicator,
    IndicatorReport,
    IndicatorTarget,
    KeyTask,
    KeyTaskUnit,
    Plan,
    ProgressReport,
    Region,
    Role,
    StatusChange,
    Unit,
    WorkItem,
    WorkItemUnit,
)

SH = ZoneInfo("Asia/Shanghai")
S = WorkItem.Status
YEAR = 2023


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def build_plan(*, items: int, units: int, slug: str = "bulk", key_tasks: int = 10, indicators: int = 15) -> Plan:
    region, _ = Region.objects.get_or_create(name=f"批量区{slug}", slug=f"bulk-{slug}")
    plan = Plan.objects.create(region=region, title=f"批量测试方案{slug}", slug=slug, first_year=2023, last_year=2027)
    unit_objs = Unit.objects.bulk_create(
        [Unit(region=region, name=f"单位{n:03d}", emails=f"u{n}@{slug}.example.gov.cn") for n in range(units)]
    )
    tasks = KeyTask.objects.bulk_create(
        [KeyTask(plan=plan, number=n + 1, title=f"重点任务{n + 1}", section="(一)") for n in range(key_tasks)]
    )
    KeyTaskUnit.objects.bulk_create(
        [KeyTaskUnit(key_task=t, unit=unit_objs[n % units], role=Role.LEAD, position=0) for n, t in enumerate(tasks)]
    )
    inds = Indicator.objects.bulk_create(
        [
            Indicator(plan=plan, domain="住房保障", number=n + 1, name=f"指标{n + 1}", measure="%",
                      cumulative=n % 3 == 0, baseline_year=2022, baseline_value=Decimal(10),
                      key_task=tasks[n % key_tasks])
            for n in range(indicators)
        ]
    )
    IndicatorTarget.objects.bulk_create(
        [IndicatorTarget(indicator=i, year=YEAR, text=">=50", value=Decimal(50), comparator="ge") for i in inds]
    )
    IndicatorReport.objects.bulk_create(
        [
            IndicatorReport(indicator=i, month=date(YEAR, m, 1), value=Decimal(10 + 3 * m + n % 7),
                            reported_at=_at(date(YEAR, m, 25)))
            for n, i in enumerate(inds)
            for m in range(1, 13)
            if (n + m) % 4
        ]
    )

    work = []
    for n in range(items):
        due = date(YEAR, 1, 1) + timedelta(days=(n * 37) % 365)
        work.append(
            WorkItem(plan=plan, year=YEAR, key_task=tasks[n % key_tasks], text=f"事项{n}", deadline=due,
                     due_date=due, deadline_text="", position=n)
        )
    work = WorkItem.objects.bulk_create(work)
    assignments, changes, reports, extensions, updates = [], [], [], [], []
    for n, item in enumerate(work):
        assignments.append(WorkItemUnit(work_item=item, unit=unit_objs[n % units], role=Role.LEAD, position=0))
        if n % 3 == 0:
            assignments.append(
                WorkItemUnit(work_item=item, unit=unit_objs[(n + 1) % units], role=Role.SUPPORT, position=1)
            )
        due = item.due_date
        kind = n % 10
        history: list[tuple[str, str, date]] = []
        if kind in (0, 1, 2, 3):  # done on time
            history = [(S.NOT_STARTED, S.AWAITING_REVIEW, due - timedelta(days=3)),
                       (S.AWAITING_REVIEW, S.DONE, due - timedelta(days=1))]
        elif kind in (4, 5):  # done late
            history = [(S.NOT_STARTED, S.IN_PROGRESS, due - timedelta(days=20)),
                       (S.IN_PROGRESS, S.AWAITING_REVIEW, due + timedelta(days=5)),
                       (S.AWAITING_REVIEW, S.DONE, due + timedelta(days=9))]
        elif kind == 6:  # returned and resubmitted
            history = [(S.NOT_STARTED, S.AWAITING_REVIEW, due - timedelta(days=6)),
                       (S.AWAITING_REVIEW, S.RETURNED, due - timedelta(days=4)),
                       (S.RETURNED, S.AWAITING_REVIEW, due - timedelta(days=2))]
        elif kind == 7:  # extended by 45 days, then in progress
            new_due = due + timedelta(days=45)
            granted = due - timedelta(days=5)
            changes.append(StatusChange(work_item=item, at=_at(granted), event=StatusChange.Event.EXTENSION_GRANTED,
                                        from_status=S.NOT_STARTED, to_status=S.NOT_STARTED, from_due_date=due,
                                        to_due_date=new_due))
            extensions.append(ExtensionRequest(work_item=item, requested_at=_at(granted, 9), reason="延期",
                                               current_due_date=due, proposed_due_date=new_due,
                                               status=ExtensionRequest.Status.GRANTED, decided_at=_at(granted)))
            item.due_date = new_due
            updates.append(item)
            history = [(S.NOT_STARTED, S.IN_PROGRESS, due + timedelta(days=10))]
        elif kind == 8:  # in progress, overdue once past due
            history = [(S.NOT_STARTED, S.IN_PROGRESS, due - timedelta(days=30))]
        # kind 9: never touched
        for from_status, to_status, day in history:
            changes.append(StatusChange(work_item=item, at=_at(day), from_status=from_status, to_status=to_status))
        if history:
            last_status, last_day = history[-1][1], history[-1][2]
            item.status = last_status
            if last_status == S.DONE:
                item.completed_at = _at(last_day)
                item.completed_on_time = last_day <= item.due_date
                item.progress = 100
            updates.append(item)
        if n % 2:
            reports.append(ProgressReport(work_item=item, unit=unit_objs[n % units], note=f"进展{n}", percent=50,
                                          created_at=_at(due - timedelta(days=8))))
    WorkItemUnit.objects.bulk_create(assignments)
    StatusChange.objects.bulk_create(changes)
    ExtensionRequest.objects.bulk_create(extensions)
    ProgressReport.objects.bulk_create(reports)
    WorkItem.objects.bulk_update(
        {i.pk: i for i in updates}.values(),
        ["status", "completed_at", "completed_on_time", "progress", "due_date"],
        batch_size=500,
    )
    return plan
