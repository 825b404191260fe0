"""Open every GET page of the app and the admin, as each kind of user, on a database ``province.py --keep``
left; print time, queries, size and the slowest statement, slowest first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/walk.py bench_1000000 [liaison coordinator province admin]

The bench's operations are the daily hot paths; this is the search for the slow path nobody listed: every
model admin's list, its search and its last row's edit page (as a superuser, created here if missing), and
the app's pages for a liaison, a county coordinator and a province-wide user.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bench.province as P  # (sets the settings module and paths)

ROLES = ["liaison", "coordinator", "province", "admin"]
SLOW_MS = 300


def _app_urls(ctx, unit, item) -> dict[str, list[str]]:
    from tasks.models import Indicator, Roundup

    plan = ctx.plan
    key_task = plan.key_tasks.order_by("pk").first()
    indicator = Indicator.objects.filter(plan=plan).order_by("pk").first()
    roundup = Roundup.objects.filter(plan=plan).order_by("-pk").first()
    lead = ctx.lead_unit
    optional = ([f"/key-tasks/{key_task.pk}/"] if key_task else []) + (
        [f"/roundups/{roundup.pk}/"] if roundup else [])
    return {
        "liaison": ["/", "/work/?q=住房", "/work/?sort=-due_date&page=2", f"/items/{item.pk}/", f"/units/{unit.pk}/",
                    "/api/v1/plans/", f"/api/v1/plans/{plan.slug}/status/"],
        "coordinator": ["/", "/overdue/", "/overdue/?q=改造", "/review/", "/roundups/", plan.get_absolute_url(),
                        f"/units/{lead.pk}/", f"/items/{item.pk}/", "/overdue/choices/lead_unit/?q=局"]
        + ([f"/indicators/{indicator.pk}/"] if indicator else []) + optional,
        "province": ["/", "/?page=2", "/overdue/", "/overdue/?q=改造", "/overdue/?q=" + "改" * 2000,
                     "/overdue/?page=500", "/overdue/?sort=lead_unit", "/overdue/?sort=-plan", "/review/",
                     "/review/?page=300", "/review/?sort=-unit", "/roundups/", "/overdue/choices/lead_unit/?q=局",
                     "/overdue/choices/key_task/?q=1", f"/units/{lead.pk}/", plan.get_absolute_url(),
                     "/api/v1/plans/", f"/api/v1/plans/{plan.slug}/status/"],
    }


def _admin_urls() -> list[str]:
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    urls = ["/admin/"]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        try:
            changelist = reverse(f"admin:{info[0]}_{info[1]}_changelist")
        except NoReverseMatch:
            continue
        urls += [changelist, changelist + "?q=局"]
        last = model._default_manager.order_by("-pk").first()
        if last is not None:
            urls.append(reverse(f"admin:{info[0]}_{info[1]}_change", args=[last.pk]))
    return urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", help="a database a `province.py --keep` run left (<prefix>_<size>)")
    parser.add_argument("roles", nargs="*", help=f"some of {', '.join(ROLES)} (default: all)")
    args = parser.parse_args(argv)
    args.roles = args.roles or ROLES
    if set(args.roles) - set(ROLES):
        parser.error(f"roles are {', '.join(ROLES)}")
    P._setup_django()
    built, today = P.described_database(args.database)
    P.use_database(args.database, keep=True)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tasks.models import WorkItem
    from tasks.selectors.permissions import user_unit

    mock.patch.object(timezone, "localdate", lambda *a, **k: today).start()
    ctx = P.Context(built, today)
    User = get_user_model()
    unit = user_unit(User.objects.get(username=built.liaison_username))
    item = WorkItem.objects.filter(assignments__unit=unit).order_by("pk").first()
    urls = _app_urls(ctx, unit, item)
    if "admin" in args.roles:
        superuser, _ = User.objects.get_or_create(username="bench_walk_admin",
                                                  defaults={"is_superuser": True, "is_staff": True})
        client = Client()
        client.force_login(superuser)
        ctx.clients["admin"] = client
        urls["admin"] = _admin_urls()
    rows = []
    for role in args.roles:
        for url in urls[role]:
            best = None
            for _ in range(2):  # the second run is a kept connection's, as a worker's
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = ctx.clients[role].get(url)
                    ms = (time.perf_counter() - start) * 1000
                slowest = max((float(q["time"]) for q in queries.captured_queries), default=0) * 1000
                run = (ms, len(queries.captured_queries), len(response.content), response.status_code, slowest)
                best = run if best is None or ms < best[0] else best
                if ms > 3000:
                    break
            rows.append((role, url, *best))
            print(f"{role:<12}{best[3]:>4} {best[0]:>9.0f} ms {best[1]:>4} q {best[2] / 1024:>7.0f} KB "
                  f"slowest {best[4]:>6.0f} ms  {url[:90]}", flush=True)
    print("\nslowest first")
    for role, url, ms, n, size, status, _slowest in sorted(rows, key=lambda r: -r[2])[:25]:
        flag = "SLOW" if ms > SLOW_MS else "    "
        print(f"{flag} {role:<12}{status:>4} {ms:>9.0f} ms {n:>4} q {size / 1024:>7.0f} KB  {url[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
