"""Demo seeding of broken-down items and supporting parts: a realistic spread, idempotent."""

from collections import Counter
from datetime import timedelta

import pytest

from tasks.models import Reminder, WorkItem, WorkItemUnit
from tasks.rules.support import SupportOutcome
from tasks.selectors.breakdown import support_summary
from tasks.selectors.reminders import reminders_due
from tasks.services.demo_breakdown import demo_seed_breakdown, demo_seed_support_parts
from tasks.tests.breakdown_setup import make_towns
from tasks.tests.daily_setup import make_world
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db
S = WorkItem.Status


def test_demo_breaks_work_down_every_month_to_every_town_and_department_and_a_second_run_changes_nothing():
    """Each month of the year so far gets one parent broken down to every town (and the other departments),
    due at that month's end, so that every month's roundup ranks 地方 and 部门; one town never signs."""
    from datetime import date

    w = make_world(date(2025, 4, 15))
    towns = make_towns(w)
    parents = [w.item]
    for i in range(3):
        due = date(2025, 12, 31)
        parents.append(WorkItemFactory(plan=w.plan, year=2025, text=f"年度事项{i}", deadline=due, due_date=due,
                                       lead=w.lead))
    made = demo_seed_breakdown(plan=w.plan, today=w.today)
    parts = WorkItem.objects.filter(parent__isnull=False)
    assert made == parts.count() > 0
    assert {p.due_date.month for p in parts} == {1, 2, 3, 4}  # January .. this month
    march = parts.filter(due_date__month=3)
    assert set(march.values_list("assignments__unit", flat=True)) >= {t.pk for t in towns}
    statuses = Counter(parts.values_list("status", flat=True))
    assert statuses[S.AWAITING_SIGN] >= 1  # one town never signs
    assert statuses[S.DONE] >= 2
    unsigned = set(parts.filter(status=S.AWAITING_SIGN).values_list("pk", flat=True))
    chased = {c.work_item_id for c in reminders_due(today=w.today) if c.kind == Reminder.Kind.SIGN}
    assert chased and chased <= unsigned
    assert demo_seed_breakdown(plan=w.plan, today=w.today) == 0
    assert WorkItem.objects.filter(parent__isnull=False).count() == made


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
