"""Seeing every plan is not acting on it: a user holding only ``tasks.view_all_plans`` is refused every POST
of the site, and nothing in the database changes; the same acts, with the same data, succeed for who may
perform them (``tasks.act_on_all_plans``, a coordinator's acts; the unit's liaison, the unit's acts).

The routes are read from the URL resolver (``test_routes.ROUTES``): a route added later is posted to as
well. Each act is posted with its form's valid data for the world's objects (a review returned, a roundup
published, a 督办单 issued, a correction drafted, ...); the positive runs prove the data is valid, so a
refusal is the guard's and not the form's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import Bulletin, RollupMethod, Roundup, SupervisionNotice, WorkItem
from tasks.roundups.periods import Period
from tasks.services.breakdown import BreakdownPart, work_item_break_down
from tasks.services.documents import bulletin_for_roundup
from tasks.services.notices import notices_draft, notices_issue_for_items
from tasks.services.reports import work_item_request_close
from tasks.services.review import extension_request_create
from tasks.services.roundups import roundup_generate, roundup_publish
from tasks.services.targets import ShareInput, target_breakdown_save
from tasks.tests.daily_setup import MODEL_BACKEND, make_world, user
from tasks.tests.hardening.sweeps import built_once, copy_for_test, table_rows, tables_changed
from tasks.tests.hardening.test_routes import ROUTES, _route_kwargs

pytestmark = pytest.mark.django_db

# Tables "nothing written" leaves out: the user's own session and the login-attempt log are not plan data.
UNWATCHED = {"sessions.Session", "axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}
# Routes on the user's own account or language (not a plan): posting there may answer 200 (a form) or log
# the user out; nothing of any plan may change.
OWN_ACCOUNT = {
    "login", "logout", "password_change", "password_change_done", "set_language", "admin:login", "admin:logout",
    # The user's own API tokens (made and revoked on their page; another's is refused: tests/api).
    "tasks:api_tokens", "tasks:api_token_revoke",
}
REFUSED = {400, 403, 404, 405}


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%guard\n", content_type="application/pdf")


@dataclass
class World:
    """make_world's plan with one object for every act, in the state the act starts from."""

    w: object
    pending: WorkItem  # awaiting review
    overdue: WorkItem  # under an issued 督办单
    overdue2: WorkItem  # overdue, no notice yet
    sub: WorkItem  # a part handed to the supporting unit, awaiting sign
    extension: object
    roundup: Roundup  # draft, with its draft 通报
    bulletin: Bulletin
    published: Bulletin  # the month before's, published
    issued: SupervisionNotice
    draft: SupervisionNotice


def make_guard_world() -> World:
    w = make_world()
    today = w.today
    w.lead.emails = "lead@example.gov.cn"  # "remind now" has someone to write to
    w.lead.save(update_fields=["emails"])
    pending = WorkItem.objects.create(plan=w.plan, year=today.year, text="待审核", key_task=w.key_task,
                                      deadline=w.item.due_date, due_date=w.item.due_date)
    pending.assignments.create(unit=w.lead, role="lead")
    work_item_request_close(item=pending, user=w.lead_user, note="完成", files=[pdf()])
    overdue, overdue2 = [], None
    for text in ("逾期事项", "另一逾期事项"):
        item = WorkItem.objects.create(plan=w.plan, year=today.year, text=text, key_task=w.key_task,
                                       deadline=today - timedelta(days=40), due_date=today - timedelta(days=40))
        item.assignments.create(unit=w.lead, role="lead")
        overdue.append(item)
    overdue, overdue2 = overdue
    extension = extension_request_create(item=w.item, user=w.lead_user, reason="理由",
                                         proposed_due_date=w.item.due_date + timedelta(days=30))
    (sub,) = work_item_break_down(item=w.other_item, user=w.coordinator,
                                  parts=[BreakdownPart(unit=w.support, due_date=w.other_item.due_date)])
    first = today.replace(day=1)
    last_month = first - timedelta(days=1)
    before = last_month.replace(day=1) - timedelta(days=1)
    old, _created = roundup_generate(plan=w.plan, period=Period.month(before.year, before.month), today=today)
    roundup_publish(roundup=old, actor=None)
    roundup, _created = roundup_generate(plan=w.plan, period=Period.month(last_month.year, last_month.month),
                                         today=today)
    bulletin = bulletin_for_roundup(roundup=roundup, actor=w.coordinator)
    (issued,) = notices_issue_for_items(items=[overdue], actor=w.coordinator, today=today)
    other_overdue = WorkItem.objects.create(plan=w.plan, year=today.year, text="第三逾期事项",
                                            deadline=today - timedelta(days=5), due_date=today - timedelta(days=5))
    other_overdue.assignments.create(unit=w.other, role="lead")
    (draft,) = notices_draft(items=[other_overdue], actor=w.coordinator, today=today)
    target_breakdown_save(indicator=w.indicator, year=today.year, method=RollupMethod.SUM,
                          shares=[ShareInput(unit=w.lead, value=Decimal("1"))], user=w.coordinator)
    return World(w=w, pending=pending, overdue=overdue, overdue2=overdue2, sub=sub, extension=extension,
                 roundup=roundup, bulletin=bulletin, published=old.bulletins.get(), issued=issued, draft=draft)


COORDINATOR, LEAD, SUPPORT = "coordinator", "lead", "support"
ACT_ROUTES = [
    "tasks:work_item_report", "tasks:work_item_close", "tasks:work_item_extension", "tasks:work_item_support_done",
    "tasks:work_item_sign", "tasks:notice_detail", "tasks:indicator_detail", "tasks:share_report",
    "tasks:work_item_comment", "tasks:work_item_review", "tasks:review_bulk_accept", "tasks:extension_decide",
    "tasks:work_item_waive", "tasks:work_item_break_down", "tasks:overdue_remind", "tasks:notice_issue_items",
    "tasks:notice_issue_item", "tasks:notice_sign", "tasks:bulletin_edit", "tasks:bulletin_publish",
    "tasks:bulletin_redraft", "tasks:bulletin_correct", "tasks:indicator_breakdown",
    "tasks:unit_people", "tasks:unit_person_replace", "tasks:unit_person_invite",
]


def acts(g: World) -> dict[str, tuple[str, dict, dict]]:
    """route name -> (who may: a coordinator's act or a unit's, path kwargs, the form's valid data)."""
    w, today = g.w, g.w.today
    later = (w.item.due_date + timedelta(days=10)).isoformat()
    month = today.strftime("%Y-%m")
    return {
        "tasks:work_item_report": (LEAD, {"pk": w.item.pk}, {"note": "已开工", "percent": "40", "files": pdf()}),
        "tasks:work_item_close": (LEAD, {"pk": w.item.pk}, {"note": "已完成", "files": pdf()}),
        "tasks:work_item_extension": (LEAD, {"pk": g.overdue2.pk}, {
            "reason": "征迁未完成", "proposed_due_date": (today + timedelta(days=30)).isoformat()}),
        "tasks:work_item_support_done": (SUPPORT, {"pk": w.item.pk}, {"note": "已配合", "files": pdf()}),
        "tasks:work_item_sign": (SUPPORT, {"pk": g.sub.pk}, {}),
        "tasks:notice_detail": (LEAD, {"pk": g.issued.pk}, {"text": "已整改到位", "files": pdf()}),
        "tasks:indicator_detail": (LEAD, {"pk": w.indicator.pk}, {"month": month, "value": "3.1", "note": ""}),
        "tasks:share_report": (LEAD, {"pk": w.indicator.pk}, {"share-month": month, "share-value": "0.8"}),
        "tasks:work_item_comment": (COORDINATOR, {"pk": w.item.pk}, {"note": "请加快进度"}),
        "tasks:work_item_review": (COORDINATOR, {"pk": g.pending.pk}, {"decision": "return", "reason": "材料不全"}),
        "tasks:review_bulk_accept": (COORDINATOR, {}, {"items": [str(g.pending.pk)]}),
        "tasks:extension_decide": (COORDINATOR, {"pk": g.extension.pk}, {
            "decision": "grant", "due_date": later, "note": "同意"}),
        "tasks:work_item_waive": (COORDINATOR, {"pk": g.sub.pk}, {"reason": "不再需要"}),
        "tasks:work_item_break_down": (COORDINATOR, {"pk": w.item.pk}, {
            f"unit_{w.other.pk}": "on", "due_date": w.item.due_date.isoformat()}),
        "tasks:overdue_remind": (COORDINATOR, {}, {"item": [str(g.overdue2.pk)]}),
        "tasks:notice_issue_items": (COORDINATOR, {}, {
            "item": [str(g.overdue2.pk)], "colour": "red", "requirement": "请立即整改"}),
        "tasks:notice_issue_item": (COORDINATOR, {"pk": g.overdue2.pk}, {"colour": "yellow", "requirement": ""}),
        "tasks:notice_sign": (COORDINATOR, {"pk": g.draft.pk}, {"action": "issue"}),
        "tasks:bulletin_edit": (COORDINATOR, {"pk": g.roundup.pk}, {
            "title": "关于月晾晒情况的通报", "addressees": "各成员单位", "body": "一、总体情况\n二、下步工作",
            "signer": "区住有宜居专班", "copy_to": ""}),
        "tasks:bulletin_publish": (COORDINATOR, {"pk": g.bulletin.pk}, {}),
        "tasks:bulletin_redraft": (COORDINATOR, {"pk": g.bulletin.pk}, {}),
        "tasks:bulletin_correct": (COORDINATOR, {"pk": g.published.pk}, {}),
        "tasks:indicator_breakdown": (COORDINATOR, {"pk": w.indicator.pk, "year": today.year}, {
            "method": RollupMethod.SUM, "shares-TOTAL_FORMS": "1", "shares-INITIAL_FORMS": "0",
            "shares-0-unit": str(w.support.pk), "shares-0-value": "2"}),
        # A unit's people (issue 32): add one, replace the liaison, invite again.
        "tasks:unit_people": (COORDINATOR, {"pk": w.lead.pk}, {
            "add-name": "王芳", "add-email": "wangfang@example.gov.cn", "add-mobile": "13800000001",
            "add-role": "liaison"}),
        "tasks:unit_person_replace": (COORDINATOR, {"pk": w.lead.pk}, {
            "person": str(w.lead_user.pk), f"r{w.lead_user.pk}-old": str(w.lead_user.pk),
            f"r{w.lead_user.pk}-name": "李强", f"r{w.lead_user.pk}-email": "liqiang@example.gov.cn",
            f"r{w.lead_user.pk}-old_fate": "deactivate"}),
        "tasks:unit_person_invite": (COORDINATOR, {"pk": w.lead.pk}, {"person": str(w.lead_user.pk)}),
    }


def other_kwargs(g: World, name: str, entry) -> dict:
    """Real path arguments for a route that is not an act (a page to read, an account page)."""
    w = g.w
    by_first = {"items": w.item.pk, "key-tasks": w.key_task.pk, "indicators": w.indicator.pk, "units": w.lead.pk,
                "roundups": g.roundup.pk, "bulletins": g.bulletin.pk, "notices": g.issued.pk,
                "extensions": g.extension.pk}
    kwargs = {}
    for arg in _route_kwargs(entry):
        if arg == "pk":
            first = str(entry.pattern).split("/", 1)[0]
            from tasks.models import Evidence, Export

            if first == "evidence":
                kwargs[arg] = Evidence.objects.order_by("pk").first().pk
            elif first == "exports":
                kwargs[arg] = Export.objects.create(user=w.coordinator, kind=Export.Kind.OVERDUE, as_of=w.today,
                                                    title="逾期事项", filename="x.xlsx").pk
            else:
                kwargs[arg] = by_first[first]
        else:
            kwargs[arg] = {"slug": w.plan.slug, "year": w.today.year, "field": "lead_unit", "uidb64": "MQ",
                           "token": "set-password", "content_type_id": 1, "object_id": w.item.pk,
                           "app_label": "tasks", "period": f"{w.today.year}-01", "section": "indicators"}[arg]
    return kwargs


@pytest.fixture(scope="module")
def guard_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module's tests (it was built for each; ``sweeps.built_once``)."""
    media = tmp_path_factory.mktemp("guard-media")
    with built_once(django_db_blocker, media):
        yield make_guard_world(), media


@pytest.fixture
def g(guard_world, monkeypatch, settings) -> World:
    """A copy of the module's world for one test."""
    return copy_for_test(*guard_world, monkeypatch, settings)


def _login(client, u):
    client.force_login(u, backend=MODEL_BACKEND)
    return client


def _refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    return response.status_code == 302 and "/login/" in response["Location"]


def test_view_all_plans_alone_is_refused_every_post_and_nothing_is_written(client, g):
    viewer = user("province_viewer")  # not staff, coordinates nothing, no unit
    viewer.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    table = acts(g)
    assert set(table) == set(ACT_ROUTES) and set(table) <= {name for name, _e in ROUTES}
    posted, failures = 0, []
    for name, entry in ROUTES:
        _login(client, viewer)
        if name in table:
            _who, kwargs, data = table[name]
        else:
            kwargs, data = other_kwargs(g, name, entry), {}
        url = reverse(name, kwargs=kwargs)
        before = table_rows(UNWATCHED)
        response = client.post(url, data)
        posted += 1
        written = tables_changed(before, UNWATCHED)
        if name in OWN_ACCOUNT:
            # The user's own last login; their own API tokens.
            written = [label for label in written if label not in {"auth.User", "tasks.ApiToken"}]
            if response.status_code >= 500:
                failures.append((name, response.status_code))
        elif not _refused(response):
            failures.append((name, response.status_code, response.get("Location", "")))
        if written:
            failures.append((name, "wrote", written))
    assert posted == len(ROUTES) and posted >= 60
    assert not failures, failures


def test_view_all_plans_sees_the_acts_pages_without_their_buttons(client, g):
    viewer = user("province_viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    _login(client, viewer)
    page = client.get(g.pending.get_absolute_url())
    assert page.status_code == 200  # seeing stays
    html = page.content.decode()
    for route in ("work_item_review", "work_item_comment", "notice_issue_item", "work_item_break_down"):
        assert reverse(f"tasks:{route}", args=[g.pending.pk]) not in html, route
    page = client.get(reverse("tasks:bulletin_edit", args=[g.roundup.pk]))
    assert page.status_code == 200 and reverse("tasks:bulletin_publish", args=[g.bulletin.pk]) not in (
        page.content.decode())
    queue = client.get(reverse("tasks:review_queue"))
    assert queue.status_code == 200 and g.pending.text in queue.content.decode()
    assert 'id="bulk-accept-button"' not in queue.content.decode()
    assert reverse("tasks:extension_decide", args=[g.extension.pk]) not in queue.content.decode()
    overdue = client.get(reverse("tasks:overdue"))
    assert overdue.status_code == 200 and g.overdue2.text in overdue.content.decode()
    assert 'id="issue-notices"' not in overdue.content.decode()
    _login(client, g.w.coordinator)  # who acts is shown them
    assert 'id="bulk-accept-button"' in client.get(reverse("tasks:review_queue")).content.decode()
    assert 'id="issue-notices"' in client.get(reverse("tasks:overdue")).content.decode()


@pytest.mark.parametrize("name", ACT_ROUTES)
def test_the_same_post_succeeds_for_who_may_act(name, client, g, celery_eager):
    """The refusals above are the guard's: the same data, posted by ``act_on_all_plans`` (a coordinator's
    act, on a plan it does not coordinate) or by the unit's liaison (a unit's act), is accepted and writes."""
    who, kwargs, data = acts(g)[name]
    if who == COORDINATOR:
        actor = user("province_actor")
        actor.user_permissions.add(Permission.objects.get(codename="act_on_all_plans"))
    else:
        actor = {LEAD: g.w.lead_user, SUPPORT: g.w.support_user}[who]
    _login(client, actor)
    before = table_rows(UNWATCHED)
    response = client.post(reverse(name, kwargs=kwargs), data)
    assert response.status_code == 302 and "/login/" not in response["Location"], (
        response.status_code, response.content.decode()[:2000])
    assert tables_changed(before, UNWATCHED), "accepted but wrote nothing"
