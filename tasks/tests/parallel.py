"""A pytest plugin for running the suite on several pytest-xdist workers: each gets a Redis database of its own,
and a worker takes a unit of work at a time (a module, or a folder of ``SHARED_UNITS``).

Loaded with ``-p tasks.tests.parallel`` (pyproject.toml) so that its hook runs before pytest-django reads
the settings. Worker ``gwN`` uses the database of ``REDIS_URL`` plus N (``redis://host:6379/0`` gives gw0
database 0 and gw1 database 1). Tests that start Celery workers purge and consume the default queue, and
app servers started by a test enqueue on it: with one database per pytest worker, a worker process can only
take tasks from its own test. The URL is changed in the environment, before Django starts, so the settings
(broker, cache) and every process a test starts see the same one.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest


def redis_url_for_worker(url: str, worker: str) -> str:
    """``url`` with its database number moved up by the xdist worker's index (``gw1`` -> +1)."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not (parts.path.strip("/") or "0").isdigit():
        raise pytest.UsageError(f"REDIS_URL={url}: cannot give each xdist worker a database of its own; "
                                "use redis://host:port/<db> or run in one process (-n 0)")
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + int(worker.removeprefix('gw'))}"))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("REDIS_URL")
    if worker and url:
        os.environ["REDIS_URL"] = redis_url_for_worker(url, worker)


# Folders whose modules make one unit of work: one worker runs them one after the other (the browser
# journeys share one Chromium, tasks/tests/browser/conftest.py). Every other module is a unit of its own.
SHARED_UNITS = ("tasks/tests/browser/",)


def scope_of(nodeid: str) -> str:
    """The unit of work xdist hands to a worker for a test: its module, or the folder of ``SHARED_UNITS`` it is in."""
    module = nodeid.split("::", 1)[0]
    return next((folder for folder in SHARED_UNITS if module.startswith(folder)), module)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` with the units of ``scope_of`` (xdist's own unit is the module)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return UnitScheduling(config, log)
