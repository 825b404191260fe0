"""``rules.urgency``: urgency, "due soon" and the ageing buckets, and the SQL of ``selectors.work`` agreeing."""

import copy
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tasks.models import WorkItem
from tasks.rules import outcomes
from tasks.rules.urgency import SOON_WORKDAYS, Bucket, Urgency, bucket_of, soon_cutoff, urgency_of
from tasks.selectors.work import bucket_q, urgency_q, with_urgency
from tasks.selectors.work import soon_cutoff as soon_cutoff_with_calendar
from tasks.tests.daily_setup import make_world

TODAY = date(2025, 9, 30)  # the day before the National Day holiday (1-8 October 2025; 11 October worked)


def test_due_soon_is_seven_working_days_ahead():
    assert SOON_WORKDAYS == 7
    assert soon_cutoff(date(2025, 6, 2)) == date(2025, 6, 11)  # a plain Monday: the Wednesday after next
    assert soon_cutoff(TODAY) == date(2025, 10, 16)  # 9, 10, Sat 11, 13, 14, 15, 16
    assert soon_cutoff(TODAY, {date(2025, 10, 9): False}) == date(2025, 10, 17)


def test_urgency_of_an_item():
    soon = soon_cutoff(TODAY)
    for status in outcomes.CLOSED_STATUSES:
        assert urgency_of(status=status, due=TODAY - timedelta(days=9), today=TODAY, soon=soon) == Urgency.DONE
    assert urgency_of(status=outcomes.AWAITING_REVIEW, due=TODAY - timedelta(days=9), today=TODAY,
                      soon=soon) == Urgency.AWAITING
    chased = outcomes.IN_PROGRESS
    assert urgency_of(status=chased, due=TODAY - timedelta(days=1), today=TODAY, soon=soon) == Urgency.OVERDUE
    assert urgency_of(status=chased, due=TODAY, today=TODAY, soon=soon) == Urgency.SOON  # due today: not late yet
    assert urgency_of(status=chased, due=soon, today=TODAY, soon=soon) == Urgency.SOON
    assert urgency_of(status=chased, due=soon + timedelta(days=1), today=TODAY, soon=soon) == Urgency.LATER
    assert urgency_of(status=outcomes.AWAITING_SIGN, due=None, today=TODAY, soon=soon) == Urgency.LATER


def test_ageing_buckets():
    assert [bucket_of(d) for d in (1, 7, 8, 30, 31, 400)] == [
        Bucket.WEEK, Bucket.WEEK, Bucket.MONTH, Bucket.MONTH, Bucket.OLDER, Bucket.OLDER]
    # The buckets' day ranges follow one another with no gap and no overlap.
    bounds = [Bucket.DAYS[b] for b in Bucket.CHOICES]
    assert bounds[0][0] == 1 and bounds[-1][1] is None
    assert all(most + 1 == nxt for (_f, most), (nxt, _m) in zip(bounds, bounds[1:], strict=False))


DUES = [*range(-45, 25), None]  # days from today


@pytest.mark.django_db
def test_the_sql_and_the_rule_agree_on_urgency_for_every_status_and_a_grid_of_deadlines():
    w = make_world(TODAY)
    rows = []
    for status in outcomes.STATUSES:
        for offset in DUES:
            item = copy.copy(w.item)
            item.pk = item.id = None
            item._state.adding = True
            item.status = status
            if status == outcomes.DONE:
                item.completed_at, item.completed_on_time = timezone.now(), True
            item.due_date = item.deadline = None if offset is None else TODAY + timedelta(days=offset)
            rows.append(item)
    WorkItem.objects.bulk_create(rows)
    items = WorkItem.objects.filter(plan=w.plan)
    soon = soon_cutoff_with_calendar(TODAY)
    assert soon == soon_cutoff(TODAY)
    found = dict(with_urgency(items, TODAY).values_list("pk", "urgency"))
    expected = {
        pk: urgency_of(status=status, due=due, today=TODAY, soon=soon)
        for pk, status, due in items.values_list("pk", "status", "due_date")
    }
    assert len(expected) > len(outcomes.STATUSES) * len(DUES)  # the grid and the world's own items
    assert found == expected
    assert set(expected.values()) == set(Urgency.ALL)
    # Each filter alone picks the same items wherever no class before it in the precedence applies.
    for u in Urgency.ALL:
        assert set(items.filter(urgency_q(u, TODAY)).values_list("pk", flat=True)) >= {
            pk for pk, v in expected.items() if v == u}


@pytest.mark.django_db
def test_the_sql_and_the_rule_agree_on_the_ageing_buckets():
    w = make_world(TODAY)
    rows = []
    for days in range(1, 70):
        item = copy.copy(w.item)
        item.pk = item.id = None
        item._state.adding = True
        item.due_date = item.deadline = TODAY - timedelta(days=days)
        rows.append(item)
    WorkItem.objects.bulk_create(rows)
    overdue = WorkItem.objects.filter(urgency_q(Urgency.OVERDUE, TODAY))
    found = {}
    for bucket in Bucket.CHOICES:
        for pk in overdue.filter(bucket_q(bucket, TODAY)).values_list("pk", flat=True):
            assert pk not in found  # in one bucket only
            found[pk] = bucket
    expected = {pk: bucket_of(outcomes.days_overdue(due=due, today=TODAY))
                for pk, due in overdue.values_list("pk", "due_date")}
    assert len(expected) == 69 and found == expected
