from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tasks.models import ProgressReport, Role, WorkItem
from tasks.selectors.work import (
    Bucket,
    Urgency,
    bucket_of,
    bucket_q,
    close_requests_queue,
    overdue_items,
    unit_summary,
    unit_urgency_counts,
    urgency_q,
    with_urgency,
    work_item_history,
    work_items_for_unit,
)
from tasks.services.reports import work_item_request_close
from tasks.services.review import work_item_accept
from tasks.services.workflow import work_item_transition
from tasks.tests.daily_setup import make_world
from tasks.tests.factories import UnitFactory, WorkItemFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = WorkItem.Status


def _item(w, due, **kw):
    return WorkItemFactory(plan=w.plan, deadline=due, due_date=due, lead=w.lead, **kw)


def test_due_soon_counts_working_days_across_the_national_day_holiday():
    today = date(2025, 9, 30)
    w = make_world(today)
    # 1 working day away after the 1-8 October holiday, though 9 calendar days.
    after_holiday = _item(w, date(2025, 10, 9))
    # 9 working days away (11 October is a make-up working Saturday): later, not soon.
    later = _item(w, date(2025, 10, 20))
    overdue = _item(w, date(2025, 9, 29))
    no_date = WorkItemFactory(plan=w.plan, deadline=None, due_date=None, recurring=True, lead=w.lead)
    urgency = dict(with_urgency(WorkItem.objects.all(), today).values_list("pk", "urgency"))
    assert urgency[after_holiday.pk] == "soon"
    assert urgency[later.pk] == "later"
    assert urgency[overdue.pk] == "overdue"
    assert urgency[no_date.pk] == "later"


def test_units_items_carry_its_role_once_each_sorted_by_deadline_with_undated_last():
    w = make_world()
    undated = WorkItemFactory(plan=w.plan, deadline=None, due_date=None, supporting=[w.lead])
    early = _item(w, w.today - timedelta(days=3), supporting=[w.support])
    rows = list(work_items_for_unit(unit=w.lead, today=w.today))
    assert [r.pk for r in rows] == [early.pk, w.item.pk, undated.pk]
    assert [r.my_role for r in rows] == [Role.LEAD, Role.LEAD, Role.SUPPORT]
    assert rows[0].lead_name == "区建设局" and rows[2].lead_name is None
    assert [r.pk for r in work_items_for_unit(unit=w.support, today=w.today)] == [early.pk, w.item.pk]


def test_urgency_counts_split_a_units_items():
    w = make_world()
    _item(w, w.today - timedelta(days=1))
    _item(w, w.today)
    done = _item(w, w.today + timedelta(days=3))
    work_item_transition(item=done, to_status=S.AWAITING_REVIEW)
    work_item_transition(item=done, to_status=S.DONE)
    # Asked to close after its deadline: waiting for the coordinator, not overdue.
    awaiting = _item(w, w.today - timedelta(days=4))
    work_item_transition(item=awaiting, to_status=S.AWAITING_REVIEW)
    counts = unit_urgency_counts(unit=w.lead, today=w.today)
    assert counts == {"total": 5, "overdue": 1, "soon": 1, "later": 1, "awaiting": 1, "done": 1}
    # Every count is the number of the unit's items its urgency filter selects.
    mine = WorkItem.objects.filter(assignments__unit=w.lead)
    assert counts == {"total": mine.count(), **{u: mine.filter(urgency_q(u, w.today)).count() for u in Urgency.ALL}}
    assert unit_urgency_counts(unit=w.other, today=w.today) == {"total": 1, "overdue": 0, "soon": 0, "later": 1,
                                                                 "awaiting": 0, "done": 0}
    assert unit_urgency_counts(unit=UnitFactory(), today=w.today) == dict.fromkeys(counts, 0)


def test_on_time_rate_is_done_on_time_over_due_as_in_the_roundups():
    """The unit page once divided by (done + overdue); the roundup's done on time / due is the contract.

    An item awaiting review after its deadline is due but neither done nor overdue; one done early
    is counted when its deadline comes (as a roundup counts it), so both pages agree on any day.
    """
    w = make_world()
    at = datetime.combine(w.today - timedelta(days=3), datetime.min.time(), tzinfo=SH)
    on_time = _item(w, w.today - timedelta(days=1))
    late = _item(w, w.today - timedelta(days=10))
    early = _item(w, w.today + timedelta(days=5))
    for item in (on_time, late, early):
        work_item_transition(item=item, to_status=S.AWAITING_REVIEW)
        work_item_transition(item=item, to_status=S.DONE, at=at)
    _item(w, w.today - timedelta(days=2))  # overdue, open
    awaiting = _item(w, w.today - timedelta(days=6))
    work_item_transition(item=awaiting, to_status=S.AWAITING_REVIEW)
    summary = unit_summary(WorkItem.objects.filter(assignments__unit=w.lead), w.today)
    assert (summary["done_on_time"], summary["done_late"], summary["overdue"], summary["awaiting_review"]) == (
        1, 1, 1, 1
    )
    assert summary["due"] == 4
    assert summary["on_time_rate"] == 0.25


def test_a_units_page_rate_is_its_lead_rate_as_on_the_plans_page(client):
    """The unit's page and the plan's page (its row in the units table) print one 按期办结率 for a unit of one plan:
    of the items it leads (``plan_unit_rows``, as a roundup ranks it). The unit's page used to rate every item it
    leads or supports by the lead's outcome, so a town that supported many items read 51.7 % there and 0.0 % on
    the plan's page (the demo's 黄湾镇)."""
    from tasks.selectors.work import plan_unit_rows
    from tasks.tests.daily_setup import login

    w = make_world()
    at = datetime.combine(w.today - timedelta(days=3), datetime.min.time(), tzinfo=SH)
    led = _item(w, w.today - timedelta(days=1))
    work_item_transition(item=led, to_status=S.AWAITING_REVIEW)
    work_item_transition(item=led, to_status=S.DONE, at=at)
    for n in range(3):  # items it supports, the lead's done on time; one it supports, overdue
        other = WorkItemFactory(plan=w.plan, deadline=w.today - timedelta(days=1), due_date=w.today - timedelta(days=1),
                                lead=w.other, supporting=[w.lead])
        if n:
            work_item_transition(item=other, to_status=S.AWAITING_REVIEW)
            work_item_transition(item=other, to_status=S.DONE, at=at)
    on_plan_page = next(u for u in plan_unit_rows(w.plan, w.today) if u.pk == w.lead.pk)
    assert (on_plan_page.n_due, on_plan_page.on_time_rate) == (1, 1.0)
    summary = unit_summary(WorkItem.objects.filter(assignments__unit=w.lead), w.today, unit_id=w.lead.pk)
    assert (summary["lead"]["due"], summary["lead"]["on_time_rate"]) == (1, 1.0)
    assert summary["due"] == 4  # every item of the unit is still counted on the page's other cards
    login(client, w.coordinator)
    page = client.get(f"/units/{w.lead.pk}/").content.decode()
    assert '<b class="on-time-rate">100.0%</b>' in page, page[page.find("on-time-rate") - 80:][:200]


def test_the_plan_pages_key_tasks_count_a_broken_down_item_through_its_parts_as_the_roundup_does():
    """A broken-down item (分解交办) is one piece of work through its parts: the plan's page counted the parent beside
    its parts, so a key task with one overdue item handed to two towns read 3 overdue there and 2 in the roundup's
    key tasks for the same day (the demo: 8 of its key tasks)."""
    from tasks.roundups.periods import MONTH, Period
    from tasks.selectors.roundups import roundup_data
    from tasks.selectors.work import plan_key_task_rows
    from tasks.tests.breakdown_setup import make_towns

    w = make_world(date(2026, 6, 15))
    towns = make_towns(w, names=("硖石街道", "海洲街道"))
    due = date(2026, 6, 10)
    parent = _item(w, due, key_task=w.key_task, year=2026, status=S.IN_PROGRESS)
    for town in towns:
        WorkItemFactory(plan=w.plan, parent=parent, key_task=w.key_task, year=2026, deadline=due, due_date=due,
                        lead=town, status=S.IN_PROGRESS)
    _item(w, due, key_task=w.key_task, year=2026, status=S.AWAITING_REVIEW)  # one more, not broken down
    row = next(r for r in plan_key_task_rows(w.plan, w.today) if r.pk == w.key_task.pk)
    # make_world's own item (due later) and the leaf awaiting review, and the two parts: four pieces of work.
    assert (row.n_total, row.n_done, row.n_awaiting, row.n_overdue) == (4, 0, 1, 2)
    data = roundup_data(plan=w.plan, period=Period.up_to(MONTH, w.today - timedelta(days=1)))
    task = next(t for t in data["key_tasks"] if t["id"] == w.key_task.pk)
    assert (task["total"], task["awaiting_review"], task["overdue"]) == (row.n_total, row.n_awaiting, row.n_overdue)


def test_history_merges_status_changes_and_reports_newest_first():
    w = make_world()
    t0 = datetime(2025, 3, 1, 9, tzinfo=SH)
    work_item_request_close(item=w.item, user=w.lead_user, note="完成", at=t0)
    work_item_accept(item=w.item, user=w.coordinator, at=t0 + timedelta(hours=2))
    history, truncated = work_item_history(w.item)
    assert not truncated
    kinds = [(e.kind, getattr(e.obj, "to_status", getattr(e.obj, "kind", None))) for e in history]
    assert kinds == [("status", S.DONE), ("report", ProgressReport.Kind.CLOSE_REQUEST), ("status", S.AWAITING_REVIEW)]
    newest, truncated = work_item_history(w.item, limit=2)
    assert truncated and [e.obj for e in newest] == [e.obj for e in history[:2]]


def test_review_queue_lists_awaiting_items_of_the_coordinators_plans_oldest_submission_first():
    w = make_world()
    second = _item(w, w.today)
    t0 = datetime(2025, 3, 1, 9, tzinfo=SH)
    work_item_request_close(item=second, user=w.lead_user, note="先提交", at=t0)
    work_item_request_close(item=w.item, user=w.lead_user, note="后提交", at=t0 + timedelta(days=1))
    queue = list(close_requests_queue(w.coordinator))
    assert [i.pk for i in queue] == [second.pk, w.item.pk]
    assert queue[0].close_note == "先提交" and queue[0].lead_name == "区建设局"
    assert not close_requests_queue(w.other_coordinator).exists()


def test_review_queue_sorts_on_the_latest_submission_after_a_return():
    w = make_world()
    second = _item(w, w.today)
    t0 = datetime(2025, 3, 1, 9, tzinfo=SH)
    work_item_request_close(item=w.item, user=w.lead_user, note="先提交", at=t0)
    work_item_request_close(item=second, user=w.lead_user, note="后提交", at=t0 + timedelta(days=1))
    work_item_transition(item=w.item, to_status=S.RETURNED, actor=w.coordinator, reason="补材料",
                         at=t0 + timedelta(days=2))
    work_item_transition(item=w.item, to_status=S.IN_PROGRESS, actor=w.lead_user, at=t0 + timedelta(days=3))
    work_item_request_close(item=w.item, user=w.lead_user, note="再提交", at=t0 + timedelta(days=4))
    w.item.refresh_from_db()
    assert w.item.submitted_at == t0 + timedelta(days=4)
    assert [i.pk for i in close_requests_queue(w.coordinator)] == [second.pk, w.item.pk]


@pytest.mark.parametrize("days,bucket", [(1, Bucket.WEEK), (7, Bucket.WEEK), (8, Bucket.MONTH), (30, Bucket.MONTH),
                                         (31, Bucket.OLDER)])
def test_ageing_buckets_in_the_database_and_in_python_agree(days, bucket):
    w = make_world()
    item = _item(w, w.today - timedelta(days=days))
    assert bucket_of(days) == bucket
    found = {b for b in Bucket.CHOICES if WorkItem.objects.filter(bucket_q(b, w.today), pk=item.pk).exists()}
    assert found == {bucket}


def test_overdue_items_are_open_past_due_items_of_the_plans_most_overdue_first():
    w = make_world()
    old = _item(w, w.today - timedelta(days=40))
    recent = _item(w, w.today - timedelta(days=2))
    _item(w, w.today)  # due today: not overdue (a day is over at its end)
    awaiting = _item(w, w.today - timedelta(days=3))
    work_item_transition(item=awaiting, to_status=S.AWAITING_REVIEW)  # asked to close: not overdue
    done = _item(w, w.today - timedelta(days=5))
    work_item_transition(item=done, to_status=S.AWAITING_REVIEW)
    work_item_transition(item=done, to_status=S.DONE)
    WorkItemFactory(plan=w.other_plan, deadline=w.today - timedelta(days=9), lead=w.lead)
    rows = list(overdue_items(plans=w.coordinator.coordinated_plans.all(), today=w.today))
    assert [r.pk for r in rows] == [old.pk, recent.pk]


def test_migration_backfills_submitted_at_from_the_latest_request_to_close():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tasks.migrations.0012_open_items_indexes_submitted_at")
    w = make_world()
    t0 = datetime(2025, 3, 1, 9, tzinfo=SH)
    work_item_request_close(item=w.item, user=w.lead_user, note="先提交", at=t0)
    work_item_transition(item=w.item, to_status=S.RETURNED, actor=w.coordinator, reason="补", at=t0 + timedelta(1))
    work_item_transition(item=w.item, to_status=S.IN_PROGRESS, actor=w.lead_user, at=t0 + timedelta(days=2))
    work_item_request_close(item=w.item, user=w.lead_user, note="再提交", at=t0 + timedelta(days=3))
    WorkItem.objects.update(submitted_at=None)
    migration.backfill_submitted_at(apps, None)
    w.item.refresh_from_db()
    w.other_item.refresh_from_db()
    assert w.item.submitted_at == t0 + timedelta(days=3) and w.other_item.submitted_at is None
