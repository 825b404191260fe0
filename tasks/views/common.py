"""Small helpers shared by the views."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django_tables2 import RequestConfig

from tasks.inputs import bounded_int
from tasks.links import page_query
from tasks.xlsx_safe import csv_cell

PER_PAGE = 25
MAX_PER_PAGE = 200


class BoundedRequestConfig(RequestConfig):
    """django-tables2's RequestConfig with ``per_page`` and ``page`` read through ``bounded_int``:
    ``?per_page=-1``, ``0``, ``abc`` or ``10**30`` give a page, never an error. The table's sort, page and
    page-size keys, and the fields of ``filterset`` (the page's filter, if any), are what the page's links
    carry (``tasks.links.PageQuery``)."""

    def __init__(self, request, paginate=True, *, filterset=None):
        super().__init__(request, paginate=paginate)
        if filterset is not None:
            page_reads_form(request, filterset.form)

    def configure(self, table):
        table.request = self.request
        page_query(self.request).read(table.prefixed_order_by_field, table.prefixed_page_field,
                                      table.prefixed_per_page_field)
        order_by = self.request.GET.getlist(table.prefixed_order_by_field)
        if order_by:
            table.order_by = order_by
        if self.paginate:
            kwargs = dict(self.paginate) if hasattr(self.paginate, "items") else {}
            kwargs.pop("silent", None)
            default = kwargs.get("per_page", PER_PAGE)
            kwargs["per_page"] = bounded_int(self.request.GET.get(table.prefixed_per_page_field), default=default,
                                             low=1, high=MAX_PER_PAGE)
            kwargs["page"] = bounded_int(self.request.GET.get(table.prefixed_page_field), default=1, low=1,
                                         high=10**9)
            try:
                table.paginate(**kwargs)
            except PageNotAnInteger:
                table.page = table.paginator.page(1)
            except EmptyPage:
                table.page = table.paginator.page(table.paginator.num_pages)
        return table


def page_reads_form(request: HttpRequest, form: forms.Form) -> None:
    """The page reads ``form``'s fields from its query string: its links keep them (``tasks.links.PageQuery``)."""
    page_query(request).read(*(form.add_prefix(name) for name in form.fields))


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names, else on top (files on the file input)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    codes = {e.code or "" for e in error.error_list}
    on_files = "files" in form.fields and codes and all(c.startswith("evidence") for c in codes)
    form.add_error("files" if on_files else None, error)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` parameter when it points into this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site ("/..."): "0" or "tasks:home" would be taken for a URL name by redirect().
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def wants_export(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


def csv_response(rows: Iterable[Iterable], *, filename: str) -> HttpResponse:
    """Rows as a CSV download, every cell through ``xlsx_safe.csv_cell`` (text that would start a formula stays
    text), with a byte-order mark so that Excel and WPS read the Chinese as UTF-8. Every CSV the site serves is
    made here."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
