"""No admin page lists a table that grows with the province.

A province holds 20,000 units and users, 12,500 key tasks and 1,000,000 work items. A form select or a
list filter offering every row of such a table renders all of them: a progress report's change page
listed every work item (30 s and 8 MB at 100,000 items). Such fields are autocompletes, raw ids or read
only; such list filters offer a bounded list (``tasks.admin.scoping``). Regions (90 counties), the plans
(630) and Django's own groups, permissions and content types stay plain selects.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin, ForeignKeyRawIdWidget, RelatedFieldWidgetWrapper
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.forms import ModelChoiceField
from django.test import RequestFactory

from tasks.models import Plan, Region

pytestmark = pytest.mark.django_db

BOUNDED = {Region, Plan, Group, Permission, ContentType}


def _admins():
    for model, model_admin in admin.site._registry.items():
        yield f"{model._meta.label}", model_admin


def _superuser_request(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


def _unbounded_selects(form_class, model_admin_or_inline, parent: str | None = None) -> list[str]:
    found = []
    for name, field in form_class.base_fields.items():
        if name == parent:
            continue  # an inline's key to the row it is shown in: a hidden field
        if not isinstance(field, ModelChoiceField) or field.queryset.model in BOUNDED:
            continue
        widget = field.widget.widget if isinstance(field.widget, RelatedFieldWidgetWrapper) else field.widget
        if not isinstance(widget, AutocompleteMixin | ForeignKeyRawIdWidget):
            found.append(f"{type(model_admin_or_inline).__name__}.{name} -> {field.queryset.model.__name__}")
    return found


def test_no_form_offers_every_row_of_a_growing_table(admin_user):
    request = _superuser_request(admin_user)
    found = []
    for _, model_admin in _admins():
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
            found += _unbounded_selects(model_admin.get_form(request, None, change=True), model_admin)
        for inline in model_admin.get_inline_instances(request, None):
            formset = inline.get_formset(request, None)
            found += _unbounded_selects(formset.form, inline, parent=formset.fk.name)
    assert not found, "plain selects over a growing table:\n" + "\n".join(found)


#: Tables whose distinct values a list filter may read: they grow with plans and documents, not with items,
#: reminders or logins.
FEW = {"tasks.Region", "tasks.Unit", "tasks.Plan", "tasks.KeyTask", "tasks.Indicator", "tasks.TargetBreakdown",
       "tasks.Roundup", "tasks.RoundupSettings", "tasks.ReminderSettings", "tasks.CalendarOverride",
       "tasks.Bulletin", "tasks.SupervisionNotice", "auth.User", "auth.Group", "tasks.ApiToken",
       "axes.AccessAttempt"}


def test_no_list_filter_offers_every_row_of_a_growing_table(admin_user):
    """Each model admin's change list as Django builds it: a related filter lists every row of its target
    (of every plan, for a coordinator too), a related-only or all-values filter reads the distinct values of
    every row listed. Plan filters are tasks.admin.scoping.plan_filter: the user's own plans."""
    from django.contrib.admin import AllValuesFieldListFilter, RelatedFieldListFilter, RelatedOnlyFieldListFilter

    found = []
    for label, model_admin in _admins():
        request = RequestFactory().get("/admin/")
        request.user = admin_user
        for spec in model_admin.get_changelist_instance(request).filter_specs:
            if isinstance(spec, RelatedOnlyFieldListFilter | AllValuesFieldListFilter) and label not in FEW:
                found.append(f"{label}: {spec.field_path} ({type(spec).__name__})")
            elif isinstance(spec, RelatedFieldListFilter) and not isinstance(spec, RelatedOnlyFieldListFilter):
                target = spec.field.related_model
                if target not in BOUNDED - {Plan}:
                    found.append(f"{label}: {spec.field_path} -> {target.__name__}")
    assert not found, "list filters over a growing table:\n" + "\n".join(found)


#: Tables that grow with the documents an office files, not with the items: a date hierarchy over them
#: reads a few thousand rows.
DATED_FEW = {"tasks.Roundup", "tasks.Bulletin", "tasks.SupervisionNotice", "tasks.CalendarOverride",
             "axes.AccessAttempt"}  # (failed logins, removed once a login succeeds or they expire)


def test_no_date_hierarchy_over_a_growing_table():
    """Django's date hierarchy reads the first and last date and every distinct year of the rows listed (of
    every search too): a scan of a province's 1.7 million status changes per page."""
    found = [label for label, model_admin in _admins() if model_admin.date_hierarchy and label not in DATED_FEW]
    assert not found, found


def test_no_facet_counts_over_a_growing_table():
    """"Show counts" counts every choice of every filter over the rows listed: minutes at a province's size."""
    from django.contrib.admin import ShowFacets

    found = [label for label, model_admin in _admins()
             if model_admin.show_facets is not ShowFacets.NEVER and label not in FEW]
    assert not found, found


#: The tables that grow with the items, reminders and logins (millions of rows at a province's size).
LARGE = {"tasks.WorkItem", "tasks.StatusChange", "tasks.ProgressReport", "tasks.Reminder",
         "tasks.TargetShareReport", "axes.AccessLog", "axes.AccessFailureLog"}


def test_a_large_tables_list_sorts_only_by_columns_it_says():
    """Sorting a list by any column sorted every row (a status change's reason: 4 s at 1M): their admins name
    the columns an index serves (``sortable_by``)."""
    found = [label for label, model_admin in _admins() if label in LARGE and model_admin.sortable_by is None]
    assert len({label for label, _ in _admins()} & LARGE) == len(LARGE)
    assert not found, found


def test_a_hand_made_sort_by_another_column_is_ignored(admin_client):
    from django.urls import reverse

    response = admin_client.get(reverse("admin:tasks_statuschange_changelist"), {"o": "7"})  # the reason
    assert response.status_code == 200
    ordering = [str(f) for f in response.context["cl"].queryset.query.order_by]
    assert not any("reason" in f for f in ordering) and ordering
    response = admin_client.get(reverse("admin:tasks_statuschange_changelist"), {"o": "-2"})  # the time
    assert [str(f) for f in response.context["cl"].queryset.query.order_by][0] == "-at"


def test_the_unit_list_counts_each_listed_units_key_tasks_without_grouping_every_unit(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tasks.models import KeyTaskUnit
    from tasks.tests.factories import KeyTaskFactory, UnitFactory

    busy = UnitFactory(name="甲局")
    UnitFactory(name="乙局")
    for role, key_task in (("lead", KeyTaskFactory()), ("support", KeyTaskFactory())):
        KeyTaskUnit.objects.create(key_task=key_task, unit=busy, role=role)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:tasks_unit_changelist"))
    counts = {u.name: u.n_tasks for u in response.context["cl"].result_list}
    assert counts["甲局"] == 2 and counts["乙局"] == 0
    assert not [q["sql"] for q in queries if 'GROUP BY "tasks_unit"' in q["sql"]]
