"""Admin for reminders: every reminder with its status and last error, resend; settings per plan; the calendar."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tasks import workdays
from tasks.forms import Form
from tasks.inputs import bounded_int, parse_id
from tasks.models import CalendarOverride, Reminder, ReminderRun, ReminderSettings
from tasks.owners import reaches, rows_for
from tasks.selectors.calendar import calendar_overrides, forget_calendar_overrides
from tasks.selectors.reminders import calendar_years_status, reminder_admin_list
from tasks.services.reminders import calendar_year_set, reminders_resend

from .scoping import PlanScopedAdmin, plan_filter

SOURCE_LABELS = {
    "official": _("官方安排(chinese-calendar)"),
    "entered": _("已在此录入"),
    "fallback": _("无官方数据：按周末和固定节日推算"),
}


def calendar_notices(request, *, today: date) -> None:
    """A warning for each year the reminders rely on that has neither package data nor entered days: to enter
    them, for a user who writes the shared calendar; to ask the province, for one who reads it only."""
    may_enter = reaches(CalendarOverride, request.user, write=True)
    for row in calendar_years_status(today=today):
        if row["source"] == "fallback":
            if may_enter:
                text = _(
                    "chinese-calendar %(version)s 没有 %(year)s 年的官方节假日安排，目前按周末和固定节日"
                    "(元旦、劳动节、国庆)推算工作日。请在“节假日调整”中录入该年的放假和调休上班日期。"
                )
            else:
                text = _(
                    "chinese-calendar %(version)s 没有 %(year)s 年的官方节假日安排，目前按周末和固定节日"
                    "(元旦、劳动节、国庆)推算工作日。工作日历由全省共用，请联系省级管理员录入该年的放假和调休上班日期。"
                )
            messages.warning(request, text % {"version": workdays.package_version(), "year": row["year"]})


@admin.register(Reminder)
class ReminderAdmin(PlanScopedAdmin):
    list_display = [
        "scheduled_for",
        "kind",
        "stage",
        "email",
        "role",
        "unit",
        "item_link",
        "plan",
        "deadline",
        "status",
        "attempts",
        "error_short",
        "sent_at",
    ]
    list_filter = ["status", "kind", "role", plan_filter("work_item__plan"), "scheduled_for"]
    sortable_by = ["scheduled_for"]  # by the list's index; the others sorted 783,000 reminders (2-3.5 s)
    search_fields = ["email", "work_item__text", "last_error"]
    # No date_hierarchy (every year of 783,000 reminders: a scan per page); the day filter above.
    actions = ["resend_failed"]
    readonly_fields = [f.name for f in Reminder._meta.fields]
    list_per_page = 100

    def get_queryset(self, request):
        return rows_for(self.model, request.user, reminder_admin_list())

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # The rows are the record of what went out; deleting one would let it go out again.
        return False

    @admin.display(description=_("批次"))
    def stage(self, obj):
        return obj.step_label

    @admin.display(description=_("工作事项"))
    def item_link(self, obj):
        url = reverse("admin:tasks_workitem_change", args=[obj.work_item_id])
        return format_html('<a href="{}">{}</a>', url, obj.work_item.text[:40])

    @admin.display(description=_("方案"), ordering="work_item__plan__title")
    def plan(self, obj):
        return obj.work_item.plan

    @admin.display(description=_("最近错误"))
    def error_short(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("重发所选的发送失败的提醒"))
    def resend_failed(self, request, queryset):
        try:
            n = reminders_resend(reminder_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        if n:
            self.message_user(request, _("已重新排队 %(n)s 条提醒，稍后发送。") % {"n": n}, messages.SUCCESS)
        else:
            self.message_user(request, _("所选提醒中没有发送失败的。"), messages.WARNING)


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(PlanScopedAdmin):
    list_display = [
        "plan",
        "enabled",
        "send_time",
        "lead_times",
        "due_soon_enabled",
        "overdue_enabled",
        "escalate_coordinators",
        "escalate_leader",
        "monthly_enabled",
        "monthly_day",
    ]
    list_filter = ["enabled"]
    list_select_related = ["plan"]
    readonly_fields = ["calendar_status"]
    fieldsets = [
        (None, {"fields": ["plan", "enabled", "send_time"]}),
        (_("到期前"), {"fields": ["due_soon_enabled", "lead_times", "notify_supporting"]}),
        (
            _("逾期后"),
            {
                "fields": [
                    "overdue_enabled",
                    "overdue_repeat_days",
                    "escalate_coordinators",
                    "extra_coordinator_emails",
                    "escalate_leader",
                    "leader_after_days",
                ]
            },
        ),
        (_("每月"), {"fields": ["monthly_enabled", "monthly_day"]}),
        (_("分解交办"), {"fields": ["sign_enabled", "sign_within_days"]}),
        (_("工作日历"), {"fields": ["calendar_status"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        calendar_notices(request, today=timezone.localdate())
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("各年度工作日来源"))
    def calendar_status(self, obj):
        rows = calendar_years_status(today=timezone.localdate())
        return format_html(
            "<br>".join(["{}: {}"] * len(rows)),
            *[v for r in rows for v in (r["year"], SOURCE_LABELS[r["source"]])],
        )


@admin.register(ReminderRun)
class ReminderRunAdmin(PlanScopedAdmin):
    list_display = ["day", "plan", "started_at"]
    list_filter = [plan_filter("plan"), "day"]  # not a date_hierarchy: a scan of every plan's every day
    list_select_related = ["plan"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class YearFilter(admin.SimpleListFilter):
    title = _("年份")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = sorted({d.year for d in CalendarOverride.objects.dates("day", "year")})
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        year = parse_id(self.value())
        if year is not None and year <= 9999:
            return queryset.filter(day__year=year)
        return queryset


DAY_LINE = re.compile(
    r"^(?P<start>[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})(?:\s*(?:~|～|\.\.|—|至|到)\s*(?P<end>[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}))?"
    r"\s*(?P<name>.*)$"
)


def parse_day_lines(text: str) -> list[tuple[date, str]]:
    """``2027-10-01~2027-10-07 国庆节`` / ``2027-10-09 调休上班`` lines -> (day, name) pairs."""
    out, errors = [], []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        m = DAY_LINE.match(line)
        try:
            if not m:
                raise ValueError
            start = date(*map(int, m["start"].split("-")))
            end = date(*map(int, m["end"].split("-"))) if m["end"] else start
        except ValueError:
            errors.append(_("第 %(n)s 行无法识别：%(line)s") % {"n": n, "line": line})
            continue
        low, high = workdays.input_bounds()  # ASCII digits (above), inside 2000-2100 as every date typed
        if end < start or (end - start).days > 31 or start < low or end > high:
            errors.append(_("第 %(n)s 行的日期范围不正确：%(line)s") % {"n": n, "line": line})
            continue
        day = start
        while day <= end:
            out.append((day, m["name"].strip()[:50]))
            day += timedelta(days=1)
    if errors:
        raise ValidationError(errors)
    return out


def format_day_lines(days: list[tuple[date, str]]) -> str:
    """Consecutive days with the same name become one range line."""
    lines: list[list] = []
    for day, name in sorted(days):
        if lines and lines[-1][2] == name and lines[-1][1] + timedelta(days=1) == day:
            lines[-1][1] = day
        else:
            lines.append([day, day, name])
    return "\n".join(
        (f"{a.isoformat()}~{b.isoformat()}" if a != b else a.isoformat()) + (f" {n}" if n else "") for a, b, n in lines
    )


class CalendarYearForm(Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    holidays = forms.CharField(
        label=_("放假日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 50}),
        help_text=_("每行一天或一段，例如：2027-10-01~2027-10-07 国庆节"),
    )
    workdays = forms.CharField(
        label=_("调休上班日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 50}),
        help_text=_("周末需要上班的日期，例如：2027-10-09 国庆调休"),
    )

    def clean_holidays(self):
        return parse_day_lines(self.cleaned_data["holidays"])

    def clean_workdays(self):
        return parse_day_lines(self.cleaned_data["workdays"])


WEEKDAYS = [
    pgettext_lazy("weekday", "一"),
    pgettext_lazy("weekday", "二"),
    pgettext_lazy("weekday", "三"),
    pgettext_lazy("weekday", "四"),
    pgettext_lazy("weekday", "五"),
    pgettext_lazy("weekday", "六"),
    pgettext_lazy("weekday", "日"),
]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ["tasks/admin.css"]}  # the years' table above the list (no style attribute: the CSP)

    list_display = ["day", "weekday", "is_workday", "name"]
    list_filter = [YearFilter, "is_workday"]
    search_fields = ["name"]
    change_list_template = "admin/tasks/calendaroverride/change_list.html"

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return WEEKDAYS[obj.day.weekday()]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        forget_calendar_overrides()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_calendar_overrides()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        forget_calendar_overrides()

    def get_urls(self):
        return [
            path("enter-year/", self.admin_site.admin_view(self.enter_year_view), name="tasks_calendaroverride_year"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        calendar_notices(request, today=today)
        rows = calendar_years_status(today=today, overrides=calendar_overrides(fresh=True))
        extra = {"calendar_years": [{**r, "label": SOURCE_LABELS[r["source"]]} for r in rows],
                 "may_enter_year": self.has_add_permission(request) and self.has_delete_permission(request)}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def enter_year_view(self, request):
        if not (self.has_add_permission(request) and self.has_delete_permission(request)):
            raise PermissionDenied
        if request.method == "POST":
            form = CalendarYearForm(request.POST)
            if form.is_valid():
                try:
                    n = calendar_year_set(
                        year=form.cleaned_data["year"],
                        holidays=form.cleaned_data["holidays"],
                        workdays_=form.cleaned_data["workdays"],
                        actor=request.user,
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    self.message_user(
                        request,
                        _("已保存 %(year)s 年的 %(n)s 个日期。") % {"year": form.cleaned_data["year"], "n": n},
                        messages.SUCCESS,
                    )
                    changelist = reverse("admin:tasks_calendaroverride_changelist")
                    return redirect(f"{changelist}?year={form.cleaned_data['year']}")
        else:
            year = bounded_int(request.GET.get("year"), default=timezone.localdate().year + 1, low=2000, high=9999)
            rows = list(CalendarOverride.objects.filter(day__year=year).values_list("day", "is_workday", "name"))
            form = CalendarYearForm(
                initial={
                    "year": year,
                    "holidays": format_day_lines([(d, n) for d, w, n in rows if not w]),
                    "workdays": format_day_lines([(d, n) for d, w, n in rows if w]),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("录入全年节假日安排"),
            "opts": self.model._meta,
            "package_version": workdays.package_version(),
        }
        return render(request, "admin/tasks/calendaroverride/enter_year.html", context)
