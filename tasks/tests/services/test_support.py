"""A supporting unit's own part (配合到位): marking it done, its outcome, and SQL agreeing with the rule."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tasks.models import ProgressReport, StatusChange, WorkItem, WorkItemUnit
from tasks.rules.support import SupportOutcome, support_outcome
from tasks.selectors.breakdown import support_parts, support_parts_for_unit, support_summary
from tasks.services.support import support_part_mark_done
from tasks.tests.daily_setup import make_world, pdf
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_the_supporting_unit_marks_its_part_done_with_a_report_evidence_and_an_audit_row():
    w = make_world()
    part = support_part_mark_done(item=w.item, user=w.support_user, note="资金已拨付1200万元", files=[pdf()])
    part.refresh_from_db()
    assert part.support_done_at and part.support_done_by == w.support_user and part.support_note == "资金已拨付1200万元"
    report = ProgressReport.objects.get(work_item=w.item)
    assert report.kind == ProgressReport.Kind.CONTRIBUTION and report.evidence.count() == 1
    row = StatusChange.objects.get(work_item=w.item, event=StatusChange.Event.SUPPORT_DONE)
    assert row.actor == w.support_user and "区财政局" in row.reason
    # The lead's status is untouched: the part is the supporting unit's own.
    assert WorkItem.objects.get(pk=w.item.pk).status == WorkItem.Status.NOT_STARTED
    with pytest.raises(ValidationError, match="已确认到位"):
        support_part_mark_done(item=w.item, user=w.support_user, note="再次")


def test_only_a_supporting_unit_marks_a_part_done_and_a_note_is_required():
    w = make_world()
    with pytest.raises(PermissionDenied):
        support_part_mark_done(item=w.item, user=w.lead_user, note="x")
    with pytest.raises(PermissionDenied):
        support_part_mark_done(item=w.item, user=w.other_user, note="x")
    with pytest.raises(ValidationError):
        support_part_mark_done(item=w.item, user=w.support_user, note=" ")
    assert not StatusChange.objects.filter(event=StatusChange.Event.SUPPORT_DONE).exists()


def test_sql_outcome_agrees_with_the_rule_and_the_home_page_lists_what_is_left_first():
    w = make_world()
    as_of = date(2026, 7, 10)
    cases = [  # (due, done at local time or None)
        (date(2026, 6, 30), datetime(2026, 6, 30, 23, 30, tzinfo=SH)),  # late evening, still on time locally
        (date(2026, 6, 30), datetime(2026, 7, 1, 0, 30, tzinfo=SH)),  # just after midnight: late
        (date(2026, 6, 30), None),
        (date(2026, 7, 20), None),
        (None, None),
        (date(2026, 6, 30), datetime(2026, 7, 12, 9, tzinfo=SH)),  # after as_of: not counted yet
    ]
    for i, (due, done) in enumerate(cases):
        item = WorkItemFactory(plan=w.plan, text=f"配合{i}", deadline=due, due_date=due, lead=w.lead,
                               supporting=[w.support])
        WorkItemUnit.objects.filter(work_item=item, unit=w.support).update(support_done_at=done)
    rows = support_parts(as_of=as_of).filter(unit=w.support, work_item__text__startswith="配合")
    for row in rows.select_related("work_item"):
        done = row.support_done_at
        expected = support_outcome(due_date=row.work_item.due_date,
                                   done_on=done.astimezone(SH).date() if done else None, as_of=as_of)
        assert row.outcome == expected, row.work_item.text
    assert sorted(r.outcome for r in rows) == sorted(
        [SupportOutcome.ON_TIME, SupportOutcome.LATE, SupportOutcome.MISSING, SupportOutcome.PENDING,
         SupportOutcome.PENDING, SupportOutcome.MISSING]
    )
    listed = list(support_parts_for_unit(unit=w.support, today=as_of))
    assert [p.outcome for p in listed[:2]] == [SupportOutcome.MISSING, SupportOutcome.MISSING]
    assert all(p.lead_name == "区建设局" for p in listed)
    summary = support_summary(unit=w.support, today=as_of)
    assert summary["missing"] == 2 and summary["on_time"] == 1 and summary["late"] == 1
    assert summary["total"] == 7  # with the world's own supported item


def test_a_part_done_before_the_deadline_in_force_is_on_time_after_an_extension():
    w = make_world()
    support_part_mark_done(item=w.item, user=w.support_user, note="已完成",
                           at=datetime.combine(w.item.due_date + timedelta(days=3), time(10), tzinfo=SH))
    later = w.item.due_date + timedelta(days=10)
    assert support_summary(unit=w.support, today=later)["late"] == 1
    WorkItem.objects.filter(pk=w.item.pk).update(due_date=w.item.due_date + timedelta(days=5))
    assert support_summary(unit=w.support, today=later)["on_time"] == 1
