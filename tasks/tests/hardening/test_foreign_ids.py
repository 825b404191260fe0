"""An insider's own act with another region's ids in its body: nothing of the other region is written or reached.

``test_outsiders`` posts each act on the plan's objects as another region's people; this is the other half of
that class: the plan's own coordinator and liaisons post each act they may do (``acts``), on their own objects,
with every id the form carries (an item, a unit, a person; in a value or in a field's name) replaced by one of
region B's, and then with B's id beside their own. Afterwards, no row anywhere refers to one of B's objects
that did not before, and B's objects' own rows are as they were: found mechanically, over every model's
foreign keys and many-to-many fields to a plan, region, unit, item or account (``_footprint``), so a model added
later is looked at too. An act whose form carries an id and is not given its substitutions here fails
``test_every_act_with_an_id_is_swept``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from tasks.models import Plan, Profile, Region, Unit, WorkItem
from tasks.tests.daily_setup import MODEL_BACKEND, liaison, user
from tasks.tests.factories import PlanFactory, RegionFactory, UnitFactory, WorkItemFactory
from tasks.tests.hardening.sweeps import built_once, copy_for_test
from tasks.tests.hardening.test_seeing_is_not_acting import COORDINATOR, LEAD, acts, make_guard_world

pytestmark = pytest.mark.django_db
User = get_user_model()
TARGETS = (Plan, Region, Unit, WorkItem, User)


def _world():
    g = make_guard_world()
    w = g.w
    region = RegionFactory(name="乙区", slug="region-b")
    plan_b = PlanFactory(region=region)
    unit_b = UnitFactory(region=region, name="乙区住建局", emails="b@example.gov.cn")
    overdue_b = WorkItemFactory(
        plan=plan_b,
        year=w.today.year,
        text="乙区逾期事项",
        lead=unit_b,
        deadline=w.today - timedelta(days=40),
        due_date=w.today - timedelta(days=40),
    )
    pending_b = WorkItemFactory(
        plan=plan_b, year=w.today.year, text="乙区待审核事项", lead=unit_b, deadline=w.today, due_date=w.today
    )
    WorkItem.objects.filter(pk=pending_b.pk).update(status=WorkItem.Status.AWAITING_REVIEW)
    person_b = liaison(unit_b, "liaison_b")
    User.objects.filter(pk=person_b.pk).update(email="liaison_b@example.gov.cn")
    Profile.objects.filter(user=person_b).update(mobile="13900000009")
    person_b.refresh_from_db()
    coord_b = user("coord_b")
    plan_b.coordinators.add(coord_b)
    b = {
        "plan": plan_b,
        "region": region,
        "unit": unit_b,
        "overdue": overdue_b,
        "pending": pending_b,
        "person": person_b,
        "coordinator": coord_b,
    }
    return g, b


@pytest.fixture(scope="module")
def world_built(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("foreign-ids-media")
    with built_once(django_db_blocker, media):
        yield _world(), media


@pytest.fixture
def world(world_built, monkeypatch, settings):
    return copy_for_test(*world_built, monkeypatch, settings)


def _b_ids(b) -> dict[type, set[int]]:
    return {
        Plan: {b["plan"].pk},
        Region: {b["region"].pk},
        Unit: {b["unit"].pk},
        WorkItem: set(WorkItem.objects.filter(plan=b["plan"]).values_list("pk", flat=True)),
        User: set(User.objects.filter(profile__unit__region=b["region"]).values_list("pk", flat=True))
        | {b["coordinator"].pk},
    }


def _footprint(ids: dict[type, set[int]]) -> dict:
    """Every row of every model that refers to one of B's objects (by a foreign key or a many-to-many), and B's
    objects' own rows, as the database holds them."""
    found = {}
    for target, pks in ids.items():
        found[("own", target._meta.label)] = list(target._default_manager.filter(pk__in=pks).order_by("pk").values())
    found[("own", "tasks.Profile")] = list(Profile.objects.filter(user_id__in=ids[User]).order_by("pk").values())
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not (
                field.is_relation and field.concrete and (field.many_to_one or field.one_to_one or field.many_to_many)
            ):
                continue
            target = field.related_model
            if target is None:
                continue
            target = target._meta.concrete_model
            if target not in ids:
                continue
            if field.many_to_many:
                through = getattr(model, field.name).through
                column = field.m2m_reverse_field_name()
                rows = through.objects.filter(**{f"{column}__in": ids[target]}).order_by("pk").values()
                found[(through._meta.label, column)] = list(rows)
            else:
                rows = model._default_manager.filter(**{f"{field.name}__in": ids[target]}).order_by("pk").values()
                found[(model._meta.label, field.name)] = list(rows)
    return found


def _variants(name: str, data: dict, g, b) -> list[dict]:
    """The act's data with its ids replaced by B's (and with B's beside the own ones, where a list is read)."""
    w = g.w
    person = b["person"]
    unit = b["unit"]
    if name == "tasks:review_bulk_accept":
        return [{"items": [str(b["pending"].pk)]}, {"items": [str(g.pending.pk), str(b["pending"].pk)]}]
    if name == "tasks:overdue_remind":
        return [{"item": [str(b["overdue"].pk)]}, {"item": [str(g.overdue2.pk), str(b["overdue"].pk)]}]
    if name == "tasks:notice_issue_items":
        base = {k: v for k, v in data.items() if k != "item"}
        return [{**base, "item": [str(b["overdue"].pk)]}, {**base, "item": [str(g.overdue2.pk), str(b["overdue"].pk)]}]
    if name == "tasks:work_item_break_down":
        base = {k: v for k, v in data.items() if not k.startswith("unit_")}
        return [{**base, f"unit_{unit.pk}": "on"}, {**base, f"unit_{unit.pk}": "on", f"unit_{w.other.pk}": "on"}]
    if name == "tasks:indicator_breakdown":
        return [{**data, "shares-0-unit": str(unit.pk)}]
    if name == "tasks:unit_person_replace":
        old = w.lead_user.pk
        return [
            {
                "person": str(person.pk),
                f"r{person.pk}-old": str(person.pk),
                f"r{person.pk}-name": "李强",
                f"r{person.pk}-email": "liqiang@example.gov.cn",
                f"r{person.pk}-old_fate": "deactivate",
            },
            {
                **{k.replace(f"r{old}-", f"r{person.pk}-"): v for k, v in data.items() if k != "person"},
                "person": str(person.pk),
            },
            {**data, f"r{old}-old": str(person.pk)},
        ]
    if name == "tasks:unit_people":  # an account is named by its address or mobile: B's liaison's
        return [
            {**data, "add-email": person.email},
            {**data, "add-mobile": person.profile.mobile},
            {**data, "add-email": person.email, "add-mobile": person.profile.mobile},
        ]
    if name == "tasks:unit_person_invite":
        return [{"person": str(person.pk)}]
    return []


_ID = re.compile(r"\d")


def _carries_ids(data: dict) -> bool:
    """Whether a form's data names a row by id: a value of digits naming one (not a number typed in a form:
    a percent, a value, a year-month), or a field name holding one."""
    typed = {
        "add-mobile",
        "percent",
        "value",
        "share-value",
        "shares-0-value",
        "month",
        "share-month",
        "shares-TOTAL_FORMS",
        "shares-INITIAL_FORMS",
    }
    for key, value in data.items():
        if key not in typed and _ID.search(key.split("-", 1)[0] if key.startswith("shares-") else key):
            return True
        values = value if isinstance(value, list) else [value]
        if key not in typed and any(isinstance(v, str) and v.isdigit() for v in values):
            return True
    return False


def test_every_act_with_an_id_is_swept(world):
    g, b = world
    table = acts(g)
    with_ids = {name for name, (_who, _kwargs, data) in table.items() if _carries_ids(data)}
    swept = {name for name, (_who, _kwargs, data) in table.items() if _variants(name, data, g, b)}
    assert with_ids <= swept


def test_an_insiders_act_naming_another_regions_rows_reaches_none_of_them(client, world):
    g, b = world
    w = g.w
    who = {COORDINATOR: w.coordinator, LEAD: w.lead_user}
    findings, posted = [], 0
    ids = _b_ids(b)
    for name, (role, kwargs, data) in acts(g).items():
        for variant in _variants(name, data, g, b):
            before = _footprint(ids)
            client.force_login(who.get(role, w.support_user), backend=MODEL_BACKEND)
            response = client.post(reverse(name, kwargs=kwargs), variant)
            posted += 1
            after = _footprint(ids)
            changed = sorted(str(key) for key in after if after[key] != before.get(key))
            if changed or response.status_code >= 500:
                findings.append((name, variant, response.status_code, changed))
    assert posted >= 14
    assert findings == [], "\n".join(map(str, findings))


def test_the_footprint_sees_a_write_to_the_other_region(client, world):
    """The instrument: B's own coordinator accepting B's item is a change of B's footprint (a footprint that
    missed it could not find a leak)."""
    g, b = world
    ids = _b_ids(b)
    before = _footprint(ids)
    client.force_login(b["coordinator"], backend=MODEL_BACKEND)
    response = client.post(reverse("tasks:review_bulk_accept"), {"items": [str(b["pending"].pk)]})
    assert response.status_code in (200, 302)
    after = _footprint(ids)
    assert WorkItem.objects.get(pk=b["pending"].pk).status == WorkItem.Status.DONE
    assert any(after[key] != before.get(key) for key in after)
