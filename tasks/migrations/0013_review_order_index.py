"""The review queue's order as a partial index, on PostgreSQL (SQLite cannot index NULLS FIRST).

Not declared on the model for that reason; ``close_requests_queue`` orders by exactly these columns.
"""

from django.db import migrations

INDEX = "workitem_review_order_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "tasks_workitem" ("submitted_at" ASC NULLS FIRST, "id") '
            "WHERE \"status\" = 'awaiting_review'"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("tasks", "0012_open_items_indexes_submitted_at")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
