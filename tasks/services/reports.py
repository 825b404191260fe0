"""Writes by units on their items: progress, contributions, close requests; coordinators' comments.

Each function asks the guard (``selectors.guard.authorize``) whether the user may act, validates everything before
writing, and writes the report, its evidence and any status change in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.inputs import clean_required
from tasks.models import CLOSED_STATUSES, Evidence, ProgressReport, WorkItem
from tasks.rules.actions import LEAD, Act, close_from_statuses
from tasks.rules.breakdown import parent_may_close
from tasks.selectors.breakdown import sub_item_rollup
from tasks.selectors.burden import evidence_demanded_of
from tasks.selectors.guard import authorize, item_role
from tasks.selectors.permissions import user_unit

from .evidence import CheckedFile, evidence_check_all
from .workflow import work_item_transition

S = WorkItem.Status
CLOSE_FROM = close_from_statuses()


@contextmanager
def _written_files() -> Iterator[list[str]]:
    """Collects names of stored files and deletes them if the transaction does not commit."""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


def _attach(report: ProgressReport, files: Sequence[CheckedFile], written: list[str]) -> list[Evidence]:
    attached = []
    for f in files:
        evidence = Evidence(
            report=report, original_name=f.name, content_type=f.content_type, size=f.size, sha256=f.sha256
        )
        # upload_to gives the stored file a random name; the uploader's name is metadata only.
        evidence.file.save(f.name, f.upload, save=False)
        written.append(evidence.file.name)
        evidence.save()
        attached.append(evidence)
    return attached


def _clean_note(note: str, message: str) -> str:
    note = clean_required(note)  # a note of only zero-width characters is no note
    if not note:
        raise ValidationError(message, code="required")
    return note


def _clean_percent(percent: int | None) -> int | None:
    if percent is not None and not 0 <= percent <= 100:
        raise ValidationError(_("进度应在 0 到 100 之间。"), code="percent")
    return percent


def work_item_report_progress(
    *,
    item: WorkItem,
    user,
    note: str,
    percent: int | None = None,
    files: Sequence[UploadedFile] = (),
    at: datetime | None = None,
) -> ProgressReport:
    """A unit reports on its item: the lead's progress or a supporting unit's contribution.

    A lead's first report starts the item (not started / returned -> in progress) and its
    percentage becomes the item's progress; a contribution changes no status.
    """
    at = at or timezone.now()
    role = item_role(authorize(Act.REPORT, user, item))
    if item.status in CLOSED_STATUSES:
        raise ValidationError(_("该事项已办结，不能再报送。"), code="done")
    if role == LEAD and item.status == S.AWAITING_SIGN:
        raise ValidationError(_("请先签收该事项。"), code="unsigned")
    note = _clean_note(note, _("请填写情况说明。"))
    percent = _clean_percent(percent)
    checked = evidence_check_all(list(files))
    lead = role == LEAD
    with _written_files() as written, transaction.atomic():
        locked = WorkItem.objects.select_for_update().get(pk=item.pk)
        if locked.status in CLOSED_STATUSES:
            raise ValidationError(_("该事项已办结，不能再报送。"), code="done")
        if lead and locked.status in (S.NOT_STARTED, S.RETURNED):
            work_item_transition(item=locked, to_status=S.IN_PROGRESS, actor=user, at=at)
        if lead and percent is not None:
            WorkItem.objects.filter(pk=locked.pk).update(progress=percent)
            item.progress = percent
        report = ProgressReport.objects.create(
            work_item=locked,
            unit=user_unit(user),
            author=user,
            kind=ProgressReport.Kind.PROGRESS if lead else ProgressReport.Kind.CONTRIBUTION,
            note=note,
            percent=percent,
            created_at=at,
        )
        _attach(report, checked, written)
    item.status = locked.status
    return report


def work_item_request_close(
    *, item: WorkItem, user, note: str, files: Sequence[UploadedFile] = (), at: datetime | None = None
) -> ProgressReport:
    """The lead unit asks to close its item (申请办结): the item waits for a coordinator's review."""
    at = at or timezone.now()
    authorize(Act.CLOSE, user, item)
    if item.status not in CLOSE_FROM:
        raise ValidationError(_("该事项当前状态为“%(s)s”，不能申请办结。") % {"s": S(item.status).label})
    note = _clean_note(note, _("请填写办结说明。"))
    checked = evidence_check_all(list(files))
    # Evidence is optional unless the plan requires it for this kind of item, and then asked once (减负). What
    # was asked is recorded on the request: the burden counts read it, not the setting as it is later.
    demanded = evidence_demanded_of(item)
    if not checked and demanded:
        raise ValidationError(_("本方案要求此类事项申请办结时上传佐证材料，请上传。"), code="evidence_required")
    with _written_files() as written, transaction.atomic():
        ensure_sub_items_closed(item)
        work_item_transition(item=item, to_status=S.AWAITING_REVIEW, actor=user, at=at, reason=note)
        report = ProgressReport.objects.create(
            work_item=item,
            unit=user_unit(user),
            author=user,
            kind=ProgressReport.Kind.CLOSE_REQUEST,
            note=note,
            percent=100,
            created_at=at,
            evidence_demanded=demanded,
        )
        _attach(report, checked, written)
    return report


def ensure_sub_items_closed(item: WorkItem) -> None:
    """A broken-down item closes only when every sub-item is done or waived (locks the parent first).

    Ordered by pk, not by the model's ordering: that joins the plan and its region, and ``FOR UPDATE``
    would lock their rows too (every close of a broken-down item in a region queued on one row)."""
    WorkItem.objects.select_for_update().filter(pk=item.pk).order_by("pk").first()
    r = sub_item_rollup(item, today=timezone.localdate())
    if not parent_may_close(r):
        raise ValidationError(
            _("该事项已分解交办，还有 %(n)s 项分解事项未办结或豁免，暂不能办结。") % {"n": r.open}, code="sub_items"
        )


def work_item_comment(*, item: WorkItem, user, note: str, at: datetime | None = None) -> ProgressReport:
    """A coordinator's supervision comment (督办意见) on an item; it changes no status."""
    authorize(Act.COMMENT, user, item)
    note = _clean_note(note, _("请填写督办意见。"))
    return ProgressReport.objects.create(
        work_item=item, unit=None, author=user, kind=ProgressReport.Kind.COMMENT, note=note,
        created_at=at or timezone.now(),
    )
