"""Test databases made from a migrated copy instead of running every migration in each pytest worker.

Running the project's migrations (and Django's) into an empty database took 10-50 s per worker and per
pass (more on PostgreSQL, more under load), before the first test. The migrated database is kept, named by
a hash of every migration file (``migrations_key``): a run whose migrations are those of the copy starts
from the copy, a run with a changed or added migration builds a new one (and drops the stale copies).

- PostgreSQL: the copy is a database ``<test name>_tpl_<key>``; each worker's database is created from it
  (``CREATE DATABASE ... TEMPLATE``). One worker builds it while holding an advisory lock, the others wait
  for it.
- SQLite (in memory, the default): the copy is a file ``var/test-db/<key>.sqlite3``, loaded into each
  worker's in-memory database with SQLite's backup API; a file lock makes one worker build it.

Django's own ``create_test_db`` then runs as usual with ``keepdb``: ``migrate`` finds every migration
applied (and would apply any the copy lacked) and its ``post_migrate`` handlers run, so the database a test
sees is the one a full migration gives. Each worker's database is dropped after the run; the copy stays.

The migration tests need the database as an older migration left it (``at_migration``): that state is kept
beside the migrated copy too (made the first time by migrating back from the latest, as those tests did each
time), and after them the worker's database is the migrated copy again (``back_to_latest``) instead of
migrating forward through every later migration.

On PostgreSQL a transactional test's database is emptied after it with ``DELETE`` rather than Django's
``TRUNCATE`` (``flush_by_delete``): a ``TRUNCATE`` of the project's ~55 tables gives every table and index a
new file, ~2 s of waiting on the server per test, where deleting the few rows a test wrote takes ~40 ms.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQLITE_COPIES = ROOT / "var" / "test-db"
#: An arbitrary number: the PostgreSQL advisory lock the workers of a run build the copy under.
ADVISORY_LOCK = 29_0529
#: The key of the copy each connection's test database was made from (by alias), once ``prepare`` made it.
_MADE_FROM: dict[str, str] = {}


def migrations_key() -> str:
    """A hash of what a migrated database is made of: Django's version, the installed apps, every migration
    file's text (and the models of an app without migrations, which ``migrate`` syncs)."""
    import django
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256(django.get_version().encode())
    modules = {migration.__module__ for migration in loader.disk_migrations.values()}
    modules |= {config.models_module.__name__ for config in apps.get_app_configs()
                if config.label in loader.unmigrated_apps and config.models_module is not None}
    for config in apps.get_app_configs():
        digest.update(config.name.encode())
    for module in sorted(modules):
        digest.update(module.encode())
        digest.update(Path(sys.modules[module].__file__).read_bytes())
    return digest.hexdigest()[:12]


def prepare(connection, key: str) -> None:
    """Give ``connection``'s test database the migrated copy's tables and rows (building the copy first if
    there is none for ``key``). Call before ``setup_databases(keepdb=True)``."""
    if connection.vendor == "postgresql":
        _prepare_postgresql(connection, key)
    elif connection.vendor == "sqlite" and connection.creation.is_in_memory_db(
            connection.creation._get_test_db_name()):
        _prepare_sqlite(connection, key)
    else:
        return
    _MADE_FROM[connection.alias] = key


# -- PostgreSQL -----------------------------------------------------------------------------------------------

def _template_prefix(connection, name: str | None = None) -> str:
    """The copies' name without the key: the test database's name (``name`` once it is in use) without a
    worker's suffix."""
    name = name or connection.settings_dict["TEST"].get("NAME") or f"test_{connection.settings_dict['NAME']}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and name.endswith(f"_{worker}"):
        name = name.removesuffix(f"_{worker}")
    return f"{name}_tpl_"


def postgresql_template(connection) -> str | None:
    """The migrated copy this run's PostgreSQL test database was made from, if it was made from one."""
    template = f"{_template_prefix(connection)}{migrations_key()}"
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        return template if cursor.fetchone() else None


def _prepare_postgresql(connection, key: str) -> None:
    quote = connection.ops.quote_name
    template = f"{_template_prefix(connection)}{key}"
    target = connection.creation._get_test_db_name()
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")  # the settings' timeout would end the wait for the builder
        cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK])
        try:
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                           [_template_prefix(connection).replace("_", r"\_") + "%"])
            existing = {row[0] for row in cursor.fetchall()}
            if template not in existing:
                _build_postgresql_template(connection, cursor, template)
                for stale in existing - {template}:
                    cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)}")
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
            cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")
            _without_commit_waits(cursor, quote(target))
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK])


def _without_commit_waits(cursor, database: str) -> None:
    """A test database's commits do not wait for the server to flush them to disk (``synchronous_commit``
    off, for every connection to it: the test's, a live server's, the Celery workers and servers a test
    starts). What another connection sees, and when, is unchanged; only a crash of the server could lose the
    last commits, and a test database is dropped anyway. A commit was ~3.4 ms of waiting, 0.2 ms without.
    (``CREATE DATABASE`` does not copy a database's settings from its template: set on each one.)"""
    cursor.execute(f"ALTER DATABASE {database} SET synchronous_commit = off")


def _build_postgresql_template(connection, cursor, template: str) -> None:
    """Migrate a new database and rename it ``template`` (a half-built one never carries the name)."""
    quote = connection.ops.quote_name
    building = f"{template}_building"
    with _test_name(connection, building):
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")


@contextmanager
def _test_name(connection, name: str):
    """While inside, ``connection``'s test database is ``name``; after, its settings are as before (and it
    is closed, so that the database can be copied or renamed)."""
    from django.conf import settings

    test, own = connection.settings_dict["TEST"], settings.DATABASES[connection.alias]
    before = (test.get("NAME"), connection.settings_dict["NAME"], own["NAME"])
    test["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        test["NAME"], connection.settings_dict["NAME"], own["NAME"] = before


# -- SQLite ---------------------------------------------------------------------------------------------------

def _prepare_sqlite(connection, key: str) -> None:
    """Open the worker's in-memory test database (it lives while this connection does) and load the copy."""
    from django.conf import settings

    SQLITE_COPIES.mkdir(parents=True, exist_ok=True)
    copy = SQLITE_COPIES / f"{key}.sqlite3"
    with open(SQLITE_COPIES / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not copy.exists():
            _build_sqlite_copy(connection, copy)
            for stale in SQLITE_COPIES.glob("*.sqlite3"):
                if stale != copy:
                    stale.unlink(missing_ok=True)
    connection.close()
    name = connection.creation._get_test_db_name()
    settings.DATABASES[connection.alias]["NAME"] = connection.settings_dict["NAME"] = name
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _build_sqlite_copy(connection, copy: Path) -> None:
    """Migrate a file database and keep it as ``copy`` (written aside, then renamed into place)."""
    building = copy.with_suffix(f".building-{os.getpid()}")
    building.unlink(missing_ok=True)
    with _test_name(connection, str(building)):
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    os.replace(building, copy)


def restore_names(names: dict[str, str]) -> None:
    """After the run: the connections' database names as the settings gave them (a SQLite copy's test run
    left the in-memory name in place)."""
    from django.conf import settings
    from django.db import connections

    for alias, name in names.items():
        settings.DATABASES[alias]["NAME"] = connections[alias].settings_dict["NAME"] = name


# -- An earlier migration's database (the migration tests) -----------------------------------------------------

def migrate(connection, targets):
    """Migrate ``connection``'s database to ``targets`` (``[(app, migration)]``) and return the models of that
    state (the state ``migrate`` ends in: no second rendering)."""
    from django.db.migrations.executor import MigrationExecutor

    return MigrationExecutor(connection).migrate(targets).apps


def at_migration(connection, target: tuple[str, str]):
    """``connection``'s test database as migrating back to ``target`` leaves it (tables and rows), and the models
    of that state.

    From a copy of that database kept beside the migrated copy, under the same key (``<key>_<hash of target>``):
    the first run makes it by migrating back from the latest migration (what the migration tests did every
    time), the next ones load it. A database not made from the migrated copy (``--reuse-db``,
    ``--nomigrations``), or a PostgreSQL one another connection still uses (it cannot be copied or replaced
    then), is migrated as before. The caller puts the database back with ``back_to_latest``.
    """
    from django.db.migrations.loader import MigrationLoader

    key = _MADE_FROM.get(connection.alias)
    if key is None:
        return migrate(connection, [target])
    name = f"{key}_{hashlib.sha256(repr(target).encode()).hexdigest()[:8]}"  # PostgreSQL names: 63 bytes
    if not _load(connection, name):
        apps = migrate(connection, [target])
        _save(connection, name)
        return apps
    return MigrationLoader(connection).project_state([target]).apps


def back_to_latest(connection) -> None:
    """``connection``'s test database as every migration leaves it again: the migrated copy when the database
    was made from it, otherwise by migrating forward to the latest migration of every app."""
    from django.db.migrations.executor import MigrationExecutor

    key = _MADE_FROM.get(connection.alias)
    if key is None or not _load(connection, key):
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _load(connection, name: str) -> bool:
    """Replace the test database's tables and rows with the copy ``name`` (its key, or a key and a migration);
    False when there is no such copy (or, on PostgreSQL, another connection still uses the database)."""
    from django.db import OperationalError

    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        target = connection.settings_dict["NAME"]  # the test database, in use
        copy = f"{_template_prefix(connection, target)}{name}"
        connection.close()
        with connection.creation._nodb_cursor() as cursor, _advisory_lock(cursor):
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [copy])
            if not cursor.fetchone():
                return False
            try:  # PostgreSQL waits a few seconds for other connections to end (a closed one ends soon after)
                cursor.execute(f"DROP DATABASE {quote(target)}")
            except OperationalError:  # still in use: another thread's connection (a live server's)
                return False
            cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(copy)}")
            _without_commit_waits(cursor, quote(target))
        return True
    copy = SQLITE_COPIES / f"{name}.sqlite3"
    if not copy.exists():
        return False
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    return True


def _save(connection, name: str) -> None:
    """Keep the test database's tables and rows as the copy ``name`` (written aside, then named; on PostgreSQL
    not at all while another connection uses the database)."""
    from django.db import OperationalError

    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        source = connection.settings_dict["NAME"]  # the test database, in use
        copy = f"{_template_prefix(connection, source)}{name}"
        connection.close()
        with connection.creation._nodb_cursor() as cursor, _advisory_lock(cursor):
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(copy + '_building')}")
            try:
                cursor.execute(f"CREATE DATABASE {quote(copy + '_building')} TEMPLATE {quote(source)}")
            except OperationalError:
                return
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(copy)}")
            cursor.execute(f"ALTER DATABASE {quote(copy + '_building')} RENAME TO {quote(copy)}")
        return
    copy = SQLITE_COPIES / f"{name}.sqlite3"
    building = copy.with_suffix(f".building-{os.getpid()}")
    building.unlink(missing_ok=True)
    connection.ensure_connection()
    target = sqlite3.connect(building)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    os.replace(building, copy)


@contextmanager
def _advisory_lock(cursor):
    cursor.execute("SET statement_timeout = 0")
    cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK])
    try:
        yield
    finally:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK])


# -- Emptying the database after a transactional test ----------------------------------------------------------

@contextmanager
def flush_by_delete(connection):
    """While inside, ``flush`` (what a transactional test's teardown runs) empties a PostgreSQL database with one
    ``DELETE`` per table instead of one ``TRUNCATE`` of them all; elsewhere it is left as it is.

    What the test after it sees is the same: every table empty, sequences not restarted (``TRUNCATE`` without
    ``RESTART IDENTITY``, as Django's flush sends it), then ``post_migrate``'s content types and permissions.
    The project's foreign keys are ``DEFERRABLE INITIALLY DEFERRED`` (Django's), checked when the flush
    commits, by which time every row is gone. A flush that restarts sequences or cascades beyond its tables
    (``reset_sequences``, ``available_apps``) is Django's own.
    """
    if connection.vendor != "postgresql":
        yield
        return
    operations = type(connection.ops)
    truncating = operations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return truncating(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED", *(f"DELETE FROM {self.quote_name(table)}" for table in tables)]

    operations.sql_flush = sql_flush
    try:
        yield
    finally:
        operations.sql_flush = truncating
