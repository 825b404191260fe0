"""Root fixtures shared by every test module."""

import os
import socket
from contextlib import ExitStack, contextmanager

import pytest


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a real service is missing, except in CI where that is a failure."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        message = f"{name} is not reachable at {host}:{port}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: services are required)")
        pytest.skip(message)


def suite_settings(media_root) -> dict:
    """What every test runs with: its own upload folder, mail kept in memory, a cheap password hasher,
    no quiet hours.

    Production's PBKDF2 (a million rounds) took more than half the suite's time (sampled with py-spy):
    every account a test makes or logs in with hashes its password. Tests that start their own server
    processes (two nodes, the bench) make those accounts there, with the production hasher.
    """
    return {
        "MEDIA_ROOT": media_root,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        # Tests deliver at whatever hour they run; the quiet-hours tests set a window of their own.
        "NOTIFY_WORKING_HOURS": "always",
        "NOTIFY_QUIET_DAYS_OFF": False,
    }


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a per-test folder (and the rest of ``suite_settings``)."""
    for name, value in suite_settings(tmp_path / "media").items():
        setattr(settings, name, value)


@pytest.fixture(autouse=True)
def _default_language_after():
    """The site's language active again after each test: a request to /en/ (the test client runs the view in
    this thread) left English active for the tests that came after."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_use_migrations, django_db_keepdb,
                    django_db_createdb, django_db_modify_db_settings):
    """pytest-django's, but each worker's test database is a copy of one migrated once (``tasks.tests.databases``:
    a PostgreSQL template, a SQLite file) instead of running every migration in each worker on each run.
    ``--reuse-db`` and ``--nomigrations`` keep pytest-django's way. A transactional test's database is emptied
    after it by ``DELETE`` on PostgreSQL (``databases.flush_by_delete``), not by a ``TRUNCATE`` of every table."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tasks.tests import databases

    keep = django_db_keepdb and not django_db_createdb
    copied = django_db_use_migrations and not keep
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    names = {alias: connections[alias].settings_dict["NAME"] for alias in aliases}
    with django_db_blocker.unblock():
        if not django_db_use_migrations:
            _disable_migrations()
        if copied and aliases:
            key = databases.migrations_key()
            for alias in aliases:
                databases.prepare(connections[alias], key)
        config = setup_databases(verbosity=request.config.option.verbose, interactive=False, aliases=aliases,
                                 serialized_aliases=serialized_aliases, keepdb=copied or keep)
    with ExitStack() as flushes:
        for alias in aliases:
            flushes.enter_context(databases.flush_by_delete(connections[alias]))
        yield
    if not keep:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=request.config.option.verbose)
            databases.restore_names(names)


@pytest.fixture
def latest_after(transactional_db):
    """For a migration test (``tasks.tests.databases.at_migration``): after it, passed or failed, the database
    is every migration's again, for the tests that come after it on this worker."""
    yield
    from django.db import connection

    from tasks.tests import databases

    databases.back_to_latest(connection)


@contextmanager
def shared_by_module(django_db_blocker, media_root):
    """For a module-scoped fixture whose data the module's tests share (built once, not once per test).

    The data is written inside a transaction that is rolled back after the module's last test. Each
    test still runs in its own savepoint inside it (pytest-django's ``db`` nests), so whatever a test
    writes is undone before the next one: the tests only share what the fixture built.
    """
    from django.db import transaction
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(**suite_settings(media_root)), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _checked_compiled_reads():
    """Reads compiled once per shape (``tasks.selectors.compiled``) are kept from their first use and each
    run is checked against a fresh compile with its own ids, so every page a test opens checks the technique.

    The shapes are kept from test to test, as a server process keeps them from request to request: a shape
    compiled in one test is checked against each later test's fresh compile. Dropping them before every test
    compiled each shape anew in each test: a third of the CPU of a page's request in the views tests."""
    from tasks.selectors import compiled

    compiled.CHECK = True


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The calendar corrections are remembered in memory for a while: each test starts without them."""
    from tasks.selectors.calendar import forget_calendar_overrides

    forget_calendar_overrides()
    yield
    forget_calendar_overrides()


@pytest.fixture
def celery_eager():
    """Run Celery tasks in-process (and let their errors propagate) for the duration of a test."""
    from housing.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield app
    app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


def pytest_collection_modifyitems(config, items):
    """Under xdist, the longest units of work are handed out first: those with a test marked ``slow`` or
    ``browser``, then the ones with the most tests. A unit is a module, or the browser folder
    (``tasks.tests.parallel.scope_of``); a worker takes a unit at a time in this order
    (``--no-loadscope-reorder``), so the short ones fill in around the long ones instead of one long unit
    running alone at the end. A run in one process keeps the collection order."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from tasks.tests.parallel import scope_of

    sizes, heavy = {}, set()
    for item in items:
        unit = scope_of(item.nodeid)
        sizes[unit] = sizes.get(unit, 0) + 1
        if item.get_closest_marker("slow") or item.get_closest_marker("browser"):
            heavy.add(unit)
    items.sort(key=lambda item: (scope_of(item.nodeid) not in heavy, -sizes[scope_of(item.nodeid)]))


# -- the collected test count, printed and never falling ------------------------------------------------------

COUNT_FLOOR = os.path.join(os.path.dirname(__file__), ".ci", "test-count-floor")
_collected: dict[str, int] = {}


def pytest_collection_finish(session):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _collected["n"] = max(_collected.get("n", 0), len(session.items))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    """Under xdist the controller collects nothing itself: every worker reports the whole suite's ids."""
    _collected["n"] = max(_collected.get("n", 0), len(ids))


def _whole_suite(config) -> bool:
    """A run of every test (``make test``, ``.ci/run``): no path below the root, no -k, -m or --deselect."""
    root = os.path.realpath(str(config.rootpath))
    return (
        not config.option.keyword and not config.option.markexpr and not config.getoption("deselect", None)
        and all(os.path.realpath(arg) == root for arg in config.args)
    )


def _floor() -> int:
    with open(COUNT_FLOOR, encoding="utf-8") as f:
        return int(f.read().split()[0])


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    """The whole suite fails when it collects fewer tests than ``.ci/test-count-floor`` says it had."""
    if os.environ.get("PYTEST_XDIST_WORKER") or "n" not in _collected or not _whole_suite(session.config):
        return
    if _collected["n"] < _floor() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    if os.environ.get("PYTEST_XDIST_WORKER") or "n" not in _collected:
        return
    n = _collected["n"]
    if not _whole_suite(config):
        terminalreporter.write_line(f"collected {n} tests")
        return
    floor = _floor()
    if n < floor:
        terminalreporter.write_line(
            f"FAILED: collected {n} tests, fewer than the {floor} of .ci/test-count-floor: the suite never shrinks",
            red=True)
    else:
        note = f" (raise {COUNT_FLOOR} to {n})" if n > floor else ""
        terminalreporter.write_line(f"collected {n} tests; floor {floor}{note}")
