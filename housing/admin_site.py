"""The admin site: Django's, with every model admin's actions refusing selections that are not ids.

Django's change list runs an action on ``queryset.filter(pk__in=<the posted _selected_action values>)``,
and a value the primary key cannot hold ("²", "abc", a 20-digit number) raises there: a 500 for any staff
user who edits the form. ``HousingAdminSite.register`` gives each model admin it registers, ours and
third-party apps' alike (auth, axes, authtoken), ``ValidSelectionActions``: such a selection is refused
with a message and nothing runs, as Django answers an empty one.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def valid_selection(model, values: list[str]) -> bool:
    """Whether every posted value can be one of ``model``'s primary keys (integer keys through the one id
    parser, ``tasks.inputs.parse_ids``; any other key through its field)."""
    from tasks.inputs import parse_ids

    pk = model._meta.pk
    if isinstance(pk, models.ForeignKey | models.OneToOneField):
        pk = pk.target_field
    if isinstance(pk, models.IntegerField):
        return parse_ids(values) is not None
    try:
        for value in values:
            pk.to_python(value)
    except ValidationError:
        return False
    return True


class ValidSelectionActions:
    """A model admin mixin: an action posted with a selection that is not ids of the model does nothing."""

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if selected and not valid_selection(self.model, selected):
            self.message_user(request, _("所选的项目无效，未做任何更改。"), messages.ERROR)
            return None  # the change list redirects back to itself, as for an empty selection
        return super().response_action(request, queryset)


class HousingAdminSite(admin.AdminSite):
    site_header = gettext_lazy("住有宜居 任务责任管理")
    site_title = gettext_lazy("住有宜居")

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ValidSelectionActions):
            admin_class = type(admin_class.__name__, (ValidSelectionActions, admin_class),
                               {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__})
        return super().register(model_or_iterable, admin_class, **options)


class HousingAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``HousingAdminSite`` as ``admin.site`` (INSTALLED_APPS names this)."""

    default_site = "housing.admin_site.HousingAdminSite"
