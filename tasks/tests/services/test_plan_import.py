"""The import service on the two real plans: exact counts, idempotent re-import, atomic failure."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tasks.importers import PlanParseError
from tasks.models import (
    Indicator,
    KeyTask,
    KeyTaskUnit,
    Plan,
    ProgressReport,
    Role,
    Unit,
    UnitAlias,
    WorkItem,
)
from tasks.services.plan_import import plan_import_file
from tasks.services.workflow import work_item_transition
from tasks.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PLANS = Path(__file__).resolve().parents[3] / "fixtures" / "plans"
HAINING = PLANS / "haining-2023-2027.txt"
YUECHENG = PLANS / "yuecheng-2023-2027.txt"
QINGDAO = PLANS / "qingdao-13th-fyp-housing.txt"


def _leads(task: KeyTask) -> list[str]:
    return [a.unit.name for a in task.assignments.select_related("unit") if a.role == Role.LEAD]


def test_haining_imports_13_tasks_15_indicators_with_units_resolved():
    plan = plan_import_file(path=HAINING).plan
    assert plan.region.name == "海宁市"
    assert (plan.first_year, plan.last_year) == (2023, 2027)
    assert plan.key_tasks.count() == 13
    assert plan.indicators.count() == 15
    task1 = plan.key_tasks.get(number=1)
    assert _leads(task1) == ["市住建局"]
    # Short and full names are one unit: 市资规局 in the tasks is 市自然资源和规划局 of the list.
    zg = Unit.objects.get(region=plan.region, aliases__name="市资规局")
    assert Unit.objects.get(region=plan.region, name=zg.name) == zg
    assert KeyTaskUnit.objects.filter(key_task__plan=plan, unit=zg).count() >= 10
    assert _leads(plan.key_tasks.get(number=13)) == ["海宁公积金分中心"]
    # "以下均需镇(街道)落实" carries 各镇(街道) to later tasks.
    towns = Unit.objects.get(region=plan.region, name="各镇(街道)")
    assert KeyTaskUnit.objects.filter(key_task__plan=plan, unit=towns, role=Role.SUPPORT).count() == 13
    ind4 = plan.indicators.get(number=4)
    t2024 = ind4.targets.get(year=2024)
    assert (t2024.text, t2024.comparator, float(t2024.value)) == (">1.48", "gt", 1.48)
    assert ind4.cumulative is True


def test_yuecheng_work_list_25_items_dated_and_linked_to_key_tasks():
    plan = plan_import_file(path=YUECHENG).plan
    assert plan.key_tasks.count() == 11
    assert plan.indicators.count() == 14
    items = plan.work_items.filter(year=2023)
    assert items.count() == 25
    assert all(i.due_date == i.deadline and i.deadline.year == 2023 for i in items)
    award = items.get(text__startswith="做好 2023 年度绍兴市兰花杯") if items.filter(
        text__startswith="做好 2023 年度绍兴市兰花杯").exists() else items.get(text__contains="兰花杯")
    assert award.deadline == date(2023, 4, 20)
    assert award.key_task.number == 6
    rental = items.filter(text__contains="保障性租赁住房")
    assert {i.key_task.number for i in rental} == {1}
    # Units default to those of the key task: lead 区建设局.
    lead = rental.first().assignments.get(role=Role.LEAD)
    assert lead.unit.name == "区建设局"


def test_reimport_updates_in_place_and_keeps_what_people_recorded():
    plan = plan_import_file(path=YUECHENG).plan
    counts = (Unit.objects.count(), KeyTask.objects.count(), Indicator.objects.count(), WorkItem.objects.count())
    item = plan.work_items.order_by("pk").first()
    user = UserFactory()
    work_item_transition(item=item, to_status=WorkItem.Status.IN_PROGRESS, actor=user)
    ProgressReport.objects.create(work_item=item, note="已推进", created_at=item.created_at)
    WorkItem.objects.filter(pk=item.pk).update(due_date=date(2023, 9, 30))  # an extension granted since
    other_task = plan.key_tasks.get(number=3)
    relinked = plan.work_items.order_by("pk")[1]
    relinked.key_task, relinked.link_confirmed = other_task, True
    relinked.save()
    unit = Unit.objects.get(region=plan.region, name="区建设局")
    UnitAlias.objects.create(unit=unit, name="区住建局")

    again = plan_import_file(path=YUECHENG).plan
    assert again.pk == plan.pk
    models = (Unit, KeyTask, Indicator, WorkItem)
    assert counts == tuple(m.objects.count() for m in models)
    item.refresh_from_db()
    assert item.status == WorkItem.Status.IN_PROGRESS
    assert item.due_date == date(2023, 9, 30)
    assert item.reports.count() == 1
    relinked.refresh_from_db()
    assert relinked.key_task == other_task
    assert UnitAlias.objects.filter(name="区住建局").exists()


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\xff\xfe" * 200, "no tasks here".encode("utf-16")])
def test_bad_files_fail_with_message_and_write_nothing(tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(PlanParseError) as exc:
        plan_import_file(path=path)
    assert "bad.txt" in str(exc.value)
    assert not Plan.objects.exists() and not Unit.objects.exists()


def test_qingdao_has_no_key_tasks_and_is_refused_by_the_command():
    with pytest.raises(CommandError) as exc:
        call_command("import_plan", str(QINGDAO))
    assert "qingdao-13th-fyp-housing.txt" in str(exc.value)
    assert not Plan.objects.exists()


def test_dry_run_json_writes_nothing_and_has_the_contract_shape(capsys):
    call_command("import_plan", str(YUECHENG), "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    assert not Plan.objects.exists()
    assert {"title", "units", "key_tasks", "indicators", "work_items", "warnings"} <= set(data)
    task = data["key_tasks"][0]
    keys = {"number", "section", "title", "text", "lead_units", "supporting_units", "deadline", "deadline_text"}
    assert keys <= set(task)
    assert data["indicators"][0]["targets"]["2023"] == "30"
    item = data["work_items"][0]
    assert item["key_task"] == 1 and item["deadline"] == "2023-06-30" and item["lead_units"] == ["区建设局"]


def test_missing_file_is_a_clear_command_error():
    with pytest.raises(CommandError, match="nope.txt"):
        call_command("import_plan", "/nonexistent/nope.txt")


def test_a_reimport_that_moves_a_deadline_writes_its_own_history_row_which_is_not_an_extension(tmp_path):
    from tasks.models import StatusChange

    plan = plan_import_file(path=YUECHENG).plan
    item = plan.work_items.filter(deadline__isnull=False).order_by("pk").first()
    lines = YUECHENG.read_text(encoding="utf-8").split("\n")
    [at] = [i for i, line in enumerate(lines) if item.text in line]
    lines[at] = lines[at].rsplit("\t", 1)[0] + "\t12月底前"  # the deadline cell of its row
    moved = tmp_path / YUECHENG.name
    moved.write_text("\n".join(lines), encoding="utf-8")
    plan_import_file(path=moved)
    item.refresh_from_db()
    assert (item.deadline, item.due_date) == (date(item.year, 12, 31), date(item.year, 12, 31))
    row = StatusChange.objects.get(work_item=item, event=StatusChange.Event.DEADLINE_REIMPORTED)
    assert row.to_due_date == date(item.year, 12, 31) and row.from_due_date != row.to_due_date
    assert not StatusChange.objects.filter(work_item=item, event=StatusChange.Event.EXTENSION_GRANTED).exists()
    plan_import_file(path=moved)  # the same document again: nothing moves, no new row
    assert StatusChange.objects.filter(work_item=item, event=StatusChange.Event.DEADLINE_REIMPORTED).count() == 1


def test_an_import_over_an_existing_plan_asks_the_guard_and_a_new_plan_does_not():
    """A user who may add plans (``tasks.add_plan``) creates one; importing a document whose plan exists
    rewrites that plan, so it is for who acts for it (its coordinators, ``act_on_all_plans``)."""
    from django.contrib.auth.models import Permission

    from tasks.importers.limits import read_and_parse
    from tasks.selectors.guard import NotAllowed
    from tasks.services.plan_import import plan_import

    _text, parsed = read_and_parse(HAINING)

    def run(actor):
        return plan_import(parsed=parsed, source_name=HAINING.name, source_bytes=HAINING.read_bytes(), actor=actor)

    importer = UserFactory()
    plan = run(importer).plan  # new: anyone the view lets in (add_plan)
    before = (Plan.objects.count(), KeyTask.objects.count(), Plan.objects.get(pk=plan.pk).imported_at)
    viewer = UserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    for outsider in (UserFactory(), viewer):
        with pytest.raises(NotAllowed):
            run(outsider)
        assert (Plan.objects.count(), KeyTask.objects.count(), Plan.objects.get(pk=plan.pk).imported_at) == before
    plan.coordinators.add(importer)
    assert run(importer).plan == plan
    actor = UserFactory()
    actor.user_permissions.add(Permission.objects.get(codename="act_on_all_plans"))
    assert run(actor).plan == plan
