"""Reminders: one row per (work item, kind, deadline in force, step, recipient), settings per plan, calendar days.

A reminder row is the unit of idempotency: the scan inserts rows (a conflict on the
unique key means "already reminded"), and queuing a digest locks pending rows and flips them
to sent in the same transaction as it queues the digest's messages in the outbox (``Message``,
keyed by the digest, which ``digest`` names), so nothing is queued twice; delivery is the outbox's.
"""

from __future__ import annotations

import re
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .plan import Plan, Unit, WorkItem


class Reminder(models.Model):
    """One reminder of one work item to one email address.

    ``step`` tells apart the reminders of one kind for the same deadline: the lead
    time in working days for ``due_soon`` (7, 3, 1), the week number for
    ``overdue`` (0 = first working day after the deadline), ``YYYYMM`` for
    ``monthly`` and ``YYYYMMDD`` for ``manual``; 0 for the escalations. For ``sign``
    (a broken-down sub-item not signed for in time) ``deadline`` is the day it should
    have been signed by and ``step`` the week number of the chase, like ``overdue``.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("到期提醒")
        OVERDUE = "overdue", _("逾期通知")
        ESCALATE_COORDINATOR = "escalate_coordinator", _("逾期报专班")
        ESCALATE_LEADER = "escalate_leader", _("逾期报分管领导")
        MONTHLY = "monthly", _("月度进展催报")
        MANUAL = "manual", _("人工催办")
        SIGN = "sign", _("签收催办")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        CANCELLED = "cancelled", _("已取消")

    class RecipientRole(models.TextChoices):
        LEAD = "lead", _("牵头单位")
        SUPPORT = "support", _("配合单位")
        COORDINATOR = "coordinator", _("专班")
        LEADER = "leader", _("分管领导")

    work_item = models.ForeignKey(
        WorkItem, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("工作事项")
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    deadline = models.DateField(_("提醒时的现行期限"), null=True, blank=True)
    step = models.PositiveIntegerField(_("批次"), default=0)
    email = models.EmailField(_("收件人"), max_length=254)
    role = models.CharField(_("收件人身份"), max_length=12, choices=RecipientRole.choices)
    # Whose part the reminder chases: the lead unit for the item, a supporting unit for its own part (配合),
    # the unit whose missing part was escalated; empty for rows made before parts were chased on their own.
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("所催单位")
    )
    scheduled_for = models.DateField(_("应发日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    digest = models.UUIDField(_("邮件编号"), null=True, blank=True, help_text=_("同一封汇总邮件中的提醒编号相同"))
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-scheduled_for", "email", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_item", "kind", "deadline", "step", "email"],
                condition=Q(deadline__isnull=False),
                name="reminder_unique_key",
            ),
            models.UniqueConstraint(
                fields=["work_item", "kind", "step", "email"],
                condition=Q(deadline__isnull=True),
                name="reminder_unique_key_undated",
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False, digest__isnull=False) | ~Q(status="sent"),
                name="reminder_sent_has_time_and_digest",
            ),
        ]
        indexes = [
            # Serves both "who has due pending reminders" and "this address's due ones"; partial, so it
            # stays as small as the queue however many reminders were sent over the years.
            models.Index(
                fields=["email", "next_attempt_at"], condition=Q(status="pending"), name="reminder_pending_idx"
            ),
            # The list's order (``ordering``): the admin's first page without sorting every reminder sent.
            models.Index(fields=["-scheduled_for", "email", "id"], name="reminder_list_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.work_item_id} → {self.email}"

    @property
    def step_label(self) -> str:
        if self.kind == self.Kind.DUE_SOON:
            return _("提前%(n)s个工作日") % {"n": self.step}
        if self.kind in (self.Kind.OVERDUE, self.Kind.SIGN):
            return _("逾期第%(n)s周") % {"n": self.step + 1}
        if self.kind == self.Kind.MONTHLY:
            return f"{self.step // 100}-{self.step % 100:02d}"
        if self.kind == self.Kind.MANUAL:
            return f"{self.step // 10000}-{self.step // 100 % 100:02d}-{self.step % 100:02d}"
        return ""


LEAD_TIMES_RE = re.compile(r"^\s*\d{1,2}(\s*[,，、]\s*\d{1,2})*\s*$")


def parse_lead_times(text: str) -> list[int]:
    """``"7,3,1"`` -> ``[7, 3, 1]`` (distinct, largest first)."""
    return sorted({int(n) for n in re.split(r"[,，、]", text) if n.strip()}, reverse=True)


def validate_lead_times(text: str) -> None:
    if not LEAD_TIMES_RE.match(text or "") or not all(1 <= n <= 60 for n in parse_lead_times(text)):
        raise ValidationError(_("请填写 1 到 60 之间的工作日数，用逗号分隔，例如 7,3,1。"))


class ReminderSettings(models.Model):
    """What a plan's reminders do: lead times, send time, which kinds are on, who receives them."""

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, related_name="reminder_settings", verbose_name=_("方案")
    )
    enabled = models.BooleanField(_("启用自动提醒"), default=True)
    send_time = models.TimeField(_("发送时间"), default=time(8, 30), help_text=_("每个工作日在此时间后发送"))
    lead_times = models.CharField(
        _("提前提醒(工作日)"),
        max_length=40,
        default="7,3,1",
        validators=[validate_lead_times],
        help_text=_("到期前多少个工作日提醒牵头单位(及未配合到位的配合单位)，逗号分隔"),
    )
    due_soon_enabled = models.BooleanField(_("到期提醒"), default=True)
    notify_supporting = models.BooleanField(
        _("按配合部分催办配合单位"),
        default=True,
        help_text=_("配合单位未确认配合到位的，与牵头单位一样接收到期提醒、逾期通知和升级报告"),
    )
    overdue_enabled = models.BooleanField(_("逾期通知"), default=True)
    overdue_repeat_days = models.PositiveSmallIntegerField(
        _("逾期通知间隔(天)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    escalate_coordinators = models.BooleanField(_("首次逾期时报专班"), default=True)
    extra_coordinator_emails = models.TextField(
        _("专班其他收件邮箱"), blank=True, help_text=_("与协调员一同接收逾期报告，每行一个或用逗号分隔")
    )
    escalate_leader = models.BooleanField(_("逾期较久时报分管领导"), default=True)
    leader_after_days = models.PositiveSmallIntegerField(
        _("逾期多少天后报分管领导"), default=14, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    monthly_enabled = models.BooleanField(_("月度进展催报"), default=True)
    monthly_day = models.PositiveSmallIntegerField(
        _("月度催报日"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("每月这一天(遇休息日提前到之前的工作日)请有未办结事项的单位填报进展"),
    )
    sign_enabled = models.BooleanField(_("签收催办"), default=True)
    sign_within_days = models.PositiveSmallIntegerField(
        _("签收时限(工作日)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("分解交办的事项在交办后多少个工作日内未签收，即按逾期间隔催办承办单位"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("提醒设置")
        verbose_name_plural = _("提醒设置")
        constraints = [
            models.CheckConstraint(condition=Q(monthly_day__gte=1, monthly_day__lte=28), name="reminder_monthly_day"),
            models.CheckConstraint(condition=Q(overdue_repeat_days__gte=1), name="reminder_overdue_repeat_positive"),
        ]

    def __str__(self) -> str:
        return str(self.plan) if self.plan_id else str(_("默认提醒设置"))

    @property
    def lead_time_list(self) -> list[int]:
        return parse_lead_times(self.lead_times)

    @property
    def extra_coordinator_email_list(self) -> list[str]:
        text = self.extra_coordinator_emails.replace(",", "\n").replace("，", "\n")
        return [e.strip().lower() for e in text.splitlines() if "@" in e]


class ReminderRun(models.Model):
    """A plan's scan on a day; its unique key lets exactly one beat tick scan a plan per day."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reminder_runs", verbose_name=_("方案"))
    day = models.DateField(_("日期"))
    started_at = models.DateTimeField(_("开始时间"))
    created_count = models.PositiveIntegerField(_("新增提醒"), default=0)

    class Meta:
        verbose_name = _("提醒扫描记录")
        verbose_name_plural = _("提醒扫描记录")
        ordering = ["-day", "plan"]
        constraints = [models.UniqueConstraint(fields=["plan", "day"], name="reminder_run_once_per_day")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.day}"


class CalendarOverride(models.Model):
    """A day entered by a coordinator: a holiday or a make-up working day (调休上班). Overrides the package."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"), help_text=_("勾选：调休上班日；不勾选：放假"))
    name = models.CharField(_("说明"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["day"]

    def __str__(self) -> str:
        kind = _("上班") if self.is_workday else _("放假")
        return f"{self.day} {kind} {self.name}".strip()
