"""Reminders: scan by window, one digest per recipient, locked sending, retries, resend, "remind now".

How "never twice, never lost" holds:

* The scan inserts one row per (item, kind, deadline in force, step, recipient) that is
  due by window; the unique key turns a repeated scan into a no-op (one INSERT ... ON
  CONFLICT DO NOTHING, whatever the number of rows).
* Sending takes one recipient's due pending rows with ``SELECT ... FOR UPDATE SKIP
  LOCKED``, sends one email and marks them sent in the same transaction. A second
  worker, beat or retry finds them locked or already sent and sends nothing. (The only
  window left is a crash between the SMTP server's "250 OK" and the COMMIT, which no
  database can close: SMTP is not transactional.)
* An SMTP failure counts an attempt, keeps the rows pending with the error and the
  time of the next attempt (exponential backoff); after the last attempt they are failed.
  Every beat tick re-enqueues addresses whose next attempt is due, so a lost task or a
  dead worker is made up by data, not by the broker.
"""

from __future__ import annotations

import json
import logging
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasks import workdays
from tasks.models import (
    CalendarOverride,
    Reminder,
    ReminderRun,
    Role,
    WorkItem,
    WorkItemUnit,
)
from tasks.rules import outcomes
from tasks.rules.actions import Act
from tasks.selectors.calendar import calendar_overrides, forget_calendar_overrides
from tasks.selectors.guard import authorize_plans
from tasks.selectors.reminders import (
    ReminderCandidate,
    reminder_recipients,
    reminder_settings_for,
    reminders_due,
    reminders_pending_emails,
    reminders_ready_to_send,
)
from tasks.services.enqueue import enqueue_after_commit

log = logging.getLogger(__name__)
K = Reminder.Kind
St = Reminder.Status
# Beyond this many items a digest lists the first ones and points to the site for the rest.
DIGEST_ITEM_LIMIT = 300


# ---------------------------------------------------------------- inserting rows


_INSERT_FIELDS = ["work_item", "kind", "deadline", "step", "email", "role", "scheduled_for"]
_CONST_FIELDS = ["status", "attempts", "last_error", "next_attempt_at", "created_at"]


def _insert_reminders(candidates: list[ReminderCandidate], *, now: datetime) -> int:
    """Insert the rows not yet present; one statement for any number of rows. Returns rows inserted.

    The rows travel as one JSON parameter: a plain bulk_create would need a thousand
    INSERTs for 100,000 rows on SQLite (999 parameters per statement).
    """
    if not candidates:
        return 0
    meta = Reminder._meta
    q = connection.ops.quote_name
    columns = ", ".join(q(meta.get_field(f).column) for f in _INSERT_FIELDS + _CONST_FIELDS)
    table = q(meta.db_table)
    payload = json.dumps(
        [
            [c.work_item_id, c.kind, c.deadline and c.deadline.isoformat(), c.step, c.email, c.role,
             c.scheduled_for.isoformat()]
            for c in candidates
        ]
    )
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} ({columns}) "
            "SELECT (r->>0)::bigint, r->>1, (r->>2)::date, (r->>3)::integer, r->>4, r->>5, (r->>6)::date, "
            "%s, 0, '', %s, %s FROM jsonb_array_elements(%s::jsonb) AS r ON CONFLICT DO NOTHING"
        )
        params = [St.PENDING, now, now, payload]
    elif connection.vendor == "sqlite":
        cols = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(_INSERT_FIELDS)))
        sql = f"INSERT OR IGNORE INTO {table} ({columns}) SELECT {cols}, %s, 0, '', %s, %s FROM json_each(%s)"
        stamp = connection.ops.adapt_datetimefield_value(now)
        params = [St.PENDING, stamp, stamp, payload]
    else:  # pragma: no cover - other backends: correct, just more statements
        before = Reminder.objects.count()
        Reminder.objects.bulk_create(
            [
                Reminder(**dict(zip(["work_item_id", *_INSERT_FIELDS[1:]], c, strict=True)), next_attempt_at=now,
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


def _enqueue_digests(emails: Iterable[str]) -> list[str]:
    """Queue one digest task per address after the transaction commits."""
    emails = sorted(set(emails))
    for email in emails:
        enqueue_after_commit("reminders_send_digest", email)
    return emails


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
    *, today: date, now: datetime | None = None, plan_ids: list[int] | None = None, overrides=None, settings=None
) -> ScanResult:
    """Make the reminder rows due on ``today`` for ``plan_ids`` (all enabled plans when None).

    Idempotent: a second scan on the same day inserts nothing. Records a ReminderRun
    per plan so the beat does not scan it again that day.
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
        result.created = _insert_reminders(candidates, now=now)
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


def reminders_tick(*, now: datetime) -> ScanResult:
    """What the beat runs every quarter hour.

    On a working day, each enabled plan whose send time has passed and that has not
    been scanned today is scanned once (the ReminderRun row is the claim: two beats
    cannot both scan a plan). Then every address with a due pending reminder (new,
    retry due, or a task lost with a dead worker) gets a digest task.
    """
    today = timezone.localdate(now)
    local_time = timezone.localtime(now).time()
    overrides = calendar_overrides(fresh=True)
    result = ScanResult(today=today)
    if not workdays.is_workday(today, overrides):
        result.day_off = True
        return result
    settings = reminder_settings_for()
    ready = [p for p, s in settings.items() if s.enabled and s.send_time <= local_time]
    done = set(ReminderRun.objects.filter(day=today, plan_id__in=ready).values_list("plan_id", flat=True))
    with transaction.atomic():
        claimed = _claim_runs(plan_ids=[p for p in ready if p not in done], day=today, now=now)
        if claimed:
            scan = reminders_scan(today=today, now=now, plan_ids=claimed, overrides=overrides, settings=settings)
            result.plan_ids, result.due, result.created = scan.plan_ids, scan.due, scan.created
        result.emails = _enqueue_digests(reminders_pending_emails(now=now))
    return result


# ---------------------------------------------------------------- sending


def retry_delay(attempt: int) -> int:
    """Seconds before attempt ``attempt + 1``: base * 2**(attempt-1), capped below the broker's visibility timeout."""
    base = django_settings.REMINDER_RETRY_BASE_SECONDS
    return int(min(base * 2 ** max(attempt - 1, 0), django_settings.REMINDER_RETRY_MAX_SECONDS))


@dataclass
class DigestOutcome:
    email: str
    sent: bool = False
    reminders: int = 0
    item_ids: set[int] = field(default_factory=set)
    cancelled: int = 0
    failed: int = 0  # reminders given up on by this attempt
    error: str = ""
    retry_at: datetime | None = None  # set when reminders stay pending after an error

    def as_dict(self) -> dict:
        return {
            "email": self.email,
            "sent": self.sent,
            "reminders": self.reminders,
            "items": len(self.item_ids),
            "cancelled": self.cancelled,
            "failed": self.failed,
            "error": self.error,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
        }


def _stale_reason(reminder: Reminder) -> str:
    item = reminder.work_item
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


def reminder_digest_send(*, email: str, now: datetime | None = None, today: date | None = None) -> DigestOutcome:
    """Send ``email`` one digest of all its due pending reminders, at most once.

    Locks the rows (skipping rows another worker holds), drops reminders whose item was
    closed or whose deadline moved since the scan, sends, and marks the rows in the
    same transaction. Never sends an empty email.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    outcome = DigestOutcome(email=email)
    with transaction.atomic():
        rows = list(
            reminders_ready_to_send(email=email, now=now)
            .select_for_update(skip_locked=True, of=("self",))
            .prefetch_related(
                Prefetch("work_item__assignments", queryset=WorkItemUnit.objects.select_related("unit"))
            )
        )
        live = []
        for r in rows:
            reason = _stale_reason(r)
            if reason:
                r.status, r.last_error, r.next_attempt_at = St.CANCELLED, reason, None
                outcome.cancelled += 1
            else:
                live.append(r)
        if outcome.cancelled:
            Reminder.objects.bulk_update(
                [r for r in rows if r.status == St.CANCELLED], ["status", "last_error", "next_attempt_at"]
            )
        if not live:
            return outcome
        digest = uuid.uuid4()
        message = build_digest_message(email=email, reminders=live, today=today, digest=digest)
        ids = [r.pk for r in live]
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            outcome.error = f"{type(exc).__name__}: {exc}"[:2000]
            attempt = max(r.attempts for r in live) + 1
            outcome.retry_at = now + timedelta(seconds=retry_delay(attempt))
            _update_in_chunks(
                ids, attempts=F("attempts") + 1, last_error=outcome.error, next_attempt_at=outcome.retry_at
            )
            # A refused address will be refused again: give up at once instead of retrying for hours.
            permanent = isinstance(exc, smtplib.SMTPRecipientsRefused)
            outcome.failed = _update_in_chunks(
                ids, extra={} if permanent else {"attempts__gte": django_settings.REMINDER_MAX_ATTEMPTS},
                status=St.FAILED, next_attempt_at=None,
            )
            if outcome.failed == len(ids):
                outcome.retry_at = None
            log.warning("reminder digest to %s failed (attempt %s): %s", email, attempt, outcome.error)
            return outcome
        _update_in_chunks(
            ids, status=St.SENT, sent_at=now, digest=digest, attempts=F("attempts") + 1, last_error="",
            next_attempt_at=None,
        )
    outcome.sent = True
    outcome.reminders = len(live)
    outcome.item_ids = {r.work_item_id for r in live}
    return outcome


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


def digest_context(*, email: str, reminders: list[Reminder], today: date) -> dict:
    """The data of one digest: plans, each with its sections and items, and the counts."""
    overrides = calendar_overrides(years=[today.year, today.year + 1])
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
        section = plan["sections"].setdefault(key, {"key": key, "title": str(title), "items": []})
        due = item.due_date
        if due is None:
            note = _("常态化推进") if item.recurring else _("未设期限")
        elif outcomes.is_overdue(status=item.status, due=due, today=today):
            note = _("已逾期 %(n)s 天") % {"n": outcomes.days_overdue(due=due, today=today)}
        elif due == today:
            note = _("今天到期")
        else:
            note = _("还有 %(n)s 个工作日") % {"n": workdays.workdays_between(today, due, overrides)}
        if key == "sign":
            note = _("交办后逾期未签收，请登录系统签收") + "；" + note
        assignments = list(item.assignments.all())
        section["items"].append(
            {
                "item": item,
                "url": django_settings.SITE_URL + item.get_absolute_url(),
                "due": due,
                "note": note,
                "leads": "、".join(a.unit.name for a in assignments if a.role == Role.LEAD),
                "supports": "、".join(a.unit.name for a in assignments if a.role == Role.SUPPORT),
                "why": "、".join(sorted({str(r.get_kind_display()) for r in rows})),
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
        "plans": plan_list,
        "counts": dict(counts),
        "total": total,
        "hidden": total - shown,
        "site_url": django_settings.SITE_URL,
    }


def digest_subject(counts: dict[str, int]) -> str:
    parts = [
        _("%(title)s%(n)s项") % {"title": title, "n": counts[key]} for key, title, _kinds in SECTIONS if counts.get(key)
    ]
    return _("【住有宜居】工作提醒：%(parts)s") % {"parts": "，".join(parts)}


def build_digest_message(
    *, email: str, reminders: list[Reminder], today: date, digest: uuid.UUID
) -> EmailMultiAlternatives:
    """One Chinese email, plain text and HTML, listing the reminders' items grouped by plan."""
    with translation.override("zh-hans"):
        context = digest_context(email=email, reminders=reminders, today=today)
        subject = digest_subject(context["counts"])
        text = render_to_string("tasks/email/reminder_digest.txt", context)
        html = render_to_string("tasks/email/reminder_digest.html", {**context, "subject": subject})
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=django_settings.DEFAULT_FROM_EMAIL,
        to=[email],
        headers={"Message-ID": f"<{digest.hex}@reminders.housing>", "X-Reminder-Digest": str(digest)},
        connection=get_connection(fail_silently=False),
    )
    message.attach_alternative(html, "text/html")
    return message


@dataclass
class SendSummary:
    emails: int = 0
    recipients: set[str] = field(default_factory=set)
    items: set[int] = field(default_factory=set)
    failed: int = 0
    outcomes: list[DigestOutcome] = field(default_factory=list)

    def add(self, outcome: DigestOutcome) -> None:
        self.outcomes.append(outcome)
        if outcome.sent:
            self.emails += 1
            self.recipients.add(outcome.email)
            self.items |= outcome.item_ids
        elif outcome.error:
            self.failed += 1

    def line(self) -> str:
        return (
            f"sent {self.emails} emails to {len(self.recipients)} recipients covering {len(self.items)} items; "
            f"{self.failed} failed"
        )


def reminders_send_pending(*, now: datetime | None = None, today: date | None = None) -> SendSummary:
    """Send every due digest now, in this process (the management command's path)."""
    now = now or timezone.now()
    summary = SendSummary()
    for email in reminders_pending_emails(now=now):
        summary.add(reminder_digest_send(email=email, now=now, today=today))
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
                c = ReminderCandidate(item_id, K.MANUAL, due, step, email, Reminder.RecipientRole.LEAD, today)
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

