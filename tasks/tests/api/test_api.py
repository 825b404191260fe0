"""The read-only JSON API: who sees what, the query's errors, the schema, and the roundup's own numbers."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from drf_spectacular.validation import validate_schema

from tasks.models import ApiToken, Plan
from tasks.roundups.periods import Period
from tasks.selectors.roundups import roundup_document
from tasks.services.api_tokens import create_token
from tasks.tests.daily_setup import login, user
from tasks.tests.factories import PlanFactory, UnitFactory, WorkItemFactory, liaison_for
from tasks.tests.roundup_golden import build_golden

pytestmark = pytest.mark.django_db

COUNT_KEYS = ("due", "done_on_time", "done_late", "overdue", "awaiting_review", "on_time_rate")


def status_url(slug: str, **query) -> str:
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/api/v1/plans/{slug}/status/" + (f"?{qs}" if qs else "")


@pytest.fixture
def golden():
    return build_golden()


@pytest.fixture
def people(golden):
    """The golden plan's coordinator, a liaison of its 区财政局, and another plan with its own coordinator."""
    other = PlanFactory(slug="other-plan")
    other_unit = UnitFactory(region=other.region)
    WorkItemFactory(plan=other, lead=other_unit, deadline=date(2023, 6, 1), due_date=date(2023, 6, 1))
    other_coordinator = user("other-coordinator", is_staff=True)
    other.coordinators.add(other_coordinator)
    coordinator = golden.plan.coordinators.get()
    return {
        "coordinator": coordinator,
        "liaison": liaison_for(golden.b, username="caizheng"),
        "outsider": liaison_for(other_unit, username="outsider"),
        "other_coordinator": other_coordinator,
        "other": other,
    }


def _units(body: dict) -> dict[str, tuple]:
    return {u["unit"]: tuple(u[k] for k in COUNT_KEYS) for u in body["units"]}


# -- every endpoint as anonymous, liaison and coordinator ---------------------------------------------


def test_every_endpoint_as_anonymous_liaison_and_coordinator(client, golden, people):
    slug = golden.plan.slug
    june = status_url(slug, as_of="2023-06-30")

    # Anonymous: 401 with a challenge (never a login redirect); the schema is public documentation.
    for url in ("/api/v1/plans/", june, status_url("no-such-plan")):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Token")
    assert client.get("/api/v1/schema/").status_code == 200

    # Coordinator: its plan whole, not the other plan (404, as for a plan that does not exist).
    login(client, people["coordinator"])
    plans = client.get("/api/v1/plans/").json()
    assert [(p["slug"], p["scope"]) for p in plans] == [(slug, "plan")]
    assert plans[0]["status_url"] == f"http://testserver/api/v1/plans/{slug}/status/"
    body = client.get(june).json()
    assert body["scope"] == "plan" and body["unit"] is None
    assert set(_units(body)) == {"区建设局", "区财政局", "区资规局"}
    assert [i["number"] for i in body["indicators"]] == [1, 2, 3, 4, 5]
    assert client.get(status_url("other-plan")).status_code == 404
    assert client.get(status_url("no-such-plan")).status_code == 404
    assert client.get("/api/v1/schema/").status_code == 200

    # Liaison of 区财政局: the plan where its unit works, its own row, the indicators it serves.
    login(client, people["liaison"])
    assert [(p["slug"], p["scope"]) for p in client.get("/api/v1/plans/").json()] == [(slug, "unit")]
    body = client.get(june).json()
    assert body["scope"] == "unit" and body["unit"] == "区财政局"
    assert _units(body) == {"区财政局": (2, 1, 0, 0, 1, 0.5)}
    # Indicators 1 (key task 1, which it supports), 2 and 5 (key task 2, which it leads).
    assert [i["number"] for i in body["indicators"]] == [1, 2, 5]
    # The plan's own summary is the roundup's; the overdue items are others' (区建设局's i2, 区资规局's i7).
    assert tuple(body["summary"][k] for k in COUNT_KEYS) == (5, 2, 0, 2, 1, 0.4)
    assert body["overdue_items"] == [] and body["key_tasks"] and body["praise"] == []
    assert client.get(status_url("other-plan")).status_code == 404

    # A liaison whose unit has no work in the plan does not see it at all.
    login(client, people["outsider"])
    assert [p["slug"] for p in client.get("/api/v1/plans/").json()] == ["other-plan"]
    assert client.get(june).status_code == 404


def test_staff_flag_alone_does_not_open_other_plans_but_view_all_plans_does(client, golden, people):
    login(client, people["other_coordinator"])
    assert [p["slug"] for p in client.get("/api/v1/plans/").json()] == ["other-plan"]
    assert client.get(status_url(golden.plan.slug, as_of="2023-06-30")).status_code == 404

    city = user("city")
    city.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    login(client, city)
    plans = client.get("/api/v1/plans/").json()
    assert sorted((p["slug"], p["scope"]) for p in plans) == sorted((slug, "plan") for slug in Plan.objects.values_list(
        "slug", flat=True))
    assert len(plans) == 3  # the golden plan, another plan of its unit 区建设局, and other-plan
    assert client.get(status_url(golden.plan.slug, as_of="2023-06-30")).json()["scope"] == "plan"


def test_token_made_for_a_user_authenticates_and_a_wrong_one_is_refused(client, golden, people):
    key = create_token(people["coordinator"]).key
    response = client.get(status_url(golden.plan.slug, as_of="2023-06-30"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["plan"]["slug"] == golden.plan.slug
    for wrong in ("0" * 64, key[:15] + "0" * 49, key + "0", "\u00e9" * 64):
        response = client.get("/api/v1/plans/", HTTP_AUTHORIZATION="Token " + wrong)
        assert response.status_code == 401, wrong
    people["coordinator"].is_active = False
    people["coordinator"].save()
    assert client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_a_token_is_stored_as_a_digest_expires_and_records_its_last_use(client, golden, people, settings):
    made = timezone.now()
    new = create_token(people["coordinator"], name="大数据平台")
    row = ApiToken.objects.get()
    assert new.key not in {row.digest, row.token_key} and row.token_key == new.key[:15]
    assert len(new.key) == 64 and row.digest == hashlib.sha512(new.key.encode()).hexdigest()
    assert row.expiry - made >= timedelta(days=settings.API_TOKEN_DAYS) - timedelta(minutes=1)
    assert row.last_used is None
    assert client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {new.key}").status_code == 200
    assert ApiToken.objects.get().last_used >= made
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {new.key}").status_code == 401
    assert not ApiToken.objects.exists()  # an expired token is deleted when presented


def test_a_user_makes_lists_and_revokes_their_tokens_on_their_page(client, golden, people, settings):
    settings.API_TOKEN_MAX_PER_USER = 2
    liaison, other = people["liaison"], people["outsider"]
    login(client, liaison)
    page = client.post("/account/api-tokens/", {"name": "对接"})
    key = re.search(r'<code class="api-token-key">([0-9a-f]{64})</code>', page.content.decode()).group(1)
    assert "no-store" in page["Cache-Control"]
    listed = client.get("/account/api-tokens/").content.decode()
    assert key[:15] in listed and key not in listed  # shown once, then only its first characters
    assert client.get(status_url(golden.plan.slug, as_of="2023-06-30"), HTTP_AUTHORIZATION=f"Token {key}",
                      ).json()["scope"] == "unit"
    client.post("/account/api-tokens/", {"name": "二"})
    refused = client.post("/account/api-tokens/", {"name": "三"})
    assert "最多可有 2 个有效令牌" in refused.content.decode() and ApiToken.objects.filter(user=liaison).count() == 2

    # Another user cannot revoke it (nor see it); its owner can, and the key stops working at once.
    theirs = create_token(other).token
    client.post("/account/api-tokens/revoke/", {"digest": theirs.digest})
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    mine = ApiToken.objects.get(token_key=key[:15])
    assert theirs.token_key not in client.get("/account/api-tokens/").content.decode()
    client.post("/account/api-tokens/revoke/", {"digest": mine.digest})
    assert not ApiToken.objects.filter(pk=mine.pk).exists()
    client.logout()
    assert client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_a_coordinator_revokes_their_units_users_tokens_in_the_admin_not_other_regions(client, golden, people):
    coordinator = people["coordinator"]
    coordinator.is_staff = True
    coordinator.save()
    coordinator.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_apitoken", "delete_apitoken"]))
    ours = create_token(people["liaison"]).token
    theirs = create_token(people["outsider"]).token
    login(client, coordinator)
    listing = client.get("/admin/tasks/apitoken/").content.decode()
    assert ours.token_key in listing and theirs.token_key not in listing
    change = "/admin/tasks/apitoken/{}/delete/"
    assert client.get(change.format(theirs.pk)).status_code in (302, 404)
    # A selection holding another region's token runs nothing (tasks.owners: an action writes only rows the
    # user may write, all of them or none); their own region's alone is revoked.
    response = client.post("/admin/tasks/apitoken/", {"action": "delete_selected", "_selected_action": [
        ours.pk, theirs.pk], "post": "yes"})
    assert response.status_code in (200, 302)
    assert ApiToken.objects.filter(pk__in=[ours.pk, theirs.pk]).count() == 2
    response = client.post("/admin/tasks/apitoken/", {"action": "delete_selected", "_selected_action": [ours.pk],
                                                      "post": "yes"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=ours.pk).exists() and ApiToken.objects.filter(pk=theirs.pk).exists()
    assert client.get("/admin/tasks/apitoken/add/").status_code == 403  # only a superuser makes one here


# -- the query -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"as_of": "2023-13-01"}, "as_of"),
        ({"as_of": "2023/06/30"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"period": "week"}, "period"),
        ({"period": "Month"}, "period"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "many"}, "limit"),
    ],
)
def test_bad_query_is_a_400_naming_the_field(client, golden, people, query, field):
    login(client, people["coordinator"])
    response = client.get(status_url(golden.plan.slug, **query), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert field in response.json()[field][0]


def test_as_of_after_today_is_refused_and_defaults_are_today_and_its_month(client, golden, people):
    login(client, people["coordinator"])
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    response = client.get(status_url(golden.plan.slug, as_of=tomorrow.isoformat()))
    assert response.status_code == 400
    assert today.isoformat() in response.json()["as_of"][0]

    body = client.get(status_url(golden.plan.slug)).json()
    assert body["as_of"] == today.isoformat()
    assert body["period"]["kind"] == "month"
    assert body["period"]["key"] == f"{today:%Y-%m}"
    assert body["period"]["end"] == today.isoformat()


def test_errors_follow_the_requested_language(client, golden, people):
    login(client, people["coordinator"])
    zh = client.get(status_url(golden.plan.slug, period="week"), HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    en = client.get(status_url(golden.plan.slug, period="week"), HTTP_ACCEPT_LANGUAGE="en").json()
    assert zh["period"] == ["period 应为 month、quarter 或 year 之一。"]
    assert en["period"] == ["period must be one of month, quarter or year."]
    # The figures stay the roundup's Chinese document whatever the client's language.
    body = client.get(status_url(golden.plan.slug, as_of="2023-06-30"), HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["period"]["label"] == "2023年6月"


# -- the schema ------------------------------------------------------------------------------------


def test_schema_is_valid_openapi_3_and_describes_both_endpoints(client):
    response = client.get("/api/v1/schema/")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {"/api/v1/plans/", "/api/v1/plans/{slug}/status/"}
    status = schema["paths"]["/api/v1/plans/{slug}/status/"]["get"]
    assert {p["name"] for p in status["parameters"]} == {"slug", "as_of", "period", "limit"}
    assert {"200", "400", "401", "404"} <= set(status["responses"])
    unit_row = schema["components"]["schemas"]["UnitRow"]["properties"]
    assert unit_row["on_time_rate"]["type"] == "number" and unit_row["due"]["type"] == "integer"
    indicator = schema["components"]["schemas"]["IndicatorRow"]["properties"]
    assert indicator["progress"]["type"] == "number"
    assert indicator["colour"] == {"$ref": "#/components/schemas/ColourEnum"}
    assert schema["components"]["schemas"]["ColourEnum"]["enum"] == ["green", "yellow", "red", "none"]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


# -- the same numbers as the roundup ---------------------------------------------------------------


def _same_as_roundup(body: dict, plan, period) -> None:
    """The API's body is the roundup document whole: every key, every value, every type."""
    document = roundup_document(plan=plan, period=period)
    assert json.dumps(body, sort_keys=True) == json.dumps(json.loads(json.dumps(document)), sort_keys=True)


@pytest.mark.parametrize(
    ("as_of", "kind", "period"),
    [
        ("2023-06-30", "month", Period.month(2023, 6)),
        ("2023-06-30", "quarter", Period.quarter(2023, 2)),
        ("2023-12-31", "year", Period.year(2023)),
        ("2023-09-30", "quarter", Period.quarter(2023, 3)),
    ],
)
def test_golden_status_at_a_period_end_is_that_roundup(client, golden, people, as_of, kind, period):
    login(client, people["coordinator"])
    body = client.get(status_url(golden.plan.slug, as_of=as_of, period=kind)).json()
    assert body["period"]["key"] == period.key and body["period"]["complete"] is True
    assert body["scope"] == "plan" and body["units"] and all("kind" in u for u in body["units"])
    _same_as_roundup(body, golden.plan, period)


def test_golden_exact_numbers_as_json_numbers(client, golden, people):
    login(client, people["coordinator"])
    body = client.get(status_url(golden.plan.slug, as_of="2023-12-31", period="year")).json()
    # By hand (see test_roundup_selectors): i2 and i5 late, i3 and i4 on time after extensions, i7 and i11 open.
    assert _units(body) == {
        "区财政局": (3, 2, 1, 0, 0, 0.6667),
        "区资规局": (4, 3, 0, 1, 0, 0.75),
        "区建设局": (5, 3, 1, 1, 0, 0.6),
    }
    assert [o["days_overdue"] for o in body["overdue_items"]] == [276, 1]
    assert isinstance(body["units"][0]["on_time_rate"], float) and isinstance(body["units"][0]["due"], int)
    indicator_2 = body["indicators"][1]
    assert (indicator_2["progress"], indicator_2["colour"], indicator_2["attained"]) == (101.1, "green", True)
    assert isinstance(body["indicators"][0]["progress"], float)


def test_golden_as_of_inside_a_month_is_the_month_so_far(client, golden, people):
    login(client, people["coordinator"])
    body = client.get(status_url(golden.plan.slug, as_of="2023-06-20")).json()
    assert body["period"] == {
        "kind": "month", "key": "2023-06", "label": "2023年6月", "title": "月晾晒",
        "start": "2023-06-01", "end": "2023-06-20", "year_start": "2023-01-01", "complete": False,
    }
    # 区财政局 on 06-20: i8 done on time; i5 (due 06-30) is not due yet. At the month's end it is awaiting review.
    assert _units(body)["区财政局"] == (1, 1, 0, 0, 0, 1.0)
    # i2 is due 06-20 and not done: at the end of that day it is overdue.
    assert _units(body)["区建设局"] == (2, 1, 0, 1, 0, 0.5)
    _same_as_roundup(body, golden.plan, Period.month(2023, 6).until(date(2023, 6, 20)))


def test_status_is_the_roundup_json_document_whole_with_overdue_items(client, golden, people):
    login(client, people["coordinator"])
    out = StringIO()
    call_command("roundup", plan=golden.plan.slug, year="2023", json=True, stdout=out)
    roundup = json.loads(out.getvalue())
    body = client.get(status_url(golden.plan.slug, as_of="2023-12-31", period="year")).json()
    assert roundup["overdue_items"] and roundup["units"]
    assert body == roundup
    # limit only shortens the overdue list.
    short = client.get(status_url(golden.plan.slug, as_of="2023-12-31", period="year", limit=1)).json()
    assert short == {**roundup, "overdue_items": roundup["overdue_items"][:1]}


def test_superuser_makes_a_token_in_the_admin(client, golden):
    admin = user("root", is_staff=True, is_superuser=True)
    login(client, admin)
    assert client.get("/admin/tasks/apitoken/add/").status_code == 200
    response = client.post("/admin/tasks/apitoken/add/", {"user": golden.plan.coordinators.get().pk, "name": "x"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = re.search(r'<code class="api-token-key">([0-9a-f]{64})</code>', response.content.decode()).group(1)
    assert ApiToken.objects.get(user=golden.plan.coordinators.get()).token_key == key[:15]
    client.logout()
    response = client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}")
    assert [p["slug"] for p in response.json()] == [golden.plan.slug]


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_drf_tokens_so_their_keys_keep_working(client, golden, people):
    """DRF's plaintext table (as an installation before this change has it) is read, hashed and dropped."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tasks.migrations.0021_api_tokens")
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # DRF's key shape: 40 hex characters
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, user_id int)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)",
                       [key, timezone.now() - timedelta(days=400), people["coordinator"].pk])
    with connection.schema_editor() as editor:
        migration.hash_drf_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    row = ApiToken.objects.get()
    assert row.user == people["coordinator"] and key not in (row.digest, row.token_key) and row.expiry > timezone.now()
    assert (timezone.now() - row.created).days >= 399
    response = client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}")
    assert [p["slug"] for p in response.json()] == [golden.plan.slug]


@pytest.mark.parametrize("size", [5, 500])
@pytest.mark.parametrize("who", ["coordinator", "liaison"])
def test_status_costs_the_same_queries_for_a_small_and_a_large_plan(client, size, who,
                                                                    django_assert_max_num_queries):
    from tasks.tests.roundup_bulk import build_plan

    plan = build_plan(items=size, units=5 if size == 5 else 50, slug=f"api{size}")
    if who == "coordinator":
        person = user(f"coord{size}")
        plan.coordinators.add(person)
    else:
        person = liaison_for(plan.work_items.order_by("pk").first().assignments.get(role="lead").unit,
                             username=f"liaison{size}")
    login(client, person)
    # session, user, permissions, the roundup (with supporting parts) and the visibility reads; an empty
    # overdue list skips the last of them, so a tiny plan may cost one less; one more on PostgreSQL: the
    # roundup's SET LOCAL jit = off. A year has its appendix (基层负担, issue 34): items due, reminders and
    # 督办单 by unit and month, and the close requests that had to carry evidence (as each recorded), four more;
    # and the units' shares of the year's targets (目标分解, ``share_rows``), one more.
    with django_assert_max_num_queries(20 + 4 + (connection.vendor == "postgresql")):
        response = client.get(status_url(plan.slug, as_of="2023-12-31", period="year", limit=100))
    assert response.status_code == 200
    assert response.json()["summary"]["due"] > 0
