"""The admin site itself: every model admin, ours and third-party apps', refuses an action posted with a
selection that is not ids (Django filters ``pk__in`` with the raw values: a 500), and still runs one that is."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from housing.admin_site import HousingAdminSite, ValidSelectionActions, valid_selection
from tasks.models import Unit
from tasks.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_the_site_is_ours_and_every_model_admin_checks_selections():
    assert isinstance(admin.site, HousingAdminSite)
    assert admin.site._registry  # autodiscovered through our site
    assert all(isinstance(a, ValidSelectionActions) for a in admin.site._registry.values())
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
    from rest_framework.authtoken.models import Token

    assert valid_selection(Token, ["a" * 40])  # a text key: any text can be one
