"""Roster import by the plan's coordinator: download the template (the region's units listed), upload the
office's 联络员名单 (.xlsx, .xls, .csv), read every row with its errors, correct the flagged ones on the page
(the unit from the closest matches, a mistyped mobile), confirm: every row or none. Nothing is written
before confirming; the parsed rows wait in the session."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from tasks.forms import Form
from tasks.importers import PlanParseError
from tasks.importers.roster import (
    ROLE_LABELS,
    ParsedRoster,
    RosterError,
    check_rows,
    clean_mobile,
    role_of,
    rows_as_json,
    rows_from_json,
)
from tasks.rules.actions import Act
from tasks.selectors.guard import authorize
from tasks.selectors.permissions import visible_plans
from tasks.selectors.roster import role_label, roster_preview, roster_template_xlsx
from tasks.services.parse_slots import ParseBusy, parse_slot
from tasks.services.roster import RosterRefused, roster_import, roster_read

from .imports import parse_error_text

SESSION_KEY = "roster_import"
MAX_UPLOAD = 5 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUFFIXES = (".xlsx", ".xls", ".csv", ".et")  # what tasks.importers.sheets reads
EDITABLE = ("name", "title", "mobile", "email", "role")


class RosterUploadForm(Form):
    roster = forms.FileField(
        label=_("联络员名单"), help_text=_(".xlsx、.xls 或 .csv；列：单位、姓名、职务、手机、邮箱、浙政钉ID、角色"))

    def clean_roster(self):
        f = self.cleaned_data["roster"]
        if Path(f.name).suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("只支持 .xlsx、.xls、.csv 和 WPS .et 文件。"))
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过 5MB。"))
        return f


def _plan(request, slug: str):
    plan = get_object_or_404(visible_plans(request.user).select_related("region"), slug=slug)
    authorize(Act.MANAGE_PEOPLE, request.user, plan)
    return plan


@require_safe
def roster_template(request, slug: str):
    plan = _plan(request, slug)
    response = HttpResponse(roster_template_xlsx(plan), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''roster-{plan.pk}.xlsx"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def roster_upload(request, slug: str):
    plan = _plan(request, slug)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["roster"]
        try:
            with parse_slot(request.user):
                parsed = roster_read(upload.read(), filename=upload.name)
        except ParseBusy as exc:
            form.add_error("roster", str(exc))
            return render(request, "tasks/people/roster_upload.html", {"plan": plan, "form": form}, status=429)
        except PlanParseError as exc:
            form.add_error("roster", parse_error_text(exc, user=request.user))
        except RosterError as exc:
            form.add_error("roster", _t(str(exc)))  # the importer's fixed Chinese text, in the reader's language
        else:
            request.session[SESSION_KEY] = {"plan": plan.pk, "sheet": parsed.sheet, "file": upload.name[:100],
                                            "rows": rows_as_json(parsed.rows)}
            return redirect("tasks:roster_preview", slug=plan.slug)
    return render(request, "tasks/people/roster_upload.html", {"plan": plan, "form": form},
                  status=400 if request.method == "POST" else 200)


def _choices_from(post, preview_rows) -> dict[int, int]:
    out = {}
    for row in preview_rows:
        value = post.get(f"unit_{row.row}", "")
        if value.isascii() and value.isdigit() and len(value) < 19:
            out[row.row] = int(value)
    return out


@require_http_methods(["GET", "HEAD", "POST"])
def roster_preview_view(request, slug: str):
    plan = _plan(request, slug)
    staged = request.session.get(SESSION_KEY)
    if not staged or staged.get("plan") != plan.pk:
        return redirect("tasks:roster_upload", slug=plan.slug)
    rows = rows_from_json(staged["rows"])
    choices = {int(k): v for k, v in staged.get("choices", {}).items()}
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            request.session.pop(SESSION_KEY, None)
            return redirect("tasks:roster_upload", slug=plan.slug)
        _apply_corrections(request.POST, rows)
        choices.update(_choices_from(request.POST, rows))
        check_rows(rows)
        staged.update(rows=rows_as_json(rows), choices={str(k): v for k, v in choices.items()})
        request.session[SESSION_KEY] = staged
        if request.POST.get("action") == "confirm":
            parsed = ParsedRoster(sheet=staged["sheet"], columns={}, rows=rows)
            try:
                result = roster_import(plan=plan, parsed=parsed, actor=request.user, unit_choices=choices)
            except RosterRefused:
                messages.error(request, _t("仍有行有错误，未导入任何人员。请改正标出的行。"))
            else:
                request.session.pop(SESSION_KEY, None)
                messages.success(request, _t("已导入名单：新增 %(c)d 人，更新 %(u)d 人，发送邀请 %(i)d 封。") % {
                    "c": result.created, "u": result.updated, "i": result.invited})
                return redirect("tasks:roster_upload", slug=plan.slug)
        return redirect("tasks:roster_preview", slug=plan.slug)
    preview = roster_preview(plan=plan, parsed=ParsedRoster(sheet=staged["sheet"], columns={}, rows=rows),
                             unit_choices=choices, actor=request.user)
    return render(request, "tasks/people/roster_preview.html", {
        "plan": plan, "preview": preview, "file": staged.get("file", ""),
        "roles": [(code, role_label(code)) for code in ROLE_LABELS],
        # The rows to correct first (each keeps its sheet's row number): a region's roster has hundreds of rows
        # and the three flagged ones were at its bottom.
        "rows": sorted(preview.rows, key=lambda r: not r.errors),
        "choices": choices,
    })


def _apply_corrections(post, rows) -> None:
    """The flagged rows' fields as corrected on the page (only rows that had errors offer inputs)."""
    for r in rows:
        for name in EDITABLE:
            key = f"r{r.row}-{name}"
            if key in post:
                value = post.get(key, "").strip()[:254]
                if name == "mobile":
                    value = clean_mobile(value)
                elif name == "role":
                    value = role_of(value)
                elif name == "name":
                    value = value.replace(" ", "")
                setattr(r, name, value)
