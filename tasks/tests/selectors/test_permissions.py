import pytest
from django.contrib.auth.models import Permission

from tasks.models import Role
from tasks.selectors.permissions import (
    acts_globally,
    can_act_on_plan,
    is_coordinator,
    is_indicator_reporter,
    sees_plan_whole,
    unit_role,
    visible_indicators,
    visible_key_tasks,
    visible_plans,
    visible_units,
    visible_work_items,
)
from tasks.tests.daily_setup import make_world, user
from tasks.tests.factories import UnitFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


def test_liaison_sees_items_where_their_unit_is_lead_or_supporting_only():
    w = make_world()
    assert set(visible_work_items(w.lead_user)) == {w.item}
    assert set(visible_work_items(w.support_user)) == {w.item}
    assert set(visible_work_items(w.other_user)) == {w.other_item}


def test_coordinator_sees_their_plans_items_and_not_another_plans():
    w = make_world()
    elsewhere = WorkItemFactory(plan=w.other_plan, lead=w.lead)
    assert set(visible_work_items(w.coordinator)) == {w.item, w.other_item}
    assert set(visible_work_items(w.other_coordinator)) == {elsewhere}
    assert can_act_on_plan(w.coordinator, w.plan.pk) and not can_act_on_plan(w.coordinator, w.other_plan.pk)
    assert sees_plan_whole(w.coordinator, w.plan.pk) and not sees_plan_whole(w.coordinator, w.other_plan.pk)


def test_view_all_plans_sees_everything_acts_on_nothing_and_the_staff_flag_alone_does_neither():
    # is_staff opens the admin, where a county coordinator must not see every other plan.
    w = make_world()
    staff = user("staffer", is_staff=True)
    assert not visible_work_items(staff).exists()
    assert not is_coordinator(staff) and not sees_plan_whole(staff, w.other_plan.pk)
    assert not can_act_on_plan(staff, w.other_plan.pk)
    city = user("city")
    city.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    assert visible_work_items(city).count() == 2
    assert is_coordinator(city) and sees_plan_whole(city, w.other_plan.pk)
    assert not acts_globally(city) and not can_act_on_plan(city, w.plan.pk)  # seeing is not acting
    assert set(visible_plans(city)) == {w.plan, w.other_plan}
    assert set(visible_plans(staff)) == set()


@pytest.mark.parametrize("cached", [False, True])
def test_act_on_all_plans_sees_and_acts_on_every_plan_and_superusers_too(cached):
    from django.contrib.auth import get_user_model

    w = make_world()
    actor = user("province_actor")
    actor.user_permissions.add(Permission.objects.get(codename="act_on_all_plans"))
    root = get_user_model().objects.create_superuser("root", "root@example.gov.cn", "x")
    for u in (actor, root):
        fresh = get_user_model().objects.get(pk=u.pk)
        if cached:
            fresh.get_all_permissions()  # the admin's pages: the backends' cache is read instead
        assert acts_globally(fresh) and is_coordinator(fresh)
        assert all(can_act_on_plan(fresh, p.pk) and sees_plan_whole(fresh, p.pk) for p in (w.plan, w.other_plan))
        assert visible_work_items(fresh).count() == 2
    inactive = user("gone", is_active=False)
    inactive.user_permissions.add(Permission.objects.get(codename="act_on_all_plans"))
    assert not acts_globally(get_user_model().objects.get(pk=inactive.pk))


@pytest.mark.parametrize("through_group", [False, True])
def test_staff_grant_is_read_in_one_statement_and_agrees_with_the_auth_backends(
        django_assert_num_queries, through_group):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tasks.selectors.permissions import is_global

    grant = Permission.objects.get(codename="view_all_plans")
    plain, granted = user("staff1", is_staff=True), user("staff2", is_staff=True)
    if through_group:
        group = Group.objects.create(name="省专班")
        group.permissions.add(grant)
        granted.groups.add(group)
    else:
        granted.user_permissions.add(grant)
    for u, expected in ((plain, False), (granted, True)):
        fresh = get_user_model().objects.get(pk=u.pk)
        with django_assert_num_queries(1):  # not the backends' two (user and group permissions)
            assert is_global(fresh) is expected
            assert is_global(fresh) is expected  # remembered on the user object
        assert fresh.has_perm("tasks.view_all_plans") is expected  # the backends agree
        assert is_global(fresh) is expected  # and, once they have read them, are asked


def test_visible_plans_are_coordinated_ones_and_those_where_the_unit_works():
    w = make_world()
    assert set(visible_plans(w.coordinator)) == {w.plan}
    assert set(visible_plans(w.lead_user)) == {w.plan}
    assert set(visible_plans(w.support_user)) == {w.plan}
    WorkItemFactory(plan=w.other_plan, lead=w.other)
    assert set(visible_plans(w.other_user)) == {w.plan, w.other_plan}
    assert set(visible_plans(w.lead_user)) == {w.plan}
    assert not visible_plans(user("nobody")).exists()


def test_a_user_without_unit_or_plan_sees_nothing_and_is_not_a_coordinator():
    w = make_world()
    nobody = user("nobody")
    assert not visible_work_items(nobody).exists()
    assert not visible_key_tasks(nobody).exists()
    assert not is_coordinator(nobody) and is_coordinator(w.coordinator)


def test_unit_role_is_the_users_units_role_in_the_item():
    w = make_world()
    assert unit_role(w.lead_user, w.item) == Role.LEAD
    assert unit_role(w.support_user, w.item) == Role.SUPPORT
    assert unit_role(w.other_user, w.item) is None
    assert unit_role(w.coordinator, w.item) is None


def test_key_tasks_indicators_and_units_follow_the_units_involvement():
    w = make_world()
    assert list(visible_key_tasks(w.support_user)) == [w.key_task]
    assert not visible_key_tasks(w.other_user).exists()
    assert list(visible_indicators(w.lead_user)) == [w.indicator]
    assert not visible_indicators(w.other_user).exists()
    assert list(visible_units(w.lead_user)) == [w.lead]
    assert set(visible_units(w.coordinator)) == {w.lead, w.support, w.other}
    foreign = UnitFactory()  # another region
    assert foreign not in visible_units(w.coordinator)


def test_only_the_lead_unit_of_the_indicators_key_task_reports_it():
    w = make_world()
    assert is_indicator_reporter(w.lead_user, w.indicator)
    assert not is_indicator_reporter(w.support_user, w.indicator)
    assert not is_indicator_reporter(w.coordinator, w.indicator)


def test_reviewable_spread_counts_the_plans_and_regions_a_user_reviews():
    from tasks.selectors.choices import plans_spread, reviewable_spread
    from tasks.selectors.permissions import reviewable_plans
    from tasks.tests.factories import PlanFactory, RegionFactory

    w = make_world()
    far = RegionFactory(name="远区", slug="far")
    PlanFactory(region=far).coordinators.add(w.coordinator)
    city = user("city")
    city.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    for u, expected in ((w.coordinator, (2, 2)), (w.other_coordinator, (1, 1)), (city, (3, 2)), (w.lead_user, (0, 0))):
        assert reviewable_spread(u) == expected == plans_spread(reviewable_plans(u)), u
