"""The instances issue 30 found, one test per class of input: each must be refused (a form error, a 400, the
admin's "?e=1" page), never a 500 and never stored. The classes are fixed where every input goes through
(``tasks.forms`` field types, ``housing.admin_site`` for every model admin); the route sweep and the property
suite (``test_routes``, ``test_properties``) carry the same hostile values to every form and parameter."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tasks.models import Bulletin, SupervisionNotice, Unit, WorkItem, WorkItemUnit
from tasks.tests.daily_setup import MODEL_BACKEND, make_world

pytestmark = pytest.mark.django_db

INVISIBLE = "\u200b\u200d\ufeff \u3000\u2060"


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def root(client):
    user = get_user_model().objects.create_superuser("root", "root@example.gov.cn", "x")
    client.force_login(user, backend=MODEL_BACKEND)
    return user


def _login(client, user):
    client.force_login(user, backend=MODEL_BACKEND)


# ---- text -----------------------------------------------------------------------------------------------


def test_support_done_with_invisible_note_is_refused(client, w):
    _login(client, w.support_user)
    response = client.post(reverse("tasks:work_item_support_done", args=[w.item.pk]), {"note": INVISIBLE})
    assert response.status_code == 200
    assert not WorkItemUnit.objects.filter(work_item=w.item, support_done_at__isnull=False).exists()


def test_notice_reply_with_invisible_text_is_refused(client, w, monkeypatch):
    from tasks.services import notices as notice_service
    from tasks.services.notices import notices_issue_for_items

    monkeypatch.setattr(notice_service, "docx_to_pdf", lambda data: b"%PDF-1.4 stand-in")
    w.item.due_date = w.today - timedelta(days=40)
    w.item.save(update_fields=["due_date"])
    (notice,) = notices_issue_for_items(items=[w.item], actor=w.coordinator, today=w.today)
    _login(client, w.lead_user)
    before = notice.events.count()
    response = client.post(reverse("tasks:notice_detail", args=[notice.pk]), {"text": INVISIBLE})
    assert response.status_code in (200, 400)
    assert SupervisionNotice.objects.get(pk=notice.pk).events.count() == before


def test_bulletin_with_invisible_title_or_body_is_refused(client, w, monkeypatch):
    from tasks.roundups.periods import Period
    from tasks.services.documents import bulletin_for_roundup
    from tasks.services.roundups import roundup_generate

    last_month = w.today.replace(day=1) - timedelta(days=1)
    roundup, _ = roundup_generate(plan=w.plan, period=Period.month(last_month.year, last_month.month), today=w.today)
    bulletin = bulletin_for_roundup(roundup=roundup, actor=w.coordinator)
    _login(client, w.coordinator)
    good = {"title": "通报", "addressees": "各单位", "body": "正文", "signer": "专班", "copy_to": ""}
    for field in ("title", "body", "addressees", "signer"):
        response = client.post(reverse("tasks:bulletin_edit", args=[roundup.pk]), {**good, field: INVISIBLE})
        assert response.status_code == 200, field
        assert Bulletin.objects.get(pk=bulletin.pk).title == bulletin.title


# ---- dates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["0001-01-01", "1999-12-31", "9999-12-31", "２０２６-０１-０１"])
def test_api_status_as_of_outside_the_window_is_a_400(client, w, as_of):
    _login(client, w.coordinator)
    response = client.get(reverse("api:plan_status", args=[w.plan.slug]), {"as_of": as_of})
    assert response.status_code == 400
    assert "as_of" in response.json()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "２０２６-０１-０１"])
def test_breakdown_part_with_a_date_outside_the_plan_is_refused(client, w, day):
    _login(client, w.lead_user)
    before = WorkItem.objects.count()
    response = client.post(reverse("tasks:work_item_break_down", args=[w.item.pk]),
                           {"due_date": day, f"unit_{w.other.pk}": "on"})
    assert response.status_code == 200
    assert WorkItem.objects.count() == before


@pytest.mark.parametrize("query", [{"at__gte": "0001-01-01"}, {"at__lt": "9999-12-31"},
                                   {"at__gte": "0001-01-01 00:00:00+08:00"}])
def test_admin_date_filters_outside_the_window_are_refused(client, root, w, query):
    response = client.get(reverse("admin:tasks_statuschange_changelist"), query)
    assert response.status_code == 302 and "e=1" in response["Location"]


def test_admin_date_hierarchy_year_out_of_range_is_refused(client, root, w):
    response = client.get(reverse("admin:tasks_roundup_changelist"), {"period_end__year": "1"})
    assert response.status_code == 302 and "e=1" in response["Location"]


# ---- ids and choices in the admin -----------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    {"key_task": "99999999999999999999"}, {"key_task__id__exact": "99999999999999999999"},
    {"key_task": "３"}, {"status__exact": "\x00"}, {"status__exact": "no-such-status"}, {"status": "\x00"},
    {"year": "２０２６"}, {"plan": "\x00"}, {"text__contains": "\x00"}, {"key_task__in": "1,99999999999999999999"},
])
def test_admin_filter_values_the_column_cannot_hold_are_refused(client, root, w, query):
    response = client.get(reverse("admin:tasks_workitem_changelist"), query)
    assert response.status_code == 302 and "e=1" in response["Location"], response.status_code


@pytest.mark.parametrize("model,query", [("reminder", {"kind__exact": "\x00"}), ("reminder", {"kind__exact": "x"}),
                                         ("progressreport", {"kind__exact": "\x00"})])
def test_admin_choice_filters_accept_only_their_choices(client, root, w, model, query):
    response = client.get(reverse(f"admin:tasks_{model}_changelist"), query)
    assert response.status_code == 302 and "e=1" in response["Location"]


def test_admin_filters_still_filter(client, root, w):
    url = reverse("admin:tasks_workitem_changelist")
    assert client.get(url, {"status__exact": "in_progress"}).status_code == 200
    assert client.get(url, {"key_task__id__exact": str(w.key_task.pk)}).status_code == 200
    assert client.get(url, {"year": str(w.today.year)}).status_code == 200
    assert client.get(reverse("admin:tasks_statuschange_changelist"),
                      {"at__gte": str(w.today - timedelta(days=7))}).status_code == 200


@pytest.mark.parametrize("term", ["\x00", "a" * 16_000, "\u200b"])  # the longest that fits the query limit
def test_admin_autocomplete_and_search_with_hostile_terms(client, root, w, term):
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "tasks", "model_name": "workitem", "field_name": "key_task", "term": term})
    assert response.status_code == 200
    response = client.get(reverse("admin:tasks_workitem_changelist"), {"q": term})
    assert response.status_code == 200


def _change_form_data(client, url) -> dict:
    """What the admin's change form at ``url`` would post unchanged: its fields and its inlines'."""
    context = client.get(url).context
    data = {}
    for form in [context["adminform"].form] + [f for inline in context["inline_admin_formsets"]
                                                for f in [inline.formset.management_form, *inline.formset.forms]]:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or field.disabled:
                continue
            data[form.add_prefix(name)] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return {k: v for k, v in data.items() if v != "False"}


def test_admin_refuses_full_width_digits_in_a_year(client, root, w):
    url = reverse("admin:tasks_workitem_change", args=[w.item.pk])
    data = _change_form_data(client, url)
    assert client.post(url, {**data, "text": "改了"}).status_code == 302  # the form as shown saves
    response = client.post(url, {**data, "year": "２０２６"})
    assert response.status_code == 200  # the form again, with its error
    assert WorkItem.objects.get(pk=w.item.pk).year == w.today.year
    response = client.post(url, {**data, "year": "3"})
    assert response.status_code == 200  # a year outside 2000..2100
    assert WorkItem.objects.get(pk=w.item.pk).year == w.today.year


# ---- formsets and search terms --------------------------------------------------------------------------


@pytest.mark.parametrize("total", ["1000000", "501"])
def test_an_inline_formset_of_too_many_forms_is_refused_quickly(client, root, w, total):
    data = {"name": "改名", "region": w.lead.region_id, "kind": w.lead.kind, "emails": "",
            "aliases-TOTAL_FORMS": total, "aliases-INITIAL_FORMS": "0"}
    start = time.perf_counter()
    response = client.post(reverse("admin:tasks_unit_change", args=[w.lead.pk]), data)
    assert time.perf_counter() - start < 1.0
    assert response.status_code == 400
    assert Unit.objects.get(pk=w.lead.pk).name == w.lead.name


def test_the_share_formset_is_refused_past_its_bound(client, w):
    from tasks.forms import MAX_FORMS, TargetShareFormSet

    w.plan.coordinators.add(w.coordinator)
    _login(client, w.coordinator)
    url = reverse("tasks:indicator_breakdown", args=[w.indicator.pk, w.today.year])
    start = time.perf_counter()
    response = client.post(url, {"method": "sum", "shares-TOTAL_FORMS": "1000000", "shares-INITIAL_FORMS": "0"})
    assert time.perf_counter() - start < 1.0
    assert response.status_code == 400
    assert TargetShareFormSet.absolute_max == MAX_FORMS


@pytest.mark.parametrize("url_name", ["tasks:my_work", "tasks:overdue"])
def test_a_search_of_80000_characters_is_bounded(client, w, url_name, settings):
    """80,000 characters are refused at the door (414); the longest search that fits the query-string limit
    (1,800 CJK characters: 16,200 bytes percent-encoded) is a page, with its links under the limit too."""
    _login(client, w.coordinator if url_name == "tasks:overdue" else w.lead_user)
    assert client.get(reverse(url_name), {"q": "房" * 80_000}).status_code == 414
    response = client.get(reverse(url_name), {"q": "房" * 1_800})
    assert response.status_code == 200
    assert len(response.content) < 2_000_000
