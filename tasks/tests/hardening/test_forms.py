"""Every form of the project, found by walking its modules (not listed): its text, date and number fields are
the project's (``tasks.forms.project_field``), and any hostile value in every field gives a valid form or
errors, never an exception, and never a cleaned value the class rules forbid (an invisible required text, a
control character, a date outside the window, a number read from non-ASCII digits).

The admin's forms, filters and formsets are walked the same way, from the admin site's registry."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import django_filters
import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory

import tasks
from tasks import forms as task_forms
from tasks.inputs import clean_text, is_blank
from tasks.workdays import input_bounds

pytestmark = pytest.mark.django_db

# The classes issue 30 names, and the last round's values.
HOSTILE = [
    "\u200b\u200d\ufeff", "\u3000 \u200b", "\u3164", "\x00", "a\x00b", "a" * 80_000, "一" * 6000,
    "0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "２０２６-０１-０１", "2026-02-30",
    "99999999999999999999", "-1", "0", "３", "５０", "²", "١", "1e999", "NaN", "", " ", "<script>", "' OR 1=1 --",
    "2026-06", "2026-06-01",
]


def _project_modules() -> None:
    for info in pkgutil.walk_packages(tasks.__path__, "tasks."):
        if not any(part in info.name for part in (".tests", ".migrations")):
            importlib.import_module(info.name)
    importlib.import_module("housing.admin_site")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(cls) -> bool:
    return cls.__module__.startswith(("tasks.", "housing.")) and ".tests" not in cls.__module__


_project_modules()
# Django's login form (with "remember me"): its user name is Django's own field, its password kept as typed,
# and its cleaning authenticates; the login and session tests drive it.
DJANGOS = {"LoginForm"}
FORM_CLASSES = sorted({c for c in _subclasses(forms.BaseForm)
                       if _ours(c) and c not in (task_forms.Form, task_forms.ModelForm) and c.__name__ not in DJANGOS},
                      key=lambda c: f"{c.__module__}.{c.__qualname__}")
DRIVEN_FORMS = FORM_CLASSES
FILTERSETS = sorted({c for c in _subclasses(django_filters.FilterSet) if _ours(c)}, key=lambda c: c.__qualname__)
STOCK = tuple(task_forms.PROJECT_FIELDS)


def _stock_fields(fields: dict) -> list[str]:
    """Fields still of Django's stock types; a password is kept exactly as typed (Django's own forms)."""
    found = []
    for name, field in fields.items():
        if isinstance(field.widget, forms.PasswordInput):
            continue
        parts = field.fields if isinstance(field, forms.MultiValueField) else []
        if type(field) in STOCK or any(type(p) in STOCK for p in parts):
            found.append(f"{name}: {type(field).__name__}")
    return found


def test_the_walk_found_the_forms():
    names = {c.__name__ for c in FORM_CLASSES}
    assert {"ProgressForm", "SupportDoneForm", "BulletinForm", "NoticeReplyForm", "BreakdownForm",
            "PlanUploadForm", "GenerateForm", "CalendarYearForm"} <= names
    assert {"WorkItemFilter", "OverdueFilter"} <= {c.__name__ for c in FILTERSETS}


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda c: c.__qualname__)
def test_every_form_is_the_projects(form_class):
    """A form of the project is a ``tasks.forms.Form`` (or ``ModelForm``): Django's stock fields it declares, or
    its model gives it, become the project's."""
    assert issubclass(form_class, task_forms.Form | task_forms.ModelForm), \
        f"{form_class.__module__}.{form_class.__qualname__}"
    assert not _stock_fields(form_class.base_fields)


@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda c: c.__qualname__)
def test_every_filterset_reads_through_the_project_fields(filterset):
    from tasks.filters import SearchFilter, _Dated

    assert issubclass(filterset, _Dated)  # its form is a tasks.forms.Form, its text filters search words
    for name, f in filterset.base_filters.items():
        if isinstance(f, django_filters.CharFilter):
            assert isinstance(f, SearchFilter) or f.field_class is not forms.CharField, name


# ---- every form with every hostile value ----------------------------------------------------------------


def _world_kwargs(world) -> dict[str, dict]:
    """Constructor arguments of the forms that need some (a form missing here fails the test below)."""
    from tasks.importers.document import Grid
    from tasks.models import Plan, Unit

    units = Unit.objects.filter(region=world.plan.region)
    # With items past due: the short name, the past-due choice and its day are fuzzed too.
    preview = SimpleNamespace(unit_choices=[], link_choices=[], parsed=SimpleNamespace(key_tasks=[]),
                              region_units=[], short_name="测试区·住有宜居", n_past_due=3)
    return {
        "BreakdownForm": {"units": units, "taken": set(), "parent_due": world.item.due_date, "plan": world.plan,
                          "today": world.today},
        "TargetShareForm": {"units": units},
        "MergeUnitsForm": {"units": units},
        "ImportChoicesForm": {"preview": preview},
        "TableColumnsForm": {"tables": []},
        # No task found: one rebuilt table of a header row and a task row, its header and roles fuzzed.
        "TableLayoutForm": {"grids": [Grid(line=3, width=3, rows=[(3, ["序号", "重点任务", "牵头单位"]),
                                                                (4, ["1", "推进老旧小区改造", "区建设局"])])]},
        "GenerateForm": {"plans": Plan.objects.all()},
    }


def _build(form_class, world, data=None):
    kwargs = _world_kwargs(world).get(form_class.__name__, {})
    if issubclass(form_class, task_forms.PlanDatesMixin):
        kwargs.setdefault("plan", world.plan)
    # ``data`` by keyword: a login form's first argument is the request (Django's AuthenticationForm).
    return form_class(data=data, **kwargs) if data is not None else form_class(**kwargs)


def _check_cleaned(form, raws: str | dict) -> list[str]:
    """What a valid field's cleaned value must never be (``raws``: the value posted in every field, or each
    field's)."""
    problems = []
    for name, value in form.cleaned_data.items():
        field = form.fields.get(name)
        if field is None or isinstance(field.widget, forms.PasswordInput):
            continue  # a password or secret is kept exactly as typed (tasks.forms.project_field)
        raw = raws.get(name, "") if isinstance(raws, dict) else raws
        raw = raw if isinstance(raw, str) else ""
        if isinstance(value, str) and isinstance(field, forms.CharField):
            if clean_text(value) != value:
                problems.append(f"{name}: control or zero-width characters kept")
            if field.required and is_blank(value):
                problems.append(f"{name}: an invisible text accepted as given")
            if field.max_length and len(value) > field.max_length:
                problems.append(f"{name}: longer than {field.max_length}")
        if isinstance(value, date) and not isinstance(value, datetime):
            low, high = input_bounds(getattr(field, "last_year", None))
            if not low <= value <= high:
                problems.append(f"{name}: {value} outside {low}..{high}")
        if isinstance(value, int | Decimal) and not isinstance(value, bool) and any(
                c.isdigit() and not c.isascii() for c in raw):
            problems.append(f"{name}: a number read from {raw!r}")
    return problems


def test_every_form_with_every_hostile_value():
    from tasks.tests.daily_setup import make_world

    world = make_world()
    failures = []
    for form_class in DRIVEN_FORMS:
        try:
            fields = _build(form_class, world).fields
        except TypeError as exc:
            failures.append((form_class.__qualname__, f"cannot build: {exc}"))
            continue
        for raw in HOSTILE:
            form = _build(form_class, world, {name: raw for name in fields})
            try:
                form.is_valid()
            except Exception as exc:
                failures.append((form_class.__qualname__, repr(raw)[:30], f"{type(exc).__name__}: {exc}"[:120]))
                continue
            failures += [(form_class.__qualname__, repr(raw)[:30], p) for p in _check_cleaned(form, raw)]
    assert not failures, failures


@pytest.mark.parametrize("raw,ok", [("2026-06-01", True), ("0001-01-01", False), ("9999-12-31", False),
                                    ("２０２６-０６-０１", False), ("2000-01-01", True), ("2100-12-31", True)])
def test_the_date_field_without_a_plan_takes_2000_to_2100(raw, ok):
    assert task_forms.BoundedDateField(required=False).widget  # constructible without a plan
    form = type("F", (task_forms.Form,), {"day": forms.DateField()})({"day": raw})
    assert form.is_valid() is ok, form.errors


def test_a_stock_field_in_a_new_form_is_the_projects():
    """A form written with Django's fields gets the project's: invisible text is missing, NUL removed, no
    unbounded text, "３" not a number, "0001-01-01" not a date (also for fields added when it is built)."""

    class NewForm(task_forms.Form):
        text = forms.CharField()
        year = forms.IntegerField()
        day = forms.DateField()

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["added"] = forms.CharField(required=False)

    form = NewForm({"text": "\u200b\u3000", "year": "３", "day": "0001-01-01", "added": "a" * 60_000})
    assert not form.is_valid()
    assert set(form.errors) == {"text", "year", "day", "added"}
    assert isinstance(NewForm.base_fields["text"], task_forms.TextField)
    form = NewForm({"text": "完成\x00", "year": "2026", "day": "2026-06-01"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["text"] == "完成"


# ---- the admin ------------------------------------------------------------------------------------------


def test_every_admin_form_filter_search_and_formset_is_checked(admin_user):
    """Every registered model admin (ours and other apps'): its form fields are the project's, a year field
    is bounded, its change list checks its filters, its inlines' formsets are bounded."""
    from housing.admin_site import CheckedChangeList, ValidKeys
    from tasks.forms import MAX_FORMS, BoundedFormSet

    request = RequestFactory().get("/admin/")
    request.user = admin_user
    problems = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if not isinstance(model_admin, ValidKeys):
            problems.append(f"{label}: not ValidKeys")
        if not issubclass(model_admin.get_changelist(request), CheckedChangeList):
            problems.append(f"{label}: change list does not check its filters")
        form = model_admin.get_form(request, None, change=True)
        problems += [f"{label}.{p}" for p in _stock_fields(form.base_fields)]
        for name, field in form.base_fields.items():
            if name == "year" and isinstance(field, forms.IntegerField):
                bound = [getattr(v, "limit_value", None) for v in field.validators]
                if 2000 not in bound or 2100 not in bound:
                    problems.append(f"{label}.{name}: year not bounded 2000-2100")
        for inline in model_admin.get_inline_instances(request, None):
            formset = inline.get_formset(request, None)
            if not issubclass(formset, BoundedFormSet) or formset.absolute_max > MAX_FORMS:
                problems.append(f"{label} inline {type(inline).__name__}: formset not bounded")
            problems += [f"{label} inline.{p}" for p in _stock_fields(formset.form.base_fields)]
    assert not problems, problems


@pytest.mark.parametrize("key,value,ok", [
    ("key_task", "99999999999999999999", False), ("key_task", "1", True), ("key_task__id__exact", "３", False),
    ("status__exact", "\x00", False), ("status__exact", "done", True), ("status__exact", "nope", False),
    ("year", "２０２６", False), ("year", "2026", True), ("year", "99999", False),
    ("deadline__gte", "0001-01-01", False), ("deadline__gte", "2026-01-01", True),
    ("deadline__year", "1", False), ("deadline__year", "2026", True), ("deadline__month", "13", False),
    ("key_task__in", "1,2", True), ("key_task__in", "1,99999999999999999999", False),
    ("text__icontains", "房", True), ("text__regex", "(a+)+$", False), ("key_task__isnull", "True", True),
    ("plan", "a" * 2000, False), ("no_such_field", "\u200b", False), ("no_such_field", "x", True),
])
def test_filter_value_ok(key, value, ok):
    from housing.admin_site import filter_value_ok
    from tasks.models import WorkItem

    assert filter_value_ok(WorkItem, key, value) is ok


@pytest.mark.parametrize("value,ok", [("10.0.0.1", True), ("::1", True), ("0", False), ("1999-12-31", False)])
def test_filter_value_ok_reads_other_columns_with_their_own_checks(value, ok):
    """axes' address column (PostgreSQL's inet refused "0" with a 500)."""
    from axes.models import AccessAttempt

    from housing.admin_site import filter_value_ok

    assert filter_value_ok(AccessAttempt, "ip_address", value) is ok
