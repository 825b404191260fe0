"""The admin site itself: every model admin, ours and third-party apps', refuses an action posted with a
selection that is not ids (Django filters ``pk__in`` with the raw values: a 500), and still runs one that is."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from housing.admin_site import HousingAdminSite, ValidKeys, valid_selection
from tasks.models import Unit
from tasks.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_the_site_is_ours_and_every_model_admin_checks_selections():
    assert isinstance(admin.site, HousingAdminSite)
    assert admin.site._registry  # autodiscovered through our site
    assert all(isinstance(a, ValidKeys) for a in admin.site._registry.values())
    assert str(admin.site.site_header) == "住有宜居 任务责任管理"


@pytest.mark.parametrize("raw", ["²", "abc", "99999999999999999999", "-1", "1.0", ""])
def test_an_action_on_a_selection_that_is_not_ids_changes_nothing(admin_client, raw):
    unit = UnitFactory()
    response = admin_client.post(reverse("admin:tasks_unit_changelist"),
                                 {"action": "delete_selected", "index": "0", "_selected_action": [str(unit.pk), raw]})
    assert response.status_code == 302
    assert Unit.objects.filter(pk=unit.pk).exists()
    assert "所选的项目无效" in str(list(admin_client.get(response.url).context["messages"])[0])


def test_third_party_admins_are_covered_too(admin_client):
    Group.objects.create(name="专班")
    response = admin_client.post(reverse("admin:auth_group_changelist"),
                                 {"action": "delete_selected", "index": "0", "_selected_action": ["²"]})
    assert response.status_code == 302
    assert Group.objects.count() == 1


def test_an_action_on_ids_still_runs(admin_client):
    unit = UnitFactory()
    response = admin_client.post(reverse("admin:tasks_unit_changelist"),
                                 {"action": "delete_selected", "index": "0", "_selected_action": [str(unit.pk)]})
    assert response.status_code == 200  # Django's "are you sure?" page for the one unit
    assert unit.name in response.content.decode()


def test_valid_selection_reads_integer_and_other_keys():
    assert valid_selection(Unit, ["1", "2"]) and not valid_selection(Unit, ["1", "²"])
    from tasks.models import ApiToken

    assert valid_selection(ApiToken, ["a" * 128])  # a text key (a token's digest): any text can be one


HOSTILE_KEYS = ["²", "abc", "99999999999999999999", "%00", "1.5"]


@pytest.mark.parametrize("raw", HOSTILE_KEYS)
def test_a_foreign_key_the_column_cannot_hold_is_an_invalid_choice_shown_on_the_form(admin_client, raw):
    """Work item add form: plan (a select) and key task and indicator (autocompletes, which re-show their
    chosen option after an error by querying with the value)."""
    from tasks.models import WorkItem
    from tasks.tests.factories import PlanFactory

    plan = PlanFactory()
    response = admin_client.post(reverse("admin:tasks_workitem_add"), {
        "plan": raw, "key_task": raw, "indicator": raw, "year": "2026", "text": "事项", "deadline_text": "年内"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"plan", "key_task", "indicator"} <= set(errors)
    assert not WorkItem.objects.exists()
    response = admin_client.post(reverse("admin:tasks_workitem_add"), {"plan": str(plan.pk), "key_task": raw})
    assert "key_task" in response.context["adminform"].form.errors


@pytest.mark.parametrize("raw", HOSTILE_KEYS)
def test_a_many_to_many_value_the_column_cannot_hold_is_refused(admin_client, raw):
    from tasks.tests.factories import PlanFactory

    plan = PlanFactory()
    response = admin_client.post(reverse("admin:tasks_plan_change", args=[plan.pk]),
                                 {"title": plan.title, "slug": plan.slug, "coordinators": [raw]})
    assert response.status_code == 200
    assert "coordinators" in response.context["adminform"].form.errors
    assert not plan.coordinators.exists()


@pytest.mark.parametrize("raw", HOSTILE_KEYS)
def test_inlines_check_their_keys_too(admin_client, raw):
    """The user's profile inline: its unit is an autocomplete."""
    from django.contrib.auth import get_user_model

    from tasks.models import Profile

    someone = get_user_model().objects.create_user("liaison", password="x")
    response = admin_client.post(reverse("admin:auth_user_change", args=[someone.pk]), {
        "username": "liaison", "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
        "profile-TOTAL_FORMS": "1", "profile-INITIAL_FORMS": "0", "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1", "profile-0-unit": raw, "profile-0-user": str(someone.pk),
    })
    assert response.status_code == 200
    assert any("unit" in form.errors for form in response.context["inline_admin_formsets"][0].formset.forms)
    assert not Profile.objects.exists()


def test_real_keys_still_save(admin_client):
    from tasks.tests.factories import PlanFactory, UserFactory

    plan, coordinator = PlanFactory(), UserFactory()
    response = admin_client.post(reverse("admin:tasks_plan_change", args=[plan.pk]), {
        "title": plan.title, "slug": plan.slug, "region": str(plan.region_id), "issuer": "区政府",
        "first_year": "2023", "last_year": "2027", "coordinators": [str(coordinator.pk)]})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(plan.coordinators.all()) == [coordinator]


# ---- the sidebar's app list, built on every admin page -----------------------------------------------------


def _plain_site():
    """Django's own site over our registry: its app list is the reference."""
    plain = admin.AdminSite(name=admin.site.name)
    plain._registry = admin.site._registry
    return plain


def _readable(app_list) -> list:
    return [{**app, "name": str(app["name"]),
             "models": [{**entry, "name": str(entry["name"])} for entry in app["models"]]} for app in app_list]


def _staff(username: str, codenames: list[str] | None):
    from django.contrib.auth.models import Permission

    from tasks.services.demo import _grant_coordinator_admin
    from tasks.tests.daily_setup import user

    person = user(username, is_staff=True)
    if codenames is None:
        _grant_coordinator_admin(person)
    else:
        person.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return type(person).objects.get(pk=person.pk)  # no cached permissions


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("prefix", ["/", "/housing/"])
def test_the_app_list_is_djangos(rf, admin_user, language, prefix):
    """Each model's and app's name, URLs and permissions, in Django's order, for a superuser, a coordinator
    (the plan admin's permissions, scoped to no plan) and a staff user who may only view units and plans;
    the whole site's list and one app's."""
    from django.urls import set_script_prefix
    from django.utils import translation

    coordinator = _staff("coord-list", None)
    viewer = _staff("viewer-list", ["view_unit", "view_plan"])
    set_script_prefix(prefix)
    try:
        with translation.override(language):
            for person in (admin_user, coordinator, viewer):
                for label in (None, "tasks", "auth"):
                    request = rf.get("/admin/")
                    request.user = person
                    ours = admin.site.get_app_list(request, label)
                    djangos = _plain_site().get_app_list(request, label)
                    assert _readable(ours) == _readable(djangos), (person.username, label)
                    if label is None and person is admin_user:
                        assert len(ours[0]["models"]) > 1 and ours[0]["models"][0]["admin_url"].startswith(
                            prefix + ("en/" if language == "en" else "") + "admin/")
    finally:
        set_script_prefix("/")


def test_the_app_list_reverses_each_url_once(rf, admin_user, monkeypatch):
    """The second page's sidebar resolves no URL pattern: each model's list and add URLs and each app's index
    are reversed once per language, script prefix and URLconf (Django reversed ~80 on every page)."""
    import django.contrib.admin.sites as django_sites

    import tasks.links

    calls = []

    def counting(original):
        def reverse(*args, **kwargs):
            calls.append(args[0])
            return original(*args, **kwargs)
        return reverse

    monkeypatch.setattr(django_sites, "reverse", counting(django_sites.reverse))
    monkeypatch.setattr(tasks.links, "reverse", counting(tasks.links.reverse))
    request = rf.get("/admin/")
    request.user = admin_user
    first = admin.site.get_app_list(request)
    calls.clear()
    assert admin.site.get_app_list(request) == first
    assert calls == []
