"""Another region's people, and a unit with no part in the work, reach nothing of it; and no GET writes.

The routes are read from the URL resolver (``test_routes.ROUTES``). Every route must be classified below
(``test_every_route_is_classified``): an act (``test_seeing_is_not_acting.acts``: posted with its form's valid
data, which the positive run there proves), a page that reads, a public page, or the user's own account. A
route added later fails that test until it is given a class, so the sweeps below reach it.

The world is ``make_guard_world``'s plan in its region, with an item from a meeting awaiting its rating, and a
second region with its own plan, unit, coordinator, liaison and 分管领导. As each outsider (the other
region's coordinator, liaison and leader, and a liaison of the plan's region whose unit has no part in the
objects), every route is requested with the world's real objects:

- a POST with the act's valid data is refused and writes nothing (no INSERT, UPDATE or DELETE is issued);
- a GET is refused or shows nothing of the plan's region (its items, units, key tasks, indicators, people);
- and as everyone, insiders too: a GET writes nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks.models import PersonRole, Profile, WorkItem
from tasks.tests.daily_setup import MODEL_BACKEND, liaison, user
from tasks.tests.factories import PlanFactory, RegionFactory, UnitFactory, WorkItemFactory
from tasks.tests.hardening.sweeps import built_once, copy_for_test, session_again
from tasks.tests.hardening.test_routes import ROUTES
from tasks.tests.hardening.test_seeing_is_not_acting import (
    ACT_ROUTES,
    OWN_ACCOUNT,
    acts,
    make_guard_world,
    other_kwargs,
)

pytestmark = pytest.mark.django_db




# Routes that act on the plan without being in the acts table (their data is a file, a session's staged
# rows, or a document to parse): posted by the outsiders with what they can send (the sweep's defaults).
OTHER_ACTS = {
    "tasks:plan_import", "tasks:plan_import_preview", "tasks:plan_import_confirm", "tasks:plan_import_columns",
    "tasks:plan_import_cancel", "tasks:roster_upload", "tasks:roster_preview", "tasks:decisions_upload",
    "tasks:work_item_rate",
}
# Pages that read: an object's page or file, a list scoped to its user, an API read.
READS = {
    "tasks:home", "tasks:my_work", "tasks:plan_detail", "tasks:key_task_detail", "tasks:unit_detail",
    "tasks:work_item_detail", "tasks:evidence_download", "tasks:review_queue", "tasks:overdue",
    "tasks:overdue_choices", "tasks:reach", "tasks:export_detail", "tasks:export_download", "tasks:roundup_list",
    "tasks:roundup_detail", "tasks:roundup_xlsx", "tasks:roundup_pdf", "tasks:bulletin_docx", "tasks:bulletin_pdf",
    "tasks:notice_docx", "tasks:notice_pdf", "tasks:plan_burden", "tasks:roster_template",
    "api:plan_list", "api:plan_status",
    "admin:index", "admin:app_list", "admin:autocomplete", "admin:jsi18n", "admin:view_on_site",
}
# No login, or no plan's data: the public 晾晒 (its own leak tests: views/test_public.py), a signed link's
# redirect, an invitation, single sign-on, the health check, the API's schema.
PUBLIC = {
    "tasks:public_index", "tasks:public_roundup", "tasks:public_roundup_json", "tasks:public_roundup_csv",
    "tasks:link_follow", "tasks:invitation_open", "oidc_authentication_init", "oidc_authentication_callback",
    "healthz", "api:schema",
}
ADMIN_OWN = {"admin:password_change", "admin:password_change_done"}
REFUSED = {400, 403, 404, 405}
# Tables a request may write that are no plan's data: the session, the login-attempt log.
OWN_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
# The one GET that writes, by design: an export's page marks the user's own export failed when its worker was
# lost (queued or running past ``STALE_AFTER``), so the page stops waiting and the list can be asked again.
GET_WRITES = {"tasks:export_detail": ["tasks_export"]}
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _send(send, url: str, data: dict):
    """The response, and the tables the request wrote to (every INSERT, UPDATE and DELETE it issued)."""
    with CaptureQueriesContext(connection) as queries:
        response = send(url, data)
    written = sorted({m.group(1) for q in queries.captured_queries if (m := _WRITE.match(q["sql"]))} - OWN_TABLES)
    return response, written


def test_every_route_is_classified():
    """A route no class names fails here: give it one (an act with its valid data, a read, a public page)."""
    classes = [set(ACT_ROUTES), OTHER_ACTS, READS, PUBLIC, OWN_ACCOUNT | ADMIN_OWN]
    names = {name for name, _e in ROUTES}
    unclassified = sorted(names - set().union(*classes))
    assert not unclassified, f"routes with no class in test_outsiders: {unclassified}"
    stale = sorted(set().union(*classes) - names)
    assert not stale, f"classes name routes that no longer exist: {stale}"
    twice = [name for name in names if sum(name in c for c in classes) > 1]
    assert not twice, twice


def _outside_world():
    g = make_guard_world()
    w = g.w
    # An item from a meeting, closed (销号), raised by the lead unit's 分管领导: awaiting its rating.
    leader = user("leader_a", first_name="甲区领导")
    Profile.objects.create(user=leader, unit=w.lead, role=PersonRole.LEADER)
    meeting = WorkItemFactory(plan=w.plan, year=w.today.year, text="专班会议议定的事项甲", deadline=w.today,
                              due_date=w.today, lead=w.lead, origin=WorkItem.Origin.MEETING, raised_by=leader)
    WorkItem.objects.filter(pk=meeting.pk).update(status=WorkItem.Status.DONE, completed_on_time=True,
                                                  completed_at=timezone.now() - timedelta(days=1))
    # The second region: its plan, unit and people.
    region = RegionFactory(name="乙区", slug="region-b")
    plan_b = PlanFactory(region=region)
    unit_b = UnitFactory(region=region, name="乙区住建局")
    WorkItemFactory(plan=plan_b, year=w.today.year, text="乙区自己的事项", deadline=w.today, due_date=w.today,
                    lead=unit_b)
    coord_b = user("coord_b", first_name="乙区专班")
    plan_b.coordinators.add(coord_b)
    liaison_b = liaison(unit_b, "liaison_b")
    leader_b = user("leader_b")
    Profile.objects.create(user=leader_b, unit=unit_b, role=PersonRole.LEADER)
    # A liaison of the plan's own region whose unit has no part in the plan's objects.
    idle = UnitFactory(region=w.plan.region, name="区档案馆")
    outsiders = [coord_b, liaison_b, leader_b, liaison(idle, "idle")]
    # What none of them may read: the plan region's items, units, tasks, indicators, plans and people.
    markers = {w.item.text, w.other_item.text, meeting.text, w.key_task.title,
               w.indicator.name, w.lead.name, w.support.name, w.other.name, w.plan.title, w.other_plan.title,
               w.lead_user.email, w.support_user.email, leader.first_name, w.coordinator.email}
    return g, meeting, outsiders, markers


def _kwargs(g, meeting, name: str, entry, table: dict) -> tuple[dict, dict]:
    if name in table:
        _who, kwargs, data = table[name]
        return kwargs, data
    kwargs = other_kwargs(g, name, entry)
    if name == "tasks:work_item_rate":
        return {"pk": meeting.pk}, {"rating": "unsatisfied", "reason": "不满意"}
    if name == "tasks:decisions_upload":
        return kwargs, {"text": "由区建设局牵头，6月底前完成。", "origin": "meeting", "step": "confirm"}
    return kwargs, {}


def _refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    return response.status_code == 302 and "/login/" in response["Location"]


@pytest.fixture(scope="module")
def outside_world_built(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module's tests (it was built for each; ``sweeps.built_once``)."""
    media = tmp_path_factory.mktemp("outside-media")
    with built_once(django_db_blocker, media):
        yield _outside_world(), media


@pytest.fixture
def outside_world(outside_world_built, monkeypatch, settings):
    """A copy of the module's world for one test: ``(guard world, meeting item, outsiders, markers)``."""
    return copy_for_test(*outside_world_built, monkeypatch, settings)


def test_outsiders_are_refused_every_act_and_read_nothing_of_the_plans_region(client, outside_world):
    g, meeting, outsiders, markers = outside_world
    table = acts(g)
    failures = []
    for outsider in outsiders:
        client.force_login(outsider, backend=MODEL_BACKEND)
        logged_in = dict(client.session.items())
        for name, entry in ROUTES:
            if name in PUBLIC or name in OWN_ACCOUNT | ADMIN_OWN:
                continue
            session_again(client, logged_in)  # each route from a fresh login's session (a route may log out)
            kwargs, data = _kwargs(g, meeting, name, entry, table)
            url = reverse(name, kwargs=kwargs)
            posted, written = _send(client.post, url, data)
            if written:
                failures.append((outsider.username, "post", name, "wrote", written))
            # The bulk 督办单 keeps the ticked items the user sees (none here): back to the list, nothing written.
            if (name in table or name in OTHER_ACTS) and not _refused(posted) and name != "tasks:notice_issue_items":
                failures.append((outsider.username, "post", name, posted.status_code))
            got, _written = _send(client.get, url, {})
            if got.status_code == 200 and not got.get("Content-Disposition"):
                text = got.content.decode("utf-8", "replace")
                seen = sorted(m for m in markers if m in text)
                if seen:
                    failures.append((outsider.username, "get", name, "shows", seen))
            elif got.status_code == 200:  # a file: an outsider never downloads one of the plan's
                failures.append((outsider.username, "get", name, "downloaded"))
    assert not failures, "\n".join(map(repr, failures))


def test_no_get_writes_for_anyone(client, outside_world):
    """Every route's GET, as each kind of user, leaves every table as it was (a link followed, a page reloaded,
    a crawler: none of them acts)."""
    g, meeting, outsiders, _markers = outside_world
    w = g.w
    root = user("root", is_superuser=True, is_staff=True)
    actor = user("province_actor")
    actor.user_permissions.add(Permission.objects.get(codename="act_on_all_plans"))
    table = acts(g)
    failures = []
    for person in [None, w.coordinator, w.lead_user, w.support_user, meeting.raised_by, root, actor, outsiders[0]]:
        client.logout()
        if person is not None:
            client.force_login(person, backend=MODEL_BACKEND)
        for name, entry in ROUTES:
            if name in {"logout", "admin:logout"}:
                continue  # leaving the session is the user's own (and would end this loop's login)
            kwargs, _data = _kwargs(g, meeting, name, entry, table)
            response, written = _send(client.get, reverse(name, kwargs=kwargs), {})
            if written and written != GET_WRITES.get(name):
                failures.append((person and person.username, name, response.status_code, written))
    assert not failures, "\n".join(map(repr, failures))


def test_every_post_without_a_csrf_token_is_refused_and_writes_nothing(outside_world):
    """No route is exempt from the CSRF check: a page of another site posting as the logged-in coordinator or
    liaison (the act's valid data, the session cookie, no token) gets a 403 and writes nothing."""
    from django.test import Client

    g, meeting, _outsiders, _markers = outside_world
    table = acts(g)
    failures = []
    for person in (g.w.coordinator, g.w.lead_user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person, backend=MODEL_BACKEND)
        for name, entry in ROUTES:
            kwargs, data = _kwargs(g, meeting, name, entry, table)
            response, written = _send(client.post, reverse(name, kwargs=kwargs), data)
            if response.status_code != 403 or written:
                failures.append((person.username, name, response.status_code, written))
    assert not failures, "\n".join(map(repr, failures))
