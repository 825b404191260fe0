"""The public 晾晒 pages (no login): a plan's published roundups, its index, CSV and JSON downloads.

Every figure comes from ``selectors.public.public_figures`` (the page, the CSV files and the JSON alike). A
plan whose page is off, a draft, an unknown period or section: all are the same 404, which tells a visitor
nothing about what exists. Anonymous responses may be cached a few minutes (a published roundup never
changes; a section switched off shows within ``PUBLIC_MAX_AGE``).
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from tasks.roundups.report import colour_label
from tasks.selectors.public import (
    COLUMNS,
    RATE_COLUMNS,
    SECTION_TITLES,
    UNIT_SECTIONS,
    public_figures,
    public_plan_index,
    public_table,
)

from .common import csv_response

PUBLIC_MAX_AGE = 300


def _public(request, response: HttpResponse) -> HttpResponse:
    if not request.user.is_authenticated:  # a logged-in user's responses are never cached (the middleware)
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def _figures(slug: str, period: str) -> dict:
    figures = public_figures(slug=slug, period_key=period)
    if figures is None:
        raise Http404
    return figures


@login_not_required
@require_safe
def public_index(request, slug: str):
    index = public_plan_index(slug=slug)
    if index is None:
        raise Http404
    return _public(request, render(request, "tasks/public/index.html", {"index": index}))


@login_not_required
@require_safe
def public_roundup(request, slug: str, period: str):
    figures = _figures(slug, period)
    sections = [
        {"key": key, "title": SECTION_TITLES[key], "columns": COLUMNS[key], "rows": figures[key],
         "units": key in UNIT_SECTIONS}
        for key in figures["sections"]
    ]
    context = {"figures": figures, "sections": sections, "rate_columns": RATE_COLUMNS}
    return _public(request, render(request, "tasks/public/roundup.html", context))


@login_not_required
@require_safe
def public_roundup_json(request, slug: str, period: str):
    figures = _figures(slug, period)
    response = HttpResponse(json.dumps(figures, ensure_ascii=False, indent=1),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(False, f"{slug}-{period}.json")
    return _public(request, response)


def _csv_cell(key: str, value):
    return colour_label(value) if key == "colour" and value is not None else value


@login_not_required
@require_safe
def public_roundup_csv(request, slug: str, period: str, section: str):
    figures = _figures(slug, period)
    if section not in figures["sections"]:
        raise Http404
    headers, rows = public_table(figures, section)
    keys = [key for key, _label in COLUMNS[section]]
    rows = ([_csv_cell(key, value) for key, value in zip(keys, row, strict=True)] for row in rows)
    response = csv_response([headers, *rows], filename=f"{slug}-{period}-{section}.csv")
    return _public(request, response)
