"""Write a previewed roster: every row or none. Accounts are made without a usable password and invited;
existing ones (matched by mobile, else by address) are brought in line; coordinators join the plan.

The preview is read again inside the transaction (``selectors.roster``) so the write and what the coordinator
saw agree on every error; a roster with any bad row writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tasks.importers.limits import Limits, read_spreadsheet
from tasks.importers.roster import COORDINATOR, ParsedRoster, parse_roster
from tasks.models import Plan
from tasks.rules.actions import Act
from tasks.selectors.guard import authorize
from tasks.selectors.roster import CREATE, UPDATE, RosterPreview, roster_preview

from .invitations import invitation_send
from .people import PersonSpec, person_create, person_update
from .plan_import import import_limits


class RosterRefused(ValueError):
    """Some rows are bad: nothing was written. ``preview`` holds every row with its errors."""

    def __init__(self, preview: RosterPreview):
        self.preview = preview
        super().__init__(f"{len(preview.bad)} 行有错误,未导入任何人员")


@dataclass
class RosterResult:
    preview: RosterPreview
    created: int = 0
    updated: int = 0
    invited: int = 0
    people: list = field(default_factory=list)


def roster_import(*, plan: Plan, parsed: ParsedRoster, actor=None, unit_choices: Mapping[int, int] | None = None,
                  at: datetime | None = None, dry_run: bool = False, invite: bool = True) -> RosterResult:
    """Import ``parsed`` into ``plan``'s region. ``actor`` None is the operator's command (no guard); a user
    must manage the plan's people (its coordinator). Raises ``RosterRefused`` if any row is bad."""
    at = at or timezone.now()
    if actor is not None:
        authorize(Act.MANAGE_PEOPLE, actor, plan)
    with transaction.atomic():
        preview = roster_preview(plan=plan, parsed=parsed, unit_choices=unit_choices, actor=actor)
        if not preview.ok:
            raise RosterRefused(preview)
        result = RosterResult(preview=preview)
        if dry_run:
            result.created, result.updated = preview.count(CREATE), preview.count(UPDATE)
            return result
        for row in preview.rows:
            r = row.source
            spec = PersonSpec(name=r.name, mobile=r.mobile, email=r.email, title=r.title, zzd_id=r.zzd_id,
                              dingtalk_id=r.dingtalk_id, role=r.role)
            if row.person is None:
                user = person_create(unit=row.unit, spec=spec, actor=actor, at=at)
                result.created += 1
            else:
                user = row.person
                if row.action == UPDATE:
                    person_update(user=user, unit=row.unit, spec=spec, actor=actor, at=at)
                    result.updated += 1
            if r.role == COORDINATOR:
                plan.coordinators.add(user)
            result.people.append(user)
            if invite and (row.person is None or not user.has_usable_password()):
                invitation_send(user=user, actor=actor, plan=plan, at=at, unit=row.unit)
                result.invited += 1
    return result


def roster_limits() -> Limits:
    """What reading one roster may cost: the plan import's caps, with ``ROSTER_MAX_SECONDS`` of time (the
    coordinator waits on the page)."""
    return replace(import_limits(), seconds=float(getattr(settings, "ROSTER_MAX_SECONDS", 20)))


def roster_read(data: bytes, *, filename: str) -> ParsedRoster:
    """An uploaded roster's rows, read within ``roster_limits`` in a child process (a WPS .et through
    LibreOffice among them): ``PlanParseError`` past a cap, ``RosterError`` when the sheet is no roster. The
    one way a roster file is read (the upload page, ``import_roster``)."""
    return parse_roster(read_spreadsheet(data, filename=filename, limits=roster_limits()))
