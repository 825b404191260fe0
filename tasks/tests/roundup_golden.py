"""A small plan with a known history, for roundup tests with exact expected numbers.

Units A (区建设局), B (区财政局), C (区资规局); the 2023 work list below. Times are 10:00 in Shanghai.

=====  ====  =========  ==========  ================================================================
item   lead  support    due         history
=====  ====  =========  ==========  ================================================================
i1     A                06-15       done 06-10 (on time)
i2     A                06-20       submitted 07-03, done 07-05 (late)
i3     A     B          06-30       extended on 06-25 to 08-31 (StatusChange + request); done 08-20
i4     B                05-31       extended on 06-10 to 07-31 (request only); done 07-20
i5     B                06-30       submitted 06-20, returned 06-22, resubmitted 06-28, done 07-03
i6     C                04-30       done 04-28
i7     C                03-31       in progress since 03-01, never done; notes 05-10 and 07-15
i8     B     A          06-10       done 06-09
i9     A                09-30       in progress 06-05, done 09-28
i10    C                (none)      recurring, no date
i11    A                12-31       never done
i12    C                06-30       done early, 05-20
i13    C                02-28       imported as done on 02-20, no history
=====  ====  =========  ==========  ================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tasks.models import (
    ExtensionRequest,
    IndicatorReport,
    Plan,
    ProgressReport,
    StatusChange,
    Unit,
    WorkItem,
    WorkItemUnit,
)
from tasks.services.workflow import work_item_transition
from tasks.tests.factories import (
    IndicatorFactory,
    IndicatorTargetFactory,
    KeyTaskFactory,
    PlanFactory,
    RegionFactory,
    UnitFactory,
    UserFactory,
    WorkItemFactory,
)

SH = ZoneInfo("Asia/Shanghai")
S = WorkItem.Status


def at(month: int, day: int, year: int = 2023) -> datetime:
    return datetime(year, month, day, 10, tzinfo=SH)


@dataclass
class Golden:
    plan: Plan
    a: Unit
    b: Unit
    c: Unit
    items: dict[str, WorkItem]


def _move(item: WorkItem, *steps: tuple[str, datetime], reviewer=None) -> None:
    for to_status, when in steps:
        reason = "附件为草稿，请上传盖章版" if to_status == S.RETURNED else ""
        work_item_transition(item=item, to_status=to_status, at=when, actor=reviewer, reason=reason)


def _extend(item: WorkItem, *, to: date, when: datetime, log_status_change: bool, coordinator) -> None:
    """Grant an extension as the workflow does: the request's decision (and the audit row)."""
    ExtensionRequest.objects.create(
        work_item=item, requested_at=when.replace(hour=9), reason="征迁进度受阻", current_due_date=item.due_date,
        proposed_due_date=to, status=ExtensionRequest.Status.GRANTED, decided_by=coordinator, decided_at=when,
    )
    if log_status_change:
        StatusChange.objects.create(
            work_item=item, actor=coordinator, at=when, event=StatusChange.Event.EXTENSION_GRANTED,
            from_status=item.status, to_status=item.status, reason="同意延期", from_due_date=item.due_date,
            to_due_date=to,
        )
    WorkItem.objects.filter(pk=item.pk).update(due_date=to)
    item.due_date = to


def build_golden() -> Golden:
    region = RegionFactory(name="金鉴区", slug="jinjian")
    plan = PlanFactory(region=region, title="金鉴区住有宜居实施方案(2023—2027年)", slug="jinjian")
    a = UnitFactory(region=region, name="区建设局", emails="jianshe@example.gov.cn")
    b = UnitFactory(region=region, name="区财政局", emails="caizheng@example.gov.cn")
    c = UnitFactory(region=region, name="区资规局", emails="zigui@example.gov.cn, zigui2@example.gov.cn")
    coordinator = UserFactory(username="zhuanban", email="zhuanban@example.gov.cn")
    plan.coordinators.add(coordinator)
    kt1 = KeyTaskFactory(plan=plan, number=1, title="扩大保障性租赁住房供给", lead=a, supporting=[b])
    kt2 = KeyTaskFactory(plan=plan, number=2, title="加大住房保障资金投入", lead=b)
    kt3 = KeyTaskFactory(plan=plan, number=3, title="保障住房建设用地", lead=c)

    def item(name, task, lead, due, supporting=(), **kw):
        return WorkItemFactory(
            plan=plan, key_task=task, text=f"{name}：{task.title if task else '常态化工作'}", lead=lead,
            supporting=list(supporting), deadline=due, due_date=due, **kw,
        )

    items = {
        "i1": item("i1", kt1, a, date(2023, 6, 15)),
        "i2": item("i2", kt1, a, date(2023, 6, 20)),
        "i3": item("i3", kt1, a, date(2023, 6, 30), supporting=[b]),
        "i4": item("i4", kt2, b, date(2023, 5, 31)),
        "i5": item("i5", kt2, b, date(2023, 6, 30)),
        "i6": item("i6", kt3, c, date(2023, 4, 30)),
        "i7": item("i7", kt3, c, date(2023, 3, 31)),
        "i8": item("i8", kt2, b, date(2023, 6, 10), supporting=[a]),
        "i9": item("i9", kt1, a, date(2023, 9, 30)),
        "i10": item("i10", kt3, c, None, recurring=True, deadline_text="每月"),
        "i11": item("i11", kt1, a, date(2023, 12, 31)),
        "i12": item("i12", kt3, c, date(2023, 6, 30)),
        "i13": item(
            "i13", kt3, c, date(2023, 2, 28), status=S.DONE, completed_at=at(2, 20), completed_on_time=True,
            progress=100,
        ),
    }
    i = items
    _move(i["i1"], (S.IN_PROGRESS, at(6, 1)), (S.AWAITING_REVIEW, at(6, 9)), (S.DONE, at(6, 10)))
    _move(i["i2"], (S.AWAITING_REVIEW, at(7, 3)), (S.DONE, at(7, 5)))
    _extend(i["i3"], to=date(2023, 8, 31), when=at(6, 25), log_status_change=True, coordinator=coordinator)
    _move(i["i3"], (S.AWAITING_REVIEW, at(8, 18)), (S.DONE, at(8, 20)))
    _extend(i["i4"], to=date(2023, 7, 31), when=at(6, 10), log_status_change=False, coordinator=coordinator)
    _move(i["i4"], (S.AWAITING_REVIEW, at(7, 19)), (S.DONE, at(7, 20)))
    _move(
        i["i5"], (S.AWAITING_REVIEW, at(6, 20)), (S.RETURNED, at(6, 22)), (S.AWAITING_REVIEW, at(6, 28)),
        (S.DONE, at(7, 3)), reviewer=coordinator,
    )
    _move(i["i6"], (S.AWAITING_REVIEW, at(4, 27)), (S.DONE, at(4, 28)))
    _move(i["i7"], (S.IN_PROGRESS, at(3, 1)))
    for when, note in ((at(5, 10), "已完成选址"), (at(7, 15), "征迁推进中")):
        ProgressReport.objects.create(work_item=i["i7"], unit=c, note=note, percent=40, created_at=when)
    ProgressReport.objects.create(
        work_item=i["i7"], unit=None, kind=ProgressReport.Kind.COMMENT, note="请加快进度", created_at=at(6, 1)
    )
    _move(i["i8"], (S.AWAITING_REVIEW, at(6, 8)), (S.DONE, at(6, 9)))
    _move(i["i9"], (S.IN_PROGRESS, at(6, 5)), (S.AWAITING_REVIEW, at(9, 27)), (S.DONE, at(9, 28)))
    _move(i["i12"], (S.AWAITING_REVIEW, at(5, 19)), (S.DONE, at(5, 20)))
    # Supporting parts (配合到位) are each unit's own: A's part of i8 and B's part of i3 marked done on time.
    WorkItemUnit.objects.filter(work_item=i["i8"], unit=a).update(support_done_at=at(6, 8))
    WorkItemUnit.objects.filter(work_item=i["i3"], unit=b).update(support_done_at=at(8, 15))
    for item_ in items.values():
        item_.refresh_from_db()

    # Indicators: (number, name, measure, cumulative, baseline, target text/value/comparator, lead task, reports)
    specs = [
        (1, "保障性租赁住房筹集(累计)", "万套", True, Decimal("10"), ("14", Decimal("14"), "ge"), kt1,
         {5: Decimal("12"), 6: Decimal("13")}),
        (2, "城镇住房保障受益覆盖率", "%", False, None, (">95", Decimal("95"), "gt"), kt2,
         {3: Decimal("95"), 12: Decimal("96")}),
        (3, "浙派民居特色村", "个", False, None, ("至2027年至少创建1个", None, ""), kt3, {}),
        (4, "保障房开工率", "%", False, None, ("80", Decimal("80"), "eq"), kt3, {6: Decimal("30")}),
        (5, "商品住房空置率", "%", False, None, ("≤5", Decimal("5"), "le"), kt2, {6: Decimal("6")}),
    ]
    for number, name, measure, cumulative, baseline, (text, value, comparator), task, reports in specs:
        indicator = IndicatorFactory(
            plan=plan, number=number, name=name, measure=measure, cumulative=cumulative, key_task=task,
            baseline_year=2022 if baseline is not None else None, baseline_value=baseline,
            baseline_text=str(baseline) if baseline is not None else "",
        )
        IndicatorTargetFactory(indicator=indicator, year=2023, text=text, value=value, comparator=comparator)
        for month, reported in reports.items():
            IndicatorReport.objects.create(
                indicator=indicator, month=date(2023, month, 1), value=reported, reported_at=at(month, 28)
            )

    # Another plan's item for unit A must not count.
    WorkItemFactory(lead=a, deadline=date(2023, 6, 15), due_date=date(2023, 6, 15))
    return Golden(plan=plan, a=a, b=b, c=c, items=items)
