from datetime import date

import pytest
from django.contrib.auth import get_user_model

from tasks.models import ExtensionRequest, IndicatorReport, Plan, StatusChange, WorkItem
from tasks.services.demo import demo_load

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 22)


def _snapshot():
    return (
        get_user_model().objects.count(),
        WorkItem.objects.count(),
        StatusChange.objects.count(),
        ExtensionRequest.objects.count(),
        IndicatorReport.objects.count(),
        list(WorkItem.objects.order_by("pk").values_list("status", "due_date")),
    )


def test_demo_is_alive_today_and_loading_twice_changes_nothing():
    accounts = demo_load(today=TODAY)
    assert {a.username for a in accounts} >= {"admin", "coordinator"}
    assert Plan.objects.count() == 2
    items = WorkItem.objects.filter(year=2026)
    statuses = set(items.values_list("status", flat=True))
    assert statuses >= {"done", "in_progress", "awaiting_review", "returned"}
    assert items.filter(status="done", completed_on_time=False).exists()
    assert items.filter(status="done", completed_on_time=True).exists()
    assert items.filter(due_date__lt=TODAY).exclude(status="done").exists()  # overdue
    assert ExtensionRequest.objects.filter(status="granted").exists()
    assert ExtensionRequest.objects.filter(status="pending").exists()
    # Every liaison works for a unit with a contact email.
    user = get_user_model().objects.get(username="yuecheng08")
    assert user.profile.unit.email_list
    before = _snapshot()
    demo_load(today=TODAY)
    assert _snapshot() == before


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_loading_the_demo_twice_leaves_every_table_as_it_was():
    demo_load(today=TODAY)
    before = _row_counts()
    demo_load(today=TODAY)
    after = _row_counts()
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}
