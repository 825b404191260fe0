"""Forms of the daily pages: they parse input; the services decide and write."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from tasks.services.evidence import ALLOWED_EXTENSIONS, MAX_EVIDENCE_BYTES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MonthField(forms.DateField):
    """A month typed as ``YYYY-MM`` (an ``<input type=month>``), cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def clean(self, value):
        cleaned = super().clean(value)
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
    note = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    percent = forms.IntegerField(label=_("进度(%)"), min_value=0, max_value=100, required=False)
    files = MultipleFileField(label=_("佐证材料"))


class ContributionForm(forms.Form):
    note = forms.CharField(
        label=_("配合情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        help_text=_("本单位为该事项做了什么，例如资金下达、审批办理。"),
    )
    files = MultipleFileField(label=_("佐证材料"))


class CloseRequestForm(forms.Form):
    note = forms.CharField(
        label=_("办结说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        help_text=_("写明完成情况，并上传验收报告等佐证材料（盖章版）。"),
    )
    files = MultipleFileField(label=_("佐证材料"))


class ExtensionRequestForm(forms.Form):
    proposed_due_date = forms.DateField(label=_("申请延期至"), widget=DateInput())
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReviewForm(forms.Form):
    ACCEPT, RETURN = "accept", "return"
    decision = forms.ChoiceField(
        label=_("审核结果"), choices=[(ACCEPT, _("通过，办结")), (RETURN, _("退回"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000,
        help_text=_("退回时必填，例如“附件为草稿，请上传盖章版”。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not (data.get("reason") or "").strip():
            self.add_error("reason", _("退回时请填写原因。"))
        return data


class ExtensionDecisionForm(forms.Form):
    GRANT, REJECT = "grant", "reject"
    decision = forms.ChoiceField(choices=[(GRANT, _("批准延期")), (REJECT, _("驳回"))], widget=forms.HiddenInput)
    due_date = forms.DateField(
        label=_("批准期限"), widget=DateInput(), required=False, help_text=_("留空则按申请的期限批准。")
    )
    note = forms.CharField(label=_("审核意见"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("note") or "").strip():
            self.add_error("note", _("驳回延期时请填写理由。"))
        return data


class CommentForm(forms.Form):
    note = forms.CharField(label=_("督办意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class IndicatorReportForm(forms.Form):
    month = MonthField(label=_("月份"))
    value = forms.DecimalField(label=_("实际值"), max_digits=14, decimal_places=4)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=2000)

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if today and not self.is_bound:
            self.initial.setdefault("month", today.replace(day=1))


class BulletinForm(forms.Form):
    """The 通报's text as plain paragraphs (no HTML): one paragraph a line."""

    title = forms.CharField(label=_("标题"), max_length=200)
    addressees = forms.CharField(label=_("主送机关"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    body = forms.CharField(
        label=_("正文"), widget=forms.Textarea(attrs={"rows": 18}), max_length=50000,
        help_text=_("每段一行；以“一、”开头的段落排为黑体标题，以“（一）”开头的排为楷体标题。"),
    )
    signer = forms.CharField(label=_("发文机关署名"), max_length=100)
    copy_to = forms.CharField(label=_("抄送"), max_length=300, required=False)


NOTICE_COLOURS = [("", _("按规则确定")), ("blue", _("蓝色")), ("yellow", _("黄色")), ("red", _("红色"))]


class NoticeIssueForm(forms.Form):
    colour = forms.ChoiceField(label=_("督办颜色"), choices=NOTICE_COLOURS, required=False)
    requirement = forms.CharField(label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                  required=False, help_text=_("留空则按颜色使用默认要求"))


class NoticeReplyForm(forms.Form):
    text = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    files = MultipleFileField(label=_("佐证材料"))
