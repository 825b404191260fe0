"""Linking a work item to its key task, and who becomes responsible for it.

Who is responsible for an item is its own lead and supporting rows (``WorkItemUnit``), read alike
by permissions, reminders and roundups. An item linked to a key task without a lead of its own
gets the task's lead unit(s) written onto it as its lead rows, here, instead of every reader
falling back to the task's units.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from tasks.models import KeyTask, KeyTaskUnit, Role, WorkItem, WorkItemUnit
from tasks.rules.towns import part_holders
from tasks.selectors.towns import collectives_members


def work_items_take_task_leads(*, item_ids: Iterable[int]) -> int:
    """Give each item linked to a key task but without a lead unit its task's lead rows; returns rows written."""
    items = list(
        WorkItem.objects.filter(pk__in=list(item_ids), key_task__isnull=False)
        .exclude(assignments__role=Role.LEAD)
        .values_list("pk", "key_task_id")
    )
    if not items:
        return 0
    leads: dict[int, list[int]] = {}
    regions: set[int] = set()
    for task_id, unit_id, region_id in (
        KeyTaskUnit.objects.filter(key_task_id__in={t for _, t in items}, role=Role.LEAD, expanded=False)
        .order_by("key_task_id", "position", "pk")
        .values_list("key_task_id", "unit_id", "key_task__plan__region_id")
    ):
        leads.setdefault(task_id, []).append(unit_id)
        regions.add(region_id)
    # A collective leading the task leads through its members (``rules.towns.part_holders``).
    members = {pk: found for region_id in regions for pk, found in collectives_members(region_id).items()}
    leads = {task_id: [u for u, _role in part_holders([(u, Role.LEAD) for u in units], members)]
             for task_id, units in leads.items()}
    taken = set(
        WorkItemUnit.objects.filter(work_item_id__in=[pk for pk, _ in items]).values_list("work_item_id", "unit_id")
    )
    rows = [
        WorkItemUnit(work_item_id=pk, unit_id=unit_id, role=Role.LEAD, position=position)
        for pk, task_id in items
        for position, unit_id in enumerate(leads.get(task_id, []))
        if (pk, unit_id) not in taken
    ]
    WorkItemUnit.objects.bulk_create(rows)
    return len(rows)


def work_item_link(*, item: WorkItem, key_task: KeyTask | None, confirmed: bool = True) -> WorkItem:
    """Link ``item`` to ``key_task`` (a coordinator's correction, kept by re-imports when ``confirmed``)."""
    with transaction.atomic():
        item.key_task = key_task
        item.link_confirmed = item.link_confirmed or confirmed
        item.save(update_fields=["key_task", "link_confirmed", "updated_at"])
        work_items_take_task_leads(item_ids=[item.pk])
    return item
