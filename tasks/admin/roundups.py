"""Admin for roundups: generate (the add form), regenerate, preview and publish; the rules per plan."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tasks.forms import Form
from tasks.models import Channel, Message, Plan, Roundup, RoundupDelivery, RoundupRecipient, RoundupSettings
from tasks.owners import writable
from tasks.roundups.periods import KINDS, MONTH, Period, PeriodError
from tasks.services.roundups import (
    RoundupError,
    roundup_generate,
    roundup_publish,
    roundup_recipients,
    roundup_regenerate,
)

from .notifications import RoundupMessageInline
from .scoping import PlanScopedAdmin, plan_filter


class RoundupRecipientInline(admin.TabularInline):
    model = RoundupRecipient
    extra = 1


@admin.register(RoundupSettings)
class RoundupSettingsAdmin(PlanScopedAdmin):
    list_display = ["plan", "green_min_score", "yellow_min_score", "support_weight", "outside_weight",
                    "send_to_units"]
    list_select_related = ["plan"]
    inlines = [RoundupRecipientInline]
    fieldsets = [
        (None, {"fields": ["plan"]}),
        (_("单位得分与排名"), {"fields": ["points_on_time", "points_late", "points_awaiting", "points_overdue",
                                    "support_weight", "outside_weight"]}),
        (_("红黄绿灯"), {"fields": ["green_min_score", "yellow_min_score", "red_min_overdue",
                                "indicator_use_pace", "indicator_yellow_margin"]}),
        (_("季通报：表扬与通报"), {"fields": ["praise_top_n", "praise_min_score", "call_out_below_score",
                                      "call_out_min_overdue"]}),
        (_("年考核"), {"fields": ["weight_on_time", "weight_indicators", "deduction_per_overdue", "deduction_cap"]}),
        (_("发送范围"), {"fields": [
            "send_to_coordinators", "send_to_units", "send_to_unit_leaders", "send_to_called_out_leaders",
        ]}),
        (_("通报公文"), {"fields": ["doc_issuer", "doc_prefix", "doc_addressees", "doc_copy_to"]}),
        (_("公开晾晒"), {"fields": ["public_enabled", "public_town_ranking", "public_department_ranking",
                                 "public_indicators", "public_overdue"]}),
        (_("督办单"), {"fields": ["notice_prefix", "notice_blue_days", "notice_blue_progress", "notice_yellow_gap",
                               "notice_yellow_returns", "notice_reply_days", "notice_auto_draft"]}),
    ]


class RoundupDeliveryInline(admin.TabularInline):
    """Who the roundup is due to (fixed at publishing); what went to each is the outbox's (below)."""

    model = RoundupDelivery
    extra = 0
    can_delete = False
    fields = ["email", "name", "unit", "group"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _count(rows):
    """A per-row count as a subquery (two joined counts would multiply each other)."""
    counted = rows.order_by().values("roundup").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class GenerateForm(Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.order_by("title"), label=_("方案"))
    kind = forms.ChoiceField(choices=Roundup.Kind.choices, label=_("类型"), initial=MONTH)
    period = forms.CharField(
        label=_("期间"), max_length=10, help_text=_("月晾晒填 2023-06，季通报填 2023-Q2，年考核填 2023")
    )

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plans is not None:  # the plans the user writes (a coordinator's own)
            self.fields["plan"].queryset = plans.order_by("title")

    def clean(self):
        data = super().clean()
        if data.get("kind") in KINDS and data.get("period"):
            try:
                data["parsed"] = Period.parse(data["kind"], data["period"])
            except PeriodError as exc:
                self.add_error("period", str(exc))
        return data


@admin.register(Roundup)
class RoundupAdmin(PlanScopedAdmin):
    list_display = ["__str__", "kind", "period_start", "period_end", "status", "generated_at", "published_at",
                    "deliveries_sent", "page_link"]
    list_filter = [plan_filter("plan"), "kind", "status"]
    date_hierarchy = "period_end"
    search_fields = ["plan__title"]
    actions = ["regenerate_roundups", "preview_roundup", "publish_roundups"]
    inlines = [RoundupDeliveryInline, RoundupMessageInline]
    fields = ["plan", "kind", "period_start", "period_end", "status", "generated_at", "generated_by",
              "published_at", "published_by", "highlights", "page_link"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("plan", "plan__region", "generated_by", "published_by")
            .annotate(
                n_deliveries=_count(RoundupDelivery.objects.filter(roundup=OuterRef("pk"))),
                # Recipients whose email went out (the record; other channels carry a summary).
                n_sent=_count(Message.objects.filter(roundup=OuterRef("pk"), channel=Channel.EMAIL,
                                                     state__in=[Message.State.SENT, Message.State.DELIVERED])),
            )
        )

    # Numbers come from the snapshot; nobody edits a roundup by hand.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_published)

    @admin.display(description=_("已发送"))
    def deliveries_sent(self, obj):
        return f"{obj.n_sent}/{obj.n_deliveries}" if obj.n_deliveries else "—"

    @admin.display(description=_("页面"))
    def page_link(self, obj):
        return format_html('<a href="{}" target="_blank">{}</a> · <a href="{}">{}</a>', obj.get_absolute_url(),
                           _("查看"), reverse("tasks:bulletin_edit", args=[obj.pk]), _("通报公文"))

    @admin.display(description=_("要点"))
    def highlights(self, obj):
        from tasks.roundups.report import RoundupReport

        lines = RoundupReport.from_roundup(obj).highlights()
        return format_html("<ul>{}</ul>", format_html("".join("<li>{}</li>" for _ in lines), *lines))

    # -- generate: the admin's "add" is the generate form -----------------------------------------
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)
        today = timezone.localdate()
        if request.method == "POST":
            form = GenerateForm(request.POST, plans=writable(Plan, request.user))
            if form.is_valid():
                try:
                    roundup, created = roundup_generate(
                        plan=form.cleaned_data["plan"], period=form.cleaned_data["parsed"], today=today,
                        actor=request.user,
                    )
                except RoundupError as exc:
                    form.add_error("period", exc.messages[0])
                else:
                    if created:
                        self.message_user(request, _("已生成草稿：%s。请预览后发布。") % roundup, messages.SUCCESS)
                    else:
                        self.message_user(
                            request, _("%s 已存在（%s），未重复生成；草稿可用“重新生成”更新数据。")
                            % (roundup, roundup.get_status_display()), messages.WARNING,
                        )
                    return redirect(reverse("admin:tasks_roundup_change", args=[roundup.pk]))
        else:
            last = Period.last_ended(MONTH, today)
            form = GenerateForm(initial={"kind": MONTH, "period": last.key}, plans=writable(Plan, request.user))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("生成晾晒通报"),
        }
        return render(request, "admin/tasks/roundup_generate.html", context)

    # -- actions ----------------------------------------------------------------------------------
    # Regenerating and publishing need the right to generate (add) roundups, not just to view them.
    @admin.action(description=_("重新生成所选草稿（已发布的不变）"), permissions=["add"])
    def regenerate_roundups(self, request, queryset):
        today = timezone.localdate()
        done, refused = [], []
        for roundup in queryset:
            try:
                roundup_regenerate(roundup=roundup, today=today, actor=request.user)
                done.append(str(roundup))
            except RoundupError as exc:
                refused.append(f"{roundup}：{exc.messages[0]}")
        if done:
            self.message_user(request, _("已重新生成：%s") % "；".join(done), messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("预览所选晾晒通报"))
    def preview_roundup(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一份进行预览。"), messages.WARNING)
            return None
        return redirect(queryset.get().get_absolute_url())

    @admin.action(description=_("发布并发送所选晾晒通报"), permissions=["add"])
    def publish_roundups(self, request, queryset):
        drafts = [r for r in queryset.order_by("plan__title", "period_start") if not r.is_published]
        for roundup in queryset:
            if roundup.is_published:
                self.message_user(request, _("%s 已发布，不能再次发布。") % roundup, messages.ERROR)
        if not drafts:
            return None
        if "confirm" in request.POST:
            for roundup in drafts:
                try:
                    roundup_publish(roundup=roundup, actor=request.user)
                except RoundupError as exc:
                    self.message_user(request, f"{roundup}：{exc.messages[0]}", messages.ERROR)
                else:
                    self.message_user(
                        request, _("已发布 %s，邮件正在发送（见发送记录）。") % roundup, messages.SUCCESS
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("确认发布"),
            "rows": [(r, roundup_recipients(r)) for r in drafts],
            "selected": [r.pk for r in drafts],
        }
        return render(request, "admin/tasks/roundup_publish.html", context)
