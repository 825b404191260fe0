"""What a transactional test's teardown runs (``flush``) leaves every table empty, and on PostgreSQL it deletes
the rows instead of truncating every table (``tasks.tests.databases.flush_by_delete``: ~2 s a test)."""

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.db import connection

from tasks.tests.daily_setup import make_world

pytestmark = pytest.mark.django_db


def _rows() -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def test_flush_empties_every_table_and_truncates_none_on_postgresql():
    make_world()  # rows in tables that refer to one another (plans, units, items, users, their links)
    before = _rows()
    assert before["tasks_workitem"] and before["tasks_workitemunit"] and before["auth_user"]
    statements = sql_flush(no_style(), connection, reset_sequences=False)  # as TransactionTestCase's teardown
    if connection.vendor == "postgresql":
        assert statements and not any("TRUNCATE" in statement.upper() for statement in statements), statements
        # What restarts sequences stays Django's own.
        assert any("TRUNCATE" in s.upper() for s in sql_flush(no_style(), connection, reset_sequences=True))
    # In this test's transaction: its rollback gives the world back to nobody (each test starts empty).
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True)
    assert {table: n for table, n in _rows().items() if n} == {}
    assert set(_rows()) == set(before)
