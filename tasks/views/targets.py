"""Target breakdown (目标分解): the coordinator's screen per indicator and year; a unit reports its share."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.forms import IndicatorReportForm, TargetBreakdownForm, TargetShareFormSet
from tasks.models import TargetBreakdownChange, Unit
from tasks.rules.actions import Act
from tasks.selectors.guard import authorize
from tasks.selectors.permissions import user_unit, visible_indicators
from tasks.selectors.targets import breakdown_for, share_of
from tasks.services.targets import ShareInput, target_breakdown_save, target_share_report

from .common import add_service_error


def _plain(value: Decimal | None) -> Decimal | None:
    """24.5000 -> 24.5 in the input (as typed), never 3E+1."""
    return None if value is None else Decimal(format(value.normalize(), "f"))


def indicator_breakdown(request, pk: int, year: int):
    """One screen: type the shares, see their sum against the city target, and the units' actuals."""
    indicator = get_object_or_404(visible_indicators(request.user).select_related("plan__region"), pk=pk)
    plan = indicator.plan
    authorize(Act.BREAK_DOWN_TARGET, request.user, plan)  # an editor: the breakdown is read on the indicator page
    if year not in plan.years:
        raise PermissionDenied(_("年份不在方案期限内。"))
    view = breakdown_for(indicator, year)
    units = Unit.objects.filter(region=plan.region).exclude(kind=Unit.Kind.COLLECTIVE).order_by("kind", "name")
    initial = [{"unit": r.unit, "value": _plain(r.value), "base": _plain(r.base)} for r in view.rows]
    extra = [{} for _i in range(3)]
    form = TargetBreakdownForm(request.POST or None, initial={"method": view.method})
    # Every row is read, changed or not: a row left as it was keeps its share (not "empty" and skipped).
    formset = TargetShareFormSet(request.POST or None, initial=initial + extra, prefix="shares",
                                 form_kwargs={"units": units, "empty_permitted": False})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        shares = [
            ShareInput(unit=f.cleaned_data["unit"], value=f.cleaned_data.get("value"), base=f.cleaned_data.get("base"))
            for f in formset.forms
            if f.cleaned_data.get("unit") is not None
        ]
        try:
            target_breakdown_save(indicator=indicator, year=year, method=form.cleaned_data["method"], shares=shares,
                                  user=request.user)
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("目标分解已保存。"))
            return redirect(reverse("tasks:indicator_breakdown", args=[indicator.pk, year]))
    fixed = {r.unit.pk: r for r in view.rows}
    rows = []
    for f in formset.forms:
        unit = f.initial.get("unit")
        rows.append((f, fixed.get(unit.pk) if unit is not None else None))
    history = (
        TargetBreakdownChange.objects.filter(breakdown=view.breakdown).select_related("actor", "unit")
        .order_by("-at", "-pk")[:20]
        if view.breakdown else []
    )
    return render(request, "tasks/indicator_breakdown.html", {
        "indicator": indicator, "year": year, "view": view, "form": form, "formset": formset, "rows": rows,
        "history": history, "years": list(plan.years),
    })


def share_report(request, pk: int):
    """A unit holding a share of the indicator reports its own actual for a month (POST)."""
    indicator = get_object_or_404(visible_indicators(request.user), pk=pk)
    if request.method != "POST":
        return redirect(indicator)
    form = IndicatorReportForm(request.POST, prefix="share", plan=indicator.plan)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(indicator)
    month = form.cleaned_data["month"]
    share = share_of(user_unit(request.user), indicator, month.year)
    if share is None:
        raise PermissionDenied(_("只有承担该分解目标的单位可以填报。"))
    try:
        target_share_report(share=share, user=request.user, month=month, value=form.cleaned_data["value"],
                            note=form.cleaned_data["note"], at=timezone.now())
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("本单位实际值已填报。"))
    return redirect(indicator)
