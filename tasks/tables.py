"""Tables of the list pages (django-tables2) and their Excel export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from io import BytesIO

import django_tables2 as tables
from django.db.models import F
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from tasks.models import Role, WorkItem
from tasks.rules.deadlines import is_extended
from tasks.rules.outcomes import days_overdue
from tasks.rules.support import SupportOutcome, support_outcome
from tasks.selectors.work import Urgency, bucket_of
from tasks.xlsx_safe import append_row, safe_sheet_title

URGENCY_LABELS = {
    Urgency.OVERDUE: _("已逾期"),
    Urgency.SOON: _("即将到期"),
    Urgency.LATER: _("未到期"),
    Urgency.AWAITING: _("待审核"),
    Urgency.DONE: _("已办结"),
}
BUCKET_LABELS = {"1-7": _("1-7天"), "8-30": _("8-30天"), "30+": _(">30天")}
NOWRAP = {"td": {"class": "nowrap"}}
HIDE_SM = {"th": {"class": "hide-sm"}, "td": {"class": "hide-sm"}}  # hidden on a phone
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


SUPPORT_LABELS = {
    SupportOutcome.ON_TIME: _("配合按期到位"),
    SupportOutcome.LATE: _("配合逾期到位"),
    SupportOutcome.MISSING: _("配合逾期未到位"),
    SupportOutcome.PENDING: _("配合未到位"),
}


def sub_item_line(record) -> str:
    """"3/12 完成，2 逾期" for a broken-down item annotated by ``with_sub_item_counts``; "" otherwise."""
    n = getattr(record, "n_sub", None)
    if not n:
        return ""
    line = _("分解 %(done)s/%(n)s 完成") % {"done": record.n_sub_done or 0, "n": n}
    if record.n_sub_overdue:
        line += _("，%(k)s 逾期") % {"k": record.n_sub_overdue}
    return line


def support_outcome_of(record) -> str | None:
    """The supporting part's own outcome for a row of a unit's work where the unit supports."""
    if getattr(record, "my_role", None) != Role.SUPPORT or not hasattr(record, "my_support_done_at"):
        return None
    done = record.my_support_done_at
    return support_outcome(due_date=record.due_date, done_on=timezone.localdate(done) if done else None,
                           as_of=timezone.localdate())


def _row_class(record) -> str:
    return getattr(record, "urgency", "") or ""


class _Base(tables.Table):
    def order_due_date(self, queryset, is_descending):
        # Items with no date (recurring, ongoing) go last either way.
        key = F("due_date").desc(nulls_last=True) if is_descending else F("due_date").asc(nulls_last=True)
        return queryset.order_by(key, "position", "pk"), True


class WorkItemTable(_Base):
    """A unit's work items: what, when, how urgent, whose."""

    text = tables.Column(verbose_name=_("工作内容"), linkify=True, attrs={"td": {"class": "text-col"}})
    urgency = tables.Column(verbose_name=_("紧急程度"), orderable=False)
    due_date = tables.Column(verbose_name=_("期限"), attrs=NOWRAP)
    status = tables.Column(verbose_name=_("状态"))
    progress = tables.Column(verbose_name=_("进度"), attrs=HIDE_SM)
    my_role = tables.Column(verbose_name=_("本单位"), orderable=True)
    lead_name = tables.Column(verbose_name=_("牵头单位"), attrs=HIDE_SM)
    key_task = tables.Column(
        verbose_name=_("重点任务"), linkify=True, order_by=("key_task__number",),
        attrs=HIDE_SM,
    )
    indicator = tables.Column(
        verbose_name=_("指标"), linkify=True, order_by=("indicator__number",),
        attrs=HIDE_SM,
    )

    class Meta:
        model = WorkItem
        fields = ()
        sequence = ("text", "urgency", "due_date", "status", "progress", "my_role", "lead_name", "key_task",
                    "indicator")
        template_name = "django_tables2/table.html"
        row_attrs = {"class": _row_class}
        attrs = {"class": "worktable"}
        empty_text = _("没有符合条件的事项。")

    def __init__(self, *args, show_role: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_role:
            self.columns.hide("my_role")

    def render_urgency(self, value):
        return format_html('<span class="badge b-{}">{}</span>', value, URGENCY_LABELS.get(value, value))

    def value_urgency(self, record):
        return str(URGENCY_LABELS.get(record.urgency, record.urgency))

    def render_due_date(self, record):
        if record.due_date is None:
            return record.deadline_text or "—"
        extended = is_extended(deadline=record.deadline, due_date=record.due_date)
        return format_html(
            '{}<div class="muted">{}{}</div>', record.due_date.isoformat(), record.deadline_text,
            format_html(" · {}", _("已延期")) if extended else "",
        )

    def value_due_date(self, record):
        return record.due_date.isoformat() if record.due_date else record.deadline_text

    def render_status(self, record):
        rollup = sub_item_line(record)
        if rollup:
            return format_html('{}<div class="muted rollup">{}</div>', record.get_status_display(), rollup)
        return record.get_status_display()

    def value_status(self, record):
        rollup = sub_item_line(record)
        return f"{record.get_status_display()} ({rollup})" if rollup else record.get_status_display()

    def render_progress(self, value):
        return format_html('<div class="bar" title="{0}%"><span style="width:{0}%"></span></div>', int(value))

    def render_my_role(self, value, record):
        role = format_html('<span class="role role-{}">{}</span>', value, Role(value).label)
        outcome = support_outcome_of(record)
        if outcome is None:
            return role
        return format_html('{}<div class="badge support-{}">{}</div>', role, outcome, SUPPORT_LABELS[outcome])

    def value_my_role(self, record):
        return str(Role(record.my_role).label)

    def render_key_task(self, value):
        return f"{value.number}. {value.title}"


class OverdueTable(_Base):
    """Overdue items across units, with a checkbox per row for the "remind now" bulk action."""

    select = tables.CheckBoxColumn(
        accessor="pk", attrs={"th__input": {"aria-label": _("全选"), "data-select-all": "item"},
                              "td__input": {"name": "item"}}, exclude_from_export=True,
    )
    text = tables.Column(verbose_name=_("工作内容"), linkify=True, attrs={"td": {"class": "text-col"}})
    days_overdue = tables.Column(verbose_name=_("逾期天数"), empty_values=(), order_by=("-due_date",))
    bucket = tables.Column(verbose_name=_("逾期时长"), empty_values=(), orderable=False)
    due_date = tables.Column(verbose_name=_("现行期限"), attrs=NOWRAP)
    lead_name = tables.Column(verbose_name=_("牵头单位"))
    key_task = tables.Column(verbose_name=_("重点任务"), linkify=True, order_by=("key_task__number",),
                             attrs=HIDE_SM)
    status = tables.Column(verbose_name=_("状态"))
    plan = tables.Column(verbose_name=_("方案"), attrs=HIDE_SM)
    comment = tables.Column(verbose_name=_("督办"), empty_values=(), orderable=False, exclude_from_export=True)

    class Meta:
        model = WorkItem
        fields = ()
        sequence = ("select", "text", "days_overdue", "bucket", "due_date", "lead_name", "key_task", "status",
                    "plan", "comment")
        template_name = "django_tables2/table.html"
        row_attrs = {"class": "overdue", "data-item": lambda record: record.pk}
        attrs = {"class": "worktable"}
        empty_text = _("没有逾期事项。")

    def __init__(self, *args, today: date, next_url: str = "", **kwargs):
        self.today = today
        self.next_url = next_url
        super().__init__(*args, **kwargs)

    def _days(self, record) -> int:
        return days_overdue(due=record.due_date, today=self.today)

    def render_days_overdue(self, record):
        return format_html("<b>{}</b> {}", self._days(record), _("天"))

    def value_days_overdue(self, record):
        return self._days(record)

    def render_bucket(self, record):
        bucket = bucket_of(self._days(record))
        return format_html('<span class="badge {}">{}</span>', "b-overdue" if bucket == "30+" else "b-soon",
                           BUCKET_LABELS[bucket])

    def value_bucket(self, record):
        return str(BUCKET_LABELS[bucket_of(self._days(record))])

    def render_due_date(self, record):
        return format_html('{}<div class="muted">{}</div>', record.due_date.isoformat(), record.deadline_text)

    def value_due_date(self, record):
        return record.due_date.isoformat()

    def render_status(self, record):
        return record.get_status_display()

    def value_status(self, record):
        return record.get_status_display()

    def render_key_task(self, value):
        return f"{value.number}. {value.title}"

    def render_plan(self, value):
        return value.title

    def render_comment(self, record):
        url = reverse("tasks:work_item_comment", args=[record.pk])
        if self.next_url:
            url += "?" + urlencode({"next": self.next_url})
        return format_html('<a href="{}">{}</a>', url, _("写意见"))


class CloseRequestTable(tables.Table):
    """Close requests waiting for review; a checkbox per row feeds the bulk-accept form."""

    items = tables.CheckBoxColumn(accessor="pk", attrs={"th__input": {"data-check-all": "items"}})
    plan = tables.Column(verbose_name=_("方案"), attrs=NOWRAP)
    text = tables.Column(verbose_name=_("工作内容"), linkify=True, attrs={"td": {"class": "text-col"}})
    lead_name = tables.Column(verbose_name=_("牵头单位"))
    submitted_at = tables.DateTimeColumn(verbose_name=_("提交时间"), format="Y-m-d H:i")
    close_note = tables.Column(verbose_name=_("办结说明"), attrs={"td": {"class": "note-col"}})
    n_evidence = tables.Column(verbose_name=_("附件"), attrs=HIDE_SM)
    due_date = tables.DateColumn(verbose_name=_("现行期限"), format="Y-m-d", attrs=NOWRAP)
    actions = tables.Column(verbose_name=_("审核"), empty_values=(), orderable=False)

    class Meta:
        model = WorkItem
        fields = ()
        sequence = (
            "items", "plan", "text", "lead_name", "submitted_at", "close_note", "n_evidence", "due_date", "actions"
        )
        template_name = "django_tables2/table.html"
        attrs = {"class": "worktable"}
        orderable = False
        empty_text = _("没有待审核的办结申请。")

    def __init__(self, *args, several_plans: bool = False, **kwargs):
        # The plan column only for a reviewer of several plans; its rows then carry ``plan__region`` and
        # ``plan_region_plans`` (``tasks.selectors.choices.region_plans``) for the plan's short label.
        if not several_plans:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "plan")
        super().__init__(*args, **kwargs)

    def render_plan(self, record):
        from tasks.filters import short_plan_label

        return short_plan_label(record.plan, record.plan_region_plans)

    def render_close_note(self, value):
        return value if len(value) <= 80 else value[:80] + "…"

    def render_actions(self, record):
        return format_html(
            '<button type="submit" name="only" value="{}" class="small">{}</button> '
            '<a href="{}#review">{}</a>',
            record.pk, _("通过"), record.get_absolute_url(), _("查看/退回"),
        )


def _plain(value):
    if value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def export_rows(table: tables.Table) -> Iterator[list]:
    """Header and rows of ``table`` for a spreadsheet: every record (no pagination), in the table's order.

    Cells come from the table's ``value_<column>`` methods (called with the record) or the column's
    accessor; this skips django-tables2's per-cell signature inspection, which dominates big exports.
    """
    columns = [c for c in table.columns if c.visible and not c.column.exclude_from_export]
    yield [str(c.header) for c in columns]
    getters = [getattr(table, f"value_{c.name}", None) for c in columns]
    for record in table.data:
        yield [
            _plain(get(record) if get else c.accessor.resolve(record, quiet=True))
            for c, get in zip(columns, getters, strict=True)
        ]


def xlsx_response(table: tables.Table, *, filename: str, title: str) -> HttpResponse:
    """The table's rows (all pages, current filter and order) as an Excel workbook download."""
    wb = Workbook()
    ws = wb.active
    ws.title = safe_sheet_title(title)
    for row in export_rows(table):
        append_row(ws, row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 60
    out = BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
