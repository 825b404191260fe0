"""Writes on target breakdowns (目标分解): the coordinator's shares and each unit's actuals, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.models import (
    Indicator,
    RollupMethod,
    TargetBreakdown,
    TargetBreakdownChange,
    TargetShare,
    TargetShareReport,
    Unit,
)
from tasks.rules.actions import Act
from tasks.selectors.guard import authorize


@dataclass(frozen=True)
class ShareInput:
    unit: Unit
    value: Decimal | None  # None: the unit holds no share (removed if it had one)
    base: Decimal | None = None


def _num(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def target_breakdown_save(
    *, indicator: Indicator, year: int, method: str, shares: list[ShareInput], user, at: datetime | None = None
) -> TargetBreakdown:
    """Set the shares of ``indicator``'s ``year`` target (a coordinator of its plan only).

    Units not in ``shares`` (or with no value) hold no share afterwards. One audit row lists
    every share set, changed or removed and a change of method; saving the same again writes none.
    """
    at = at or timezone.now()
    plan = indicator.plan
    authorize(Act.BREAK_DOWN_TARGET, user, plan)
    if year not in plan.years:
        raise ValidationError(
            {"year": [_("年份应在方案期限内（%(a)s—%(b)s年）。") % {"a": plan.first_year, "b": plan.last_year}]}
        )
    if method not in RollupMethod.values:
        raise ValidationError({"method": [_("未知的汇总方式。")]})
    seen: set[int] = set()
    for s in shares:
        if s.unit.region_id != plan.region_id or s.unit.kind == Unit.Kind.COLLECTIVE:
            raise ValidationError(_("“%(unit)s”不是%(region)s的具体单位，不能承担分解目标。")
                                  % {"unit": s.unit.name, "region": plan.region.name})
        if s.unit.pk in seen:
            raise ValidationError(_("“%(unit)s”重复。") % {"unit": s.unit.name})
        seen.add(s.unit.pk)
        if (s.value is not None and s.value < 0) or (s.base is not None and s.base < 0):
            raise ValidationError(_("“%(unit)s”的目标和基数不能为负数。") % {"unit": s.unit.name})
    wanted = {s.unit.pk: s for s in shares if s.value is not None}
    with transaction.atomic():
        breakdown, _created = TargetBreakdown.objects.get_or_create(
            indicator=indicator, year=year, defaults={"method": method}
        )
        breakdown = TargetBreakdown.objects.select_for_update().get(pk=breakdown.pk)
        current = {s.unit_id: s for s in breakdown.shares.select_related("unit")}
        changes: list[dict] = []
        if breakdown.method != method:
            changes.append({"field": "method", "from": breakdown.method, "to": method})
            breakdown.method = method
        new, changed = [], []
        for position, s in enumerate(x for x in shares if x.value is not None):
            share = current.pop(s.unit.pk, None)
            if share is None:
                new.append(TargetShare(breakdown=breakdown, unit=s.unit, value=s.value, base=s.base, position=position))
                changes.append({"unit": s.unit.name, "value": [None, _num(s.value)], "base": [None, _num(s.base)]})
            elif (share.value, share.base) != (s.value, s.base) or share.position != position:
                if (share.value, share.base) != (s.value, s.base):
                    changes.append({"unit": s.unit.name, "value": [_num(share.value), _num(s.value)],
                                    "base": [_num(share.base), _num(s.base)]})
                share.value, share.base, share.position = s.value, s.base, position
                changed.append(share)
        removed = [s for s in current.values() if s.unit_id not in wanted]
        for share in removed:
            changes.append({"unit": share.unit.name, "value": [_num(share.value), None],
                            "base": [_num(share.base), None]})
        if removed and TargetShareReport.objects.filter(share__in=removed).exists():
            raise ValidationError(
                _("已有单位填报了实际值，不能删除其分解目标：%(units)s")
                % {"units": "、".join(s.unit.name for s in removed if s.reports.exists())}
            )
        TargetShare.objects.filter(pk__in=[s.pk for s in removed]).delete()
        TargetShare.objects.bulk_create(new)
        TargetShare.objects.bulk_update(changed, ["value", "base", "position"])
        if changes or _created:
            breakdown.updated_by, breakdown.updated_at = user, at
            breakdown.save(update_fields=["method", "updated_by", "updated_at"])
            TargetBreakdownChange.objects.create(
                breakdown=breakdown, actor=user, at=at, action=TargetBreakdownChange.Action.SHARES, changes=changes
            )
    return breakdown


def target_share_report(
    *, share: TargetShare, user, month: date, value: Decimal, note: str = "", at: datetime | None = None
) -> TargetShareReport:
    """Record the actual of the unit holding ``share`` for ``month`` (its liaison only); again corrects it."""
    at = at or timezone.now()
    authorize(Act.REPORT_SHARE, user, share)
    breakdown = share.breakdown
    month = month.replace(day=1)
    if month > timezone.localdate(at).replace(day=1):
        raise ValidationError({"month": [_("不能填报未来月份。")]})
    if month.year != breakdown.year:
        raise ValidationError({"month": [_("月份应在%(year)s年内。") % {"year": breakdown.year}]})
    if value < 0:
        raise ValidationError({"value": [_("实际值不能为负数。")]})
    note = (note or "").strip()
    with transaction.atomic():
        # The share row is the lock: two reports of one month by the same unit queue here. By pk: the
        # models' ordering joins breakdown, indicator, plan and region (and FOR UPDATE would lock those rows).
        TargetShare.objects.select_for_update().filter(pk=share.pk).order_by("pk").first()
        before = TargetShareReport.objects.filter(share=share, month=month).order_by("pk").first()
        report, _created = TargetShareReport.objects.update_or_create(
            share=share, month=month,
            defaults={"value": value, "note": note, "reported_by": user, "reported_at": at},
        )
        TargetBreakdownChange.objects.create(
            breakdown=breakdown, actor=user, at=at, action=TargetBreakdownChange.Action.REPORT, unit=share.unit,
            changes=[{"month": f"{month:%Y-%m}", "value": [_num(before.value) if before else None, _num(value)]}],
        )
    return report
