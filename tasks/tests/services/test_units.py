import pytest

from tasks.models import KeyTaskUnit, Role, Unit, UnitAlias
from tasks.services.units import unit_merge
from tasks.tests.factories import KeyTaskFactory, PlanFactory, UnitFactory, WorkItemFactory, liaison_for

pytestmark = pytest.mark.django_db


def test_merge_moves_assignments_people_and_names_and_keeps_the_lead_role():
    plan = PlanFactory()
    full = UnitFactory(region=plan.region, name="市自然资源和规划局", emails="a@x.cn")
    short = UnitFactory(region=plan.region, name="市资规局", emails="b@x.cn")
    UnitAlias.objects.create(unit=short, name="资规局")
    other = UnitFactory(region=plan.region)
    both = KeyTaskFactory(plan=plan, lead=short, supporting=[full])
    only_short = KeyTaskFactory(plan=plan, lead=other, supporting=[short])
    item = WorkItemFactory(plan=plan, lead=short)
    user = liaison_for(short)

    unit_merge(source=short, into=full)

    assert not Unit.objects.filter(pk=short.pk).exists()
    assert set(full.aliases.values_list("name", flat=True)) == {"市资规局", "资规局"}
    assert KeyTaskUnit.objects.get(key_task=both, unit=full).role == Role.LEAD
    assert KeyTaskUnit.objects.get(key_task=only_short, unit=full).role == Role.SUPPORT
    assert item.assignments.get().unit == full
    user.profile.refresh_from_db()
    assert user.profile.unit == full
    full.refresh_from_db()
    assert full.email_list == ["a@x.cn", "b@x.cn"]


def test_merge_across_regions_is_refused():
    a, b = UnitFactory(), UnitFactory()
    with pytest.raises(ValueError):
        unit_merge(source=a, into=b)
