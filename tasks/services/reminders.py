"""Reminders: scan by window, one digest per recipient queued in the outbox, resend, "remind now".

How "never twice, never lost" holds:

* The scan inserts one row per (item, kind, deadline in force, step, recipient) that is
  due by window; the unique key turns a repeated scan into a no-op (one INSERT ... ON
  CONFLICT DO NOTHING, whatever the number of rows).
* Queuing digests takes a digest task's recipients' due pending rows with ``SELECT ... FOR UPDATE SKIP
  LOCKED`` (one statement for the lot), queues each person's digest in the outbox (one message per
  channel that reaches the person, keyed by the digest) and marks the rows sent in the same
  transaction. A second worker, beat or retry finds them locked or already sent and queues nothing.
* Delivery is the outbox's (``tasks/notifications/``): its task per channel sends in batches, retries
  with backoff, and marks a message whose fate a crash left unknown 'uncertain' instead of resending it.
"""

from __future__ import annotations

import json
import logging
import operator
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, UUIDField, Value, When
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasks import workdays
from tasks.models import (
    CalendarOverride,
    Channel,
    Message,
    Reminder,
    ReminderRun,
    Role,
    WorkItem,
    WorkItemUnit,
)
from tasks.notifications.links import url_signer
from tasks.notifications.rendering import Words, render
from tasks.notifications.routing import personal_routes
from tasks.notifications.services import DeliverySummary, MessageSpec, messages_queue, outbox_deliver
from tasks.rules import outcomes, support
from tasks.rules.actions import Act
from tasks.rules.deadlines import calendar_years, workdays_left
from tasks.selectors.calendar import calendar_overrides, forget_calendar_overrides
from tasks.selectors.guard import authorize_plans
from tasks.selectors.reminders import (
    ReminderCandidate,
    reminder_recipients,
    reminder_settings_for,
    reminders_due,
    reminders_pending_counts,
    reminders_ready_to_send_for,
)
from tasks.services.enqueue import enqueue_after_commit

log = logging.getLogger(__name__)
K = Reminder.Kind
St = Reminder.Status
# Beyond this many items a digest lists the first ones and points to the site for the rest.
DIGEST_ITEM_LIMIT = 300


# ---------------------------------------------------------------- inserting rows


_INSERT_FIELDS = ["work_item", "kind", "deadline", "step", "email", "role", "scheduled_for", "unit", "next_attempt_at"]
_CONST_FIELDS = ["status", "attempts", "last_error", "created_at"]


_KEY_ORDER = operator.itemgetter(0, 1, 3, 4)  # a candidate's (work_item_id, kind, step, email)


class _Written(dict):
    """``value -> write(value)``, each value written once (``given``: values written already)."""

    def __init__(self, write, given: dict | None = None):
        super().__init__(given or {})
        self.write = write

    def __missing__(self, value):
        written = self[value] = self.write(value)
        return written


def _insert_reminders(
    candidates: list[ReminderCandidate], *, now: datetime, release: Mapping[int, datetime] | None = None
) -> int:
    """Insert the rows not yet present; one statement for any number of rows. Returns rows inserted.

    A row is held until ``release[plan]`` (its plan's send time today, see ``reminders_tick``) or ``now``.
    The rows travel as one JSON parameter: a plain bulk_create would need a thousand
    INSERTs for 100,000 rows on SQLite (999 parameters per statement).
    """
    if not candidates:
        return 0
    release = release or {}

    def held(c: ReminderCandidate) -> datetime:
        return max(now, release.get(c.plan_id, now))

    meta = Reminder._meta
    q = connection.ops.quote_name
    columns = ", ".join(q(meta.get_field(f).column) for f in _INSERT_FIELDS + _CONST_FIELDS)
    table = q(meta.db_table)
    if connection.vendor == "postgresql":
        stamp = lambda at: at.isoformat()  # noqa: E731 - timestamptz takes the offset
    else:
        stamp = connection.ops.adapt_datetimefield_value
    # A day's scan is ~150,000 rows of a few hundred plans and dates: each plan's release time and each date
    # written once (``_Written``), not once per row (the per-row ``isoformat`` and ``max`` were a sixth of
    # the tick's own CPU at a province's size).
    text = _Written(lambda day: day.isoformat(), {None: None})
    held_text = _Written(lambda plan_id: stamp(max(now, release.get(plan_id, now))))
    payload = json.dumps(
        [
            [c.work_item_id, c.kind, text[c.deadline], c.step, c.email, c.role, text[c.scheduled_for], c.unit_id,
             held_text[c.plan_id]]
            # In the unique key's order: the index pages are then visited in turn, not at random.
            for c in sorted(candidates, key=_KEY_ORDER)
        ]
    )
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} ({columns}) "
            "SELECT (r->>0)::bigint, r->>1, (r->>2)::date, (r->>3)::integer, r->>4, r->>5, (r->>6)::date, "
            "(r->>7)::bigint, (r->>8)::timestamptz, "
            "%s, 0, '', %s FROM jsonb_array_elements(%s::jsonb) AS r ON CONFLICT DO NOTHING"
        )
        params = [St.PENDING, now, payload]
    elif connection.vendor == "sqlite":
        cols = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(_INSERT_FIELDS)))
        sql = f"INSERT OR IGNORE INTO {table} ({columns}) SELECT {cols}, %s, 0, '', %s FROM json_each(%s)"
        params = [St.PENDING, connection.ops.adapt_datetimefield_value(now), payload]
    else:  # pragma: no cover - other backends: correct, just more statements
        before = Reminder.objects.count()
        Reminder.objects.bulk_create(
            [
                Reminder(work_item_id=c.work_item_id, kind=c.kind, deadline=c.deadline, step=c.step, email=c.email,
                         role=c.role, scheduled_for=c.scheduled_for, unit_id=c.unit_id, next_attempt_at=held(c),
                         created_at=now)
                for c in candidates
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        return Reminder.objects.count() - before
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


# Addresses per digest task: each task renders their digests, queues them in the outbox and kicks each
# channel's delivery once (one task per address made one delivery run per digest: no batches).
DIGESTS_PER_TASK = 100
# And due rows per task, about: a coordinator's digest covers hundreds of items (a province's 90 region
# coordinators, ~550 rows each, sort together: one task of 49,000 rows held one worker for 20 s or more).
DIGEST_ROWS_PER_TASK = 2000


def _digest_chunks(weights: Mapping[str, int]) -> list[list[str]]:
    """The addresses in address order, cut into digest tasks of at most DIGESTS_PER_TASK addresses and about
    DIGEST_ROWS_PER_TASK due rows (an address heavier than that is a task of its own); heaviest first, so
    the longest tasks do not end the day on one worker while the other waits."""
    chunks: list[tuple[int, list[str]]] = []
    chunk: list[str] = []
    rows = 0
    for email in sorted(weights):
        weight = max(1, weights[email])
        if chunk and (len(chunk) >= DIGESTS_PER_TASK or rows + weight > DIGEST_ROWS_PER_TASK):
            chunks.append((rows, chunk))
            chunk, rows = [], 0
        chunk.append(email)
        rows += weight
    if chunk:
        chunks.append((rows, chunk))
    return [c for _rows, c in sorted(chunks, key=lambda rc: -rc[0])]


def _enqueue_digests(emails: Iterable[str] | Mapping[str, int]) -> list[str]:
    """Queue the digest tasks (``_digest_chunks``; ``emails`` with their due rows, or without: one each)
    after the transaction commits; returns the addresses, sorted."""
    weights = emails if isinstance(emails, Mapping) else dict.fromkeys(emails, 1)
    for chunk in _digest_chunks(weights):
        enqueue_after_commit("reminders_send_digests", chunk)
    return sorted(weights)


# ---------------------------------------------------------------- scanning


@dataclass
class ScanResult:
    today: date
    plan_ids: list[int] = field(default_factory=list)
    due: int = 0  # reminders due by window (already made or not)
    created: int = 0  # rows inserted by this scan
    day_off: bool = False
    emails: list[str] = field(default_factory=list)  # addresses queued for a digest

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "plans": self.plan_ids,
            "due": self.due,
            "created": self.created,
            "day_off": self.day_off,
            "queued": len(self.emails),
        }


def reminders_scan(
    *, today: date, now: datetime | None = None, plan_ids: list[int] | None = None, overrides=None, settings=None,
    hold: bool = False,
) -> ScanResult:
    """Make the reminder rows due on ``today`` for ``plan_ids`` (all enabled plans when None).

    Idempotent: a second scan on the same day inserts nothing. Records a ReminderRun
    per plan so the beat does not scan it again that day. With ``hold`` (the beat's scan), each row
    waits for its plan's send time today (``Reminder.next_attempt_at``): a person whose digest goes out
    earlier for another plan takes it along (``reminders_ready_to_send``).
    """
    now = now or timezone.now()
    if settings is None:
        settings = reminder_settings_for(plan_ids=plan_ids)
    if overrides is None:
        overrides = calendar_overrides(fresh=True)
    ids = [p for p, s in settings.items() if s.enabled and (plan_ids is None or p in plan_ids)]
    result = ScanResult(today=today, plan_ids=ids)
    with transaction.atomic():
        candidates = reminders_due(today=today, plan_ids=ids, settings=settings, overrides=overrides)
        result.due = len(candidates)
        release = {p: send_time_on(today, settings[p].send_time) for p in ids} if hold else None
        result.created = _insert_reminders(candidates, now=now, release=release)
        ReminderRun.objects.bulk_create(
            [ReminderRun(plan_id=p, day=today, started_at=now) for p in ids], ignore_conflicts=True
        )
    return result


def _claim_runs(*, plan_ids: list[int], day: date, now: datetime) -> list[int]:
    """Claim today's scan of each plan (its ReminderRun row); returns the plans this call claimed.

    One ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` for all plans, not a get_or_create per plan
    (four statements each: a province's 630 plans made the tick's cost grow with the plans). It blocks
    on a concurrent tick's uncommitted claim of the same row, then skips it: exactly one tick scans.
    """
    if not plan_ids:
        return []
    if connection.vendor not in ("postgresql", "sqlite"):  # pragma: no cover - other backends
        claimed = []
        for plan_id in plan_ids:
            _, created = ReminderRun.objects.get_or_create(plan_id=plan_id, day=day, defaults={"started_at": now})
            if created:
                claimed.append(plan_id)
        return claimed
    table = connection.ops.quote_name(ReminderRun._meta.db_table)
    values = ", ".join(["(%s, %s, %s, 0)"] * len(plan_ids))
    params: list = []
    for plan_id in plan_ids:
        params += [plan_id, connection.ops.adapt_datefield_value(day), connection.ops.adapt_datetimefield_value(now)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (plan_id, day, started_at, created_count) VALUES {values} "
            f"ON CONFLICT (plan_id, day) DO NOTHING RETURNING plan_id",
            params,
        )
        return sorted(row[0] for row in cursor.fetchall())


def send_time_on(day: date, send_time) -> datetime:
    """A plan's send time on ``day``, in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, send_time))


# The tick commits a large scan's rows in this many parts, each part every row of its addresses (a person's
# rows of the day are never split: one digest), and queues each part's digest tasks as it commits: the workers
# compose and deliver the first digests while the tick still inserts the rest (a province's scan is ~150,000
# rows: the workers waited for all of them). A scan of fewer rows than TICK_PART_MIN_ROWS is one part.
TICK_PARTS = 6
TICK_PART_MIN_ROWS = 2000


def _parts_by_address(candidates: list[ReminderCandidate]) -> list[list[ReminderCandidate]]:
    """``candidates`` in at most TICK_PARTS parts of about equal rows, all of an address's in one part."""
    by_email: dict[str, list[ReminderCandidate]] = defaultdict(list)
    for c in candidates:
        by_email[c.email].append(c)
    n = min(TICK_PARTS, max(1, len(candidates) // TICK_PART_MIN_ROWS))
    size = -(-len(candidates) // n) if candidates else 0
    parts: list[list[ReminderCandidate]] = [[]]
    for email in sorted(by_email):
        if len(parts[-1]) >= size and len(parts) < n:
            parts.append([])
        parts[-1] += by_email[email]
    return parts


def reminders_tick(*, now: datetime) -> ScanResult:
    """What the beat runs every quarter hour.

    One digest per person per day across all of their plans and roles, at the earliest send time of
    those plans: on a working day, once the earliest send time of the enabled plans has passed, every
    enabled plan not yet scanned today is scanned (the ReminderRun row is the claim: two beats cannot
    both scan a plan), each row held until its own plan's send time. Then every address with a reminder
    whose time has come (new, retry due, or a task lost with a dead worker) gets a digest task, and the
    digest takes all of the address's rows of the day, the held ones too: whoever has a row of an 08:30
    plan gets everything at 08:30, once; whoever has rows of 10:00 plans only, at 10:00.

    A large scan is committed in parts (``TICK_PARTS``), each with all the rows of its addresses, and each
    part's digests are queued at its commit, so that delivery starts while the tick runs. The plans are
    claimed with the last part: a tick that dies before leaves them unclaimed, and the next tick scans them
    again, inserting only what is missing (the rows' unique key; a part's digests already went out once).
    """
    today = timezone.localdate(now)
    local_time = timezone.localtime(now).time()
    overrides = calendar_overrides(fresh=True)
    result = ScanResult(today=today)
    if not workdays.is_workday(today, overrides):
        result.day_off = True
        return result
    settings = reminder_settings_for()
    enabled = [p for p, s in settings.items() if s.enabled]
    ready = enabled if any(settings[p].send_time <= local_time for p in enabled) else []
    done = set(ReminderRun.objects.filter(day=today, plan_id__in=ready).values_list("plan_id", flat=True))
    todo = [p for p in ready if p not in done]
    parts: list[list[ReminderCandidate]] = [[]]
    release = {p: send_time_on(today, settings[p].send_time) for p in todo}
    if todo:
        parts = _parts_by_address(reminders_due(today=today, plan_ids=todo, settings=settings, overrides=overrides))
    queued: list[str] = []
    created = 0
    for part in parts[:-1]:
        with transaction.atomic():
            created += _insert_reminders(part, now=now, release=release)
            # This part's addresses with a due pending row (a row of the scan that was there already, sent,
            # counts for nothing: a digest task for it would find no row).
            queued += _enqueue_digests(reminders_pending_counts(now=now, emails=sorted({c.email for c in part})))
    with transaction.atomic():
        claimed = _claim_runs(plan_ids=todo, day=today, now=now)
        if claimed:
            created += _insert_reminders(parts[-1], now=now, release=release)
            result.plan_ids, result.due, result.created = claimed, sum(map(len, parts)), created
        # Every other address with a due row (this part's, a retry, a task lost with a dead worker).
        skip = set(queued)
        rest = {e: n for e, n in reminders_pending_counts(now=now).items() if e not in skip}
        result.emails = sorted(queued + _enqueue_digests(rest))
    return result


# ---------------------------------------------------------------- sending


@dataclass
class DigestOutcome:
    email: str
    sent: bool = False  # queued in the outbox (delivery is the outbox's)
    reminders: int = 0
    item_ids: set[int] = field(default_factory=set)
    cancelled: int = 0
    channels: list[str] = field(default_factory=list)
    digest: uuid.UUID | None = None
    error: str = ""  # the digest could not be composed (its rows stay pending, tried again at the next tick)

    def as_dict(self) -> dict:
        return {
            "email": self.email,
            "sent": self.sent,
            "reminders": self.reminders,
            "items": len(self.item_ids),
            "cancelled": self.cancelled,
            "channels": self.channels,
            **({"error": self.error} if self.error else {}),
        }


@dataclass(frozen=True)
class _Part:
    """An item's unit as a digest needs it (one row of a values query, not a WorkItemUnit and its Unit:
    a coordinator's digest covers hundreds of items, and building the two model instances per unit was
    most of a digest task's time at a province's size)."""

    unit_id: int
    role: str
    done: bool  # 配合到位 (support_done_at set)
    unit_name: str


def _parts(item: WorkItem) -> list[_Part]:
    """``item``'s units in their order, as loaded by ``_load_parts`` (else from its assignments)."""
    parts = getattr(item, "_digest_parts", None)
    if parts is None:
        parts = item._digest_parts = [
            _Part(a.unit_id, a.role, a.support_done_at is not None, a.unit.name) for a in item.assignments.all()
        ]
    return parts


def _load_parts(items: dict[int, WorkItem]) -> None:
    """Every item's units in one query, as light rows (``_parts``)."""
    parts: dict[int, list[_Part]] = defaultdict(list)
    rows = (WorkItemUnit.objects.filter(work_item__among=list(items)).order_by("work_item_id", "position", "pk")
            .values_list("work_item_id", "unit_id", "role", "support_done_at", "unit__name"))
    for item_id, unit_id, role, done_at, name in rows:
        parts[item_id].append(_Part(unit_id, role, done_at is not None, name))
    for pk, item in items.items():
        item._digest_parts = parts.get(pk, [])


# What composing a digest reads of a reminder, its item and its plan: one row of a values query each, made
# into the light objects below (building a Reminder, a WorkItem and a Plan instance per row was a tenth of a
# digest task's time: a coordinator's digest covers hundreds of rows).
_DIGEST_FIELDS = (
    "id", "work_item_id", "kind", "deadline", "email", "unit_id",
    "work_item__plan_id", "work_item__text", "work_item__due_date", "work_item__status", "work_item__recurring",
    "work_item__plan__title",
)


class _DigestPlan:
    """A plan as a digest shows it (its title)."""

    __slots__ = ("pk", "id", "title")

    def __init__(self, pk: int, title: str):
        self.pk = self.id = pk
        self.title = title


class _DigestItem:
    """A work item as a digest reads it (what ``_stale_reason`` and ``digest_context`` use of a WorkItem)."""

    __slots__ = ("pk", "id", "plan_id", "plan", "text", "due_date", "status", "recurring", "_digest_parts")

    def __init__(self, pk, plan, text, due_date, status, recurring):
        self.pk = self.id = pk
        self.plan_id, self.plan = plan.pk, plan
        self.text, self.due_date, self.status, self.recurring = text, due_date, status, recurring


class _DigestRow:
    """A due reminder as a digest reads it (what the composing code uses of a Reminder)."""

    __slots__ = ("pk", "id", "work_item_id", "work_item", "kind", "deadline", "email", "unit_id")

    def __init__(self, pk, item, kind, deadline, email, unit_id):
        self.pk = self.id = pk
        self.work_item_id, self.work_item = item.pk, item
        self.kind, self.deadline, self.email, self.unit_id = kind, deadline, email, unit_id

    def get_kind_display(self) -> str:
        return str(K(self.kind).label)


def _digest_rows(queryset) -> list[_DigestRow]:
    """The locked rows of ``queryset`` (in its order) as light objects; an item and a plan is one object however
    many rows name it."""
    plans: dict[int, _DigestPlan] = {}
    items: dict[int, _DigestItem] = {}
    rows = []
    for (pk, item_id, kind, deadline, email, unit_id, plan_id, text, due_date, status, recurring,
         title) in queryset.values_list(*_DIGEST_FIELDS):
        item = items.get(item_id)
        if item is None:
            plan = plans.get(plan_id)
            if plan is None:
                plan = plans[plan_id] = _DigestPlan(plan_id, title)
            item = items[item_id] = _DigestItem(item_id, plan, text, due_date, status, recurring)
        rows.append(_DigestRow(pk, item, kind, deadline, email, unit_id))
    return rows


def _chased_part(reminder: Reminder) -> _Part | None:
    """The supporting part a reminder chases (its unit's supporting row on the item), or None when it
    chases the item itself (the lead, the coordinators of an overdue item)."""
    if reminder.unit_id is None:
        return None
    return next(
        (a for a in _parts(reminder.work_item) if a.unit_id == reminder.unit_id and a.role == Role.SUPPORT),
        None,
    )


def _stale_reason(reminder: Reminder) -> str:
    item = reminder.work_item
    part = _chased_part(reminder)
    if part is not None:  # a supporting part is the unit's own: the lead asking to close does not close it
        if item.status == WorkItem.Status.DONE:
            return _("事项已办结")
        if item.status == WorkItem.Status.WAIVED:
            return _("事项已豁免")
        if not support.part_is_chased(item_status=item.status, done=part.done):
            return _("配合单位已确认配合到位")
        dated = {K.DUE_SOON, K.OVERDUE, K.ESCALATE_COORDINATOR, K.ESCALATE_LEADER}
        if reminder.kind in dated and reminder.deadline != item.due_date:
            return _("期限已变更")
        return ""
    if item.status == WorkItem.Status.DONE:
        return _("事项已办结")
    if item.status == WorkItem.Status.WAIVED:
        return _("事项已豁免")
    if reminder.kind == K.SIGN and item.status != WorkItem.Status.AWAITING_SIGN:
        return _("事项已签收")
    if not outcomes.is_chased(item.status):
        return _("事项已申请办结，待审核")
    dated = {K.DUE_SOON, K.OVERDUE, K.ESCALATE_COORDINATOR, K.ESCALATE_LEADER}
    if reminder.kind in dated and reminder.deadline != item.due_date:
        return _("期限已变更")
    return ""


def reminder_digest_send(
    *, email: str, now: datetime | None = None, today: date | None = None, kick: bool = True
) -> DigestOutcome:
    """Queue ``email`` one digest of all its due pending reminders in the outbox, at most once
    (``reminder_digests_send`` for one address)."""
    return reminder_digests_send(emails=[email], now=now, today=today, kick=kick)[0]


def reminder_digests_send(
    *, emails: list[str], now: datetime | None = None, today: date | None = None, kick: bool = True
) -> list[DigestOutcome]:
    """Queue each of ``emails`` one digest of all its due pending reminders in the outbox, at most once;
    one outcome per address, in order. Each channel's delivery is kicked once for all of them.

    Locks the rows (skipping rows another worker holds), drops reminders whose item was closed or whose
    deadline moved since the scan, queues one message per channel that reaches each person
    (``notifications.routing``), and marks the rows in the same transaction. Never queues an empty digest.
    A constant number of statements for the lot (the rows, their items' units, the people, the outbox's
    insert, the marks), whatever the number of addresses: only the rendering is per person.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    emails = list(dict.fromkeys(emails))
    outcomes = {email: DigestOutcome(email=email) for email in emails}
    with transaction.atomic():
        rows = _digest_rows(reminders_ready_to_send_for(emails=emails, now=now)
                            .select_for_update(skip_locked=True, of=("self",)))
        # An item due to several of these addresses is one object (its units fetched once, in one query).
        _load_parts({r.work_item_id: r.work_item for r in rows})
        live: dict[str, list[_DigestRow]] = defaultdict(list)
        cancelled: dict[str, list[int]] = defaultdict(list)  # why -> rows
        for r in rows:
            reason = _stale_reason(r)
            if reason:
                outcomes[r.email].cancelled += 1
                cancelled[reason].append(r.pk)
            else:
                live[r.email].append(r)
        for reason, pks in cancelled.items():  # one UPDATE per reason (a handful), not per row
            Reminder.objects.filter(pk__in=pks).update(status=St.CANCELLED, last_error=reason, next_attempt_at=None)
        if not live:
            return list(outcomes.values())
        people = _people_for(list(live))
        specs: list[MessageSpec] = []
        digests: dict[str, uuid.UUID] = {}
        shared: dict = {}  # what every digest of the lot shows alike: signed links, labels
        for email, mine in list(live.items()):
            digest = uuid.uuid4()
            try:
                mine_specs = digest_messages(email=email, reminders=mine, today=today, digest=digest,
                                             person=people.get(email.lower()), shared=shared)
            except Exception as exc:  # one person's digest that cannot be rendered holds back no one else's
                log.exception("reminder digest for %s not composed; its rows stay pending", email)
                outcomes[email].error = f"{type(exc).__name__}: {exc}"[:300]
                del live[email]
                continue
            digests[email] = digest
            specs += mine_specs
            o = outcomes[email]
            o.sent, o.digest, o.channels = True, digest, [spec.channel for spec in mine_specs]
            o.reminders, o.item_ids = len(mine), {r.work_item_id for r in mine}
        if not live:
            return list(outcomes.values())
        messages_queue(specs=specs, now=now, kick=kick)
        _mark_sent({email: [r.pk for r in mine] for email, mine in live.items()}, digests, now=now)
    return list(outcomes.values())


def _mark_sent(ids: dict[str, list[int]], digests: dict[str, uuid.UUID], *, now: datetime) -> None:
    """Mark each address's rows (``ids``) sent with its digest: one statement on PostgreSQL (the pairs as
    one JSON parameter, joined: a CASE of a hundred addresses was evaluated row by row, 0.2-0.3 s a
    task), else one per 5,000 rows with a CASE on the address."""
    if connection.vendor == "postgresql":
        digest_of = {pk: digests[email] for email, pks in ids.items() for pk in pks}
        table = connection.ops.quote_name(Reminder._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS r SET status = %s, sent_at = %s, attempts = r.attempts + 1, last_error = '', "
                "next_attempt_at = NULL, digest = (d->>1)::uuid "
                "FROM jsonb_array_elements(%s::jsonb) AS d WHERE r.id = (d->>0)::bigint",
                [St.SENT, now, json.dumps([[pk, str(digest)] for pk, digest in digest_of.items()])],
            )
        return
    _update_in_chunks(
        [pk for pks in ids.values() for pk in pks], status=St.SENT, sent_at=now, attempts=F("attempts") + 1,
        last_error="", next_attempt_at=None,
        digest=Case(*[When(email=e, then=Value(d)) for e, d in digests.items()], output_field=UUIDField()),
    )


def _update_in_chunks(ids: list[int], *, extra: dict | None = None, **values) -> int:
    n = 0
    for i in range(0, len(ids), 5000):
        n += Reminder.objects.filter(pk__in=ids[i : i + 5000], **(extra or {})).update(**values)
    return n


SECTIONS = [
    # key, title, kinds (an item shows once, in the first section one of its reminders belongs to)
    ("manual", gettext_lazy("专班催办"), [K.MANUAL]),
    ("overdue", gettext_lazy("已逾期"), [K.ESCALATE_LEADER, K.ESCALATE_COORDINATOR, K.OVERDUE]),
    ("sign", gettext_lazy("交办事项逾期未签收"), [K.SIGN]),
    ("due_soon", gettext_lazy("即将到期"), [K.DUE_SOON]),
    ("monthly", gettext_lazy("请填报本月工作进展"), [K.MONTHLY]),
]


OVERSIGHT_KINDS = frozenset({Reminder.Kind.ESCALATE_COORDINATOR, Reminder.Kind.ESCALATE_LEADER})

# The markdown digest lists this many items of a section (the rest as "另有 N 项").
MARKDOWN_SECTION_ITEMS = 10


def _chars(text: str, n: int) -> str:
    """``Truncator(text).chars(n)``: the text itself when it is short and in NFC already, as most items' are
    (the Truncator costs ~25 µs a call, twice per item of every digest: seconds of a reminder day)."""
    if len(text) <= n and unicodedata.is_normalized("NFC", text):
        return text
    return Truncator(text).chars(n)


def _month_day(day: date) -> str:
    """``day`` as the template filter ``date:"n月j日"`` shows it."""
    return f"{day.month}月{day.day}日"


def digest_context(*, email: str, reminders: list[Reminder], today: date, shared: dict | None = None) -> dict:
    """The data of one digest: plans, each with its sections and items, and the counts.

    ``shared``: a dict kept across the digests of one lot (a digest task's), where the signed links and
    the translated labels are kept once made (the same item is in many people's digests)."""
    shared = {} if shared is None else shared
    links = shared.setdefault("links", {})
    sign = shared.get("sign") or shared.setdefault("sign", url_signer())  # signed_url, its route read once a lot
    labels = shared.setdefault("labels", {})
    _ = Words.of(shared).gettext  # each note's sentence read from the catalogue once per lot
    overrides = calendar_overrides(years=calendar_years(today, *(r.work_item.due_date for r in reminders)))
    by_item: dict[int, list[Reminder]] = defaultdict(list)
    for r in reminders:
        by_item[r.work_item_id].append(r)
    plans: dict[int, dict] = {}
    counts: dict[str, int] = defaultdict(int)
    shown = 0
    for rows in by_item.values():
        item = rows[0].work_item
        kinds = {r.kind for r in rows}
        key, title, _section_kinds = next(sec for sec in SECTIONS if kinds & set(sec[2]))
        counts[key] += 1
        if shown >= DIGEST_ITEM_LIMIT:
            continue
        shown += 1
        plan = plans.setdefault(item.plan_id, {"plan": item.plan, "sections": {}})
        section = plan["sections"].get(key)
        if section is None:
            section = plan["sections"][key] = {"key": key, "title": str(title), "items": []}
        due = item.due_date
        chased_parts = [_chased_part(r) for r in rows]
        part_units = "、".join(sorted({p.unit_name for p in chased_parts if p is not None}))
        if due is not None and all(p is not None for p in chased_parts):
            # Only supporting parts are chased here (配合): their own deadline, not the lead's status.
            if support.support_outcome(due_date=due, done_on=None, as_of=today) == support.SupportOutcome.MISSING:
                note = _("%(units)s的配合部分已逾期 %(n)s 天，完成后请确认配合到位") % {
                    "units": part_units, "n": outcomes.days_overdue(due=due, today=today)}
            elif due == today:
                note = _("%(units)s的配合部分今天到期") % {"units": part_units}
            else:
                note = _("%(units)s的配合部分还有 %(n)s 个工作日") % {
                    "units": part_units, "n": workdays_left(today=today, due=due, overrides=overrides)}
        elif due is None:
            note = _("常态化推进") if item.recurring else _("未设期限")
        elif outcomes.is_overdue(status=item.status, due=due, today=today):
            note = _("已逾期 %(n)s 天") % {"n": outcomes.days_overdue(due=due, today=today)}
        elif due == today:
            note = _("今天到期")
        else:
            note = _("还有 %(n)s 个工作日") % {"n": workdays_left(today=today, due=due, overrides=overrides)}
        if key == "sign":
            note = _("交办后逾期未签收，请登录系统签收") + "；" + note
        assignments = _parts(item)
        # A signed link to the item, or to the 签收 confirm page (two taps: the link, the button).
        purpose = "sign" if key == "sign" else "item"
        url = links.get((purpose, item.pk))
        if url is None:
            url = links[purpose, item.pk] = sign(purpose, item.pk)
        for r in rows:
            if r.kind not in labels:
                labels[r.kind] = str(r.get_kind_display())
        # The markdown (DingTalk, 浙政钉) shows a section's first ten items, shorter: made for those only.
        in_markdown = len(section["items"]) < MARKDOWN_SECTION_ITEMS
        section["items"].append(
            {
                "item": item,
                # Formatted once here, shown by the text and the HTML alike (in Python: a template filter per
                # item and form was most of the rendering's time).
                "text": _chars(item.text, 120),
                "due_text": due.isoformat() if due else "",
                "short_text": _chars(item.text, 40) if in_markdown else "",
                "due_short": _month_day(due) if due and in_markdown else "",
                "url": url,
                "due": due,
                "note": note,
                "leads": "、".join(a.unit_name for a in assignments if a.role == Role.LEAD),
                "supports": "、".join(a.unit_name for a in assignments if a.role == Role.SUPPORT),
                "why": "、".join(sorted({labels[r.kind] for r in rows})),
            }
        )
    order = [s[0] for s in SECTIONS]
    plan_list = [
        {"plan": p["plan"], "sections": sorted(p["sections"].values(), key=lambda s: order.index(s["key"]))}
        for p in sorted(plans.values(), key=lambda p: p["plan"].title)
    ]
    total = len(by_item)
    return {
        "email": email,
        "today": today,
        # As the templates' ``date:"Y年n月j日"`` and ``date:"n月j日"`` wrote them (once, not per form).
        "today_text": f"{today.year}年{_month_day(today)}",
        "today_short": _month_day(today),
        "plans": plan_list,
        "counts": dict(counts),
        "total": total,
        "hidden": total - shown,
        "site_url": django_settings.SITE_URL,
        # Escalations only (a 分管领导, the 专班): they follow the units up, they do not report or close.
        "oversees": all(r.kind in OVERSIGHT_KINDS for r in reminders),
    }


def digest_subject(counts: dict[str, int]) -> str:
    parts = [
        _("%(title)s%(n)s项") % {"title": title, "n": counts[key]} for key, title, _kinds in SECTIONS if counts.get(key)
    ]
    return _("【住有宜居】工作提醒：%(parts)s") % {"parts": "，".join(parts)}


def _people_for(emails: list[str]) -> dict:
    """Lower-cased address -> the active account with it (case-insensitive, the oldest account of an
    address), profile loaded; one query. A unit's shared mailbox has none."""
    found = {}
    users = (get_user_model().objects.annotate(email_lower=Lower("email"))
             .filter(email_lower__among_text=sorted({e.lower() for e in emails}), is_active=True)
             .select_related("profile").order_by("-pk"))
    for user in users:
        found[user.email_lower] = user  # ordered newest first: the oldest wins
    return found


_NOBODY = object()


def _person_for(email: str):
    """The active account with this address, with its profile (None for a unit's shared mailbox)."""
    user = _people_for([email]).get(email.lower())
    return user, getattr(user, "profile", None) if user else None


def digest_routes(*, emails: list[str]) -> dict:
    """Each address -> the channels its digest would take (the dry run's read: two queries in all)."""
    users = {}
    for user in (get_user_model().objects.filter(is_active=True, email__in=emails)
                 .select_related("profile").order_by("-pk")):
        users[user.email.lower()] = user
    return {e: personal_routes(email=e, profile=getattr(users.get(e), "profile", None)) for e in emails}


def digest_messages(*, email: str, reminders: list[Reminder], today: date, digest: uuid.UUID,
                    person=_NOBODY, shared: dict | None = None) -> list[MessageSpec]:
    """The digest as one message per channel reaching ``email``'s owner: HTML and text by email, markdown
    for DingTalk and 浙政钉, a template's variables for SMS; all from templates, keyed by the digest.
    ``person``: the owner's account (None for a shared mailbox), when the caller looked it up already."""
    if person is _NOBODY:
        user, profile = _person_for(email)
    else:
        user, profile = person, getattr(person, "profile", None) if person else None
    routes = personal_routes(email=email, profile=profile)
    with translation.override("zh-hans"):
        shared = {} if shared is None else shared
        context = digest_context(email=email, reminders=reminders, today=today, shared=shared)
        subject = digest_subject(context["counts"])
        context.update(Words.of(shared).context())  # the forms' sentences, read once per lot
        rendered = {"subject": subject}
        # Jinja2 templates (tasks/jinja2/, tasks/notifications/rendering.py): rendering them in Django's engine
        # was most of a digest's time.
        text = render("tasks/email/reminder_digest.txt", context)
        html = render("tasks/email/reminder_digest.html", {**context, "subject": subject})
        markdown = sms = ""
        if any(r.channel in (Channel.DINGTALK, Channel.ZZD) for r in routes):
            markdown = render("tasks/notifications/reminder_digest.md.txt", {**context, **rendered})
        if any(r.channel == Channel.SMS for r in routes):
            sms = render("tasks/notifications/reminder_digest_sms.txt", context).strip()
    plan_ids = tuple(sorted({r.work_item.plan_id for r in reminders}))
    common = {"purpose": Message.Purpose.REMINDER_DIGEST, "subject": subject, "recipient_id": user and user.pk,
              "plan_ids": plan_ids, "group": digest}
    specs = []
    for route in routes:
        key = f"reminder:{digest}:{route.channel}"
        if route.channel == Channel.EMAIL:
            headers = {"Message-ID": f"<{digest.hex}@reminders.housing>", "X-Reminder-Digest": str(digest)}
            specs.append(MessageSpec(key=key, channel=route.channel, address=route.address, body=text, html=html,
                                     payload={"headers": headers}, note=route.note, **route.timing, **common))
        elif route.channel == Channel.SMS:
            params = {"count": str(context["total"]), "date": f"{today.month}月{today.day}日"}
            specs.append(MessageSpec(key=key, channel=route.channel, address=route.address, body=sms,
                                     payload={"template_params": params}, note=route.note, **route.timing, **common))
        else:
            specs.append(MessageSpec(key=key, channel=route.channel, address=route.address, body=markdown,
                                     payload={"markdown": markdown, "title": subject}, note=route.note,
                                     **route.timing, **common))
    return specs


@dataclass
class SendSummary:
    digests: int = 0
    recipients: set[str] = field(default_factory=set)
    items: set[int] = field(default_factory=set)
    outcomes: list[DigestOutcome] = field(default_factory=list)
    delivery: dict[str, DeliverySummary] = field(default_factory=dict)

    def add(self, outcome: DigestOutcome) -> None:
        self.outcomes.append(outcome)
        if outcome.sent:
            self.digests += 1
            self.recipients.add(outcome.email)
            self.items |= outcome.item_ids

    @property
    def emails(self) -> int:
        """Emails the SMTP server took in this run."""
        email = self.delivery.get(Channel.EMAIL)
        return email.counts[Message.State.SENT] if email else 0

    @property
    def failed(self) -> int:
        return sum(d.counts[s] for d in self.delivery.values()
                   for s in (Message.State.QUEUED, Message.State.FAILED, Message.State.GAVE_UP,
                             Message.State.UNCERTAIN))

    @property
    def errors(self) -> list[tuple[str, str]]:
        return [e for d in self.delivery.values() for e in d.errors]

    def line(self) -> str:
        return (
            f"sent {self.emails} emails to {len(self.recipients)} recipients covering {len(self.items)} items; "
            f"{self.failed} failed"
        )


def reminders_send_pending(*, now: datetime | None = None, today: date | None = None) -> SendSummary:
    """Queue every due digest and deliver the outbox's due messages now, in this process (the command's path)."""
    now = now or timezone.now()
    summary = SendSummary()
    for chunk in _digest_chunks(reminders_pending_counts(now=now)):
        for outcome in reminder_digests_send(emails=chunk, now=now, today=today):
            summary.add(outcome)
    channels = set(Message.objects.filter(state=Message.State.QUEUED, next_attempt_at__lte=now)
                   .values_list("channel", flat=True).distinct())
    for channel in sorted(channels):
        summary.delivery[channel] = outbox_deliver(channel=channel, now=now)
    return summary


# ---------------------------------------------------------------- coordinator actions


def reminders_send_now(*, work_item_ids: list[int], actor, today: date) -> int:
    """The coordinator's "remind now": a 'manual' reminder of each chased item to its lead unit's contacts.

    Items done or awaiting review are skipped (``outcomes.is_chased``). At most one per item,
    recipient and day (a second click the same day sends nothing). Returns the number of
    reminders queued; the digests go out after commit. Raises PermissionDenied unless ``actor``
    reviews every item's plan.
    """
    items = list(
        WorkItem.objects.filter(pk__in=work_item_ids, status__in=outcomes.CHASED_STATUSES)
        .values_list("pk", "plan_id", "due_date")
    )
    all_plans = set(WorkItem.objects.filter(pk__in=work_item_ids).values_list("plan_id", flat=True))
    authorize_plans(Act.CHASE, actor, all_plans)
    if not items:
        return 0
    plan_ids = sorted({item[1] for item in items})
    people = reminder_recipients(plan_ids=plan_ids, settings=reminder_settings_for(plan_ids=plan_ids))
    leads: dict[int, list[int]] = defaultdict(list)
    for item_id, unit_id in WorkItemUnit.objects.filter(
        work_item_id__in=[i[0] for i in items], role=Role.LEAD
    ).values_list("work_item_id", "unit_id"):
        leads[item_id].append(unit_id)
    step = today.year * 10000 + today.month * 100 + today.day
    candidates = {}
    for item_id, _plan, due in items:
        for unit_id in leads.get(item_id, []):
            for email in people.contacts.get(unit_id, ()):
                c = ReminderCandidate(item_id, K.MANUAL, due, step, email, Reminder.RecipientRole.LEAD, today,
                                      unit_id)
                candidates.setdefault(c.key, c)
    now = timezone.now()
    with transaction.atomic():
        created = _insert_reminders(list(candidates.values()), now=now)
        if created:
            _enqueue_digests({c.email for c in candidates.values()})
    return created


def reminders_resend(*, reminder_ids: list[int], actor, now: datetime | None = None) -> int:
    """Put failed reminders back in the queue with a fresh set of attempts; returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        qs = Reminder.objects.select_for_update().filter(pk__in=reminder_ids, status=St.FAILED)
        rows = list(qs.values_list("pk", "email", "work_item__plan_id"))
        if not rows:
            return 0
        authorize_plans(Act.CHASE, actor, {row[2] for row in rows})
        n = Reminder.objects.filter(pk__in=[r[0] for r in rows]).update(
            status=St.PENDING, attempts=0, next_attempt_at=now
        )
        _enqueue_digests({row[1] for row in rows})
    return n


# ---------------------------------------------------------------- calendar


def calendar_year_set(
    *, year: int, holidays: list[tuple[date, str]], workdays_: list[tuple[date, str]], actor=None
) -> int:
    """Replace ``year``'s entered days with these holidays and make-up working days (调休上班)."""
    errors = []
    days = [(d, False, n) for d, n in holidays] + [(d, True, n) for d, n in workdays_]
    wrong_year = sorted({day[0] for day in days if day[0].year != year})
    if wrong_year:
        errors.append(_("以下日期不在 %(year)s 年：%(days)s") % {"year": year, "days": ", ".join(map(str, wrong_year))})
    seen: dict[date, bool] = {}
    both = sorted({d for d, w, _ in days if seen.setdefault(d, w) != w})
    if both:
        errors.append(_("以下日期既是放假又是上班：%(days)s") % {"days": ", ".join(map(str, both))})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        CalendarOverride.objects.filter(day__year=year).delete()
        unique = {d: (w, n) for d, w, n in days}
        CalendarOverride.objects.bulk_create(
            [CalendarOverride(day=d, is_workday=w, name=n, created_by=actor) for d, (w, n) in sorted(unique.items())]
        )
        transaction.on_commit(forget_calendar_overrides)
    forget_calendar_overrides()
    return len(unique)

