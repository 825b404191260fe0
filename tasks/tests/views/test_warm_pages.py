"""A warm list page reads its lists through statements compiled once per process
(``tasks.selectors.compiled``): building and compiling the querysets again on every request was a third of
the review queue's CPU at 1M items."""

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from tasks.models import ExtensionRequest, WorkItem
from tasks.selectors import compiled as c
from tasks.tests.daily_setup import make_world

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
