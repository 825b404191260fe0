"""A unit's people: add a person (no password: an invitation), replace a liaison, deactivate or move the old one.

The unit's work is the unit's: items, history, reports and 督办单 hang on the unit, not on a person, so a new
liaison sees all of it the moment their profile names the unit. What is a person's is their address on
reminder rows still waiting to go out: a replacement hands those to the new liaison (or cancels them where
the new liaison already has the same one), and takes the old address off the unit's shared list.

Every function asks the guard (``Act.MANAGE_PEOPLE`` on the unit: a coordinator of a plan of the unit's
region) and writes a ``PeopleChange`` row in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks import stored_text as T
from tasks.models import PeopleChange, PersonRole, Plan, Profile, Reminder, Unit, WorkItemUnit
from tasks.models.plan import MOBILE_RE
from tasks.rules.actions import Act
from tasks.selectors.guard import allowed, authorize
from tasks.selectors.permissions import claimed_elsewhere

from .invitations import invitation_send

User = get_user_model()
R = Reminder.RecipientRole
_USERNAME_BAD = re.compile(r"[^\w.@+-]")


@dataclass(frozen=True)
class PersonSpec:
    """A person as the roster or the replacement form gives them."""

    name: str
    mobile: str = ""
    email: str = ""
    title: str = ""
    zzd_id: str = ""
    dingtalk_id: str = ""
    role: str = PersonRole.LIAISON


class PeopleError(ValidationError):
    """The change cannot be made as asked (a message naming the person or the field)."""


def _username_for(spec: PersonSpec) -> str:
    """The login name: the mobile number (what people remember), else the email's local part; made unique."""
    base = spec.mobile or (spec.email.split("@")[0] if spec.email else "") or "user"
    base = _USERNAME_BAD.sub("", base)[:140] or "user"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _person_save(existing, *, unit, spec: PersonSpec, actor, at):
    """The account ``spec`` describes in ``unit``: ``existing`` (the one with that mobile) updated, or a new one."""
    if existing is not None:
        person_update(user=existing, unit=unit, spec=spec, actor=actor, at=at)
        return existing
    return person_create(unit=unit, spec=spec, actor=actor, at=at)


def person_by_mobile(mobile: str):
    """The account whose profile carries ``mobile`` (None if nobody's)."""
    if not mobile:
        return None
    return User.objects.filter(profile__mobile=mobile).select_related("profile__unit").order_by("pk").first()


def _manageable_by_mobile(mobile: str, actor):
    """The account with ``mobile`` (``person_by_mobile``) if ``actor`` may change it; an account they may not
    (another region's, one above them, one of no unit that someone has used: ``claimed_elsewhere``) refuses the
    number without naming whose it is."""
    existing = person_by_mobile(mobile)
    if existing is not None and actor is not None and not allowed(Act.MANAGE_PEOPLE, actor, existing):
        if claimed_elsewhere(existing):
            raise PeopleError({"mobile": [_("手机号 %(m)s 属于一个已登录使用过、尚未归属单位的账号，只有超级管理员"
                                            "可以将其加入单位，请联系超级管理员。") % {"m": mobile}]})
        raise PeopleError({"mobile": [_("手机号 %(m)s 已被其他账号使用。") % {"m": mobile}]})
    return existing


def person_create(*, unit: Unit, spec: PersonSpec, actor, at: datetime) -> object:
    """A new account for ``spec`` at ``unit``, without a usable password (its owner sets one). Unchecked: the
    callers authorize and validate."""
    user = User(username=_username_for(spec), email=spec.email, first_name=spec.name[:150], is_active=True)
    user.set_unusable_password()
    user.save()
    Profile.objects.update_or_create(user=user, defaults=_profile_fields(unit, spec))
    PeopleChange.objects.create(unit=unit, person=user, kind=PeopleChange.Kind.ADDED, actor=actor, at=at,
                                detail=T.written(T.ADDED_AS_TITLED, role=PersonRole(spec.role).label, title=spec.title)
                                if spec.title else T.written(T.ADDED_AS, role=PersonRole(spec.role).label))
    return user


def person_update(*, user, unit: Unit, spec: PersonSpec, actor, at: datetime) -> bool:
    """Bring an existing account in line with ``spec``; True when something changed (an audit row then). ``actor``
    must manage the account as it is (``guard``: its unit's region, nobody above them); None is the operator."""
    if actor is not None:
        authorize(Act.MANAGE_PEOPLE, actor, user)
    changed = False
    if spec.name and user.first_name != spec.name[:150]:
        user.first_name, changed = spec.name[:150], True
    if spec.email and user.email.lower() != spec.email.lower():
        user.email, changed = spec.email, True
    if not user.is_active:
        user.is_active, changed = True, True
    if changed:
        user.save(update_fields=["first_name", "email", "is_active"])
    profile, _created = Profile.objects.get_or_create(user=user)
    fields = _profile_fields(unit, spec)
    moved_from = profile.unit if profile.unit_id and profile.unit_id != unit.pk else None
    diff = {k: v for k, v in fields.items() if v not in ("", None) and getattr(profile, k) != v}
    if diff:
        for k, v in diff.items():
            setattr(profile, k, v)
        profile.save(update_fields=list(diff))
        changed = True
    if changed:
        PeopleChange.objects.create(unit=unit, person=user, kind=PeopleChange.Kind.UPDATED, actor=actor, at=at,
                                    detail=T.written(T.MOVED_FROM, u=moved_from.name) if moved_from else "")
    return changed


def _profile_fields(unit: Unit, spec: PersonSpec) -> dict:
    return {"unit": unit, "role": spec.role, "title": spec.title[:50], "mobile": spec.mobile,
            "zzd_id": spec.zzd_id, "dingtalk_id": spec.dingtalk_id}


def validate_spec(spec: PersonSpec) -> None:
    errors = {}
    if not spec.name.strip():
        errors["name"] = [_("请填写姓名。")]
    if spec.mobile and not MOBILE_RE.match(spec.mobile):
        errors["mobile"] = [_("请填写 11 位手机号。")]
    if spec.email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", spec.email):
        errors["email"] = [_("邮箱格式不正确。")]
    if not spec.email and not spec.zzd_id and not spec.dingtalk_id:
        errors["email"] = [_("请填写邮箱(或浙政钉/钉钉账号)，用于发送邀请。")]
    if spec.role not in PersonRole.values:
        errors["role"] = [_("身份只能是联络员、分管领导或专班协调员。")]
    if errors:
        raise PeopleError(errors)


def unit_person_add(*, unit: Unit, spec: PersonSpec, actor, plan: Plan | None = None,
                    at: datetime | None = None, invite: bool = True):
    """Add a person to ``unit`` (a new account, or a person with no unit yet) and invite them."""
    at = at or timezone.now()
    authorize(Act.MANAGE_PEOPLE, actor, unit)
    validate_spec(spec)
    with transaction.atomic():
        existing = _manageable_by_mobile(spec.mobile, actor)
        if existing is not None and existing.profile.unit_id not in (None, unit.pk):
            raise PeopleError({"mobile": [_("手机号 %(m)s 已是%(u)s的%(n)s，请先在原单位停用或调出。") % {
                "m": spec.mobile, "u": existing.profile.unit.name, "n": existing.get_full_name()}]})
        user = _person_save(existing, unit=unit, spec=spec, actor=actor, at=at)
        if spec.role == PersonRole.COORDINATOR and plan is not None:
            plan.coordinators.add(user)
        if invite:
            invitation_send(user=user, actor=actor, plan=plan, at=at, unit=unit)
    return user


@dataclass(frozen=True)
class Replacement:
    new: object
    old: object
    reminders_moved: int
    reminders_cancelled: int


DEACTIVATE, MOVE = "deactivate", "move"


def unit_liaison_replace(*, unit: Unit, old, spec: PersonSpec, old_fate: str = DEACTIVATE,
                         move_to: Unit | None = None, actor, plan: Plan | None = None,
                         at: datetime | None = None) -> Replacement:
    """``spec`` takes ``old``'s place at ``unit`` with the same role: the old account is deactivated or moved to
    ``move_to``, the unit's pending reminders addressed to the old person go to the new one, and the new person
    is invited. The unit's items and history stay where they are: on the unit."""
    at = at or timezone.now()
    authorize(Act.MANAGE_PEOPLE, actor, unit)
    authorize(Act.MANAGE_PEOPLE, actor, old)  # deactivated or moved: an account the actor manages
    if old_fate == MOVE:
        if move_to is None or move_to.pk == unit.pk:
            raise PeopleError({"move_to": [_("请选择调往的单位。")]})
        authorize(Act.MANAGE_PEOPLE, actor, move_to)
    elif old_fate != DEACTIVATE:
        raise PeopleError({"old_fate": [_("请选择原人员的去向。")]})
    with transaction.atomic():
        old_profile = (Profile.objects.select_for_update().select_related("user")
                       .filter(user=old, unit=unit).first())
        if old_profile is None:
            raise PeopleError(_("%(n)s不是%(u)s的人员。") % {"n": old.get_full_name() or old.username, "u": unit.name})
        spec = PersonSpec(**{**spec.__dict__, "role": old_profile.role})
        validate_spec(spec)
        existing = _manageable_by_mobile(spec.mobile, actor)
        if existing is not None and existing.pk == old.pk:
            raise PeopleError({"mobile": [_("新人员的手机号与原人员相同。")]})
        if existing is not None and existing.profile.unit_id not in (None, unit.pk) and existing.is_active:
            raise PeopleError({"mobile": [_("手机号 %(m)s 已是%(u)s的%(n)s。") % {
                "m": spec.mobile, "u": existing.profile.unit.name, "n": existing.get_full_name()}]})
        new = _person_save(existing, unit=unit, spec=spec, actor=actor, at=at)
        old_email = (old.email or "").strip().lower()
        moved = cancelled = 0
        if old_email and new.email:
            moved, cancelled = _hand_over_reminders(unit=unit, old_email=old_email, new_email=new.email.lower(),
                                                    role=old_profile.role, at=at)
        if old_email:
            kept = [e for e in unit.email_list if e.lower() != old_email]
            if len(kept) != len(unit.email_list):
                unit.emails = "\n".join(kept)
                unit.save(update_fields=["emails"])
        name = old.get_full_name() or old.username
        if old_fate == DEACTIVATE:
            User.objects.filter(pk=old.pk).update(is_active=False)
            PeopleChange.objects.create(unit=unit, person=old, kind=PeopleChange.Kind.DEACTIVATED, actor=actor,
                                        at=at, other=new)
        else:
            old_profile.unit = move_to
            old_profile.save(update_fields=["unit"])
            PeopleChange.objects.create(unit=unit, person=old, kind=PeopleChange.Kind.MOVED, actor=actor, at=at,
                                        other=new, detail=T.written(T.MOVED_TO, u=move_to.name))
            PeopleChange.objects.create(unit=move_to, person=old, kind=PeopleChange.Kind.ADDED, actor=actor, at=at,
                                        detail=T.written(T.MOVED_FROM, u=unit.name))
        PeopleChange.objects.create(
            unit=unit, person=new, kind=PeopleChange.Kind.REPLACED, actor=actor, at=at, other=old,
            detail=T.written(T.REPLACED, n=name, m=moved),
        )
        invitation_send(user=new, actor=actor, plan=plan, at=at, unit=unit)
    return Replacement(new=new, old=old, reminders_moved=moved, reminders_cancelled=cancelled)


def _hand_over_reminders(*, unit: Unit, old_email: str, new_email: str, role: str, at: datetime) -> tuple[int, int]:
    """The unit's pending reminders addressed to ``old_email`` now go to ``new_email``: a liaison's (as lead or
    supporting unit) or a leader's (escalations). One the new address already has is cancelled instead (the
    unique key: never twice). Locked, in the documented order: the reminders."""
    roles = [R.LEADER] if role == PersonRole.LEADER else [R.LEAD, R.SUPPORT]
    items = WorkItemUnit.objects.filter(unit=unit).values("work_item_id")
    pending = list(
        Reminder.objects.select_for_update().filter(
            status=Reminder.Status.PENDING, email__iexact=old_email, role__in=roles, work_item_id__in=items)
        .order_by("pk")
    )
    if not pending:
        return 0, 0
    taken = set(
        Reminder.objects.filter(email__iexact=new_email, work_item_id__in={r.work_item_id for r in pending})
        .values_list("work_item_id", "kind", "deadline", "step")
    )
    move, cancel = [], []
    for r in pending:
        (cancel if (r.work_item_id, r.kind, r.deadline, r.step) in taken else move).append(r.pk)
    Reminder.objects.filter(pk__in=move).update(email=new_email)
    Reminder.objects.filter(pk__in=cancel).update(status=Reminder.Status.CANCELLED,
                                                  last_error=T.written(T.REMINDER_TAKEN_OVER))
    return len(move), len(cancel)
