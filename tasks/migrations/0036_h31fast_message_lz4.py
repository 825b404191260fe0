"""The outbox's texts compressed with LZ4 instead of PostgreSQL's default pglz (new values only; no rewrite).

A reminder day stores every digest's text, HTML and markdown (tens of kilobytes a person, 15,000 people at a
province's size): pglz compressing them was most of the database's CPU of the day, about five times LZ4's
for the same values (bench/RESULTS.md, session 21, h31fast). A server built without LZ4 keeps pglz (the
statement is tried and skipped); other databases have no such setting.
"""

from django.db import migrations

COLUMNS = ("body", "html", "payload")


def use_lz4(apps, schema_editor):
    _set(schema_editor, "lz4")


def use_default(apps, schema_editor):
    _set(schema_editor, "default")


def _set(schema_editor, method: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    from django.db import DatabaseError, transaction

    table = schema_editor.quote_name("tasks_message")
    sql = f"ALTER TABLE {table} " + ", ".join(
        f"ALTER COLUMN {schema_editor.quote_name(c)} SET COMPRESSION {method}" for c in COLUMNS)
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute(sql)
    except DatabaseError:  # a server built without LZ4 ("compression method lz4 not supported")
        pass


class Migration(migrations.Migration):
    dependencies = [("tasks", "0035_hsafe4_invitation_sent_to")]

    operations = [migrations.RunPython(use_lz4, use_default, elidable=True)]
