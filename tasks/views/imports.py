"""Upload a plan document, preview what would be created beside the source lines, settle the
doubtful points (unit names, key-task links, how a table's columns are read), then confirm.
Nothing is written before confirming."""

from __future__ import annotations

import logging
from functools import wraps
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tasks.forms import BoundedDateField, DateInput, Form, TextField
from tasks.importers import PlanParseError
from tasks.importers.document import Grid
from tasks.importers.parser import NO_TASKS
from tasks.importers.tables import COLUMN_ROLES, guess_layout, layout_columns
from tasks.rules.outcomes import PAST_DUE_FROM, PAST_DUE_HISTORY, PAST_DUE_TRACK
from tasks.rules.plans import SHORT_NAME_MAX
from tasks.selectors.imports import (
    ImportPreview,
    TableReading,
    import_preview,
    plan_warnings,
    refusal_parts,
    saved_layouts,
)
from tasks.selectors.permissions import acts_globally
from tasks.services.parse_slots import ParseBusy, parse_slot
from tasks.services.plan_import import ImportChoiceError, plan_import
from tasks.services.staging import staged_delete, staged_exists, staged_parse, staged_read, staged_save

ALLOWED_SUFFIXES = {".txt", ".docx", ".pdf", ".doc", ".wps", ".xlsx", ".xlsm", ".xls", ".csv", ".et"}
COLUMN_LABELS = {
    "num": _("序号"),
    "task": _("任务内容"),
    "lead": _("牵头单位"),
    "resp": _("责任单位(首位牵头)"),
    "support": _("配合单位"),
    "deadline": _("完成时限"),
    "leader": _("责任领导"),
    "other": _("其他角色单位(按表头名称)"),
    "note": _("备注(不读取)"),
    "ignore": _("不读取"),
}
MAX_UPLOAD = 20 * 1024 * 1024
logger = logging.getLogger(__name__)
SESSION_KEY = "plan_import_staged"
OWN_UNIT = "own"


class PlanUploadForm(Form):
    document = forms.FileField(
        label=_("方案文件"),
        help_text=_(".txt(UTF-8/GB18030)、.docx、带文字层的 .pdf、旧版 .doc / WPS(.wps)，"
                    "或表格 .xlsx / .xls / .csv / WPS 表格(.et)"),
    )
    year = forms.IntegerField(
        label=_("工作清单年度"), required=False, min_value=2000, max_value=2100,
        help_text=_("文件未写明工作清单年度时填写"),
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        if Path(document.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("只支持 .txt、.docx、.pdf、.doc、.wps、.xlsx、.xls、.csv 和 .et 文件。"))
        if document.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过 20MB。"))
        return document


class ImportChoicesForm(Form):
    """One select per doubtful point of the preview; the defaults import the document as parsed."""

    def __init__(self, *args, preview: ImportPreview, **kwargs):
        super().__init__(*args, **kwargs)
        self.preview = preview
        for choice in preview.unit_choices:
            suggested = [(str(u.pk), u.name) for u in choice.suggestions]
            rest = [(str(u.pk), u.name) for u in preview.region_units if u not in choice.suggestions]
            if choice.kind == "new":
                options = [("", _t("新建单位“%s”") % choice.name)]
            else:
                options = [
                    ("", _t("按识别结果：%s") % choice.matched),
                    (OWN_UNIT, _t("新建为独立单位“%s”") % choice.name),
                ]
            if suggested:
                options.append((_t("可能对应"), suggested))
            if rest:
                options.append((_t("本地区其他单位") if suggested else _t("本地区已有单位"), rest))
            self.fields[choice.field] = forms.ChoiceField(label=choice.name, choices=options, required=False)
        self.fields["short_name"] = TextField(
            label=_("方案简称"), max_length=SHORT_NAME_MAX, required=False, initial=preview.short_name,
            help_text=_("同一地区有多个方案时，各页面用简称区分它们的重点任务、指标和事项。"),
        )
        if preview.n_past_due:
            self.fields["past_due"] = forms.ChoiceField(
                label=_("已过期限的事项"), widget=forms.RadioSelect, initial=PAST_DUE_HISTORY, required=False,
                choices=[
                    (PAST_DUE_HISTORY, _t("留作历史记录：保留备查，不计入任何比率、排名，不催办、不督办")),
                    (PAST_DUE_FROM, _t("只跟踪指定日期及以后到期的事项(之前的留作历史记录)")),
                    (PAST_DUE_TRACK, _t("全部跟踪：导入后立即计为逾期")),
                ],
            )
            self.fields["track_from"] = BoundedDateField(label=_("从此日期起到期的事项开始跟踪"), required=False,
                                                         widget=DateInput(), initial=timezone.localdate())
        tasks = [(str(t.number), f"{t.number}. {t.title}") for t in preview.parsed.key_tasks]
        for choice in preview.link_choices:
            self.fields[choice.field] = forms.ChoiceField(
                label=choice.indicator, choices=[("", _t("不关联重点任务")), *tasks], required=False,
                initial=str(choice.guess) if choice.guess else "",
            )

    def clean(self):
        # A choice posted for a point the preview no longer has (the region's units changed since):
        # importing without it would silently drop what the coordinator chose.
        if any(k.startswith(("unit_", "link_")) and k not in self.fields for k in self.data):
            raise forms.ValidationError(_("本地区的单位在预览后有变化，请重新核对下面的选择。"))
        cleaned = super().clean()
        if cleaned.get("past_due") == PAST_DUE_FROM and not cleaned.get("track_from"):
            self.add_error("track_from", _("请选择从哪一天起到期的事项开始跟踪。"))
        return cleaned

    def past_due(self) -> tuple[str, object]:
        """(choice, track_from) for ``plan_import``: every item tracked when none is past due."""
        choice = self.cleaned_data.get("past_due") or PAST_DUE_TRACK
        return choice, self.cleaned_data.get("track_from") if choice == PAST_DUE_FROM else None

    def unit_mapping(self) -> dict[str, int | None]:
        mapping: dict[str, int | None] = {}
        for choice in self.preview.unit_choices:
            value = self.cleaned_data.get(choice.field) or ""
            if value == OWN_UNIT:
                mapping[choice.name] = None
            elif value:
                mapping[choice.name] = int(value)
        return mapping

    def key_task_links(self) -> dict[str, int | None]:
        links: dict[str, int | None] = {}
        for choice in self.preview.link_choices:
            if choice.field not in self.data:
                continue  # not posted: no choice made, the parser's guess stays (unconfirmed)
            value = self.cleaned_data.get(choice.field) or ""
            for key in choice.keys:
                links[key] = int(value) if value else None
        return links

    def unit_rows(self):
        return [(choice, self[choice.field]) for choice in self.preview.unit_choices]

    def link_rows(self):
        return [(choice, self[choice.field]) for choice in self.preview.link_choices]


class TableColumnsForm(Form):
    """How each task table's columns are read: one select per column, as the parser read it by default."""

    def __init__(self, *args, tables: list[TableReading], **kwargs):
        super().__init__(*args, **kwargs)
        self.tables = tables
        choices = [(role, COLUMN_LABELS[role]) for role in COLUMN_ROLES]
        for t in tables:
            for c in t.columns:
                label = c.header or _t("第%d列") % (c.index + 1)
                self.fields[self._name(t, c.index)] = forms.ChoiceField(
                    label=label, choices=choices, initial=c.role)

    @staticmethod
    def _name(table: TableReading, index: int) -> str:
        return f"table_{table.line}_{index}"

    def clean(self):
        cleaned = super().clean()
        for t in self.tables:
            roles = [cleaned.get(self._name(t, c.index)) for c in t.columns]
            if "task" not in roles:
                raise forms.ValidationError(_t("第 %d 行的表格：请指定哪一列是任务内容。") % t.line)
            if not {"lead", "resp"} & set(roles):
                raise forms.ValidationError(_t("第 %d 行的表格：请指定牵头单位或责任单位列。") % t.line)
        return cleaned

    def assignment(self) -> dict[str, list[str]]:
        """``{table line: [role per column]}`` for the session (JSON keys are strings)."""
        return {str(t.line): [self.cleaned_data[self._name(t, c.index)] for c in t.columns] for t in self.tables}

    def rows(self):
        return [(t, [(c, self[self._name(t, c.index)]) for c in t.columns]) for t in self.tables]


class TableLayoutForm(Form):
    """No task found: the tables as rebuilt, first rows shown; the coordinator marks each table's header
    row (or says it has none) and what each column holds, and the document is read again with that."""

    NO_HEADER = "0"

    def __init__(self, *args, grids: list[Grid], **kwargs):
        super().__init__(*args, **kwargs)
        self.grids = grids
        choices = [(role, COLUMN_LABELS[role]) for role in COLUMN_ROLES]
        for g in grids:
            header_line, guessed = guess_layout(g)
            rows = [(str(line), _t("第 %d 行") % line) for line, _cells in g.rows]
            self.fields[f"header_{g.line}"] = forms.ChoiceField(
                label=_t("第 %d 行的表格的表头行") % g.line, choices=[*rows, (self.NO_HEADER, _t("没有表头行"))],
                initial=str(header_line), widget=forms.RadioSelect)
            for i in range(g.width):
                self.fields[f"role_{g.line}_{i}"] = forms.ChoiceField(
                    label=_t("第%d列") % (i + 1), choices=choices, initial=guessed[i] if i < len(guessed) else "ignore")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        used = [g for g in self.grids if "task" in self._roles(g, cleaned)]
        if not used:
            raise forms.ValidationError(_t("请至少为一个表格指定哪一列是任务内容。"))
        for g in used:
            if not {"lead", "resp", "support"} & set(self._roles(g, cleaned)):
                raise forms.ValidationError(_t("第 %d 行的表格：请指定牵头单位或责任单位列。") % g.line)
        return cleaned

    def _roles(self, grid: Grid, cleaned: dict) -> list[str]:
        return [cleaned.get(f"role_{grid.line}_{i}") or "ignore" for i in range(grid.width)]

    def assignment(self) -> tuple[dict[str, list[str]], list[dict]]:
        """The parser's ``columns`` (a marked header row keyed by its negative line) for the session, and
        the layout to keep on the plan (header cells and roles)."""
        columns: dict[str, list[str]] = {}
        layout: list[dict] = []
        for g in self.grids:
            roles = self._roles(g, self.cleaned_data)
            if "task" not in roles:
                continue
            header = self.cleaned_data[f"header_{g.line}"]
            if header == self.NO_HEADER:
                columns[str(g.line)] = roles
                continue
            line = int(header)
            columns[str(-line)] = roles
            cells = next((c for n, c in g.rows if n == line), [])
            layout.append({"headers": list(cells), "roles": roles})
        return columns, layout

    def tables(self):
        """Per table: its rows (line, cells, the header radio's value) and the column selects."""
        out = []
        for g in self.grids:
            radios = list(self[f"header_{g.line}"].subwidgets)
            out.append({"grid": g, "rows": [(line, cells, radios[k]) for k, (line, cells) in enumerate(g.rows)],
                        "no_header": radios[-1], "errors": self[f"header_{g.line}"].errors,
                        "roles": [self[f"role_{g.line}_{i}"] for i in range(g.width)]})
        return out


def _columns(staged: dict) -> dict[int, list[str]]:
    return {int(line): roles for line, roles in (staged.get("columns") or {}).items()}


def parse_error_text(exc: PlanParseError, *, user) -> str:
    """A refused document's message in the UI's language. The parser's technical note is in English: shown
    to staff in the English UI; in the Chinese one it goes to the log (never English inside Chinese)."""
    text, detail = refusal_parts(exc.message)
    where = " ".join(part for part in (exc.path, _t("第 %d 行") % exc.line if exc.line else "") if part)
    text = f"{where}: {text}" if where else text
    if detail:
        logger.info("import refused: %s (%s)", text, detail)
    english = (get_language() or "").startswith("en")
    return f"{text} ({detail})" if detail and user.is_staff and english else text


def _parse_staged(request, staged: dict):
    with parse_slot(request.user):
        text, parsed = staged_parse(
            staged["file"], source=staged["name"], year=staged.get("year"), columns=_columns(staged)
        )
    return staged["file"], text, parsed


def _busy_refused(view):
    """A read refused for want of a slot (``parse_slots``): the upload page says so, 429; the staged upload
    and the session's import are kept for the retry."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ParseBusy as exc:
            messages.error(request, str(exc))
            return render(request, "tasks/import_upload.html", {"form": PlanUploadForm()}, status=429)

    return wrapped


def _staged(request) -> dict | None:
    staged = request.session.get(SESSION_KEY)
    if not staged or not isinstance(staged, dict) or not staged_exists(staged.get("file", "")):
        return None
    return staged


@permission_required("tasks.add_plan", raise_exception=True)
@_busy_refused
def plan_import_upload(request):
    """Step 1: upload. A readable plan is staged (not imported) and the preview follows."""
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        staged_name = staged_save(document)
        staged = {"file": staged_name, "name": Path(document.name).name, "year": form.cleaned_data["year"]}
        try:
            _parse_staged(request, staged)
        except ParseBusy:
            staged_delete(staged_name)
            raise
        except PlanParseError as exc:
            if exc.grids and exc.message.startswith(NO_TASKS):
                # No task found, but tables were: the coordinator lays them out (or last year's layout does).
                _discard(request)
                request.session[SESSION_KEY] = staged
                if _apply_saved_layout(request, staged, exc.grids):
                    return redirect("tasks:plan_import_preview")
                return _render_layout(request, staged, exc.grids)
            staged_delete(staged_name)
            form.add_error("document", parse_error_text(exc, user=request.user))
        except BaseException:
            staged_delete(staged_name)  # every failure path leaves no staged file
            raise
        else:
            _discard(request)
            request.session[SESSION_KEY] = staged
            return redirect("tasks:plan_import_preview")
    return render(request, "tasks/import_upload.html", {"form": form})


def _apply_saved_layout(request, staged: dict, grids: list[Grid]) -> bool:
    """A layout saved on a plan the user sees whose header row is in this document: read with it."""
    for title, layout in saved_layouts(request.user):
        columns = layout_columns(grids, layout)
        if not columns:
            continue
        trial = {**staged, "columns": {str(k): v for k, v in columns.items()}}
        try:
            _parse_staged(request, trial)
        except PlanParseError:
            continue
        staged.update(columns=trial["columns"], layout=layout, layout_from=title)
        request.session[SESSION_KEY] = staged
        messages.info(request, _t("系统未能自动识别表格，已按方案“%s”保存的表格格式读取，请核对。") % title)
        return True
    return False


def _render_layout(request, staged: dict, grids: list[Grid], form: TableLayoutForm | None = None,
                   status: int = 200):
    context = {"form": PlanUploadForm(), "staged": staged,
               "layout_form": form or TableLayoutForm(grids=grids)}
    return render(request, "tasks/import_upload.html", context, status=status)


@permission_required("tasks.add_plan", raise_exception=True)
@_busy_refused
def plan_import_preview(request):
    """Step 2: what would be created, beside the source lines, with the points to settle."""
    staged = _staged(request)
    if staged is None:
        messages.error(request, _("没有待确认的导入，请重新上传文件。"))
        return redirect("tasks:plan_import")
    try:
        _path, text, parsed = _parse_staged(request, staged)
    except PlanParseError as exc:
        if exc.grids and exc.message.startswith(NO_TASKS) and (staged.get("layout") is not None
                                                                or not staged.get("columns")):
            staged.pop("columns", None)
            staged.pop("layout", None)
            request.session[SESSION_KEY] = staged
            messages.error(request, _("按指定的表头和列仍未找到带责任单位的任务，请重新指定。"))
            return _render_layout(request, staged, exc.grids)
        if not staged.get("columns"):  # e.g. the limits were lowered since the upload
            _discard(request)
            messages.error(request, parse_error_text(exc, user=request.user))
            return redirect("tasks:plan_import")
        # A column assignment that leaves no task with units: say so and go back to the parser's reading.
        messages.error(request, parse_error_text(exc, user=request.user))
        staged.pop("columns")
        request.session[SESSION_KEY] = staged
        return redirect("tasks:plan_import_preview")
    preview = import_preview(parsed=parsed, columns=_columns(staged))
    return _render_preview(request, staged, text, preview, ImportChoicesForm(preview=preview))


@require_POST
@permission_required("tasks.add_plan", raise_exception=True)
@_busy_refused
def plan_import_columns(request):
    """Step 2b: the coordinator reassigns a task table's columns; the document is read again with them."""
    staged = _staged(request)
    if staged is None:
        messages.error(request, _("没有待确认的导入，请重新上传文件。"))
        return redirect("tasks:plan_import")
    if "reset" in request.POST:
        staged.pop("columns", None)
        staged.pop("layout", None)
        request.session[SESSION_KEY] = staged
        messages.info(request, _("已恢复系统识别的列。"))
        return redirect("tasks:plan_import_preview")
    if "layout" in request.POST:
        return _layout_post(request, staged)
    _path, text, parsed = _parse_staged(request, staged)
    preview = import_preview(parsed=parsed, columns=_columns(staged))
    form = TableColumnsForm(request.POST, tables=preview.tables)
    if not form.is_valid():
        return _render_preview(request, staged, text, preview, ImportChoicesForm(preview=preview), columns_form=form)
    current = staged.get("columns") or {}
    # A table whose header row the coordinator marked keeps its key (the negative line).
    assigned = {(str(-int(k)) if str(-int(k)) in current else k): roles for k, roles in form.assignment().items()}
    staged["columns"] = {**current, **assigned}
    if staged.get("layout") is not None:
        staged["layout"] = _layout_with(staged["layout"], staged["columns"], parsed)
    request.session[SESSION_KEY] = staged
    messages.success(request, _("已按指定的列重新识别表格。"))
    return redirect("tasks:plan_import_preview")


def _layout_with(layout: list[dict], columns: dict[str, list[str]], parsed) -> list[dict]:
    """The layout to keep after the coordinator changed a marked table's columns in the preview."""
    headers = {t.line: t.headers for t in parsed.tables}
    out = [dict(item) for item in layout]
    for key, roles in columns.items():
        line = -int(key)
        if line > 0 and line in headers:
            cells = [c for c in headers[line]]
            out = [item for item in out if item.get("headers") != cells] + [{"headers": cells, "roles": roles}]
    return out


def _layout_post(request, staged: dict):
    """The coordinator's layout of a document in which no task was found (``TableLayoutForm``)."""
    try:
        _parse_staged(request, {**staged, "columns": {}})
    except PlanParseError as exc:
        grids = exc.grids
    else:
        return redirect("tasks:plan_import_preview")  # it reads without a layout (the file changed?)
    if not grids:
        _discard(request)
        messages.error(request, _("没有待确认的导入，请重新上传文件。"))
        return redirect("tasks:plan_import")
    form = TableLayoutForm(request.POST, grids=grids)
    if not form.is_valid():
        return _render_layout(request, staged, grids, form)
    columns, layout = form.assignment()
    staged.update(columns=columns, layout=layout)
    staged.pop("layout_from", None)
    request.session[SESSION_KEY] = staged
    messages.success(request, _("已按指定的表头和列重新识别表格。"))
    return redirect("tasks:plan_import_preview")


@require_POST
@permission_required("tasks.add_plan", raise_exception=True)
@_busy_refused
def plan_import_confirm(request):
    """Step 3: import the staged document with the coordinator's choices, atomically, and go to the plan."""
    staged = _staged(request)
    if staged is None:
        messages.error(request, _("没有待确认的导入，请重新上传文件。"))
        return redirect("tasks:plan_import")
    try:
        path, text, parsed = _parse_staged(request, staged)
    except PlanParseError as exc:
        _discard(request)
        messages.error(request, parse_error_text(exc, user=request.user))
        return redirect("tasks:plan_import")
    preview = import_preview(parsed=parsed, columns=_columns(staged))
    form = ImportChoicesForm(request.POST, preview=preview)
    if not form.is_valid():
        form.add_error(None, _("有选择无效(可能单位名单刚被修改)，请重新选择。未写入任何内容。"))
        return _render_preview(request, staged, text, preview, form)
    try:
        past_due, track_from = form.past_due()
        result = plan_import(
            parsed=parsed, source_name=staged["name"], source_bytes=staged_read(path),
            unit_mapping=form.unit_mapping(), key_task_links=form.key_task_links(), actor=request.user,
            layout=staged.get("layout") if staged.get("layout") and request.POST.get("save_layout") else None,
            past_due=past_due, track_from=track_from, short_name=form.cleaned_data.get("short_name") or "",
        )
    except ImportChoiceError as exc:
        form.add_error(None, _t("%s 未写入任何内容。") % exc)
        return _render_preview(request, staged, text, preview, form)
    except PlanParseError as exc:
        _discard(request)
        messages.error(request, parse_error_text(exc, user=request.user))
        return redirect("tasks:plan_import")
    except BaseException:
        _discard(request)  # an unexpected failure still leaves no staged file
        raise
    _discard(request)
    if not acts_globally(request.user):
        # Whoever imports a plan coordinates it: the staff flag no longer shows every plan, and the
        # importer must land on (and keep reaching) the plan they just imported.
        result.plan.coordinators.add(request.user)
    messages.success(request, _summary(result))
    return redirect(result.plan.get_absolute_url())


def _summary(result) -> str:
    def n(bucket, kind):
        return bucket.get(kind, 0)

    c, u = result.created, result.updated
    text = _t(
        "导入完成：重点任务新增 %(t)d、更新 %(tu)d；指标新增 %(i)d、更新 %(iu)d；工作事项新增 %(w)d、更新 %(wu)d；"
        "新建单位 %(un)d 个。"
    ) % {
        "t": n(c, "key_tasks"), "tu": n(u, "key_tasks"), "i": n(c, "indicators"), "iu": n(u, "indicators"),
        "w": n(c, "work_items"), "wu": n(u, "work_items"), "un": n(c, "units"),
    }
    if result.kept_as_history:
        text += _t("%d 项导入时已过期限的事项留作历史记录。") % result.kept_as_history
    # Counted by the function that lists them on the plan page this message leads to.
    n_open = len(plan_warnings(plan=result.plan).open)
    if n_open:
        text += _t("另有 %d 条警告待在管理后台处理。") % n_open
    return text


@require_POST
@permission_required("tasks.add_plan", raise_exception=True)
def plan_import_cancel(request):
    _discard(request)
    messages.info(request, _("已取消导入，未写入任何内容。"))
    return redirect("tasks:plan_import")


def _render_preview(request, staged: dict, text: str, preview: ImportPreview, form: ImportChoicesForm,
                    columns_form: TableColumnsForm | None = None):
    context = {"preview": preview, "parsed": preview.parsed, "lines": text.splitlines(), "staged": staged,
               "form": form, "columns_form": columns_form or TableColumnsForm(tables=preview.tables)}
    return render(request, "tasks/import_preview.html", context)


def _discard(request) -> None:
    staged = request.session.pop(SESSION_KEY, None)
    if staged and isinstance(staged, dict):
        staged_delete(staged.get("file", ""))
