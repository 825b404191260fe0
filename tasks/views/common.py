"""Small helpers shared by the views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

PER_PAGE = 25


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
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def wants_export(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"
