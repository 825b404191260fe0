"""Who can be reached (the coordinators' "触达情况" page): the people of the units of a coordinator's plans,
each with the state of their last message on each channel, their last delivered message and recent failures.

One query for the page's rows, whatever their number (each figure is a correlated subquery on the person's
messages, served by the message table's recipient index), one for the count, one for the units with no one
to reach. ``problem_q`` is ``rules.reach.has_problem`` in SQL, for the page's filter (a test holds them to
each other).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import reduce
from operator import and_, or_

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from tasks.models import Message, Profile, Unit, WorkItemUnit
from tasks.rules import reach

# The profile's field for each personal channel's address (e-mail is the account's).
ADDRESS_FIELD = {reach.EMAIL: "user__email", reach.DINGTALK: "dingtalk_id", reach.ZZD: "zzd_id", reach.SMS: "mobile"}
DELIVERED = (Message.State.SENT, Message.State.DELIVERED)
FAILURE_DAYS = 30


def reach_units(*, plan_ids: Iterable[int] | None) -> QuerySet[Unit]:
    """The units of the plans (those holding a part, lead or supporting, of one of their items); every unit
    for a province-wide user (``plan_ids`` None)."""
    units = Unit.objects.exclude(kind=Unit.Kind.COLLECTIVE)
    if plan_ids is None:
        return units
    parts = WorkItemUnit.objects.filter(unit=OuterRef("pk"), work_item__plan_id__in=list(plan_ids))
    return units.filter(Exists(parts))


def _last(channel: str, field: str) -> Subquery:
    return Subquery(
        Message.objects.filter(recipient=OuterRef("user_id"), channel=channel)
        .order_by("-queued_at", "-pk").values(field)[:1]
    )


def reach_people(*, plan_ids: Iterable[int] | None, now: datetime) -> QuerySet[Profile]:
    """The active people of ``reach_units``, with ``<channel>_state`` / ``<channel>_error`` (their last message
    on each channel), ``last_delivered_at`` / ``last_delivered_channel`` and ``failures`` (messages failed,
    given up or uncertain in the last FAILURE_DAYS days)."""
    delivered = (
        Message.objects.filter(recipient=OuterRef("user_id"), state__in=DELIVERED, sent_at__isnull=False)
        .order_by("-sent_at", "-pk")
    )
    failures = (
        Message.objects.filter(recipient=OuterRef("user_id"), state__in=reach.FAILING_STATES,
                               queued_at__gte=now - timedelta(days=FAILURE_DAYS))
        .order_by().values("recipient").annotate(n=Count("pk")).values("n")
    )
    annotations = {}
    for c in reach.CHANNELS:
        annotations[f"{c}_state"] = _last(c, "state")
        annotations[f"{c}_error"] = _last(c, "last_error")
    return (
        Profile.objects.filter(user__is_active=True, unit__in=reach_units(plan_ids=plan_ids))
        .select_related("user", "unit")
        .annotate(
            **annotations,
            last_delivered_at=Subquery(delivered.values("sent_at")[:1]),
            last_delivered_channel=Subquery(delivered.values("channel")[:1]),
            failures=Coalesce(Subquery(failures, output_field=IntegerField()), Value(0)),
        )
        .order_by("unit__name", "user__username")
    )


def _channel_bad(channel: str) -> Q:
    return Q(**{ADDRESS_FIELD[channel]: ""}) | Q(**{f"{channel}_state__in": reach.FAILING_STATES})


def problem_q(*, configured: Iterable[str]) -> Q:
    """``rules.reach.has_problem`` in SQL: e-mail or a configured channel without an address or failing."""
    channels = [reach.EMAIL, *(c for c in reach.CHANNELS if c != reach.EMAIL and c in set(configured))]
    return reduce(or_, (_channel_bad(c) for c in channels))


def unreachable_q(*, configured: Iterable[str]) -> Q:
    """No channel works: e-mail and every configured channel lack an address or fail."""
    channels = [reach.EMAIL, *(c for c in reach.CHANNELS if c != reach.EMAIL and c in set(configured))]
    return reduce(and_, (_channel_bad(c) for c in channels))


def reach_worst_first(people: QuerySet[Profile], *, configured: Iterable[str]) -> QuerySet[Profile]:
    """``reach_people`` with who cannot be reached first, then who has a problem, then the rest (each by unit
    and account): the page opens on the people to fix before the deadlines, not on the first units by name."""
    rank = Case(When(unreachable_q(configured=configured), then=Value(0)),
                When(problem_q(configured=configured), then=Value(1)), default=Value(2), output_field=IntegerField())
    return people.annotate(reach_rank=rank).order_by("reach_rank", "unit__name", "user__username")


def units_without_people(*, plan_ids: Iterable[int] | None, limit: int = 100) -> tuple[list[Unit], int]:
    """The units of the plans with no active account to reach (only their shared mailbox, if any): the first
    ``limit`` by name and how many in all (two queries)."""
    people = Profile.objects.filter(unit=OuterRef("pk"), user__is_active=True)
    units = reach_units(plan_ids=plan_ids).filter(~Exists(people)).order_by("name")
    return list(units[:limit]), units.count()
