"""A coordinator changes and invites only the people under them: every way an account is written on a
coordinator's behalf (the roster import matching by mobile or by address, adding a person, replacing a
liaison, inviting again) leaves alone an account of another region or above the coordinator.

An invitation sets the password of the account it names, and its link goes to the address on the account:
an account whose address a coordinator could change (a roster row with its address and a mobile, then one
with the mobile and their own address) became theirs, the superuser's too. The guard's ``manage_people`` on
an account (``permissions.manages_person``) is the one rule; each entry point below is tried against each
kind of account, and the same entry points on accounts the coordinator does manage succeed (so a refusal is
the guard's).
"""

from __future__ import annotations

import contextlib
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tasks.importers.roster import ParsedRoster, RosterRow
from tasks.models import Invitation, PersonRole, Profile
from tasks.services.invitations import invitation_send
from tasks.services.people import PersonSpec, unit_liaison_replace, unit_person_add
from tasks.services.roster import RosterRefused, roster_import
from tasks.tests.daily_setup import liaison, make_world, user
from tasks.tests.factories import PlanFactory, RegionFactory, UnitFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
ATTACKER = "attacker@example.com"


def _accounts(w) -> dict[str, object]:
    """One account of each kind a coordinator of ``w.plan`` must not change, each with an address and a mobile
    (those without a profile have none: they are found by address)."""
    region_b = RegionFactory(name="别的区", slug="region-b")
    plan_b = PlanFactory(region=region_b)
    unit_b = UnitFactory(region=region_b, name="别区建设局")
    out = {"superuser": User.objects.create_superuser("root", "root@example.gov.cn", "x")}
    with_profile = user("root2", is_superuser=True, is_staff=True)
    Profile.objects.create(user=with_profile, mobile="13900000002")
    out["superuser with a mobile"] = with_profile
    for codename in ("act_on_all_plans", "view_all_plans"):
        holder = user(codename)
        holder.user_permissions.add(Permission.objects.get(codename=codename))
        Profile.objects.create(user=holder, mobile=f"1390000001{len(out)}")
        out[codename] = holder
    coord_b = user("coord_b")
    plan_b.coordinators.add(coord_b)
    Profile.objects.create(user=coord_b, mobile="13900000020")
    out["another region's coordinator"] = coord_b
    out["another plan's coordinator (same region)"] = w.other_coordinator
    staff = user("staff_b", is_staff=True)
    Profile.objects.create(user=staff, mobile="13900000021")
    out["staff"] = staff
    liaison_b = liaison(unit_b, "liaison_b")
    Profile.objects.filter(user=liaison_b).update(mobile="13900000022")
    out["another region's liaison"] = liaison_b
    gone = liaison(unit_b, "gone_b")
    Profile.objects.filter(user=gone).update(mobile="13900000023")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    out["another region's former liaison"] = gone
    # Accounts of no unit that someone has used (logged in: a password, an invitation, single sign-on): only a
    # superuser claims them (``permissions.claimed_elsewhere``).
    used = user("used_no_unit")
    Profile.objects.create(user=used, mobile="13900000024")
    out["a used account of no unit"] = used
    bare = user("used_no_profile")
    out["a used account without a profile"] = bare
    moved = liaison(unit_b, "moved_out")
    Profile.objects.filter(user=moved).update(unit=None, mobile="13900000025")
    out["a former liaison now of no unit"] = moved
    User.objects.filter(pk__in=[used.pk, bare.pk, moved.pk]).update(last_login=timezone.now())
    return {k: User.objects.get(pk=v.pk) for k, v in out.items()}


def _state(account) -> str:
    """The account's row and profile, and its invitations: anything a write changes."""
    rows = (list(User.objects.filter(pk=account.pk).values_list()), list(Profile.objects.filter(user=account)
            .values_list()), Invitation.objects.filter(user=account).count())
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _mobile(account) -> str:
    return getattr(getattr(account, "profile", None), "mobile", "") or ""


def _roster(w, rows: list[RosterRow]) -> None:
    roster_import(plan=w.plan, parsed=ParsedRoster(sheet="s", columns={}, rows=rows), actor=w.coordinator)


def _attempts(w, account) -> dict[str, object]:
    """Each way a coordinator of ``w.plan`` writes an account, aimed at ``account``."""
    mobile = _mobile(account) or "13800000077"
    unit = w.lead.name
    return {
        "roster by address": lambda: _roster(w, [RosterRow(row=2, unit=unit, name="张三", mobile="13800000077",
                                                           email=account.email)]),
        "roster by mobile, new address": lambda: _roster(w, [RosterRow(row=2, unit=unit, name="张三", mobile=mobile,
                                                                       email=ATTACKER)]),
        "add a person with its mobile": lambda: unit_person_add(
            unit=w.lead, spec=PersonSpec(name="张三", mobile=mobile, email=ATTACKER), actor=w.coordinator),
        "replace a liaison by it": lambda: unit_liaison_replace(
            unit=w.lead, old=w.lead_user, spec=PersonSpec(name="张三", mobile=mobile, email=ATTACKER),
            actor=w.coordinator),
        "invite it": lambda: invitation_send(user=account, actor=w.coordinator),
    }


def test_a_coordinator_changes_and_invites_no_account_of_another_region_or_above_them():
    w = make_world()
    failures = []
    accounts = _accounts(w)
    for kind, account in accounts.items():
        for how, attempt in _attempts(w, account).items():
            before = _state(account)
            with contextlib.suppress(PermissionDenied, ValidationError, RosterRefused):
                attempt()
            if _state(account) != before:
                failures.append((kind, how))
            # A new account the attempt made for the address is not the finding (an existing one taking it is).
            User.objects.filter(email=ATTACKER).exclude(pk__in=[a.pk for a in accounts.values()]).delete()
    assert not failures, failures


def test_the_same_writes_reach_the_coordinators_own_people():
    """The control: a liaison of the plan's region, and an account of nobody yet, are changed and invited by the
    same entry points (the refusals above are the guard's, not the data's)."""
    w = make_world()
    own = liaison(w.support, "own")
    Profile.objects.filter(user=own).update(mobile="13800000051")
    nobody = user("nobody_yet")
    Profile.objects.create(user=nobody, mobile="13800000052")
    for account in (User.objects.get(pk=own.pk), User.objects.get(pk=nobody.pk)):
        before = _state(account)
        invitation_send(user=account, actor=w.coordinator)
        assert _state(account) != before
    _roster(w, [RosterRow(row=2, unit=w.support.name, name="新名字", mobile="13800000051",
                          email="own2@example.gov.cn")])
    own.refresh_from_db()
    assert (own.first_name, own.email) == ("新名字", "own2@example.gov.cn")
    unit_person_add(unit=w.lead, spec=PersonSpec(name="李四", mobile="13800000052", email="ls@example.gov.cn",
                                                 role=PersonRole.LIAISON), actor=w.coordinator)
    nobody.refresh_from_db()
    assert nobody.profile.unit == w.lead and nobody.email == "ls@example.gov.cn"


def test_a_used_account_of_no_unit_is_claimed_by_a_superuser_only_and_the_refusal_names_nobody():
    """An account of no unit is a new person's for any coordinator to place, until someone has logged in with
    it: then the roster row, adding and replacing by its mobile are refused without its name, asking for a
    superuser, and a superuser places it."""
    w = make_world()
    used = user("used_one", first_name="秘密姓名")
    Profile.objects.create(user=used, mobile="13800000091")
    User.objects.filter(pk=used.pk).update(last_login=timezone.now())
    used = User.objects.get(pk=used.pk)
    before = _state(used)
    with pytest.raises(RosterRefused) as refused:
        _roster(w, [RosterRow(row=2, unit=w.lead.name, name="张三", mobile="13800000091", email=ATTACKER)])
    roster_errors = " ".join(e for row in refused.value.preview.rows for e in row.errors)
    spec = PersonSpec(name="张三", mobile="13800000091", email=ATTACKER)
    with pytest.raises(ValidationError) as added:
        unit_person_add(unit=w.lead, spec=spec, actor=w.coordinator)
    with pytest.raises(ValidationError) as replaced:
        unit_liaison_replace(unit=w.lead, old=w.lead_user, spec=spec, actor=w.coordinator)
    for text in (roster_errors, " ".join(added.value.messages), " ".join(replaced.value.messages)):
        assert "超级管理员" in text and "秘密姓名" not in text and used.username not in text, text
    assert _state(used) == before
    root = user("root_claims", is_superuser=True, is_staff=True)
    unit_person_add(unit=w.lead, spec=spec, actor=root)
    used.refresh_from_db()
    assert used.profile.unit == w.lead and used.email == ATTACKER


def test_the_roster_names_no_account_it_may_not_change():
    """A row refused for another region's account says so without that account's username or name."""
    w = make_world()
    account = _accounts(w)["another region's coordinator"]
    account.first_name, account.email = "秘密姓名", "b-office@example.gov.cn"
    account.save(update_fields=["first_name", "email"])
    with pytest.raises(RosterRefused) as refused:
        _roster(w, [RosterRow(row=2, unit=w.lead.name, name="张三", mobile="13800000078", email=account.email)])
    errors = " ".join(e for row in refused.value.preview.rows for e in row.errors)
    assert errors and account.username not in errors and "秘密姓名" not in errors


def test_an_invitations_token_is_on_no_admin_page(client):
    """Only the token's digest is kept (``Invitation``); the message that carries the link keeps its body to
    send it, and the outbox's admin, read by the plan's staff coordinators and province-wide staff, shows it
    without the token: reading a message is not setting someone's password."""
    from django.urls import reverse

    from tasks.models import Message
    from tasks.tests.daily_setup import MODEL_BACKEND

    w = make_world()
    _roster(w, [RosterRow(row=2, unit=w.lead.name, name="王芳", mobile="13800000061", email="wf@example.gov.cn")])
    message = Message.objects.get(purpose=Message.Purpose.INVITE)
    token = message.body.split("/invitation/")[1].split("/")[0]
    assert len(token) > 20
    staff = user("staff_coord", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_message"))
    w.plan.coordinators.add(staff)
    root = user("root", is_superuser=True, is_staff=True)
    for reader in (staff, root):
        client.force_login(reader, backend=MODEL_BACKEND)
        for url in (reverse("admin:tasks_message_changelist"), reverse("admin:tasks_message_change",
                                                                       args=[message.pk])):
            response = client.get(url)
            assert response.status_code == 200, (reader.username, url)
            assert token not in response.content.decode(), (reader.username, url)
    client.force_login(root, backend=MODEL_BACKEND)
    page = client.get(reverse("admin:tasks_message_change", args=[message.pk])).content.decode()
    assert "/invitation/…" in page  # the body is shown, without its token


def test_a_privileged_account_listed_in_a_unit_is_not_replaced_or_reinvited_and_shows_no_button(client):
    """An account above the coordinator that an operator listed in one of the region's units (a superuser who
    is also a liaison) is neither deactivated by a replacement nor invited again; the unit's page offers
    neither for it."""
    from django.urls import reverse

    from tasks.tests.daily_setup import MODEL_BACKEND

    w = make_world()
    root = user("root_liaison", is_superuser=True, is_staff=True)
    Profile.objects.create(user=root, unit=w.lead, mobile="13800000081")
    root = User.objects.get(pk=root.pk)
    before = _state(root)
    for attempt in (
        lambda: unit_liaison_replace(unit=w.lead, old=root, spec=PersonSpec(name="新人", email="xr@example.gov.cn"),
                                     actor=w.coordinator),
        lambda: invitation_send(user=root, actor=w.coordinator),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert _state(root) == before
    client.force_login(w.coordinator, backend=MODEL_BACKEND)
    page = client.get(reverse("tasks:unit_people", args=[w.lead.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{root.pk}"' not in html and f'value="{w.lead_user.pk}"' in html
    response = client.post(reverse("tasks:unit_person_invite", args=[w.lead.pk]), {"person": str(root.pk)})
    assert response.status_code == 403 and _state(root) == before


def test_a_fellow_coordinator_listed_as_they_are_passes_the_roster_unchanged():
    """The region's template lists every coordinator of the region; one of another plan, listed as they are,
    does not refuse the roster (nothing of theirs is written), and changed, it does."""
    w = make_world()
    fellow = w.other_coordinator
    Profile.objects.create(user=fellow, unit=w.lead, role=PersonRole.COORDINATOR, mobile="13800000071")
    fellow.first_name = "同区专班"
    fellow.save(update_fields=["first_name"])
    before = _state(fellow)
    row = RosterRow(row=2, unit=w.lead.name, name="同区专班", mobile="13800000071", email=fellow.email,
                    role=PersonRole.COORDINATOR)
    _roster(w, [row])
    assert _state(fellow) == before
    with pytest.raises(RosterRefused):
        _roster(w, [RosterRow(**{**row.__dict__, "name": "改名"})])
    assert _state(fellow) == before


def test_the_roster_asks_the_guard_of_every_matched_account_in_constant_queries():
    """The guard's reads of a roster's matched accounts are primed at once (``prime_standing``): 5 or 60 existing
    people cost the same statements, and the primed answers are the lazily read ones for every kind of account."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.selectors.permissions import manages_person, prime_standing
    from tasks.selectors.roster import roster_preview

    w = make_world()
    kinds = _accounts(w)
    lazy = {k: manages_person(w.coordinator, User.objects.get(pk=a.pk)) for k, a in kinds.items()}
    fresh = [User.objects.get(pk=a.pk) for a in kinds.values()]
    prime_standing(fresh)
    with CaptureQueriesContext(connection) as primed_reads:
        primed = {k: manages_person(w.coordinator, a) for k, a in zip(kinds, fresh, strict=True)}
    assert primed == lazy and not any(lazy.values())
    assert len(primed_reads.captured_queries) <= 1  # the actor's own standing, once

    def cost(n: int) -> int:
        rows = []
        for i in range(n):
            person = liaison(w.support, f"p{n}_{i}")
            Profile.objects.filter(user=person).update(mobile=f"137{n:02d}{i:06d}")
            rows.append(RosterRow(row=i + 2, unit=w.support.name, name=f"人{i}", mobile=f"137{n:02d}{i:06d}",
                                  email=person.email))
        actor = User.objects.get(pk=w.coordinator.pk)
        with CaptureQueriesContext(connection) as reads:
            preview = roster_preview(plan=w.plan, parsed=ParsedRoster(sheet="s", columns={}, rows=rows), actor=actor)
        assert preview.ok
        return len(reads.captured_queries)

    assert cost(5) == cost(60)
