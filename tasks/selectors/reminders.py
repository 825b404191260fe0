"""Reads for reminders: calendar overrides, settings per plan, recipients, and what is due by window.

``reminders_due`` is the heart of "never lost": for each open item it asks the schedule
(``tasks.rules.reminders``) for the reminder stage that is current on ``today`` (the latest
one whose send date is on or before today), never "the stage whose date is exactly today".
A missed day is made up by the next run; already-sent stages are filtered out by the unique
key when the scan inserts the rows. It costs a fixed number of queries whatever the
number of items: everything is loaded in bulk and the working-day arithmetic is
done once per distinct deadline.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tasks import workdays
from tasks.models import (
    PersonRole,
    Plan,
    Profile,
    ProgressReport,
    Reminder,
    ReminderSettings,
    Role,
    Unit,
    WorkItem,
    WorkItemUnit,
)
from tasks.rules import outcomes, support
from tasks.rules.reminders import Schedule, Stages, deadline_stages, due_soon_horizon, monthly_send_day, sign_stage

from .calendar import calendar_overrides

# Not shown in a digest or the admin's list, and parsed (JSON) for every row that joins its plan.
PLAN_DEFERRED = ("work_item__plan__import_warnings",)

# A unit that filed one of these on an item this month has given the month's progress (a report, its
# contribution as a supporting unit, or a close request): the monthly request (月度进展催报) is not sent to
# it for that item, since asking for material already given is what the 2024 burden rules forbid
# (``selectors.burden`` counts any such request as asked twice).
MONTHLY_ANSWERED_KINDS = (
    ProgressReport.Kind.PROGRESS, ProgressReport.Kind.CONTRIBUTION, ProgressReport.Kind.CLOSE_REQUEST,
)


def reported_this_month(*, today: date) -> set[tuple[int, int]]:
    """(item, unit) pairs where the unit filed progress, its contribution or a close request on the item in
    ``today``'s month (Asia/Shanghai), one query. The scan looks its own items up in it.

    Every report of the month, not only those on the scan's items: restricting to them (``work_item__in`` the
    scan's item query, or a join on the plans) cost 1.3-2 s at 1M items on a monthly-request day, a probe or a
    scan of the items for each of the month's 78,000 reports, where the month's reports alone are one range
    of the ``created_at`` index (0.3 s); pairs of items the scan does not hold are never looked up. And no
    ordering: the reports' default order (by item: its region, plan, year, ...) joined those tables and put
    their columns into the DISTINCT (bench/RESULTS.md, issue 34's query plans).
    """
    month_start = timezone.make_aware(datetime.combine(today.replace(day=1), time()))
    return set(
        ProgressReport.objects.filter(kind__in=MONTHLY_ANSWERED_KINDS, created_at__gte=month_start)
        .order_by().values_list("work_item_id", "unit_id").distinct()
    )

K = Reminder.Kind
R = Reminder.RecipientRole
SUPPORT_DONE = "support_done"  # a supporting row whose part is done: neither lead nor support for reminders
EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


def reminder_settings_for(*, plan_ids: Iterable[int] | None = None) -> dict[int, ReminderSettings]:
    """Each plan's settings; plans without a saved row get the defaults (unsaved)."""
    plans = Plan.objects.all() if plan_ids is None else Plan.objects.filter(pk__in=list(plan_ids))
    saved = {s.plan_id: s for s in ReminderSettings.objects.filter(plan__in=plans)}
    return {pid: saved.get(pid) or ReminderSettings(plan_id=pid) for pid in plans.values_list("pk", flat=True)}


def _clean_emails(emails: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for e in emails:
        e = (e or "").strip().lower()
        if EMAIL_RE.match(e):
            seen[e] = None
    return tuple(seen)


@dataclass(frozen=True)
class Recipients:
    """Who receives what for a set of plans: unit contacts and leaders, plan coordinators."""

    contacts: Mapping[int, tuple[str, ...]]  # unit id -> Unit.email_list + its liaisons' emails
    leaders: Mapping[int, tuple[str, ...]]  # unit id -> leader_email + its 分管领导 accounts' emails
    coordinators: Mapping[int, tuple[str, ...]]  # plan id -> coordinators' emails + extra addresses


def reminder_recipients(*, plan_ids: list[int], settings: Mapping[int, ReminderSettings]) -> Recipients:
    """Three queries: units of the plans' regions, their members, the plans' coordinators."""
    regions = Plan.objects.filter(pk__in=plan_ids).values("region_id")
    contacts: dict[int, list[str]] = defaultdict(list)
    leaders: dict[int, tuple[str, ...]] = {}
    for unit_id, emails, leader_email in Unit.objects.filter(region_id__in=regions).values_list(
        "pk", "emails", "leader_email"
    ):
        contacts[unit_id].extend(Unit(emails=emails).email_list)
        leaders[unit_id] = _clean_emails([leader_email])
    members = (
        Profile.objects.filter(unit__region_id__in=regions, user__is_active=True)
        .exclude(user__email="").exclude(role=PersonRole.COORDINATOR)
        .values_list("unit_id", "user__email", "role")
    )
    leader_people: dict[int, list[str]] = defaultdict(list)
    for unit_id, email, role in members:
        # A liaison gets the unit's reminders; its 分管领导 (a profile, or the unit's leader_email) the escalations.
        (leader_people if role == PersonRole.LEADER else contacts)[unit_id].append(email)
    for unit_id, emails in leader_people.items():
        leaders[unit_id] = _clean_emails([*leaders.get(unit_id, ()), *emails])
    coordinators: dict[int, list[str]] = defaultdict(list)
    for plan_id, email in Plan.coordinators.through.objects.filter(
        plan_id__in=plan_ids, user__is_active=True
    ).values_list("plan_id", "user__email"):
        coordinators[plan_id].append(email)
    for plan_id in plan_ids:
        coordinators[plan_id].extend(settings[plan_id].extra_coordinator_email_list)
    return Recipients(
        contacts={u: _clean_emails(e) for u, e in contacts.items()},
        leaders=leaders,
        coordinators={p: _clean_emails(e) for p, e in coordinators.items()},
    )


class ReminderCandidate(NamedTuple):
    """A reminder that is due by window; inserting it is a no-op when it was already made."""

    work_item_id: int
    kind: str
    deadline: date | None
    step: int
    email: str
    role: str
    scheduled_for: date
    unit_id: int | None = None  # whose part: the lead unit, a supporting unit (配合), None for the coordinators
    plan_id: int | None = None  # the item's plan (its send time holds the row until then: one digest a day)

    @property
    def key(self) -> tuple:
        return (self.work_item_id, self.kind, self.deadline, self.step, self.email)


def reminder_open_items(
    *,
    plan_ids: list[int],
    due_until: date,
    monthly_plan_ids: list[int],
    year: int,
    sign_plan_ids: list[int] = (),
    handed_before: datetime | None = None,
    support_plan_ids: list[int] = (),
) -> QuerySet:
    """Items the unit still has to act on (``outcomes.CHASED_STATUSES``: one awaiting review is not
    chased) that may need a reminder: due by ``due_until`` (incl. overdue), for plans whose
    monthly request is due every open item of this year's or earlier work lists, and sub-items
    handed over before ``handed_before`` and still not signed for; for ``support_plan_ids``, also the
    items due by ``due_until`` awaiting review while a supporting part is open."""
    window = Q(plan_id__in=plan_ids, due_date__isnull=False, due_date__lte=due_until)
    monthly = Q(plan_id__in=monthly_plan_ids, year__lte=year)
    q = window | monthly
    if sign_plan_ids and handed_before is not None:
        q |= Q(plan_id__in=sign_plan_ids, status=WorkItem.Status.AWAITING_SIGN, handed_at__lt=handed_before)
    chased = Q(status__in=outcomes.CHASED_STATUSES)
    if support_plan_ids:
        # A supporting part is the unit's own (``rules.support.part_is_chased``): still chased while the lead
        # waits for review, by the deadline window only.
        # EXISTS, probed per candidate row by the item's index: ``pk IN (open parts)`` inside this OR could not
        # be hashed at 1M items (600k open parts, past work_mem) and was scanned again for every item: the
        # tick's first query ran for more than six minutes.
        open_part = WorkItemUnit.objects.filter(work_item=OuterRef("pk"), role=Role.SUPPORT,
                                                support_done_at__isnull=True)
        chased |= window & Q(Exists(open_part), plan_id__in=support_plan_ids, status=WorkItem.Status.AWAITING_REVIEW)
    return WorkItem.objects.filter(chased).filter(q)


def reminders_due(
    *,
    today: date,
    plan_ids: Iterable[int] | None = None,
    settings: Mapping[int, ReminderSettings] | None = None,
    overrides: Mapping[date, bool] | None = None,
) -> list[ReminderCandidate]:
    """Every reminder due on ``today`` by window for the enabled plans among ``plan_ids`` (all when None).

    A fixed number of queries (nine to eleven) for any number of items.
    """
    if settings is None:
        settings = reminder_settings_for(plan_ids=plan_ids)
    elif plan_ids is not None:
        settings = {p: settings[p] for p in plan_ids}
    settings = {p: s for p, s in settings.items() if s.enabled}
    if not settings:
        return []
    if overrides is None:
        overrides = calendar_overrides(fresh=True)
    plan_ids = list(settings)
    schedules = {p: Schedule.of(s) for p, s in settings.items()}
    horizon = due_soon_horizon(today, (lead for s in schedules.values() for lead in s.lead_times), overrides)
    monthly_plans = [
        p
        for p, s in settings.items()
        if s.monthly_enabled and monthly_send_day(today=today, schedule=schedules[p], overrides=overrides) <= today
    ]
    sign_plans = [p for p, s in settings.items() if s.sign_enabled]
    support_plans = [p for p, s in settings.items() if s.notify_supporting]
    # A sub-item handed over on day D is chased after D + N working days, so never before D + N + 1.
    min_sign_days = min((settings[p].sign_within_days for p in sign_plans), default=0)
    handed_before = timezone.make_aware(datetime.combine(today - timedelta(days=min_sign_days), time()))
    items_qs = reminder_open_items(
        plan_ids=plan_ids, due_until=horizon, monthly_plan_ids=monthly_plans, year=today.year,
        sign_plan_ids=sign_plans, handed_before=handed_before, support_plan_ids=support_plans,
    )
    # No order: the model's (region, plan, year, deadline…) joined the plans and regions and sorted 52,000 rows on
    # disk at 1M items (1.9 s of the tick's 6.5 s scan); what is due does not depend on the items' order.
    items_qs = items_qs.order_by()
    items = list(items_qs.values_list("pk", "plan_id", "due_date", "year", "status", "handed_at"))
    if not items:
        return []
    status_of = {item[0]: item[4] for item in items}

    units: dict[int, list[tuple[int, str]]] = defaultdict(list)  # item -> [(unit, role)], lead first
    for item_id, unit_id, role, support_done_at in (
        _of_items(WorkItemUnit.objects.all(), items_qs, [item[0] for item in items])
        .order_by("work_item_id", "position")
        .values_list("work_item_id", "unit_id", "role", "support_done_at")
    ):
        # A supporting part marked done (配合到位), or of a waived item, is not chased (one rule for both).
        if role == Role.SUPPORT and not support.part_is_chased(
            item_status=status_of[item_id], done=support_done_at is not None
        ):
            role = SUPPORT_DONE
        units[item_id].append((unit_id, role))
    people = reminder_recipients(plan_ids=plan_ids, settings=settings)

    out: dict[tuple, ReminderCandidate] = {}

    def add(item_id: int, kind: str, deadline, step: int, emails: Iterable[str], role: str, day: date,
            unit_id: int | None, plan_id: int) -> None:
        for email in emails:
            key = (item_id, kind, deadline, step, email)
            if key not in out:
                out[key] = ReminderCandidate(item_id, kind, deadline, step, email, role, day, unit_id, plan_id)

    # Keyed by the schedule, not the plan: a province's plans share a few schedules (most the defaults), and the
    # stages of a deadline are the schedule's alone (at 100k items the scan computed 2,902 (plan, deadline)
    # pairs' stages, a third of its own CPU, for ~140 distinct deadlines under the default schedule).
    stage_cache: dict[tuple[Schedule, date], Stages] = {}
    month_step = today.year * 100 + today.month
    month_day = {p: monthly_send_day(today=today, schedule=schedules[p], overrides=overrides) for p in monthly_plans}
    monthly_set = set(monthly_plans)
    answered = reported_this_month(today=today) if monthly_plans else set()
    sign_cache: dict[tuple[Schedule, date], tuple | None] = {}
    for item_id, plan_id, due, year, status, handed_at in items:
        s = settings[plan_id]
        # Who is responsible is the item's own lead and supporting rows (as for permissions and roundups).
        # The lead is chased while the item is (``outcomes.is_chased``); a supporting unit while its own
        # part is open and the plan chases parts (``notify_supporting``), on the same schedule as the lead.
        assigned = units.get(item_id, [])
        lead_chased = outcomes.is_chased(status)
        leads = [u for u, role in assigned if role == Role.LEAD] if lead_chased else []
        supports = [u for u, role in assigned if role == Role.SUPPORT] if s.notify_supporting else []
        if status == WorkItem.Status.AWAITING_SIGN and handed_at is not None:
            handed_on = timezone.localdate(handed_at)
            if (schedules[plan_id], handed_on) not in sign_cache:
                sign_cache[(schedules[plan_id], handed_on)] = sign_stage(
                    handed_on=handed_on, today=today, schedule=schedules[plan_id], overrides=overrides
                )
            stage = sign_cache[(schedules[plan_id], handed_on)]
            if stage:
                sign_by, step, day = stage
                for u in leads:
                    add(item_id, K.SIGN, sign_by, step, people.contacts.get(u, ()), R.LEAD, day, u, plan_id)
        if due is not None and due <= horizon:
            stages = stage_cache.get((schedules[plan_id], due))
            if stages is None:
                stages = stage_cache[(schedules[plan_id], due)] = deadline_stages(
                    due=due, today=today, schedule=schedules[plan_id], overrides=overrides
                )
            chased = [(u, R.LEAD) for u in leads] + [(u, R.SUPPORT) for u in supports]
            if stages.due_soon:
                step, day = stages.due_soon
                for u, role in chased:
                    add(item_id, K.DUE_SOON, due, step, people.contacts.get(u, ()), role, day, u, plan_id)
            if stages.overdue:
                step, day = stages.overdue
                for u, role in chased:
                    add(item_id, K.OVERDUE, due, step, people.contacts.get(u, ()), role, day, u, plan_id)
            if stages.coordinator and chased:
                # Once per item and deadline: the lead's overdue item, or else the first part left missing.
                add(item_id, K.ESCALATE_COORDINATOR, due, 0, people.coordinators.get(plan_id, ()), R.COORDINATOR,
                    stages.coordinator, None if lead_chased else chased[0][0], plan_id)
            if stages.leader:
                for u, _role in chased:
                    add(item_id, K.ESCALATE_LEADER, due, 0, people.leaders.get(u, ()), R.LEADER, stages.leader,
                        u, plan_id)
        if plan_id in monthly_set and year <= today.year and lead_chased:
            for u in leads:
                if (item_id, u) not in answered:
                    add(item_id, K.MONTHLY, None, month_step, people.contacts.get(u, ()), R.LEAD,
                        month_day[plan_id], u, plan_id)
            for u in supports:
                if (item_id, u) in answered:
                    continue
                add(item_id, K.MONTHLY, None, month_step, people.contacts.get(u, ()), R.SUPPORT,
                    month_day[plan_id], u, plan_id)
    return list(out.values())


def _of_items(rows: QuerySet, items_qs: QuerySet, item_ids: list[int]) -> QuerySet:
    """``rows`` (of a model with a ``work_item``) of these items: on PostgreSQL by the ids already read, as one
    array parameter (``= ANY``: an index probe per item, 0.3 s at 1M items), not by the items' query again as
    a subquery (its bitmap scan repeated, then merged with all 1.7M unit rows: 1.5-1.9 s of the tick's scan);
    elsewhere by the subquery."""
    if connection.vendor != "postgresql":
        return rows.filter(work_item__in=items_qs)
    column = f"{connection.ops.quote_name(rows.model._meta.db_table)}.{connection.ops.quote_name('work_item_id')}"
    return rows.extra(where=[f"{column} = ANY(%s)"], params=[item_ids])


def reminders_pending_counts(*, now: datetime, emails: Iterable[str] | None = None) -> dict[str, int]:
    """Each address (of ``emails``, when given) with pending reminders whose next attempt is due -> how many
    (a digest task's weight)."""
    rows = Reminder.objects.filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)
    if emails is not None:
        rows = rows.filter(email__among_text=list(emails))  # a tick's part: thousands, as one parameter
    return dict(rows.order_by().values_list("email").annotate(n=Count("pk")))


def reminders_pending_by_email(*, now: datetime) -> dict[str, set[int]]:
    """Each address with due pending reminders -> the items they cover, in one query (the dry run's read)."""
    out: dict[str, set[int]] = {}
    rows = (
        Reminder.objects.filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)
        .order_by("email", "work_item_id").values_list("email", "work_item_id").distinct()
    )
    for email, item_id in rows.iterator(chunk_size=5000):
        out.setdefault(email, set()).add(item_id)
    return out


def reminders_ready_to_send(*, email: str, now: datetime) -> QuerySet:
    """One recipient's pending reminders of the day, once one of them is due, with what the digest shows
    (lock them before sending).

    One digest per person per day: the rows a scan held until a later plan's send time today go out with
    the first of the day's rows that is due (the earliest send time of the person's plans), not in a
    second digest; while none is due, nothing is ready.
    """
    return reminders_ready_to_send_for(emails=[email], now=now)


def reminders_ready_to_send_for(*, emails: Iterable[str], now: datetime) -> QuerySet:
    """``reminders_ready_to_send`` for many recipients in one query (a digest task's addresses): each
    address's rows, once one of that address's rows is due, ordered by address, then as one digest shows them."""
    pending = Reminder.objects.filter(status=Reminder.Status.PENDING)
    tomorrow = timezone.make_aware(datetime.combine(timezone.localdate(now) + timedelta(days=1), time()))
    # The addresses with a due row first, by themselves (one more statement): right after the tick's
    # INSERT the table's statistics are stale, and a subquery or EXISTS was planned as one row, a nested
    # loop of seconds to a minute per hundred addresses.
    due = sorted(set(pending.filter(email__among_text=sorted(set(emails)), next_attempt_at__lte=now)
                     .values_list("email", flat=True)))
    return (
        pending.filter(email__among_text=due, next_attempt_at__lt=tomorrow)
        .select_related("work_item__plan").defer(*PLAN_DEFERRED)
        .order_by("email", "work_item__plan__title", "work_item__due_date", "work_item_id", "kind")
    )


def reminder_admin_list() -> QuerySet:
    return Reminder.objects.select_related("work_item__plan", "unit").defer(*PLAN_DEFERRED)



def calendar_years_status(*, today: date, overrides: Mapping[date, bool] | None = None) -> list[dict]:
    """For this year, next year and the plans' remaining years: where working days come from.

    ``source`` is ``official`` (chinese-calendar knows the year), ``entered`` (a coordinator
    entered days in the admin) or ``fallback`` (weekends and fixed-date holidays only).
    """
    if overrides is None:
        overrides = calendar_overrides(fresh=True)
    years = {today.year, today.year + 1}
    for first, last in Plan.objects.values_list("first_year", "last_year"):
        years.update(range(max(first, today.year), last + 1))
    return [{"year": y, "source": workdays.calendar_source(y, overrides)} for y in sorted(years)]
