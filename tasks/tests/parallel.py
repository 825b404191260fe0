"""A pytest plugin for running the suite on several pytest-xdist workers: each gets a Redis database of its own,
and a worker takes a unit of work at a time (a module, or a folder of ``SHARED_UNITS``).

Loaded with ``-p tasks.tests.parallel`` (pyproject.toml) so that its hook runs before pytest-django reads
the settings. Worker ``gwN`` uses the database of ``REDIS_URL`` plus N (``redis://host:6379/0`` gives gw0
database 0 and gw1 database 1). Tests that start Celery workers purge and consume the default queue, and
app servers started by a test enqueue on it: with one database per pytest worker, a worker process can only
take tasks from its own test. The URL is changed in the environment, before Django starts, so the settings
(broker, cache) and every process a test starts see the same one. Without Redis, each pytest process gets a
filesystem-broker folder of its own in the same way (``CELERY_FILESYSTEM_DIR``), never the checkout's var/celery.

It also keeps every test process's compiled modules when the environment says not to write them
(``keep_compiled_modules``).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
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


def broker_folder_for_tests() -> str:
    """A folder of this test process's own for kombu's filesystem broker (used when there is no REDIS_URL), with
    the subfolders the transport needs, removed when the process ends. Without it the tasks tests queue (an
    e-mail, a roundup's delivery) stayed in the checkout's var/celery/queue, and the next `make run` worker
    ran them against the demo database."""
    folder = Path(tempfile.mkdtemp(prefix="housing-test-broker-"))
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir()
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return str(folder)


ROOT = Path(__file__).resolve().parents[2]


def keep_compiled_modules(environ=os.environ) -> None:
    """With ``PYTHONDONTWRITEBYTECODE`` set, this process and those it starts (the xdist workers, the servers a
    test starts) keep their compiled modules under var/pycache (``PYTHONPYCACHEPREFIX``) instead of writing
    none: otherwise every pytest process compiled every module of the project and rewrote every test module
    on every run, ~9 of the ~15 CPU seconds of collecting the suite, in each worker. Nothing is written
    beside the sources or into the virtualenv; without the variable Python's own ``__pycache__`` is used."""
    if not (sys.dont_write_bytecode or environ.get("PYTHONDONTWRITEBYTECODE")):
        return
    prefix = sys.pycache_prefix or environ.get("PYTHONPYCACHEPREFIX") or str(ROOT / "var" / "pycache")
    sys.pycache_prefix = environ["PYTHONPYCACHEPREFIX"] = prefix
    sys.dont_write_bytecode = False
    environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    keep_compiled_modules()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("REDIS_URL")
    if worker and url:
        os.environ["REDIS_URL"] = redis_url_for_worker(url, worker)
    # Each pytest process (the controller, each xdist worker) its own broker folder; the servers and Celery
    # workers a test starts inherit it with the environment.
    os.environ["CELERY_FILESYSTEM_DIR"] = broker_folder_for_tests()


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
