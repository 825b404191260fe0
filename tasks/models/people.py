"""People of a unit over time: invitations to set a password, and the record of who joined, left or
replaced whom (the unit's work stays with the unit; only its people change)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .plan import Plan, Unit


class Invitation(models.Model):
    """A single-use, expiring link for one account's owner to set their password.

    Only a SHA-256 digest of the link's token is stored; the token itself is in the message sent to the owner.
    ``used_at`` is set, under a row lock, by the one request that sets the password; a newer invitation of the
    same account ends the older ones (``expires_at`` moved to when it was made).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations",
                             verbose_name=_("账号"))
    digest = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("方案"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("邀请人"))
    created_at = models.DateTimeField(_("邀请时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    # The addresses the link went to (an e-mail address lower-cased, a 浙政钉/钉钉 id): the link works only
    # while each is still the account's, so correcting a wrong address ends what was sent there.
    sent_to = models.JSONField(_("发送地址"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("账号邀请")
        verbose_name_plural = _("账号邀请")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="invitation_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class PeopleChange(models.Model):
    """One change to a unit's people, by whom and when (the audit row of ``services.people``)."""

    class Kind(models.TextChoices):
        ADDED = "added", _("加入本单位")
        UPDATED = "updated", _("更新")
        REPLACED = "replaced", _("接替")
        DEACTIVATED = "deactivated", _("停用")
        MOVED = "moved", _("调至其他单位")
        INVITED = "invited", _("发送邀请")
        PASSWORD_SET = "password_set", _("本人设置密码")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="people_changes", verbose_name=_("单位"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("人员"))
    kind = models.CharField(_("变更"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"))
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    other = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("接替/被接替人"))

    class Meta:
        verbose_name = _("人员变更")
        verbose_name_plural = _("人员变更")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["unit", "-at"], name="people_change_unit_idx")]
        constraints = [models.CheckConstraint(condition=~Q(kind=""), name="people_change_has_kind")]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()} {self.person}"
