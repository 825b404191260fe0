"""A collective (各镇(街道), 各平台公司) holds no part of a work item: its members do. And the support
weight's help says what it decides now (how much a supporting part counts beside led items).

Each part a collective held becomes a part of each of its member towns (in the collective's role, a town
already on the item keeping its own); a collective without members loses its parts (the plan's import
warning asks the coordinator to name them). A collective's 配合到位 mark is not handed to its towns:
each town marks its own.
"""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models

from tasks.rules.towns import collective_members, part_holders


def parts_to_members(apps, schema_editor):
    Unit = apps.get_model("tasks", "Unit")
    WorkItemUnit = apps.get_model("tasks", "WorkItemUnit")
    held = WorkItemUnit.objects.filter(unit__kind="collective")
    items = set(held.values_list("work_item_id", flat=True))
    if not items:
        return
    members: dict[int, list[int]] = {}
    for unit in Unit.objects.filter(kind="collective"):
        towns = list(Unit.objects.filter(region_id=unit.region_id, kind="town").order_by("pk")
                     .values_list("pk", "town_kind"))
        names = [unit.name, *unit.aliases.values_list("name", flat=True)]
        members[unit.pk] = next((m for m in (collective_members(n, towns) for n in names) if m), [])
    new = []
    for item_id in sorted(items):
        parts = list(WorkItemUnit.objects.filter(work_item_id=item_id).order_by("position", "pk"))
        kept = {p.unit_id for p in parts}
        holders = part_holders([(p.unit_id, p.role) for p in parts], members)
        position = max(p.position for p in parts) + 1
        for unit_id, role in holders:
            if unit_id not in kept:
                new.append(WorkItemUnit(work_item_id=item_id, unit_id=unit_id, role=role, position=position))
                position += 1
    held.delete()
    WorkItemUnit.objects.bulk_create(new, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0018_notice_event_labels")]

    operations = [
        migrations.RunPython(parts_to_members, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="roundupsettings",
            name="support_weight",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0"),
                help_text="牵头事项权重为1，只决定配合事项在牵头单位得分中占多少。默认0：牵头单位只看牵头事项；"
                "没有牵头事项到期的单位按配合事项计分和排名",
                max_digits=4,
                validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(1)],
                verbose_name="配合事项权重",
            ),
        ),
    ]
