"""Towns as units: seeding from towns.csv, collectives expanded on import of both real plans."""

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from tasks.models import KeyTaskUnit, Region, Role, Unit, WorkItemUnit
from tasks.rules.outcomes import OPEN_STATUSES
from tasks.rules.towns import collective_members, collective_town_kinds
from tasks.selectors.permissions import visible_indicators, visible_key_tasks, visible_work_items
from tasks.selectors.towns import region_towns
from tasks.selectors.work import key_tasks_for_unit
from tasks.services.plan_import import plan_import_file
from tasks.services.towns import region_towns_seed, town_rows
from tasks.services.work_list import work_list_draft
from tasks.tests.factories import liaison_for

pytestmark = pytest.mark.django_db
PLANS = Path(__file__).resolve().parents[3] / "fixtures" / "plans"
HAINING = PLANS / "haining-2023-2027.txt"
YUECHENG = PLANS / "yuecheng-2023-2027.txt"


def _towns_of(task) -> list[tuple[str, str, str]]:
    return [
        (a.unit.name, a.role, a.name_as_written)
        for a in task.assignments.filter(expanded=True).select_related("unit").order_by("position")
    ]


# -- rules ---------------------------------------------------------------------------------------


def test_collective_names_cover_the_town_kinds_they_name():
    towns = [(1, "街道"), (2, "镇"), (3, "街道")]
    assert collective_members("各镇(街道)", towns) == [1, 2, 3]
    assert collective_members("各镇（街道）", towns) == [1, 2, 3]
    assert collective_members("各镇街", towns) == [1, 2, 3]
    assert collective_members("各街道", towns) == [1, 3]
    assert collective_members("各乡镇", towns) == [2]
    assert collective_town_kinds("各县(市、区)") is None
    assert collective_members("各平台公司", towns) == []


# -- seeding -------------------------------------------------------------------------------------


def test_towns_csv_lists_12_haining_and_17_yuecheng_towns_with_pinyin():
    haining, yuecheng = town_rows("海宁市"), town_rows("越城区")
    assert len(haining) == 12 and len(yuecheng) == 17
    assert {r.kind for r in haining} == {"街道", "镇"}
    assert all(r.pinyin.isascii() and r.pinyin.isalpha() for r in haining + yuecheng)
    assert haining[0].name == "硖石街道" and haining[0].pinyin == "xiashi"


def test_region_towns_seed_is_idempotent_and_adopts_an_existing_unit_of_the_same_name():
    region = Region.objects.create(name="海宁市", slug="haining")
    existing = Unit.objects.create(region=region, name="许村镇", kind=Unit.Kind.DEPARTMENT)
    towns = region_towns_seed(region=region)
    assert len(towns) == 12
    existing.refresh_from_db()
    assert (existing.kind, existing.town_kind) == (Unit.Kind.TOWN, "镇")
    region_towns_seed(region=region)
    assert Unit.objects.filter(region=region).count() == 12
    assert region_towns(region).filter(town_kind="街道").count() == 4


def test_a_region_towns_csv_does_not_know_gets_no_towns():
    region = Region.objects.create(name="某某县", slug="mmx")
    assert region_towns_seed(region=region) == []


# -- expansion on import ------------------------------------------------------------------------


def test_haining_every_task_is_held_by_every_town_as_supporting_through_the_carry_forward():
    plan = plan_import_file(path=HAINING).plan
    towns = list(region_towns(plan.region).values_list("name", flat=True))
    assert len(towns) == 12
    for task in plan.key_tasks.all():
        # Task 1 lists 各镇(街道); "以下均需镇(街道)落实,不再列出" carries it to every later task.
        assert _towns_of(task) == [(t, Role.SUPPORT, "各镇(街道)") for t in towns], task.number
        # The collective stays visible as written.
        collective = task.assignments.get(unit__name="各镇(街道)")
        assert (collective.role, collective.expanded, collective.unit.kind) == (
            Role.SUPPORT, False, Unit.Kind.COLLECTIVE
        )
    assert not any(w["code"] == "collective_not_expanded" for w in plan.import_warnings)


def test_yuecheng_towns_hold_the_tasks_that_list_各镇街_and_各平台公司_stays_one_unit_with_a_warning():
    plan = plan_import_file(path=YUECHENG).plan
    towns = list(region_towns(plan.region).values_list("name", flat=True))
    assert len(towns) == 17
    with_towns = sorted(t.number for t in plan.key_tasks.all() if _towns_of(t))
    assert with_towns == [4, 5, 7, 8, 10]
    for number in with_towns:
        task = plan.key_tasks.get(number=number)
        assert _towns_of(task) == [(t, Role.SUPPORT, "各镇街") for t in towns]
    platforms = Unit.objects.get(region=plan.region, name="各平台公司")
    assert platforms.kind == Unit.Kind.COLLECTIVE
    assert KeyTaskUnit.objects.filter(unit=platforms, expanded=False).count() == 2
    warning = next(w for w in plan.import_warnings if w["code"] == "collective_not_expanded")
    assert warning["unit"] == "各平台公司"


def test_a_collective_holds_no_part_its_member_towns_hold_them_in_its_role():
    plan = plan_import_file(path=HAINING).plan
    work_list_draft(plan=plan, year=2024)
    assert plan.work_items.exists()
    towns = set(region_towns(plan.region).values_list("pk", flat=True))
    assert not WorkItemUnit.objects.filter(work_item__plan=plan, unit__kind=Unit.Kind.COLLECTIVE).exists()
    # Every task carries 各镇(街道) as supporting: every item, imported or drafted, has each town's part.
    for item in plan.work_items.prefetch_related("assignments"):
        supporting = {a.unit_id for a in item.assignments.all() if a.role == Role.SUPPORT}
        assert towns <= supporting, item.pk


def test_a_collective_without_members_holds_no_part_and_is_flagged():
    plan = plan_import_file(path=YUECHENG).plan
    platforms = Unit.objects.get(region=plan.region, name="各平台公司")
    assert KeyTaskUnit.objects.filter(unit=platforms).exists()  # the task shows it as written
    assert not WorkItemUnit.objects.filter(unit__kind=Unit.Kind.COLLECTIVE).exists()
    towns = set(region_towns(plan.region).values_list("pk", flat=True))
    for item in plan.work_items.filter(key_task__number=4).prefetch_related("assignments"):
        assert towns <= {a.unit_id for a in item.assignments.all() if a.role == Role.SUPPORT}
    warning = next(w for w in plan.import_warnings if w["code"] == "collective_not_expanded")
    assert "不参与排名" in warning["message"]


@pytest.mark.parametrize("path", [HAINING, YUECHENG])
def test_reimport_keeps_the_expansion_and_adds_nothing(path):
    plan = plan_import_file(path=path).plan
    before = sorted(KeyTaskUnit.objects.filter(key_task__plan=plan).values_list(
        "key_task_id", "unit_id", "role", "position", "expanded"
    ))
    items_before = WorkItemUnit.objects.filter(work_item__plan=plan).count()
    result = plan_import_file(path=path)
    after = sorted(KeyTaskUnit.objects.filter(key_task__plan=plan).values_list(
        "key_task_id", "unit_id", "role", "position", "expanded"
    ))
    assert after == before
    assert WorkItemUnit.objects.filter(work_item__plan=plan).count() == items_before
    assert result.created.get("units", 0) == 0


def test_a_town_added_later_is_expanded_on_the_next_import():
    plan = plan_import_file(path=HAINING).plan
    town = Unit.objects.create(region=plan.region, name="新设街道", kind=Unit.Kind.TOWN, town_kind="街道")
    plan_import_file(path=HAINING)
    assert KeyTaskUnit.objects.filter(unit=town, expanded=True).count() == 13


def test_a_town_liaison_sees_the_tasks_and_the_items_it_holds_a_part_of():
    plan = plan_import_file(path=HAINING).plan
    work_list_draft(plan=plan, year=2024)
    town = region_towns(plan.region).get(name="硖石街道")
    user = liaison_for(town)
    assert visible_key_tasks(user).filter(plan=plan).count() == 13
    # 各镇(街道) supports every task: its parts are each town's, so the town sees the items it supports.
    held = set(WorkItemUnit.objects.filter(unit=town).values_list("work_item_id", flat=True))
    assert held and set(visible_work_items(user).values_list("pk", flat=True)) == held
    assert visible_indicators(user).filter(plan=plan).exists()


def test_import_plan_json_still_prints_the_collective_as_written(capsys):
    call_command("import_plan", str(HAINING), "--dry-run", "--json")
    parsed = json.loads(capsys.readouterr().out)
    supporting = parsed["key_tasks"][1]["supporting_units"]
    assert "各镇(街道)" in supporting and "硖石街道" not in supporting


def test_a_towns_key_tasks_count_the_items_it_holds_a_part_of():
    plan = plan_import_file(path=HAINING).plan
    work_list_draft(plan=plan, year=2024)
    today = date(2024, 12, 31)
    town = region_towns(plan.region).get(name="硖石街道")
    tasks = list(key_tasks_for_unit(unit=town, today=today))
    assert len(tasks) == 13 and {t.my_role for t in tasks} == {Role.SUPPORT}
    held = WorkItemUnit.objects.filter(unit=town, work_item__status__in=OPEN_STATUSES)
    assert sum(t.n_open for t in tasks) == held.values("work_item_id").distinct().count() > 0
    lead = Unit.objects.get(region=plan.region, name="市住建局")
    assert any(t.n_overdue for t in key_tasks_for_unit(unit=lead, today=today))


# -- a collective holds no part --------------------------------------------------------------------


def test_part_holders_replace_a_collective_by_its_members_first_mention_winning():
    from tasks.rules.towns import part_holders

    rows = [(1, "lead"), (9, "support"), (2, "support"), (8, "support")]
    # 9 is 各镇(街道) (towns 1, 3, 4; town 1 already leads), 8 is 各平台公司 (no members).
    assert part_holders(rows, {9: [1, 3, 4], 8: []}) == [(1, "lead"), (3, "support"), (4, "support"),
                                                          (2, "support")]
    assert part_holders(rows, {}) == rows


def test_the_import_preview_lists_collectives_and_flags_one_without_members(client):
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tasks.tests.factories import UserFactory

    coordinator = UserFactory(is_staff=True)
    coordinator.user_permissions.add(Permission.objects.get(codename="add_plan"))
    client.force_login(coordinator)
    response = client.post(reverse("tasks:plan_import"),
                           {"document": SimpleUploadedFile("yuecheng.txt", YUECHENG.read_bytes())}, follow=True)
    preview = response.context["preview"]
    collectives = {c.name: c for c in preview.collectives}
    assert collectives["各平台公司"].members == []
    assert len(collectives["各镇街"].members) == 17  # towns.csv's, seeded on this first import
    assert preview.collectives_without_members == [collectives["各平台公司"]]
    assert preview.n_to_check >= 1
    html = response.content.decode()
    assert "无成员名单" in html and "不参与排名" in html


def test_a_collective_part_is_refused_by_the_model_form_check():
    from django.core.exceptions import ValidationError

    from tasks.tests.factories import WorkItemFactory

    plan = plan_import_file(path=YUECHENG).plan
    platforms = Unit.objects.get(region=plan.region, name="各平台公司")
    item = WorkItemFactory(plan=plan)
    with pytest.raises(ValidationError) as exc:
        WorkItemUnit(work_item=item, unit=platforms, role=Role.SUPPORT).full_clean()
    assert "unit" in exc.value.message_dict


def test_the_data_migration_moves_a_collectives_parts_to_its_member_towns():
    import importlib

    from django.apps import apps

    from tasks.tests.factories import WorkItemFactory

    migration = importlib.import_module("tasks.migrations.0019_collective_parts")
    plan = plan_import_file(path=YUECHENG).plan
    towns = list(region_towns(plan.region).values_list("pk", flat=True))
    lead = Unit.objects.get(region=plan.region, name="区住建局") if Unit.objects.filter(
        region=plan.region, name="区住建局").exists() else region_towns(plan.region).first()
    collective = Unit.objects.get(region=plan.region, name="各镇街")
    platforms = Unit.objects.get(region=plan.region, name="各平台公司")
    item = WorkItemFactory(plan=plan, lead=lead)
    # Parts written before the fix: the collectives held them (one marked 配合到位).
    WorkItemUnit.objects.create(work_item=item, unit=collective, role=Role.SUPPORT, position=1,
                                support_note="已配合")
    WorkItemUnit.objects.create(work_item=item, unit=platforms, role=Role.SUPPORT, position=2)
    migration.parts_to_members(apps, None)
    parts = {a.unit_id: a for a in item.assignments.all()}
    assert not WorkItemUnit.objects.filter(unit__kind=Unit.Kind.COLLECTIVE).exists()
    assert parts[lead.pk].role == Role.LEAD
    assert set(parts) == {lead.pk, *towns}
    assert all(parts[t].role == Role.SUPPORT and parts[t].support_done_at is None for t in towns if t != lead.pk)
