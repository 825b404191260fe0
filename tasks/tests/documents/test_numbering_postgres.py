"""Two publishes at the same moment on PostgreSQL take two numbers, none twice and none skipped — also for the
first document of a year, when the sequence row does not exist yet."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection

from conftest import require_service
from tasks.models import Bulletin, DocumentSequence, DocumentSeries, Roundup, SupervisionNotice
from tasks.services import documents as docs
from tasks.services import notices as notice_services
from tasks.tests.factories import PlanFactory, UnitFactory, UserFactory, WorkItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL=postgres://...: SQLite has no row locks to race on")
    require_service("PostgreSQL", connection.settings_dict["HOST"] or "127.0.0.1",
                    int(connection.settings_dict["PORT"] or 5432))


def race(*calls):
    """Run the calls in threads released together; return their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.parametrize("year_started", [False, True], ids=["first-of-year", "sequence-exists"])
def test_two_bulletins_published_at_once_get_two_numbers(postgres, monkeypatch, year_started):
    plan = PlanFactory()
    if year_started:
        DocumentSequence.objects.create(plan=plan, series=DocumentSeries.BULLETIN, year=2026, last_number=6)
    bulletins = []
    for month in (5, 6):
        roundup = Roundup.objects.create(plan=plan, kind="month", period_start=date(2023, month, 1),
                                         period_end=date(2023, month, 28), generated_at="2023-07-01T00:00Z",
                                         data={})
        bulletins.append(Bulletin.objects.create(plan=plan, roundup=roundup, title=f"{month}月", addressees="各单位",
                                                 body="正文", signer="办公室"))
    real_take = docs.document_number_take

    def slow_take(**kw):
        number = real_take(**kw)
        time.sleep(0.5)  # hold the lock a while: the other publish must wait, not read the same number
        return number

    monkeypatch.setattr(docs, "document_number_take", slow_take)
    results = race(*[lambda b=b: docs.bulletin_publish(bulletin=b, today=date(2026, 2, 2), render=False)
                     for b in bulletins])
    assert not [r for r in results if isinstance(r, Exception)], results
    first = 7 if year_started else 1
    assert sorted(Bulletin.objects.values_list("number", flat=True)) == [first, first + 1]


def test_two_notices_issued_at_once_get_two_numbers(postgres, monkeypatch):
    monkeypatch.setattr(notice_services.transaction, "on_commit", lambda fn: None)  # no email here
    plan = PlanFactory()
    DocumentSequence.objects.create(plan=plan, series=DocumentSeries.NOTICE, year=2026, last_number=0)
    coordinator = UserFactory()
    plan.coordinators.add(coordinator)
    units = [UnitFactory(region=plan.region) for _ in range(2)]
    items = [WorkItemFactory(plan=plan, lead=u, deadline=date(2026, 1, 5)) for u in units]
    drafts = [notice_services.notices_draft(items=[i], actor=coordinator, today=date(2026, 2, 2))[0] for i in items]
    real_take = notice_services.document_number_take

    def slow_take(**kw):
        number = real_take(**kw)
        time.sleep(0.5)
        return number

    monkeypatch.setattr(notice_services, "document_number_take", slow_take)
    results = race(*[lambda d=d: notice_services.notice_issue(notice=d, actor=coordinator, today=date(2026, 2, 2))
                     for d in drafts])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(SupervisionNotice.objects.values_list("number", flat=True)) == [1, 2]
