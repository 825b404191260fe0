"""Issue 13 roles on import: other roles (数据提供单位, 督办单位) stay on the key task with their name as
written and never reach work items; several leads each get a LEAD row, on the task and its work items,
and each lead's liaison may report and ask to close."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tasks.importers import parse_plan_text
from tasks.models import KeyTaskRole, KeyTaskUnit, Role, WorkItem, WorkItemUnit
from tasks.services.plan_import import plan_import
from tasks.services.reports import work_item_report_progress, work_item_request_close
from tasks.tests.factories import liaison_for

pytestmark = pytest.mark.django_db

PLAN = """某某县住房保障实施方案(2023—2027年)
三、重点任务
1.扩大保障性租赁住房供给。加快筹集。(牵头单位:县住建局;配合单位:县财政局;数据提供单位:县统计局;督办单位:县督考办;牵头负责领导:王五)
2.实施城中村改造。完成征迁。(县住建局、县自然资源局分别牵头,县财政局配合)
四、保障措施
加强领导。
2024年主要指标工作清单
序号 | 指标 | 2024年目标 | 工作内容 | 完成时限
1 | 保障性租赁住房筹集套数(套) | 500 | 加快筹集保障性租赁住房500套。 | 12月底前
2 | 城中村改造征迁户数(户) | 300 | 实施城中村改造征迁300户。 | 10月底前
"""


def _import(text: str = PLAN):
    parsed = parse_plan_text(text, source="roles.txt")
    return plan_import(parsed=parsed, source_name="roles.txt", source_bytes=text.encode())


def _rows(task):
    return [(a.unit.name, a.role, a.role_name) for a in task.assignments.select_related("unit").order_by("position")]


def test_other_roles_are_kept_on_the_key_task_with_their_names():
    plan = _import().plan
    task = plan.key_tasks.get(number=1)
    assert _rows(task) == [
        ("县住建局", Role.LEAD, ""),
        ("县财政局", Role.SUPPORT, ""),
        ("县统计局", KeyTaskRole.OTHER, "数据提供单位"),
        ("县督考办", KeyTaskRole.OTHER, "督办单位"),
    ]
    assert task.leaders == "王五"
    other = KeyTaskUnit.objects.get(key_task=task, unit__name="县统计局")
    assert other.role_label == "数据提供单位" and str(other) == "县统计局 (数据提供单位)"


def test_other_roles_never_reach_work_items():
    plan = _import().plan
    item = WorkItem.objects.get(plan=plan, key_task__number=1)
    assert sorted(WorkItemUnit.objects.filter(work_item=item).values_list("unit__name", "role")) == [
        ("县住建局", Role.LEAD), ("县财政局", Role.SUPPORT)]
    assert not WorkItemUnit.objects.filter(work_item__plan=plan, unit__name__in=["县统计局", "县督考办"]).exists()


def test_reimport_keeps_other_roles_once():
    _import()
    plan = _import().plan
    task = plan.key_tasks.get(number=1)
    assert [r[0] for r in _rows(task)] == ["县住建局", "县财政局", "县统计局", "县督考办"]


def test_several_leads_each_lead_the_task_and_its_work_items():
    plan = _import().plan
    task = plan.key_tasks.get(number=2)
    assert _rows(task) == [("县住建局", Role.LEAD, ""), ("县自然资源局", Role.LEAD, ""), ("县财政局", Role.SUPPORT, "")]
    item = WorkItem.objects.get(plan=plan, key_task=task)
    assert sorted(WorkItemUnit.objects.filter(work_item=item, role=Role.LEAD).values_list("unit__name", flat=True)) == [
        "县住建局", "县自然资源局"]


def test_each_of_several_leads_may_report_and_ask_to_close():
    plan = _import().plan
    item = WorkItem.objects.get(plan=plan, key_task__number=2)
    housing = liaison_for(item.units.get(name="县住建局"))
    land = liaison_for(item.units.get(name="县自然资源局"))
    finance = liaison_for(item.units.get(name="县财政局"))
    work_item_report_progress(item=item, user=land, note="已完成征迁摸底。", percent=40)
    item.refresh_from_db()
    assert item.status == WorkItem.Status.IN_PROGRESS and item.progress == 40
    with pytest.raises(Exception, match="只有牵头单位"):
        work_item_request_close(item=item, user=finance, note="完成。")
    work_item_request_close(item=item, user=housing, note="征迁300户已完成。")
    item.refresh_from_db()
    assert item.status == WorkItem.Status.AWAITING_REVIEW


def test_import_plan_json_lists_other_units_per_task(tmp_path):
    path = tmp_path / "roles.txt"
    path.write_text(PLAN, encoding="utf-8")
    out = StringIO()
    call_command("import_plan", str(path), "--dry-run", "--json", stdout=out, stderr=StringIO())
    data, _end = json.JSONDecoder().raw_decode(out.getvalue())
    first, second = data["key_tasks"]
    assert first["other_units"] == [{"unit": "县统计局", "role": "数据提供单位"},
                                    {"unit": "县督考办", "role": "督办单位"}]
    assert first["lead_units"] == ["县住建局"] and first["supporting_units"] == ["县财政局"]
    assert second["lead_units"] == ["县住建局", "县自然资源局"] and second["other_units"] == []
