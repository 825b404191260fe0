"""A unit's people change, the unit stays: replacing a liaison, leaders who act on nothing, invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tasks.models import Invitation, Message, PeopleChange, PersonRole, Profile, Reminder
from tasks.rules.actions import Act, item_actions
from tasks.selectors.guard import NotAllowed, allowed, authorize, standing
from tasks.selectors.permissions import visible_work_items
from tasks.selectors.reminders import reminder_recipients, reminder_settings_for
from tasks.services.invitations import InvitationError, invitation_accept, invitation_send, invitation_usable
from tasks.services.people import MOVE, PeopleError, PersonSpec, unit_liaison_replace, unit_person_add
from tasks.services.reports import work_item_report_progress
from tasks.tests.daily_setup import login, make_world, user

pytestmark = pytest.mark.django_db
User = get_user_model()


def _token_of(message: Message) -> str:
    return message.body.split("/invitation/")[1].split("/")[0]


def test_coordinator_adds_a_person_without_a_password_and_an_invitation_is_queued():
    w = make_world()
    person = unit_person_add(unit=w.lead, spec=PersonSpec(name="王芳", mobile="13800000001",
                                                          email="wangfang@example.gov.cn", title="科长"),
                             actor=w.coordinator, plan=w.plan)
    assert not person.has_usable_password()  # nobody typed a password for anyone
    assert person.username == "13800000001" and person.profile.unit == w.lead and person.profile.title == "科长"
    (message,) = Message.objects.filter(purpose=Message.Purpose.INVITE)
    assert message.channel == "email" and message.address == "wangfang@example.gov.cn"
    assert "/invitation/" in message.body and "13800000001" in message.body
    assert list(PeopleChange.objects.filter(person=person).values_list("kind", flat=True)) == ["invited", "added"]


def test_invitation_link_is_single_use_expires_and_sets_only_its_owners_password():
    w = make_world()
    person = unit_person_add(unit=w.lead, spec=PersonSpec(name="王芳", email="wf@example.gov.cn"),
                             actor=w.coordinator)
    token = _token_of(Message.objects.get(purpose=Message.Purpose.INVITE))
    assert invitation_usable(token).user == person
    with pytest.raises(InvitationError):
        invitation_usable(token + "x")  # a guessed link names nothing
    invitation_accept(token=token, password="a-Long-pass-2026")
    person.refresh_from_db()
    assert person.check_password("a-Long-pass-2026")
    w.lead_user.refresh_from_db()
    assert not w.lead_user.check_password("a-Long-pass-2026")  # the link sets its own account's password only
    with pytest.raises(InvitationError) as used:
        invitation_accept(token=token, password="another-Pass-99")
    assert used.value.code == "used"
    person.refresh_from_db()
    assert person.check_password("a-Long-pass-2026")
    # A second invitation ends the first; an expired one is refused.
    invitation_send(user=person, actor=w.coordinator)
    later = timezone.now() + timedelta(hours=73)
    token2 = _token_of(Message.objects.filter(purpose=Message.Purpose.INVITE).order_by("-pk").first())
    with pytest.raises(InvitationError) as expired:
        invitation_usable(token2, at=later)
    assert expired.value.code == "expired"


def test_invitation_page_logs_out_whoever_was_there_and_logs_in_the_owner(client):
    w = make_world()
    person = unit_person_add(unit=w.lead, spec=PersonSpec(name="王芳", email="wf@example.gov.cn"),
                             actor=w.coordinator)
    token = _token_of(Message.objects.get(purpose=Message.Purpose.INVITE))
    login(client, w.coordinator)  # someone else's session in this browser
    url = reverse("tasks:invitation_open", args=[token])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"new_password1": "a-Long-pass-2026", "new_password2": "different-Pass-1"})
    assert bad.status_code == 400 and not Invitation.objects.get().used_at
    response = client.post(url, {"new_password1": "a-Long-pass-2026", "new_password2": "a-Long-pass-2026"})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == person.pk  # the owner, never the coordinator
    assert w.item.text in client.get(reverse("tasks:home")).content.decode()  # sees the unit's items
    again = client.post(url, {"new_password1": "x-Long-pass-2027", "new_password2": "x-Long-pass-2027"})
    assert again.status_code == 410
    assert client.get(reverse("tasks:invitation_open", args=["nothing"])).status_code == 404


def test_replacing_a_liaison_keeps_the_units_work_and_hands_over_pending_reminders():
    w = make_world()
    old = w.lead_user
    now = timezone.now()
    common = {"work_item": w.item, "deadline": w.item.due_date, "role": "lead", "scheduled_for": w.today,
              "created_at": now, "next_attempt_at": now}
    pending = Reminder.objects.create(kind="due_soon", step=7, email=old.email, **common)
    sent = Reminder.objects.create(kind="due_soon", step=3, email=old.email, status="sent", sent_at=now,
                                   digest="00000000-0000-0000-0000-000000000001", **common)
    other_unit = Reminder.objects.create(kind="due_soon", step=7, email=old.email, **{**common,
                                         "work_item": w.other_item})
    result = unit_liaison_replace(unit=w.lead, old=old, spec=PersonSpec(name="李强", mobile="13900000002",
                                                                        email="liqiang@example.gov.cn"),
                                  actor=w.coordinator)
    new = result.new
    old.refresh_from_db()
    assert not old.is_active and result.reminders_moved == 1
    pending.refresh_from_db(), sent.refresh_from_db(), other_unit.refresh_from_db()
    assert pending.email == "liqiang@example.gov.cn" and pending.status == "pending"
    assert sent.email == old.email  # history stays as it was
    assert other_unit.email == old.email  # another unit's item is not this unit's to hand over
    assert w.item in visible_work_items(new)  # the new liaison sees the unit's work at once
    assert standing(new, w.item) == {"lead"} and standing(old, w.item) == frozenset()
    kinds = set(PeopleChange.objects.filter(unit=w.lead).values_list("kind", flat=True))
    assert {"added", "replaced", "deactivated", "invited"} <= kinds
    # The recipients read the new person, not the old.
    people = reminder_recipients(plan_ids=[w.plan.pk], settings=reminder_settings_for(plan_ids=[w.plan.pk]))
    assert "liqiang@example.gov.cn" in people.contacts[w.lead.pk] and old.email not in people.contacts[w.lead.pk]


def test_replacing_can_move_the_old_liaison_to_another_unit():
    w = make_world()
    result = unit_liaison_replace(unit=w.lead, old=w.lead_user, spec=PersonSpec(name="李强", email="lq@x.gov.cn"),
                                  old_fate=MOVE, move_to=w.other, actor=w.coordinator)
    w.lead_user.refresh_from_db()
    assert w.lead_user.is_active and w.lead_user.profile.unit == w.other
    assert result.new.profile.unit == w.lead


def test_only_a_coordinator_of_the_units_region_manages_its_people():
    w = make_world()
    spec = PersonSpec(name="王芳", email="wf@example.gov.cn")
    for refused in (w.lead_user, w.support_user, user("stranger")):
        with pytest.raises(PermissionDenied):
            unit_person_add(unit=w.lead, spec=spec, actor=refused)
        with pytest.raises(PermissionDenied):
            unit_liaison_replace(unit=w.lead, old=w.lead_user, spec=spec, actor=refused)
    viewer = user("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    with pytest.raises(NotAllowed):
        unit_person_add(unit=w.lead, spec=spec, actor=viewer)  # seeing never writes
    # Another region's coordinator.
    from tasks.tests.factories import PlanFactory, RegionFactory, UnitFactory

    far = PlanFactory(region=RegionFactory(name="别的区", slug="far"))
    far_coord = user("farcoord")
    far.coordinators.add(far_coord)
    assert not allowed(Act.MANAGE_PEOPLE, far_coord, w.lead)
    assert allowed(Act.MANAGE_PEOPLE, far_coord, UnitFactory(region=far.region, name="远方局"))
    assert allowed(Act.MANAGE_PEOPLE, w.coordinator, w.lead) and allowed(Act.MANAGE_PEOPLE, w.other_coordinator,
                                                                          w.lead)
    assert Message.objects.count() == 0


def test_a_person_already_in_another_unit_is_refused():
    w = make_world()
    Profile.objects.filter(user=w.other_user).update(mobile="13700000003")
    with pytest.raises(PeopleError):
        unit_person_add(unit=w.lead, spec=PersonSpec(name="某", mobile="13700000003", email="a@b.cn"),
                        actor=w.coordinator)


def test_a_leader_sees_the_units_work_acts_on_nothing_and_receives_escalations(client):
    w = make_world()
    leader = unit_person_add(unit=w.lead, spec=PersonSpec(name="张副局长", email="boss@example.gov.cn",
                                                          role=PersonRole.LEADER), actor=w.coordinator)
    assert w.item in visible_work_items(leader)
    assert standing(leader, w.item) == frozenset() and standing(leader, w.indicator) == frozenset()
    with pytest.raises(NotAllowed):
        authorize(Act.REPORT, leader, w.item)
    with pytest.raises(NotAllowed):
        work_item_report_progress(item=w.item, user=leader, note="x", percent=10)
    acts = item_actions(status=w.item.status, role=None, reviewer=False, has_deadline=True, pending_extension=False)
    assert not any(vars(acts).values())
    people = reminder_recipients(plan_ids=[w.plan.pk], settings=reminder_settings_for(plan_ids=[w.plan.pk]))
    assert people.leaders[w.lead.pk] == ("boss@example.gov.cn",)
    assert "boss@example.gov.cn" not in people.contacts[w.lead.pk]  # not the unit's daily reminders
    leader.set_password("a-Long-pass-2026")
    leader.save()
    login(client, leader)
    page = client.get(w.item.get_absolute_url())
    assert page.status_code == 200
    assert reverse("tasks:work_item_report", args=[w.item.pk]) not in page.content.decode()
    assert client.get(reverse("tasks:plan_detail", args=[w.plan.slug])).status_code == 200
    assert client.post(reverse("tasks:work_item_report", args=[w.item.pk]), {"note": "x", "percent": "10"}
                       ).status_code in (403, 400)


def test_people_page_round_trip_and_refusals(client):
    w = make_world()
    url = reverse("tasks:unit_people", args=[w.lead.pk])
    login(client, w.lead_user)
    assert client.get(url).status_code == 403
    login(client, w.coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "lead" in page.content.decode()
    assert reverse("tasks:unit_people", args=[w.lead.pk]) in client.get(w.lead.get_absolute_url()).content.decode()
    response = client.post(url, {"add-name": "王芳", "add-email": "wf@example.gov.cn", "add-mobile": "13800000001",
                                 "add-role": "liaison"})
    assert response.status_code == 302
    new = User.objects.get(username="13800000001")
    response = client.post(reverse("tasks:unit_person_replace", args=[w.lead.pk]), {
        "person": str(w.lead_user.pk), f"r{w.lead_user.pk}-old": str(w.lead_user.pk),
        f"r{w.lead_user.pk}-name": "李强", f"r{w.lead_user.pk}-email": "lq@example.gov.cn",
        f"r{w.lead_user.pk}-old_fate": "deactivate"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not User.objects.get(pk=w.lead_user.pk).is_active
    assert client.post(reverse("tasks:unit_person_invite", args=[w.lead.pk]), {"person": str(new.pk)}
                       ).status_code == 302
    assert Invitation.objects.filter(user=new).count() == 2


def test_the_people_page_asks_for_a_superuser_to_place_a_used_account_of_no_unit(client):
    """The page says who places an account of no unit that someone has used; adding one by its mobile is
    refused on the form (400) without the account's name, asking for a superuser, and nothing of it changes."""
    w = make_world()
    used = user("used_page", first_name="秘密姓名")
    Profile.objects.create(user=used, mobile="13800000095")
    User.objects.filter(pk=used.pk).update(last_login=timezone.now())
    url = reverse("tasks:unit_people", args=[w.lead.pk])
    login(client, w.coordinator)
    assert 'id="claim-note"' in client.get(url).content.decode()
    response = client.post(url, {"add-name": "王芳", "add-email": "wf@example.gov.cn", "add-mobile": "13800000095",
                                 "add-role": "liaison"})
    html = response.content.decode()
    assert response.status_code == 400 and "超级管理员" in html and "秘密姓名" not in html
    used.refresh_from_db()
    assert used.profile.unit is None and used.email == "used_page@example.gov.cn"
    assert not Invitation.objects.filter(user=used).exists()
