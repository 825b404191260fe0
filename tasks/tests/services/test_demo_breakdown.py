"""Demo seeding of broken-down items and supporting parts: a realistic spread, idempotent."""

from collections import Counter
from datetime import timedelta

import pytest

from tasks.models import Reminder, WorkItem, WorkItemUnit
from tasks.rules.support import SupportOutcome
from tasks.selectors.breakdown import sub_item_rollup, support_summary
from tasks.selectors.reminders import reminders_due
from tasks.services.demo_breakdown import demo_seed_breakdown, demo_seed_support_parts
from tasks.tests.breakdown_setup import make_towns
from tasks.tests.daily_setup import make_world
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db
S = WorkItem.Status


def test_demo_breaks_an_item_down_to_every_town_with_a_spread_and_a_second_run_changes_nothing():
    w = make_world()
    towns = make_towns(w)
    w.item.due_date = w.item.deadline = w.today + timedelta(days=60)
    w.item.save()
    made = demo_seed_breakdown(plan=w.plan, today=w.today)
    assert made == len(towns)
    statuses = Counter(WorkItem.objects.filter(parent=w.item).values_list("status", flat=True))
    assert statuses[S.AWAITING_SIGN] == 1  # one town never signs
    assert statuses[S.DONE] >= 2 and statuses[S.IN_PROGRESS] >= 1
    r = sub_item_rollup(w.item, today=w.today)
    assert r.done_late >= 1 and r.done - r.done_late >= 1 and not r.all_closed
    # The town that never signed is chased.
    assert {c.work_item_id for c in reminders_due(today=w.today) if c.kind == Reminder.Kind.SIGN} == {
        WorkItem.objects.get(parent=w.item, status=S.AWAITING_SIGN).pk
    }
    assert demo_seed_breakdown(plan=w.plan, today=w.today) == 0
    assert WorkItem.objects.filter(parent=w.item).count() == len(towns)


def test_demo_marks_supporting_parts_on_past_items_on_time_late_or_missing_once():
    w = make_world()
    for i in range(40):
        due = w.today - timedelta(days=5 + i)
        WorkItemFactory(plan=w.plan, year=w.today.year, text=f"过去的事项{i}", deadline=due, due_date=due,
                        lead=w.lead, supporting=[w.support])
    marked = demo_seed_support_parts(plan=w.plan, today=w.today)
    summary = support_summary(unit=w.support, today=w.today)
    assert marked == summary[SupportOutcome.ON_TIME] + summary[SupportOutcome.LATE]
    assert all(summary[o] > 0 for o in (SupportOutcome.ON_TIME, SupportOutcome.LATE, SupportOutcome.MISSING))
    assert demo_seed_support_parts(plan=w.plan, today=w.today) == 0  # the missing ones stay missing
    assert WorkItemUnit.objects.filter(role="support", support_done_at__isnull=False).count() == marked
