"""The demo's two regions (海宁 and 越城), swept as 海宁's people: nothing of 越城 is shown to them.

The world is the demo as ``load_demo`` makes it, with one account more: a coordinator of 海宁's plan only (the
demo's coordinator holds both plans). As each attacker with a real account in 海宁 (a town's liaison, a
department's liaison, its 分管领导, the plan's coordinator, the holder of an API token) and as a logged-out
visitor, every GET route of the site (read from the URL resolver: a route added later is swept too) is
requested

- with its path arguments naming 越城's objects (its plan, items, key tasks, indicators, units, evidence,
  extension requests, roundups, 通报, 督办单, exports, a signed link to an item of 越城's),
- a list route with every id parameter the site reads naming 越城's objects,

and every admin list, add form and autocomplete the coordinator's account opens. A response that answers
200 must hold none of 越城's own names (its units' names that no 海宁 unit shares, its items' titles, its
people's names and addresses, its plan's title); a file (a workbook, a PDF, a .docx) answered 200 is a
finding by itself. The public 晾晒 pages are the one place 越城's names may be shown to 海宁's people: they are
asked only for what is published (a draft's period is not served).

``HARDENING_PROFILE=long`` asks every one of 越城's objects; the default a few of each kind.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
from datetime import date
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from tasks.models import (
    Bulletin,
    Evidence,
    Export,
    ExtensionRequest,
    Indicator,
    KeyTask,
    Plan,
    Roundup,
    SupervisionNotice,
    Unit,
    WorkItem,
)
from tasks.notifications.links import link_token
from tasks.services.api_tokens import create_token
from tasks.services.demo import demo_load
from tasks.tests.hardening.sweeps import built_once
from tasks.tests.hardening.test_routes import ROUTES

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
TODAY = date(2026, 11, 23)
LONG = os.environ.get("HARDENING_PROFILE") == "long"
PER_KIND = None if LONG else 3
User = get_user_model()

# Which of 越城's objects a route's <pk> names (the path's first segment), as test_routes reads it.
OBJECTS = {
    "items": "item",
    "key-tasks": "key_task",
    "indicators": "indicator",
    "units": "unit",
    "evidence": "evidence",
    "extensions": "extension",
    "roundups": "roundup",
    "bulletins": "bulletin",
    "notices": "notice",
    "exports": "export",
}
# Query parameters that name an object by id, as the list pages and the API read them.
ID_PARAMS = {
    "plan": "plan",
    "plans": "plan",
    "unit": "unit",
    "units": "unit",
    "region": "region",
    "key_task": "key_task",
    "indicator": "indicator",
    "item": "item",
    "items": "item",
    "ids": "item",
    "roundup": "roundup",
    "lead": "unit",
    "support": "unit",
    "town": "unit",
}
PUBLIC = {"tasks:public_index", "tasks:public_roundup", "tasks:public_roundup_csv", "tasks:public_roundup_json"}
NOT_SWEPT = {
    "logout",  # a GET here is Django's logout (405); nothing to read
    "tasks:invitation_open",  # an invitation's token is a secret of its own (test_invitation_address)
    "oidc_authentication_init",
    "oidc_authentication_callback",  # single sign-on (test_oidc_claims)
}
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/vnd.oai.openapi",
    "application/problem+json",
    "application/javascript",
)


def _first(queryset):
    rows = list(queryset.order_by("pk"))
    return rows if PER_KIND is None else rows[:PER_KIND]


def _foreign(plan: Plan) -> dict[str, list]:
    """越城's objects by kind (a few of each by default)."""
    items = WorkItem.objects.filter(plan=plan)
    found = {
        "plan": [plan],
        "region": [plan.region],
        "item": _first(items),
        "key_task": _first(KeyTask.objects.filter(plan=plan)),
        "indicator": _first(Indicator.objects.filter(plan=plan)),
        "unit": _first(Unit.objects.filter(region=plan.region)),
        "evidence": _first(Evidence.objects.filter(report__work_item__plan=plan)),
        "extension": _first(ExtensionRequest.objects.filter(work_item__plan=plan)),
        "roundup": _first(Roundup.objects.filter(plan=plan)),
        "bulletin": _first(Bulletin.objects.filter(plan=plan)),
        "notice": _first(SupervisionNotice.objects.filter(plan=plan)),
        "export": _first(Export.objects.filter(user__profile__unit__region=plan.region)),
    }
    # Items with a history of their own (reports, evidence, extensions) first: their pages show the most.
    busy = items.filter(reports__isnull=False).distinct().order_by("pk")
    found["item"] = list(dict.fromkeys([*(busy if LONG else busy[:PER_KIND]), *found["item"]]))
    return found


def _markers(own: Plan, foreign: Plan) -> list[str]:
    """Texts only 越城's objects hold: shown to a 海宁 account, they are a leak."""
    own_texts = "\n".join(
        [
            own.title,
            *Unit.objects.filter(region=own.region).values_list("name", flat=True),
            *WorkItem.objects.filter(plan=own).values_list("text", flat=True),
            *KeyTask.objects.filter(plan=own).values_list("title", flat=True),
        ]
    )
    markers = {foreign.title}
    markers |= {
        name for name in Unit.objects.filter(region=foreign.region).values_list("name", flat=True) if len(name) >= 4
    }
    markers |= {
        text[:24] for text in WorkItem.objects.filter(plan=foreign).values_list("text", flat=True) if len(text) >= 12
    }
    markers |= {person.email for person in User.objects.filter(profile__unit__region=foreign.region)}
    return sorted(m for m in markers if m and m not in own_texts)


def _coordinator_of(plan: Plan):
    """A coordinator of ``plan`` alone, with the demo coordinator's permissions."""
    demo = User.objects.get(username="coordinator")
    user = User.objects.create_user("coord-haining-only", email="coord-hn@demo.local", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(user=demo))
    for group in demo.groups.all():
        user.groups.add(group)
    plan.coordinators.add(user)
    return user


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-sweep-media")
    with built_once(django_db_blocker, media):
        demo_load(today=TODAY)
        own = Plan.objects.get(slug="haining-2023-2027")
        foreign = Plan.objects.get(slug="yuecheng-2023-2027")
        # An export of 越城's, as its liaison would have asked for it (the demo makes none).
        y_liaison = User.objects.get(username="yuecheng08")
        Export.objects.create(
            user=y_liaison,
            kind=Export.Kind.UNIT_WORK,
            as_of=TODAY,
            title="越城导出",
            filename="yuecheng.xlsx",
            status=Export.Status.DONE,
        )
        coordinator = _coordinator_of(own)
        token_holder = User.objects.get(username="haining30")
        token = create_token(token_holder, name="sweep").key
        world = {
            "own": own,
            "foreign": foreign,
            "objects": _foreign(foreign),
            "markers": _markers(own, foreign),
            "people": {
                "anonymous": None,
                "town liaison": User.objects.get(username="haining-xiashi"),
                "department liaison": token_holder,
                "leader": User.objects.get(username="haining30-leader"),
                "coordinator": coordinator,
            },
            "token": token,
        }
        yield world


def _leaks(response, markers: list[str]) -> list[str]:
    body = response.content.decode("utf-8", "replace")
    with contextlib.suppress(ValueError):  # JSON escapes non-ASCII text
        body += json.dumps(json.loads(body), ensure_ascii=False) if "json" in response["Content-Type"] else ""
    return [m for m in markers if m in body or html.escape(m) in body]


def _judge(response, markers, where: str, findings: list) -> None:
    if response.status_code != 200:
        return
    kind = response.get("Content-Type", "")
    if not kind.startswith(TEXT_TYPES):
        findings.append((where, f"a file answered 200 ({kind})"))
        return
    leaked = _leaks(response, markers)
    if leaked:
        findings.append((where, leaked[:3]))


def _paths(name: str, entry, world) -> list[str]:
    """The route's paths with its arguments naming 越城's objects."""
    kwargs_names = list(entry.pattern.regex.groupindex)
    objects = world["objects"]
    if not kwargs_names:
        return [reverse(name)]
    first = str(entry.pattern).split("/", 1)[0]
    choices: list[dict] = [{}]
    for arg in kwargs_names:
        if arg == "pk":
            values = [o.pk for o in objects.get(OBJECTS.get(first, ""), [])]
        elif arg == "slug":
            values = [world["foreign"].slug]
        elif arg == "year":
            values = [TODAY.year]
        elif arg == "field":
            values = ["unit", "plan", "key_task", "lead", "town"]
        elif arg == "token":
            values = [link_token(purpose="item", pk=o.pk) for o in objects["item"][:2]]
        else:
            return []
        choices = [{**c, arg: v} for c in choices for v in values]
    paths = []
    for kwargs in choices:
        try:
            paths.append(reverse(name, kwargs=kwargs))
        except NoReverseMatch:
            continue
    return paths


def _id_query(world) -> list[str]:
    """Query strings that name 越城's objects by every id parameter the list pages read."""
    objects = world["objects"]
    queries = []
    for param, kind in ID_PARAMS.items():
        ids = [o.pk for o in objects.get(kind, [])[:2]]
        if ids:
            queries.append(urlencode([(param, i) for i in ids]))
    return queries


def _login(client, person, world):
    client.logout()
    if person is not None:
        client.force_login(person)


def test_every_route_is_swept_or_named():
    """A route whose arguments this sweep cannot fill fails here until it can (or is named in NOT_SWEPT)."""
    known = {"pk", "slug", "year", "field", "token"}
    unfillable = [
        name
        for name, entry in ROUTES
        if not name.startswith("admin:")
        and name not in NOT_SWEPT
        and name not in PUBLIC
        and not set(entry.pattern.regex.groupindex) <= known
    ]
    assert unfillable == []


def test_haining_people_see_nothing_of_yuecheng_on_any_route(client, demo_world):
    world = demo_world
    markers = world["markers"]
    assert len(markers) > 50, "the demo's 越城 must have names of its own to look for"
    findings: list = []
    requests = 0
    routes = [(n, e) for n, e in ROUTES if not n.startswith("admin:") and n not in NOT_SWEPT | PUBLIC]
    for role, person in world["people"].items():
        _login(client, person, world)
        for name, entry in routes:
            paths = _paths(name, entry, world)
            plain = not entry.pattern.regex.groupindex
            for path in paths:
                for query in ([""] + _id_query(world)) if plain else [""]:
                    url = f"{path}?{query}" if query else path
                    response = client.get(url)
                    requests += 1
                    _judge(response, markers, f"{role} GET {url}", findings)
    # The API, with the token of a 海宁 liaison (no session).
    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Token {world['token']}"}
    for name, entry in routes:
        if not name.startswith("api:"):
            continue
        for path in _paths(name, entry, world):
            for query in [""] + _id_query(world):
                response = client.get(f"{path}?{query}" if query else path, **auth)
                requests += 1
                _judge(response, markers, f"token GET {path}?{query}", findings)
    assert requests > 300
    assert findings == [], "\n".join(map(str, findings))


def test_haining_coordinator_sees_nothing_of_yuecheng_in_the_admin(client, demo_world):
    """Every registered model's list (with 越城's ids in its filters), add form and autocompletes, and a row of
    海宁's own: its change page (the choices of its foreign keys and inlines), its history, its delete
    confirmation and the "delete selected" action's (both list the rows that would go with it): the choices,
    filters and rows a coordinator of 海宁 is offered hold nothing of 越城."""
    from tasks.owners import rows_for

    world = demo_world
    markers = world["markers"]
    coordinator = world["people"]["coordinator"]
    client.force_login(coordinator)
    findings: list = []
    opened = 0
    objects = world["objects"]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        try:
            changelist = reverse("admin:{}_{}_changelist".format(*info))
        except NoReverseMatch:
            continue
        urls = [changelist, f"{changelist}?q=%E8%B6%8A"]
        for field in ("plan", "unit", "region", "work_item", "key_task", "indicator"):
            kind = {"work_item": "item"}.get(field, field)
            if objects.get(kind):
                urls.append(f"{changelist}?{field}__id__exact={objects[kind][0].pk}")
        with contextlib.suppress(NoReverseMatch):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        own = rows_for(model, coordinator, model._default_manager.all()).order_by("pk").first()
        if own is not None:
            for view in ("change", "history", "delete"):
                urls.append(reverse("admin:{}_{}_{}".format(*info, view), args=[own.pk]))
            preview = client.post(changelist, {"action": "delete_selected", "_selected_action": [own.pk]})
            _judge(preview, markers, f"admin delete_selected {info[1]} {own.pk}", findings)
        for url in urls:
            response = client.get(url)
            opened += response.status_code == 200
            _judge(response, markers, f"admin {url}", findings)
        request_admin = model_admin
        for field_name in getattr(request_admin, "autocomplete_fields", ()):
            response = client.get(
                reverse("admin:autocomplete"),
                {"app_label": info[0], "model_name": info[1], "field_name": field_name, "term": ""},
            )
            _judge(response, markers, f"admin autocomplete {info[1]}.{field_name}", findings)
    assert opened > 100, opened  # the coordinator's own pages were shown, not refused
    assert findings == [], "\n".join(map(str, findings))


def test_public_pages_serve_no_draft(client, demo_world):
    """The public 晾晒 pages (and their CSV/JSON) of 越城's plan, asked by a logged-out visitor: a roundup
    not published is not served, whatever its period's spelling."""
    foreign = demo_world["foreign"]
    drafts = Roundup.objects.filter(plan=foreign).exclude(status=Roundup.Status.PUBLISHED)
    assert drafts.exists(), "the demo drafts last month's 月晾晒 and last quarter's 季通报"
    findings = []
    for roundup in drafts:
        for key in {roundup.period.key, str(roundup.pk)}:
            for url in (
                reverse("tasks:public_roundup", args=[foreign.slug, key]),
                reverse("tasks:public_roundup_json", args=[foreign.slug, key]),
                reverse("tasks:public_roundup_csv", args=[foreign.slug, key, "units"]),
            ):
                response = client.get(url)
                if response.status_code == 200:
                    findings.append(url)
    assert findings == [], "\n".join(map(str, findings))


def test_the_sweep_sees_a_leak_where_there_is_one(client, demo_world):
    """The instrument itself: the demo's coordinator holds both plans, so 越城's pages are theirs to read, and
    the same judging finds 越城's names on them (a sweep that found nothing here could not find a leak)."""
    world = demo_world
    client.force_login(User.objects.get(username="coordinator"))
    findings: list = []
    for name in ("tasks:plan_detail", "tasks:work_item_detail", "tasks:unit_detail", "tasks:key_task_detail"):
        entry = dict(ROUTES)[name]
        for path in _paths(name, entry, world)[:1]:
            _judge(client.get(path), world["markers"], path, findings)
    assert len(findings) == 4


def test_a_units_staff_see_no_other_units_work_in_their_own_region(client, demo_world):
    """Inside 海宁: a town's and a department's liaison, and the 分管领导, asking every route about 海宁's items,
    key tasks and units their unit has no part in, see none of those items' texts."""
    from tasks.selectors.permissions import visible_key_tasks, visible_work_items

    world = demo_world
    own = world["own"]
    findings: list = []
    requests = 0
    routes = [(n, e) for n, e in ROUTES if str(e.pattern).split("/", 1)[0] in ("items", "key-tasks", "units")]
    for role in ("town liaison", "department liaison", "leader"):
        person = world["people"][role]
        seen = visible_work_items(person).filter(plan=own).values("pk")
        theirs = WorkItem.objects.filter(plan=own).exclude(pk__in=seen).exclude(text="")
        items = _first(theirs)
        tasks_ = _first(KeyTask.objects.filter(plan=own).exclude(pk__in=visible_key_tasks(person).values("pk")))
        units = _first(Unit.objects.filter(region=own.region).exclude(pk=person.profile.unit_id))
        if not items:  # 市住建局 leads every key task: it sees the plan's every item
            continue
        markers = sorted(
            {i.text[:24] for i in items if len(i.text) >= 12}
            - {i.text[:24] for i in WorkItem.objects.filter(pk__in=seen)}
        )
        local = {**world, "objects": {"item": items, "key_task": tasks_, "unit": units}}
        client.force_login(person)
        for name, entry in routes:
            for path in _paths(name, entry, local):
                response = client.get(path)
                requests += 1
                _judge(response, markers, f"{role} GET {path}", findings)
    assert requests > 30  # the town liaison's (市住建局 and its 分管领导 see every item of the plan)
    assert findings == [], "\n".join(map(str, findings))
