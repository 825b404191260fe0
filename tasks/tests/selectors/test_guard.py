"""The one guard: standing read from the database, the decision from the rules' table; services refuse
who may only see, and accept who may act; the item page links only the 督办单 its user may open."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tasks.models import Bulletin, Roundup, StatusChange, SupervisionNotice, WorkItem
from tasks.rules.actions import ADDRESSEE, HOLDER, LEAD, REPORTER, REVIEWER, SUPPORT, Act
from tasks.selectors.guard import NotAllowed, allowed, authorize, authorize_plans, standing
from tasks.services import documents as document_service
from tasks.services import notices as notice_service
from tasks.services.breakdown import work_item_break_down
from tasks.services.documents import bulletin_correct, bulletin_for_roundup
from tasks.services.notices import notices_issue_for_items
from tasks.services.reminders import reminders_send_now
from tasks.services.reports import work_item_comment
from tasks.services.review import work_item_return
from tasks.services.roundups import roundup_publish
from tasks.tests.daily_setup import login, user
from tasks.tests.hardening.test_seeing_is_not_acting import make_guard_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stand_in_pdf(monkeypatch):
    monkeypatch.setattr(document_service, "docx_to_pdf", lambda data: b"%PDF-1.4 stand-in")
    monkeypatch.setattr(notice_service, "docx_to_pdf", lambda data: b"%PDF-1.4 stand-in")


def granted(name: str, codename: str):
    u = user(name)
    u.user_permissions.add(Permission.objects.get(codename=codename))
    return get_user_model().objects.get(pk=u.pk)


@pytest.fixture
def g():
    return make_guard_world()


def test_standing_towards_each_kind_of_object(g):
    w = g.w
    assert standing(w.lead_user, w.item) == {LEAD}
    assert standing(w.support_user, w.item) == {SUPPORT}
    assert standing(w.coordinator, w.item) == {REVIEWER}
    assert standing(w.other_coordinator, w.item) == frozenset()
    assert standing(w.lead_user, g.issued) == {ADDRESSEE} and standing(w.support_user, g.issued) == frozenset()
    assert standing(w.lead_user, w.indicator) == {REPORTER}
    share = w.indicator.breakdowns.get().shares.get()
    assert standing(w.lead_user, share) == {HOLDER} and standing(w.support_user, share) == frozenset()
    assert standing(w.coordinator, g.extension) == {REVIEWER}  # an extension request: its item's
    for obj in (w.plan, g.roundup, g.bulletin, g.issued):
        assert REVIEWER in standing(w.coordinator, obj)
    # A unit (its people): the coordinators of its region's plans, not its own liaison.
    assert standing(w.coordinator, w.lead) == {REVIEWER} and standing(w.lead_user, w.lead) == frozenset()
    with pytest.raises(TypeError):
        standing(w.coordinator, w.key_task)  # a key task: the guard does not guess


def test_view_all_plans_holds_no_standing_and_act_on_all_plans_acts_for_every_plan(g):
    w = g.w
    viewer, actor = granted("viewer", "view_all_plans"), granted("actor", "act_on_all_plans")
    root = get_user_model().objects.create_superuser("root", "root@example.gov.cn", "x")
    for obj in (w.item, w.plan, w.other_plan, g.roundup, g.bulletin, g.issued, w.indicator):
        assert standing(viewer, obj) == frozenset(), obj
        assert REVIEWER in standing(actor, obj) and REVIEWER in standing(root, obj)
    assert not allowed(Act.REPORT, actor, w.item)  # acting for the plan is not being its unit
    inactive = granted("gone", "act_on_all_plans")
    inactive.is_active = False
    assert standing(inactive, w.plan) == frozenset()


def test_authorize_raises_a_permission_denied_with_the_acts_message_and_returns_the_standing(g):
    w = g.w
    with pytest.raises(NotAllowed, match="只有牵头单位可以申请办结") as refused:
        authorize(Act.CLOSE, w.support_user, w.item)
    assert isinstance(refused.value, PermissionDenied)  # a 403 page
    assert authorize(Act.REPORT, w.support_user, w.item) == {SUPPORT}
    authorize_plans(Act.CHASE, w.coordinator, {w.plan.pk})
    with pytest.raises(NotAllowed):
        authorize_plans(Act.CHASE, w.coordinator, {w.plan.pk, w.other_plan.pk})


def _plan_acts(g, who):
    """The acts the issue found a view_all_plans user performing, called on the services directly."""
    w = g.w
    return {
        "publish a roundup": lambda: roundup_publish(roundup=g.roundup, actor=who),
        "draft a correction": lambda: bulletin_correct(bulletin=g.published, actor=who),
        "return a review": lambda: work_item_return(item=g.pending, user=who, reason="材料不全"),
        "issue a 督办单": lambda: notices_issue_for_items(items=[g.overdue2], actor=who, today=w.today),
        "comment": lambda: work_item_comment(item=w.item, user=who, note="请加快"),
        "remind now": lambda: reminders_send_now(work_item_ids=[g.overdue2.pk], actor=who, today=w.today),
        "break down": lambda: work_item_break_down(item=w.item, user=who, parts=[]),
    }


def test_services_refuse_a_view_all_plans_user_and_write_nothing(g):
    viewer = granted("viewer", "view_all_plans")
    counts = (StatusChange.objects.count(), Bulletin.objects.count(), SupervisionNotice.objects.count())
    for name, act in _plan_acts(g, viewer).items():
        with pytest.raises(NotAllowed):
            act()
        assert (StatusChange.objects.count(), Bulletin.objects.count(), SupervisionNotice.objects.count()) == (
            counts), name
    assert Roundup.objects.get(pk=g.roundup.pk).status == Roundup.Status.DRAFT
    assert WorkItem.objects.get(pk=g.pending.pk).status == WorkItem.Status.AWAITING_REVIEW


def test_services_accept_act_on_all_plans_on_a_plan_it_does_not_coordinate(g, celery_eager):
    actor = granted("actor", "act_on_all_plans")
    results = {}
    for name, act in _plan_acts(g, actor).items():
        if name == "break down":
            continue  # no parts: refused for the data, not the user (the route test posts real parts)
        results[name] = act()
    assert Roundup.objects.get(pk=g.roundup.pk).status == Roundup.Status.PUBLISHED
    assert WorkItem.objects.get(pk=g.pending.pk).status == WorkItem.Status.RETURNED
    returned = StatusChange.objects.filter(work_item=g.pending, to_status=WorkItem.Status.RETURNED).get()
    assert (returned.actor, returned.from_status, returned.reason) == (
        actor, WorkItem.Status.AWAITING_REVIEW, "材料不全")  # who, from, to, why: recorded as ever
    assert results["issue a 督办单"] and results["draft a correction"].corrects == g.published


def test_bulletin_for_roundup_drafts_only_for_who_may_edit_it(g):
    viewer = granted("viewer", "view_all_plans")
    fresh = Roundup.objects.filter(pk=g.roundup.pk).get()
    fresh.bulletins.all().delete()
    with pytest.raises(NotAllowed):
        bulletin_for_roundup(roundup=fresh, actor=viewer)
    assert not fresh.bulletins.exists()
    assert bulletin_for_roundup(roundup=fresh, actor=g.w.coordinator).pk


def test_a_supporting_unit_is_shown_no_link_to_the_leads_notice(client, g):
    w = g.w
    (notice,) = notices_issue_for_items(items=[w.item], actor=w.coordinator, today=w.today)
    link = reverse("tasks:notice_detail", args=[notice.pk])
    assert client.get(reverse("tasks:notice_detail", args=[notice.pk])).status_code != 200  # anonymous
    login(client, w.support_user)
    assert client.get(w.item.get_absolute_url()).status_code == 200
    assert link not in client.get(w.item.get_absolute_url()).content.decode()
    assert client.get(link).status_code == 404  # the link it is not shown would not open
    for who in (w.lead_user, w.coordinator, granted("viewer", "view_all_plans")):
        login(client, who)
        assert link in client.get(w.item.get_absolute_url()).content.decode(), who
        assert client.get(link).status_code == 200, who
