"""A supporting unit's own part (配合到位): it records its contribution and marks its part done."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.models import ProgressReport, Role, StatusChange, WorkItem, WorkItemUnit
from tasks.rules.actions import Act
from tasks.selectors.guard import NotAllowed, authorize
from tasks.selectors.permissions import user_unit

from .evidence import evidence_check_all
from .reports import _attach, _written_files

S = WorkItem.Status


def support_part_mark_done(
    *, item: WorkItem, user, note: str, files: Sequence[UploadedFile] = (), at: datetime | None = None
) -> WorkItemUnit:
    """The supporting unit says its part is done (配合到位), with what it did and optional evidence.

    Its outcome (on time / late) is judged against the item's deadline in force, apart from the
    lead's. Writes the contribution report, the mark and an audit row in one transaction; a
    second mark is refused (the row is locked and re-checked).
    """
    at = at or timezone.now()
    authorize(Act.SUPPORT_DONE, user, item)
    unit = user_unit(user)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写配合情况。")]})
    checked = evidence_check_all(list(files))
    with _written_files() as written, transaction.atomic():
        locked_item = WorkItem.objects.select_for_update().get(pk=item.pk)
        part = (
            WorkItemUnit.objects.select_for_update()
            .filter(work_item=locked_item, unit=unit, role=Role.SUPPORT)
            .order_by("position", "pk")  # not the model's ordering: it joins the item, its plan and region
            .first()
        )
        if part is None:  # no longer a supporting unit (its row changed since the guard asked)
            raise NotAllowed(_("只有配合单位可以确认配合到位。"))
        if part.support_done_at is not None:
            raise ValidationError(_("本单位的配合工作已确认到位。"), code="done")
        if locked_item.status == S.WAIVED:
            raise ValidationError(_("该事项已豁免。"), code="waived")
        if locked_item.status == S.HISTORY:
            raise ValidationError(_("该事项为历史留档，不再跟踪。"), code="history")
        part.support_done_at, part.support_done_by, part.support_note = at, user, note
        part.save(update_fields=["support_done_at", "support_done_by", "support_note"])
        report = ProgressReport.objects.create(
            work_item=locked_item, unit=unit, author=user, kind=ProgressReport.Kind.CONTRIBUTION, note=note,
            created_at=at,
        )
        _attach(report, checked, written)
        StatusChange.objects.create(
            work_item=locked_item, actor=user, at=at, event=StatusChange.Event.SUPPORT_DONE,
            from_status=locked_item.status, to_status=locked_item.status,
            reason=unit.name,  # the event's label says 配合到位 in the reader's language; the unit is data
        )
    return part
