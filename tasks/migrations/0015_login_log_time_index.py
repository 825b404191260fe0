"""An index on django-axes' login logs' attempt time: their admin lists order by it (newest first) and the
daily housekeeping deletes by it; without one both read every row (millions a year in a province).

The tables are axes', so the index is made here, by name and ``IF NOT EXISTS``; on PostgreSQL
``CONCURRENTLY``, so an upgrade does not hold logins behind the build.
"""

from django.db import migrations

TABLES = ["axes_accesslog", "axes_accessfailurelog"]


def _name(table: str) -> str:
    return f"{table}_attempt_time_idx"


def create(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX {concurrently}IF NOT EXISTS {_name(table)} ON {table} (attempt_time)"
        )


def drop(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {_name(table)}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("tasks", "0014_reminder_list_order_index"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
