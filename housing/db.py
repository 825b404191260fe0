"""PostgreSQL connection tuning that Django leaves to the project."""

from __future__ import annotations

import datetime

from django.db.backends.signals import connection_created


def use_compiled_timestamptz_loader(sender, connection, **kwargs) -> None:
    """Read ``timestamptz`` values with psycopg's compiled loader instead of Django's pure-Python one.

    Django registers a loader that subclasses psycopg's Python ``TimestamptzLoader`` (the compiled one cannot
    be subclassed; Django ticket #36960), so every timestamp a query returns is parsed in Python: about 5 %
    of a list page's CPU (py-spy, a liaison's home at 1M items). Django's loader only relabels the value with
    the connection's zone, which with ``USE_TZ`` is UTC, and on such a connection (Django sets its
    ``TimeZone`` to UTC) psycopg's compiled loader returns the very same value: an aware datetime with
    ``datetime.UTC``. Elsewhere (another zone, psycopg 2, no compiled module) nothing changes.
    """
    if connection.vendor != "postgresql" or connection.timezone is not datetime.UTC:
        return
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if not is_psycopg3:
        return
    from psycopg.adapt import Loader
    from psycopg.types.datetime import TimestamptzLoader

    adapters = connection.connection.adapters
    compiled = adapters._get_optimised(TimestamptzLoader)  # psycopg's own lookup of its compiled twin
    if compiled is TimestamptzLoader:
        return

    class CompiledUtcLoader(Loader):
        timezone = datetime.UTC  # what Django's create_cursor compares before registering its own

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self.load = compiled(oid, context).load  # the compiled method itself: no Python frame a value

        def load(self, data):  # replaced per instance in __init__; kept for the Loader interface
            raise NotImplementedError

    adapters.register_loader("timestamptz", CompiledUtcLoader)


def migrate_without_statement_timeout(sender, using, **kwargs) -> None:
    """``manage.py migrate`` is not held to DATABASE_STATEMENT_TIMEOUT_MS: an index built over a province's
    tables may take longer than any request should (the setting stays for the connection's session)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


def connect_signals() -> None:
    from django.db.models.signals import pre_migrate

    connection_created.connect(use_compiled_timestamptz_loader, dispatch_uid="housing.db.timestamptz")
    pre_migrate.connect(migrate_without_statement_timeout, dispatch_uid="housing.db.migrate_timeout")
