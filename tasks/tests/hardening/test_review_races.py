"""Each pair of review actions at the same moment on PostgreSQL (issue 11, problems 8 and 9).

Two threads, each with its own database connection, load the item as a page would, wait at a
barrier, and act. Every round checks: no deadlock and no error other than a clear refusal; for
actions that exclude each other exactly one winner; and history and state consistent (the
transition chain, the deadline in force, no pending request on a done item).

Rounds: ``HARDENING_PROFILE=ci`` (default, in ``make test``) runs 3 per pair, ``long`` (``make fuzz``)
50. Needs DATABASE_URL=postgres://...: skipped on SQLite (which serialises writers) outside CI, and
in CI the suite's PostgreSQL pass runs it; an unreachable PostgreSQL fails in CI (require_service).
"""

from __future__ import annotations

import itertools
import os
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from conftest import require_service
from tasks.models import ExtensionRequest, StatusChange, WorkItem
from tasks.services.reports import work_item_request_close
from tasks.services.review import (
    extension_grant,
    extension_reject,
    extension_request_create,
    work_item_accept,
    work_item_return,
)
from tasks.tests.daily_setup import make_world, user
from tasks.tests.factories import WorkItemFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
S = WorkItem.Status
E = StatusChange.Event
X = ExtensionRequest.Status
ROUNDS = 50 if os.environ.get("HARDENING_PROFILE") == "long" else 3
ACTIONS = ("accept", "return", "grant", "reject", "extend", "close")
PAIRS = list(itertools.combinations_with_replacement(ACTIONS, 2))
# Pairs where one action makes the other impossible, whatever the order: exactly one winner.
EXCLUSIVE = {frozenset(p) for p in [("accept", "return"), ("grant", "reject"), ("accept", "close")]} | {
    frozenset([a]) for a in ACTIONS}
# Pairs that both succeed in either order.
BOTH = {frozenset(p) for p in [("return", "grant"), ("return", "reject"), ("return", "extend"), ("grant", "close"),
                               ("reject", "close"), ("extend", "close")]}
REFUSED = (ValidationError, PermissionDenied)


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true" and os.environ.get("DATABASE_URL", "").startswith("postgres"):
            pytest.fail("DATABASE_URL names PostgreSQL but the tests run on another database")
        pytest.skip("needs DATABASE_URL=postgres://...: SQLite serialises writers, so there is no race to test")
    require_service("PostgreSQL", connection.settings_dict["HOST"] or "127.0.0.1",
                    int(connection.settings_dict["PORT"] or 5432))
    w = make_world()
    second = user("coord-b")
    w.plan.coordinators.add(second)
    return w, second


def _setup(w, pair):
    due = w.today + timedelta(days=20)
    item = WorkItemFactory(plan=w.plan, year=w.today.year, key_task=w.key_task, deadline=due, due_date=due,
                           lead=w.lead, supporting=[w.support])
    request = None
    if {"grant", "reject"} & set(pair):
        request = extension_request_create(item=item, user=w.lead_user, reason="需要更多时间",
                                           proposed_due_date=due + timedelta(days=30))
    if {"accept", "return"} & set(pair):
        work_item_request_close(item=item, user=w.lead_user, note="已完成")
    return item, request


def _action(name, w, second, item_pk, request_pk, slot):
    """Load what the page would have loaded, and return the call to make at the barrier."""
    coordinator = w.coordinator if slot == 0 else second
    item = WorkItem.objects.select_related("plan").get(pk=item_pk)
    request = ExtensionRequest.objects.select_related("work_item").get(pk=request_pk) if request_pk else None
    if name == "accept":
        return lambda: work_item_accept(item=item, user=coordinator)
    if name == "return":
        return lambda: work_item_return(item=item, user=coordinator, reason="请补充盖章版")
    if name == "grant":
        return lambda: extension_grant(request=request, user=coordinator, note="同意")
    if name == "reject":
        return lambda: extension_reject(request=request, user=coordinator, note="理由不充分")
    if name == "extend":
        return lambda: extension_request_create(item=item, user=w.lead_user, reason=f"延期{slot}",
                                                proposed_due_date=item.due_date + timedelta(days=40 + slot))
    return lambda: work_item_request_close(item=item, user=w.lead_user, note=f"办结{slot}")


def _race(w, second, pair, item, request):
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list = [None, None]

    def run(slot: int) -> None:
        try:
            call = _action(pair[slot], w, second, item.pk, request.pk if request else None, slot)
            barrier.wait()
            call()
            outcomes[slot] = "won"
        except REFUSED:
            outcomes[slot] = "refused"
        except Exception as exc:  # a deadlock, a 500 in the making
            outcomes[slot] = f"error: {type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def _check_history(item_pk, setup_changes):
    item = WorkItem.objects.get(pk=item_pk)
    rows = list(StatusChange.objects.filter(work_item_id=item_pk).order_by("pk"))
    status = S.NOT_STARTED
    for row in rows:
        if row.event == E.TRANSITION:
            assert row.from_status == status, f"chain broken at {row.pk}: {row.from_status} after {status}"
            status = row.to_status
        else:
            assert row.from_status == row.to_status == status
    assert item.status == status
    granted = [r for r in rows if r.event == E.EXTENSION_GRANTED]
    assert item.due_date == (granted[-1].to_due_date if granted else item.deadline)
    pending = ExtensionRequest.objects.filter(work_item_id=item_pk, status=X.PENDING).count()
    assert pending <= 1
    if item.status == S.DONE:
        assert pending == 0, "a pending request on a done item"
    if item.status == S.DONE:
        assert item.completed_at is not None and item.progress == 100
    return rows[setup_changes:]


EVENT_OF = {
    "accept": lambda r: r.event == E.TRANSITION and r.to_status == S.DONE,
    "return": lambda r: r.event == E.TRANSITION and r.to_status == S.RETURNED,
    "close": lambda r: r.event == E.TRANSITION and r.to_status == S.AWAITING_REVIEW,
    "extend": lambda r: r.event == E.EXTENSION_REQUESTED,
    "grant": lambda r: r.event == E.EXTENSION_GRANTED,
    "reject": lambda r: r.event == E.EXTENSION_REJECTED and r.reason == "理由不充分",
}


@pytest.mark.parametrize("pair", PAIRS, ids=["+".join(p) for p in PAIRS])
def test_two_review_actions_at_the_same_moment(pg, pair):
    w, second = pg
    for round_ in range(ROUNDS):
        item, request = _setup(w, pair)
        setup_changes = StatusChange.objects.filter(work_item=item).count()
        outcomes = _race(w, second, pair, item, request)
        assert all(o in ("won", "refused") for o in outcomes), f"round {round_}: {outcomes}"
        wins = outcomes.count("won")
        key = frozenset(pair)
        if key in EXCLUSIVE:
            assert wins == 1, f"round {round_}: {outcomes}"
        elif key in BOTH:
            assert wins == 2, f"round {round_}: {outcomes}"
        else:
            assert wins >= 1, f"round {round_}: {outcomes}"
        new_rows = _check_history(item.pk, setup_changes)
        # Every winner left exactly its audit row; no refused action left one.
        for name in pair:
            mine = [r for r in new_rows if EVENT_OF[name](r)]
            expected = sum(1 for s, n in enumerate(pair) if n == name and outcomes[s] == "won")
            assert len(mine) == expected, f"round {round_}: {name} rows {len(mine)} for {outcomes}"
