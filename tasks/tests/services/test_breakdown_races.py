"""Races of break-down and sign-off on PostgreSQL: the parent's lock decides, the loser is refused cleanly.

On SQLite (one writer at a time, no row locks) they skip; ``.ci/run`` runs them on PostgreSQL.
"""

from __future__ import annotations

import os
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tasks.models import StatusChange, WorkItem, WorkItemUnit
from tasks.services.breakdown import BreakdownPart, work_item_break_down, work_item_sign
from tasks.tests.breakdown_setup import make_towns
from tasks.tests.daily_setup import make_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true" and os.environ.get("DATABASE_URL", "").startswith("postgres"):
            pytest.fail("CI with DATABASE_URL=postgres must run the race tests")
        pytest.skip("row-lock races need PostgreSQL (DATABASE_URL=postgres://...)")


def race(*calls) -> list:
    """Run the calls at the same moment in threads; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as e:  # the result under test
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_break_downs_to_the_same_town_at_once_make_one_sub_item():
    w = make_world()
    [town] = make_towns(w, names=("许村镇",))
    part = [BreakdownPart(unit=town, due_date=w.item.due_date)]
    results = race(lambda: work_item_break_down(item=w.item, user=w.lead_user, parts=part),
                   lambda: work_item_break_down(item=w.item, user=w.coordinator, parts=part))
    assert sum(isinstance(r, list) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert WorkItemUnit.objects.filter(work_item__parent=w.item, unit=town).count() == 1


def test_two_sign_offs_at_once_record_one_transition():
    w = make_world()
    [town] = make_towns(w, names=("许村镇",))
    [child] = work_item_break_down(item=w.item, user=w.lead_user,
                                   parts=[BreakdownPart(unit=town, due_date=w.item.due_date)])
    a, b = WorkItem.objects.get(pk=child.pk), WorkItem.objects.get(pk=child.pk)
    results = race(lambda: work_item_sign(item=a, user=town.liaison), lambda: work_item_sign(item=b, user=town.liaison))
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert StatusChange.objects.filter(work_item=child, to_status=WorkItem.Status.NOT_STARTED).count() == 1
