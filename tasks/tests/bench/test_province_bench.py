"""A CI-sized run of ``bench/province.py`` (1,200 and 12,000 items) on the local PostgreSQL.

Asserts what does not depend on the machine: every page and per-plan or per-day operation asks the
same number of queries at both sizes, and grows in time by a bounded ratio (10× the items; absolute
times are not checked). Runs in ``.ci/run``'s PostgreSQL pass; in CI without PostgreSQL it fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bench.province import PAGES, PER_PLAN
from conftest import require_service
from tasks.tests import databases

pytestmark = [pytest.mark.services, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]
# 10× apart; the small size is one plan, the large one 8 plans in 2 regions (``province_data.Shape``: the
# fewest items that still span two regions, so per-region reads are counted at both sizes).
SMALL, LARGE = 1_200, 12_000
# Time ratios for 10× the items (the target at 100k -> 1M is 1.5; CI machines are noisy and the small
# size is a single plan, so these bounds are loose but catch a page that scans every item).
# The export grows with its rows (the overdue items of 10× the province): linear, not quadratic.
MAX_GROWTH = {"all_roundups": 25.0, "reminders_scan": 6.0, "reminders_dry_run": 6.0, "reminders_send": 25.0,
              "province_overdue_export": 25.0}
DEFAULT_MAX_GROWTH = 3.0
# Operations whose query count grows by nature: one digest per recipient (each at a constant cost).
NOT_CONSTANT = {"reminders_send", "all_roundups", "import_200_pages"}
# A short load profile against the larger size (the bench's default is 50 users for 60 s).
LOAD_USERS, LOAD_SECONDS = 10, 6


def _server_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"


def test_province_bench_keeps_query_counts_and_growth_bounded(tmp_path, django_db_blocker):
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "127.0.0.1", 5432)
        pytest.skip("runs in the PostgreSQL pass (DATABASE_URL=postgres://...)")
    out = tmp_path / "bench.json"
    env = {**os.environ, "DATABASE_URL": _server_url(), "DJANGO_SETTINGS_MODULE": "housing.settings"}
    env.pop("REDIS_URL", None)  # the bench needs no broker or shared cache
    # The suite's migrated template (tasks/tests/databases.py), if this run made its database from one: the
    # bench's databases start from it instead of migrating an empty one.
    with django_db_blocker.unblock():
        template = databases.postgresql_template(connection)
    result = subprocess.run(
        [sys.executable, "bench/province.py", "--sizes", f"{SMALL},{LARGE}", "--repeat", "2", "--json", str(out),
         "--prefix", f"bench_ci_{os.getpid()}", "--load", str(LOAD_SECONDS), "--load-users", str(LOAD_USERS),
         *(["--migrated", template] if template else [])],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # The targets are printed as verdicts after the table (their logic: test_bench_targets.py).
    assert "\ntargets\n" in result.stdout and "same query count at every size" in result.stdout, result.stdout[-3000:]
    all_rows = json.loads(out.read_text())
    load = {r["operation"]: r for r in all_rows if r["operation"].startswith("load_")}
    rows = {(r["operation"], r["size"]): r for r in all_rows if not r["operation"].startswith("load_")}
    operations = sorted({op for op, _ in rows})
    assert len(operations) == 17
    # Time in statements (at the driver) is part of an operation's time; the rest is its Python.
    assert all(0 < r["sql_ms"] <= r["ms"] for r in rows.values()), [
        r for r in rows.values() if not 0 < r["sql_ms"] <= r["ms"]]
    # Pages and one roundup carry every read under EXPLAIN ANALYZE summed: at least their slowest one.
    summed = [r for (op, _size), r in rows.items() if op in PAGES + PER_PLAN]
    assert summed and all(r["floor_sum_ms"] >= r["floor_ms"] > 0 for r in summed), summed
    # The load profile: real sessions of liaisons and coordinators against gunicorn, every page asked for and
    # answered 200 (a 500, a redirect to the login page or a timeout is an error); times are not checked.
    assert set(load) == {"load_liaison_home", "load_overdue", "load_overdue_filtered", "load_all"}, load
    assert all(r["size"] == LARGE and r["users"] == LOAD_USERS for r in load.values())
    assert load["load_all"]["errors"] == 0, result.stdout[-3000:]
    assert load["load_liaison_home"]["requests"] > 0 and load["load_overdue"]["requests"] > 0, load
    assert load["load_all"]["requests"] >= LOAD_USERS, load  # every simulated user got at least one page
    problems = []
    for op in operations:
        small, large = rows[op, SMALL], rows[op, LARGE]
        if op == "all_roundups":
            if large["queries"] > small["queries"]:  # queries per plan
                problems.append(f"{op}: {small['queries']} -> {large['queries']} queries per plan")
        elif op not in NOT_CONSTANT and small["queries"] != large["queries"]:
            problems.append(f"{op}: {small['queries']} -> {large['queries']} queries")
        growth = large["ms"] / max(small["ms"], 1.0)
        if growth > MAX_GROWTH.get(op, DEFAULT_MAX_GROWTH):
            problems.append(f"{op}: {small['ms']} ms -> {large['ms']} ms ({growth:.1f}×)")
    assert not problems, "\n".join(problems) + "\n" + result.stdout[-4000:]
