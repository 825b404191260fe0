from datetime import date

import pytest

from tasks.models import Role, WorkItem
from tasks.services.work_list import work_list_draft
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
    assert "完成2026年度目标：加装电梯累计数量达到大于250台。" in texts
    assert not any("累计达到0个" in t for t in texts)
