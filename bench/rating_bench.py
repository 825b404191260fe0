"""Benchmark: the 待评价 box (``selectors.work.awaiting_rating_box``) at 1,000,000 work items.

On a throwaway test database (``test_<name>`` on PostgreSQL when DATABASE_URL points there): ``--plans`` plans,
``--items`` plain plan items (half of them done, so the done ones are many), and ``--outside`` items from
instructions closed on the plans (a third rated since), one raiser for them all. Times the box (its list and
count) for a holder of ``act_on_all_plans`` (every plan), a coordinator of one plan and the raiser, and prints
p50 / p95 / max, the statements and PostgreSQL's plan for the every-plan list.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/housing_x .venv/bin/python bench/rating_bench.py \\
        [--items 1000000] [--plans 625] [--outside 600] [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")  # the 1M-row insert is one statement

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bench.scratch import scratch_database  # noqa: E402
from tasks.models import Plan, Region, WorkItem  # noqa: E402
from tasks.selectors.work import awaiting_rating, awaiting_rating_box  # noqa: E402


def build(*, plans: int, items: int, outside: int):
    region = Region.objects.create(name="评价省", slug="rating-province")
    new = Plan.objects.bulk_create([Plan(region=region, title=f"方案{n:03d}", slug=f"rate-{n:03d}",
                                         first_year=2023, last_year=2027) for n in range(plans)])
    ids = ",".join(str(p.pk) for p in new)
    User = get_user_model()
    raiser = User.objects.create(username="raiser")
    coordinator = User.objects.create(username="coord")
    new[1].coordinators.add(coordinator)  # one outside item (n = 1), unrated
    every = User.objects.create(username="province", is_superuser=True)
    table = WorkItem._meta.db_table
    columns = ("plan_id, year, indicator_name, target_text, text, deadline_text, deadline, due_date, recurring, "
               "status, progress, source, import_key, position, link_confirmed, target_share, created_at, "
               "updated_at, origin, origin_ref, origin_by, rating, rating_reason, completed_at, completed_on_time, "
               "raised_by_id, rated_at")
    done = "(n % 2 = 0)"
    values = (f"(ARRAY[{ids}])[1 + (n % {plans})], 2023, '', '', '事项' || n, '年内', DATE '2023-01-01' + (n % 365), "
              f"DATE '2023-01-01' + (n % 365), false, CASE WHEN {done} THEN 'done' ELSE 'in_progress' END, 0, "
              "'manual', '', n, false, '', now(), now(), {origin}, '', '', '', '', "
              f"CASE WHEN {done} THEN now() - (n % 900) * interval '1 hour' END, CASE WHEN {done} THEN true END, "
              "{raiser}, {rated}")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT "
                       + values.format(origin="'plan'", raiser="NULL", rated="NULL")
                       + f" FROM generate_series(1, {items}) AS n")
        # Outside items, all closed, one a plan: a third rated after closing.
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT "
                       + values.replace(done, "true").format(
                           origin="'instruction'", raiser=raiser.pk,
                           rated="CASE WHEN n % 3 = 0 THEN now() END")
                       + f" FROM generate_series(1, {outside}) AS n")
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"ANALYZE {Plan._meta.db_table}")
    return {"every plan": every, "one plan's coordinator": coordinator, "the raiser": raiser}


def measure(user, requests: int) -> dict:
    awaiting_rating_box(user)  # warm
    times, queries = [], 0
    for _ in range(requests):
        fresh = type(user).objects.get(pk=user.pk)  # a request's user: its standing read anew
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            box = awaiting_rating_box(fresh)
            times.append(time.perf_counter() - start)
        queries = max(queries, len(captured))
    times.sort()
    return {"p50": statistics.median(times) * 1000, "p95": times[int(0.95 * (len(times) - 1))] * 1000,
            "max": times[-1] * 1000, "queries": queries, "total": box["total"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--plans", type=int, default=625)
    parser.add_argument("--outside", type=int, default=600)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    setup_test_environment()
    with scratch_database():
        start = time.perf_counter()
        users = build(plans=args.plans, items=args.items, outside=args.outside)
        print(f"database: {connection.vendor}; {WorkItem.objects.count():,} items built in "
              f"{time.perf_counter() - start:.1f} s")
        for name, user in users.items():
            r = measure(user, args.requests)
            print(f"{name:24} total {r['total']:4}  p50 {r['p50']:6.2f} ms  p95 {r['p95']:6.2f} ms  "
                  f"max {r['max']:6.2f} ms  statements {r['queries']}")
        if connection.vendor == "postgresql":
            qs = awaiting_rating(users["every plan"])[:10]
            print(qs.explain(analyze=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
