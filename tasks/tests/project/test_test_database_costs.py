"""What the test databases cost on PostgreSQL (``tasks.tests.databases``): a transactional test's teardown
(``flush``) leaves every table empty by deleting the rows instead of truncating every table
(``flush_by_delete``: ~2 s a test), and a commit does not wait for the disk (``synchronous_commit``)."""

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


def test_a_postgresql_test_databases_commits_do_not_wait_for_the_disk():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "off"
        # The database's own setting: every connection to it has it (a live server's, a started process's).
        cursor.execute(
            "SELECT setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
            "WHERE d.datname = current_database() AND s.setrole = 0"
        )
        assert "synchronous_commit=off" in cursor.fetchone()[0]
