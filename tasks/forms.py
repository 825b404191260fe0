"""Forms of the daily pages: they parse input; the services decide and write."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import SuspiciousOperation
from django.core.validators import MaxLengthValidator
from django.forms.formsets import TOTAL_FORM_COUNT
from django.forms.utils import flatatt
from django.utils.functional import lazy
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext_lazy as _

from tasks.inputs import SEARCH_MAX, clean_text, is_blank, is_key, search_text, wide_digits
from tasks.rules.breakdown import parent_past_due
from tasks.services.evidence import ALLOWED_EXTENSIONS, MAX_EVIDENCE_BYTES
from tasks.workdays import input_bounds


class PythonWidget:
    """A widget rendered in Python, not through the form renderer's templates (Django renders each field
    through two or three templates: on a list page's filter form, a template per field and per attribute
    list). Same HTML as Django's templates (tested)."""

    def _render(self, template_name, context, renderer=None):
        return mark_safe(self.html(context["widget"]))  # every value, label and attribute is escaped

    def html(self, widget: dict) -> str:
        raise NotImplementedError


def attrs_html(attrs: dict) -> str:
    """Django's ``django/forms/widgets/attrs.html``."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items() if value is not False
    )


def _text(value) -> str:
    """``{{ value|stringformat:'s' }}`` with autoescaping (a safe value stays as it is)."""
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def input_html(widget: dict) -> str:
    """Django's ``django/forms/widgets/input.html``."""
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
            f'{value}{attrs_html(widget["attrs"])}>')


class TextInput(PythonWidget, forms.TextInput):
    def html(self, widget: dict) -> str:
        return input_html(widget)


class DateInput(PythonWidget, forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def html(self, widget: dict) -> str:
        return input_html(widget)


class Select(PythonWidget, forms.Select):
    """A ``<select>`` rendered in Python, its options too (Django's template includes a template per option,
    which made a filter form with a few long lists a fifth of a list page's time). Same HTML."""

    def html(self, widget: dict) -> str:
        return (f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>'
                f'{options_html(widget["optgroups"])}</select>')


def options_html(optgroups) -> str:
    """The ``<option>`` (and ``<optgroup>``) elements of a select's ``optgroups``, as Django renders them."""
    parts = []
    for group, options, _index in optgroups:
        rendered = "".join(
            f'<option value="{conditional_escape(o["value"])}"{_option_attrs(o["attrs"])}>'
            f'{conditional_escape(o["label"])}</option>'
            for o in options
        )
        parts.append(f'<optgroup label="{conditional_escape(group)}">{rendered}</optgroup>' if group else rendered)
    return mark_safe("".join(parts))  # every value, label and attribute was escaped


def _option_attrs(attrs: dict) -> str:
    if not attrs:
        return ""
    if attrs == {"selected": True}:  # a select's options carry nothing else (option_inherits_attrs is off)
        return " selected"
    return flatatt(attrs)


def _key_field(queryset, to_field_name):
    return queryset.model._meta.get_field(to_field_name) if to_field_name else queryset.model._meta.pk


class KeyMultipleChoiceField(forms.ModelMultipleChoiceField):
    """``ModelMultipleChoiceField`` that refuses values its model's key cannot hold ("²", 20 digits) as
    invalid: Django's checks each value's type, then queries ``pk__in`` with them all, and an id past the
    column's range raises there on SQLite (OverflowError). (``ModelChoiceField`` needs no such check: its
    one lookup treats an out-of-range id as no row.)"""

    def _check_values(self, value):
        key = _key_field(self.queryset, self.to_field_name)
        for pk in value:
            if isinstance(pk, str) and not is_key(key, pk):
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": pk})
        return super()._check_values(value)


TEXT_MAX = 50_000  # characters: a text field's bound when its form or model names none (a 通报's body)
MAX_FORMS = 500  # forms in one formset (a region's ~220 units in a target breakdown; an inline's rows)


def _refuse_wide_digits(value) -> None:
    if wide_digits(value):
        raise forms.ValidationError(_("请使用半角数字（0-9）。"), code="wide_digits")


class TextField(forms.CharField):
    """The one text field of every form: zero-width and control characters removed (``clean_text``, NUL
    included) before it is stripped and checked; a text that shows nothing (``is_blank``: whitespace,
    zero-width, fillers) is empty, so a required one is missing; at most ``max_length`` (``TEXT_MAX``
    unless the form or the model column names less)."""

    def __init__(self, *, max_length=None, **kwargs):
        super().__init__(max_length=max_length or TEXT_MAX, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = clean_text(value)
            if is_blank(value):
                value = ""
        return super().to_python(value)


class SearchField(TextField):
    """A search or filter word (``tasks.inputs.search_text``): cleaned and cut to ``SEARCH_MAX`` characters,
    never refused for its length (a list page, the admin's search and its autocompletes read it alike)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(max_length=SEARCH_MAX, **kwargs)

    def to_python(self, value):
        return search_text(value) if isinstance(value, str) else super().to_python(value)


class IntegerField(forms.IntegerField):
    """Django's, refusing digits that are not ASCII ("３" is not read as 3)."""

    def to_python(self, value):
        _refuse_wide_digits(value)
        return super().to_python(value)


class DecimalField(forms.DecimalField):
    """Django's, refusing digits that are not ASCII ("５０" is not read as 50)."""

    def to_python(self, value):
        _refuse_wide_digits(value)
        return super().to_python(value)


class FloatField(forms.FloatField):
    def to_python(self, value):
        _refuse_wide_digits(value)
        return super().to_python(value)


class BoundedDateField(forms.DateField):
    """The one date field of every form: ASCII digits only, and a date inside ``workdays.input_bounds``:
    the plan's years (``last_year``, set by a form built with ``plan=``) or, without a plan, 2000-2100.
    "0001-01-01" is refused with the range in the message, never stored nor computed with."""

    last_year: int | None = None

    def to_python(self, value):
        _refuse_wide_digits(value)
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value:
            check_date(value, self.last_year)



def check_date(value: date, last_year: int | None = None) -> None:
    """Refuse ``value`` outside ``workdays.input_bounds(last_year)`` (forms, the API, the admin's filters)."""
    low, high = input_bounds(last_year)
    if not low <= value <= high:
        raise forms.ValidationError(
            _("日期应在 %(low)s 至 %(high)s 之间。"), code="date_bounds", params={"low": low, "high": high}
        )


class BoundedSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date-and-time field with the one date field's rules on its date part."""

    def compress(self, data_list):
        result = super().compress(data_list)
        if result:
            check_date(result.date())
        return result

    def clean(self, value):
        if isinstance(value, list | tuple):
            for part in value:
                _refuse_wide_digits(part)
        return super().clean(value)


class BoundedDateTimeField(forms.DateTimeField):
    def to_python(self, value):
        _refuse_wide_digits(value)
        result = super().to_python(value)
        if result:
            check_date(result.date())
        return result


# Django's stock fields and the project's that replace them (exact types: a subclass is a deliberate choice).
PROJECT_FIELDS: dict[type, type] = {
    forms.CharField: TextField, forms.DateField: BoundedDateField, forms.IntegerField: IntegerField,
    forms.DecimalField: DecimalField, forms.FloatField: FloatField, forms.DateTimeField: BoundedDateTimeField,
    forms.SplitDateTimeField: BoundedSplitDateTimeField,
}


def project_field(field: forms.Field) -> forms.Field:
    """``field`` (built by Django: a model's form field, a filter's) as the project's field of its type, in
    place: same widget, label and bounds, plus the project's cleaning and checks (``PROJECT_FIELDS``)."""
    if isinstance(field.widget, forms.PasswordInput):
        return field  # a password is kept exactly as typed (Django's own forms check it)
    kind = PROJECT_FIELDS.get(type(field))
    if kind is not None:
        field.__class__ = kind
        if kind is TextField and field.max_length is None:
            field.max_length = TEXT_MAX
            field.validators.append(MaxLengthValidator(TEXT_MAX))
            field.widget.attrs.update(field.widget_attrs(field.widget))
    if isinstance(field, forms.MultiValueField):
        for part in field.fields:
            project_field(part)
    return field


class Form(forms.Form):
    """The project's form: the text, date and number fields it declares, and those it adds when built,
    are the project's (``project_field``), so a form written with ``forms.CharField`` still cleans, bounds
    and refuses as every other (``tasks/tests/hardening/test_forms.py`` walks every form)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for field in cls.__dict__.get("declared_fields", {}).values():
            project_field(field)

    def full_clean(self):
        for field in self.fields.values():  # fields added in __init__ too
            project_field(field)
        super().full_clean()


class _ModelFormMetaclass(forms.models.ModelFormMetaclass):
    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        for field in getattr(new_class, "base_fields", {}).values():  # the model's fields and those declared
            project_field(field)
        return new_class


class ModelForm(forms.BaseModelForm, metaclass=_ModelFormMetaclass):
    """The project's model form: as ``Form``, the fields the model gives it and those it declares are the
    project's."""

    def full_clean(self):
        for field in self.fields.values():
            project_field(field)
        super().full_clean()


class TooManyForms(SuspiciousOperation):
    """A formset posted with more forms than it takes: a request no page of ours makes (a 400)."""


class BoundedFormSet:
    """A formset mixin: a POST whose TOTAL_FORMS is past ``absolute_max`` is refused (``TooManyForms``, a 400)
    before any form is built. Django would build ``absolute_max`` forms (2,000 by default) and render them all
    again with its error: seconds for one request."""

    def total_form_count(self):
        if (self.is_bound and self.management_form.is_valid()
                and self.management_form.cleaned_data[TOTAL_FORM_COUNT] > self.absolute_max):
            raise TooManyForms(f"{self.prefix}: more than {self.absolute_max} forms")
        return super().total_form_count()


def bounded_formset(formset_class: type) -> type:
    """``formset_class`` with ``BoundedFormSet`` (itself if it has it already)."""
    if issubclass(formset_class, BoundedFormSet):
        return formset_class
    return type(formset_class.__name__, (BoundedFormSet, formset_class), {})


def formset_factory(form, **kwargs):
    """Django's ``formset_factory`` taking at most ``MAX_FORMS`` forms (``BoundedFormSet``)."""
    kwargs["formset"] = bounded_formset(kwargs.get("formset", forms.BaseFormSet))
    kwargs.setdefault("max_num", MAX_FORMS)
    kwargs.setdefault("absolute_max", max(kwargs["max_num"], MAX_FORMS))
    return forms.formset_factory(form, **kwargs)


class PlanDatesMixin:
    """Forms built with ``plan=`` bound their date fields to that plan's years (``bound_dates``; a form that
    adds date fields in its ``__init__`` calls it again after)."""

    def __init__(self, *args, plan=None, **kwargs):
        self.last_year = getattr(plan, "last_year", None)
        super().__init__(*args, **kwargs)
        self.bound_dates()

    def bound_dates(self) -> None:
        low, high = input_bounds(self.last_year)
        for field in self.fields.values():
            if isinstance(field, BoundedDateField):
                field.last_year = self.last_year
                if self.last_year is not None and field.widget.input_type == "date":
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


class CameraField(MultipleFileField):
    """Photos taken with the phone's camera (``capture="environment"``: the back camera opens at once). A
    separate input from the files: with ``capture`` a phone offers only the camera, and a liaison also
    attaches PDFs (a signed acceptance report)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("拍照上传"))
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        kwargs.setdefault("help_text", _("可选。用手机拍摄现场或盖章材料，照片作为佐证材料一并上传。"))
        super().__init__(*args, **kwargs)


class WithPhotos:
    """A form with evidence: ``files`` chosen (any allowed kind) and ``photos`` from the camera, handed on
    together as ``cleaned_data["files"]`` (the evidence service checks each one the same way)."""

    def clean(self):
        data = super().clean()
        data["files"] = [*(data.get("files") or []), *(data.pop("photos", None) or [])]
        return data


class ProgressForm(WithPhotos, Form):
    note = TextField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    percent = IntegerField(label=_("进度(%)"), min_value=0, max_value=100, required=False)
    photos = CameraField()
    files = MultipleFileField(label=_("佐证材料"))


class ContributionForm(WithPhotos, Form):
    note = TextField(
        label=_("配合情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        help_text=_("本单位为该事项做了什么，例如资金下达、审批办理。"),
    )
    photos = CameraField()
    files = MultipleFileField(label=_("佐证材料"))


class CloseRequestForm(WithPhotos, Form):
    """``evidence_required``: the plan requires evidence for the item's kind and none is on file yet (the
    service refuses a request without it; the form only says so, ``selectors.burden.evidence_demanded_of``)."""

    note = TextField(
        label=_("办结说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        help_text=_("写明完成情况；如有验收报告等佐证材料可一并上传。"),
    )
    photos = CameraField()
    files = MultipleFileField(label=_("佐证材料"))

    def __init__(self, *args, evidence_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.evidence_required = evidence_required
        if evidence_required:
            self.fields["files"].help_text = _("必填：本方案要求此类事项申请办结时上传佐证材料（文件或拍照）。")


class ExtensionRequestForm(PlanDatesMixin, Form):
    proposed_due_date = BoundedDateField(label=_("申请延期至"), widget=DateInput())
    reason = TextField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReviewForm(Form):
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


class ExtensionDecisionForm(PlanDatesMixin, Form):
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


class CommentForm(Form):
    note = TextField(label=_("督办意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RatingForm(Form):
    # Radio buttons with none chosen: a rating is a choice the rater makes (a list opened on 满意, and one tap
    # on 记录评价 recorded it).
    rating = forms.ChoiceField(label=_("办理评价"), choices=[("satisfied", _("满意")), ("basically", _("基本满意")),
                                                        ("unsatisfied", _("不满意"))], widget=forms.RadioSelect)
    reason = TextField(label=_("评价说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False,
                       help_text=_("不满意时必填：事项将重新办理"))


class IndicatorReportForm(PlanDatesMixin, Form):
    month = MonthField(label=_("月份"))
    value = DecimalField(label=_("实际值"), max_digits=14, decimal_places=4)
    note = TextField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=2000)

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if today and not self.is_bound:
            self.initial.setdefault("month", today.replace(day=1))


class SupportDoneForm(WithPhotos, Form):
    """A supporting unit's part done (配合到位): what it did, with optional evidence."""

    note = TextField(
        label=_("配合情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        help_text=_("本单位完成的配合工作，如资金拨付、审批办理、数据报送。"),
    )
    photos = CameraField()
    files = MultipleFileField(label=_("佐证材料"))


class WaiveForm(Form):
    reason = TextField(label=_("豁免理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class BreakdownForm(PlanDatesMixin, Form):
    """Units to hand parts of an item to, each with its deadline (default: the common one) and target share.

    ``all_towns`` (a submit button) hands a part to every town not yet given one, with the common deadline.
    """

    due_date = BoundedDateField(label=_("统一期限"), widget=DateInput(), required=False,
                               help_text=_("未单独填写期限的单位使用此期限，不得晚于本事项的期限。"))

    def __init__(self, *args, units, taken: set[int], parent_due: date | None, today: date | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        self.taken = taken
        self.today = today
        # An item already past due cannot lend its deadline: the parts need a new one (no default offered).
        self.parent_past_due = today is not None and parent_past_due(parent_due=parent_due, today=today)
        if self.parent_past_due:
            self.fields["due_date"].label = _("新期限")
            self.fields["due_date"].help_text = _("本事项已过期限：请为分解任务设定新的期限(今天或以后)。")
        elif not self.is_bound:
            self.fields["due_date"].initial = parent_due
        for u in self.units:
            self.fields[f"unit_{u.pk}"] = forms.BooleanField(required=False, label=u.name,
                                                             disabled=u.pk in taken)
            self.fields[f"due_{u.pk}"] = BoundedDateField(required=False, widget=DateInput(), label=_("期限"))
            self.fields[f"share_{u.pk}"] = TextField(required=False, max_length=100, label=_("分解目标"))
        self.bound_dates()

    def groups(self) -> list[tuple[str, str, list[dict]]]:
        """(kind key, title, rows) for the template: towns first, then the other units."""
        towns, others = [], []
        for u in self.units:
            row = {"unit": u, "taken": u.pk in self.taken, "check": self[f"unit_{u.pk}"],
                   "due": self[f"due_{u.pk}"], "share": self[f"share_{u.pk}"]}
            (towns if u.kind == "town" else others).append(row)
        return [g for g in (("town", _("镇(街道)"), towns), ("other", _("部门及其他单位"), others)) if g[2]]

    def clean(self):
        data = super().clean()
        all_towns = bool(self.data.get("all_towns"))
        common = data.get("due_date")
        parts = []
        for u in self.units:
            if u.pk in self.taken:
                continue
            chosen = data.get(f"unit_{u.pk}") or (all_towns and u.kind == "town")
            if not chosen:
                continue
            due = data.get(f"due_{u.pk}") or common
            if due is None:
                self.add_error("due_date", _("请填写%(u)s的期限或统一期限。") % {"u": u.name})
                continue
            if self.parent_past_due and due < self.today:
                field = f"due_{u.pk}" if data.get(f"due_{u.pk}") else "due_date"
                self.add_error(field, _("%(u)s 的新期限不能早于今天。") % {"u": u.name})
                continue
            parts.append((u, due, data.get(f"share_{u.pk}") or ""))
        if not parts and not self.errors:
            raise forms.ValidationError(_("请至少选择一个承办单位。"))
        data["parts"] = parts
        return data
class TargetBreakdownForm(Form):
    """The method of a breakdown; the shares are a formset of ``TargetShareForm``."""

    method = forms.ChoiceField(label=_("汇总方式"), choices=())

    def __init__(self, *args, **kwargs):
        from tasks.models import RollupMethod

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = RollupMethod.choices


class TargetShareForm(Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=None, required=False)
    value = DecimalField(label=_("分解目标"), max_digits=14, decimal_places=4, required=False, min_value=0)
    base = DecimalField(label=_("基数"), max_digits=14, decimal_places=4, required=False, min_value=0)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        if data.get("unit") is None and (data.get("value") is not None or data.get("base") is not None):
            self.add_error("unit", _("请选择单位。"))
        return data


TargetShareFormSet = formset_factory(TargetShareForm, extra=0)


class BulletinForm(Form):
    """The 通报's text as plain paragraphs (no HTML): one paragraph a line."""

    title = TextField(label=_("标题"), max_length=200)
    addressees = TextField(label=_("主送机关"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    body = TextField(
        label=_("正文"), widget=forms.Textarea(attrs={"rows": 18}), max_length=50000,
        help_text=_("每段一行；以“一、”开头的段落排为黑体标题，以“（一）”开头的排为楷体标题。"),
    )
    signer = TextField(label=_("发文机关署名"), max_length=100)
    copy_to = TextField(label=_("抄送"), max_length=300, required=False)


NOTICE_COLOURS = [("", _("按规则确定")), ("blue", _("蓝色")), ("yellow", _("黄色")), ("red", _("红色"))]


class NoticeIssueForm(Form):
    colour = forms.ChoiceField(label=_("督办颜色"), choices=NOTICE_COLOURS, required=False)
    requirement = TextField(label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                  required=False, help_text=_("留空则按颜色使用默认要求"))
    urgent = forms.BooleanField(label=_("急件"), required=False,
                                help_text=_("仅红色督办单：立即发送，不等工作时间"))


class NoticeReplyForm(WithPhotos, Form):
    text = TextField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    photos = CameraField()
    files = MultipleFileField(label=_("佐证材料"))
