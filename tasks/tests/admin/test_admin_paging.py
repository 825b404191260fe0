"""The admin's lists of a whole large table show PostgreSQL's row estimate, not a COUNT(*) of every row
(tasks.admin.scoping.EstimatedCountPaginator); filtered or searched lists, and small tables, are counted."""

from __future__ import annotations

import pytest
from axes.models import AccessLog
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks.admin import scoping
from tasks.models import WorkItem
from tasks.tests.factories import PlanFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (its pass of the suite runs it)")


def _counts(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and f'"{table}"' in q["sql"]]


def _analyze(*tables):
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')


def test_a_whole_large_table_is_estimated_not_counted(admin_client, monkeypatch):
    _postgresql()
    plan = PlanFactory()
    WorkItemFactory.create_batch(5, plan=plan)
    _analyze("tasks_workitem")
    monkeypatch.setattr(scoping, "ESTIMATE_ABOVE", 3)
    url = reverse("admin:tasks_workitem_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == 200
    cl = response.context["cl"]
    assert cl.paginator.estimated and cl.result_count == 5  # ANALYZE read all five
    assert not _counts(queries.captured_queries, "tasks_workitem")
    assert "约 5" in response.content.decode()
    # Filtered (the plan filter) or searched: counted, exactly, and said without "约".
    for params in ({"plan": plan.pk}, {"q": "住房"}):
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url, params)
        assert not response.context["cl"].paginator.estimated
        assert _counts(queries.captured_queries, "tasks_workitem")
        assert "约 " not in response.content.decode()


def test_a_small_table_or_one_never_analyzed_is_counted(admin_client, monkeypatch):
    _postgresql()
    WorkItemFactory.create_batch(3)
    _analyze("tasks_workitem")
    response = admin_client.get(reverse("admin:tasks_workitem_changelist"))  # 3 rows < ESTIMATE_ABOVE
    assert not response.context["cl"].paginator.estimated and response.context["cl"].result_count == 3
    monkeypatch.setattr(scoping, "ESTIMATE_ABOVE", 0)
    assert scoping.estimated_rows(AccessLog.objects.all()) in (None, 0)  # never analyzed: -1 -> None


def test_estimates_only_a_query_of_every_row():
    _postgresql()
    _analyze("tasks_workitem")
    assert scoping.estimated_rows(WorkItem.objects.all()) is not None
    assert scoping.estimated_rows(WorkItem.objects.select_related("plan")) is not None
    assert scoping.estimated_rows(WorkItem.objects.filter(year=2024)) is None
    assert scoping.estimated_rows(WorkItem.objects.distinct()) is None
    assert scoping.estimated_rows(WorkItem.objects.all()[:5]) is None


def test_sqlite_always_counts(admin_client):
    if connection.vendor == "postgresql":
        pytest.skip("the other backend")
    WorkItemFactory.create_batch(2)
    assert scoping.estimated_rows(WorkItem.objects.all()) is None
    response = admin_client.get(reverse("admin:tasks_workitem_changelist"))
    assert response.context["cl"].result_count == 2 and not response.context["cl"].paginator.estimated
