"""The import preview of a plan whose time has passed, and its short name (issue 32 §4, §6)."""

from datetime import date

import pytest
from django.urls import reverse

from tasks.models import Plan, WorkItem
from tasks.tests.views.test_imports import _upload, coordinator  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
S = WorkItem.Status


def test_the_preview_says_how_many_are_past_due_and_offers_history_by_default(client, coordinator):  # noqa: F811
    response = _upload(client)
    html = response.content.decode()
    assert "25 项事项已过期限" in html and 'id="past-due"' in html
    form = response.context["form"]
    assert form["past_due"].initial == "history"
    assert 'value="history"' in html and 'value="from"' in html and 'value="track"' in html
    assert form["short_name"].initial == "越城区·七优享·住有宜居"


def test_confirming_with_history_keeps_them_as_history_and_says_so(client, coordinator):  # noqa: F811
    _upload(client)
    response = client.post(reverse("tasks:plan_import_confirm"),
                           {"past_due": "history", "short_name": "越城住有宜居"}, follow=True)
    plan = Plan.objects.get()
    assert plan.short_name == "越城住有宜居"
    assert WorkItem.objects.filter(status=S.HISTORY).count() == 25
    assert "25 项导入时已过期限的事项留作历史记录" in response.content.decode()


def test_confirming_from_a_day_needs_the_day(client, coordinator):  # noqa: F811
    _upload(client)
    response = client.post(reverse("tasks:plan_import_confirm"), {"past_due": "from"})
    assert response.status_code == 200 and not Plan.objects.exists()
    assert "请选择从哪一天起" in response.content.decode()
    client.post(reverse("tasks:plan_import_confirm"), {"past_due": "from", "track_from": "2023-09-01"})
    kept = WorkItem.objects.filter(status=S.HISTORY)
    assert kept.exists() and all(w.due_date < date(2023, 9, 1) for w in kept)
    assert not WorkItem.objects.filter(due_date__lt=date(2023, 9, 1)).exclude(status=S.HISTORY).exists()
    # The default short name: the region's name and the plan's theme.
    assert Plan.objects.get().short_name == "越城区·七优享·住有宜居"
