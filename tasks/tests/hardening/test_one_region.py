"""A plan's rows name only its own region's units and its own plan's rows, whoever edits them in the admin.

A coordinator of plans in two regions (the demo's coordinator is one), or anyone acting on every plan, is
offered both regions' units, key tasks and indicators in the admin's choices: the scope cannot tell the
plans apart, so the rows must. Before, such a user could give an item of region A's plan a part held by a unit
of region B (region B's liaison then saw and reported on region A's item, and region A's roundup ranked
region B's unit), move an item, key task or indicator to region B's plan with its parts still region A's,
or tie an item or indicator to a key task of another plan. The rule is in the models' ``clean`` (every admin
form, inline row and service that validates goes through it); each edit below is refused with the form's
error and writes nothing, and the same edits within one region are saved.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tasks.models import Indicator, KeyTask, KeyTaskUnit, WorkItem, WorkItemUnit
from tasks.tests.daily_setup import MODEL_BACKEND
from tasks.tests.hardening.sweeps import table_rows, tables_changed
from tasks.tests.hardening.test_admin_scope import _holding_every_model_permission, _populate, _posted

pytestmark = pytest.mark.django_db
UNWATCHED = {"sessions.Session", "axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}


@pytest.fixture
def two(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    a, b = _populate("a"), _populate("b")
    actor = _holding_every_model_permission(a["coordinator"])
    b["plan"].coordinators.add(actor)  # coordinates a plan in each region
    client.force_login(actor, backend=MODEL_BACKEND)
    return a, b


def _page_data(client, model, obj) -> dict:
    """The change page's forms (the object's and every inline row) as the browser posts them unchanged."""
    page = client.get(reverse(f"admin:tasks_{model._meta.model_name}_change", args=[obj.pk]))
    assert page.status_code == 200
    data = {**_posted(page.context["adminform"].form, altered=False), "_save": "1"}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        data[management.add_prefix("MIN_NUM_FORMS")] = "0"
        data[management.add_prefix("MAX_NUM_FORMS")] = "1000"
        for row in formset.forms:
            data.update(_posted(row, altered=False))
    return data


def _with_row(data: dict, prefix: str, **values) -> dict:
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data = {**data, f"{prefix}-TOTAL_FORMS": str(n + 1)}
    data.update({f"{prefix}-{n}-{k}": str(v) for k, v in values.items()})
    return data


def _post(client, model, obj, data):
    return client.post(reverse(f"admin:tasks_{model._meta.model_name}_change", args=[obj.pk]), data)


def _edits(a, b):
    item = WorkItem.objects.filter(plan=a["plan"], key_task__isnull=False).first()
    task = KeyTask.objects.get(plan=a["plan"])
    indicator = Indicator.objects.get(plan=a["plan"])
    theirs_task = KeyTask.objects.get(plan=b["plan"])
    their_unit, our_spare = b["units"][2], a["units"][2]
    item_prefix = WorkItemUnit._meta.get_field("work_item").remote_field.related_name  # "assignments"
    return [
        ("an item's part held by another region's unit", WorkItem, item,
         lambda d: _with_row(d, item_prefix, unit=their_unit.pk, role="support", position=9, work_item=item.pk),
         lambda d: _with_row(d, item_prefix, unit=our_spare.pk, role="support", position=9, work_item=item.pk)),
        ("an item moved to another region's plan", WorkItem, item,
         lambda d: {**d, "plan": b["plan"].pk, "key_task": "", "indicator": ""}, None),
        ("an item tied to another plan's key task", WorkItem, item,
         lambda d: {**d, "key_task": theirs_task.pk}, None),
        ("a key task's part held by another region's unit", KeyTask, task,
         lambda d: _with_row(d, item_prefix, unit=their_unit.pk, role="support", position=9, key_task=task.pk),
         lambda d: _with_row(d, item_prefix, unit=our_spare.pk, role="support", position=9, key_task=task.pk)),
        ("a key task moved to another region's plan", KeyTask, task, lambda d: {**d, "plan": b["plan"].pk}, None),
        ("an indicator tied to another plan's key task", Indicator, indicator,
         lambda d: {**d, "key_task": theirs_task.pk}, None),
        ("an indicator moved to another region's plan", Indicator, indicator,
         lambda d: {**d, "plan": b["plan"].pk, "key_task": ""}, None),
    ]


def test_no_edit_ties_a_plans_rows_to_another_region_or_plan(client, two):
    a, b = two
    saved = []
    for label, model, obj, bad, _good in _edits(a, b):
        data = bad(_page_data(client, model, obj))
        rows = table_rows(UNWATCHED)
        response = _post(client, model, obj, data)
        changed = tables_changed(rows, UNWATCHED)
        if response.status_code != 200 or changed:
            saved.append((label, response.status_code, changed))
    assert saved == []


def test_the_same_edits_within_the_region_are_saved(client, two):
    a, b = two
    for label, model, obj, _bad, good in _edits(a, b):
        if good is None:
            continue
        response = _post(client, model, obj, good(_page_data(client, model, obj)))
        assert response.status_code == 302, (label, response.context and [
            f.errors for f in [response.context["adminform"].form] if f.errors])
    assert WorkItemUnit.objects.filter(unit=a["units"][2], role="support").exists()
    assert KeyTaskUnit.objects.filter(unit=a["units"][2], role="support").exists()
    assert admin.site.is_registered(WorkItem)


def test_a_new_item_is_not_given_another_regions_unit(client, two):
    a, b = two
    page = client.get(reverse("admin:tasks_workitem_add"))
    data = {**_posted(page.context["adminform"].form, altered=False), "_save": "1", "plan": a["plan"].pk,
            "text": "新增事项", "year": "2023", "deadline": "2023-12-31", "source": "work_list"}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    data = _with_row(data, "assignments", unit=b["units"][0].pk, role="lead", position=0)
    rows = table_rows(UNWATCHED)
    response = client.post(reverse("admin:tasks_workitem_add"), data)
    assert response.status_code == 200
    assert tables_changed(rows, UNWATCHED) == []
    data["assignments-0-unit"] = str(a["units"][0].pk)
    response = client.post(reverse("admin:tasks_workitem_add"), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert WorkItem.objects.get(text="新增事项").assignments.get().unit == a["units"][0]
