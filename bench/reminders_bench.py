"""Benchmark: the reminder scan over 10,000 and 100,000 open work items with 5,000 recipients.

Prints wall time and query counts for the first scan (every row new), a second scan the
same day (nothing new: the "run twice" path) and the digest sending per recipient, and
the 100k/10k ratios. The query count must not grow with the number of items.

Runs on PostgreSQL when DATABASE_URL is set (in a throwaway test database derived from
it, created and dropped here), else on a temporary SQLite file.

    .venv/bin/python bench/reminders_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/housing_reminders .venv/bin/python bench/reminders_bench.py
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")
TMP = tempfile.mkdtemp(prefix="reminders-bench-")
os.environ.setdefault("DJANGO_VAR_DIR", TMP)
# The bench delivers whatever the hour it runs (the workers inherit this): no quiet hours, no days off.
os.environ.setdefault("NOTIFY_WORKING_HOURS", "always")
os.environ.setdefault("NOTIFY_QUIET_DAYS_OFF", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.scratch import scratch_database  # noqa: E402
from tasks.models import (  # noqa: E402
    Plan,
    Profile,
    Region,
    Reminder,
    ReminderRun,
    ReminderSettings,
    Role,
    Unit,
    WorkItem,
    WorkItemUnit,
)
from tasks.selectors.reminders import reminders_pending_counts  # noqa: E402
from tasks.services.reminders import reminder_digest_send, reminders_scan  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2024, 6, 12)  # a Wednesday
NOW = datetime(2024, 6, 12, 9, tzinfo=SH)
UNITS = 2_500  # each with one address in Unit.emails and one liaison: 5,000 recipients
PLANS = 10
SIZES = [10_000, 100_000]
SAMPLE_DIGESTS = 50


def build_people() -> list[Unit]:
    region = Region.objects.create(name="基准区", slug="bench")
    units = Unit.objects.bulk_create(
        [
            Unit(region=region, name=f"单位{i:04d}", emails=f"unit{i}@bench.cn",
                 leader_email=f"leader{i}@bench.cn" if i % 5 == 0 else "")
            for i in range(UNITS)
        ],
        batch_size=500,
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"liaison{i}", email=f"liaison{i}@bench.cn", password="!") for i in range(UNITS)],
        batch_size=500,
    )
    Profile.objects.bulk_create([Profile(user=u, unit=unit) for u, unit in zip(users, units, strict=True)],
                                batch_size=500)
    coordinators = User.objects.bulk_create(
        [User(username=f"coord{i}", email=f"coord{i}@bench.cn", password="!") for i in range(PLANS * 2)]
    )
    for p in range(PLANS):
        plan = Plan.objects.create(region=region, title=f"基准方案{p}", slug=f"bench-{p}", first_year=2023,
                                   last_year=2027)
        plan.coordinators.add(*coordinators[2 * p: 2 * p + 2])
        ReminderSettings.objects.create(plan=plan)
    return units


def build_items(n: int, units: list[Unit]) -> None:
    """``n`` open items due between 120 days ago and 240 days ahead, each with a lead and a supporting unit."""
    rng = random.Random(n)
    plans = list(Plan.objects.order_by("pk"))
    now = NOW
    for start in range(0, n, 5_000):
        chunk = []
        for i in range(start, min(n, start + 5_000)):
            due = TODAY + timedelta(days=rng.randint(-120, 240))
            chunk.append(WorkItem(plan=plans[i % PLANS], year=due.year, text=f"事项{i}", deadline=due, due_date=due,
                                  status=WorkItem.Status.IN_PROGRESS, created_at=now, updated_at=now))
        items = WorkItem.objects.bulk_create(chunk, batch_size=1_000)
        links = []
        for item in items:
            lead, support = rng.sample(units, 2)
            links.append(WorkItemUnit(work_item=item, unit=lead, role=Role.LEAD, position=0))
            links.append(WorkItemUnit(work_item=item, unit=support, role=Role.SUPPORT, position=1))
        WorkItemUnit.objects.bulk_create(links, batch_size=1_000)


def measure(fn):
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    return result, seconds, len(ctx.captured_queries)


def run_size(n: int, units: list[Unit]) -> dict:
    Reminder.objects.all().delete()
    ReminderRun.objects.all().delete()
    WorkItemUnit.objects.all().delete()
    WorkItem.objects.all().delete()
    t = time.perf_counter()
    build_items(n, units)
    print(f"  built {n:,} open items in {time.perf_counter() - t:.1f}s", flush=True)
    first, first_s, first_q = measure(lambda: reminders_scan(today=TODAY, now=NOW))
    second, second_s, second_q = measure(lambda: reminders_scan(today=TODAY, now=NOW))
    emails, _, _ = measure(lambda: sorted(reminders_pending_counts(now=NOW)))
    sample = [e for e in emails if e.startswith("unit")][:SAMPLE_DIGESTS]
    _, send_s, send_q = measure(lambda: [reminder_digest_send(email=e, now=NOW, today=TODAY) for e in sample])
    row = {
        "items": n,
        "rows": first.created,
        "recipients": len(emails),
        "scan_s": first_s,
        "scan_q": first_q,
        "again_s": second_s,
        "again_q": second_q,
        "again_rows": second.created,
        "digest_ms": 1000 * send_s / max(len(sample), 1),
        "digest_q": send_q / max(len(sample), 1),
    }
    print(
        f"  {n:>7,} items: first scan {first_s:6.2f}s {first_q:3d} queries, {first.created:,} reminders for "
        f"{len(emails):,} recipients | same-day rescan {second_s:6.2f}s {second_q:3d} queries, "
        f"{second.created} new | digest {row['digest_ms']:.1f} ms {row['digest_q']:.1f} queries each",
        flush=True,
    )
    return row


def main() -> None:
    from django.core.mail.backends.locmem import EmailBackend  # noqa: F401 - the digests go to memory

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["TEST"]["NAME"] = str(Path(TMP) / "bench.sqlite3")
    with scratch_database(serialize=False):
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); today {TODAY}; "
              f"{UNITS} units, {2 * UNITS:,} recipient addresses, {PLANS} plans", flush=True)
        units = build_people()
        rows = [run_size(n, units) for n in SIZES]
    small, large = rows
    print(
        f"ratio 100k/10k: items {large['items'] / small['items']:.0f}x, reminders {large['rows'] / small['rows']:.1f}x,"
        f" first-scan time {large['scan_s'] / small['scan_s']:.1f}x, queries {large['scan_q'] / small['scan_q']:.2f}x;"
        f" rescan time {large['again_s'] / small['again_s']:.1f}x, queries {large['again_q'] / small['again_q']:.2f}x"
    )


if __name__ == "__main__":
    main()
