"""API tokens: made by their user (or a superuser in the admin), shown once, revoked by their user, their
plans' coordinator or a superuser. Only a digest is stored (tasks.models.ApiToken, django-rest-knox)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.settings import knox_settings

from tasks.models import ApiToken, Profile
from tasks.selectors.permissions import coordinated_plans, is_global


@dataclass(frozen=True)
class NewToken:
    """A token just made: the row, and the key itself, which exists nowhere else once shown."""

    token: ApiToken
    key: str


def live_tokens(user) -> QuerySet[ApiToken]:
    """``user``'s tokens that have not expired, newest first."""
    return ApiToken.objects.filter(user=user).filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))


def create_token(user, *, name: str = "", expiry=None) -> NewToken:
    """A new token for ``user`` (expiring after ``REST_KNOX['TOKEN_TTL']`` unless ``expiry`` says when).

    Refused past ``API_TOKEN_MAX_PER_USER`` unexpired tokens (the user's row is locked, so two requests
    cannot pass the count together)."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
        if live_tokens(user).count() >= settings.API_TOKEN_MAX_PER_USER:
            raise ValidationError(
                _("最多可有 %(count)d 个有效令牌，请先撤销不用的令牌。") % {"count": settings.API_TOKEN_MAX_PER_USER}
            )
        if expiry is None and knox_settings.TOKEN_TTL is not None:
            expiry = knox_settings.TOKEN_TTL
        token, key = ApiToken.objects.create(user=user, expiry=expiry, name=name.strip()[:100])
    return NewToken(token, key)


_DIGEST = re.compile(r"[0-9a-f]{1,128}")


def revoke_token(user, digest: str) -> bool:
    """Delete one of ``user``'s own tokens; whether there was one. ``digest`` comes from a form: a value that
    is not a token's hex digest (NUL, other characters PostgreSQL refuses) names no token."""
    if not _DIGEST.fullmatch(digest or ""):
        return False
    deleted, _rows = ApiToken.objects.filter(user=user, digest=digest).delete()
    return bool(deleted)


def revocable_tokens(user) -> QuerySet[ApiToken]:
    """Tokens ``user`` may see and revoke in the admin: every token for a superuser or a holder of
    ``tasks.act_on_all_plans``; for a coordinator, their own and those of the users whose unit belongs to the
    region of a plan they coordinate; none for anyone else."""
    if user.is_superuser or (is_global(user) and user.has_perm("tasks.act_on_all_plans")):
        return ApiToken.objects.all()
    regions = set(coordinated_plans(user).values())
    if not regions:
        return ApiToken.objects.filter(user=user)
    members = Profile.objects.filter(unit__region_id__in=regions).values("user_id")
    return ApiToken.objects.filter(Q(user=user) | Q(user_id__in=members))


def revoke_tokens_on_new_password(sender, instance, raw=False, **kwargs) -> None:
    """``post_save`` of the user model: a password set anew (``set_password``: the user's change, an admin's
    reset, an invitation accepted) revokes every API token of the user, as it ends their other sessions.
    Someone who changes a password because it leaked must not leave a token taken with it working.
    Django's own rehash of a password at login (a stronger hasher, the same password) is not a new password:
    it clears ``_password`` before saving."""
    if raw:
        return
    if getattr(instance, "_password", None) is not None:
        ApiToken.objects.filter(user_id=instance.pk).delete()


def connect_token_signals() -> None:
    from django.db.models.signals import post_save

    post_save.connect(revoke_tokens_on_new_password, sender=get_user_model(),
                      dispatch_uid="tasks.revoke_tokens_on_new_password")
