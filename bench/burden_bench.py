"""Benchmark: what the app asked of each unit over a year (基层负担), for 50 units and 500 / 5,000 items.

Each item gets a year of asks: a monthly progress request (月度进展催报) in each of 12 months and three due-soon
reminders, each to two addresses of its lead; its lead reports in every other month (so half the monthly
requests are "asked twice"); each unit gets a 督办单 a month. Runs on a throwaway test database (SQLite in
memory, or ``test_<name>`` on PostgreSQL when DATABASE_URL points there). Prints the median time and the
query count of ``unit_asks_for_year`` and of the page's ``unit_asks``, and the ratio 5,000 / 500.

    .venv/bin/python bench/burden_bench.py
"""

import os
import statistics
import sys
import time
import uuid
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bench.scratch import scratch_database  # noqa: E402
from tasks.models import ProgressReport, Reminder, Role, SupervisionNotice, WorkItemUnit  # noqa: E402
from tasks.selectors.burden import unit_asks, unit_asks_for_year  # noqa: E402
from tasks.selectors.roundups import without_jit  # noqa: E402
from tasks.tests.roundup_bulk import build_plan  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2023
RUNS = 5


def add_asks(plan) -> int:
    leads = dict(WorkItemUnit.objects.filter(work_item__plan=plan, role=Role.LEAD).values_list("work_item_id",
                                                                                              "unit_id"))
    reminders, reports = [], []
    for item_id, unit_id in leads.items():
        for m in range(1, 13):
            when = datetime(YEAR, m, 5, 9, tzinfo=TZ)
            if m % 2 == 0:
                reports.append(ProgressReport(work_item_id=item_id, unit_id=unit_id, note="进展",
                                              created_at=datetime(YEAR, m, 2, 9, tzinfo=TZ)))
            for email in ("a@x.cn", "b@x.cn"):
                reminders.append(Reminder(work_item_id=item_id, kind=Reminder.Kind.MONTHLY, step=YEAR * 100 + m,
                                          email=email, role="lead", unit_id=unit_id, scheduled_for=when.date(),
                                          status="sent", sent_at=when, digest=uuid.uuid4(), created_at=when))
        for step, day in ((7, 10), (3, 14), (1, 16)):
            when = datetime(YEAR, 6, day, 9, tzinfo=TZ)
            for email in ("a@x.cn", "b@x.cn"):
                reminders.append(Reminder(work_item_id=item_id, kind=Reminder.Kind.DUE_SOON, step=step,
                                          deadline=date(YEAR, 6, 30), email=email, role="lead", unit_id=unit_id,
                                          scheduled_for=when.date(), status="sent", sent_at=when,
                                          digest=uuid.uuid4(), created_at=when))
    Reminder.objects.bulk_create(reminders, batch_size=5000)
    ProgressReport.objects.bulk_create(reports, batch_size=5000)
    units = sorted(set(leads.values()))
    number = SupervisionNotice.objects.count()
    notices = []
    for unit_id in units:
        for m in range(1, 13):
            number += 1
            when = datetime(YEAR, m, 20, 9, tzinfo=TZ)
            notices.append(SupervisionNotice(plan=plan, unit_id=unit_id, colour="red", status="issued",
                                             requirement="限期办结", created_at=when, issued_at=when, year=YEAR,
                                             number=number, doc_number=f"督{number}", reply_due=when.date()))
    SupervisionNotice.objects.bulk_create(notices)
    return len(reminders)


def _in_roundup(plan):
    with without_jit():  # as roundup_data calls it
        return unit_asks_for_year(plan=plan, year=YEAR)


def measure(fn):
    wall = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            rows = fn()
            wall.append(time.perf_counter() - start)
    return statistics.median(wall), len(queries), rows


def main():
    setup_test_environment()
    with scratch_database():
        print(f"database: {connection.vendor}")
        times = {}
        for items in (500, 5000):
            plan = build_plan(items=items, units=50, slug=f"burden{items}")
            n = add_asks(plan)
            if connection.vendor == "postgresql":  # as autovacuum would after the bulk insert
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            year_t, year_q, rows = measure(lambda plan=plan: _in_roundup(plan))
            page_t, page_q, _ = measure(lambda plan=plan: unit_asks(plan=plan, start=date(YEAR, 1, 1),
                                                                    end=date(YEAR, 12, 31)))
            twice = sum(r["asked_twice"] for r in rows)
            times[items] = year_t
            print(f"{items} items, {n} reminder rows: unit_asks_for_year (JIT off, as in the roundup) "
                  f"{year_t * 1000:.0f} ms ({year_q} queries), unit_asks {page_t * 1000:.0f} ms ({page_q} queries); "
                  f"asked twice {twice}")
        print(f"ratio 5000/500: {times[5000] / times[500]:.1f}")


if __name__ == "__main__":
    main()
