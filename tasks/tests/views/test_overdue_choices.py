"""The overdue view's lead-unit and key-task filters: a plain select when few, a bounded search when many."""

import pytest
from django.urls import reverse

from tasks.filters import _Labelled
from tasks.models import KeyTask, Unit
from tasks.tests.daily_setup import login, make_world
from tasks.tests.factories import KeyTaskFactory, RegionFactory, UnitFactory

pytestmark = pytest.mark.django_db


def choices(client, field, q=""):
    response = client.get(reverse("tasks:overdue_choices", args=[field]), {"q": q})
    return response


def test_few_choices_stay_a_plain_select_listing_every_unit(client):
    w = make_world()
    login(client, w.coordinator)
    html = client.get(reverse("tasks:overdue")).content.decode()
    assert "data-autocomplete" not in html
    for name in ("区建设局", "区财政局", "区教育局"):
        assert f">{name}</option>" in html


def test_many_choices_become_a_search_and_the_page_lists_none_of_them(client, monkeypatch):
    monkeypatch.setattr(_Labelled, "searchable_over", 5)
    w = make_world()
    for n in range(10):
        UnitFactory(region=w.plan.region, name=f"镇{n:02d}")
    login(client, w.coordinator)
    html = client.get(reverse("tasks:overdue")).content.decode()
    assert 'data-autocomplete="/overdue/choices/lead_unit/"' in html
    assert "镇03" not in html and ">区财政局</option>" not in html
    assert "tasks/autocomplete.js" in html
    # The chosen unit is still shown, and the filter still filters.
    html = client.get(reverse("tasks:overdue"), {"lead_unit": w.lead.pk}).content.decode()
    assert f'<option value="{w.lead.pk}" selected>区建设局</option>' in html


def test_search_returns_at_most_twenty_matches_and_says_there_are_more(client):
    w = make_world()
    Unit.objects.bulk_create([Unit(region=w.plan.region, name=f"镇{n:02d}") for n in range(30)])
    login(client, w.coordinator)
    data = choices(client, "lead_unit", "镇").json()
    assert len(data["results"]) == 20 and data["more"] is True
    assert data["results"][0]["text"] == "镇00"
    data = choices(client, "lead_unit", "财政").json()
    assert data == {"results": [{"id": w.support.pk, "text": "区财政局"}], "more": False}


def test_search_sees_only_the_users_plans(client):
    w = make_world()
    elsewhere = RegionFactory(name="别的区", slug="elsewhere")
    UnitFactory(region=elsewhere, name="别的区财政局")
    KeyTaskFactory(plan=w.other_plan, number=9, title="别的方案的任务", lead=w.lead)
    login(client, w.coordinator)
    assert [r["text"] for r in choices(client, "lead_unit", "财政").json()["results"]] == ["区财政局"]
    tasks = choices(client, "key_task", "任务").json()["results"]
    assert tasks == [] and not KeyTask.objects.filter(plan=w.plan, title__contains="任务").exists()
    found = choices(client, "key_task", "1").json()["results"]
    assert [r["id"] for r in found] == [w.key_task.pk]


def test_search_is_for_coordinators_only_and_knows_its_fields(client):
    w = make_world()
    login(client, w.lead_user)
    assert choices(client, "lead_unit").status_code == 403
    login(client, w.coordinator)
    assert choices(client, "plan").status_code == 404
