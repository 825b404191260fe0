"""Merging units (the unit admin's action, ``services.units.unit_merge``) folds every row that names the merged
unit into the other one and deletes nothing but the unit.

The merge moved a hand-written list (assignments, people, reports) and then deleted the unit, so the rest went
with it through ``on_delete``: its target shares (and their monthly actuals: the breakdown's sum changed on
every page), its people log, its group robot; and a unit a 督办单 had been sent to (``PROTECT``) could not be
merged at all (a 500 from the admin action, after part of the selection was merged). The relations are read
from the model (``Unit._meta.related_objects``): a foreign key to ``Unit`` added later is checked here too, and
the world below must then hold a row of it (``test_the_world_holds_a_row_of_every_relation``).

A collective (各镇(街道)) holds no part of any item, so merging it with a unit (either way round) would hand a
unit's work to a name nobody ranks or chases; and two shares of one target breakdown cannot be added up. Both
are refused with a message, and nothing of the selection is merged.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tasks.models import KeyTaskUnit, PeopleChange, SupervisionNotice, Unit, UnitAlias, WorkItemUnit
from tasks.models.targets import TargetBreakdown, TargetShare
from tasks.services.units import MergeRefused, unit_merge, unit_relations
from tasks.tests.daily_setup import user
from tasks.tests.factories import UnitFactory
from tasks.tests.hardening.sweeps import table_rows, tables_changed
from tasks.tests.hardening.test_admin_scope import NOW, _populate

pytestmark = pytest.mark.django_db

ASSIGNMENTS = {KeyTaskUnit: "key_task_id", WorkItemUnit: "work_item_id"}


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    made = _populate("m")
    lead, support, spare = made["units"]
    PeopleChange.objects.create(unit=lead, person=user("moved-m"), kind=PeopleChange.Kind.ADDED, at=NOW)
    assert SupervisionNotice.objects.filter(unit=spare).exists()  # the overdue item's 督办单
    return made


def _naming(units) -> dict[tuple, set]:
    return {(model, name): set(model._base_manager.filter(**{f"{name}__in": units}).values_list("pk", flat=True))
            for model, name in unit_relations()}


def test_the_world_holds_a_row_of_every_relation(world):
    lead, _support, spare = world["units"]
    empty = [f"{model._meta.label}.{name}" for (model, name), pks in _naming([lead, spare]).items() if not pks]
    assert empty == []


def test_a_merge_moves_every_row_naming_the_unit_and_deletes_none(world):
    lead, support, spare = world["units"]
    before = _naming([lead, spare])
    held = {model: set(model.objects.filter(unit__in=[lead, spare]).values_list(owner, flat=True))
            for model, owner in ASSIGNMENTS.items()}
    names = {lead.name, spare.name, *UnitAlias.objects.filter(unit__in=[lead, spare]).values_list("name", flat=True)}

    unit_merge(source=lead, into=support)
    unit_merge(source=spare, into=support)

    assert not Unit.objects.filter(pk__in=[lead.pk, spare.pk]).exists()
    lost = {}
    for (model, name), pks in before.items():
        if model in ASSIGNMENTS or model is UnitAlias:
            continue
        kept = set(model._base_manager.filter(pk__in=pks, **{name: support}).values_list("pk", flat=True))
        if kept != pks:
            lost[f"{model._meta.label}.{name}"] = pks - kept
    assert lost == {}
    for model, owner in ASSIGNMENTS.items():  # the same tasks and items, held once, by the unit merged into
        assert held[model] <= set(model.objects.filter(unit=support).values_list(owner, flat=True))
    assert names <= set(support.aliases.values_list("name", flat=True))


def test_a_collective_and_a_unit_are_not_merged_either_way(world):
    lead = world["units"][0]
    collective = UnitFactory(region=lead.region, name="各镇(街道)", kind=Unit.Kind.COLLECTIVE)
    rows = table_rows()
    for source, into in ((lead, collective), (collective, lead)):
        with pytest.raises(MergeRefused):
            unit_merge(source=source, into=into)
    assert tables_changed(rows) == []


def test_two_shares_of_one_breakdown_are_not_merged(world):
    lead, support, _spare = world["units"]
    breakdown = TargetBreakdown.objects.get(shares__unit=lead)
    TargetShare.objects.create(breakdown=breakdown, unit=support, value=Decimal("4"))
    rows = table_rows()
    with pytest.raises(MergeRefused, match=support.name):
        unit_merge(source=lead, into=support)
    assert tables_changed(rows) == []


def test_the_admin_action_merges_all_of_the_selection_or_none_and_says_why(client, world):
    lead, support, spare = world["units"]
    collective = UnitFactory(region=lead.region, name="各街道", kind=Unit.Kind.COLLECTIVE)
    client.force_login(user("root-m", is_superuser=True, is_staff=True))
    rows = table_rows({"sessions.Session"})
    response = client.post(reverse("admin:tasks_unit_changelist"), {
        "action": "merge_units", "_selected_action": [lead.pk, spare.pk, collective.pk], "apply": "1",
        "into": lead.pk,
    }, follow=True)
    assert response.status_code == 200
    assert "集合单位只能与集合单位合并" in response.content.decode()
    assert tables_changed(rows, {"sessions.Session"}) == []

    response = client.post(reverse("admin:tasks_unit_changelist"), {
        "action": "merge_units", "_selected_action": [lead.pk, spare.pk, support.pk], "apply": "1",
        "into": support.pk,
    })
    assert response.status_code == 302
    assert not Unit.objects.filter(pk__in=[lead.pk, spare.pk]).exists()
    assert SupervisionNotice.objects.filter(unit=support).exists()


# -- a unit's region and kind --------------------------------------------------------------------------------


def _change(client, unit, **changes):
    data = {"name": unit.name, "region": unit.region_id, "kind": unit.kind, "emails": unit.emails,
            "leader_name": "", "leader_email": "", "in_unit_list": "on", "town_kind": unit.town_kind,
            "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0", **changes}
    return client.post(reverse("admin:tasks_unit_change", args=[unit.pk]), data)


def test_a_unit_holding_work_keeps_its_region_and_stays_a_unit(client, world):
    lead, _support, _spare = world["units"]
    elsewhere = _populate("n")
    client.force_login(user("root-n", is_superuser=True, is_staff=True))
    rows = table_rows({"sessions.Session"})
    for changes in ({"region": elsewhere["plan"].region_id}, {"kind": Unit.Kind.COLLECTIVE}):
        response = _change(client, lead, **changes)
        assert response.status_code == 200, changes  # the form again, with its error
        assert response.context["adminform"].form.errors, changes
    assert tables_changed(rows, {"sessions.Session"}) == []
    collective = UnitFactory(region=lead.region, name="各镇(街道)", kind=Unit.Kind.COLLECTIVE)
    KeyTaskUnit.objects.create(key_task=KeyTaskUnit.objects.filter(unit=lead).first().key_task, unit=collective,
                               role="support", position=9)
    response = _change(client, collective, kind=Unit.Kind.DEPARTMENT)
    assert response.status_code == 200 and response.context["adminform"].form.errors
    # A unit that holds nothing yet is corrected freely.
    free = UnitFactory(region=lead.region, name="新设单位")
    assert _change(client, free, region=elsewhere["plan"].region_id, kind=Unit.Kind.TOWN,
                   town_kind="街道").status_code == 302
    free.refresh_from_db()
    assert (free.region_id, free.kind) == (elsewhere["plan"].region_id, Unit.Kind.TOWN)
