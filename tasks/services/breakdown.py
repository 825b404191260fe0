"""Work broken down (分解交办): a lead unit hands parts of an item to towns or departments; they sign (签收).

Locks, in this order: the parent item, then its sub-items. Every change writes its audit row
(StatusChange) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks import stored_text as T
from tasks.models import CLOSED_STATUSES, Role, StatusChange, Unit, WorkItem, WorkItemUnit
from tasks.rules.actions import Act
from tasks.rules.breakdown import child_deadline_ok, parent_past_due
from tasks.selectors.guard import allowed, authorize
from tasks.selectors.permissions import user_unit

from .workflow import work_item_transition

S = WorkItem.Status
E = StatusChange.Event


@dataclass(frozen=True)
class BreakdownPart:
    """One part to hand over: the unit that will do it, its deadline and an optional target share."""

    unit: Unit
    due_date: date
    target_share: str = ""


def may_break_down(user, item: WorkItem) -> bool:
    """The item's lead unit or its plan's coordinator (the guard); only a top-level, open item is broken down."""
    if item.parent_id is not None or item.status in CLOSED_STATUSES:
        return False
    return allowed(Act.BREAK_DOWN, user, item)


def work_item_break_down(
    *, item: WorkItem, user, parts: Sequence[BreakdownPart], at: datetime | None = None
) -> list[WorkItem]:
    """Create one sub-item per part, each led by its unit and waiting for it to sign for it.

    A sub-item copies the parent's text, key task and indicator; its deadline may not be
    later than the parent's deadline in force, or, when that has already passed, must be a new one
    from today on (``rules.breakdown.child_deadline_ok``). A unit gets at most one sub-item of a parent.
    """
    at = at or timezone.now()
    today = timezone.localdate(at)
    authorize(Act.BREAK_DOWN, user, item)
    if item.parent_id is not None:
        raise ValidationError(_("分解事项不能再次分解。"), code="nested")
    if item.status in CLOSED_STATUSES:
        raise ValidationError(_("该事项已办结，不能分解。"), code="closed")
    if not parts:
        raise ValidationError(_("请至少选择一个承办单位。"), code="empty")
    with transaction.atomic():
        parent = WorkItem.objects.select_for_update().get(pk=item.pk)
        if parent.status in CLOSED_STATUSES:
            raise ValidationError(_("该事项已办结，不能分解。"), code="closed")
        taken = set(
            WorkItemUnit.objects.filter(work_item__parent=parent, role=Role.LEAD).values_list("unit_id", flat=True)
        )
        own = set(WorkItemUnit.objects.filter(work_item=parent, role=Role.LEAD).values_list("unit_id", flat=True))
        errors: list[str] = []
        seen: set[int] = set()
        for part in parts:
            if part.unit.region_id != parent.plan.region_id:
                errors.append(_("%(u)s 不属于本方案的地区。") % {"u": part.unit.name})
            elif part.unit.pk in own:
                errors.append(_("%(u)s 是该事项的牵头单位，无需交办给自己。") % {"u": part.unit.name})
            elif part.unit.pk in taken or part.unit.pk in seen:
                errors.append(_("%(u)s 已有该事项的分解任务。") % {"u": part.unit.name})
            if parent_past_due(parent_due=parent.due_date, today=today):
                if not child_deadline_ok(child_due=part.due_date, parent_due=parent.due_date, today=today):
                    errors.append(
                        _("该事项已于 %(p)s 到期，%(u)s 需要新的期限(今天或以后)，不能用 %(d)s。")
                        % {"u": part.unit.name, "d": part.due_date, "p": parent.due_date}
                    )
            elif not child_deadline_ok(child_due=part.due_date, parent_due=parent.due_date):
                errors.append(
                    _("%(u)s 的期限 %(d)s 晚于该事项的期限 %(p)s。")
                    % {"u": part.unit.name, "d": part.due_date, "p": parent.due_date}
                )
            seen.add(part.unit.pk)
        if errors:
            raise ValidationError(errors)
        start = parent.children.count()
        children = []
        for i, part in enumerate(parts):
            child = WorkItem.objects.create(
                plan_id=parent.plan_id, year=parent.year, key_task_id=parent.key_task_id,
                indicator_id=parent.indicator_id, indicator_name=parent.indicator_name,
                target_text=parent.target_text, text=parent.text, deadline=part.due_date, due_date=part.due_date,
                deadline_text="", recurring=parent.recurring, status=S.AWAITING_SIGN,
                source=WorkItem.Source.BREAKDOWN, position=start + i, parent=parent,
                target_share=(part.target_share or "").strip(), handed_at=at,
            )
            WorkItemUnit.objects.create(work_item=child, unit=part.unit, role=Role.LEAD, position=0)
            StatusChange.objects.create(
                work_item=child, actor=user, at=at, event=E.BROKEN_DOWN, from_status="", to_status=S.AWAITING_SIGN,
                reason=T.written(T.HANDED_BY, u=_handing_unit_name(user, parent)), to_due_date=part.due_date,
            )
            children.append(child)
        StatusChange.objects.create(
            work_item=parent, actor=user, at=at, event=E.BROKEN_DOWN, from_status=parent.status,
            to_status=parent.status,
            reason=T.written(T.HANDED_TO, units="、".join(p.unit.name for p in parts)),
        )
    return children


def _handing_unit_name(user, parent: WorkItem) -> str:
    unit = user_unit(user)
    return unit.name if unit is not None else _("专班")


def work_item_sign(*, item: WorkItem, user, at: datetime | None = None) -> WorkItem:
    """The sub-item's unit signs for it (签收): awaiting sign -> not started, with who and when."""
    at = at or timezone.now()
    authorize(Act.SIGN, user, item)
    with transaction.atomic():
        locked = WorkItem.objects.select_for_update().get(pk=item.pk)
        if locked.status != S.AWAITING_SIGN:
            raise ValidationError(_("该事项不需要签收或已签收。"), code="signed")
        work_item_transition(item=locked, to_status=S.NOT_STARTED, actor=user, at=at, reason=T.written(T.SIGNED))
        WorkItem.objects.filter(pk=locked.pk).update(signed_at=at, signed_by=user)
    item.status, item.signed_at, item.signed_by = S.NOT_STARTED, at, user
    return item


def work_item_waive(*, item: WorkItem, user, reason: str, at: datetime | None = None) -> WorkItem:
    """The coordinator releases a sub-item with a reason (豁免): it no longer holds up its parent."""
    authorize(Act.WAIVE, user, item)
    if item.parent_id is None:
        raise ValidationError(_("只有分解事项可以豁免。"), code="not_sub_item")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写豁免理由。")]})
    with transaction.atomic():
        # The parent first, then the sub-item: the same order as a break-down.
        WorkItem.objects.select_for_update().filter(pk=item.parent_id).order_by("pk").first()  # this row only
        return work_item_transition(item=item, to_status=S.WAIVED, actor=user, reason=reason,
                                    at=at or timezone.now())
