"""Benchmark: the public 晾晒 page (``/public/<plan>/<period>/``), its JSON and CSV, at 10,000 and 1,000,000 items.

The page reads one published snapshot by its unique key, so its time should not move with the number of
work items. This builds a province-shaped installation on a throwaway test database (``test_<name>`` on
PostgreSQL when DATABASE_URL points there, else SQLite in memory): one real plan of ``--plan-items`` items
and ``--units`` units whose month roundup is computed by ``roundup_data`` and published; its snapshot
copied (as published roundups) to ``--plans`` plans × 12 months; then work items added with one
``INSERT … SELECT generate_series`` (SQLite: a recursive CTE) until the installation holds each size. At each
size it requests, through Django's test client as a visitor who is not logged in (the whole stack:
middleware, URL, view, template), random plans and months: the page, the JSON, one CSV and the index, and
prints p50 / p95 / max and the statements per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/public_bench.py \\
        [--sizes 10000,1000000] [--requests 400] [--plans 625]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")  # the 1M-row insert is one statement

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bench.scratch import scratch_database  # noqa: E402
from tasks.models import Plan, Region, Roundup, RoundupSettings, WorkItem  # noqa: E402
from tasks.roundups.periods import Period  # noqa: E402
from tasks.selectors.public import personal_terms_known, public_overdue_rows  # noqa: E402
from tasks.selectors.roundups import roundup_data  # noqa: E402
from tasks.tests.roundup_bulk import build_plan  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
MONTHS = [Period.month(2023, m) for m in range(1, 13)]


def _items_count() -> int:
    return WorkItem.objects.count()


def _grow_items(plan_ids: list[int], target: int) -> None:
    """Add plain open work items, spread over the plans, until the table holds ``target`` rows."""
    missing = target - _items_count()
    if missing <= 0:
        return
    ids = ",".join(str(pk) for pk in plan_ids)
    now = "now()" if connection.vendor == "postgresql" else "CURRENT_TIMESTAMP"
    columns = ("plan_id, year, indicator_name, target_text, text, deadline_text, deadline, due_date, recurring, "
               "status, progress, source, import_key, position, link_confirmed, target_share, created_at, "
               "updated_at, origin, origin_ref, origin_by, rating, rating_reason")
    values = (f"(ARRAY[{ids}])[1 + (n % {len(plan_ids)})], 2023, '', '', '批量事项' || n, '年内', "
              f"DATE '2023-01-01' + (n % 365), DATE '2023-01-01' + (n % 365), false, 'in_progress', 0, 'manual', "
              f"'', n, false, '', {now}, {now}, 'plan', '', '', '', ''")
    table = WorkItem._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {values} FROM generate_series(1, {missing}) AS n")
            cursor.execute(f"ANALYZE {table}")
        else:
            values = values.replace(f"(ARRAY[{ids}])[1 + (n % {len(plan_ids)})]", str(plan_ids[0]))
            values = values.replace("DATE '2023-01-01' + (n % 365)", "date('2023-01-01', '+' || (n % 365) || ' days')")
            values = values.replace("false", "0")
            cursor.execute(
                f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {int(missing)}) "
                f"INSERT INTO {table} ({columns}) SELECT {values} FROM g")


def build(*, plans: int, plan_items: int, units: int) -> list[str]:
    """One real plan's published month roundups, copied to ``plans`` plans; returns the plans' slugs."""
    real = build_plan(items=plan_items, units=units, slug="public-real")
    snapshots = {period: roundup_data(plan=real, period=period) for period in MONTHS}
    region = Region.objects.create(name="公开省", slug="public-province")
    new = Plan.objects.bulk_create([Plan(region=region, title=f"住有宜居实施方案{n:03d}", slug=f"plan-{n:03d}",
                                         first_year=2023, last_year=2027) for n in range(plans - 1)])
    all_plans = [real, *new]
    RoundupSettings.objects.bulk_create([RoundupSettings(plan=p, public_enabled=True, public_overdue=True)
                                         for p in all_plans])
    at = datetime(2024, 1, 5, 9, tzinfo=TZ)
    terms = personal_terms_known()  # as roundup_publish masks the public overdue list
    masked = {period: public_overdue_rows(data, terms) for period, data in snapshots.items()}
    Roundup.objects.bulk_create(
        [
            Roundup(plan=p, kind=period.kind, period_start=period.start, period_end=period.end,
                    status=Roundup.Status.PUBLISHED, generated_at=at, published_at=at, public_overdue=masked[period],
                    data={**data, "plan": {**data["plan"], "id": p.pk, "slug": p.slug, "title": p.title}})
            for p in all_plans
            for period, data in snapshots.items()
        ],
        batch_size=500,
    )
    return [p.slug for p in all_plans]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(slugs: list[str], requests: int, seed: int) -> dict[str, dict]:
    rng = random.Random(seed)
    client = Client()
    out = {}
    shapes = {
        "page": lambda s, k: f"/public/{s}/{k}/",
        "json": lambda s, k: f"/public/{s}/{k}.json",
        "csv": lambda s, k: f"/public/{s}/{k}/department_ranking.csv",
        "index": lambda s, k: f"/public/{s}/",
    }
    for name, url in shapes.items():
        client.get(url(slugs[0], MONTHS[0].key))  # templates and compiled statements warm
        times, queries, size = [], 0, 0
        for _ in range(requests):
            target = url(rng.choice(slugs), rng.choice(MONTHS).key)
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(target)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (target, response.status_code)
            queries = max(queries, len(captured))
            size = len(response.content)
        out[name] = {"p50": statistics.median(times) * 1000, "p95": _percentile(times, 0.95) * 1000,
                     "max": max(times) * 1000, "queries": queries, "bytes": size}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--plans", type=int, default=625)
    parser.add_argument("--plan-items", type=int, default=1600)
    parser.add_argument("--units", type=int, default=22)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    setup_test_environment()
    with scratch_database():
        start = time.perf_counter()
        slugs = build(plans=args.plans, plan_items=args.plan_items, units=args.units)
        print(f"database: {connection.vendor}; {len(slugs)} plans × {len(MONTHS)} published months built in "
              f"{time.perf_counter() - start:.1f} s")
        plan_ids = list(Plan.objects.filter(slug__in=slugs).values_list("pk", flat=True))
        verdicts = []
        for size in sizes:
            start = time.perf_counter()
            _grow_items(plan_ids, size)
            print(f"\n{_items_count():,} work items (grown in {time.perf_counter() - start:.1f} s), "
                  f"{Roundup.objects.count():,} roundups; {args.requests} requests each, random plan and month")
            print(f"{'request':8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'bytes':>8}")
            for name, row in measure(slugs, args.requests, seed=size).items():
                print(f"{name:8} {row['p50']:8.1f} {row['p95']:8.1f} {row['max']:8.1f} {row['queries']:8d} "
                      f"{row['bytes']:8d}")
                if name == "page":
                    verdicts.append((size, row["p95"]))
        for size, p95 in verdicts:
            print(f"page p95 at {size:,} items: {p95:.1f} ms ({'OK' if p95 < 100 else 'TOO SLOW'}: target < 100 ms)")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus; {date.today() + timedelta(0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
