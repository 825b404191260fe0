"""Upload a plan document, preview what would be created beside the source lines, then confirm."""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tasks.importers import PlanParseError, parse_plan_text
from tasks.importers.reader import read_document
from tasks.selectors.imports import import_preview
from tasks.services.plan_import import plan_import

ALLOWED_SUFFIXES = {".txt", ".docx", ".pdf"}
MAX_UPLOAD = 20 * 1024 * 1024
SESSION_KEY = "plan_import_staged"


class PlanUploadForm(forms.Form):
    document = forms.FileField(label=_("方案文件"), help_text=_(".txt(UTF-8/GB18030)、.docx 或带文字层的 .pdf"))
    year = forms.IntegerField(
        label=_("工作清单年度"), required=False, min_value=2000, max_value=2100,
        help_text=_("文件未写明工作清单年度时填写"),
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        if Path(document.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("只支持 .txt、.docx 和 .pdf 文件。"))
        if document.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过 20MB。"))
        return document


def _staging_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "import-staging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _parse_staged(staged: dict):
    path = _staging_dir() / staged["file"]
    try:
        text = read_document(path)
    except PlanParseError as exc:
        # Name the file the coordinator uploaded, not our staging copy.
        raise PlanParseError(exc.message, path=staged["name"], line=exc.line) from None
    parsed = parse_plan_text(text, source=staged["name"], year=staged.get("year"))
    return path, text, parsed


@permission_required("tasks.add_plan", raise_exception=True)
def plan_import_upload(request):
    """Step 1 and 2: upload, then the preview. Nothing is written to the plan tables here."""
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        staged_name = f"{uuid.uuid4().hex}{Path(document.name).suffix.lower()}"
        with open(_staging_dir() / staged_name, "wb") as out:
            for chunk in document.chunks():
                out.write(chunk)
        staged = {"file": staged_name, "name": Path(document.name).name, "year": form.cleaned_data["year"]}
        try:
            _path, text, parsed = _parse_staged(staged)
        except PlanParseError as exc:
            (_staging_dir() / staged_name).unlink(missing_ok=True)
            form.add_error("document", str(exc))
        else:
            _discard(request)
            request.session[SESSION_KEY] = staged
            preview = import_preview(parsed=parsed)
            return render(
                request,
                "tasks/import_preview.html",
                {"preview": preview, "parsed": parsed, "lines": text.splitlines(), "staged": staged},
            )
    return render(request, "tasks/import_upload.html", {"form": form})


@require_POST
@permission_required("tasks.add_plan", raise_exception=True)
def plan_import_confirm(request):
    """Step 3: import the staged document atomically and go to the plan's page."""
    staged = request.session.get(SESSION_KEY)
    if not staged or not (_staging_dir() / staged["file"]).exists():
        messages.error(request, _("没有待确认的导入，请重新上传文件。"))
        return redirect("tasks:plan_import")
    try:
        path, _text, parsed = _parse_staged(staged)
        result = plan_import(parsed=parsed, source_name=staged["name"], source_bytes=path.read_bytes())
    except PlanParseError as exc:
        messages.error(request, str(exc))
        return redirect("tasks:plan_import")
    _discard(request)
    messages.success(request, _("导入完成：%s") % result.summary())
    return redirect(result.plan.get_absolute_url())


@require_POST
@permission_required("tasks.add_plan", raise_exception=True)
def plan_import_cancel(request):
    _discard(request)
    messages.info(request, _("已取消导入，未写入任何内容。"))
    return redirect("tasks:plan_import")


def _discard(request) -> None:
    staged = request.session.pop(SESSION_KEY, None)
    if staged:
        (_staging_dir() / staged["file"]).unlink(missing_ok=True)
