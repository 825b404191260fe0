"""Import benchmark: parse + database write of generated 20- and 200-page plans.

    python bench/import_bench.py [--sizes 20 200] [--fail-over 10]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/housing python bench/import_bench.py

Runs on a throw-away test database (Django's test-database creation: an in-memory SQLite
database, or ``test_<name>`` on PostgreSQL, dropped at the end). For each size it imports
the plan into an empty database, then re-imports it (the update path), and prints seconds,
the number of SQL queries and queries per key task. The write path is linear when the
number of queries does not grow with the number of tasks (bulk writes), i.e. queries per
task fall as the document grows. Exits 1 when 200 pages take longer than ``--fail-over``
seconds to import.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="import-bench-media-"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.scratch import scratch_database  # noqa: E402
from tasks.importers import parse_plan_text  # noqa: E402
from tasks.models import KeyTaskUnit, WorkItem, WorkItemUnit  # noqa: E402
from tasks.services.plan_import import plan_import  # noqa: E402


def _generate(pages: int) -> str:
    spec = importlib.util.spec_from_file_location("parser_bench", ROOT / "bench" / "parser_bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(pages)


def _run(text: str, name: str) -> tuple[float, float, int, object]:
    """Parse and import once: (parse seconds, write seconds, queries, result)."""
    start = time.perf_counter()
    parsed = parse_plan_text(text, source=name)
    parsed_at = time.perf_counter()
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        result = plan_import(parsed=parsed, source_name=name, source_bytes=text.encode())
    return parsed_at - start, time.perf_counter() - parsed_at, count[0], result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--fail-over", type=float, default=10.0, help="seconds allowed for 200 pages")
    args = parser.parse_args()

    with scratch_database():
        vendor = f"{connection.vendor} {connection.settings_dict['NAME']}"
        print(f"database: {vendor}")
        header = f"{'pages':>5} {'run':>8} {'tasks':>6} {'items':>6} {'rows':>6} {'parse s':>8} {'write s':>8}"
        print(header + f" {'total s':>8} {'queries':>8} {'q/task':>7}")
        per_task: dict[tuple[int, str], float] = {}
        slow = False
        for pages in args.sizes:
            call_command("flush", interactive=False, verbosity=0)
            text = _generate(pages)
            for run in ("new", "re-import"):
                parse_s, write_s, n_queries, result = _run(text, f"bench-{pages}.txt")
                plan = result.plan
                tasks = plan.key_tasks.count()
                items = WorkItem.objects.filter(plan=plan).count()
                rows = (tasks + items + plan.indicators.count()
                        + KeyTaskUnit.objects.filter(key_task__plan=plan).count()
                        + WorkItemUnit.objects.filter(work_item__plan=plan).count())
                per_task[(pages, run)] = n_queries / tasks
                total = parse_s + write_s
                print(f"{pages:>5} {run:>8} {tasks:>6} {items:>6} {rows:>6} {parse_s:>8.3f} {write_s:>8.3f}"
                      f" {total:>8.3f} {n_queries:>8} {n_queries / tasks:>7.3f}")
                if pages == 200 and total > args.fail_over:
                    slow = True
        small, large = min(args.sizes), max(args.sizes)
        if small != large:
            for run in ("new", "re-import"):
                ratio = per_task[(large, run)] / per_task[(small, run)]
                print(f"queries per task, {large} vs {small} pages ({run}): {ratio:.2f}"
                      f"  (1.00 = a fixed number of queries per task; lower = bulk writes)")
    if slow:
        print(f"FAIL: 200 pages took more than {args.fail_over} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
