"""An indicator's page: baseline, targets, actuals, progress; the lead unit reports values here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.forms import IndicatorReportForm
from tasks.models import IndicatorReport
from tasks.rules.actions import Act
from tasks.selectors.guard import allowed
from tasks.selectors.indicators import indicator_status_rows, plan_as_of
from tasks.selectors.permissions import sees_plan_whole, user_unit, visible_indicators, visible_work_items
from tasks.selectors.targets import breakdown_for, share_of
from tasks.selectors.work import by_deadline, lead_name_subquery, with_urgency
from tasks.services.indicators import indicator_value_report
from tasks.tables import WorkItemTable

from .common import PER_PAGE, BoundedRequestConfig, add_service_error


def indicator_detail(request, pk: int):
    today = timezone.localdate()
    indicator = get_object_or_404(
        visible_indicators(request.user).select_related("plan", "key_task").prefetch_related("targets"), pk=pk
    )
    progress = indicator_status_rows(plan=indicator.plan, today=today, indicator_ids=[indicator.pk])[0]
    year = plan_as_of(indicator.plan, today).year
    may_report = allowed(Act.REPORT_INDICATOR, request.user, indicator)
    # The latest first (``IndicatorReport.Meta.ordering``): the figure form starts from it (减负: nothing typed
    # twice), and the page lists them.
    reports = list(IndicatorReport.objects.filter(indicator=indicator).select_related("unit", "reported_by")[:36])
    last = reports[0] if reports and may_report and request.method != "POST" else None
    form = IndicatorReportForm(request.POST or None, today=today, plan=indicator.plan,
                               initial={"value": last.value, "note": last.note} if last else None)
    if request.method == "POST":
        if not may_report:
            raise PermissionDenied(_("只有该指标所服务重点任务的牵头单位可以填报。"))
        if form.is_valid():
            try:
                indicator_value_report(indicator=indicator, user=request.user, **form.cleaned_data)
            except ValidationError as e:
                add_service_error(form, e)
            else:
                messages.success(request, _("指标值已填报。"))
                return redirect(indicator)
    # 目标分解: the coordinator and the reporting lead unit see every share; a unit its own.
    may_breakdown = sees_plan_whole(request.user, indicator.plan_id)
    may_edit_breakdown = allowed(Act.BREAK_DOWN_TARGET, request.user, indicator)
    my_share = share_of(user_unit(request.user), indicator, year)
    breakdown = breakdown_for(indicator, year, all_towns=False) if may_breakdown or may_report else None
    share_form = IndicatorReportForm(today=today, prefix="share", plan=indicator.plan) if my_share else None
    items = by_deadline(with_urgency(visible_work_items(request.user).filter(indicator=indicator), today))
    table = WorkItemTable(
        items.annotate(lead_name=lead_name_subquery()).select_related("key_task", "indicator"), show_role=False
    )
    BoundedRequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "tasks/indicator_detail.html",
        {
            "indicator": indicator,
            "year": year,
            "progress": progress,
            "targets": list(indicator.targets.all()),
            "reports": reports,
            "table": table,
            "form": form if may_report else None,
            "breakdown": breakdown,
            "may_breakdown": may_breakdown,
            "may_edit_breakdown": may_edit_breakdown,
            "my_share": my_share,
            "share_form": share_form,
        },
    )
