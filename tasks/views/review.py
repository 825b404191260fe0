"""Coordinators' review: the queue of close and extension requests, and the decisions on them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from tasks.forms import ExtensionDecisionForm, ReviewForm
from tasks.inputs import parse_ids
from tasks.links import page_query
from tasks.models import ExtensionRequest
from tasks.rules.actions import Act
from tasks.selectors.choices import reviewable_spread
from tasks.selectors.guard import authorize
from tasks.selectors.permissions import acts_on_any_plan, is_coordinator, visible_work_items
from tasks.selectors.work import close_requests_queue, extension_requests_queue
from tasks.services.review import (
    extension_grant,
    extension_reject,
    work_item_accept,
    work_item_return,
    work_items_bulk_accept,
)
from tasks.tables import CloseRequestTable

from .common import PER_PAGE, BoundedRequestConfig, add_service_error, safe_next
from .work import _item_or_404, _render_item


def _ensure_coordinator(user) -> None:
    if not is_coordinator(user):
        raise PermissionDenied(_("只有专班协调员可以审核。"))


@require_safe
def review_queue(request):
    """Close requests and extension requests of the user's plans, oldest first."""
    _ensure_coordinator(request.user)
    several = reviewable_spread(request.user)[0] > 1
    queue = close_requests_queue(request.user, several_plans=several)
    table = CloseRequestTable(queue, prefix="c-", several_plans=several)
    BoundedRequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    page_query(request).read("xpage")  # the extension requests' page: the table's links keep it
    extensions = Paginator(extension_requests_queue(request.user), PER_PAGE).get_page(request.GET.get("xpage"))
    return render(request, "tasks/review_queue.html", {"table": table, "extensions": extensions,
                                                       "may_act": acts_on_any_plan(request.user)})


@require_POST
def review_bulk_accept(request):
    """Accept the ticked close requests (or the one whose own button was pressed)."""
    _ensure_coordinator(request.user)
    raw = [request.POST["only"]] if request.POST.get("only") else request.POST.getlist("items")
    ids = parse_ids(raw)
    if ids is None:
        raise PermissionDenied(_("请求无效。"))
    back = safe_next(request, reverse("tasks:review_queue"))
    if not ids:
        messages.error(request, _("请先勾选要通过的事项。"))
        return redirect(back)
    items = list(visible_work_items(request.user).filter(pk__in=ids))
    if len(items) != len(ids):
        raise PermissionDenied(_("包含无权审核的事项。"))
    result = work_items_bulk_accept(items=items, user=request.user)
    if result.accepted:
        n = len(result.accepted)
        messages.success(request, ngettext("已通过 %(n)d 项。", "已通过 %(n)d 项。", n) % {"n": n})
    if result.skipped:
        messages.warning(
            request, _("%(n)d 项已被他人处理，未作改动。") % {"n": len(result.skipped)}
        )
    return redirect(back)


@require_POST
def work_item_review(request, pk: int):
    """Accept or return one item awaiting review."""
    item = _item_or_404(request, pk)
    authorize(Act.REVIEW, request.user, item)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == ReviewForm.ACCEPT:
                work_item_accept(item=item, user=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("已通过，事项办结。"))
            else:
                work_item_return(item=item, user=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("已退回牵头单位。"))
        except ValidationError as e:
            add_service_error(form, e)
        else:
            return redirect(safe_next(request, item.get_absolute_url()))
    return _render_item(request, item, review_form=form)


@require_POST
def extension_decide(request, pk: int):
    """Grant (possibly with another date) or reject an extension request."""
    request_obj = get_object_or_404(
        ExtensionRequest.objects.select_related("work_item"),
        pk=pk, work_item__in=visible_work_items(request.user).values("pk"),
    )
    item = request_obj.work_item
    authorize(Act.DECIDE_EXTENSION, request.user, request_obj)
    form = ExtensionDecisionForm(request.POST, plan=item.plan)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == ExtensionDecisionForm.GRANT:
                extension_grant(request=request_obj, user=request.user, note=data["note"], due_date=data["due_date"])
                messages.success(request, _("已批准延期。"))
            else:
                extension_reject(request=request_obj, user=request.user, note=data["note"])
                messages.success(request, _("已驳回延期申请。"))
        except ValidationError as e:
            add_service_error(form, e)
        else:
            return redirect(safe_next(request, item.get_absolute_url()))
    item = _item_or_404(request, item.pk)
    return _render_item(request, item, decision_form=form)

