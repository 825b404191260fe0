"""A plan whose time has passed (issue 32 §4): 越城区's 2023 work list imported as a new plan in December 2026.

Past-due items kept as history are kept for the record and counted nowhere: no overdue list, no rate, no
ranking, no reminder, no 督办单 candidate; the roundup, the dashboard and the API agree. Or only the items
due from a chosen day are tracked. The preview counts them; ``import_plan --past-due`` does the same.
"""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tasks.importers.limits import read_and_parse
from tasks.models import Plan, StatusChange, Unit, WorkItem
from tasks.roundups.periods import Period
from tasks.rules import outcomes
from tasks.selectors.imports import import_preview
from tasks.selectors.notices import notice_candidates
from tasks.selectors.reminders import reminders_due
from tasks.selectors.roundups import roundup_data
from tasks.selectors.work import overdue_items, plan_unit_rows
from tasks.services.plan_import import ImportChoiceError, import_limits, plan_import

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
YUECHENG = ROOT / "fixtures" / "plans" / "yuecheng-2023-2027.txt"
TODAY = date(2026, 12, 7)
S = WorkItem.Status


def _parsed():
    return read_and_parse(YUECHENG, limits=import_limits())[1]


def _import(**kwargs):
    return plan_import(parsed=_parsed(), source_name=YUECHENG.name, source_bytes=YUECHENG.read_bytes(), today=TODAY,
                       **kwargs)


def _dated():
    return WorkItem.objects.filter(due_date__isnull=False)


def test_the_preview_counts_the_items_already_past_due():
    preview = import_preview(parsed=_parsed(), today=TODAY)
    dated = sorted(w.deadline for w in _parsed().work_items if w.deadline)
    assert preview.n_past_due == len(dated) == 25
    assert preview.past_due == dated and preview.past_due[-1] < TODAY
    # Imported on the first day of 2023, none was past due yet.
    assert import_preview(parsed=_parsed(), today=date(2023, 1, 1)).n_past_due == 0


def test_tracked_the_past_floods_every_list_and_history_keeps_it_out_of_all_of_them(settings):
    result = _import(past_due=outcomes.PAST_DUE_HISTORY)
    plan = result.plan
    Unit.objects.update(emails="liaison@example.gov.cn")  # someone to remind
    assert result.kept_as_history == 25 == _dated().filter(status=S.HISTORY).count() == _dated().count()
    # Each says why, in its history, from the import.
    changes = StatusChange.objects.filter(to_status=S.HISTORY, event=StatusChange.Event.IMPORTED)
    assert changes.count() == 25 and all("历史记录" in c.reason for c in changes)

    june = roundup_data(plan=plan, period=Period.month(2023, 6))
    year = roundup_data(plan=plan, period=Period.year(2023))
    rows = plan_unit_rows(plan, TODAY)
    for data in (june, year):
        assert data["overdue_items"] == []
        assert all(u["due"] == 0 and u["overdue"] == 0 for u in data["units"])
        assert all(u["support"]["due"] == 0 for u in data["units"])
    assert all(u.n_due == 0 and u.n_overdue == 0 for u in rows)
    assert not overdue_items(plans=Plan.objects.filter(pk=plan.pk), today=TODAY).exists()
    assert notice_candidates(plan=plan, today=TODAY) == []
    assert reminders_due(today=TODAY, plan_ids=[plan.pk]) == []

    # The same document tracked (the default, as before): every dated item overdue everywhere. The tests
    # above would fail on it.
    WorkItem.objects.all().delete()
    Plan.objects.all().delete()
    plan = _import().plan
    Unit.objects.update(emails="liaison@example.gov.cn")
    assert _dated().filter(status=S.NOT_STARTED).count() == 25
    assert {c.work_item_id for c in reminders_due(today=TODAY, plan_ids=[plan.pk])} >= set(_dated().values_list(
        "pk", flat=True))
    year = roundup_data(plan=plan, period=Period.year(2023))
    assert len(year["overdue_items"]) == 25
    assert sum(u["overdue"] for u in year["units"]) >= 25
    assert overdue_items(plans=Plan.objects.filter(pk=plan.pk), today=TODAY).count() == 25
    assert len(notice_candidates(plan=plan, today=TODAY)) == 25


def test_track_only_those_due_from_a_chosen_day():
    cut = date(2023, 9, 1)
    result = _import(past_due=outcomes.PAST_DUE_FROM, track_from=cut)
    kept = _dated().filter(status=S.HISTORY)
    tracked = _dated().exclude(status=S.HISTORY)
    assert kept.exists() and tracked.exists()
    assert all(w.due_date < cut for w in kept) and all(w.due_date >= cut for w in tracked)
    assert result.kept_as_history == kept.count()
    year = roundup_data(plan=result.plan, period=Period.year(2023))
    assert len(year["overdue_items"]) == tracked.count()
    assert sum(u["due"] for u in year["units"]) == tracked.count()


def test_from_needs_its_day_and_nothing_is_written():
    with pytest.raises(ImportChoiceError):
        _import(past_due=outcomes.PAST_DUE_FROM)
    with pytest.raises(ImportChoiceError):
        _import(past_due="forget")
    assert not Plan.objects.exists()


def test_a_reimport_keeps_history_as_history_and_new_items_follow_the_choice():
    _import(past_due=outcomes.PAST_DUE_HISTORY)
    _import()  # tracked: but the items are already there, as history
    assert _dated().filter(status=S.HISTORY).count() == 25


def test_a_coordinator_may_track_an_item_kept_as_history_again():
    from tasks.rules.actions import REASON_REQUIRED, TRANSITIONS

    assert TRANSITIONS[S.HISTORY] == frozenset({S.IN_PROGRESS})
    assert (S.HISTORY, S.IN_PROGRESS) in REASON_REQUIRED
    assert outcomes.item_outcome(status=S.HISTORY, due=date(2023, 6, 30), on_time=None, as_of=TODAY) == "none"


def test_the_command_keeps_its_json_keys_and_says_how_many_are_past_due(monkeypatch):
    from tasks.services import plan_import as service

    monkeypatch.setattr(service.timezone, "localdate", lambda *a: TODAY)
    monkeypatch.setattr("tasks.selectors.imports.timezone.localdate", lambda *a: TODAY)
    out = StringIO()
    call_command("import_plan", str(YUECHENG), "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {"title", "region", "key_tasks", "indicators", "work_items", "warnings"} <= set(data)
    assert data["past_due"] == 25 and data["short_name"] == "越城区·七优享·住有宜居"
    assert not Plan.objects.exists()

    err = StringIO()
    call_command("import_plan", str(YUECHENG), "--past-due", "history", stdout=StringIO(), stderr=err)
    assert _dated().filter(status=S.HISTORY).count() == 25
    assert "already past due" not in err.getvalue()


def test_the_command_tracking_the_past_says_so_and_from_needs_a_day(monkeypatch):
    monkeypatch.setattr("tasks.selectors.imports.timezone.localdate", lambda *a: TODAY)
    with pytest.raises(CommandError, match="--track-from"):
        call_command("import_plan", str(YUECHENG), "--past-due", "from")
    with pytest.raises(CommandError, match="--past-due from"):
        call_command("import_plan", str(YUECHENG), "--track-from", "2023-09-01")
    assert not Plan.objects.exists()
    err = StringIO()
    call_command("import_plan", str(YUECHENG), "--past-due", "from", "--track-from", "2023-09-01",
                 stdout=StringIO(), stderr=err)
    assert _dated().filter(status=S.HISTORY, due_date__lt=date(2023, 9, 1)).exists()
    assert not _dated().filter(status=S.HISTORY, due_date__gte=date(2023, 9, 1)).exists()


def test_nobody_reports_extends_or_marks_a_part_done_on_an_item_kept_as_history():
    from django.core.exceptions import ValidationError

    from tasks.rules.actions import item_actions
    from tasks.services.reports import work_item_report_progress
    from tasks.services.review import extension_request_create
    from tasks.services.support import support_part_mark_done
    from tasks.tests.daily_setup import make_world

    w = make_world(today=TODAY)
    WorkItem.objects.filter(pk=w.item.pk).update(status=S.HISTORY)
    w.item.refresh_from_db()
    with pytest.raises(ValidationError, match="历史留档"):
        extension_request_create(item=w.item, user=w.lead_user, proposed_due_date=date(2027, 3, 31),
                                 reason="需要更多时间")
    with pytest.raises(ValidationError, match="历史留档"):
        support_part_mark_done(item=w.item, user=w.support_user, note="资金已拨付")
    with pytest.raises(ValidationError):
        work_item_report_progress(item=w.item, user=w.lead_user, note="进展")
    lead = item_actions(status=S.HISTORY, role="lead", reviewer=False, has_deadline=True, pending_extension=False)
    support = item_actions(status=S.HISTORY, role="support", reviewer=False, has_deadline=True,
                           pending_extension=False)
    coordinator = item_actions(status=S.HISTORY, role=None, reviewer=True, has_deadline=True,
                               pending_extension=False)
    assert not (lead.report or lead.close or lead.extend or support.support_done)
    assert coordinator.reopen  # tracked again, with a reason
