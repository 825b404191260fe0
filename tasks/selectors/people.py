"""Reads about a unit's people: its liaisons and 分管领导 as accounts, their history, who may be replaced."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from tasks.models import PeopleChange, PersonRole, Profile, Unit

User = get_user_model()


@dataclass
class UnitPeople:
    liaisons: list[str] = field(default_factory=list)  # emails of active liaison accounts
    leaders: list[tuple[str, str]] = field(default_factory=list)  # (email, name) of active 分管领导 accounts


def unit_people(unit_ids: Iterable[int]) -> dict[int, UnitPeople]:
    """Each unit's active liaisons' and leaders' addresses, in one query (a unit without people is absent)."""
    out: dict[int, UnitPeople] = defaultdict(UnitPeople)
    rows = (Profile.objects.filter(unit_id__in=list(unit_ids), user__is_active=True).exclude(user__email="")
            .order_by("unit_id", "user_id").values_list("unit_id", "role", "user__email", "user__first_name"))
    for unit_id, role, email, name in rows:
        if role == PersonRole.LIAISON:
            out[unit_id].liaisons.append(email)
        elif role == PersonRole.LEADER:
            out[unit_id].leaders.append((email, name))
    return dict(out)


def unit_members(unit: Unit) -> QuerySet:
    """The unit's people (accounts whose profile names it), active first, with their latest invitation state."""
    return (User.objects.filter(profile__unit=unit).select_related("profile")
            .order_by("-is_active", "profile__role", "first_name", "pk"))


def unit_people_history(unit: Unit, *, limit: int = 50) -> list[PeopleChange]:
    return list(PeopleChange.objects.filter(unit=unit).select_related("person", "actor", "other")[:limit])


def possible_raisers(region_id: int) -> QuerySet:
    """Who may be named as having raised an item from a meeting or an instruction (``WorkItem.raised_by``):
    the active 分管领导 accounts of the region's units."""
    return (User.objects.filter(is_active=True, profile__role=PersonRole.LEADER, profile__unit__region_id=region_id)
            .select_related("profile__unit").order_by("profile__unit__name", "first_name", "pk"))
