"""Every list page costs the same number of queries for 10 rows and for 1,000."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import shared_by_module
from tasks.models import (
    Evidence,
    ExtensionRequest,
    IndicatorReport,
    ProgressReport,
    Role,
    StatusChange,
    WorkItem,
    WorkItemUnit,
)
from tasks.selectors.calendar import forget_calendar_overrides
from tasks.tests.daily_setup import login, make_world

pytestmark = pytest.mark.django_db
S = WorkItem.Status

# page name -> (url builder, who looks, most queries allowed)
PAGES = {
    # +1 on every page: whether the user holds tasks.view_all_plans (the staff flag no longer means "every
    # plan"); +1 on the pages that count working days: the calendar corrections (remembered briefly);
    # +1 on the home page: the unit's target shares (目标分解).
    "my_work": (lambda w: reverse("tasks:my_work"), "lead_user", 13),  # unfiltered: its counts give the total
    "my_work_filtered": (lambda w: reverse("tasks:my_work") + "?urgency=overdue&role=lead&sort=-due_date",
                         "lead_user", 14),
    # +1: the rows are counted first (more than EXPORT_INLINE_ROWS are exported in the background).
    # +1 (issue 32 §6): how many plans the unit's items belong to (several: the plan's short name column).
    "my_work_export": (lambda w: reverse("tasks:my_work") + "?export=xlsx", "lead_user", 7),
    # +2 since the plans are paged (their count) and the overdue total is the overdue view's own count;
    # +1 (issue 34): the items awaiting a rating (待评价).
    "coordinator_home": (lambda w: reverse("tasks:home"), "coordinator", 13),
    "review_queue": (lambda w: reverse("tasks:review_queue"), "coordinator", 8),
    "overdue": (lambda w: reverse("tasks:overdue") + "?sort=lead_name", "coordinator", 9),
    "overdue_export": (lambda w: reverse("tasks:overdue") + "?bucket=30%2B&export=xlsx", "coordinator", 6),
    "unit": (lambda w: w.lead.get_absolute_url(), "coordinator", 12),
    "plan": (lambda w: w.plan.get_absolute_url(), "coordinator", 13),  # +2: its 通报 and 督办单 list
    "key_task": (lambda w: w.key_task.get_absolute_url(), "lead_user", 11),
    # +4 for 目标分解: the year's target, breakdown and city figure, and the user's own share.
    "indicator": (lambda w: w.indicator.get_absolute_url(), "lead_user", 18),
    "work_item": (lambda w: w.item.get_absolute_url(), "lead_user", 16),  # +1: its 督办单
}


def populate(w, n: int) -> None:
    """``n`` items of the lead unit in every state the pages show, with their history and requests."""
    now = timezone.now()
    today = w.today
    items = []
    for i in range(n):
        kind = i % 4
        due = today + timedelta(days=[-40, -3, 5, 60][kind])
        items.append(
            WorkItem(
                plan=w.plan, year=today.year, text=f"事项{i}", key_task=w.key_task, indicator=w.indicator,
                deadline=due, due_date=due, deadline_text="年内", position=i,
                status=[S.IN_PROGRESS, S.NOT_STARTED, S.AWAITING_REVIEW, S.DONE][kind],
                completed_at=now if kind == 3 else None, completed_on_time=(i % 8 == 3) if kind == 3 else None,
            )
        )
    items = WorkItem.objects.bulk_create(items)
    WorkItemUnit.objects.bulk_create(
        [WorkItemUnit(work_item=it, unit=w.lead, role=Role.LEAD) for it in items]
        + [WorkItemUnit(work_item=it, unit=w.support, role=Role.SUPPORT, position=1) for it in items[::2]]
    )
    waiting = [it for it in items if it.status == S.AWAITING_REVIEW]
    StatusChange.objects.bulk_create(
        [StatusChange(work_item=it, actor=w.lead_user, at=now, from_status=S.IN_PROGRESS, to_status=S.AWAITING_REVIEW)
         for it in waiting]
    )
    reports = ProgressReport.objects.bulk_create(
        [ProgressReport(work_item=it, unit=w.lead, author=w.lead_user, kind="close_request", note="完成",
                        created_at=now) for it in waiting]
        + [ProgressReport(work_item=w.item, unit=w.lead, author=w.lead_user, note=f"进展{i}", created_at=now)
           for i in range(n)]
    )
    Evidence.objects.bulk_create(
        [Evidence(report=r, file=f"evidence/x/{r.pk}", original_name="a.pdf", content_type="application/pdf",
                  size=10, sha256="0" * 64) for r in reports]
    )
    ExtensionRequest.objects.bulk_create(
        [ExtensionRequest(work_item=it, unit=w.lead, requested_by=w.lead_user, requested_at=now, reason="x",
                          current_due_date=it.due_date, proposed_due_date=it.due_date + timedelta(days=30))
         for it in items if it.status in (S.IN_PROGRESS, S.NOT_STARTED)]
    )
    StatusChange.objects.bulk_create(
        [StatusChange(work_item=w.item, actor=w.coordinator, at=now, event="extension_rejected",
                      from_status=S.NOT_STARTED, to_status=S.NOT_STARTED) for _ in range(n)]
    )
    first = datetime.combine(today.replace(month=1, day=1), time()).date()
    months = sorted({(first - timedelta(days=31 * k)).replace(day=1) for k in range(min(n, 30))})
    IndicatorReport.objects.bulk_create(
        [IndicatorReport(indicator=w.indicator, month=m, value=k, reported_at=now) for k, m in enumerate(months)
         if m.year >= w.plan.first_year],
        ignore_conflicts=True,
    )


@contextmanager
def counting() -> Iterator[list[str]]:
    """Every SQL statement run inside, counted at the driver (the debug query log is cleared per request)."""
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


def count_queries(client, url: str) -> int:
    forget_calendar_overrides()  # every measurement pays for the calendar corrections alike
    with counting() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


@pytest.fixture(scope="module")
def populated(django_db_setup, django_db_blocker, tmp_path_factory):
    """A world of 10 items and one of 1,000, side by side (their own regions, users and plans), built once
    for the module's 24 budget tests: each built its own, and filling 1,000 items (0.7 CPU s) was half the
    module's time. The pages only read them; each test runs in a savepoint of its own (``shared_by_module``)."""
    with shared_by_module(django_db_blocker, tmp_path_factory.mktemp("query-counts-media")):
        worlds = {10: make_world(suffix="-10"), 1000: make_world(suffix="-1000")}
        for n, w in worlds.items():
            populate(w, n)
        yield worlds


@pytest.mark.parametrize("n", [10, 1000])
@pytest.mark.parametrize("page", list(PAGES))
def test_list_page_stays_within_its_query_budget(client, django_assert_max_num_queries, populated, page, n):
    w = populated[n]
    url, who, most = PAGES[page]
    login(client, getattr(w, who))
    # The request clears the debug query log when it starts; start from empty so none is missed.
    connection.queries_log.clear()
    with django_assert_max_num_queries(most):
        response = client.get(url(w))
    assert response.status_code == 200


def test_every_list_page_runs_the_same_queries_for_10_and_1000_rows(client):
    w = make_world()
    populate(w, 10)
    clients = {}
    for who in {p[1] for p in PAGES.values()}:
        clients[who] = login(client.__class__(), getattr(w, who))
    small = {name: count_queries(clients[who], url(w)) for name, (url, who, _m) in PAGES.items()}
    populate(w, 990)
    large = {name: count_queries(clients[who], url(w)) for name, (url, who, _m) in PAGES.items()}
    assert WorkItem.objects.count() > 1000
    assert large == small


# ---- work broken down: a parent with 20 sub-items costs what a parent with 2 does ----------------------

BREAKDOWN_PAGES = {
    # name -> (url builder, who looks, most queries allowed)
    "parent_for_lead": (lambda w: w.item.get_absolute_url(), "lead_user", 15),
    "parent_for_coordinator": (lambda w: w.item.get_absolute_url(), "coordinator", 14),
    "parent_for_supporting_unit": (lambda w: w.item.get_absolute_url(), "support_user", 15),
    "break_down_form": (lambda w: reverse("tasks:work_item_break_down", args=[w.item.pk]), "lead_user", 11),
    "lead_home": (lambda w: reverse("tasks:my_work"), "lead_user", 14),
    "town_home": (lambda w: reverse("tasks:my_work"), "town_user", 16),
    "town_sub_item": (lambda w: w.town_item.get_absolute_url(), "town_user", 14),
}


def test_pages_of_a_parent_with_20_sub_items_run_the_same_queries_as_with_2(client):
    from tasks.models import Unit
    from tasks.services.breakdown import BreakdownPart, work_item_break_down
    from tasks.tests.breakdown_setup import make_towns

    w = make_world()
    towns = make_towns(w, names=[f"测试镇{i:02d}" for i in range(20)])
    w.town_user = towns[0].liaison

    def hand(units):
        return work_item_break_down(item=w.item, user=w.lead_user,
                                    parts=[BreakdownPart(unit=u, due_date=w.item.due_date) for u in units])

    w.town_item = hand(towns[:2])[0]
    # The town also supports other items (the home page lists supporting parts only when there are some).
    for i in range(2):
        parent = WorkItem.objects.create(plan=w.plan, year=w.today.year, text=f"其他事项{i}",
                                         deadline=w.today, due_date=w.today)
        WorkItemUnit.objects.create(work_item=parent, unit=w.lead, role=Role.LEAD)
        WorkItemUnit.objects.create(work_item=parent, unit=towns[0], role=Role.SUPPORT, position=1)
        work_item_break_down(item=parent, user=w.lead_user,
                             parts=[BreakdownPart(unit=towns[1], due_date=w.today)])
    clients = {who: login(client.__class__(), getattr(w, who)) for who in {p[1] for p in BREAKDOWN_PAGES.values()}}
    small = {name: count_queries(clients[who], url(w)) for name, (url, who, _m) in BREAKDOWN_PAGES.items()}
    hand(towns[2:])
    for i in range(18):
        parent = WorkItem.objects.create(plan=w.plan, year=w.today.year, text=f"更多事项{i}",
                                         deadline=w.today, due_date=w.today)
        WorkItemUnit.objects.create(work_item=parent, unit=w.lead, role=Role.LEAD)
        WorkItemUnit.objects.create(work_item=parent, unit=towns[0], role=Role.SUPPORT, position=1)
        work_item_break_down(item=parent, user=w.lead_user,
                             parts=[BreakdownPart(unit=towns[0], due_date=w.today)])
    assert WorkItem.objects.filter(parent=w.item).count() == 20
    assert Unit.objects.filter(kind=Unit.Kind.TOWN).count() == 20
    large = {name: count_queries(clients[who], url(w)) for name, (url, who, _m) in BREAKDOWN_PAGES.items()}
    assert large == small
    for name, (_url, _who, most) in BREAKDOWN_PAGES.items():
        assert large[name] <= most, (name, large[name])
