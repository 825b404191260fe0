"""基层负担: what the app asked of each unit per month, beside its results (issue 34). Never a score."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tasks.inputs import bounded_int
from tasks.roundups.periods import Period
from tasks.rules import burden as rules
from tasks.selectors.burden import asks_by_unit, unit_asks
from tasks.selectors.indicators import plan_as_of
from tasks.selectors.permissions import sees_plan_whole, user_unit, visible_plans
from tasks.selectors.work import plan_unit_rows
from tasks.tables import BurdenTable, export_rows, xlsx_response

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
    period = Period.month(year, month) if month else Period.year(year)
    rows = unit_asks(plan=plan, start=period.start, end=period.end, unit_ids=only)
    table = BurdenTable(rows)
    title = _("基层负担")
    export = request.GET.get("export")
    if export in ("xlsx", "csv"):
        table.order_by = request.GET.getlist(table.prefixed_order_by_field) or table.order_by
        filename = f"{plan.label}-{title}-{period.key}.{export}"
        if export == "csv":
            return csv_response(export_rows(table), filename=filename)
        return xlsx_response(table, filename=filename, title=title)
    BoundedRequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    # Beside each unit's asks, its results as the dashboard shows them (lead items due, on time, overdue).
    totals = asks_by_unit(rows)
    results = {u.pk: u for u in plan_unit_rows(plan, today)}
    summary = [
        {"unit": name, "results": results.get(pk), **totals[pk]}
        for pk, name in sorted({(r["unit_id"], r["unit"]) for r in rows}, key=lambda p: p[1])
    ]
    return render(request, "tasks/burden.html", {
        "plan": plan, "table": table, "summary": summary, "year": year, "month": month,
        "years": list(plan.years), "months": range(1, 13), "counts": rules.COUNTS,
    })
