"""Excel exports of a list: small ones in the request, large ones in the background with their progress.

A province's overdue list is tens of thousands of rows (38,152 at 1M items: 5–16 s to write). Written in
the request, it held one of the web server's few workers that long, and a few clicks held them all. An
export of more than ``EXPORT_INLINE_ROWS`` rows is an ``Export`` row instead: a Celery worker writes the
file to the shared storage, counting its rows as it goes; the user's page shows how far it got and then
the download. The rows are those of the page the user was on (``tasks.listings``), read with the user's
permissions at run time. A user has at most ``EXPORT_MAX_PENDING`` exports waiting; asking again for the
same list gets the one already on its way.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks import stored_text as T
from tasks.models import Export
from tasks.selectors.exports import export_refusal, export_scope
from tasks.services.enqueue import enqueue_after_commit

logger = logging.getLogger(__name__)

PENDING = (Export.Status.QUEUED, Export.Status.RUNNING)
PROGRESS_STEPS = 20  # progress updates of an export (every 5 %), whatever its size
STALE_AFTER = timedelta(minutes=30)  # an export queued or running this long was lost (broker, worker)
# What a list page's query string may carry that is not a filter or an order of the list.
NOT_LIST_PARAMS = ("export", "page", "per_page")


def list_params(params: QueryDict) -> str:
    """The list's filters and order from a page's query string, in a stable form."""
    kept = params.copy()
    for name in NOT_LIST_PARAMS:
        kept.pop(name, None)
    return kept.urlencode()


def exports_expire_lost(exports, *, now: datetime) -> None:
    """Mark failed those of ``exports`` (a queryset) queued or running for longer than ``STALE_AFTER``: their
    message or worker was lost (a redelivered task finds them failed and leaves them). Otherwise the page
    would wait for ever and the same list could not be asked again."""
    cutoff = now - STALE_AFTER
    exports.filter(
        Q(status=Export.Status.QUEUED, created_at__lt=cutoff) | Q(status=Export.Status.RUNNING, started_at__lt=cutoff)
    ).update(status=Export.Status.FAILED, finished_at=now, error=T.written(T.EXPORT_TIMED_OUT))


def export_start(*, user, kind: str, params: QueryDict, as_of: date, rows_total: int, title: str,
                 filename: str) -> Export:
    """Queue an export of a list for ``user``; the same list already on its way is returned instead.

    Raises ValidationError when the user already has ``EXPORT_MAX_PENDING`` exports waiting."""
    encoded = list_params(params)
    scope = export_scope(user, kind)  # refused here as the page would be
    with transaction.atomic():
        # One user's requests one at a time (two tabs, a double click): the check below then holds.
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        exports_expire_lost(Export.objects.filter(user=user), now=timezone.now())
        pending = list(Export.objects.select_for_update().filter(user=user, status__in=PENDING))
        same = next((e for e in pending if (e.kind, e.params, e.as_of) == (kind, encoded, as_of)), None)
        if same is not None:
            return same
        if len(pending) >= settings.EXPORT_MAX_PENDING:
            raise ValidationError(_("您已有 %(n)d 个导出正在生成，请等其完成后再导出。") % {"n": len(pending)})
        export = Export.objects.create(user=user, kind=kind, params=encoded, as_of=as_of, title=title,
                                       filename=filename, rows_total=rows_total, scope=scope)
        enqueue_after_commit("export_run", export.pk)
    return export


def _claim(export_id: int, now: datetime) -> Export | None:
    """Mark the export running if it is queued (a redelivered task finds it running, done or failed)."""
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status != Export.Status.QUEUED:
            return None  # being written by another worker, done, or failed: never twice
        export.status, export.started_at, export.rows_done = Export.Status.RUNNING, now, 0
        export.save(update_fields=["status", "started_at", "rows_done"])
    return export


def _listing(export: Export):
    """The export's list, as its page builds it for its user today (permissions of now, not of the request),
    written only if it still covers what was asked for (``export_refusal``: the maker moved or lost the role
    between the request and the worker)."""
    from tasks.listings import overdue_listing, unit_work_listing
    from tasks.selectors.permissions import user_unit

    if not export.scope:  # queued before the scope was recorded: it covers what its maker may see now
        export.scope = export_scope(export.user, export.kind)
        Export.objects.filter(pk=export.pk).update(scope=export.scope)
    refusal = export_refusal(export.user, export)
    if refusal:
        raise PermissionDenied(refusal)
    params = QueryDict(export.params)
    if export.kind == Export.Kind.OVERDUE:
        return overdue_listing(export.user, params, today=export.as_of).order_by(params)
    return unit_work_listing(user_unit(export.user), params, today=export.as_of).order_by(params)


def record_progress(export_id: int, rows: int) -> None:
    """How many rows are written, for the export's page (its own statement: seen at once)."""
    Export.objects.filter(pk=export_id).update(rows_done=rows)


def export_run(*, export_id: int, now: datetime | None = None) -> Export | None:
    """Write the export's file (once; a redelivered task finds it taken). A failure is recorded on the
    export, for its page to say, and logged; the user asks again."""
    from tasks.tables import xlsx_write

    export = _claim(export_id, now or timezone.now())
    if export is None:
        return None

    try:
        listing = _listing(export)
        with tempfile.TemporaryFile() as out:
            every = max(1, -(-(export.rows_total or 0) // PROGRESS_STEPS))
            rows = xlsx_write(listing.table, out, title=export.title, every=every,
                              progress=lambda rows: record_progress(export.pk, rows))
            export.size = out.tell()
            out.seek(0)
            export.file.save(export.filename, File(out), save=False)
    except Exception as exc:
        logger.exception("export %s failed", export.pk)
        export.status = Export.Status.FAILED
        refused = isinstance(exc, PermissionDenied | ValidationError)
        export.error = str(exc) if refused else T.written(T.EXPORT_FAILED)
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        return export
    export.status, export.rows_done, export.rows_total = Export.Status.DONE, rows, rows
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "rows_done", "rows_total", "size", "file", "finished_at"])
    return export


def exports_clean_up(*, now: datetime) -> int:
    """Delete exports (and their files) older than ``EXPORT_KEEP_DAYS``; the number deleted."""
    old = Export.objects.filter(created_at__lt=now - timedelta(days=settings.EXPORT_KEEP_DAYS))
    deleted = 0
    for export in old.only("pk", "file").iterator(chunk_size=500):
        if export.file:
            export.file.delete(save=False)
        export.delete()
        deleted += 1
    return deleted
