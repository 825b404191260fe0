"""The daily work on items: progress reports, evidence, extension requests, the audit trail."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .plan import Indicator, Role, Unit, WorkItem


class StatusChange(models.Model):
    """One row per status change of a work item: who, when, from, to, why."""

    class Event(models.TextChoices):
        TRANSITION = "transition", _("状态变更")
        EXTENSION_REQUESTED = "extension_requested", _("申请延期")
        EXTENSION_GRANTED = "extension_granted", _("批准延期")
        EXTENSION_REJECTED = "extension_rejected", _("驳回延期")
        IMPORTED = "imported", _("导入")
        # The plan's deadline changed (not an extension): by a re-import, or corrected in the admin.
        DEADLINE_REIMPORTED = "deadline_reimported", _("重新导入变更期限")
        DEADLINE_CORRECTED = "deadline_corrected", _("更正原定期限")
        BROKEN_DOWN = "broken_down", _("分解交办")
        SUPPORT_DONE = "support_done", _("配合到位")
        # The item (or part) moved from one unit to another: ``HolderChange`` holds the units, this row the story.
        HOLDER_CHANGED = "holder_changed", _("变更责任单位")

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    event = models.CharField(_("事件"), max_length=30, choices=Event.choices, default=Event.TRANSITION)
    from_status = models.CharField(_("原状态"), max_length=20, choices=WorkItem.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=WorkItem.Status.choices)
    reason = models.TextField(_("原因/说明"), blank=True)
    from_due_date = models.DateField(_("原期限"), null=True, blank=True)
    to_due_date = models.DateField(_("新期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("状态记录")
        verbose_name_plural = _("状态记录")
        ordering = ["work_item", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.work_item_id}: {self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class ProgressReport(models.Model):
    """A unit's report on an item: progress, a supporting contribution, or a close request."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("进展")
        CONTRIBUTION = "contribution", _("配合情况")
        CLOSE_REQUEST = "close_request", _("申请办结")
        COMMENT = "comment", _("督办意见")
        NOTICE_REPLY = "notice_reply", _("督办回复")

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.PROGRESS)
    note = models.TextField(_("情况说明"))
    percent = models.PositiveSmallIntegerField(_("进度(%)"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    # Whether this close request had to carry evidence when it was made (the plan's setting for the item's kind
    # then, and none on file: ``selectors.burden.evidence_demanded_of``), kept so that a later change of the
    # setting does not rewrite what the burden counts say was asked (要求佐证). False for other kinds.
    evidence_demanded = models.BooleanField(_("须附佐证材料"), default=False, editable=False)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["work_item", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100), name="report_percent_range"
            )
        ]
        indexes = [
            # A unit's reports on an item by time: the form's last report (nothing typed twice) and, per reminder,
            # "had the unit reported that month" (selectors.burden), which PostgreSQL otherwise answered by ANDing
            # the item's and the unit's indexes for every reminder (bench/RESULTS.md, session 17).
            models.Index(fields=["work_item", "unit", "created_at"], name="report_item_unit_time_idx"),
        ]

    def __str__(self) -> str:
        return self.note[:40]


def evidence_path(instance: Evidence, filename: str) -> str:
    # Random names: the uploader's file name is kept only as metadata, never as a path.
    return f"evidence/{instance.report.work_item_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file attached to a report; streamed only to users who may see the item."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_path)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.original_name


class ExtensionRequest(models.Model):
    """A request to move an item's deadline (延期申请) and its decision."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        GRANTED = "granted", _("已批准")
        REJECTED = "rejected", _("已驳回")

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="extension_requests")
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    reason = models.TextField(_("延期理由"))
    current_due_date = models.DateField(_("原期限"), null=True, blank=True)
    proposed_due_date = models.DateField(_("申请期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_item"], condition=Q(status="pending"), name="one_pending_extension_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_item_id}: → {self.proposed_due_date}"


class IndicatorReport(models.Model):
    """The actual value of an indicator for a month, reported by its lead unit."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    value = models.DecimalField(_("实际值"), max_digits=14, decimal_places=4)
    note = models.TextField(_("说明"), blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    reported_at = models.DateTimeField(_("填报时间"))

    class Meta:
        verbose_name = _("指标填报")
        verbose_name_plural = _("指标填报")
        ordering = ["indicator", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="indicator_report_unique_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="indicator_report_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.month:%Y-%m}: {self.value}"


class HolderChange(models.Model):
    """One move of an item's (or part's) lead or supporting place from one unit to another: who, when, why.

    ``assignment`` is the ``WorkItemUnit`` row moved (its unit is changed in place, so a chain of moves stays on
    one row): the roundups read, for a period's close, the unit that held the row then (the ``from_unit`` of the
    first move after it), so a past month counts the item against the unit that held it that month. A row given
    to an item (``from_unit`` empty) or taken from it (``to_unit`` empty) is recorded alike. Written only by
    ``services.holders.work_item_holders_set``."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="holder_changes")
    assignment_id = models.BigIntegerField(_("责任单位记录"), null=True, blank=True, db_index=True)
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)
    from_unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("原责任单位"))
    to_unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("新责任单位"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"))
    source = models.CharField(_("途径"), max_length=20)
    reason = models.TextField(_("原因"), blank=True)

    class Meta:
        verbose_name = _("责任单位变更")
        verbose_name_plural = _("责任单位变更")
        ordering = ["work_item", "at", "pk"]
        indexes = [models.Index(fields=["assignment_id", "at"], name="holderchange_row_at_idx")]

    def __str__(self) -> str:
        return f"{self.work_item_id}: {self.from_unit_id} → {self.to_unit_id}"
