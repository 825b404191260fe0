"""A list's Excel export: in the request when small, else in the background with a page showing progress."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tasks.listings import Listing
from tasks.models import Export
from tasks.selectors.exports import export_refusal
from tasks.services.exports import export_start, exports_expire_lost, list_params
from tasks.tables import XLSX, row_count, xlsx_response

RECENT = 10  # the user's exports listed under one


def export_response(request: HttpRequest, listing: Listing, *, kind: str, today: date) -> HttpResponse:
    """The listing's rows as an Excel file: in the response when at most ``EXPORT_INLINE_ROWS``, else
    queued for a worker and the user sent to the export's page (or back to the list if refused)."""
    rows = row_count(listing.table)
    if rows <= settings.EXPORT_INLINE_ROWS:
        return xlsx_response(listing.table, filename=listing.filename, title=listing.title)
    try:
        export = export_start(user=request.user, kind=kind, params=request.GET, as_of=today, rows_total=rows,
                              title=listing.title, filename=listing.filename)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        back = list_params(request.GET)
        return redirect(f"{request.path}?{back}" if back else request.path)
    return redirect("tasks:export_detail", pk=export.pk)


def _own(request: HttpRequest, pk: int) -> Export:
    return get_object_or_404(Export, pk=pk, user=request.user)  # another user's export: a 404, as none


@require_safe
def export_detail(request: HttpRequest, pk: int):
    """How far the export got (the page reloads itself until it is done), then its download; the user's
    recent exports below."""
    exports_expire_lost(Export.objects.filter(pk=pk, user=request.user), now=timezone.now())
    export = _own(request, pk)
    recent = Export.objects.filter(user=request.user).exclude(pk=export.pk).order_by("-created_at", "-pk")[:RECENT]
    back = {Export.Kind.OVERDUE: "tasks:overdue", Export.Kind.UNIT_WORK: "tasks:my_work"}[export.kind]
    return render(request, "tasks/export_detail.html", {
        "export": export, "recent": recent, "back": back, "keep_days": settings.EXPORT_KEEP_DAYS,
    })


@require_safe
def export_download(request: HttpRequest, pk: int):
    """The file, to its maker while they may still see what it covers (``export_refusal``, asked now: a move
    to another unit, a lost role or a deactivation since it was made refuses it, with the reason)."""
    export = _own(request, pk)
    refusal = export_refusal(request.user, export)
    if refusal:
        raise PermissionDenied(refusal)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404(_("文件尚未生成。"))
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as e:
        raise Http404(_("文件不存在。")) from e
    response = FileResponse(handle, as_attachment=True, filename=export.filename, content_type=XLSX)
    response["Cache-Control"] = "private, no-store"
    return response
