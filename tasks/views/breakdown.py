"""Work broken down and supporting parts: hand parts to towns/departments, sign, waive, 配合到位."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tasks.forms import BreakdownForm, SupportDoneForm, WaiveForm
from tasks.models import WorkItem
from tasks.rules.actions import Act
from tasks.selectors.breakdown import breakdown_candidates
from tasks.selectors.guard import authorize
from tasks.services.breakdown import (
    BreakdownPart,
    may_break_down,
    work_item_break_down,
    work_item_sign,
    work_item_waive,
)
from tasks.services.support import support_part_mark_done

from .common import add_service_error, safe_next
from .work import _item_or_404, _render_item


def work_item_break_down_view(request, pk: int):
    """The lead unit (or the coordinator) hands parts of an item to towns or departments (分解交办)."""
    item = _item_or_404(request, pk)
    authorize(Act.BREAK_DOWN, request.user, item)
    if not may_break_down(request.user, item):  # a sub-item, or closed
        raise PermissionDenied(_("只有牵头单位或专班可以分解交办未办结的事项。"))
    units, taken = breakdown_candidates(item)
    form = BreakdownForm(request.POST or None, units=units, taken=taken, parent_due=item.due_date,
                         today=timezone.localdate(), plan=item.plan)
    if request.method == "POST" and form.is_valid():
        parts = [BreakdownPart(unit=u, due_date=d, target_share=s) for u, d, s in form.cleaned_data["parts"]]
        try:
            children = work_item_break_down(item=item, user=request.user, parts=parts)
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已分解交办给 %(n)s 个单位，等待签收。") % {"n": len(children)})
            return redirect(item)
    return render(request, "tasks/work_item_breakdown.html", {"item": item, "form": form,
                                                              "n_taken": len(taken)})


@require_http_methods(["GET", "POST"])
def work_item_sign_view(request, pk: int):
    """签收: GET is the confirm page a message's link lands on (one button), POST signs."""
    item = _item_or_404(request, pk)
    authorize(Act.SIGN, request.user, item)
    if request.method == "GET":
        if item.status != WorkItem.Status.AWAITING_SIGN:
            messages.info(request, _("该事项不需要签收或已签收。"))
            return redirect(item)
        return render(request, "tasks/work_item_sign_confirm.html", {"item": item})
    try:
        work_item_sign(item=item, user=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("已签收。"))
    # Signed from the home page's list of parts to sign: back there, for the next one.
    return redirect(safe_next(request, item.get_absolute_url()))


@require_POST
def work_item_waive_view(request, pk: int):
    item = _item_or_404(request, pk)
    form = WaiveForm(request.POST)
    if form.is_valid():
        try:
            work_item_waive(item=item, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已豁免该分解事项。"))
            return redirect(item)
    return _render_item(request, item, waive_form=form)


@require_POST
def work_item_support_done_view(request, pk: int):
    item = _item_or_404(request, pk)
    form = SupportDoneForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            support_part_mark_done(item=item, user=request.user, note=form.cleaned_data["note"],
                                   files=form.cleaned_data["files"])
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已确认本单位配合到位。"))
            return redirect(item)
    return _render_item(request, item, support_form=form)
