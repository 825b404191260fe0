"""The test harness's databases (``tasks.tests.databases``): an older migration's database kept beside the
migrated copy for the migration tests, and the latest one given back after them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from tasks.tests import databases

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("latest_after")]
GRAPH = MigrationLoader(None, ignore_no_migrations=True).graph
LATEST = GRAPH.leaf_nodes("tasks")[0]
BEFORE = next(parent.key for parent in GRAPH.node_map[LATEST].parents if parent.key[0] == "tasks")


def applied():
    return {(app, name) for app, name in MigrationRecorder(connection).applied_migrations()}


def test_an_earlier_migrations_database_is_kept_and_loaded_again_without_migrating(monkeypatch):
    if databases._MADE_FROM.get(connection.alias) is None:
        pytest.skip("this run's database is not made from the migrated copy (--reuse-db or --nomigrations)")
    apps = databases.at_migration(connection, BEFORE)
    assert BEFORE in applied() and LATEST not in applied()
    assert apps.get_model("tasks", "Plan")._meta.db_table == "tasks_plan"
    apps.get_model("tasks", "Region").objects.create(name="越城区")  # the copy's rows are the database's
    databases.back_to_latest(connection)
    assert LATEST in applied()

    # The second time: the kept copy, not a migration (and not the row written into the first one).
    def refuse(*args, **kwargs):
        raise AssertionError("migrated instead of loading the kept copy")

    monkeypatch.setattr(MigrationExecutor, "migrate", refuse)
    apps = databases.at_migration(connection, BEFORE)
    assert BEFORE in applied() and LATEST not in applied()
    assert not apps.get_model("tasks", "Region").objects.exists()
    databases.back_to_latest(connection)
    assert LATEST in applied()
    assert not apps.get_model("tasks", "Region").objects.exists()
