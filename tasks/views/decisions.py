"""The coordinator's page for work from outside the plan: upload meeting minutes (会议纪要, 交办单) or type a
leader's instruction (领导批示), read the decisions found, confirm. Nothing is written before the confirm; the
confirm re-reads the very text the preview showed (carried in the form), so what is written is what was read.
"""

from __future__ import annotations

import re
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tasks.forms import BoundedDateField, Form, TextField
from tasks.importers import PlanParseError
from tasks.importers.decisions import parse_decisions
from tasks.models import KeyTask, WorkItem
from tasks.rules.actions import Act
from tasks.selectors.guard import authorize
from tasks.selectors.people import possible_raisers
from tasks.selectors.permissions import reviewable_plans
from tasks.selectors.work import outside_plan_items
from tasks.services.decisions import decisions_import, decisions_read, resolve_units
from tasks.services.parse_slots import ParseBusy, parse_slot
from tasks.tables import WorkItemTable

from .common import PER_PAGE, BoundedRequestConfig
from .imports import ALLOWED_SUFFIXES, MAX_UPLOAD, parse_error_text

MAX_TEXT = 100_000


class DecisionsForm(Form):
    document = forms.FileField(label=_("会议纪要或交办单文件"), required=False,
                               help_text=_(".txt、.docx、带文字层的 .pdf；或在下面直接填写批示内容"))
    text = TextField(label=_("批示或议定事项内容"), required=False, max_length=MAX_TEXT, widget=forms.Textarea,
                     help_text=_("每条事项一段，写明牵头、配合单位和完成时限，如“由县住建局牵头，县财政局配合，6月底前完成”"))
    origin = forms.ChoiceField(label=_("事项来源"), choices=[(WorkItem.Origin.MEETING, WorkItem.Origin.MEETING.label),
                                                         (WorkItem.Origin.INSTRUCTION,
                                                          WorkItem.Origin.INSTRUCTION.label)])
    origin_ref = TextField(label=_("来源文号/会议"), required=False, max_length=200)
    origin_by = TextField(label=_("提出人/会议"), required=False, max_length=100)
    origin_on = BoundedDateField(label=_("来源日期"), required=False,
                                 help_text=_("会议或批示的日期：“会后一周内”“10个工作日内”“本月底前”等时限从这一天算起"))
    raised_by = forms.ModelChoiceField(
        label=_("提出人账号"), queryset=get_user_model().objects.none(), required=False,
        empty_label=_("无（由协调员代为评价）"),
        help_text=_("提出事项的领导有账号时选择：本人可查看事项并评价办理情况"))
    key_task = forms.ModelChoiceField(label=_("关联重点任务"), queryset=KeyTask.objects.none(), required=False,
                                      empty_label=_("不关联"))

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None:  # the key tasks of this plan only; its region's leaders
            self.fields["key_task"].queryset = KeyTask.objects.filter(plan=plan).order_by("number")
            self.fields["raised_by"].queryset = possible_raisers(plan.region_id)
            self.fields["raised_by"].label_from_instance = _raiser_label

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and Path(document.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("只支持 .txt、.docx、.pdf、.doc 和 .wps 文件。"))
        if document and document.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过 20MB。"))
        return document

    def clean(self):
        data = super().clean()
        if not data.get("document") and not data.get("text"):
            raise forms.ValidationError(_("请上传文件或填写内容。"))
        return data


def _raiser_label(user) -> str:
    unit = user.profile.unit
    return f"{user.get_full_name() or user.get_username()}（{unit.name}）" if unit else user.get_username()


def decisions_upload(request, slug: str):
    plan = get_object_or_404(reviewable_plans(request.user).select_related("region"), slug=slug)
    authorize(Act.IMPORT_PLAN, request.user, plan)
    form = DecisionsForm(request.POST or None, request.FILES or None, plan=plan)
    items = WorkItemTable(outside_plan_items(request.user, plan, timezone.localdate()), show_role=False,
                          exclude=("indicator",))
    BoundedRequestConfig(request, paginate={"per_page": PER_PAGE}).configure(items)
    context = {"plan": plan, "form": form, "items": items}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        text = data["text"]
        if data["document"]:
            try:
                with parse_slot(request.user):
                    text = decisions_read(data["document"])
            except PlanParseError as exc:
                form.add_error("document", parse_error_text(exc, user=request.user))
                return render(request, "tasks/decisions_upload.html", context)
            except ParseBusy as exc:
                form.add_error("document", str(exc))
                return render(request, "tasks/decisions_upload.html", context, status=429)
        # Deadlines written without a year ("6月底前") fall in the year of the meeting, else this year; those
        # written relative to the meeting ("会后一周内") count from its date (none without it: a warning).
        parsed = parse_decisions(text, year=(data["origin_on"] or timezone.localdate()).year
                                 if data["origin_on"] or not re.search(r"20[0-9]{2}\s*年", text[:400]) else None,
                                 meeting=data["origin_on"])
        if request.POST.get("step") == "confirm":
            try:
                result = decisions_import(
                    plan=plan, parsed=parsed, origin=data["origin"],
                    origin_ref=data["origin_ref"] or (data["document"].name if data["document"] else ""),
                    origin_by=data["origin_by"], origin_on=data["origin_on"], key_task=data["key_task"],
                    raised_by=data["raised_by"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, result.summary())
                # Back here, where the items just made are listed to be handed out (分解交办).
                return redirect("tasks:decisions_upload", slug=plan.slug)
        _units, missing = resolve_units(plan=plan, parsed=parsed)
        context.update({"parsed": parsed, "missing": missing, "text": text,
                        "ready": bool(parsed.items) and not missing
                        and all(d.lead_units and d.deadline for d in parsed.items)})
        if not context["ready"]:
            messages.warning(request, _t("请先处理下列问题，再确认建立事项。"))
    return render(request, "tasks/decisions_upload.html", context)
