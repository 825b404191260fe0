"""A warm list page reads its lists through statements compiled once per process
(``tasks.selectors.compiled``): building and compiling the querysets again on every request was a third of
the review queue's CPU at 1M items."""

from datetime import timedelta

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from tasks.models import ExtensionRequest, WorkItem
from tasks.selectors import compiled as c
from tasks.tests.daily_setup import make_world
from tasks.tests.factories import KeyTaskFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiles(monkeypatch):
    """The models of the statements Django compiles (``SQLCompiler.as_sql``) while the list is recorded."""
    monkeypatch.setattr(c, "CHECK", False)  # the suite's check mode compiles every read afresh on purpose
    c.forget_compiled()
    seen = []
    as_sql = SQLCompiler.as_sql

    def recording(self, *args, **kwargs):
        seen.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", recording)
    yield seen
    c.forget_compiled()


@pytest.mark.parametrize("who,url,left", [
    ("lead_user", "/", []),
    ("coordinator", "/overdue/", []),
    ("coordinator", "/review/", []),
    ("coordinator", "/plans/{plan}/", ["Plan"]),  # found by its slug
])
def test_a_warm_list_page_compiles_none_of_its_lists(client, compiles, who, url, left):
    w = make_world()
    w.item.status = WorkItem.Status.AWAITING_REVIEW
    w.item.save()
    ExtensionRequest.objects.create(
        work_item=w.other_item, unit=w.other, requested_by=w.other_user, requested_at=timezone.now(),
        reason="征迁进度受阻", current_due_date=w.other_item.due_date, proposed_due_date=w.other_item.due_date)
    url = url.format(plan=w.plan.slug)
    client.force_login(getattr(w, who))
    for _ in range(2):  # the first request builds as usual, the second compiles for keeps
        assert client.get(url).status_code == 200
    compiles.clear()
    assert client.get(url).status_code == 200
    # Left to Django: the session and the user (and a plan found by its slug).
    assert [m.__name__ for m in compiles] == ["Session", "User", *left]


@pytest.mark.parametrize("url", ["/overdue/", "/review/"])
def test_coordinators_of_other_plans_share_the_compiled_lists(client, compiles, url):
    """A coordinator's plans are one parameter (``compiled.IdArray``), not part of the shape: a province's
    hundreds of coordinators share one compiled statement per list instead of filling the per-process
    cache (1,024 shapes) and emptying it for everyone."""
    w = make_world()
    w.item.status = WorkItem.Status.AWAITING_REVIEW
    w.item.save()
    # The other plan's coordinator has an overdue item awaiting review too: the same shapes of page.
    WorkItemFactory(plan=w.other_plan, year=w.item.year, text="另一方案的事项", deadline=w.item.due_date,
                    due_date=w.item.due_date, status=WorkItem.Status.AWAITING_REVIEW)
    client.force_login(w.coordinator)
    for _ in range(2):
        assert client.get(url).status_code == 200
    cached = len(c._cache)
    client.force_login(w.other_coordinator)
    compiles.clear()
    response = client.get(url)
    assert response.status_code == 200
    assert [m.__name__ for m in compiles] == ["Session", "User"]
    assert len(c._cache) == cached
    # ... and each still sees only their own plans' work.
    page = response.content.decode()
    assert w.item.text not in page
    assert ("另一方案的事项" in page) == (url == "/review/")  # (not overdue: due in 20 days)


def test_the_overdue_view_filtered_by_another_lead_unit_compiles_nothing(client, compiles):
    """The lead unit of the filter is a parameter (``compiled.filter_with_ids``), not part of the shape: one
    statement for a province's 20,000 units."""
    w = make_world(today=timezone.localdate())
    for item in (w.item, w.other_item):  # overdue, led by ``lead`` and ``other``
        WorkItem.objects.filter(pk=item.pk).update(due_date=w.today - timedelta(days=3))
    client.force_login(w.coordinator)
    url = "/overdue/?lead_unit={}"
    for _ in range(2):
        assert client.get(url.format(w.lead.pk)).status_code == 200
    compiles.clear()
    response = client.get(url.format(w.other.pk))
    assert response.status_code == 200
    assert [m.__name__ for m in compiles] == ["Session", "User"]
    rows = response.context["table"].rows
    assert [r.record.pk for r in rows] == [w.other_item.pk]


def test_a_list_filtered_by_another_key_task_or_plan_compiles_nothing(client, compiles):
    """``filter(key_task=<row>)`` on a recipe binds the row's id as a parameter: choosing another key task or
    plan in a filter is the same statement (a province has 12,500 key tasks and 630 plans)."""
    w = make_world(today=timezone.localdate())
    other_task = KeyTaskFactory(plan=w.plan, number=2)
    WorkItem.objects.filter(pk=w.item.pk).update(due_date=w.today - timedelta(days=3))
    WorkItemFactory(plan=w.plan, key_task=other_task, text="第二项任务的事项", lead=w.lead,
                    deadline=w.today - timedelta(days=2), due_date=w.today - timedelta(days=2))
    for user, url in ((w.coordinator, "/overdue/?key_task={}"), (w.lead_user, "/?key_task={}")):
        client.force_login(user)
        for _ in range(2):
            assert client.get(url.format(w.key_task.pk)).status_code == 200
        compiles.clear()
        response = client.get(url.format(other_task.pk))
        assert response.status_code == 200
        assert [m.__name__ for m in compiles] == ["Session", "User"], url
        assert [r.record.text for r in response.context["table"].rows] == ["第二项任务的事项"], url
