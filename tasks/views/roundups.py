"""Roundup pages: the list, the printable page, its workbook and PDF. Coordinators of the plan and staff only."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tasks.roundups.pdf import PdfUnavailable, render_pdf
from tasks.roundups.xlsx import render_xlsx
from tasks.selectors.permissions import is_coordinator
from tasks.selectors.roundups import roundup_list as roundup_list_query
from tasks.selectors.roundups import roundups_visible_to
from tasks.services.parse_slots import ParseBusy, parse_slot
from tasks.services.roundups import XLSX_TYPE, roundup_report


def _roundup(request, pk: int):
    # Anyone else gets a 404: the page does not say whether the roundup exists.
    return get_object_or_404(roundups_visible_to(request.user), pk=pk)


@require_safe
def roundup_list(request):
    if not is_coordinator(request.user):
        raise PermissionDenied
    return render(request, "tasks/roundups/list.html", {"roundups": roundup_list_query(request.user)})


@require_safe
def roundup_detail(request, pk: int):
    roundup = _roundup(request, pk)
    # The report itself is a Chinese document (as emailed and printed); only the page around it is translated.
    context = {"roundup": roundup, "report": roundup_report(roundup), "report_language": settings.LANGUAGE_CODE}
    return render(request, "tasks/roundups/detail.html", context)


@require_safe
def roundup_xlsx(request, pk: int):
    report = roundup_report(_roundup(request, pk))
    with translation.override(settings.LANGUAGE_CODE):
        content = render_xlsx(report)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{report.file_stem()}.xlsx")
    return response


@require_safe
def roundup_pdf(request, pk: int):
    report = roundup_report(_roundup(request, pk))
    try:
        with translation.override(settings.LANGUAGE_CODE), parse_slot(request.user):  # Chromium: a slot
            content = render_pdf(report)
    except ParseBusy as exc:
        return HttpResponse(str(exc), status=429, content_type="text/plain; charset=utf-8")
    except PdfUnavailable:
        return HttpResponse(_("服务器暂时无法生成PDF，请下载Excel或使用浏览器打印本页。"), status=503,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{report.file_stem()}.pdf")
    return response
