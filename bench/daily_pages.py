"""Time the daily list pages at growing row counts and show that their query counts stay flat.

Run: .venv/bin/python bench/daily_pages.py  (builds a throwaway test database; SQLite unless DATABASE_URL is set)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.scratch import scratch_database  # noqa: E402

SIZES = (10, 1000, 5000)
RUNS = 5


def main() -> None:
    setup_test_environment()
    with scratch_database():
        from django.db import transaction

        from tasks.tests.daily_setup import login, make_world
        from tasks.tests.views.test_query_counts import PAGES, counting, populate

        results: dict[int, dict[str, tuple[float, int]]] = {}
        for n in SIZES:
            with transaction.atomic():
                w = make_world()
                populate(w, n)
                clients = {who: login(Client(), getattr(w, who)) for who in {p[1] for p in PAGES.values()}}
                row = {}
                for name, (url, who, _most) in PAGES.items():
                    client, target = clients[who], url(w)
                    client.get(target)  # warm up
                    with counting() as statements:
                        client.get(target)
                    start = time.perf_counter()
                    for _ in range(RUNS):
                        # A repeated export request is sent on to the export already running (302).
                        status = client.get(target).status_code
                        assert status in (200, 302), (name, target, status)
                    row[name] = ((time.perf_counter() - start) / RUNS * 1000, len(statements))
                results[n] = row
                transaction.set_rollback(True)
        small, large = SIZES[0], SIZES[-1]
        print(f"{'page':<18}" + "".join(f"{f'{n} rows':>18}" for n in SIZES) + f"{'ms ratio':>10}")
        for name in PAGES:
            cells = "".join(f"{results[n][name][0]:>10.1f} ms {results[n][name][1]:>3}q" for n in SIZES)
            ratio = results[large][name][0] / results[small][name][0]
            print(f"{name:<18}{cells}{ratio:>10.1f}")
        flat = all(results[n][name][1] == results[small][name][1] for n in SIZES for name in PAGES)
        print(f"query counts flat across sizes: {flat}")


if __name__ == "__main__":
    main()
