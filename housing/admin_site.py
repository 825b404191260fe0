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
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
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


class ValidKeys:
    """A model admin (or inline) mixin: posted keys are checked before Django queries with them."""

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


def with_valid_keys(admin_class: type) -> type:
    """``admin_class`` with ``ValidKeys`` (and its inlines too), or itself if it has it already."""
    if issubclass(admin_class, ValidKeys):
        return admin_class
    attrs = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
    if getattr(admin_class, "inlines", None):
        attrs["inlines"] = [with_valid_keys(inline) for inline in admin_class.inlines]
    return type(admin_class.__name__, (ValidKeys, admin_class), attrs)


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


class HousingAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``HousingAdminSite`` as ``admin.site`` (INSTALLED_APPS names this)."""

    default_site = "housing.admin_site.HousingAdminSite"
