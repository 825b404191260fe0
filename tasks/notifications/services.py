"""The outbox's writes: queue messages, deliver a channel's due ones in batches, sweep, reconcile, requeue.

How "none lost, none twice" holds:

* Queuing is idempotent: ``Message.key`` is unique; queuing a key again is a no-op.
* Delivery claims a batch (``SELECT … FOR UPDATE SKIP LOCKED``, then state 'sending' with the time; on
  PostgreSQL both in one ``UPDATE … RETURNING``) and commits before talking to the provider, so no lock is
  held over the network and two workers never claim the same message. Results are recorded in small
  chunks as the adapter yields them, each chunk only where the message is still 'sending' (or marked
  'uncertain' by the sweep meanwhile).
* A worker that dies mid-batch leaves messages 'sending'. After NOTIFY_SENDING_TIMEOUT_SECONDS the sweep
  puts them back in the queue where the provider refuses a repeated id of ours (浙政钉's bizMsgId), and
  marks them 'uncertain' elsewhere (SMTP, DingTalk's asyncsend_v2): shown in the admin, never silently
  resent; a coordinator may requeue them.
* Transient errors count attempts with exponential backoff; after NOTIFY_MAX_ATTEMPTS the message is
  'gave_up'. A closed window (a muted robot) holds the message without counting an attempt.
* An invitation's link sets its account's password: its token stays in the stored message only while the
  outbox may still send it (queued, sending, a retry to come); once the message's fate is final (sent,
  delivered, failed, given up, uncertain, skipped) the body and parameters keep ``links.TOKEN_GONE`` in its
  place (``_forget_tokens``), so a later read of the table cannot use it. Such a message is not sent again
  by ``messages_requeue``: a new invitation is (the people page's 重新发送邀请).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks import stored_text as T
from tasks.models import Channel, Message
from tasks.services.enqueue import enqueue_after_commit

from .channels import ConfigurationError, Outcome, Result, adapter_for
from .channels.http import CallFailed
from .links import TOKEN_GONE, payload_without_tokens, without_tokens
from .quiet import is_quiet, next_opening

log = logging.getLogger(__name__)
S = Message.State
RECORD_CHUNK = 25  # results recorded per UPDATE round (an email batch is smaller: one round)
RECONCILE_AFTER = timedelta(seconds=60)  # ask for a send's result after this long
RECONCILE_WITHIN = timedelta(hours=24)  # DingTalk keeps a send's result for 24 hours
_RECORDED = ["state", "attempts", "provider_id", "last_error", "next_attempt_at", "sent_at", "delivered_at",
             "finished_at"]


_TOKEN_KEPT = (S.QUEUED, S.SENDING)  # the outbox may still send it: the body is needed


def _forget_tokens(rows: Iterable[Message]) -> int:
    """Blank the invitation tokens in ``rows``' stored body, HTML and parameters where their fate is final
    (``rows``' ``state`` as recorded); returns how many were rewritten. Other purposes carry no token: no
    statement unless an invitation is among ``rows``."""
    n = 0
    for m in rows:
        if m.purpose != Message.Purpose.INVITE or m.state in _TOKEN_KEPT:
            continue
        fields = {"body": without_tokens(m.body, TOKEN_GONE), "html": without_tokens(m.html, TOKEN_GONE),
                  "payload": payload_without_tokens(m.payload)}
        if any(getattr(m, k) != v for k, v in fields.items()):
            Message.objects.filter(pk=m.pk).update(**fields)
            for k, v in fields.items():
                setattr(m, k, v)
            n += 1
    return n


# ---------------------------------------------------------------- queuing


@dataclass(frozen=True)
class MessageSpec:
    """A message to queue. ``key`` names it once and for all (e.g. ``reminder:<digest>:email``)."""

    key: str
    purpose: str
    channel: str
    address: str
    subject: str
    body: str
    html: str = ""
    payload: dict = field(default_factory=dict)
    recipient_id: int | None = None
    robot_id: int | None = None
    plan_ids: tuple[int, ...] = ()
    group: uuid.UUID | None = None
    note: str = ""
    notice_id: int | None = None
    roundup_id: int | None = None
    #: Goes out at once, whatever the hour (a red 督办单 marked urgent, a test): no quiet hours.
    urgent: bool = False
    #: A fallback: the channel (of the same ``group``) it backs up; sent only if that one has not reached
    #: the person ``wait`` after queuing (skipped otherwise).
    fallback_for: str = ""
    wait: timedelta | None = None


def _first_attempt(spec: MessageSpec, now: datetime, opening: datetime) -> datetime:
    """When ``spec`` is first due: now (urgent), else when the window next opens; a fallback ``wait`` later."""
    if spec.wait:
        return now + spec.wait if spec.urgent else next_opening(now + spec.wait)
    return now if spec.urgent else opening


def messages_queue(*, specs: Iterable[MessageSpec], now: datetime | None = None, kick: bool = True) -> int:
    """Queue the messages whose key is new; returns how many were queued. Delivery is kicked after commit.

    A message queued in quiet hours (``quiet``) is due when the window opens; a fallback is due ``wait``
    later and points at the message it backs up (the same group's message on ``fallback_for``)."""
    specs = list({s.key: s for s in specs}.values())
    if not specs:
        return 0
    now = now or timezone.now()
    opening = next_opening(now)  # once for the lot (the calendar's corrections are read once)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            new = specs  # the insert skips a key queued already and returns those it inserted: no read before
        else:
            existing = set(Message.objects.filter(key__in=[s.key for s in specs]).values_list("key", flat=True))
            new = [s for s in specs if s.key not in existing]
        inserted = _insert_messages(
            [
                {"key": s.key, "purpose": s.purpose, "channel": s.channel, "address": s.address,
                 "subject": s.subject[:300], "body": s.body, "html": s.html, "payload": s.payload,
                 "recipient_id": s.recipient_id, "robot_id": s.robot_id, "group": s.group, "note": s.note[:300],
                 "state": S.QUEUED, "queued_at": now, "next_attempt_at": _first_attempt(s, now, opening),
                 "notice_id": s.notice_id, "roundup_id": s.roundup_id, "urgent": s.urgent}
                for s in new
            ]
        )
        if inserted is not None:
            new = [s for s in new if s.key in inserted]
        with_plans = {s.key: s.plan_ids for s in new if s.plan_ids}
        fallbacks = [s for s in new if s.fallback_for and s.group]
        ids = inserted or {}
        if inserted is None and (with_plans or fallbacks):
            ids = dict(Message.objects.filter(key__in=[s.key for s in new], queued_at=now).values_list("key", "pk"))
        if with_plans:
            _link_plans([(ids[k], p) for k, plans in with_plans.items() if k in ids for p in plans])
        if fallbacks:
            backed = {(g, c): pk for g, c, pk in Message.objects.filter(group__in={s.group for s in fallbacks})
                      .values_list("group", "channel", "pk")}
            rows = [Message(pk=ids[s.key], fallback_for_id=backed[(s.group, s.fallback_for)])
                    for s in fallbacks if s.key in ids and (s.group, s.fallback_for) in backed]
            Message.objects.bulk_update(rows, ["fallback_for"])
        if kick:
            for channel in sorted({s.channel for s in new}):
                enqueue_after_commit("outbox_send", channel)
    return len(new)


def _insert_messages(rows: list[dict]) -> dict[str, int] | None:
    """Insert ``rows`` (a message's field values by attribute name; the others take their defaults), skipping a
    key already there (the same key queued by a concurrent transaction: theirs stands). On PostgreSQL one
    ``INSERT … VALUES`` per lot (up to the protocol's 65,535 parameters), each value its own parameter, bound
    on the server as it is, no model instance built; returning key -> id of the rows it inserted. None
    elsewhere (the caller reads them).

    Not Django's bulk insert (each column as an array, which the driver quotes element by element in Python:
    a digest's HTML has hundreds of quotes to escape), nor the rows as one JSON parameter (session 21): a
    reminder day's digests are ~0.5 GB of text, which that encoded into JSON, escaping every quote, in the
    worker and parsed again in PostgreSQL."""
    if connection.vendor != "postgresql" or not rows:
        Message.objects.bulk_create([Message(**row) for row in rows], ignore_conflicts=True)
        return None if rows else {}
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    q = connection.ops.quote_name
    # A field not given takes its default, as ``Message(**row)`` would (read once per field, not per row).
    defaults = {f.attname: f.get_default() for f in fields if any(f.attname not in row for row in rows)}
    adapt = {f.attname: f.get_db_prep_save for f in fields if f.get_internal_type() == "JSONField"}
    names = [f.attname for f in fields]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = (f"INSERT INTO {q(Message._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) VALUES ")
    tail = (f" ON CONFLICT DO NOTHING RETURNING {q(Message._meta.get_field('key').column)}, "
            f"{q(Message._meta.pk.column)}")
    per_statement = 65535 // len(fields)
    inserted: dict[str, int] = {}
    with connection.cursor() as cursor:
        for i in range(0, len(rows), per_statement):
            lot = rows[i : i + per_statement]
            params = []
            for row in lot:
                for name in names:
                    value = row[name] if name in row else defaults[name]
                    params.append(adapt[name](value, connection) if name in adapt else value)
            cursor.execute(head + ", ".join([one] * len(lot)) + tail, params)
            inserted.update(cursor.fetchall())
    return inserted


def _link_plans(pairs: list[tuple[int, int]]) -> None:
    """The (message, plan) links: on PostgreSQL one statement with the pairs as one JSON parameter (Django's
    ``bulk_create`` built a model instance per link: a reminder day links 30,000 messages); an existing
    link is skipped."""
    through = Message.plans.through
    if connection.vendor != "postgresql":
        through.objects.bulk_create([through(message_id=m, plan_id=p) for m, p in pairs], ignore_conflicts=True)
        return
    if not pairs:
        return
    meta, q = through._meta, connection.ops.quote_name
    columns = f"{q(meta.get_field('message').column)}, {q(meta.get_field('plan').column)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(meta.db_table)} ({columns}) "
            "SELECT (r->>0)::bigint, (r->>1)::bigint FROM jsonb_array_elements(%s::jsonb) AS r ON CONFLICT DO NOTHING",
            [json.dumps(pairs)],
        )


def message_queue(*, now: datetime | None = None, kick: bool = True, **spec) -> Message:
    """Queue one message (see ``MessageSpec``) and return its row, new or already queued under its key."""
    messages_queue(specs=[MessageSpec(**spec)], now=now, kick=kick)
    return Message.objects.get(key=spec["key"])


# ---------------------------------------------------------------- delivering


def retry_delay(attempt: int) -> int:
    """Seconds before attempt ``attempt + 1``: base * 2**(attempt-1), capped below the broker's visibility timeout."""
    base = settings.NOTIFY_RETRY_BASE_SECONDS
    return int(min(base * 2 ** max(attempt - 1, 0), settings.NOTIFY_RETRY_MAX_SECONDS))


@dataclass
class DeliverySummary:
    channel: str
    counts: Counter = field(default_factory=Counter)  # outcome -> messages
    errors: list[tuple[str, str]] = field(default_factory=list)  # (address, error) of failed and retried ones

    def as_dict(self) -> dict:
        return {"channel": self.channel, **{k.value if isinstance(k, Outcome) else k: v
                                            for k, v in self.counts.items()}}


def _reached(state: str, channel: str) -> bool:
    """Whether a message in ``state`` reached its person: delivered, or taken by a provider that never says
    more (SMS, 浙政钉, email)."""
    return state == S.DELIVERED or (state == S.SENT and not adapter_for(channel).reconciles)


def _skip_needless_fallbacks(batch: list[Message], *, now: datetime) -> list[Message]:
    """Claimed fallbacks whose earlier channel (or one before it) reached the person are 'skipped'; the
    rest of ``batch`` is returned. One query, whatever the batch."""
    fallbacks = [m for m in batch if m.fallback_for_id]
    if not fallbacks:
        return batch
    chain = {pk: (up, state, channel) for pk, up, state, channel in Message.objects.filter(
        group__in={m.group for m in fallbacks}).values_list("pk", "fallback_for_id", "state", "channel")}
    skipped = {}
    for m in fallbacks:
        up = m.fallback_for_id
        while up in chain:
            parent, state, channel = chain[up]
            if _reached(state, channel):
                skipped[m.pk] = _("%(channel)s已送达，无需补发") % {"channel": Channel(channel).label}
                break
            up = parent
    by_reason: dict[str, list[int]] = {}
    for pk, why in skipped.items():
        by_reason.setdefault(why, []).append(pk)
    for why, pks in by_reason.items():  # one UPDATE per channel that reached, not per message
        Message.objects.filter(pk__in=pks, state=S.SENDING).update(state=S.SKIPPED, finished_at=now,
                                                                   next_attempt_at=None, note=why)
    for m in fallbacks:
        if m.pk in skipped:
            m.state = S.SKIPPED
    _forget_tokens(m for m in fallbacks if m.pk in skipped)  # invitations queue no fallback today; if they do
    return [m for m in batch if m.pk not in skipped]


def _claim(*, channel: str, now: datetime, limit: int,
           only: list[int] | None = None) -> tuple[list[Message], bool] | None:
    """A batch of due messages, now 'sending' (fallbacks no longer needed left out), and whether it was a full
    one (``limit`` claimed: more may be due); None when none was due."""
    quiet = is_quiet(now)
    if not quiet and connection.vendor == "postgresql":
        batch = _claim_returning(channel=channel, now=now, limit=limit, only=only)
        return None if batch is None else (_skip_needless_fallbacks(batch, now=now), len(batch) >= limit)
    with transaction.atomic():
        due = Message.objects.filter(channel=channel, state=S.QUEUED, next_attempt_at__lte=now)
        if only is not None:
            due = due.filter(pk__in=only)
        if quiet:
            # Quiet hours or a day off: only urgent messages go; the rest wait for the window (not dropped).
            due.filter(urgent=False).update(next_attempt_at=next_opening(now))
            due = due.filter(urgent=True)
        ids = list(
            due.order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return None
        Message.objects.filter(pk__in=ids, state=S.QUEUED).update(state=S.SENDING, sending_at=now)
    batch = list(Message.objects.filter(pk__in=ids, state=S.SENDING, sending_at=now)
                 .select_related("robot").order_by("pk"))
    return _skip_needless_fallbacks(batch, now=now), len(ids) >= limit


def _claim_returning(*, channel: str, now: datetime, limit: int, only: list[int] | None) -> list[Message] | None:
    """``_claim``'s batch on PostgreSQL in one statement: the due rows picked and locked (``FOR UPDATE SKIP
    LOCKED``, in the queue's order), set 'sending' and returned by the same ``UPDATE … RETURNING`` (it
    commits by itself: no lock is held past it). Three statements and a transaction's two before (pick
    and lock, mark, read back) for each batch of twenty e-mails. Each message's robot in one more query,
    only when the batch has robots' messages."""
    fields = Message._meta.concrete_fields
    q = connection.ops.quote_name
    table = q(Message._meta.db_table)
    only_sql = " AND id = ANY(%s)" if only is not None else ""
    # The pick is a materialized CTE, never a subquery of the UPDATE: the planner may rescan a subquery
    # (a semi-join), and each rescan of ``LIMIT … SKIP LOCKED`` returns further rows (a batch of 20 took 30).
    sql = (
        f"WITH picked AS MATERIALIZED (SELECT id FROM {table} WHERE channel = %s AND state = %s "
        f"AND next_attempt_at <= %s{only_sql} ORDER BY next_attempt_at, id LIMIT %s FOR UPDATE SKIP LOCKED) "
        f"UPDATE {table} AS m SET state = %s, sending_at = %s FROM picked WHERE m.id = picked.id AND m.state = %s "
        f"RETURNING {', '.join('m.' + q(f.column) for f in fields)}"
    )
    params = [channel, S.QUEUED, now] + ([list(only)] if only is not None else []) + [limit, S.SENDING, now, S.QUEUED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    converters = [(i, f.from_db_value) for i, f in enumerate(fields) if hasattr(f, "from_db_value")]
    names = [f.attname for f in fields]
    batch = []
    for row in rows:
        row = list(row)
        for i, convert in converters:
            row[i] = convert(row[i], None, connection)
        batch.append(Message.from_db(connection.alias, names, row))
    batch.sort(key=lambda m: m.pk)
    robot_ids = {m.robot_id for m in batch if m.robot_id}
    if robot_ids:
        robots = Message._meta.get_field("robot").related_model.objects.in_bulk(robot_ids)
        for m in batch:
            if m.robot_id in robots:
                m.robot = robots[m.robot_id]
    return batch


def _apply(m: Message, r: Result, *, now: datetime) -> None:
    """Set ``m``'s fields for result ``r`` (not saved)."""
    o = r.outcome
    if o is Outcome.HOLD:
        m.state, m.next_attempt_at, m.last_error = S.QUEUED, r.at, r.error
        return
    m.attempts += 1
    m.last_error = r.error
    m.next_attempt_at = None
    if r.provider_id:
        m.provider_id = r.provider_id[:100]
    if o in (Outcome.SENT, Outcome.DELIVERED):
        m.state, m.sent_at = (S.SENT if o is Outcome.SENT else S.DELIVERED), now
        if o is Outcome.DELIVERED:
            m.delivered_at = now
    elif o is Outcome.RETRY:
        if m.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            m.state, m.finished_at = S.GAVE_UP, now
        else:
            m.state, m.next_attempt_at = S.QUEUED, now + timedelta(seconds=retry_delay(m.attempts))
    elif o is Outcome.FAILED:
        m.state, m.finished_at = S.FAILED, now
    elif o is Outcome.UNCERTAIN:
        m.state, m.finished_at = S.UNCERTAIN, now


def _flush(pairs: list[tuple[Message, Result]], *, now: datetime, summary: DeliverySummary) -> None:
    if not pairs:
        return
    # A message the sweep marked uncertain while this worker was slow still gets its real fate.
    if connection.vendor == "postgresql":
        live = _record_live(pairs, now=now)
        rows = []
        for m, r in pairs:
            if m.pk in live:
                rows.append(m)
                summary.counts[m.state] += 1
                if r.error and r.outcome is not Outcome.HOLD:
                    summary.errors.append((m.address, r.error))
        _forget_tokens(rows)
        return
    live = set(Message.objects.filter(pk__in=[m.pk for m, _r in pairs], state__in=[S.SENDING, S.UNCERTAIN])
               .values_list("pk", flat=True))
    rows = []
    for m, r in pairs:
        if m.pk not in live:
            continue
        _apply(m, r, now=now)
        rows.append(m)
        summary.counts[m.state] += 1
        if r.error and r.outcome is not Outcome.HOLD:
            summary.errors.append((m.address, r.error))
    _record(rows)
    _forget_tokens(rows)  # after the fate is written: a retry still finds its body


def _record_live(pairs: list[tuple[Message, Result]], *, now: datetime) -> set[int]:
    """Write each message's fate (``_apply``) where it is still 'sending' or 'uncertain' (marked so by the
    sweep while this worker was slow: it still gets its real fate); the ids written. PostgreSQL: one
    ``UPDATE … FROM`` the rows' values as one JSON parameter, ``RETURNING`` the ids: the check and the
    writes were three statements a chunk (read the live ids, the alike values, the provider ids)."""
    values = []
    for m, r in pairs:
        _apply(m, r, now=now)
        values.append([m.pk, *(_json_value(getattr(m, f)) for f in _RECORDED)])
    q = connection.ops.quote_name
    kinds = {f: Message._meta.get_field(f).db_type(connection).split("(")[0] for f in _RECORDED}
    sets = ", ".join(f"{q(Message._meta.get_field(f).column)} = (d->>{i})::{kinds[f]}"
                     for i, f in enumerate(_RECORDED, start=1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(Message._meta.db_table)} AS m SET {sets} FROM jsonb_array_elements(%s::jsonb) AS d "
            "WHERE m.id = (d->>0)::bigint AND m.state IN (%s, %s) RETURNING m.id",
            [json.dumps(values, ensure_ascii=False), S.SENDING, S.UNCERTAIN],
        )
        return {row[0] for row in cursor.fetchall()}


def _json_value(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _record(rows: list[Message]) -> None:
    """Write ``rows``' recorded fields: one UPDATE per set of equal values (a batch's results are mostly
    alike: sent, at the same moment), and the provider ids, which differ (an e-mail's Message-ID), in
    one more. Django's ``bulk_update`` of every field built a CASE per field and row: milliseconds a
    message in Python alone."""
    alike: dict[tuple, list[int]] = defaultdict(list)
    common = [f for f in _RECORDED if f != "provider_id"]
    for m in rows:
        alike[tuple(getattr(m, f) for f in common)].append(m.pk)
    for values, pks in alike.items():
        Message.objects.filter(pk__in=pks).update(**dict(zip(common, values, strict=True)))
    by_id: dict[str, list[int]] = defaultdict(list)
    for m in rows:
        by_id[m.provider_id].append(m.pk)
    if len(by_id) <= 3:  # one call's id for its whole batch (DingTalk's task id), or none
        for provider_id, pks in by_id.items():
            Message.objects.filter(pk__in=pks).update(provider_id=provider_id)
    elif connection.vendor == "postgresql":  # the (row, id) pairs as one JSON parameter, joined: no CASE
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(Message._meta.db_table)} AS m SET provider_id = d->>1 "
                "FROM jsonb_array_elements(%s::jsonb) AS d WHERE m.id = (d->>0)::bigint",
                [json.dumps([[m.pk, m.provider_id] for m in rows], ensure_ascii=False)],
            )
    else:
        Message.objects.bulk_update(rows, ["provider_id"])


def _deliver_batch(adapter, batch: list[Message], *, clock, summary: DeliverySummary) -> None:
    missing = adapter.missing_configuration()
    if missing:
        error = _("渠道未配置：%(why)s") % {"why": missing}
        results = ((m, Result(Outcome.FAILED, error=error)) for m in batch)
    else:
        results = adapter.send(batch)
    pending: list[tuple[Message, Result]] = []
    try:
        for pair in results:
            pending.append(pair)
            if len(pending) >= RECORD_CHUNK:
                _flush(pending, now=clock(), summary=summary)
                pending = []
    except ConfigurationError as exc:
        # The rest of the batch fails with it (those recorded already are left as they are by _flush).
        done = {m.pk for m, _r in pending}
        pending += [(m, Result(Outcome.FAILED, error=str(exc))) for m in batch if m.pk not in done]
    except CallFailed as exc:
        # A call outside any one message's send failed (the access token: the provider down, a 5xx): the
        # rest of the batch was not sent; it waits for the next attempt instead of being left 'sending'.
        done = {m.pk for m, _r in pending}
        pending += [(m, Result(Outcome.RETRY, error=str(exc))) for m in batch if m.pk not in done]
    _flush(pending, now=clock(), summary=summary)


def outbox_deliver(
    *, channel: str, now: datetime | None = None, message_ids: list[int] | None = None
) -> DeliverySummary:
    """Send ``channel``'s due queued messages (of ``message_ids`` only, when given) in batches until none
    is due; record each one's fate."""
    adapter = adapter_for(channel)
    summary = DeliverySummary(channel=channel)
    clock = (lambda: now) if now else timezone.now
    if message_ids is not None:
        due = len(message_ids)  # at most these (a bound on the batches, not a promise)
    else:
        due = Message.objects.filter(channel=channel, state=S.QUEUED, next_attempt_at__lte=clock()).count()
    try:
        # Bounded: a message retried or held in this run is not due again in it.
        for _batch in range(ceil(due / adapter.batch_size) + 1):
            claimed = _claim(channel=channel, now=clock(), limit=adapter.batch_size, only=message_ids)
            if claimed is None:
                break
            batch, full = claimed
            if batch:  # else every claimed message was a fallback no longer needed
                _deliver_batch(adapter, batch, clock=clock, summary=summary)
            if not full:
                # Fewer than a batch was due: none is left but what others hold (SKIP LOCKED) or what
                # this run put off (a retry, a hold): no claim that would find nothing.
                break
    finally:
        adapter.close()
    if summary.errors:
        log.warning("outbox %s: %s", channel, dict(summary.counts))
    return summary


def outbox_deliver_groups(*, groups: Iterable[uuid.UUID], now: datetime | None = None) -> dict[str, DeliverySummary]:
    """Send now the due queued messages of these groups (the digests a digest task has just queued), every
    channel's in turn; channel -> its summary. Messages not due (quiet hours, a fallback's wait) stay queued
    for the beat's ``outbox_tick``, as does anything this run leaves (a retry, a worker gone before it).

    The reminder day's digest tasks deliver what they queued themselves instead of kicking one
    ``outbox_send`` per channel behind every other digest task in the broker's queue: delivery then runs
    beside the composition of the next digests on the other worker, instead of all of it after all of
    the composition, and no channel trails the others (the same claims, batches and records as
    ``outbox_deliver``: a crash leaves at most one batch 'uncertain')."""
    groups = [g for g in groups if g]
    if not groups:
        return {}
    clock = now or timezone.now()
    ids: dict[str, list[int]] = defaultdict(list)
    for channel, pk in (Message.objects.filter(group__among_text=groups, state=S.QUEUED, next_attempt_at__lte=clock)
                        .order_by("pk").values_list("channel", "pk")):
        ids[channel].append(pk)
    return {channel: outbox_deliver(channel=channel, now=now, message_ids=pks) for channel, pks in sorted(ids.items())}


def outbox_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Messages left 'sending' too long (their worker died): requeued where the provider deduplicates our
    id, 'uncertain' elsewhere (never resent without a person deciding). Returns counts."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NOTIFY_SENDING_TIMEOUT_SECONDS)
    out = {"requeued": 0, "uncertain": 0}
    stale = Message.objects.filter(state=S.SENDING, sending_at__lt=cutoff)
    for channel in set(stale.values_list("channel", flat=True)):
        rows = stale.filter(channel=channel)
        if adapter_for(channel).idempotent:
            out["requeued"] += rows.update(state=S.QUEUED, next_attempt_at=now)
        else:
            out["uncertain"] += rows.update(
                state=S.UNCERTAIN, finished_at=now, attempts=F("attempts") + 1,
                last_error=_("发送中断(进程退出)，服务商是否已收到不得而知；未自动重发，请核实后决定是否重发。"),
            )
    if out["uncertain"]:
        _forget_tokens(Message.objects.filter(purpose=Message.Purpose.INVITE, state=S.UNCERTAIN, finished_at=now))
    return out


def outbox_reconcile(*, channel: str, now: datetime | None = None) -> DeliverySummary:
    """Ask the provider what became of sent messages (DingTalk: the send result): delivered or failed."""
    now = now or timezone.now()
    adapter = adapter_for(channel)
    summary = DeliverySummary(channel=channel)
    if not adapter.reconciles or adapter.missing_configuration():
        return summary
    rows = list(
        Message.objects.filter(channel=channel, state=S.SENT, sent_at__lte=now - RECONCILE_AFTER,
                               sent_at__gte=now - RECONCILE_WITHIN).exclude(provider_id="").order_by("pk")[:1000]
    )
    changed = []
    for m, r in adapter.reconcile(rows):
        if r.outcome is Outcome.DELIVERED:
            m.state, m.delivered_at = S.DELIVERED, now
        elif r.outcome is Outcome.FAILED:
            m.state, m.finished_at, m.last_error = S.FAILED, now, r.error
        else:
            continue
        summary.counts[m.state] += 1
        changed.append(m)
    Message.objects.bulk_update(changed, ["state", "delivered_at", "finished_at", "last_error"])
    return summary


def outbox_tick(*, now: datetime | None = None) -> dict:
    """The beat's minute: sweep, kick every channel with due messages, reconcile what awaits a result.
    A lost task or a dead worker is made up by data, not by the broker."""
    now = now or timezone.now()
    swept = outbox_sweep(now=now)
    counts = dict(Message.objects.filter(state=S.QUEUED, next_attempt_at__lte=now)
                  .values_list("channel").annotate(n=Count("pk")).order_by())
    due = sorted(counts)
    for channel in due:
        # As many deliverers as there are workers (NOTIFY_DELIVERERS), no more than there are batches:
        # their claims skip each other's rows (SKIP LOCKED), so none sends a message another took.
        batches = ceil(counts[channel] / adapter_for(channel).batch_size)
        for _n in range(max(1, min(settings.NOTIFY_DELIVERERS, batches))):
            enqueue_after_commit("outbox_send", channel)
    waiting = sorted(set(Message.objects.filter(state=S.SENT, sent_at__lte=now - RECONCILE_AFTER,
                                                sent_at__gte=now - RECONCILE_WITHIN)
                         .exclude(provider_id="").values_list("channel", flat=True).distinct()))
    for channel in waiting:
        if adapter_for(channel).reconciles:
            enqueue_after_commit("outbox_reconcile", channel)
    return {**swept, "kicked": due, "reconciling": waiting}


# ---------------------------------------------------------------- a test message


def message_test_send(*, user, channel: str, robot=None, now: datetime | None = None) -> Message:
    """Send ``user`` one test message on ``channel`` now (``robot`` for the group robots) and return its row
    with the provider's answer (state, provider id, error). Not queued behind other messages."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from .routing import ADDRESS_FIELD

    now = now or timezone.now()
    profile = getattr(user, "profile", None)
    if channel == "email":
        address = user.email
    elif channel in ADDRESS_FIELD:
        address = getattr(profile, ADDRESS_FIELD[channel], "") if profile else ""
    else:
        address = robot.name if robot else ""
    if not address:
        raise ValueError(_("%(user)s 没有%(channel)s的收件人标识") % {"user": user.get_username(), "channel": channel})
    with translation.override("zh-hans"):
        name = user.get_full_name() or user.get_username()
        text = render_to_string("tasks/notifications/test_message.md.txt",
                                {"name": name, "when": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}).strip()
        subject = _("住有宜居：测试消息")
    message = message_queue(
        key=f"test:{user.pk}:{channel}:{now.isoformat()}", purpose=Message.Purpose.TEST, channel=channel,
        address=address, recipient_id=user.pk, robot_id=robot.pk if robot else None, subject=subject, body=text,
        payload={"markdown": text, "title": subject, "template_params": {"count": "0", "date": now.strftime("%m-%d")}},
        note=T.written(T.NOTIFY_TEST), urgent=True, now=now, kick=False,  # delivered here and now, not by the worker
    )
    outbox_deliver(channel=channel, now=now, message_ids=[message.pk])
    message.refresh_from_db()
    return message


# ---------------------------------------------------------------- a person's decision


def messages_requeue(*, message_ids: list[int], actor, now: datetime | None = None) -> int:
    """Send failed, given-up or uncertain messages again (a coordinator decided); returns how many."""
    from tasks.rules.actions import Act
    from tasks.selectors.guard import authorize_plans
    from tasks.selectors.permissions import acts_globally

    now = now or timezone.now()
    with transaction.atomic():
        rows = Message.objects.select_for_update().filter(
            pk__in=message_ids, state__in=[S.FAILED, S.GAVE_UP, S.UNCERTAIN]
        ).exclude(purpose=Message.Purpose.INVITE)  # its link was taken out (``_forget_tokens``): invite again
        plan_ids = set(Message.plans.through.objects.filter(message__in=rows).values_list("plan_id", flat=True))
        # Sending again chases the plans' units: the guard's chase, on every plan the messages concern; a
        # message about no plan (a test) is the province's.
        if actor is None or not actor.is_authenticated or not (plan_ids or acts_globally(actor)):
            raise PermissionDenied(_("只有该方案的专班协调员可以重发消息。"))
        if plan_ids:
            try:
                authorize_plans(Act.CHASE, actor, plan_ids)
            except PermissionDenied:
                raise PermissionDenied(_("只有该方案的专班协调员可以重发消息。")) from None
        channels = set(rows.values_list("channel", flat=True))
        n = rows.update(state=S.QUEUED, attempts=0, next_attempt_at=now, finished_at=None)
        for channel in sorted(channels):
            enqueue_after_commit("outbox_send", channel)
    return n


def messages_for_plans(plan_ids) -> Q:
    """Messages about any of these plans (the admin's scope)."""
    return Q(pk__in=Message.plans.through.objects.filter(plan_id__in=plan_ids).values("message_id"))


# ---------------------------------------------------------------- a document to people


def people_by_email(emails: Iterable[str]) -> dict[str, object]:
    """Lower-cased address -> the active account with it (profile loaded); one query. A unit's shared
    mailbox has none: it is reached by email only."""
    from django.contrib.auth import get_user_model

    emails = [e for e in emails if e]
    found = {}
    if not emails:
        return found
    # The addresses as written and lower-cased (an account's email is matched either way, not in every case).
    candidates = sorted(set(emails) | {e.lower() for e in emails})
    for user in (get_user_model().objects.filter(is_active=True, email__in=candidates)
                 .select_related("profile").order_by("-pk")):
        found[user.email.lower()] = user  # the oldest account of an address wins (ordered newest first)
    return found


@dataclass(frozen=True)
class Rendered:
    """One content in every channel's form (each from a template): email text/HTML with the documents
    attached by reference, a markdown summary with the link, an SMS text and its template's variables."""

    subject: str
    text: str
    markdown: str
    sms: str
    sms_params: dict
    html: str = ""
    attachments: tuple[dict, ...] = ()  # {"path": storage name, "name": file name, "mimetype": ...}
    headers: dict = field(default_factory=dict)


def document_specs(*, key: str, purpose: str, email: str, user, content: Rendered, group: uuid.UUID,
                   plan_ids: tuple[int, ...] = (), notice_id: int | None = None, roundup_id: int | None = None,
                   urgent: bool = False) -> list[MessageSpec]:
    """The messages carrying one document to the owner of ``email``: by email always, with the files (the
    record, and the only channel that carries documents), and on their preferred channels (and fallbacks)
    a summary with the link. ``key`` + the channel names each message once and for all."""
    from .routing import personal_routes

    routes = personal_routes(email=email, profile=getattr(user, "profile", None) if user else None)
    common = {"purpose": purpose, "subject": content.subject, "recipient_id": user.pk if user else None,
              "plan_ids": plan_ids, "group": group, "notice_id": notice_id, "roundup_id": roundup_id,
              "urgent": urgent}
    specs = []
    for route in routes:
        spec = {"key": f"{key}:{route.channel}", "channel": route.channel, "address": route.address,
                "note": route.note, **route.timing, **common}
        if route.channel == "email":
            payload = {"attachments": list(content.attachments)}
            if content.headers:
                payload["headers"] = content.headers
            specs.append(MessageSpec(body=content.text, html=content.html, payload=payload, **spec))
        elif route.channel == "sms":
            specs.append(MessageSpec(body=content.sms, payload={"template_params": content.sms_params}, **spec))
        else:
            specs.append(MessageSpec(body=content.markdown, payload={"markdown": content.markdown,
                                                                     "title": content.subject}, **spec))
    return specs


def robot_specs(*, key: str, purpose: str, robots: Iterable, content: Rendered, plan_ids: tuple[int, ...] = (),
                notice_id: int | None = None, roundup_id: int | None = None,
                urgent: bool = False) -> list[MessageSpec]:
    """A document's summary with the link to each active group robot (a plan's or a unit's group): the
    markdown only, never the files. ``key`` + the robot's id names each message once."""
    specs = []
    for robot in robots:
        if not robot.active:
            continue
        channel = "dingtalk_robot" if robot.kind == "dingtalk" else "wecom_robot"
        specs.append(MessageSpec(
            key=f"{key}:robot:{robot.pk}", purpose=purpose, channel=channel, address=robot.name[:254],
            robot_id=robot.pk, subject=content.subject, body=content.markdown,
            payload={"markdown": content.markdown, "title": content.subject}, plan_ids=plan_ids,
            notice_id=notice_id, roundup_id=roundup_id, urgent=urgent, note=T.written(T.ROBOT_SUMMARY),
        ))
    return specs
