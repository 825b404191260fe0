"""Who holds an item: the one way an item's (or part's) lead or supporting unit changes after it was given.

Every place that moves an item from one unit to another (the admin's unit rows, a plan re-imported with the item
under another key task, a coordinator's correction) calls ``work_item_holders_set``. It changes the ``WorkItemUnit``
rows in place (a moved row keeps its id, so a chain of moves stays on one row), and records, in the same
transaction, a ``HolderChange`` per row moved, given or taken (who, when, from which unit to which, why, by which
way) and one ``StatusChange`` of event ``holder_changed`` telling it in the item's history. The roundups read the
``HolderChange`` rows to count a past period against the unit that held the item then
(``selectors.roundups._holder_at_cutoff``); a published roundup is a frozen snapshot and never changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tasks import stored_text as T
from tasks.models import HolderChange, Role, StatusChange, Unit, WorkItem, WorkItemUnit

ADMIN, IMPORT, SERVICE = "admin", "import", "service"


def work_item_holders_set(*, item: WorkItem, rows: Sequence[tuple[int, str]], actor=None, reason: str = "",
                          source: str = SERVICE, at: datetime | None = None) -> list[HolderChange]:
    """Give ``item`` exactly the units ``rows`` (``(unit id, role)``, in order), moving rather than replacing: a
    role's units that leave are paired, in order, with those that arrive (the row moves from one to the other),
    the rest are given or taken. Records each move (``HolderChange``) and one history row; nothing when the units
    are the same. Returns the moves recorded."""
    at = at or timezone.now()
    wanted = list(dict.fromkeys(rows))
    with transaction.atomic():
        WorkItem.objects.select_for_update().filter(pk=item.pk).exists()  # one change of an item's units at a time
        current = list(WorkItemUnit.objects.select_for_update().filter(work_item=item).order_by("position", "pk"))
        have = {(a.unit_id, a.role) for a in current}
        changes: list[HolderChange] = []
        moved: list[tuple[WorkItemUnit, int]] = []
        taken: list[WorkItemUnit] = []
        given: list[tuple[int, str]] = []
        for role in (Role.LEAD, Role.SUPPORT):
            leaving = [a for a in current if a.role == role and (a.unit_id, a.role) not in set(wanted)]
            arriving = [u for u, r in wanted if r == role and (u, r) not in have]
            moved += list(zip(leaving, arriving, strict=False))
            taken += leaving[len(arriving):]
            given += [(unit_id, role) for unit_id in arriving[len(leaving):]]

        def record(row_id, role, old, new):
            changes.append(HolderChange(work_item=item, assignment_id=row_id, role=role, from_unit_id=old,
                                        to_unit_id=new, actor=actor, at=at, source=source, reason=reason))

        # Taken first, then moved, then given: a unit may leave one role for the other (one row per unit).
        for row in taken:
            record(row.pk, row.role, row.unit_id, None)
            row.delete()
        # A row leaving a unit another row moves to goes first (a unit passing from one role to the other).
        targets = {unit_id for _row, unit_id in moved}
        for row, unit_id in sorted(moved, key=lambda m: m[0].unit_id not in targets):
            record(row.pk, row.role, row.unit_id, unit_id)
            row.unit_id = unit_id
            if row.role == Role.SUPPORT:  # the new unit's part is its own: nothing of the old one's mark
                row.support_done_at, row.support_done_by, row.support_note = None, None, ""
            row.save(update_fields=["unit", "support_done_at", "support_done_by", "support_note"])
        for unit_id, role in given:
            row = WorkItemUnit.objects.create(work_item=item, unit_id=unit_id, role=role, position=0)
            record(row.pk, role, None, unit_id)
        if not changes:
            return []
        for position, (unit_id, role) in enumerate(wanted):
            WorkItemUnit.objects.filter(work_item=item, unit_id=unit_id, role=role).update(position=position)
        HolderChange.objects.bulk_create(changes)
        names = dict(Unit.objects.filter(pk__in={u for c in changes for u in (c.from_unit_id, c.to_unit_id) if u})
                     .values_list("pk", "name"))
        moves = "；".join(f"{names.get(c.from_unit_id, '—')} → {names.get(c.to_unit_id, '—')}" for c in changes)
        StatusChange.objects.create(
            work_item=item, actor=actor, at=at, event=StatusChange.Event.HOLDER_CHANGED, from_status=item.status,
            to_status=item.status, reason=T.written(T.HOLDERS_MOVED, moves=moves, why=reason or "—"),
        )
    return changes
