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
    assert choices(client, "status").status_code == 404


# ---- the plan filter, and pages of a user with many plans (a province-wide user has 630) -------------


def province_user(username: str = "province"):
    from django.contrib.auth.models import Permission

    from tasks.tests.daily_setup import user

    boss = user(username, is_staff=True)
    boss.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    return boss


def add_plans(n: int, *, regions: int = 3) -> list:
    """``n`` more plans over ``regions`` new regions, each with a key task (bulk: hundreds in a test)."""
    from tasks.models import Plan, Region

    made = Region.objects.bulk_create(
        [Region(name=f"区域{Region.objects.count() + r:03d}", slug=f"r-{Region.objects.count() + r}")
         for r in range(regions)])
    start = Plan.objects.count()
    plans = Plan.objects.bulk_create([
        Plan(region=made[i % regions], title=f"方案{start + i:04d}", slug=f"p-{start + i}", first_year=2023,
             last_year=2027) for i in range(n)])
    KeyTask.objects.bulk_create([KeyTask(plan=p, number=1, title=f"任务{p.title}") for p in plans])
    return plans


def _queries_and_options(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    return len(captured), html.count("<option"), html


def test_plan_filter_is_a_plain_select_for_a_coordinators_few_plans(client):
    w = make_world()
    login(client, w.coordinator)
    html = client.get(reverse("tasks:overdue")).content.decode()
    assert 'data-autocomplete="/overdue/choices/plan/"' not in html
    assert f'<option value="{w.plan.pk}">{w.plan.title}</option>' in html
    assert w.other_plan.title not in html  # another coordinator's plan


def test_overdue_page_reads_a_bounded_number_of_plans_and_options_for_a_province_user(client):
    w = make_world()
    login(client, province_user())
    add_plans(120)
    url = reverse("tasks:overdue")
    queries, options, html = _queries_and_options(client, url)
    assert 'data-autocomplete="/overdue/choices/plan/"' in html  # 122 plans: a search, not a list
    assert 'data-autocomplete="/overdue/choices/key_task/"' in html
    add_plans(300, regions=20)
    assert _queries_and_options(client, url)[:2] == (queries, options)
    # The chosen plan is shown (labelled) and filters; still the same number of queries.
    queries_chosen, _options, html = _queries_and_options(client, f"{url}?plan={w.plan.pk}")
    assert f'<option value="{w.plan.pk}" selected>{w.plan.title}</option>' in html
    add_plans(100)
    assert _queries_and_options(client, f"{url}?plan={w.plan.pk}")[0] == queries_chosen


def test_overdue_page_costs_the_same_queries_below_and_beyond_the_searchable_limit(client):
    # A province bench at 100k items has 62 plans (a plain list), at 1M 625 (a search): same queries.
    make_world()
    login(client, province_user())
    url = reverse("tasks:overdue")
    add_plans(20)
    queries, _options, html = _queries_and_options(client, url)
    assert 'data-autocomplete="/overdue/choices/plan/"' not in html
    add_plans(120)
    queries_beyond, _options, html = _queries_and_options(client, url)
    assert 'data-autocomplete="/overdue/choices/plan/"' in html
    assert queries_beyond == queries


def test_plan_search_returns_twenty_of_the_users_plans_and_says_there_are_more(client):
    w = make_world()
    add_plans(30)
    login(client, province_user())
    data = choices(client, "plan", "方案").json()
    assert len(data["results"]) == 20 and data["more"] is True
    data = choices(client, "plan", w.plan.title).json()
    assert data == {"results": [{"id": w.plan.pk, "text": w.plan.title}], "more": False}
    # By the region's name too.
    found = choices(client, "plan", "区域001").json()["results"]
    assert found and all(r["text"].startswith("方案") for r in found)


def test_plan_search_is_scoped_to_the_coordinators_plans(client):
    w = make_world()
    add_plans(5)
    login(client, w.coordinator)
    assert choices(client, "plan").json() == {"results": [{"id": w.plan.pk, "text": w.plan.title}], "more": False}
    assert choices(client, "plan", w.other_plan.title).json()["results"] == []
    login(client, w.other_coordinator)
    assert [r["id"] for r in choices(client, "plan").json()["results"]] == [w.other_plan.pk]
    login(client, w.lead_user)  # a unit's liaison: no overdue view, no plan list
    assert choices(client, "plan").status_code == 403


def test_key_task_labels_name_the_plan_by_region_when_it_is_the_regions_only_plan(client):
    w = make_world()
    (alone,) = add_plans(1, regions=1)
    login(client, province_user())
    results = choices(client, "key_task", "任务方案").json()["results"]
    assert results == [{"id": alone.key_tasks.get().pk, "text": f"{alone.region.name} · 1. 任务{alone.title}"}]
    # 测试区 holds two plans: there the plan's title says which.
    results = choices(client, "key_task", "1").json()["results"]
    assert {"id": w.key_task.pk, "text": f"{w.plan.title} · 1. {w.key_task.title}"} in results


def test_review_queue_labels_plans_with_a_bounded_number_of_queries(client):
    from tasks.models import WorkItem

    w = make_world()
    (alone,) = add_plans(1, regions=1)
    WorkItem.objects.filter(pk=w.item.pk).update(status=WorkItem.Status.AWAITING_REVIEW)
    WorkItem.objects.create(plan=alone, year=2025, text="待审核的事项", status=WorkItem.Status.AWAITING_REVIEW)
    login(client, province_user())
    url = reverse("tasks:review_queue")
    queries, _options, html = _queries_and_options(client, url)
    assert f">{alone.region.name}</td>" in html and f">{w.plan.title}</td>" in html
    add_plans(200, regions=10)
    assert _queries_and_options(client, url)[0] == queries


@pytest.mark.parametrize("field", ["plan", "lead_unit", "key_task"])
def test_search_text_with_control_characters_is_cleaned_not_a_server_error(client, field):
    # PostgreSQL refuses a NUL byte in a text parameter: it was a 500 before the search cleaned ``q``.
    w = make_world()
    login(client, w.coordinator)
    for q in ["\x00", "测\x00试", "x" * 5000, "%_'", "²", "٣", "9" * 40]:  # digits a number field cannot take
        response = choices(client, field, q)
        assert response.status_code == 200 and "results" in response.json()
    assert choices(client, "plan", "\x00" + w.plan.title[:4]).json()["results"][0]["id"] == w.plan.pk
