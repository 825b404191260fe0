"""The list pages render table bodies and select options in Python (``tasks.tables.PythonBody``,
``tasks.forms.Select``) for speed: the HTML must be what django-tables2's and Django's own templates give."""

import re
from datetime import date, timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from tasks.forms import DateInput, Select, TextInput
from tasks.models import WorkItem
from tasks.services.reports import work_item_request_close
from tasks.tests.daily_setup import login, make_world
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db


def _normal(html: str) -> str:
    """Whitespace between tags is layout of the templates, not content."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _both(response, table):
    """The table's HTML by its own template (Python body) and by django-tables2's stock template."""
    request = response.wsgi_request
    ours = table.as_html(request)
    table.template_name = "django_tables2/table.html"
    stock = table.as_html(request)
    return _normal(ours), _normal(stock)


def _world_with_rows():
    w = make_world()
    today = w.today
    for days in (3, 15, 45):  # overdue, with and without key task, one extended
        due = today - timedelta(days=days)
        WorkItemFactory(plan=w.plan, text=f"逾期{days}天 <b>&", deadline=due - timedelta(days=10) if days == 15
                        else due, due_date=due, lead=w.lead, supporting=[w.support],
                        key_task=w.key_task if days != 45 else None, deadline_text="6月底前")
    WorkItemFactory(plan=w.plan, text="无期限", deadline=None, due_date=None, lead=w.lead, deadline_text="长期")
    work_item_request_close(item=w.item, user=w.lead_user, note="已完成 <script>")
    return w


@pytest.mark.parametrize("who, url, query", [
    ("lead_user", "tasks:home", {}),
    ("lead_user", "tasks:home", {"sort": "-due_date"}),
    ("support_user", "tasks:home", {}),
    ("coordinator", "tasks:overdue", {}),
    ("coordinator", "tasks:overdue", {"sort": "lead_name"}),
    ("coordinator", "tasks:review_queue", {}),
])
def test_a_tables_python_body_is_the_stock_templates_html(client, who, url, query):
    w = _world_with_rows()
    response = login(client, getattr(w, who)).get(reverse(url), query)
    assert response.status_code == 200
    table = response.context["table"]
    assert len(table.paginated_rows) > 0
    ours, stock = _both(response, table)
    assert ours == stock
    assert "<script>" not in ours and "<b>&" not in ours  # the text is escaped, as the template does


def test_the_review_queue_shows_local_submission_times_and_deadlines(client):
    w = _world_with_rows()
    w.item.refresh_from_db()
    response = login(client, w.coordinator).get(reverse("tasks:review_queue"))
    html = response.context["table"].as_html(response.wsgi_request)
    assert timezone.localtime(w.item.submitted_at).strftime("%Y-%m-%d %H:%M") in html
    assert w.item.due_date.isoformat() in html


def test_an_empty_table_says_so_as_the_stock_template_does(client):
    w = make_world()
    response = login(client, w.coordinator).get(reverse("tasks:overdue"))
    ours, stock = _both(response, response.context["table"])
    assert ours == stock and "没有逾期事项" in ours


@pytest.mark.parametrize("choices, value", [
    ([("", "全部"), ("a", "甲 <i>"), ("b", "乙")], "a"),
    ([("", "---------"), ("组一", [(1, "一"), (2, "二")]), (3, "三")], 2),
    ([(1, "一")], None),
])
def test_a_selects_python_options_are_djangos_html(choices, value):
    attrs = {"id": "id_x", "class": "c", "data-x": "1"}
    ours = Select(attrs=attrs, choices=choices).render("x", value)
    stock = forms.Select(attrs=attrs, choices=choices).render("x", value)
    assert _normal(ours) == _normal(stock)
    assert "<i>" not in ours
    assert ("selected" in ours) == (value is not None)


@pytest.mark.parametrize("value", [None, "", "a <b> & \"c\"", date(2025, 6, 30), mark_safe("<em>x</em>")])
@pytest.mark.parametrize("attrs", [{}, {"id": "id_q", "required": True, "disabled": False, "placeholder": "搜 <x>"}])
def test_python_inputs_are_djangos_html(value, attrs):
    for ours, stock in ((TextInput(attrs=attrs), forms.TextInput(attrs=attrs)),
                        (DateInput(attrs=attrs), forms.DateInput(attrs=attrs, format="%Y-%m-%d"))):
        stock.input_type = ours.input_type
        assert _normal(ours.render("q", value)) == _normal(stock.render("q", value))


def test_a_searchable_select_has_its_search_box_above_it(client, monkeypatch):
    w = make_world()
    login(client, w.coordinator)
    from tasks.filters import _Labelled

    page = client.get(reverse("tasks:overdue")).content.decode()
    assert '<select name="lead_unit"' in page and 'class="autocomplete-search"' not in page  # a few: a list
    monkeypatch.setattr(_Labelled, "searchable_over", 0)  # every list is "many": searchable
    page = client.get(reverse("tasks:overdue")).content.decode()
    box = ('<input type="search" class="autocomplete-search" data-autocomplete-for="id_lead_unit" '
           'placeholder="输入文字搜索" aria-label="输入文字搜索" autocomplete="off">\n<select name="lead_unit" '
           'id="id_lead_unit" data-autocomplete="/overdue/choices/lead_unit/"')
    assert box in page


def test_filter_selects_keep_their_choices_and_selection(client):
    w = _world_with_rows()
    page = login(client, w.lead_user).get(reverse("tasks:home"), {"status": WorkItem.Status.AWAITING_REVIEW,
                                                                   "key_task": w.key_task.pk}).content.decode()
    assert f'<option value="{WorkItem.Status.AWAITING_REVIEW}" selected>' in page
    assert f'<option value="{w.key_task.pk}" selected>' in page
