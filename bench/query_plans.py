"""Read the query plans of the 基层负担 page and of the reminder scan's "reported this month" at province size.

Points at an existing database (``DATABASE_URL``, e.g. the province bench's ``q31_pristine`` at 1M items) and
only reads it: every connection is opened read-only (``default_transaction_read_only``), the pages are served
through ``RequestFactory`` (no session row is written) and each SELECT they ran is explained with
``EXPLAIN (ANALYZE, BUFFERS)``. Prints, per statement, its time, the rows and buffers of its plan's top node,
and whether the plan holds a sequential scan or a hash over a large table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/q31_pristine .venv/bin/python bench/query_plans.py \
        [--plan SLUG] [--today 2026-11-25] [--plans-out DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")
_url = os.environ.get("DATABASE_URL", "")
if not _url.startswith("postgres"):
    sys.exit("DATABASE_URL must point at the PostgreSQL database to read")
if "default_transaction_read_only" not in _url:
    os.environ["DATABASE_URL"] = _url + ("&" if "?" in _url else "?") + "options=" + quote(
        "-c default_transaction_read_only=on")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402, F401
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tasks.models import Plan  # noqa: E402
from tasks.views.burden import plan_burden  # noqa: E402

BIG_ROWS = 100_000  # a scan or hash over more rows than this is "over millions" territory at 1M items


def explain(sql: str, *, jit_off: bool = False) -> tuple[float, str]:
    """``jit_off``: as the code ran it (inside ``without_jit``)."""
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if jit_off:
            cursor.execute("SET LOCAL jit = off")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [r[0] for r in cursor.fetchall()]
    total = next((float(m.group(1)) for line in lines if (m := re.search(r"Execution Time: ([\d.]+) ms", line))), 0.0)
    return total, "\n".join(lines)


def flags(plan_text: str) -> list[str]:
    """Seq scans and hashes that read many rows (actual rows x loops above BIG_ROWS)."""
    out = []
    for line in plan_text.splitlines():
        m = re.search(r"(Seq Scan|Parallel Seq Scan|Hash Join|Hash|Bitmap Heap Scan) (?:on (\S+))?.*actual time=\S+ "
                      r"rows=(\d+) loops=(\d+)", line)
        if m and int(m.group(3)) * int(m.group(4)) > BIG_ROWS:
            out.append(f"{m.group(1)} {m.group(2) or ''} rows={int(m.group(3)) * int(m.group(4))}")
    return out


def statements(fn) -> tuple[float, list[str], set[int]]:
    """The SELECTs ``fn`` ran, and the positions (from 1) of those it ran after ``SET LOCAL jit = off`` in the
    same transaction."""
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        fn()
        elapsed = (time.perf_counter() - started) * 1000
    sqls, jit_off, off = [], set(), False
    for q in ctx.captured_queries:
        sql = q["sql"].lstrip()
        if "jit = off" in sql:
            off = True
        elif sql.upper().startswith(("COMMIT", "ROLLBACK", "RELEASE")):
            off = False
        elif sql.upper().startswith(("SELECT", "WITH")):
            sqls.append(q["sql"])
            if off:
                jit_off.add(len(sqls))
    return elapsed, sqls, jit_off


def report(title: str, fn, *, runs: int, out_dir: Path | None) -> None:
    times = []
    sqls: list[str] = []
    for _ in range(runs):
        elapsed, sqls, jit_off = statements(fn)
        times.append(elapsed)
    print(f"\n## {title}: median {statistics.median(times):.0f} ms over {runs} runs ({len(sqls)} SELECTs)")
    for n, sql in enumerate(sqls, start=1):
        total, text = explain(sql, jit_off=n in jit_off)
        print(f"  {n:2d}. {total:9.1f} ms  {sql[:110]!r}")
        for flag in flags(text):
            print(f"        ! {flag}")
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"\W+", "-", title).strip("-")[:40]
            (out_dir / f"{slug}-{n:02d}.txt").write_text(sql + "\n\n" + text + "\n", encoding="utf-8")


def _stand_in_for_missing_record() -> None:
    """A database built before migration 0032 has no ``ProgressReport.evidence_demanded``, and this script may
    not migrate it: the close requests' statement then runs without that predicate (every close request of
    the plan and period, an upper bound of the real statement's rows), and says so."""
    from django.db.models import Count as _Count

    from tasks.models import ProgressReport
    from tasks.selectors import burden

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'tasks_progressreport' "
                       "AND column_name = 'evidence_demanded'")
        if cursor.fetchone():
            return
    print("(no tasks_progressreport.evidence_demanded: the close requests' statement runs without it, an upper bound)")

    def evidence(*, plan, start, end):
        return (
            ProgressReport.objects.filter(work_item__plan=plan, kind=ProgressReport.Kind.CLOSE_REQUEST,
                                          unit__isnull=False, created_at__gte=burden.local_midnight(start),
                                          created_at__lt=burden.local_midnight(end + burden.timedelta(days=1)))
            .values("unit_id", **burden._month_of("created_at"))
            .annotate(n=_Count("pk"))
            .values_list("unit_id", "y", "m", "n")
            .order_by()
        )

    burden._evidence = evidence


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", help="the plan's slug (default: the plan with the most items)")
    parser.add_argument("--today", default=None, help="ISO day the scan runs on (default: the 25th of this month)")
    parser.add_argument("--year", type=int, default=None, help="the burden page's year (default: today's)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plans-out", type=Path, default=None, help="write each statement and its plan here")
    parser.add_argument("--only", choices=["burden", "reminders"], default=None)
    args = parser.parse_args()
    today = date.fromisoformat(args.today) if args.today else date.today().replace(day=25)
    year = args.year or today.year
    User = get_user_model()

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('default_transaction_read_only')")
        assert cursor.fetchone()[0] == "on", "the connection must be read-only"
        cursor.execute("SELECT count(*) FROM tasks_workitem")
        print(f"database {connection.settings_dict['NAME']}: {cursor.fetchone()[0]:,} work items; today {today}")

    if args.only in (None, "burden"):
        _stand_in_for_missing_record()
        plan = (Plan.objects.filter(slug=args.plan).first() if args.plan else
                Plan.objects.annotate(n=Count("work_items")).order_by("-n").first())
        print(f"plan {plan.slug} (region {plan.region_id}), {plan.work_items.count():,} items")
        coordinator = User.objects.filter(coordinated_plans__region_id=plan.region_id).annotate(
            n=Count("coordinated_plans")).order_by("-n").first()
        province = User.objects.filter(user_permissions__codename="view_all_plans").first()
        factory = RequestFactory()

        def page(user):
            def run():
                request = factory.get(f"/plans/{plan.slug}/burden/", {"year": year})
                request.user = user
                request.session = {}
                response = plan_burden(request, slug=plan.slug)
                assert response.status_code == 200, response.status_code
            return run

        n_plans = coordinator.coordinated_plans.count() if coordinator else 0
        if coordinator is not None:
            report(f"burden page, region coordinator {coordinator.username} ({n_plans} plans)", page(coordinator),
                   runs=args.runs, out_dir=args.plans_out)
        if province is not None:
            report(f"burden page, province-wide {province.username}", page(province), runs=args.runs,
                   out_dir=args.plans_out)

    if args.only in (None, "reminders"):
        from tasks.selectors import reminders as rem

        captured: list = []
        original = rem.reported_this_month

        def spy(**kwargs):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                out = original(**kwargs)
                sqls = [q["sql"] for q in ctx.captured_queries]
                select = next(q for q in reversed(sqls) if q.lstrip().upper().startswith("SELECT"))
                captured.append(((time.perf_counter() - started) * 1000, select, len(out),
                                 any("jit = off" in q for q in sqls)))
            return out

        rem.reported_this_month = spy
        try:
            started = time.perf_counter()
            candidates = rem.reminders_due(today=today)
            scan_ms = (time.perf_counter() - started) * 1000
        finally:
            rem.reported_this_month = original
        print(f"\n## reminder scan on {today}: {len(candidates):,} candidates in {scan_ms:.0f} ms")
        for elapsed, sql, n, jit_off in captured:
            total, text = explain(sql, jit_off=jit_off)
            print(f"  reported_this_month: {elapsed:.0f} ms in the scan, {n:,} pairs; EXPLAIN ANALYZE {total:.1f} ms"
                  f"{' (JIT off, as the code runs it)' if jit_off else ''}")
            for flag in flags(text):
                print(f"        ! {flag}")
            if args.plans_out is not None:
                args.plans_out.mkdir(parents=True, exist_ok=True)
                (args.plans_out / "reported_this_month.txt").write_text(sql + "\n\n" + text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
