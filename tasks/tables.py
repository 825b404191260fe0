"""Tables of the list pages (django-tables2) and their Excel export."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from io import BytesIO

import django_tables2 as tables
import django_tables2.utils as tables_utils
from django.db import models
from django.db.models import F, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tables2.columns.base import LinkTransform
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.data import TableQuerysetData
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tasks.links import pk_url
from tasks.models import Channel, Role, WorkItem
from tasks.roundups.report import pct as report_pct
from tasks.rules import reach as reach_rules
from tasks.rules.deadlines import is_extended
from tasks.rules.outcomes import UNCOUNTED_STATUSES, days_overdue
from tasks.rules.progress import item_progress
from tasks.rules.support import SupportOutcome, support_outcome
from tasks.rules.urgency import Urgency, bucket_of
from tasks.selectors.compiled import Recipe
from tasks.templatetags.tasks_tags import width
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


def status_label(status: str) -> str:
    """A work item's status in words: ``get_status_display`` hashes every choice's lazy label (a
    translation lookup each) on every call, dozens per row of a table."""
    return str(WorkItem.Status(status).label)


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
    if record.status in UNCOUNTED_STATUSES:
        return None  # an item waived or kept as history: its parts are judged nowhere (rules.outcomes)
    done = record.my_support_done_at
    return support_outcome(due_date=record.due_date, done_on=timezone.localdate(done) if done else None,
                           as_of=timezone.localdate())


def attrs_html(attrs) -> str:
    """``AttributeDict(attrs).as_html()`` (django-tables2) for plain values, without a ``format_html`` per
    attribute: ``name="value"`` pairs, both escaped, None values and nested keys (th, td, ...) left out."""
    skip = tables_utils.AttributeDict.blacklist
    return " ".join(f'{conditional_escape(k)}="{conditional_escape(v)}"' for k, v in attrs.items()
                    if k not in skip and v is not None)


_VALUE = "\x00"  # where a checkbox's value goes in its prepared <input> (escaping leaves it as it is)


def _checkbox_render(column):
    """``CheckBoxColumn.render`` as a function of the value alone, for a column whose box is never checked
    and whose input attributes are plain values: the <input> is prepared once, the value put in per row.
    None for any other column."""
    col = column.column
    if not isinstance(col, tables.CheckBoxColumn) or col.checked is not None:
        return None
    extra = col.attrs.get("td__input") or col.attrs.get("input") or {}
    if any(callable(v) for v in extra.values()):
        return None
    html = f"<input {attrs_html(dict({'type': 'checkbox', 'name': column.name, 'value': _VALUE}, **extra))} />"
    return lambda value: mark_safe(html.replace(_VALUE, str(conditional_escape(value))))


def _static_td(column) -> bool:
    """Whether a column's <td> attributes are the same on every row (no callable computes them)."""
    attrs = column.column.attrs
    td = attrs.get("td", attrs.get("cell", {}))
    return not any(callable(v) for v in td.values())


class _CellPlan:
    """How to render the cells of one column, worked out once per table render: what
    ``BoundRow.get_cell`` works out again for every cell (the accessor, whether the model field has
    choices, the render function and the arguments it takes)."""

    def __init__(self, column, record):
        self.column = column
        self.name = column.name
        self.render = _checkbox_render(column) or column.render
        self.args, self.catch_all = tables_utils.signature(self.render)
        self.link = column.link
        link = self.link
        # A link made by ``linkify=True`` alone (no attributes, url, reverse or accessor): built here.
        self.plain_link = link is not None and type(link) is LinkTransform and not link.attrs and \
            link.url is None and not link.reverse_args and link.accessor is None
        self.empty_values = column.column.empty_values
        self.default = column.default
        self.static_td = column.attrs["td"].as_html() if _static_td(column) else None
        accessor = tables_utils.Accessor(column.accessor)
        # The general path for what this plan does not cover: a related accessor ("a__b"), columns that
        # render without a value (a link column's text), many-to-many columns.
        self.general = (
            accessor.SEPARATOR in accessor or isinstance(column.column, tables.ManyToManyColumn)
            or (isinstance(column.column, BaseLinkColumn) and column.column.text is not None)
        )
        self.accessor = accessor
        field = accessor.get_field(record) if isinstance(record, models.Model) else None
        self.display = (f"get_{accessor}_display" if getattr(field, "choices", ()) and
                        hasattr(record, f"get_{accessor}_display") else None)
        # A render function that reads the record, not the value, does not need the choice's label: the
        # stored value decides the empty check alike (no choice of ours has an empty label).
        if self.display and not self.catch_all and "value" not in self.args:
            self.display = None

    def cell(self, row):
        """``row.get_cell(name)``, as django-tables2 computes it."""
        if self.general:
            return row.get_cell(self.name)
        record = row.record
        if self.display:
            value = getattr(record, self.display)()
        else:
            try:
                value = self.accessor.resolve(record)
            except Exception:  # as django-tables2: a column not backed by a field renders from the record
                value = None
        if value in self.empty_values:
            return self.default
        kwargs = {"value": value, "record": record, "column": self.column.column, "bound_column": self.column,
                  "bound_row": row, "table": row.table}
        if self.catch_all:
            content = self.render(**kwargs)
        elif all(a in kwargs for a in self.args):
            content = self.render(**{a: kwargs[a] for a in self.args})
        else:
            content = None
        if self.link is None:
            return content
        if not self.plain_link:
            return self.link(content, **kwargs)
        # linkify=True: the value's get_absolute_url, else the record's (LinkTransform.compose_url)
        target = value if hasattr(value, "get_absolute_url") else record
        href = target.get_absolute_url()
        return content if href is None else format_html('<a href="{}">{}</a>', href, content)


class PythonBody:
    """Renders a table's <tbody> in Python (``tasks/table.html``): the same rows, cells and attributes as
    django-tables2's template (``row.attrs``, each column's ``td`` attributes, the cells of
    ``BoundRow.get_cell``), without a template node per cell and with what every cell of a column shares
    worked out once; together these made the table most of a list page's time.
    ``tasks/tests/views/test_python_rendering.py`` holds the output to the stock template's."""

    def body_html(self) -> SafeString:
        rows = list(self.paginated_rows)
        columns = list(self.columns)
        if not rows:
            if not self.empty_text:
                return mark_safe("")
            return format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), self.empty_text)
        plans = [_CellPlan(column, rows[0].record) for column in columns]
        row_attrs = _row_attrs_plan(self.row_attrs)
        out = []
        for row in rows:
            cells = []
            for plan in plans:
                cell = plan.cell(row)
                td = plan.static_td
                if td is None:  # as BoundRow.items() does, so that callables see the row's record and value
                    plan.column.current_value, plan.column.current_record = cell, row.record
                    td = plan.column.attrs["td"].as_html()
                cells.append(f"<td {td}>{conditional_escape(localize(cell))}</td>")
            attrs = row.attrs.as_html() if row_attrs is None else _row_attrs(row_attrs, row)
            out.append(f"<tr {attrs}>{''.join(cells)}</tr>")
        return mark_safe("".join(out))  # every cell and attribute above was escaped


def _row_attrs_plan(row_attrs: dict) -> list[tuple] | None:
    """The table's ``row_attrs`` as (name, value, the arguments a callable value takes; None for a plain
    value, ``...`` for one taking any): django-tables2 inspects each callable's signature again on every
    row. None when a value is a nested dict (the general path renders it)."""
    plan = []
    for name, value in row_attrs.items():
        if isinstance(value, dict):
            return None
        if callable(value):
            args, catch_all = tables_utils.signature(value)
            plan.append((name, value, ... if catch_all else tuple(args)))
        else:
            plan.append((name, value, None))
    return plan


def _row_attrs(plan: list[tuple], row) -> str:
    """``BoundRow.attrs.as_html()`` from a ``_row_attrs_plan``."""
    kwargs = {"table": row.table, "record": row.record}
    attrs = {}
    for name, value, args in plan:
        if args is ...:
            value = value(**kwargs)
        elif args is not None:
            value = value(**{a: kwargs[a] for a in args}) if all(a in kwargs for a in args) else None
        attrs[name] = value
    parity = "odd" if row.row_counter % 2 else "even"
    attrs["class"] = f"{attrs['class']} {parity}" if attrs.get("class") else parity
    return attrs_html(attrs)


def _row_class(record) -> str:
    return getattr(record, "urgency", "") or ""


class _RecipeData(TableQuerysetData):
    """Table data that leaves a ``Recipe`` a recipe: its current ordering is read from the query built for
    its shape (the stock data builds the query to read it, and then every read compiles as usual).
    ``count``: the number of rows when the page already knows it (no COUNT statement is run)."""

    def __init__(self, data, *, count: int | None = None):
        super().__init__(data)
        self.known_count = count

    def __len__(self):
        return self.known_count if self.known_count is not None else super().__len__()

    @property
    def ordering(self):
        aliases = {column.order_by_alias: column.order_by for column in self.table.columns}
        return next(tables_utils.segment(self.data.shape_query().order_by, aliases), None)


class _Base(PythonBody, tables.Table):
    # Columns whose cells say what they are (the item's text, a badge): no label before them on a phone.
    self_labelled = frozenset({"text", "urgency", "status", "select", "items", "actions", "my_role"})

    def __init__(self, data=None, *args, count: int | None = None, **kwargs):
        """``count``: how many rows ``data`` (a ``Recipe``) holds, when the page has counted them already."""
        super().__init__(_RecipeData(data, count=count) if isinstance(data, Recipe) else data, *args, **kwargs)
        # On a phone a row is a card without the header: each cell carries its column's name (``data-label``,
        # shown before it by app.css), so "马山街道 11 0 10 0.0%" reads as what each figure is.
        for bound in self.columns.all():
            column = bound.column
            if bound.name not in self.self_labelled and column.verbose_name:
                td = dict(column.attrs.get("td", {}))
                td.setdefault("data-label", str(column.verbose_name))
                column.attrs = {**column.attrs, "td": td}

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
    # Only when the unit's items belong to several plans: the plan's short name (``Plan.label``).
    plan = tables.Column(verbose_name=_("方案"), order_by=("plan__short_name", "plan_id"),
                         attrs={"td": {"class": "plan-col"}})

    class Meta:
        model = WorkItem
        fields = ()
        sequence = ("text", "plan", "urgency", "due_date", "status", "progress", "my_role", "lead_name", "key_task",
                    "indicator")
        template_name = "tasks/table.html"
        row_attrs = {"class": _row_class}
        attrs = {"class": "worktable"}
        empty_text = _("没有符合条件的事项。")

    def __init__(self, *args, show_role: bool = True, several_plans: bool = False, **kwargs):
        if not several_plans:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "plan")
        super().__init__(*args, **kwargs)
        if not show_role:
            self.columns.hide("my_role")

    def render_plan(self, record):
        return record.plan.label

    def value_plan(self, record):
        return record.plan.label

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
            return format_html('{}<div class="muted rollup">{}</div>', status_label(record.status), rollup)
        return status_label(record.status)

    def value_status(self, record):
        rollup = sub_item_line(record)
        return f"{status_label(record.status)} ({rollup})" if rollup else status_label(record.status)

    def render_progress(self, record):
        shown = item_progress(record)
        if shown.percent is None:  # open at 100 %: not shown as complete (``rules.progress``)
            return format_html('<span class="muted nowrap">{}</span>', shown.text)
        return format_html('<div class="bar" title="{}"><span class="w-{}"></span></div>', shown.text,
                           width(shown.percent))

    def value_progress(self, record):
        shown = item_progress(record)
        return shown.percent if shown.percent is not None else shown.text

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
        template_name = "tasks/table.html"
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
        return status_label(record.status)

    def value_status(self, record):
        return status_label(record.status)

    def render_key_task(self, value):
        return f"{value.number}. {value.title}"

    def render_plan(self, value):
        return value.title

    @cached_property
    def _back_query(self) -> str:
        """``?next=<this page>`` for each row's comment link, encoded once per page."""
        return "?" + urlencode({"next": self.next_url}) if self.next_url else ""

    def render_comment(self, record):
        url = pk_url("tasks:work_item_comment", record.pk) + self._back_query
        return format_html('<a href="{}">{}</a>', url, _("写意见"))


class CloseRequestTable(_Base):
    """Close requests waiting for review; a checkbox per row feeds the bulk-accept form."""

    items = tables.CheckBoxColumn(accessor="pk", attrs={"th__input": {"data-check-all": "items"}})
    plan = tables.Column(verbose_name=_("方案"), attrs=NOWRAP)
    text = tables.Column(verbose_name=_("工作内容"), linkify=True, attrs={"td": {"class": "text-col"}})
    lead_name = tables.Column(verbose_name=_("牵头单位"))
    # Plain columns with render methods: django-tables2's DateTimeColumn/DateColumn compile a template per cell.
    submitted_at = tables.Column(verbose_name=_("提交时间"))
    close_note = tables.Column(verbose_name=_("办结说明"), attrs={"td": {"class": "note-col"}})
    n_evidence = tables.Column(verbose_name=_("附件"), attrs=HIDE_SM)
    due_date = tables.Column(verbose_name=_("现行期限"), attrs=NOWRAP)
    actions = tables.Column(verbose_name=_("审核"), empty_values=(), orderable=False)

    class Meta:
        model = WorkItem
        fields = ()
        sequence = (
            "items", "plan", "text", "lead_name", "submitted_at", "close_note", "n_evidence", "due_date", "actions"
        )
        template_name = "tasks/table.html"
        attrs = {"class": "worktable"}
        orderable = False
        empty_text = _("没有待审核的办结申请。")

    def __init__(self, *args, several_plans: bool = False, **kwargs):
        # The plan column only for a reviewer of several plans; its rows then carry ``plan_label``, the plan's
        # short name among them (``tasks.selectors.choices.plan_label``).
        if not several_plans:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "plan")
        super().__init__(*args, **kwargs)

    def render_plan(self, record):
        return record.plan_label

    def render_submitted_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")  # date_format's "Y-m-d H:i", not localized

    def render_due_date(self, value):
        return value.isoformat()

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

    Records are read in chunks (``export_records``), never all held at once; cells come from the table's
    ``value_<column>`` methods (called with the record) or the column's accessor, which skips
    django-tables2's per-cell signature inspection, the bulk of a big export's time.
    """
    columns = [c for c in table.columns if c.visible and not c.column.exclude_from_export]
    yield [str(c.header) for c in columns]
    getters = [getattr(table, f"value_{c.name}", None) for c in columns]
    for record in export_records(table):
        yield [
            _plain(get(record) if get else c.accessor.resolve(record, quiet=True))
            for c, get in zip(columns, getters, strict=True)
        ]


EXPORT_CHUNK = 2000  # rows fetched at a time (a server-side cursor on PostgreSQL)


def row_count(table: tables.Table) -> int:
    """How many rows the table holds over all its pages: the count the page knows, else its queryset's
    ``COUNT`` (``len(table.data)`` of a table not paginated reads every row)."""
    data = table.data
    known = getattr(data, "known_count", None)
    if known is not None:
        return known
    return data.data.count() if isinstance(data.data, QuerySet) else len(data)


def export_records(table: tables.Table) -> Iterator:
    """The table's records in its order, streamed: its queryset's ``iterator()``, not the table's cached data."""
    data = table.data.data  # ordered by the table (django-tables2 orders ``TableQuerysetData.data``)
    if isinstance(data, QuerySet):
        return data.iterator(chunk_size=EXPORT_CHUNK)
    return iter(data)


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character two, others one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def xlsx_write(table: tables.Table, out, *, title: str, progress: Callable[[int], None] | None = None,
               every: int = 1000, before: Sequence[tuple[tables.Table, str]] = ()) -> int:
    """Write the table's rows (all pages, current filter and order) to ``out`` as an Excel workbook; the
    number of rows written. ``progress(rows)`` is called every ``every`` rows. ``before``: (table, title)
    pairs written as sheets ahead of the table's own (a page's totals before its detail).

    A write-only workbook: rows stream to a temporary file as they are read, so memory stays flat and
    time grows with the rows, at any size."""
    wb = Workbook(write_only=True)
    for first, first_title in before:
        _write_sheet(wb, first, title=first_title)
    written = _write_sheet(wb, table, title=title, progress=progress, every=every)
    wb.save(out)
    return written


def _write_sheet(wb: Workbook, table: tables.Table, *, title: str, progress: Callable[[int], None] | None = None,
                 every: int = 1000) -> int:
    ws = wb.create_sheet(safe_sheet_title(title))
    rows = export_rows(table)
    header = next(rows)
    # (a write-only sheet takes its layout before its first row) The first column holds the item's text; the
    # others are as wide as their header, so that "Reports requested" or "逾期未完成" is read whole.
    ws.column_dimensions["A"].width = 60
    for index, label in enumerate(header[1:], start=2):
        ws.column_dimensions[get_column_letter(index)].width = max(10, _display_width(str(label)) + 2)
    ws.freeze_panes = "A2"
    append_row(ws, header, font=Font(bold=True))
    written = 0
    for row in rows:
        append_row(ws, row)
        written += 1
        if progress is not None and written % every == 0:
            progress(written)
    return written


def xlsx_response(table: tables.Table, *, filename: str, title: str,
                  before: Sequence[tuple[tables.Table, str]] = ()) -> HttpResponse:
    """The table's rows (all pages, current filter and order) as an Excel workbook download; ``before``: sheets
    ahead of it (``xlsx_write``)."""
    out = BytesIO()
    xlsx_write(table, out, title=title, before=before)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


REACH_STATUS_LABELS = {
    reach_rules.WORKING: _("可用"),
    reach_rules.NOT_CONFIGURED: _("未配置"),
    reach_rules.BOUNCED: _("邮件被退回"),
    reach_rules.BLACKLISTED: _("号码在黑名单"),
    reach_rules.REFUSED: _("被服务商拒收"),
    reach_rules.GAVE_UP_STATUS: _("多次失败已放弃"),
    reach_rules.UNCERTAIN_STATUS: _("结果不明"),
}
NO_ADDRESS_LABELS = {
    reach_rules.EMAIL: _("无邮箱"),
    reach_rules.DINGTALK: _("无钉钉 ID"),
    reach_rules.ZZD: _("无浙政钉 ID"),
    reach_rules.SMS: _("无手机号"),
}


def reach_problem_label(channel: str, status: str) -> str:
    if status == reach_rules.NO_ADDRESS:
        return str(NO_ADDRESS_LABELS[channel])
    return f"{Channel(channel).label}：{REACH_STATUS_LABELS[status]}"


class ReachTable(_Base):
    """Who can be reached: per unit and person, the working channels, the last message delivered, failures.
    Reach is shown to find an unreachable liaison in time; it is never a score (no rank, no roundup)."""

    unit = tables.Column(accessor="unit__name", verbose_name=_("单位"), order_by=("unit__name", "user__username"))
    person = tables.Column(accessor="user__username", verbose_name=_("人员"),
                           order_by=("user__username",))
    working = tables.Column(verbose_name=_("可用渠道"), empty_values=(), orderable=False)
    last_delivered_at = tables.Column(verbose_name=_("最近送达"), attrs=NOWRAP)
    problems = tables.Column(verbose_name=_("问题"), empty_values=(), orderable=False,
                             attrs={"td": {"class": "note-col"}})
    failures = tables.Column(verbose_name=_("近30天失败"), attrs=NOWRAP)

    class Meta:
        fields = ()
        sequence = ("unit", "person", "working", "last_delivered_at", "problems", "failures")
        template_name = "tasks/table.html"
        attrs = {"class": "worktable", "id": "reach-table"}
        empty_text = _("没有符合条件的人员。")

    def __init__(self, *args, configured: frozenset[str], **kwargs):
        self.configured = configured
        super().__init__(*args, **kwargs)

    def reach_of(self, record) -> reach_rules.Reach:
        found = getattr(record, "_reach", None)
        if found is None:
            found = record._reach = reach_rules.person_reach(
                addresses={reach_rules.EMAIL: record.user.email, reach_rules.DINGTALK: record.dingtalk_id,
                           reach_rules.ZZD: record.zzd_id, reach_rules.SMS: record.mobile},
                configured=self.configured,
                last={c: (getattr(record, f"{c}_state"), getattr(record, f"{c}_error") or "")
                      for c in reach_rules.CHANNELS},
            )
        return found

    def render_person(self, record):
        user = record.user
        name = user.get_full_name() or user.username
        return format_html("{} <small class=\"muted\">{}</small>", name, user.email or user.username)

    def render_working(self, record):
        working = self.reach_of(record).working
        if not working:
            return format_html('<span class="badge status-returned">{}</span>', _("无法触达"))
        return "、".join(str(Channel(c).label) for c in working)

    def render_last_delivered_at(self, record, value):
        when = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        return f"{when} · {Channel(record.last_delivered_channel).label}"

    def order_last_delivered_at(self, queryset, is_descending):
        key = F("last_delivered_at").desc(nulls_last=True) if is_descending else F("last_delivered_at").asc(
            nulls_first=True)
        return queryset.order_by(key, "unit__name", "user__username"), True

    def render_problems(self, record):
        problems = self.reach_of(record).problems
        return "；".join(reach_problem_label(c, s) for c, s in problems) if problems else "—"


class _BurdenAsks(_Base):
    """The counts of what the app asked of a unit (``selectors.burden``), shared by the two burden tables."""

    reports_requested = tables.Column(verbose_name=_("要求报送"))
    evidence_demanded = tables.Column(verbose_name=_("要求佐证"))
    reminders = tables.Column(verbose_name=_("提醒催办"))
    notices = tables.Column(verbose_name=pgettext_lazy("count of asks", "督办单"))
    sign_chases = tables.Column(verbose_name=pgettext_lazy("count of asks", "签收催办"))
    asked_twice = tables.Column(verbose_name=_("重复索要"))
    total = tables.Column(verbose_name=_("合计"))
    # Reminders and 督办单 that never reached the unit (every message failed): apart, not in the total.
    undelivered = tables.Column(verbose_name=_("未送达(不计入)"))


class BurdenTable(_BurdenAsks):
    """What the app asked of each unit, per month (基层减负): plain counts beside the unit's results, sorted
    as the reader chooses; never a score or a rank (``selectors.burden``)."""

    unit = tables.Column(verbose_name=_("单位"))
    month = tables.Column(verbose_name=_("月份"), attrs=NOWRAP)

    class Meta:
        template_name = "tasks/table.html"
        attrs = {"class": "worktable", "id": "burden-table"}
        sequence = ("unit", "month", "...")
        empty_text = _("所选期间系统没有向单位提出要求。")
        order_by = ("unit", "month")

    def render_month(self, value):
        return f"{value:%Y-%m}"

    def value_month(self, record):
        return f"{record['month']:%Y-%m}"


class BurdenTotalsTable(_BurdenAsks):
    """Per unit, its results beside what the app asked of it over the period (``selectors.burden.unit_totals``):
    the burden page's first table and its export's first sheet (the ``BurdenTable`` holds the months)."""

    unit = tables.Column(verbose_name=_("单位"))
    n_due = tables.Column(verbose_name=_("牵头应办"))
    n_on_time = tables.Column(verbose_name=_("按期完成"))
    on_time_rate = tables.Column(verbose_name=_("按期完成率"))
    n_overdue = tables.Column(verbose_name=_("逾期未完成"))

    class Meta:
        template_name = "tasks/table.html"
        attrs = {"class": "worktable", "id": "burden-totals"}
        sequence = ("unit", "n_due", "n_on_time", "on_time_rate", "n_overdue", "...")
        empty_text = _("所选期间系统没有向单位提出要求。")
        orderable = False

    def value_on_time_rate(self, record):
        """As the page prints it ("85.3%"); "—" where the unit leads no item, like its other results."""
        return report_pct(record["on_time_rate"]) if record["n_due"] is not None else "—"

    def value_n_due(self, record):
        return "—" if record["n_due"] is None else record["n_due"]

    def value_n_on_time(self, record):
        return "—" if record["n_on_time"] is None else record["n_on_time"]

    def value_n_overdue(self, record):
        return "—" if record["n_overdue"] is None else record["n_overdue"]
