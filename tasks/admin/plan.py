"""The admin: every model searchable and filterable, so a coordinator can correct an import."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tasks import stored_text as T
from tasks.forms import Form, ModelForm, TextField
from tasks.inputs import parse_id
from tasks.models import (
    Evidence,
    ExtensionRequest,
    Indicator,
    IndicatorReport,
    IndicatorTarget,
    KeyTask,
    KeyTaskUnit,
    Plan,
    Profile,
    ProgressReport,
    Region,
    StatusChange,
    TargetBreakdown,
    TargetBreakdownChange,
    TargetShareReport,
    Unit,
    UnitAlias,
    WorkItem,
    WorkItemUnit,
)
from tasks.owners import acts_on_all
from tasks.rules.deadlines import is_extended
from tasks.selectors.imports import open_warning_count, plan_import_warnings, warning_fix_url
from tasks.selectors.permissions import reviewable_plans
from tasks.services import holders
from tasks.services.deadlines import work_item_correct_deadline
from tasks.services.holders import work_item_holders_set
from tasks.services.links import work_items_take_task_leads
from tasks.services.units import MergeRefused, unit_merge
from tasks.services.work_list import work_list_draft
from tasks.stored_text import import_text

from .scoping import IdFilter, IndexedSearch, PlanScopedAdmin, ReadOnlyRecordAdmin, plan_filter

User = get_user_model()


class TownInline(admin.TabularInline):
    """The region's towns (镇/街道): the members 各镇(街道), 各街道, 各乡镇 expand to on import."""

    model = Unit
    fields = ["name", "town_kind", "emails", "leader_name", "leader_email"]
    extra = 0
    verbose_name = _("镇(街道)")
    verbose_name_plural = _("镇(街道)名单")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=Unit.Kind.TOWN).order_by("pk")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["town_kind"].required = True
        return formset


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TownInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is Unit:
            for unit in formset.save(commit=False):
                unit.kind = Unit.Kind.TOWN  # a row added in the towns list is a town
                unit.save()
            for unit in formset.deleted_objects:
                unit.delete()
            return
        super().save_formset(request, form, formset, change)


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1


class MergeUnitsForm(Form):
    into = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("合并到"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = units


@admin.register(Unit)
class UnitAdmin(IndexedSearch, admin.ModelAdmin):
    list_display = ["name", "region", "kind", "town_kind", "in_unit_list", "alias_names", "n_tasks"]
    list_filter = ["region", "kind", "town_kind", "in_unit_list"]
    search_fields = ["name", "aliases__name", "emails"]
    inlines = [UnitAliasInline]
    actions = ["merge_units"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("region")
            .prefetch_related("aliases")
            # A correlated count, computed for the listed page's units only (an aggregate over every unit's
            # key-task links was grouped before the page was cut: 174 ms of a 355 ms list at 20,000 units).
            .annotate(n_tasks=Coalesce(Subquery(
                KeyTaskUnit.objects.filter(unit=OuterRef("pk")).order_by().values("unit")
                .annotate(n=Count("key_task", distinct=True)).values("n")[:1]), 0))
        )

    @admin.display(description=_("别名"))
    def alias_names(self, obj):
        return "、".join(a.name for a in obj.aliases.all())

    @admin.display(description=_("重点任务数"), ordering="n_tasks")
    def n_tasks(self, obj):
        return obj.n_tasks

    @admin.action(description=_("合并所选单位为一个单位"))
    def merge_units(self, request, queryset):
        units = queryset.order_by("name")
        if len({u.region_id for u in units}) != 1 or units.count() < 2:
            self.message_user(request, _("请选择同一地区的两个或以上单位。"), messages.ERROR)
            return None
        if "apply" in request.POST:
            form = MergeUnitsForm(request.POST, units=units)
            if form.is_valid():
                into = form.cleaned_data["into"]
                try:
                    with transaction.atomic():  # all of the selection or none
                        for unit in units.exclude(pk=into.pk):
                            unit_merge(source=unit, into=into)
                except MergeRefused as exc:
                    self.message_user(request, str(exc), messages.ERROR)
                    return None
                self.message_user(request, _("已合并到 %s。") % into, messages.SUCCESS)
                return redirect(request.get_full_path())
        else:
            form = MergeUnitsForm(units=units)
        return render(
            request,
            "admin/tasks/action_form.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "objects": units,
                "action": "merge_units",
                "title": _("合并单位"),
                "intro": _("以下单位将合并为一个：其名称成为别名，任务、事项和人员转入目标单位。"),
            },
        )


class IndicatorTargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(PlanScopedAdmin):
    list_display = ["number", "name", "measure", "domain", "cumulative", "baseline_text", "key_task", "plan"]
    list_display_links = ["number", "name"]
    list_filter = [plan_filter("plan"), "domain", "cumulative"]
    search_fields = ["name", "domain"]
    list_select_related = ["plan", "key_task"]
    autocomplete_fields = ["key_task"]
    inlines = [IndicatorTargetInline]


class KeyTaskUnitInline(admin.TabularInline):
    model = KeyTaskUnit
    extra = 0
    autocomplete_fields = ["unit"]
    readonly_fields = ["expanded"]


@admin.register(KeyTask)
class KeyTaskAdmin(PlanScopedAdmin):
    list_display = ["number", "title", "section", "lead_names", "deadline", "plan"]
    list_display_links = ["number", "title"]
    list_filter = [plan_filter("plan"), "section"]
    search_fields = ["title", "text", "units__name"]
    inlines = [KeyTaskUnitInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan").prefetch_related("assignments__unit")

    @admin.display(description=_("牵头单位"))
    def lead_names(self, obj):
        return "、".join(a.unit.name for a in obj.assignments.all() if a.role == "lead")


class WorkItemUnitInline(admin.TabularInline):
    model = WorkItemUnit
    extra = 0
    autocomplete_fields = ["unit"]
    readonly_fields = ["support_done_at", "support_done_by"]  # the supporting unit's own mark, with its record


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ["at", "actor", "event", "from_status", "to_status", "reason", "from_due_date", "to_due_date"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class WorkListYearFilter(admin.SimpleListFilter):
    """The work list's year, offered from the user's plans' periods (起始年-终止年): Django's own filter read
    every item's year (``SELECT DISTINCT``, 0.3-0.6 s at a province's million items). Same parameter."""

    title = _("年度")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        span = reviewable_plans(request.user).aggregate(first=Min("first_year"), last=Max("last_year"))
        if span["first"] is None:
            return []
        return [(year, str(year)) for year in range(span["first"], span["last"] + 1)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        year = parse_id(self.value())  # a positive whole number in ASCII digits, as every parameter
        if year is None:
            raise IncorrectLookupParameters(self.parameter_name)
        return queryset.filter(year=year)


class KeyTaskOfPlanFilter(IdFilter):
    """The key tasks of the plan chosen in the plan filter, or of the user's only plan (a province has 12,500
    key tasks: listing them all made the item list 1.5 MB). Same parameter as Django's own filter."""

    title = _("重点任务")
    parameter_name = "key_task__id__exact"
    field = "key_task"
    plan_parameter = "plan"  # the plan filter's (scoping.plan_filter("plan"))

    def lookups(self, request, model_admin):
        plans = reviewable_plans(request.user)  # the admin's scope (scoping.py)
        if self.plan_parameter in request.GET:  # (a value that is not an id matches no plan)
            chosen = plans.filter(pk=parse_id(request.GET[self.plan_parameter]))
        else:  # no plan chosen: the user's only plan (which has no plan filter to choose it in), if one
            chosen = list(plans.values_list("pk", flat=True)[:2])
            if len(chosen) != 1:
                return []
        return [(kt.pk, str(kt)) for kt in KeyTask.objects.filter(plan__in=chosen).order_by("number", "pk")]

    def has_output(self):
        return bool(self.lookup_choices) or self.value() is not None  # a chosen key task always filters


class WorkItemAdminForm(ModelForm):
    # Why the item's units change, if they do (recorded with each move: ``services.holders``).
    holders_reason = TextField(label=_("变更责任单位的原因"), required=False, max_length=300,
                               help_text=_("修改下方责任单位时填写，记入事项历史"))

    class Meta:
        model = WorkItem
        exclude = ["due_date"]  # the admin's own fields and read-only ones decide the rest (WorkItemAdmin)


@admin.register(WorkItem)
class WorkItemAdmin(PlanScopedAdmin):
    form = WorkItemAdminForm
    list_display = ["text_short", "year", "deadline_text", "due_date", "status", "key_task", "indicator", "plan"]
    sortable_by = ["due_date", "status", "plan"]  # by an index; the other columns sorted 1M items (2-3 s)
    list_filter = [plan_filter("plan"), WorkListYearFilter, "status", "source",
                   "link_confirmed", "recurring", KeyTaskOfPlanFilter]
    search_fields = ["text", "indicator_name", "units__name"]  # a unit's name: its items by key (IndexedSearch)
    # No date_hierarchy: its first and last deadline of every search walked the deadline index past a
    # province's million items (2.5 s a search); the work list's year filters and the deadline column sorts.
    list_select_related = ["plan", "key_task", "indicator"]
    autocomplete_fields = ["key_task", "indicator", "raised_by"]
    # Status changes go through the workflow service (with their audit row), never by hand here;
    # so do break-downs and signing (分解交办, 签收). Deadlines change only through services: the
    # deadline in force by an extension (on the item's page), the plan's deadline by a correction
    # here, which the service records in the history.
    readonly_fields = [
        "status", "deadline_in_force", "completed_at", "completed_on_time", "import_key", "created_at", "updated_at",
        "parent", "handed_at", "signed_at", "signed_by", "messages_sent",
        # The rating of an item raised by a meeting or a leader is given on the item's page (the service
        # records it, and reopens the item when unsatisfactory), not edited here.
        "rating", "rating_reason", "rated_at", "rated_by",
    ]
    exclude = ["due_date"]
    inlines = [WorkItemUnitInline, StatusChangeInline]

    @admin.display(description=_("现行期限"))
    def deadline_in_force(self, obj):
        if obj.pk is None:
            return _("保存后等于原定期限")
        link = format_html(
            '<a href="{}#extension">{}</a>', obj.get_absolute_url(), _("延期在事项页面申请和审批")
        )
        if obj.due_date is None:
            return format_html("— · {}", link)
        extended = is_extended(deadline=obj.deadline, due_date=obj.due_date)
        return format_html(
            "{}{} · {}", obj.due_date.isoformat(), format_html(" ({})", _("已延期")) if extended else "", link
        )

    @admin.display(description=_("发送记录"))
    def messages_sent(self, obj):
        """The reminder digests and 督办单 sent about the item: channel, when, state (one query)."""
        if obj.pk is None:
            return "—"
        from tasks.selectors.messages import messages_for_item

        rows = messages_for_item(obj)
        if not rows:
            return _("暂无")
        return format_html_join(
            format_html("<br>"), '{} · {} · {} → {} · <b class="message-state message-state-{}">{}</b>',
            ((timezone.localtime(m.queued_at).strftime("%Y-%m-%d %H:%M"), m.get_purpose_display(),
              m.get_channel_display(), m.address, m.state, m.get_state_display()) for m in rows),
        )

    @admin.display(description=_("工作内容"))
    def text_short(self, obj):
        return obj.text[:50]

    def save_model(self, request, obj, form, change):
        # Relinking in the admin is a coordinator's correction: re-imports keep it.
        if change and {"key_task", "indicator"} & set(form.changed_data):
            obj.link_confirmed = True
        corrected = None
        if change and {"deadline", "deadline_text"} & set(form.changed_data):
            corrected = (obj.deadline, obj.deadline_text)
            obj.deadline, obj.deadline_text = form.initial.get("deadline"), form.initial.get("deadline_text", "")
        if not change:
            obj.due_date = obj.deadline
        super().save_model(request, obj, form, change)
        if corrected is not None:
            work_item_correct_deadline(item=obj, deadline=corrected[0], deadline_text=corrected[1], actor=request.user)

    def save_formset(self, request, form, formset, change):
        """An existing item's units change through ``services.holders`` (each move recorded with who, when, from
        which unit to which and why), never by saving the rows directly; the rows' other fields (the supporting
        unit's note) are saved as typed."""
        if formset.model is not WorkItemUnit or not change:
            return super().save_formset(request, form, formset, change)
        kept = [f for f in formset.forms if f.has_changed() or f.instance.pk]
        kept = [f for f in kept if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("unit")]
        kept.sort(key=lambda f: (f.cleaned_data.get("position") or 0, f.instance.pk or 0))
        rows = [(f.cleaned_data["unit"].pk, f.cleaned_data["role"]) for f in kept]
        work_item_holders_set(item=form.instance, rows=rows, actor=request.user, source=holders.ADMIN,
                              reason=form.cleaned_data.get("holders_reason") or T.written(T.HOLDERS_BY_ADMIN))
        for f in kept:  # the note of a row that stayed where it was
            if f.instance.pk and "support_note" in f.changed_data and "unit" not in f.changed_data:
                WorkItemUnit.objects.filter(pk=f.instance.pk).update(support_note=f.cleaned_data["support_note"])
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # the change message's
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inline units are saved: an item linked to a key task without a lead takes the task's.
        work_items_take_task_leads(item_ids=[form.instance.pk])


class DraftWorkListForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)


@admin.register(Plan)
class PlanAdmin(PlanScopedAdmin):
    class Media:
        css = {"all": ["tasks/admin.css"]}  # the import warnings' list (no style attribute: the CSP)

    list_display = ["title", "short_name", "region", "first_year", "last_year", "imported_at", "n_warnings"]
    list_filter = ["region"]
    search_fields = ["title", "short_name", "issuer"]
    autocomplete_fields = ["coordinators"]  # a province has 20,000 users
    # Uploaded files are never served by URL, so the file widget (a link to the file) is left out.
    exclude = ["import_warnings", "source_file"]
    readonly_fields = ["source_name", "source_sha256", "imported_at", "warnings_list"]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["draft_work_list"]

    def get_readonly_fields(self, request, obj=None):
        # Who coordinates a plan is the province's choice (a superuser or act_on_all_plans; seeing every plan
        # does not write): a coordinator reads it here and has no list of the province's users to pick from.
        readonly = super().get_readonly_fields(request, obj)
        return readonly if acts_on_all(request.user) else [*readonly, "coordinators"]

    @admin.action(description=_("按年度目标起草工作清单"))
    def draft_work_list(self, request, queryset):
        if "apply" in request.POST:
            form = DraftWorkListForm(request.POST)
            if form.is_valid():
                year = form.cleaned_data["year"]
                for plan in queryset:
                    try:
                        created = work_list_draft(plan=plan, year=year)
                    except ValueError as exc:
                        self.message_user(request, f"{plan}: {exc}", messages.ERROR)
                        continue
                    self.message_user(
                        request, _("%(plan)s：新增 %(n)d 条 %(year)d 年工作事项草稿。")
                        % {"plan": plan, "n": len(created), "year": year}, messages.SUCCESS
                    )
                return redirect(request.get_full_path())
        else:
            form = DraftWorkListForm(initial={"year": timezone.localdate().year})
        return render(
            request,
            "admin/tasks/action_form.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "objects": queryset,
                "action": "draft_work_list",
                "title": _("按年度目标起草工作清单"),
                "intro": _("为所选方案的每个有年度目标的指标起草工作事项(计划分解、半年自查、三季度攻坚、年底完成)，"
                           "已起草过的不会重复。"),
            },
        )

    @admin.display(description=_("导入警告"))
    def n_warnings(self, obj):
        return open_warning_count(obj.import_warnings)  # the open ones, as the plan page and import message count

    @admin.display(description=_("导入警告"))
    def warnings_list(self, obj):
        """Each warning of the last import with its line, linked to the page where it can be fixed."""
        rows = plan_import_warnings(plan=obj) if obj.pk else []
        if not rows:
            return _("无")
        items = format_html_join(
            "", '<li>{}{} {}{}</li>',
            (
                (
                    format_html("<b>{}</b> ", _("第 %(n)s 行") % {"n": row.line}) if row.line else "",
                    import_text(row.message),  # in the reader's language, the technical note kept for staff
                    self._fix_link(obj, row),
                    format_html('<br><span class="resolved">✓ {}</span>', row.resolved_text) if row.resolved else "",
                )
                for row in rows
            ),
        )
        return format_html('<ol class="import-warnings">{}</ol>', items)

    def _fix_link(self, plan, row):
        if row.unit:
            label = _("查看单位“%(name)s”") % {"name": row.unit}
        elif row.model and row.object_id:
            label = {"workitem": _("修改工作事项"), "keytask": _("修改重点任务"), "indicator": _("修改指标")}[row.model]
        else:
            return ""
        return format_html('<a href="{}">{}</a>', warning_fix_url(plan, row), label)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyRecordAdmin):
    list_display = ["work_item", "at", "actor", "event", "from_status", "to_status", "reason"]
    sortable_by = ["work_item", "at", "actor"]  # by an index; the others sorted 1.7M changes (3-4 s)
    list_filter = ["event", "to_status", "at", plan_filter("work_item__plan")]  # "at": no date_hierarchy,
    # whose years scanned every change
    ordering = ["-at", "-pk"]  # the latest first, read off the time index (the model's order sorts them all)
    search_fields = ["work_item__text", "reason", "actor__username"]
    list_select_related = ["work_item", "actor"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "sha256"]
    exclude = ["file"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyRecordAdmin):
    list_display = ["work_item", "unit", "kind", "percent", "created_at", "author"]
    sortable_by = ["work_item", "created_at", "author"]  # by an index; the others sorted 1.2M reports (2-3 s)
    list_filter = ["kind", plan_filter("work_item__plan")]
    ordering = ["-created_at", "-pk"]  # the latest first, read off the time index
    search_fields = ["note", "work_item__text"]
    list_select_related = ["work_item", "unit", "author"]
    inlines = [EvidenceInline]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyRecordAdmin):
    list_display = ["work_item", "unit", "current_due_date", "proposed_due_date", "status", "requested_at"]
    list_filter = ["status", plan_filter("work_item__plan")]
    search_fields = ["work_item__text", "reason"]
    list_select_related = ["work_item", "unit"]


@admin.register(IndicatorReport)
class IndicatorReportAdmin(ReadOnlyRecordAdmin):
    list_display = ["indicator", "month", "value", "unit", "reported_at"]
    list_filter = ["month", plan_filter("indicator__plan")]
    search_fields = ["indicator__name", "note"]
    list_select_related = ["indicator", "unit"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["unit"]


admin.site.unregister(User)


@admin.register(User)
class HousingUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, ProfileInline]
    list_display = [*UserAdmin.list_display, "unit_name"]
    list_select_related = ["profile__unit"]

    @admin.display(description=_("所属单位"))
    def unit_name(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.unit if profile else ""


class TargetBreakdownChangeInline(admin.TabularInline):
    model = TargetBreakdownChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "actor", "action", "unit", "changes"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TargetBreakdown)
class TargetBreakdownAdmin(PlanScopedAdmin):
    """Read and audit here; shares are typed on the breakdown screen, which records every change."""

    list_display = ["indicator", "year", "method", "updated_by", "updated_at"]
    list_filter = [plan_filter("indicator__plan"), "year", "method"]
    search_fields = ["indicator__name"]
    list_select_related = ["indicator", "updated_by"]
    readonly_fields = ["indicator", "year", "method", "updated_by", "updated_at", "shares_list", "screen_link"]
    inlines = [TargetBreakdownChangeInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("分解目标"))
    def shares_list(self, obj):
        return "、".join(f"{s.unit.name} {s.value.normalize()}" for s in obj.shares.select_related("unit"))

    @admin.display(description=_("分解页面"))
    def screen_link(self, obj):
        from django.urls import reverse

        url = reverse("tasks:indicator_breakdown", args=[obj.indicator_id, obj.year])
        return format_html('<a href="{}">{}</a>', url, _("在分解页面中修改"))


@admin.register(TargetShareReport)
class TargetShareReportAdmin(ReadOnlyRecordAdmin):
    list_display = ["share", "month", "value", "reported_by", "reported_at"]
    sortable_by = ["share"]  # by an index; the others sorted 2M reports (2-3 s)
    list_filter = [plan_filter("share__breakdown__indicator__plan"), "month", "share__unit__region"]
    search_fields = ["share__unit__name", "share__breakdown__indicator__name"]
    list_select_related = ["share__unit", "reported_by"]
