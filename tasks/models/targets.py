"""Target breakdown (目标分解): an indicator's yearly target split among towns and departments.

Each unit holding a share reports its own actuals; the city's actual is their roll-up unless the
lead department reports a city figure (``IndicatorReport``). The roll-up rules are in
``tasks.rules.targets``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .plan import Indicator, Unit


class RollupMethod(models.TextChoices):
    SUM = "sum", _("求和(数量、累计量)")
    WEIGHTED = "weighted", _("按基数加权平均(比率)")
    NONE = "none", _("不汇总(比率各自考核)")


class TargetBreakdown(models.Model):
    """The split of one indicator's target for one year, and how the shares roll up."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="breakdowns", verbose_name=_("指标")
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    method = models.CharField(_("汇总方式"), max_length=10, choices=RollupMethod.choices, default=RollupMethod.SUM)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("修改人"),
    )
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("目标分解")
        verbose_name_plural = _("目标分解")
        ordering = ["indicator", "year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="breakdown_unique_year")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}"


class TargetShare(models.Model):
    """One unit's share of the year's target; ``base`` weighs a rate (e.g. the town's households)."""

    breakdown = models.ForeignKey(TargetBreakdown, on_delete=models.CASCADE, related_name="shares")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="target_shares", verbose_name=_("单位"))
    value = models.DecimalField(_("分解目标"), max_digits=14, decimal_places=4)
    base = models.DecimalField(
        _("基数"), max_digits=14, decimal_places=4, null=True, blank=True,
        help_text=_("比率类指标按基数加权汇总(如户数、面积)"),
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("分解目标")
        verbose_name_plural = _("分解目标")
        ordering = ["breakdown", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["breakdown", "unit"], name="share_unique_unit"),
            models.CheckConstraint(condition=Q(base__isnull=True) | Q(base__gte=0), name="share_base_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.value}"


class TargetShareReport(models.Model):
    """A unit's actual against its share for a month (the month's first day)."""

    share = models.ForeignKey(TargetShare, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    value = models.DecimalField(_("实际值"), max_digits=14, decimal_places=4)
    note = models.TextField(_("说明"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    reported_at = models.DateTimeField(_("填报时间"))

    class Meta:
        verbose_name = _("分解目标填报")
        verbose_name_plural = _("分解目标填报")
        ordering = ["share", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["share", "month"], name="share_report_unique_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="share_report_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.share_id} {self.month:%Y-%m}: {self.value}"


class TargetBreakdownChange(models.Model):
    """The audit trail of a breakdown: who set or changed which shares, who reported which actual."""

    class Action(models.TextChoices):
        SHARES = "shares", _("调整分解")
        REPORT = "report", _("填报实际值")

    breakdown = models.ForeignKey(TargetBreakdown, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changes = models.JSONField(_("变更内容"), default=list)

    class Meta:
        verbose_name = _("目标分解记录")
        verbose_name_plural = _("目标分解记录")
        ordering = ["breakdown", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.breakdown_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
