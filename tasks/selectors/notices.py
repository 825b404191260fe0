"""Reads for 督办单: each item's colour by the office's rules, the notices of a plan, unit or item, and the
per-unit counts the roundup shows."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from tasks.models import Plan, Role, StatusChange, SupervisionNotice, Unit, WorkItem
from tasks.roundups.periods import Period
from tasks.rules.deadlines import calendar_years, workdays_left
from tasks.rules.notices import Thresholds, item_start, notice_colour
from tasks.rules.outcomes import OPEN_STATUSES

from .calendar import calendar_overrides
from .documents import notices_visible_to
from .roundups import local_midnight, plan_rows, roundup_settings_for
from .work import piece_of_work

N = SupervisionNotice
OPEN_NOTICE = [N.Status.DRAFT, N.Status.ISSUED]


def item_colours(items: list[WorkItem], *, today: date, thresholds: Thresholds) -> dict[int, str | None]:
    """item id -> the colour it calls for (None: no notice called for). Two queries whatever the count."""
    ids = [i.pk for i in items]
    returns = dict(
        StatusChange.objects.filter(work_item_id__in=ids, to_status=WorkItem.Status.RETURNED)
        .values("work_item_id").annotate(n=Count("pk")).values_list("work_item_id", "n")
    )
    overrides = calendar_overrides(years=calendar_years(today, *(i.due_date for i in items)))
    out = {}
    for item in items:
        if not item.is_open:
            out[item.pk] = None
            continue
        out[item.pk] = notice_colour(
            today=today, overdue=item.is_overdue(today), due=item.due_date,
            start=item_start(created=item.created_at.date(), year=item.year), status=item.status,
            progress=item.progress,
            returns=returns.get(item.pk, 0), thresholds=thresholds,
            workdays_left=workdays_left(today=today, due=item.due_date, overrides=overrides),
        )
    return out


def lead_units(item_ids: list[int]) -> dict[int, Unit]:
    """item id -> its lead unit (the first listed)."""
    out: dict[int, Unit] = {}
    rows = (WorkItem.units.through.objects.filter(work_item_id__in=item_ids, role=Role.LEAD)
            .select_related("unit").order_by("work_item_id", "position", "pk"))
    for row in rows:
        out.setdefault(row.work_item_id, row.unit)
    return out


def items_under_notice(item_ids: list[int]) -> set[int]:
    """Items already in a notice not yet answered (drafted or waiting for the reply)."""
    return set(
        N.items.through.objects.filter(workitem_id__in=item_ids, supervisionnotice__status__in=OPEN_NOTICE)
        .values_list("workitem_id", flat=True)
    )


def notice_candidates(*, plan: Plan, today: date) -> list[tuple[WorkItem, str]]:
    """Open items of the plan that call for a notice and are not under one yet, with their colour: each piece of
    work once (``work.piece_of_work``), as the overdue page and the roundup list it; a broken-down parent is
    chased through its parts (each under the unit it was handed to), not once more to its lead department."""
    items = list(WorkItem.objects.filter(piece_of_work(), plan=plan, status__in=OPEN_STATUSES)
                 .order_by("due_date", "pk"))
    colours = item_colours(items, today=today, thresholds=Thresholds.of(roundup_settings_for(plan)))
    busy = items_under_notice([i.pk for i in items])
    return [(i, colours[i.pk]) for i in items if colours[i.pk] and i.pk not in busy]


def notices_for_plans(plans: QuerySet[Plan]) -> QuerySet[SupervisionNotice]:
    return (N.objects.filter(plan__in=plans).select_related("plan", "unit", "issued_by")
            .annotate(item_count=Count("items")).order_by("-issued_at", "-pk"))


def notices_for_unit(unit: Unit) -> QuerySet[SupervisionNotice]:
    """What a unit was sent (drafts are the office's own business)."""
    return (N.objects.filter(unit=unit).exclude(status__in=[N.Status.DRAFT, N.Status.CANCELLED])
            .select_related("plan").order_by("-issued_at"))


def notices_for_item(item: WorkItem, user) -> QuerySet[SupervisionNotice]:
    """The item's 督办单 that ``user`` may open (``documents.notices_visible_to``): a supporting unit is not
    shown the lead's, a lead unit not the drafts; the plan's coordinators and province-wide users see all."""
    return notices_visible_to(user).filter(items=item).order_by("-created_at")


def _notice_counts(*, plan: Plan, start, end) -> QuerySet:
    return (
        N.objects.filter(plan=plan, issued_at__gte=start, issued_at__lt=end)
        .values("unit_id")
        .annotate(issued=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .values_list("unit_id", "issued", "answered")
    )


def notice_counts_by_unit(*, plan: Plan, period: Period) -> dict[int, tuple[int, int]]:
    """unit id -> (notices issued in the period, of which answered), for the roundup's unit rows."""
    start, end = local_midnight(period.start), local_midnight(period.end.fromordinal(period.end.toordinal() + 1))
    rows = plan_rows(_notice_counts, plan=plan, start=start, end=end)  # compiled once for all plans
    return {unit_id: (issued, answered) for unit_id, issued, answered in rows}
