"""Reads for work broken down (分解交办) and supporting parts (配合到位).

Each returns a QuerySet or plain data in a fixed number of queries, whatever the number of sub-items.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, CharField, Count, DateField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.db.models.lookups import IsNull, LessThan, LessThanOrEqual

from tasks.models import Role, Unit, WorkItem, WorkItemUnit
from tasks.rules.breakdown import Rollup, SubItem, rollup
from tasks.rules.support import SupportOutcome

from .compiled import precompiled
from .work import lead_name_subquery, with_urgency

S = WorkItem.Status


def sub_items_for_parent(*, parent: WorkItem, today: date, visible: QuerySet[WorkItem] | None = None) -> QuerySet:
    """The parent's sub-items with ``lead_name`` and ``urgency``, by deadline then unit (one query)."""
    qs = WorkItem.objects.filter(parent=parent)
    if visible is not None:
        qs = qs.filter(pk__in=visible.values("pk"))
    qs = with_urgency(qs.annotate(lead_name=lead_name_subquery()), today)
    return qs.order_by(F("due_date").asc(nulls_last=True), "lead_name", "pk")


def rollup_of(children, *, today: date) -> Rollup:
    """The roll-up of already loaded sub-items (no query)."""
    return rollup((SubItem(c.status, c.due_date, c.completed_on_time) for c in children), today=today)


def sub_item_rollup(parent: WorkItem, *, today: date) -> Rollup:
    """The roll-up of a parent's sub-items (one query)."""
    rows = WorkItem.objects.filter(parent=parent).values_list("status", "due_date", "completed_on_time")
    return rollup((SubItem(*r) for r in rows), today=today)


# ---- supporting parts -------------------------------------------------------------------------------------


def support_outcome_case(as_of: date, *, due=None, done_on=None) -> Case:
    """``tasks.rules.support.support_outcome`` in SQL (the one translation; tests check they agree).

    ``due`` is the deadline (default: the item's ``due_date``), ``done_on`` the local day the part was
    marked done, NULL if not (default: a ``done_on`` annotation). The roundup passes its own
    expressions: the deadline in force at its cut-off and the mark as it stood then.
    """
    due = F("work_item__due_date") if due is None else due
    done_on = F("done_on") if done_on is None else done_on
    day = Value(as_of, output_field=DateField())
    done = Q(LessThanOrEqual(done_on, day))  # NULL (not marked) is never <=
    return Case(
        When(done & (Q(IsNull(due, True)) | Q(LessThanOrEqual(done_on, due))), then=Value(SupportOutcome.ON_TIME)),
        When(done, then=Value(SupportOutcome.LATE)),
        When(LessThan(due, day), then=Value(SupportOutcome.MISSING)),
        default=Value(SupportOutcome.PENDING),
        output_field=CharField(),
    )


def support_parts(*, as_of: date) -> QuerySet[WorkItemUnit]:
    """Every supporting part with its ``outcome`` as of ``as_of``; not those of an item kept as history
    (counted nowhere, as in the roundups)."""
    return (
        WorkItemUnit.objects.filter(role=Role.SUPPORT).exclude(work_item__status=WorkItem.Status.HISTORY)
        .annotate(done_on=TruncDate("support_done_at"))
        .annotate(outcome=support_outcome_case(as_of))
    )


def support_parts_for_unit(*, unit: Unit, today: date, limit: int | None = None) -> list[WorkItemUnit]:
    """A unit's supporting parts with their own outcome, what is still to do first, by deadline (the first
    ``limit``, or all)."""
    return precompiled(_support_parts_for_unit, ids={"unit_id": unit.pk}, today=today, limit=limit)


def _support_parts_for_unit(*, unit_id: int, today: date, limit: int | None) -> QuerySet[WorkItemUnit]:
    first = Case(
        When(outcome=SupportOutcome.MISSING, then=Value(0)),
        When(outcome=SupportOutcome.PENDING, then=Value(1)),
        default=Value(2),
    )
    return (
        support_parts(as_of=today)
        .filter(unit_id=unit_id)
        .select_related("work_item")
        .annotate(lead_name=Subquery(
            WorkItemUnit.objects.filter(work_item=OuterRef("work_item"), role=Role.LEAD)
            .order_by("position", "pk").values("unit__name")[:1]
        ))
        .order_by(first, F("work_item__due_date").asc(nulls_last=True), "work_item_id")
    )[:limit]


def support_summary(*, unit: Unit, today: date) -> dict[str, int]:
    """How many of the unit's supporting parts are on time, late, missing, pending (one query)."""
    out = {o: 0 for o in SupportOutcome.ALL}
    out.update(precompiled(_support_counts, ids={"unit_id": unit.pk}, today=today))
    out["total"] = sum(out[o] for o in SupportOutcome.ALL)
    return out


def _support_counts(*, unit_id: int, today: date) -> QuerySet:
    return (
        support_parts(as_of=today).filter(unit_id=unit_id)
        .values("outcome").annotate(n=Count("pk")).order_by().values_list("outcome", "n")
    )


def breakdown_candidates(item: WorkItem) -> tuple[QuerySet[Unit], set[int]]:
    """Units an item may be handed to (its region's towns first, then the rest; not collectives, not
    its own lead) and the ids of those that already have a part of it."""
    own = WorkItemUnit.objects.filter(work_item=item, role=Role.LEAD).values("unit_id")
    units = (
        Unit.objects.filter(region_id=item.plan.region_id)
        .exclude(kind=Unit.Kind.COLLECTIVE)
        .exclude(pk__in=own)
        .annotate(town_first=Case(When(kind=Unit.Kind.TOWN, then=Value(0)), default=Value(1)))
        .order_by("town_first", "name")
    )
    taken = set(
        WorkItemUnit.objects.filter(work_item__parent=item, role=Role.LEAD).values_list("unit_id", flat=True)
    )
    return units, taken
