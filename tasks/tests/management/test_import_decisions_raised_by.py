"""``import_decisions --raised-by USERNAME``: the items name the 分管领导 who raised them; anyone else (a liaison,
a leader of another region, an unknown or inactive account) is refused with the reason and nothing is written;
the ``--json`` contract is unchanged."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tasks.models import PersonRole, Profile, WorkItem
from tasks.tests.daily_setup import make_world, user
from tasks.tests.factories import RegionFactory, UnitFactory
from tasks.tests.services.test_decisions import MINUTES

pytestmark = pytest.mark.django_db


def leader(unit, username, **kw):
    person = user(username, **kw)
    Profile.objects.create(user=person, unit=unit, role=PersonRole.LEADER)
    return person


@pytest.fixture
def minutes(tmp_path):
    path = tmp_path / "纪要.txt"
    path.write_text(MINUTES, encoding="utf-8")
    return str(path)


def test_the_items_name_the_leader_who_raised_them(minutes):
    w = make_world()
    raiser = leader(w.other, "raiser")
    out = StringIO()
    call_command("import_decisions", minutes, "--plan", w.plan.slug, "--raised-by", "raiser", "--origin",
                 "instruction", stdout=out, stderr=StringIO())
    items = WorkItem.objects.filter(origin=WorkItem.Origin.INSTRUCTION)
    assert items.count() == 2 and set(items.values_list("raised_by", flat=True)) == {raiser.pk}


def test_json_and_dry_run_are_unchanged_with_a_raiser(minutes):
    w = make_world()
    leader(w.other, "raiser")
    plain, with_raiser = StringIO(), StringIO()
    call_command("import_decisions", minutes, "--plan", w.plan.slug, "--dry-run", "--json", stdout=plain,
                 stderr=StringIO())
    call_command("import_decisions", minutes, "--plan", w.plan.slug, "--dry-run", "--json", "--raised-by", "raiser",
                 stdout=with_raiser, stderr=StringIO())
    data = json.loads(with_raiser.getvalue())
    assert data == json.loads(plain.getvalue()) and set(data) == {"items", "warnings"}
    assert set(data["items"][0]) == {"text", "lead_units", "supporting_units", "deadline"}
    assert not WorkItem.objects.exclude(origin=WorkItem.Origin.PLAN).exists()


def test_anyone_but_a_leader_of_the_plans_region_is_refused_and_nothing_is_written(minutes):
    w = make_world()
    leader(UnitFactory(region=RegionFactory(name="别的区"), name="别的区建设局"), "far")
    leader(w.other, "gone", is_active=False)
    for username in ("far", "lead", "gone", "nobody"):  # another region's leader, a liaison, inactive, unknown
        for extra in ([], ["--dry-run"], ["--json"]):
            out = StringIO()
            with pytest.raises(CommandError, match=f"--raised-by '{username}'.*分管领导.*测试区"):
                call_command("import_decisions", minutes, "--plan", w.plan.slug, "--raised-by", username, *extra,
                             stdout=out, stderr=StringIO())
            assert out.getvalue() == ""
    assert not WorkItem.objects.exclude(origin=WorkItem.Origin.PLAN).exists()
