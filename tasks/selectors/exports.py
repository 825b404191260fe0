"""Who may read an export: the one rule for making one (``services.exports``) and for downloading it later.

An export holds the rows its maker could see when it was written: their unit's work, or the overdue items of the
plans they coordinated. A download days later (exports are kept ``EXPORT_KEEP_DAYS``) must not hand those rows to
someone who has since moved to another unit, lost the coordinator's role or been deactivated: the download asks
``export_refusal``, which reads the maker's standing *now* through ``export_scope``, the function that decided
what the export could cover when it was made.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tasks.models import Export
from tasks.selectors.permissions import is_coordinator, reviewable_plan_ids, user_unit

ALL_PLANS = "all"


def export_scope(user, kind: str) -> dict:
    """What an export of ``kind`` made by ``user`` now covers: ``{"unit": id}`` (their unit's work) or
    ``{"plans": [ids] | "all"}`` (the overdue items of the plans they review). Raises PermissionDenied (with
    the reason a person reads) when the user may not make one."""
    if not user.is_active:
        raise PermissionDenied(_("账号已停用。"))
    if kind == Export.Kind.OVERDUE:
        if not is_coordinator(user):
            raise PermissionDenied(_("只有专班协调员可以查看逾期督办。"))
        plans = reviewable_plan_ids(user)
        return {"plans": ALL_PLANS if plans is None else list(plans)}
    unit = user_unit(user)
    if unit is None:
        raise PermissionDenied(_("您的账号未关联责任单位。"))
    return {"unit": unit.pk}


def export_refusal(user, export: Export) -> str | None:
    """Why ``user`` may not read ``export`` now (None: they may): not its maker, or no longer allowed what it
    covers (``export_scope`` now against the scope recorded when it was made)."""
    if export.user_id != user.pk:
        return _("这不是您的导出。")
    try:
        now = export_scope(user, export.kind)
    except PermissionDenied as refused:
        return _("您已不能查看此导出的内容：%(why)s") % {"why": refused}
    covered = export.scope or {}
    if export.kind == Export.Kind.OVERDUE:
        had = covered.get("plans")
        if had is None or (now["plans"] != ALL_PLANS and (had == ALL_PLANS or not set(had) <= set(now["plans"]))):
            return _("您已不再负责此导出涵盖的方案，不能再下载。请重新导出。")
        return None
    if covered.get("unit") != now["unit"]:
        return _("此导出是您在原单位时生成的，您已不在该单位，不能再下载。")
    return None
