"""The coordinator's choices applied by the import (unit mapping, key-task links), warnings kept
with their lines and targets, duplicate rows, and a write path that stays bulk as documents grow."""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.importers import parse_plan_file, parse_plan_text
from tasks.models import KeyTaskUnit, Plan, Region, Role, Unit, UnitAlias, WorkItem, WorkItemUnit
from tasks.rules.towns import part_holders
from tasks.selectors.towns import collectives_members
from tasks.services.plan_import import ImportChoiceError, plan_import, work_item_keys
from tasks.tests.factories import RegionFactory, UnitFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
PLANS = ROOT / "fixtures" / "plans"
HAINING = PLANS / "haining-2023-2027.txt"
YUECHENG = PLANS / "yuecheng-2023-2027.txt"
AWARD = "创县级及以上优质工程（个）"  # the work list's indicator whose key-task link is doubtful (line 128)


def _import(path, **choices):
    parsed = parse_plan_file(path)
    return plan_import(parsed=parsed, source_name=path.name, source_bytes=path.read_bytes(), **choices)


def _yuecheng_region_with_housing_bureau() -> Unit:
    region = RegionFactory(name="越城区", slug="yuecheng")
    return UnitFactory(region=region, name="区住房和城乡建设局")


def _rows(item: WorkItem) -> list[tuple[int, str]]:
    return [(a.unit_id, a.role) for a in item.assignments.order_by("position")]


def _task_rows(task) -> list[tuple[int, str]]:
    """The rows a key task's items take: its lead and supporting units, a collective's members in its place."""
    rows = [(a.unit_id, a.role) for a in task.assignments.filter(expanded=False).order_by("position")]
    return part_holders(rows, collectives_members(task.plan.region_id))


def test_unit_mapping_makes_the_name_an_alias_of_the_chosen_unit():
    bureau = _yuecheng_region_with_housing_bureau()
    plan = _import(YUECHENG, unit_mapping={"区建设局": bureau.pk}).plan
    assert not Unit.objects.filter(name="区建设局").exists()
    assert UnitAlias.objects.get(name="区建设局").unit == bureau
    task1 = plan.key_tasks.get(number=1)
    lead = task1.assignments.get(role=Role.LEAD)
    assert (lead.unit, lead.name_as_written) == (bureau, "区建设局")
    # Every work item of the list is led by 区建设局, now that bureau.
    assert WorkItemUnit.objects.filter(unit=bureau, role=Role.LEAD).count() == plan.work_items.count() == 25
    # Other names were created as new units of the region.
    assert Unit.objects.filter(region=bureau.region, name="区财政局").exists()


def test_unit_mapping_to_another_regions_unit_is_refused_and_writes_nothing():
    _yuecheng_region_with_housing_bureau()
    elsewhere = UnitFactory(name="市住建局")
    with pytest.raises(ImportChoiceError, match="不是越城区的单位"):
        _import(YUECHENG, unit_mapping={"区建设局": elsewhere.pk})
    assert not Plan.objects.exists() and Unit.objects.count() == 2 and not UnitAlias.objects.exists()


def test_unit_mapping_when_the_region_is_new_is_refused_and_creates_no_region():
    elsewhere = UnitFactory(name="市住建局")
    with pytest.raises(ImportChoiceError):
        _import(YUECHENG, unit_mapping={"区建设局": elsewhere.pk})
    assert not Region.objects.filter(name="越城区").exists()


def test_unit_mapping_for_a_name_the_document_does_not_use_is_refused():
    bureau = _yuecheng_region_with_housing_bureau()
    with pytest.raises(ImportChoiceError, match="文件中没有单位"):
        _import(YUECHENG, unit_mapping={"区教育局": bureau.pk})
    assert not Plan.objects.exists()


def test_unit_mapping_cannot_steal_a_name_another_unit_already_has():
    bureau = _yuecheng_region_with_housing_bureau()
    UnitFactory(region=bureau.region, name="区财政局")
    with pytest.raises(ImportChoiceError, match="已是单位“区财政局”的名称"):
        _import(YUECHENG, unit_mapping={"区财政局": bureau.pk})
    assert not Plan.objects.exists()


def test_failed_import_leaves_no_stored_source_file(settings):
    elsewhere = UnitFactory(name="市住建局")
    with pytest.raises(ImportChoiceError):
        _import(YUECHENG, unit_mapping={"区建设局": elsewhere.pk})
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_unit_mapping_none_keeps_a_doubtful_abbreviation_as_a_unit_of_its_own():
    plan = _import(HAINING, unit_mapping={"市文旅体局": None}).plan
    own = Unit.objects.get(region=plan.region, name="市文旅体局")
    full = Unit.objects.get(region=plan.region, name="市文化广电旅游局")
    assert own != full and not UnitAlias.objects.filter(name="市文旅体局").exists()
    assert KeyTaskUnit.objects.filter(unit=own, name_as_written="市文旅体局").exists()
    warning = next(w for w in plan.import_warnings if w["code"] == "unit_doubtful_match")
    assert warning["unit"] == "市文旅体局" and "独立单位" in warning["resolved"]


def test_without_a_choice_the_doubtful_abbreviation_stays_an_alias():
    plan = _import(HAINING).plan
    assert UnitAlias.objects.get(name="市文旅体局").unit.name == "市文化广电旅游局"
    warning = next(w for w in plan.import_warnings if w["code"] == "unit_doubtful_match")
    assert warning["line"] == 42 and "resolved" not in warning


def test_two_names_of_one_unit_in_a_task_make_one_assignment():
    text = "\n".join([
        "测试区住房工作实施方案(2023—2027年)",
        "一、重点任务",
        "1. 推进住房保障。做好保障工作。(责任单位:区建设局、区财政局、区住建局)",
    ])
    parsed = parse_plan_text(text, source="t.txt")
    region = RegionFactory(name="测试区", slug="test-qu")
    bureau = UnitFactory(region=region, name="区住房和城乡建设局")
    plan = plan_import(
        parsed=parsed, source_name="t.txt", source_bytes=text.encode(),
        unit_mapping={"区建设局": bureau.pk, "区住建局": bureau.pk},
    ).plan
    rows = [(a.unit.name, a.role) for a in plan.key_tasks.get().assignments.select_related("unit")]
    assert rows == [("区住房和城乡建设局", Role.LEAD), ("区财政局", Role.SUPPORT)]
    assert set(UnitAlias.objects.values_list("name", flat=True)) == {"区建设局", "区住建局"}


def _award_keys(parsed) -> list[str]:
    return [k for w, k in zip(parsed.work_items, work_item_keys(parsed), strict=True) if w.indicator == AWARD]


def test_key_task_links_are_applied_confirmed_and_units_follow_the_chosen_task():
    parsed = parse_plan_file(YUECHENG)
    keys = _award_keys(parsed)
    assert len(keys) == 3 and all(w.link_doubtful for w in parsed.work_items if w.indicator == AWARD)
    plan = plan_import(
        parsed=parsed, source_name=YUECHENG.name, source_bytes=YUECHENG.read_bytes(),
        key_task_links=dict.fromkeys(keys, 5),
    ).plan
    task5 = plan.key_tasks.get(number=5)
    task5_rows = _task_rows(task5)
    items = plan.work_items.filter(import_key__in=keys)
    assert items.count() == 3
    for item in items:
        assert (item.key_task, item.link_confirmed) == (task5, True)
        assert _rows(item) == task5_rows
    # Items whose link was not doubtful are not marked confirmed.
    assert plan.work_items.filter(link_confirmed=True).count() == 3
    warning = next(w for w in plan.import_warnings if w["code"] == "doubtful_link")
    assert warning["resolved"] == "协调员确认：关联到重点任务5"


def test_key_task_link_none_leaves_the_items_without_a_task_but_confirmed():
    parsed = parse_plan_file(YUECHENG)
    keys = _award_keys(parsed)
    plan = plan_import(
        parsed=parsed, source_name=YUECHENG.name, source_bytes=YUECHENG.read_bytes(),
        key_task_links=dict.fromkeys(keys, None),
    ).plan
    items = plan.work_items.filter(import_key__in=keys)
    assert all(i.key_task is None and i.link_confirmed for i in items)


@pytest.mark.parametrize("links", [{"not-a-key": 1}, "missing-task"])
def test_key_task_links_outside_the_document_are_refused(links):
    parsed = parse_plan_file(YUECHENG)
    if links == "missing-task":
        links = {_award_keys(parsed)[0]: 99}
    with pytest.raises(ImportChoiceError):
        plan_import(parsed=parsed, source_name="y.txt", source_bytes=b"y", key_task_links=links)
    assert not Plan.objects.exists()


def test_reimport_with_a_chosen_link_moves_units_that_came_from_the_old_task():
    plan = _import(YUECHENG).plan
    parsed = parse_plan_file(YUECHENG)
    keys = _award_keys(parsed)
    task5 = plan.key_tasks.get(number=5)
    plan_import(parsed=parsed, source_name=YUECHENG.name, source_bytes=YUECHENG.read_bytes(),
                key_task_links=dict.fromkeys(keys, 5))
    task5_rows = _task_rows(task5)
    for item in plan.work_items.filter(import_key__in=keys):
        assert item.key_task == task5 and item.link_confirmed and _rows(item) == task5_rows
    # Each item moved from its old task's units to task 5's: a recorded move (services.holders), not rows
    # deleted and written anew, so the months before count it against the units that held it then.
    from tasks.models import HolderChange, StatusChange

    moved = HolderChange.objects.filter(work_item__import_key__in=keys, source="import")
    assert moved.exists() and set(moved.values_list("to_unit_id", flat=True)) - {None} <= {u for u, _r in task5_rows}
    assert StatusChange.objects.filter(work_item__import_key__in=keys, event="holder_changed").count() == len(keys)
    # A later plain re-import keeps the confirmed link.
    _import(YUECHENG)
    assert set(plan.work_items.filter(import_key__in=keys).values_list("key_task", flat=True)) == {task5.pk}


def test_warnings_keep_their_lines_and_point_at_the_rows_to_fix():
    plan = _import(HAINING).plan
    by_code = {w["code"]: w for w in plan.import_warnings}
    not_listed = {(w["line"], w["unit"]) for w in plan.import_warnings if w["code"] == "unit_not_in_list"}
    assert not_listed == {(38, "市住建局"), (38, "市城投集团")}
    prose = by_code["prose_target"]
    assert prose["line"] == 31 and prose["target"]["model"] == "indicator"
    assert plan.indicators.get(pk=prose["target"]["id"]).number == 11
    plan = _import(YUECHENG).plan
    link = next(w for w in plan.import_warnings if w["code"] == "doubtful_link")
    item = WorkItem.objects.get(pk=link["target"]["id"])
    assert link["line"] == 128 and link["target"]["model"] == "workitem" and item.indicator_name == AWARD


def test_the_same_work_twice_under_one_indicator_is_two_items_and_reimports_in_place():
    text = "\n".join([
        "测试区住房工作实施方案(2023—2027年)",
        "一、重点任务",
        "1. 推进未来社区建设。做好创建工作。(责任单位:区建设局、区财政局)",
        "2023年主要指标工作清单",
        "序号 | 指标体系 | 2023年目标 | 工作清单 | 完成期限",
        "1 | 未来社区创建数(个) | 5 | 完善未来社区长效机制。 | 6月底前",
        "2 | 未来社区创建数(个) | 5 | 完善未来社区长效机制。 | 12月底前",
    ])
    parsed = parse_plan_text(text, source="t.txt")
    assert len(parsed.work_items) == 2
    plan = plan_import(parsed=parsed, source_name="t.txt", source_bytes=text.encode()).plan
    assert sorted(plan.work_items.values_list("deadline__month", flat=True)) == [6, 12]
    plan_import(parsed=parse_plan_text(text, source="t.txt"), source_name="t.txt", source_bytes=text.encode())
    assert plan.work_items.count() == 2


def _generated(pages: int) -> str:
    spec = importlib.util.spec_from_file_location("parser_bench", ROOT / "bench" / "parser_bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(pages)


def _queries_per_task(pages: int) -> tuple[float, int]:
    Plan.objects.all().delete()
    Unit.objects.all().delete()
    text = _generated(pages)
    parsed = parse_plan_text(text, source=f"g{pages}.txt")
    with CaptureQueriesContext(connection) as ctx:
        plan_import(parsed=parsed, source_name=f"g{pages}.txt", source_bytes=text.encode())
    return len(ctx) / len(parsed.key_tasks), len(parsed.key_tasks)


def test_import_writes_in_bulk_so_queries_do_not_grow_with_the_task_count():
    small, small_tasks = _queries_per_task(10)
    large, large_tasks = _queries_per_task(40)
    assert large_tasks >= 3 * small_tasks
    # A fixed number of queries per row would keep the ratio at 1; bulk writes divide it.
    assert large < 0.6 * small, (small, large)
