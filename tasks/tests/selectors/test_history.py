"""An item's history says the deadline changed only when it did, for every kind of event (issue 29)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tasks.models import StatusChange
from tasks.selectors.work import DEADLINE_MOVES, DeadlineNote, deadline_note, work_item_history
from tasks.services.breakdown import BreakdownPart, work_item_break_down
from tasks.services.deadlines import work_item_correct_deadline
from tasks.services.reports import work_item_request_close
from tasks.services.review import extension_grant, extension_reject, extension_request_create, work_item_accept
from tasks.services.support import support_part_mark_done
from tasks.tests.breakdown_setup import make_towns
from tasks.tests.daily_setup import login, make_world

pytestmark = pytest.mark.django_db
E = StatusChange.Event


def _notes(item) -> dict[str, list]:
    history, _ = work_item_history(item)
    out: dict[str, list] = {}
    for e in history:
        if e.kind == "status":
            out.setdefault(e.obj.event, []).append(e.deadline)
    return out


def test_every_event_kind_shows_a_deadline_change_only_when_the_deadline_moved():
    w = make_world()
    item, due = w.item, w.item.due_date
    support_part_mark_done(item=item, user=w.support_user, note="资金已拨付")
    later, latest = due + timedelta(days=30), due + timedelta(days=60)
    refused = extension_request_create(item=item, user=w.lead_user, reason="征迁未完成", proposed_due_date=latest)
    extension_reject(request=refused, user=w.coordinator, note="不同意")
    granted = extension_request_create(item=item, user=w.lead_user, reason="征迁未完成", proposed_due_date=later)
    extension_grant(request=granted, user=w.coordinator, note="同意")
    work_item_correct_deadline(item=w.other_item, deadline=due + timedelta(days=5), deadline_text="", actor=None)
    work_item_request_close(item=item, user=w.lead_user, note="完成")
    work_item_accept(item=item, user=w.coordinator)

    notes = _notes(item)
    assert notes[E.SUPPORT_DONE] == [None]
    assert notes[E.TRANSITION] == [None, None]
    assert notes[E.EXTENSION_REQUESTED] == [DeadlineNote("requested", due, later),
                                            DeadlineNote("requested", due, latest)]
    assert notes[E.EXTENSION_REJECTED] == [DeadlineNote("requested", due, latest)]
    assert notes[E.EXTENSION_GRANTED] == [DeadlineNote("changed", due, later)]
    assert _notes(w.other_item)[E.DEADLINE_CORRECTED] == [DeadlineNote("changed", due, due + timedelta(days=5))]
    # The 配合到位 row no longer records a "new deadline" it did not set.
    assert StatusChange.objects.get(work_item=item, event=E.SUPPORT_DONE).to_due_date is None


def test_break_down_sets_the_sub_items_deadline_and_leaves_the_parents_alone():
    w = make_world()
    towns = make_towns(w)
    due = w.item.due_date - timedelta(days=3)
    (child,) = work_item_break_down(item=w.item, user=w.lead_user,
                                    parts=[BreakdownPart(unit=towns[0], due_date=due, target_share="")])
    assert _notes(w.item)[E.BROKEN_DOWN] == [None]
    assert _notes(child)[E.BROKEN_DOWN] == [DeadlineNote("set", None, due)]


def test_rows_written_before_the_fix_and_unchanged_dates_show_no_change():
    w = make_world()
    due = w.item.due_date
    legacy = StatusChange(work_item=w.item, event=E.SUPPORT_DONE, from_status="not_started",
                          to_status="not_started", to_due_date=due)
    assert deadline_note(legacy) is None
    for event in DEADLINE_MOVES:
        same = StatusChange(work_item=w.item, event=event, from_due_date=due, to_due_date=due)
        assert deadline_note(same) is None
    assert deadline_note(StatusChange(event=E.TRANSITION, from_due_date=due, to_due_date=due)) is None
    assert deadline_note(StatusChange(event=E.IMPORTED, to_status="not_started", to_due_date=due)) is None
    later = due + timedelta(days=9)
    assert deadline_note(StatusChange(event=E.DEADLINE_REIMPORTED, from_due_date=due, to_due_date=later)) == \
        DeadlineNote("changed", due, later)
    # Every event kind is decided on purpose: a new kind must be added to deadline_note's cases.
    assert set(E) == DEADLINE_MOVES | {E.TRANSITION, E.IMPORTED, E.EXTENSION_REQUESTED, E.EXTENSION_REJECTED,
                                       E.BROKEN_DOWN, E.SUPPORT_DONE, E.HOLDER_CHANGED}


def test_the_item_page_shows_no_deadline_change_on_a_support_done_row(client):
    w = make_world()
    # The row as older code wrote it: the deadline in force recorded as its "new deadline".
    support_part_mark_done(item=w.item, user=w.support_user, note="资金已拨付")
    StatusChange.objects.filter(event=E.SUPPORT_DONE).update(to_due_date=w.item.due_date)
    html = login(client, w.lead_user).get(reverse("tasks:work_item_detail", args=[w.item.pk])).content.decode()
    assert "配合到位" in html
    assert "期限 — →" not in html and f"→ <b>{w.item.due_date:%Y-%m-%d}</b>" not in html
