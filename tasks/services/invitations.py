"""Invitations: an account made for someone has no usable password until its owner sets one, through a
single-use, expiring link sent to them through the outbox (email, and their 浙政钉/钉钉 when configured).

Nobody types a password for anyone: the coordinator invites, the owner sets it. The link's token is
random (``secrets``); only its SHA-256 digest is stored (``Invitation.digest``). Using it locks the row and
checks, under the lock, that it is the account's latest invitation, unused and unexpired, so two tabs
cannot both use it; a newer invitation ends the older ones.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tasks import stored_text as T
from tasks.models import Channel, Invitation, Message, PeopleChange, Plan
from tasks.notifications.routing import ADDRESS_FIELD, personal_routes
from tasks.notifications.services import MessageSpec, messages_queue
from tasks.rules.actions import Act
from tasks.selectors.guard import authorize

User = get_user_model()


class InvitationError(ValidationError):
    """The link cannot be used (unknown, used, expired, superseded) or the account cannot be reached."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def invitation_link(token: str) -> str:
    with translation.override(None):  # the language-neutral path (no /en/ prefix)
        return settings.SITE_URL + reverse("tasks:invitation_open", args=[token])


def invitation_send(*, user, actor=None, plan: Plan | None = None, at: datetime | None = None,
                    unit=None) -> Invitation:
    """Make a new invitation for ``user`` (ending their older ones) and queue the link to them. Accounts are
    made without a usable password (``services.people``); an existing password is left as it is (a
    re-invitation does not lock anyone out). Whoever accepts it sets the account's password, so ``actor`` must
    manage the account (``guard``: its unit's region, nobody above them); None is the operator.

    Raises ``InvitationError`` when the account has no address any channel can reach.
    """
    at = at or timezone.now()
    if actor is not None:
        authorize(Act.MANAGE_PEOPLE, actor, user)
    profile = getattr(user, "profile", None)
    routes = [r for r in personal_routes(email=user.email or "", profile=profile)
              if r.channel in (Channel.EMAIL, Channel.DINGTALK, Channel.ZZD) and r.address]
    if not routes:
        raise InvitationError(_("%(name)s没有邮箱，也没有可用的浙政钉/钉钉账号，无法发送邀请。")
                              % {"name": user.get_full_name() or user.username})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        Invitation.objects.filter(user=locked, used_at__isnull=True, expires_at__gt=at).update(expires_at=at)
        invitation = Invitation.objects.create(
            user=locked, digest=token_digest(token), plan=plan, invited_by=actor, created_at=at,
            sent_to=sorted({_address(r.address) for r in routes}),
            expires_at=at + timedelta(hours=settings.INVITATION_VALID_HOURS),
        )
        unit = unit or (profile.unit if profile else None)
        if unit is not None:
            PeopleChange.objects.create(unit=unit, person=locked, kind=PeopleChange.Kind.INVITED, actor=actor, at=at,
                                        detail=T.written(T.INVITED_UNTIL, t=timezone.localtime(
                                            invitation.expires_at).strftime("%Y-%m-%d %H:%M")))
        messages_queue(specs=_messages(invitation, token, routes, unit=unit), now=at)
    return invitation


def _messages(invitation: Invitation, token: str, routes, *, unit) -> list[MessageSpec]:
    user = invitation.user
    with translation.override("zh-hans"):
        context = {
            "name": user.get_full_name() or user.username, "username": user.username, "unit": unit,
            "plan": invitation.plan, "link": invitation_link(token), "login": settings.SITE_URL + "/accounts/login/",
            "expires": timezone.localtime(invitation.expires_at), "inviter": invitation.invited_by,
            "sso": bool(getattr(settings, "OIDC_ENABLED", False)),
        }
        subject = _("【住有宜居】请设置您的账号密码")
        text = render_to_string("tasks/email/invitation.txt", context)
        markdown = render_to_string("tasks/notifications/invitation.md.txt", context)
    common = {"purpose": Message.Purpose.INVITE, "subject": subject, "recipient_id": user.pk,
              "plan_ids": (invitation.plan_id,) if invitation.plan_id else ()}
    specs = []
    for route in routes:
        key = f"invite:{invitation.pk}:{route.channel}"
        if route.channel == Channel.EMAIL:
            specs.append(MessageSpec(key=key, channel=route.channel, address=route.address, body=text,
                                     note=route.note, **common))
        else:
            specs.append(MessageSpec(key=key, channel=route.channel, address=route.address, body=markdown,
                                     payload={"markdown": markdown, "title": subject}, note=route.note, **common))
    return specs


def _address(address: str) -> str:
    return address.strip().lower()


def contacts_of(user) -> set[str]:
    """Every address the account is reached at now: its e-mail address and its profile's channel ids."""
    profile = getattr(user, "profile", None)
    found = {user.email or "", *(getattr(profile, f, "") or "" for f in ADDRESS_FIELD.values())}
    return {_address(a) for a in found if a and a.strip()}


def invitation_usable(token: str, *, at: datetime | None = None) -> Invitation:
    """The invitation ``token`` names if it can still be used; ``InvitationError`` saying why not otherwise."""
    at = at or timezone.now()
    invitation = (Invitation.objects.select_related("user__profile").filter(digest=token_digest(token or "")).first()
                  if token and len(token) <= 100 else None)
    _check(invitation, at)
    return invitation


def _check(invitation: Invitation | None, at: datetime) -> None:
    if invitation is None:
        raise InvitationError(_("邀请链接无效。请向专班索取新的邀请。"), code="unknown")
    if invitation.used_at is not None:
        raise InvitationError(_("该邀请链接已使用过。请直接登录，忘记密码可向专班索取新的邀请。"), code="used")
    if (invitation.expires_at <= at or not invitation.user.is_active
            or not set(invitation.sent_to) <= contacts_of(invitation.user)):
        raise InvitationError(_("该邀请链接已失效。请向专班索取新的邀请。"), code="expired")


def invitation_accept(*, token: str, password: str, at: datetime | None = None):
    """The owner sets their password with the link: once, before it expires. Returns the user."""
    at = at or timezone.now()
    with transaction.atomic():
        invitation = (Invitation.objects.select_for_update(of=("self",)).select_related("user__profile")
                      .filter(digest=token_digest(token or "")).first() if token and len(token) <= 100 else None)
        _check(invitation, at)
        user = invitation.user
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.used_at = at
        invitation.save(update_fields=["used_at"])
        unit = getattr(getattr(user, "profile", None), "unit", None)
        if unit is not None:
            PeopleChange.objects.create(unit=unit, person=user, kind=PeopleChange.Kind.PASSWORD_SET, actor=user, at=at)
    return user
