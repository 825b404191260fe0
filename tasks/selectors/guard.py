"""The one guard: may this user perform this act on this object?

``authorize(act, user, obj)`` reads the user's standing towards ``obj`` (their unit's role on an item, the
plans they act for, the unit a 督办单 was sent to, ...) and asks the table of ``tasks.rules.actions``
(``WHO`` / ``permitted``), raising ``NotAllowed`` (a ``PermissionDenied``: a 403 page) when it does not grant
the act. Every service that writes on a user's behalf calls it before writing; pages ask ``allowed`` or
``actions_on`` to show a button, so what is shown and what is accepted come from the same rule.

The guard decides *who* may act; the object's state (an item's status, a notice already issued) is
checked by the service under its lock, with the transition table of the same rules module.

``obj`` is a work item or an extension request (its item) for item acts; a plan, roundup, bulletin or
督办单 (its plan) for plan acts; a 督办单 for a reply; an indicator for its values; a target share for a
unit's actual; a unit for its people; a user (an account) for changing it or inviting it.

Only a liaison acts for their unit (``permissions.acting_unit``): a 分管领导 sees the unit's work and is
refused every act.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tasks.models import (
    Bulletin,
    ExtensionRequest,
    Indicator,
    Plan,
    Roundup,
    SupervisionNotice,
    TargetShare,
    Unit,
    WorkItem,
)
from tasks.rules.actions import ADDRESSEE, HOLDER, LEAD, REPORTER, REVIEWER, SUPPORT, Act, item_standing
from tasks.rules.actions import permitted as _permitted

from .permissions import (
    acting_unit,
    can_act_on_plan,
    is_indicator_reporter,
    manages_people_of,
    manages_person,
    rates_what_they_raised,
    unit_role,
)


class NotAllowed(PermissionDenied):
    """The user's standing does not grant the act (a 403 page)."""


def _refusals() -> dict[str, str]:
    # Read at refusal time, so the message is in the request's language.
    return {
        Act.REPORT: _("您的单位不负责该事项。"),
        Act.SIGN: _("只有承办单位可以签收。"),
        Act.CLOSE: _("只有牵头单位可以申请办结。"),
        Act.EXTEND: _("只有牵头单位可以申请延期。"),
        Act.SUPPORT_DONE: _("只有配合单位可以确认配合到位。"),
        Act.BREAK_DOWN: _("只有牵头单位或专班可以分解交办该事项。"),
        Act.WAIVE: _("只有本方案的协调员可以豁免分解事项。"),
        Act.REVIEW: _("只有本方案的协调员可以审核。"),
        Act.REOPEN: _("只有本方案的协调员可以审核。"),
        Act.RATE: _("只有提出人或本方案的协调员可以评价。"),
        Act.DECIDE_EXTENSION: _("只有本方案的协调员可以审核。"),
        Act.COMMENT: _("只有本方案的协调员可以发表督办意见。"),
        Act.CHASE: _("只有该方案的专班协调员可以催办。"),
        Act.ISSUE_NOTICE: _("只有本方案的协调员可以督办。"),
        Act.GENERATE_ROUNDUP: _("只有本方案的协调员可以生成晾晒通报。"),
        Act.PUBLISH_ROUNDUP: _("只有本方案的协调员可以印发晾晒通报。"),
        Act.EDIT_BULLETIN: _("只有本方案的协调员可以编辑通报。"),
        Act.BREAK_DOWN_TARGET: _("只有该方案的专班协调员可以分解目标。"),
        Act.IMPORT_PLAN: _("只有本方案的协调员可以导入覆盖该方案。"),
        Act.REPLY_NOTICE: _("只有被督办单位可以回复督办单。"),
        Act.REPORT_INDICATOR: _("只有该指标所服务重点任务的牵头单位可以填报。"),
        Act.REPORT_SHARE: _("只有承担该分解目标的单位可以填报。"),
        Act.MANAGE_PEOPLE: _("只有本地区方案的专班协调员可以管理该单位的人员。"),
    }


def _plan_id(obj) -> int:
    if isinstance(obj, Plan):
        return obj.pk
    if isinstance(obj, ExtensionRequest):
        return obj.work_item.plan_id
    return obj.plan_id  # an item, roundup, bulletin, 督办单, indicator


_KNOWN = (WorkItem, Plan, Roundup, Bulletin, SupervisionNotice, Indicator, TargetShare, Unit)


def standing(user, obj) -> frozenset[str]:
    """The marks of ``tasks.rules.actions`` that ``user`` holds towards ``obj`` (see the module)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if isinstance(obj, ExtensionRequest):
        obj = obj.work_item
    if not isinstance(obj, (*_KNOWN, get_user_model())):
        raise TypeError(f"the guard knows no standing towards {type(obj).__name__}")
    if isinstance(obj, TargetShare):
        unit = acting_unit(user)
        return frozenset({HOLDER}) if unit is not None and unit.pk == obj.unit_id else frozenset()
    if isinstance(obj, Unit):  # its people: the coordinators of its region's plans
        return frozenset({REVIEWER}) if manages_people_of(user, obj) else frozenset()
    if isinstance(obj, get_user_model()):  # an account: who manages its unit's people, never one above them
        return frozenset({REVIEWER}) if manages_person(user, obj) else frozenset()
    marks: set[str] = set()
    if can_act_on_plan(user, _plan_id(obj)):
        marks.add(REVIEWER)
    if isinstance(obj, WorkItem):
        raiser = (obj.raised_by_id is not None and obj.raised_by_id == user.pk and obj.origin != "plan"
                  and rates_what_they_raised(user))
        return item_standing(role=unit_role(user, obj), reviewer=REVIEWER in marks, raiser=raiser)
    if isinstance(obj, SupervisionNotice):
        unit = acting_unit(user)
        if unit is not None and unit.pk == obj.unit_id:
            marks.add(ADDRESSEE)
    elif isinstance(obj, Indicator) and is_indicator_reporter(user, obj):
        marks.add(REPORTER)
    return frozenset(marks)


def allowed(act: str, user, obj) -> bool:
    """Whether ``user`` may perform ``act`` on ``obj`` (for a page's button)."""
    return _permitted(act, standing(user, obj))


def authorize(act: str, user, obj) -> frozenset[str]:
    """Raise ``NotAllowed`` unless ``user`` may perform ``act`` on ``obj``; services call this before writing.
    Returns the user's ``standing`` (an item's role is read once)."""
    marks = standing(user, obj)
    if not _permitted(act, marks):
        raise NotAllowed(_refusals()[act])
    return marks


def authorize_plans(act: str, user, plan_ids) -> None:
    """``authorize`` for a plan act over items of several plans at once (a chase): every plan must grant it."""
    if user is None or not user.is_authenticated or not all(allowed(act, user, Plan(pk=pk)) for pk in plan_ids):
        raise NotAllowed(_refusals()[act])


def item_role(marks: frozenset[str]) -> str | None:
    """The unit's role (lead / support) among an item's ``standing`` marks, or None."""
    return LEAD if LEAD in marks else SUPPORT if SUPPORT in marks else None
