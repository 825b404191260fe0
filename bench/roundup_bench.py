"""Benchmark: build a roundup for a plan with 50 units and 5,000 work items (and 500 for the ratio).

Runs on a throwaway test database (SQLite in memory, or ``test_<name>`` on PostgreSQL when
DATABASE_URL points there). Prints time and query count per period kind, and the ratio 5,000 / 500.

    .venv/bin/python bench/roundup_bench.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bench.scratch import scratch_database  # noqa: E402
from tasks.roundups.periods import Period  # noqa: E402
from tasks.roundups.report import RoundupReport  # noqa: E402
from tasks.roundups.xlsx import render_xlsx  # noqa: E402
from tasks.selectors.roundups import roundup_data  # noqa: E402
from tasks.tests.roundup_bulk import build_plan  # noqa: E402

PERIODS = [Period.month(2023, 6), Period.quarter(2023, 2), Period.year(2023)]
RUNS = 5


def measure(plan, period):
    """Median wall time and CPU time of this process (on SQLite the database works in-process, so CPU
    time is the steadier figure on a busy machine)."""
    wall, cpu = [], []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            data = roundup_data(plan=plan, period=period)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), len(queries), data


def main():
    setup_test_environment()
    with scratch_database():
        print(f"database: {connection.vendor}")
        plans = {}
        for items in (500, 5000):
            start = time.perf_counter()
            plans[items] = build_plan(items=items, units=50, slug=f"bench{items}")
            print(f"built {items} items / 50 units in {time.perf_counter() - start:.1f}s")
        results = {}
        for period in PERIODS:
            for items, plan in plans.items():
                seconds, cpu, queries, data = measure(plan, period)
                results[(period.kind, items)] = seconds
                print(f"{period.kind:8} {items:5} items: {seconds * 1000:7.1f} ms (cpu {cpu * 1000:6.1f} ms)  "
                      f"{queries} queries  "
                      f"({len(data['units'])} units, {data['summary']['due']} due, "
                      f"{len(data['overdue_items'])} overdue)")
            ratio = results[(period.kind, 5000)] / results[(period.kind, 500)]
            print(f"{period.kind:8} ratio 5,000 / 500 items: {ratio:.1f}x")
        year = roundup_data(plan=plans[5000], period=PERIODS[2])
        start = time.perf_counter()
        workbook = render_xlsx(RoundupReport(data=year))
        print(f"workbook for 5,000 items (year): {(time.perf_counter() - start) * 1000:.0f} ms, "
              f"{len(workbook) // 1024} KiB")
        worst = max(results[(p.kind, 5000)] for p in PERIODS)
        print(f"slowest 5,000-item build: {worst * 1000:.0f} ms ({'OK' if worst < 1 else 'TOO SLOW'}: target < 1 s)")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
