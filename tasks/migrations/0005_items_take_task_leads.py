"""Items linked to a key task but without a lead unit take the task's lead rows.

Until now readers (reminders, "remind now") fell back to the key task's units for such items
while permissions and roundups did not; the fallback is gone, so the rows are written once here.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    WorkItem = apps.get_model("tasks", "WorkItem")
    KeyTaskUnit = apps.get_model("tasks", "KeyTaskUnit")
    WorkItemUnit = apps.get_model("tasks", "WorkItemUnit")
    items = list(
        WorkItem.objects.filter(key_task__isnull=False)
        .exclude(assignments__role="lead")
        .values_list("pk", "key_task_id")
    )
    if not items:
        return
    leads = {}
    for task_id, unit_id in (
        KeyTaskUnit.objects.filter(role="lead").order_by("key_task_id", "position", "pk").values_list(
            "key_task_id", "unit_id"
        )
    ):
        leads.setdefault(task_id, []).append(unit_id)
    taken = set(WorkItemUnit.objects.values_list("work_item_id", "unit_id").filter(
        work_item_id__in=[pk for pk, _ in items]
    ))
    WorkItemUnit.objects.bulk_create(
        [
            WorkItemUnit(work_item_id=pk, unit_id=unit_id, role="lead", position=position)
            for pk, task_id in items
            for position, unit_id in enumerate(leads.get(task_id, []))
            if (pk, unit_id) not in taken
        ],
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [("tasks", "0004_breakdown")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
