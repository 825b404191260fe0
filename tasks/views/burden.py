"""基层负担: what the app asked of each unit per month, beside its results (issue 34). Never a score."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tasks.inputs import bounded_int
from tasks.links import page_query
from tasks.roundups.periods import Period
from tasks.rules import burden as rules
from tasks.selectors.burden import unit_asks, unit_totals
from tasks.selectors.indicators import plan_as_of
from tasks.selectors.permissions import sees_plan_whole, user_unit, visible_plans
from tasks.tables import BurdenTable, BurdenTotalsTable, export_rows, xlsx_response

from .common import PER_PAGE, BoundedRequestConfig, csv_response


@require_safe
def plan_burden(request, slug: str):
    """The plan's coordinators (and province-wide readers) see every unit; a unit's own people see their
    unit's rows only; anyone else gets a 404."""
    plan = get_object_or_404(visible_plans(request.user), slug=slug)
    if sees_plan_whole(request.user, plan.pk):
        only = None
    else:
        unit = user_unit(request.user)
        if unit is None:
            raise Http404
        only = [unit.pk]
    today = timezone.localdate()
    default_year = min(max(plan_as_of(plan, today).year, plan.first_year), plan.last_year)
    year = bounded_int(request.GET.get("year"), default=default_year, low=plan.first_year, high=plan.last_year)
    month = bounded_int(request.GET.get("month"), default=0, low=0, high=12)
    page_query(request).read("year", "month")  # the period: the page's links keep it
    period = Period.month(year, month) if month else Period.year(year)
    rows = unit_asks(plan=plan, start=period.start, end=period.end, unit_ids=only)
    # Beside each unit's asks, its results as the dashboard shows them (lead items due, on time, overdue).
    totals = BurdenTotalsTable(unit_totals(plan=plan, rows=rows, today=today))
    table = BurdenTable(rows)
    title = _("基层负担")
    export = request.GET.get("export")
    if export in ("xlsx", "csv"):
        # The export holds what the page shows: the totals, then the months. A CSV holds one table: the months,
        # or the totals with ``table=totals``.
        table.order_by = request.GET.getlist(table.prefixed_order_by_field) or table.order_by
        totals_title = _("各单位合计")
        if export == "csv":
            if request.GET.get("table") == "totals":
                filename = f"{plan.label}-{title}-{totals_title}-{period.key}.csv"
                return csv_response(export_rows(totals), filename=filename)
            return csv_response(export_rows(table), filename=f"{plan.label}-{title}-{period.key}.csv")
        return xlsx_response(table, filename=f"{plan.label}-{title}-{period.key}.xlsx", title=_("按单位和月份"),
                             before=[(totals, totals_title)])
    BoundedRequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, "tasks/burden.html", {
        "plan": plan, "table": table, "summary": totals.data.data, "year": year, "month": month,
        "years": list(plan.years), "months": range(1, 13), "counts": rules.COUNTS,
    })
