"""Several plans in one region (issue 32 §6): where their key tasks, indicators or items meet, each plan's short
name tells them apart and the lists are grouped by plan."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from tasks.models import KeyTask, TargetBreakdown, TargetShare, Unit
from tasks.rules.plans import default_short_name, plan_theme
from tasks.tests.daily_setup import login
from tasks.tests.factories import (
    IndicatorFactory,
    KeyTaskFactory,
    PlanFactory,
    RegionFactory,
    UnitFactory,
    WorkItemFactory,
    liaison_for,
)

pytestmark = pytest.mark.django_db
SAME = "创建未来社区累计数量"


def test_the_default_short_name_is_the_region_and_the_theme():
    assert default_short_name(region="海宁市", title="海宁市推进“住有宜居”打造“安居潮城”品牌实施方案(2023—2027年)") \
        == "海宁市·住有宜居·安居潮城"
    yuecheng = "越城区公共服务“七优享”工程“住有宜居”专项 实施方案（2023—2027年）"
    assert default_short_name(region="越城区", title=yuecheng) == "越城区·七优享·住有宜居"
    assert plan_theme(region="越城区", title="越城区2023年城中村改造工作方案") == "城中村改造"
    # Taken already in the region: the years tell them apart.
    assert default_short_name(region="越城区", title="越城区城中村改造工作方案(2024年)", first_year=2024,
                              taken={"越城区·城中村改造"}) == "越城区·城中村改造 2024"


@pytest.fixture
def town_of_two_plans():
    region = RegionFactory(name="越城区", slug="yuecheng")
    town = UnitFactory(region=region, name="塔山街道", kind=Unit.Kind.TOWN)
    today = date.today()
    plans = [PlanFactory(region=region, title=f"越城区{t}实施方案", short_name=s, first_year=today.year - 1,
                         last_year=today.year + 2)
             for t, s in (("住有宜居", "越城·住有宜居"), ("未来社区", "越城·未来社区"))]
    for plan in plans:
        task = KeyTaskFactory(plan=plan, number=6, title=SAME, lead=town)
        indicator = IndicatorFactory(plan=plan, number=6, name=SAME, measure="个")
        WorkItemFactory(plan=plan, year=today.year, key_task=task, indicator=indicator, lead=town,
                        text=f"{plan.short_name}的事项", deadline=today + timedelta(days=30))
        breakdown = TargetBreakdown.objects.create(indicator=indicator, year=today.year)
        TargetShare.objects.create(breakdown=breakdown, unit=town, value=3)
    return town, plans


def test_a_towns_home_groups_its_two_plans_filters_shares_tasks_and_items_by_short_name(client, town_of_two_plans):
    town, plans = town_of_two_plans
    login(client, liaison_for(town))
    html = client.get(reverse("tasks:my_work")).content.decode()
    for plan in plans:
        # The filters: one optgroup per plan, in both the key task and the indicator filter.
        assert html.count(f'<optgroup label="{plan.short_name}">') == 2
        # The 分解目标 and the key tasks: a heading per plan.
        assert re.search(rf'<tr class="group-row"><th colspan="4" scope="rowgroup">{plan.short_name}</th>', html)
        assert f'<h3 class="plan-group-title">{plan.short_name}</h3>' in html
    # The two identical rows are each under their plan.
    shares = html[html.index('id="my-shares"'):]
    first, second = (shares.index(p.short_name) for p in plans)
    assert shares.index(SAME) > first and shares.index(SAME, shares.index(SAME) + 1) > second
    # The items' table has a plan column.
    assert "<th" in html and "方案" in html and html.count('class="plan-col"') == 2


def test_one_plan_shows_no_plan_name_anywhere(client, town_of_two_plans):
    town, plans = town_of_two_plans
    KeyTask.objects.filter(plan=plans[1]).delete()
    plans[1].work_items.all().delete()
    TargetBreakdown.objects.filter(indicator__plan=plans[1]).delete()
    login(client, liaison_for(town, username="other"))
    html = client.get(reverse("tasks:my_work")).content.decode()
    assert "<optgroup" not in html and 'class="group-row"' not in html and "plan-group-title" not in html
    assert 'class="plan-col"' not in html
