"""The admin site: Django's, with every key a staff user posts checked before a query is run with it.

Django's admin runs queries with raw posted values in three places: an action's selection
(``queryset.filter(pk__in=<_selected_action>)``), an autocomplete widget re-showing its chosen options
after a form error (``filter(pk__in=<value>)``) and a many-to-many form field (``pk__in``, after checking
each value's type but not its range: a 20-digit id overflows SQLite). A value the key cannot hold ("²",
"abc", a 20-digit number) raises there: a 500 for any staff user who edits the form.

``HousingAdminSite.register`` gives each model admin it registers, and their inlines, ours and third-party
apps' alike (auth, axes, authtoken), ``ValidKeys``: such a selection is refused with a message and nothing
runs, as Django answers an empty one; such a field value is an invalid choice, shown with the form's other
errors; an autocomplete leaves it out of the options it shows as chosen.

The same mixin puts every other input of the admin through the project's rules, for every model admin:

- each form field is the project's (``tasks.forms.project_field``: text cleaned and bounded, dates inside
  2000-2100, numbers in ASCII digits) and a year field takes 2000-2100;
- a change list's filter parameters are checked against the field each one filters (``filter_value_ok``:
  a key the column can hold, a choice among the field's choices, a date inside the window, no control
  characters) before any query runs: otherwise the admin's "?e=1" page, never a 500;
- a search term (the list's search box and every autocomplete) is ``tasks.inputs.search_text``;
- an inline's formset takes at most ``tasks.forms.MAX_FORMS`` forms.
"""

from __future__ import annotations

import re

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.constants import LOOKUP_SEP
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def valid_selection(model, values: list[str]) -> bool:
    """Whether every posted value can be one of ``model``'s primary keys (``tasks.inputs.is_key``)."""
    from tasks.inputs import is_key

    return all(is_key(model._meta.pk, value) for value in values)


class _ChosenKeys:
    """An autocomplete widget that leaves out, of the options it re-shows as chosen, values its model's key
    cannot hold (the form field reports them as an invalid choice)."""

    def optgroups(self, name, value, attr=None):
        from tasks.inputs import is_key

        remote = self.field.remote_field
        key = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return super().optgroups(name, [v for v in value if v in ("", None) or is_key(key, v)], attr)


class ValidAutocompleteSelect(_ChosenKeys, AutocompleteSelect):
    pass


class ValidAutocompleteSelectMultiple(_ChosenKeys, AutocompleteSelectMultiple):
    pass


# ---- filter parameters ----------------------------------------------------------------------------------

FILTER_VALUE_MAX = 1000  # characters: no column value the admin filters by is longer
_INTEGER = re.compile(r"-?[0-9]{1,19}")
_NUMBER = re.compile(r"-?[0-9]{1,20}(\.[0-9]{0,20})?")
# Transforms a date filter may use, with the values each may take (the date hierarchy's year, month, day).
_DATE_PARTS = {"month": (1, 12), "day": (1, 31), "week_day": (1, 7), "iso_week_day": (1, 7), "week": (1, 53),
               "quarter": (1, 4)}
_REFUSED_LOOKUPS = {"regex", "iregex"}  # a pattern the database (or SQLite's Python re) may take minutes on
_LIST_LOOKUPS = {"in", "range"}


def _resolve(model, key: str):
    """(field, lookups) that filter parameter ``key`` names on ``model`` ("key_task__id__exact" -> KeyTask's id,
    ["exact"]), or (None, parts) when its first part is no field (a custom list filter's own parameter)."""
    opts, field, parts = model._meta, None, key.split(LOOKUP_SEP)
    for i, part in enumerate(parts):
        try:
            found = opts.pk if part == "pk" else opts.get_field(part)
        except FieldDoesNotExist:
            return field, parts[i:]
        field = found
        if not (found.is_relation and found.related_model is not None):
            return field, parts[i + 1:]  # a column: the rest are its lookups and transforms
        opts = found.related_model._meta
    return field, []


def _target(field):
    """The column a relation's value is compared with: a foreign key's target, a reverse or many-to-many
    relation's related primary key."""
    if isinstance(field, models.ForeignKey):
        return field.target_field
    if field.is_relation and field.related_model is not None:
        return field.related_model._meta.pk
    return field


def _integer_ok(field, value: str) -> bool:
    if not _INTEGER.fullmatch(value):
        return False
    low, high = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type(), (-(2**63), 2**63 - 1))
    return low <= int(value) <= high


def _field_value_ok(field, value: str) -> bool:
    """Whether ``value`` is one ``field``'s column holds, as the forms would read it."""
    from tasks.forms import check_date
    from tasks.inputs import is_key, wide_digits

    if field.is_relation:
        return is_key(_target(field), value)
    if wide_digits(value):
        return False
    if field.choices:
        return value in {str(key) for key, _label in field.flatchoices}
    if isinstance(field, models.AutoField | models.IntegerField):
        return _integer_ok(field, value)
    if isinstance(field, models.DecimalField | models.FloatField):
        return bool(_NUMBER.fullmatch(value))
    if isinstance(field, models.DateField | models.DateTimeField):
        try:
            day = field.to_python(value)
            if day is not None:
                check_date(day.date() if hasattr(day, "date") else day)
        except (ValidationError, ValueError, OverflowError):
            return False
        return True
    if isinstance(field, models.CharField | models.TextField):
        return True
    try:  # any other column (an address, a UUID, a boolean): its own parsing and checks
        field.run_validators(field.to_python(value))
    except (ValidationError, ValueError, TypeError):
        return False
    return True


def filter_value_ok(model, key: str, value: str) -> bool:
    """Whether a change list may filter ``model`` by parameter ``key`` = ``value`` (a raw query string value)
    without the database refusing it: no control or zero-width characters and not longer than
    ``FILTER_VALUE_MAX``; and, when ``key`` names a field, a value that field holds (an id its key can hold,
    one of its choices, a date inside 2000-2100, a number in ASCII digits) for each value of an ``__in``, a
    year, month or day of a date inside the window."""
    from tasks.inputs import clean_text
    from tasks.workdays import input_bounds

    if len(value) > FILTER_VALUE_MAX or clean_text(value) != value:
        return False
    field, lookups = _resolve(model, key)
    if field is None:
        return True  # a custom list filter's parameter: the filter reads it (``tasks.admin.scoping.IdFilter``)
    if set(lookups) & _REFUSED_LOOKUPS:
        return False
    last = lookups[-1] if lookups else "exact"
    if last in ("isnull", "isempty"):  # Django reads any value as a yes or a no
        return True
    if last in ("year", "iso_year"):
        low, high = input_bounds()
        return bool(_INTEGER.fullmatch(value)) and low.year <= int(value) <= high.year
    if last in _DATE_PARTS:
        low, high = _DATE_PARTS[last]
        return bool(_INTEGER.fullmatch(value)) and low <= int(value) <= high
    if last in ("contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "iexact") \
            and not field.is_relation:
        return True
    values = value.split(",") if last in _LIST_LOOKUPS else [value]
    return all(_field_value_ok(field, v) for v in values)


class CheckedChangeList:
    """A change list mixin: every filter parameter is checked (``filter_value_ok``) before a query runs."""

    def get_filters(self, request):
        for key, values in self.get_filters_params().items():
            for value in values:
                if not filter_value_ok(self.model, key, value):
                    raise IncorrectLookupParameters(key)
        return super().get_filters(request)


def checked_changelist(changelist_class: type) -> type:
    if issubclass(changelist_class, CheckedChangeList):
        return changelist_class
    return type(changelist_class.__name__, (CheckedChangeList, changelist_class), {})


# ---- model admins ---------------------------------------------------------------------------------------

YEAR_BOUNDS = (2000, 2100)  # a year typed in the admin (a work list's, a plan's first and last, a target's)


def _is_year(db_field) -> bool:
    return isinstance(db_field, models.IntegerField) and not db_field.choices and (
        db_field.name == "year" or db_field.name.endswith("_year"))


class ValidKeys:
    """A model admin (or inline) mixin: posted keys are checked before Django queries with them, and every
    other field, filter, search term and formset goes through the project's rules (module docstring)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        from tasks.forms import project_field

        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is None:
            return None
        project_field(field)
        if _is_year(db_field):
            low, high = YEAR_BOUNDS
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update(min=low, max=high)
        return field

    def get_changelist(self, request, **kwargs):
        return checked_changelist(super().get_changelist(request, **kwargs))

    def get_search_results(self, request, queryset, search_term):
        from tasks.inputs import search_text

        return super().get_search_results(request, queryset, search_text(search_term))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        from tasks.forms import KeyMultipleChoiceField

        kwargs.setdefault("form_class", KeyMultipleChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if selected and not valid_selection(self.model, selected):
            self.message_user(request, _("所选的项目无效，未做任何更改。"), messages.ERROR)
            return None  # the change list redirects back to itself, as for an empty selection
        return super().response_action(request, queryset)


class BoundedFormset:
    """An inline mixin: its formset takes at most ``tasks.forms.MAX_FORMS`` forms; a POST saying more is refused
    before any form is built (``tasks.forms.BoundedFormSet``; Django built up to 2,000 and rendered them all
    again with its error: 5.5 s)."""

    def get_max_num(self, request, obj=None, **kwargs):
        from tasks.forms import MAX_FORMS

        max_num = super().get_max_num(request, obj, **kwargs)
        return MAX_FORMS if max_num is None else min(max_num, MAX_FORMS)

    def get_formset(self, request, obj=None, **kwargs):
        from tasks.forms import MAX_FORMS, bounded_formset

        kwargs.setdefault("absolute_max", MAX_FORMS)
        kwargs["formset"] = bounded_formset(kwargs.get("formset", self.formset))
        return super().get_formset(request, obj, **kwargs)


def with_valid_keys(admin_class: type) -> type:
    """``admin_class`` with ``ValidKeys`` (and its inlines too, with ``BoundedFormset``), or itself if it has
    it already."""
    if issubclass(admin_class, ValidKeys):
        return admin_class
    attrs = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
    if getattr(admin_class, "inlines", None):
        attrs["inlines"] = [with_valid_keys(inline) for inline in admin_class.inlines]
    mixins = (ValidKeys, BoundedFormset) if issubclass(admin_class, admin.options.InlineModelAdmin) else (ValidKeys,)
    return type(admin_class.__name__, (*mixins, admin_class), attrs)


class HousingAdminSite(admin.AdminSite):
    site_header = gettext_lazy("住有宜居 任务责任管理")
    site_title = gettext_lazy("住有宜居")

    def register(self, model_or_iterable, admin_class=None, **options):
        from tasks.owners import with_owner_scope

        # Every model admin in its owner's scope (tasks.owners), with posted keys checked first.
        admin_class = with_valid_keys(with_owner_scope(admin_class or admin.ModelAdmin))
        return super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        from tasks.owners import view_on_site

        # "View on site" for rows the user reads only (tasks.owners.view_on_site).
        return [path(str(url.pattern), self.admin_view(view_on_site), name=url.name) if getattr(
            url, "name", None) == "view_on_site" else url for url in super().get_urls()]

    def autocomplete_view(self, request):
        from tasks.owners import ScopedAutocompleteJsonView

        return ScopedAutocompleteJsonView.as_view(admin_site=self)(request)

    # The sidebar's app list is built on every admin page (``each_context``) for every registered model.
    # Django's reversed each model's list and add URLs and each app's index on every page, and sorted the
    # models by their lazy names, translating both names of every comparison (some 80 comparisons a
    # page): a sixth of an admin page's time. The same list, with each URL reversed once per language,
    # script prefix and URLconf (``tasks.links.fixed_url``) and each name translated once for the sort
    # (test_admin_site's comparison with Django's own list).

    def _build_app_dict(self, request, label=None):
        from contextlib import suppress

        from django.apps import apps
        from django.urls import NoReverseMatch
        from django.utils.text import capfirst

        from tasks.links import fixed_url

        app_dict = {}
        for model, model_admin in self._registry.items():
            app_label = model._meta.app_label
            if label and app_label != label:
                continue
            has_module_perms = model_admin.has_module_permission(request)
            if not has_module_perms:
                continue
            perms = model_admin.get_model_perms(request)
            if True not in perms.values():
                continue
            prefix = f"admin:{app_label}_{model._meta.model_name}"
            model_dict = {
                "model": model,
                "name": capfirst(model._meta.verbose_name_plural),
                "object_name": model._meta.object_name,
                "perms": perms,
                "admin_url": None,
                "add_url": None,
            }
            if perms.get("change") or perms.get("view"):
                model_dict["view_only"] = not perms.get("change")
                with suppress(NoReverseMatch):
                    model_dict["admin_url"] = fixed_url(f"{prefix}_changelist", current_app=self.name)
            if perms.get("add"):
                with suppress(NoReverseMatch):
                    model_dict["add_url"] = fixed_url(f"{prefix}_add", current_app=self.name)
            if app_label in app_dict:
                app_dict[app_label]["models"].append(model_dict)
            else:
                app_dict[app_label] = {
                    "name": apps.get_app_config(app_label).verbose_name,
                    "app_label": app_label,
                    "app_url": fixed_url("admin:app_list", app_label=app_label, current_app=self.name),
                    "has_module_perms": has_module_perms,
                    "models": [model_dict],
                }
        return app_dict

    def get_app_list(self, request, app_label=None):
        app_list = sorted(self._build_app_dict(request, app_label).values(), key=lambda app: str(app["name"]).lower())
        for app in app_list:
            app["models"].sort(key=lambda entry: str(entry["name"]))
        return app_list


class HousingAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``HousingAdminSite`` as ``admin.site`` (INSTALLED_APPS names this)."""

    default_site = "housing.admin_site.HousingAdminSite"
