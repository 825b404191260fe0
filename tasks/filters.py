"""Filters of the list pages (django-filter); choices are limited to what the user may see."""

from __future__ import annotations

from datetime import date

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tasks.forms import DateInput, Form, SearchField, Select, TextInput
from tasks.inputs import contains, parse_id
from tasks.models import Indicator, KeyTask, Plan, Profile, Role, Unit, WorkItem
from tasks.rules.urgency import SOON_WORKDAYS
from tasks.selectors.choices import FIELDS as CHOICE_FIELDS
from tasks.selectors.choices import LABEL, choices_in
from tasks.selectors.compiled import filter_with_ids
from tasks.selectors.reach import problem_q, unreachable_q
from tasks.selectors.work import Bucket, Urgency, bucket_q, led_by, urgency_q

# "Due soon" says how soon from the rule itself, so the label follows a change of SOON_WORKDAYS.
SOON_LABEL = format_lazy(_("{n}个工作日内到期"), n=SOON_WORKDAYS)

URGENCY_CHOICES = [
    (Urgency.OVERDUE, _("已逾期")),
    (Urgency.SOON, SOON_LABEL),
    (Urgency.LATER, _("以后到期")),
    (Urgency.AWAITING, _("待审核")),
    (Urgency.DONE, _("已办结")),
]
BUCKET_CHOICES = [(Bucket.WEEK, _("逾期1-7天")), (Bucket.MONTH, _("逾期8-30天")), (Bucket.OLDER, _("逾期30天以上"))]


class BoundedSelect(Select):
    """A ``<select>`` of a model choice that may run to thousands of options.

    At render time it reads at most ``limit + 1`` (id, label) pairs of the choices (labelled in SQL:
    ``tasks.selectors.choices.LABEL``; one query, searchable or not: a page's query count does not depend
    on how many choices there are): with ``limit`` or fewer it is a plain select; beyond, it holds only
    the chosen option and a search box above it fills it with at most ~20 matches from ``url``
    (``tasks/autocomplete.js``). An export, which renders no form, reads nothing.
    """

    class Media:
        js = ["tasks/autocomplete.js"]

    def __init__(self, *, url: str, limit: int, attrs=None):
        super().__init__(attrs=attrs)
        self.url = url
        self.limit = limit

    def get_context(self, name, value, attrs):
        choices = self.choices  # the field's ModelChoiceIterator: its queryset
        empty = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
        rows = list(choices.queryset.values_list("pk", LABEL)[: self.limit + 1])
        self.searchable = len(rows) > self.limit
        if not self.searchable:
            self.options = [*empty, *rows]
        else:
            chosen = next((str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v), "")
            # The form's validation already read the chosen row (with its label): reuse it rather than ask again.
            row = getattr(choices.field, "chosen", None)
            if row is None or str(row.pk) != chosen:
                pk = parse_id(chosen)
                row = choices.queryset.filter(pk=pk).first() if pk is not None else None
            self.options = [*empty, *([(row.pk, getattr(row, LABEL))] if row is not None else [])]
            attrs = {**(attrs or {}), "data-autocomplete": self.url,
                     "data-empty-label": choices.field.empty_label or "",
                     "data-more-label": str(_("更多结果，请输入更多文字缩小范围"))}
        context = super().get_context(name, value, attrs)
        context["widget"]["searchable"] = self.searchable
        context["widget"]["search_placeholder"] = _("输入文字搜索")
        return context

    def html(self, widget: dict) -> str:
        select = super().html(widget)
        if not widget["searchable"]:
            return select
        label = conditional_escape(widget["search_placeholder"])
        return (f'<input type="search" class="autocomplete-search" data-autocomplete-for='
                f'"{conditional_escape(widget["attrs"].get("id", ""))}" placeholder="{label}" aria-label="{label}" '
                f'autocomplete="off">\n{select}')

    def optgroups(self, name, value, attrs=None):
        chosen = {str(v) for v in value}
        return [
            (None, [self.create_option(name, pk, text, str(pk) in chosen, i)], i)
            for i, (pk, text) in enumerate(self.options)
        ]


class _ListedChoices(django_filters.fields.ModelChoiceIterator):
    """A model choice list read in one plain query: Django's iterator() opens a server-side cursor on
    PostgreSQL (DECLARE, FETCH, CLOSE: three round trips) for what is a few dozen rows."""

    def __iter__(self):
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class _RememberingChoiceField(django_filters.fields.ModelChoiceField):
    """Keeps the row its validation read (``chosen``), for the widget to label without another query."""

    iterator = _ListedChoices

    def to_python(self, value):
        """The chosen row, read by a statement compiled once for every value (``filter_with_ids``), where
        ``queryset.get(pk=value)`` would build and compile the choices' query again for each request."""
        if self.to_field_name or (self.null_label is not None and value == self.null_value):
            self.chosen = super().to_python(value)  # not a row by its id: as django-filter does
            return self.chosen
        if value in self.empty_values:
            self.chosen = None
            return None
        self.validate_no_null_characters(value)
        pk = parse_id(getattr(value, "pk", value))  # a 64-bit id, as every database binds it
        found = list(filter_with_ids(self.queryset, _pk_is, pk=pk)[:2]) if pk is not None else []
        if len(found) != 1:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value})
        self.chosen = found[0]
        return self.chosen


def _pk_is(*, pk: int) -> Q:
    return Q(pk=pk)


class _Labelled(django_filters.ModelChoiceFilter):
    """A model choice filter of the rows a filterset gives it (``queryset``), labelled by ``str``.

    With ``search_url`` set (its choices then carry their label, ``choices.LABEL``), its select is a
    ``BoundedSelect``: a plain list up to ``searchable_over`` choices, a search beyond. Validation still
    checks a value against the whole queryset.
    """

    searchable_over = 100
    field_class = _RememberingChoiceField

    def __init__(self, *args, **kwargs):
        self.search_url: str | None = None
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = (lambda row: getattr(row, LABEL)) if self.search_url else str
        if self.search_url and not isinstance(field.widget, BoundedSelect):
            field.widget = BoundedSelect(url=self.search_url, limit=self.searchable_over)
            field.widget.choices = field.choices
        return field


class SearchFilter(django_filters.CharFilter):
    """A free-text filter: its word is ``tasks.inputs.search_text`` (cleaned, at most ``SEARCH_MAX``)."""

    field_class = SearchField


class _Dated(django_filters.FilterSet):
    """A FilterSet that knows today's date (urgency and ageing depend on it). Its form is the project's
    (``tasks.forms.Form``: dates bounded, numbers in ASCII digits); a text filter is a ``SearchFilter``."""

    def __init__(self, *args, today: date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)
        for f in self.filters.values():  # widgets rendered in Python (tasks.forms.PythonWidget)
            if isinstance(f, django_filters.ChoiceFilter | django_filters.ModelChoiceFilter):
                f.extra.setdefault("widget", Select)
            elif isinstance(f, django_filters.CharFilter):
                f.extra.setdefault("widget", TextInput)
                if f.field_class is django_filters.CharFilter.field_class:
                    f.field_class = SearchField  # a text filter is a search word: bounded as every other

    def get_form_class(self):
        """The filters' form on ``tasks.forms.Form`` (whatever a subclass's ``Meta`` says)."""
        fields = {name: filter_.field for name, filter_ in self.filters.items()}
        return type(f"{type(self).__name__}Form", (Form,), fields)

    def search(self, qs, name, value):
        return qs.filter(contains("text", value) | contains("deadline_text", value)) if value else qs


class PlanGroupedSelect(Select):
    """A select of rows that carry ``plan_label`` (their plan's short name): when they belong to several plans,
    one ``<optgroup>`` per plan, labelled by its short name, so two plans' "6. 创建未来社区累计数量" are told
    apart; one plan's rows stay a plain list. The rows come ordered by plan."""

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        labels = {_plan_of(o) for _g, options, _i in groups for o in options} - {None}
        if len(labels) < 2:
            return groups
        out: list = []
        for _group, options, index in groups:
            for option in options:
                plan = _plan_of(option)
                if plan is None:  # the empty choice
                    out.append((None, [option], index))
                elif out and out[-1][0] == plan:
                    out[-1][1].append(option)
                else:
                    out.append((plan, [option], index))
        return out


def _plan_of(option: dict) -> str | None:
    return getattr(getattr(option["value"], "instance", None), "plan_label", None)


class WorkItemFilter(_Dated):
    """My unit's work: status, urgency, key task, indicator, deadline range, role, text."""

    q = SearchFilter(label=_("搜索"), method="search")
    urgency = django_filters.ChoiceFilter(label=_("紧急程度"), choices=URGENCY_CHOICES, method="by_urgency")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=WorkItem.Status.choices)
    role = django_filters.ChoiceFilter(label=_("本单位角色"), choices=Role.choices, field_name="my_role")
    key_task = _Labelled(label=_("重点任务"), queryset=KeyTask.objects.none(), widget=PlanGroupedSelect)
    indicator = _Labelled(label=_("指标"), queryset=Indicator.objects.none(), widget=PlanGroupedSelect)
    due_from = django_filters.DateFilter(
        label=_("期限自"), field_name="due_date", lookup_expr="gte", widget=DateInput()
    )
    due_to = django_filters.DateFilter(label=_("期限至"), field_name="due_date", lookup_expr="lte", widget=DateInput())

    class Meta:
        model = WorkItem
        fields: list[str] = []

    def __init__(self, *args, key_tasks: QuerySet[KeyTask], indicators: QuerySet[Indicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["key_task"].queryset = key_tasks
        self.filters["indicator"].queryset = indicators

    def by_urgency(self, qs, name, value):
        return qs.filter(urgency_q(value, self.today)) if value else qs


class OverdueFilter(_Dated):
    """The overdue view: plan, ageing bucket, lead unit, key task, text (plan, lead unit and key task searchable
    when they are many: a province-wide user has 630 plans, 20,000 units)."""

    q = SearchFilter(label=_("搜索"), method="search")
    plan = _Labelled(label=_("方案"), queryset=Plan.objects.none())
    bucket = django_filters.ChoiceFilter(label=_("逾期时长"), choices=BUCKET_CHOICES, method="by_bucket")
    lead_unit = _Labelled(label=_("牵头单位"), queryset=Unit.objects.none(), method="by_lead_unit")
    key_task = _Labelled(label=_("重点任务"), queryset=KeyTask.objects.none())
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=[c for c in WorkItem.Status.choices if c[0] != WorkItem.Status.DONE]
    )

    class Meta:
        model = WorkItem
        fields: list[str] = []

    def __init__(self, *args, plan_ids: tuple[int, ...] | None, spread: tuple[int, int], **kwargs):
        """``plan_ids``: the user's plans (``permissions.reviewable_plan_ids``; None: every plan); ``spread``:
        how many plans and regions they are (``choices.reviewable_spread``)."""
        super().__init__(*args, **kwargs)
        for name in CHOICE_FIELDS:  # labelled for the user's plans
            self.filters[name].queryset = choices_in(name, plan_ids=plan_ids, spread=spread)
            self.filters[name].search_url = reverse("tasks:overdue_choices", args=[name])

    def by_bucket(self, qs, name, value):
        return qs.filter(bucket_q(value, self.today)) if value else qs

    def by_lead_unit(self, qs, name, value):
        return filter_with_ids(qs, led_by, unit_id=value.pk) if value else qs


REACH_PROBLEM_CHOICES = [
    ("problem", _("有问题")),
    ("unreachable", _("无法触达")),
    ("ok", _("全部可用")),
]


class ReachFilter(_Dated):
    """The reach page: a unit's or person's name, and who has a problem or cannot be reached at all."""

    q = SearchFilter(label=_("单位或人员"), method="search")
    problem = django_filters.ChoiceFilter(label=_("触达情况"), choices=REACH_PROBLEM_CHOICES, method="by_problem")

    class Meta:
        model = Profile
        fields: list[str] = []

    def __init__(self, *args, configured: frozenset[str], **kwargs):
        self.configured = configured
        super().__init__(*args, **kwargs)

    def search(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(contains("unit__name", value) | contains("user__username", value)
                         | contains("user__first_name", value) | contains("user__last_name", value))

    def by_problem(self, qs, name, value):
        if value == "problem":
            return qs.filter(problem_q(configured=self.configured))
        if value == "unreachable":
            return qs.filter(unreachable_q(configured=self.configured))
        if value == "ok":
            return qs.exclude(problem_q(configured=self.configured))
        return qs
