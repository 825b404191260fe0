from datetime import date

import pytest

from tasks.models import Role, WorkItem
from tasks.services.work_list import target_phrases, work_list_draft
from tasks.tests.factories import (
    IndicatorFactory,
    IndicatorTargetFactory,
    KeyTaskFactory,
    PlanFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def test_draft_work_list_spreads_deadlines_links_task_units_and_is_idempotent():
    plan = PlanFactory()
    lead, support = UnitFactory(region=plan.region), UnitFactory(region=plan.region)
    task = KeyTaskFactory(plan=plan, lead=lead, supporting=[support])
    cumulative = IndicatorFactory(plan=plan, number=1, name="未来社区累计数量", measure="个", cumulative=True,
                                  key_task=task)
    IndicatorTargetFactory(indicator=cumulative, year=2025, text="35", value=35)
    IndicatorTargetFactory(indicator=cumulative, year=2026, text="41", value=41)
    rate = IndicatorFactory(plan=plan, number=2, name="物业服务覆盖率", measure="%")
    IndicatorTargetFactory(indicator=rate, year=2026, text="92.5", value=92.5)
    no_value = IndicatorFactory(plan=plan, number=3, name="装配式比例")
    IndicatorTargetFactory(indicator=no_value, year=2026, text="/", value=None, comparator="")

    created = work_list_draft(plan=plan, year=2026)
    assert len(created) == 8
    mine = [i for i in created if i.indicator == cumulative]
    assert [i.deadline for i in mine] == [date(2026, 2, 28), date(2026, 6, 30), date(2026, 9, 30), date(2026, 11, 30)]
    assert "累计达到38个" in mine[1].text  # half-way from 35 to 41
    assert all(i.source == WorkItem.Source.DRAFT and i.due_date == i.deadline for i in created)
    roles = {(a.unit, a.role) for a in mine[0].assignments.all()}
    assert roles == {(lead, Role.LEAD), (support, Role.SUPPORT)}
    assert [i.deadline for i in created if i.indicator == rate][0] == date(2026, 3, 31)  # staggered
    assert work_list_draft(plan=plan, year=2026) == []


def test_draft_outside_plan_period_is_refused():
    with pytest.raises(ValueError):
        work_list_draft(plan=PlanFactory(), year=2031)


def test_draft_texts_keep_the_target_as_written_and_skip_a_halfway_mark_without_growth():
    plan = PlanFactory()
    lifts = IndicatorFactory(plan=plan, number=1, name="加装电梯累计数量", measure="台", cumulative=True)
    IndicatorTargetFactory(indicator=lifts, year=2025, text="250", value=250)
    IndicatorTargetFactory(indicator=lifts, year=2026, text="大于250", value=250, comparator="gt")
    villages = IndicatorFactory(plan=plan, number=2, name="特色村累计数量", measure="个", cumulative=True)
    IndicatorTargetFactory(indicator=villages, year=2025, text="0", value=0)
    IndicatorTargetFactory(indicator=villages, year=2026, text="0", value=0)
    texts = [i.text for i in work_list_draft(plan=plan, year=2026)]
    assert "完成2026年度目标：加装电梯累计数量达到250台以上。" in texts
    assert not any("大于" in t for t in texts)
    assert not any("累计达到0个" in t for t in texts)


@pytest.mark.parametrize(
    ("text", "value", "comparator", "measure", "goal", "reach"),
    [
        ("大于250", 250, "gt", "台", "250台以上", "达到250台以上"),
        (">1.48", "1.48", "gt", "万套", "1.48万套以上", "达到1.48万套以上"),
        ("≥95", 95, "ge", "%", "不低于95%", "达到95%及以上"),
        ("95%以上", 95, "ge", "%", "不低于95%", "达到95%及以上"),
        ("<5", 5, "lt", "%", "5%以下", "控制在5%以下"),
        ("≤3.50", "3.50", "le", "%", "3.5%以内", "控制在3.5%以内"),
        ("79%", 79, "eq", "%", "79%", "达到79%"),
        ("23", 23, "eq", "个", "23个", "达到23个"),
    ],
)
def test_target_phrases_read_as_chinese_not_as_the_cells_sign(text, value, comparator, measure, goal, reach):
    from decimal import Decimal
    from types import SimpleNamespace

    target = SimpleNamespace(text=text, value=Decimal(str(value)), comparator=comparator)
    assert target_phrases(target, measure) == (goal, reach)


def test_redrafting_after_the_wording_changed_adds_nothing():
    """Items drafted by an earlier version (other texts, other keys) still count as the indicator's draft."""
    plan = PlanFactory()
    lifts = IndicatorFactory(plan=plan, number=1, name="加装电梯数量", measure="台")
    IndicatorTargetFactory(indicator=lifts, year=2026, text="大于250", value=250, comparator="gt")
    first = work_list_draft(plan=plan, year=2026)
    assert len(first) == 4
    WorkItem.objects.filter(pk=first[-1].pk).update(text="完成2026年度目标：加装电梯数量达到大于250台。",
                                                     import_key="draft:old-wording-key")
    assert work_list_draft(plan=plan, year=2026) == []
    assert WorkItem.objects.filter(plan=plan, year=2026).count() == 4
