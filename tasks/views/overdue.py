"""The overdue view: every overdue item across units of the user's plans, to chase."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tasks.inputs import parse_ids, search_text
from tasks.links import page_query
from tasks.listings import overdue_listing
from tasks.models import Export
from tasks.selectors.choices import FIELDS as CHOICE_FIELDS
from tasks.selectors.choices import reviewable_spread, search_choices
from tasks.selectors.permissions import acts_on_any_plan, is_coordinator, reviewable_plans
from tasks.services.reminders import reminders_send_now

from .common import PER_PAGE, BoundedRequestConfig, safe_next, wants_export
from .exports import export_response


@require_safe
def overdue(request):
    """Filter by plan, ageing bucket, lead unit, key task; sort by any column; export to Excel."""
    if not is_coordinator(request.user):
        raise PermissionDenied(_("只有专班协调员可以查看逾期督办。"))
    today = timezone.localdate()
    listing = overdue_listing(request.user, request.GET, today=today)
    export = wants_export(request)
    BoundedRequestConfig(request, paginate=False if export else {"per_page": PER_PAGE},
                         filterset=listing.filterset).configure(listing.table)
    # A row's comment page leads back here: with the list's filters, order and page, not every parameter sent.
    listing.table.next_url = page_query(request).url(request.path)
    if export:
        return export_response(request, listing, kind=Export.Kind.OVERDUE, today=today)
    return render(request, "tasks/overdue.html", {"table": listing.table, "filter": listing.filterset, "today": today,
                                                  "may_act": acts_on_any_plan(request.user)})


@require_safe
def overdue_choices(request, field: str):
    """The overdue filter's search: at most ~20 plans, lead units or key tasks of the user's plans matching ``q``.

    JSON ``{"results": [{"id", "text"}], "more": bool}``; the same labels as the page's options.
    """
    if not is_coordinator(request.user):
        raise PermissionDenied(_("只有专班协调员可以查看逾期督办。"))
    if field not in CHOICE_FIELDS:
        raise Http404
    rows, more = search_choices(field, plans=reviewable_plans(request.user), spread=reviewable_spread(request.user),
                                q=search_text(request.GET.get("q")))
    return JsonResponse({"results": [{"id": pk, "text": text} for pk, text in rows], "more": more})


@require_POST
def overdue_remind(request):
    """"Remind now" for the ticked items: one email per lead contact, at most once per item and day."""
    ids = parse_ids(request.POST.getlist("item"))
    if ids is None:
        raise PermissionDenied(_("请求无效。"))
    back = safe_next(request, reverse("tasks:overdue"))
    if not ids:
        messages.error(request, _("请先勾选要催办的事项。"))
    else:
        queued = reminders_send_now(work_item_ids=ids, actor=request.user, today=timezone.localdate())
        if queued:
            message = _("已发出 %(n)d 条催办提醒（%(items)d 个事项）。") % {"n": queued, "items": len(ids)}
            messages.success(request, message)
        else:
            messages.info(request, _("所选事项今天已催办过，未重复发送。"))
    return redirect(back)
