"""Forms of the daily pages: they parse input; the services decide and write."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from tasks.inputs import clean_text
from tasks.services.evidence import ALLOWED_EXTENSIONS, MAX_EVIDENCE_BYTES
from tasks.workdays import date_bounds


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TextField(forms.CharField):
    """A CharField whose value is cleaned (zero-width and control characters removed) before it is
    stripped and checked: a note of only invisible characters is empty, so a required one is missing."""

    def to_python(self, value):
        if isinstance(value, str):
            value = clean_text(value)
        return super().to_python(value)


class BoundedDateField(forms.DateField):
    """A date inside ``workdays.date_bounds`` of the plan (``last_year``, set by the form built with
    ``plan=``); without a plan the service that takes the date checks it."""

    last_year: int | None = None

    def validate(self, value):
        super().validate(value)
        if value and self.last_year is not None:
            low, high = date_bounds(self.last_year)
            if not low <= value <= high:
                raise forms.ValidationError(
                    _("日期应在 %(low)s 至 %(high)s 之间。"), code="date_bounds", params={"low": low, "high": high}
                )


class PlanDatesMixin:
    """Forms built with ``plan=`` bound their date fields to that plan's years."""

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        last_year = getattr(plan, "last_year", None)
        low, high = date_bounds(last_year)
        for field in self.fields.values():
            if isinstance(field, BoundedDateField):
                field.last_year = last_year
                if last_year is not None and field.widget.input_type == "date":
                    field.widget.attrs.update(min=low.isoformat(), max=high.isoformat())


class MonthField(BoundedDateField):
    """A month typed as ``YYYY-MM`` (an ``<input type=month>``), cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        cleaned = super().to_python(value)
        return cleaned.replace(day=1) if cleaned else cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _evidence_help_text() -> str:
    return _("可选。允许 %(types)s，单个文件不超过 %(mb)s MB。") % {
        "types": " ".join(ALLOWED_EXTENSIONS), "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)
    }


# Lazy: the fields are built at import, and the text must follow each reader's language.
_evidence_help = lazy(_evidence_help_text, str)


class MultipleFileField(forms.FileField):
    """Several optional files in one input; the evidence service checks each one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)})
        )
        kwargs.setdefault("help_text", _evidence_help())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    note = TextField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    percent = forms.IntegerField(label=_("进度(%)"), min_value=0, max_value=100, required=False)
    files = MultipleFileField(label=_("佐证材料"))


class ContributionForm(forms.Form):
    note = TextField(
        label=_("配合情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        help_text=_("本单位为该事项做了什么，例如资金下达、审批办理。"),
    )
    files = MultipleFileField(label=_("佐证材料"))


class CloseRequestForm(forms.Form):
    note = TextField(
        label=_("办结说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        help_text=_("写明完成情况，并上传验收报告等佐证材料（盖章版）。"),
    )
    files = MultipleFileField(label=_("佐证材料"))


class ExtensionRequestForm(PlanDatesMixin, forms.Form):
    proposed_due_date = BoundedDateField(label=_("申请延期至"), widget=DateInput())
    reason = TextField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReviewForm(forms.Form):
    ACCEPT, RETURN = "accept", "return"
    decision = forms.ChoiceField(
        label=_("审核结果"), choices=[(ACCEPT, _("通过，办结")), (RETURN, _("退回"))], widget=forms.RadioSelect
    )
    reason = TextField(
        label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000,
        help_text=_("退回时必填，例如“附件为草稿，请上传盖章版”。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not (data.get("reason") or "").strip():
            self.add_error("reason", _("退回时请填写原因。"))
        return data


class ExtensionDecisionForm(PlanDatesMixin, forms.Form):
    GRANT, REJECT = "grant", "reject"
    decision = forms.ChoiceField(choices=[(GRANT, _("批准延期")), (REJECT, _("驳回"))], widget=forms.HiddenInput)
    due_date = BoundedDateField(
        label=_("批准期限"), widget=DateInput(), required=False, help_text=_("留空则按申请的期限批准。")
    )
    note = TextField(label=_("审核意见"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("note") or "").strip():
            self.add_error("note", _("驳回延期时请填写理由。"))
        return data


class CommentForm(forms.Form):
    note = TextField(label=_("督办意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class IndicatorReportForm(PlanDatesMixin, forms.Form):
    month = MonthField(label=_("月份"))
    value = forms.DecimalField(label=_("实际值"), max_digits=14, decimal_places=4)
    note = TextField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=2000)

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if today and not self.is_bound:
            self.initial.setdefault("month", today.replace(day=1))
