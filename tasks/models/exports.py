"""A list's Excel export made in the background (a province's overdue list: tens of thousands of rows)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def export_path(instance: Export, filename: str) -> str:
    return f"exports/{instance.user_id}/{uuid.uuid4().hex}.xlsx"


class Export(models.Model):
    """One requested export: which list, with which filters and order (the page's query string), for whom;
    how far it got. The rows are read at run time with the user's permissions of that time."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("逾期事项")
        UNIT_WORK = "unit_work", _("本单位事项")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports",
                             verbose_name=_("用户"))
    kind = models.CharField(_("列表"), max_length=20, choices=Kind.choices)
    params = models.TextField(_("筛选与排序"), blank=True)
    # What the rows cover, as its maker was allowed when it was made (``selectors.exports.export_scope``): their
    # unit, or the plans they reviewed. A download checks the maker still may (``export_refusal``).
    scope = models.JSONField(_("导出范围"), default=dict, blank=True)
    as_of = models.DateField(_("统计日期"))
    title = models.CharField(_("标题"), max_length=200)
    filename = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(_("文件"), upload_to=export_path, blank=True)
    size = models.PositiveIntegerField(_("大小"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出")
        verbose_name_plural = _("导出")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="export_user_recent_idx"),
            models.Index(fields=["created_at"], name="export_created_idx"),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
