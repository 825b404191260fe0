"""Filters of the list pages (django-filter); choices are limited to what the user may see."""

from __future__ import annotations

from datetime import date

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tasks.forms import DateInput
from tasks.models import Indicator, KeyTask, Plan, Role, Unit, WorkItem
from tasks.selectors.work import Bucket, Urgency, bucket_q, items_with_lead, urgency_q

URGENCY_CHOICES = [
    (Urgency.OVERDUE, _("已逾期")),
    (Urgency.SOON, _("7个工作日内到期")),
    (Urgency.LATER, _("以后到期")),
    (Urgency.AWAITING, _("待审核")),
    (Urgency.DONE, _("已办结")),
]
BUCKET_CHOICES = [(Bucket.WEEK, _("逾期1-7天")), (Bucket.MONTH, _("逾期8-30天")), (Bucket.OLDER, _("逾期30天以上"))]


def plan_labels(plans) -> dict[int, str]:
    """A short name per plan, to tell apart rows and options of a user who has more than one plan.

    The region ("海宁市") when it names one plan among them, else the plan's title. Empty when the
    user has a single plan: then a label would only add noise.
    """
    plans = list(plans.select_related("region")) if isinstance(plans, QuerySet) else list(plans)
    if len(plans) < 2:
        return {}
    per_region: dict[int, int] = {}
    for p in plans:
        per_region[p.region_id] = per_region.get(p.region_id, 0) + 1
    return {p.pk: p.region.name if per_region[p.region_id] == 1 else p.title for p in plans}


class _Labelled(django_filters.ModelChoiceFilter):
    """A model choice filter whose option labels come from a function (set by the filterset)."""

    def __init__(self, *args, **kwargs):
        self.label_for = str
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = self.label_for
        return field


class _Dated(django_filters.FilterSet):
    """A FilterSet that knows today's date (urgency and ageing depend on it)."""

    def __init__(self, *args, today: date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def search(self, qs, name, value):
        return qs.filter(Q(text__icontains=value) | Q(deadline_text__icontains=value)) if value else qs


class WorkItemFilter(_Dated):
    """My unit's work: status, urgency, key task, indicator, deadline range, role, text."""

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    urgency = django_filters.ChoiceFilter(label=_("紧急程度"), choices=URGENCY_CHOICES, method="by_urgency")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=WorkItem.Status.choices)
    role = django_filters.ChoiceFilter(label=_("本单位角色"), choices=Role.choices, field_name="my_role")
    key_task = django_filters.ModelChoiceFilter(label=_("重点任务"), queryset=KeyTask.objects.none())
    indicator = django_filters.ModelChoiceFilter(label=_("指标"), queryset=Indicator.objects.none())
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
    """The overdue view: plan, ageing bucket, lead unit, key task, text."""

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    plan = django_filters.ModelChoiceFilter(label=_("方案"), queryset=Plan.objects.none())
    bucket = django_filters.ChoiceFilter(label=_("逾期时长"), choices=BUCKET_CHOICES, method="by_bucket")
    lead_unit = _Labelled(label=_("牵头单位"), queryset=Unit.objects.none(), method="by_lead_unit")
    key_task = _Labelled(label=_("重点任务"), queryset=KeyTask.objects.none())
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=[c for c in WorkItem.Status.choices if c[0] != WorkItem.Status.DONE]
    )

    class Meta:
        model = WorkItem
        fields: list[str] = []

    def __init__(self, *args, plans: QuerySet[Plan], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["plan"].queryset = plans
        self.filters["lead_unit"].queryset = (
            Unit.objects.filter(region__plans__in=plans).select_related("region").distinct()
            .order_by("region__name", "name")
        )
        self.filters["key_task"].queryset = KeyTask.objects.filter(plan__in=plans).select_related("plan").order_by(
            "plan", "number"
        )
        # With several plans, "3. 扩大…" or "市财政局" alone does not say which plan or region it is.
        labels = plan_labels(plans)
        if labels:
            self.filters["key_task"].label_for = lambda t: f"{labels.get(t.plan_id, '')} · {t.number}. {t.title}"
            if len({p.region_id for p in plans}) > 1:
                self.filters["lead_unit"].label_for = lambda u: f"{u.region.name} · {u.name}"

    def by_bucket(self, qs, name, value):
        return qs.filter(bucket_q(value, self.today)) if value else qs

    def by_lead_unit(self, qs, name, value):
        return qs.filter(pk__in=items_with_lead(value.pk)) if value else qs
