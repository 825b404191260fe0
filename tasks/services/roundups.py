"""Writes for roundups: generate a draft, regenerate it, publish it (freeze), queue it in the outbox.

A roundup's numbers are a snapshot taken when it is generated. Publishing freezes it: from then on
nothing rewrites ``Roundup.data`` (regenerate refuses), so later edits to work items never change
what leaders were sent.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tasks.documents.convert import ConversionUnavailable
from tasks.models import Bulletin, Message, Plan, Roundup, RoundupDelivery, Unit, WorkItem
from tasks.notifications.services import Rendered, document_specs, messages_queue, people_by_email, robot_specs
from tasks.roundups.html import render_standalone_html
from tasks.roundups.pdf import PdfUnavailable, html_to_pdf
from tasks.roundups.periods import Period
from tasks.roundups.report import RoundupReport
from tasks.roundups.xlsx import render_xlsx
from tasks.rules.actions import Act
from tasks.selectors.guard import authorize
from tasks.selectors.people import unit_people
from tasks.selectors.public import personal_terms_known, public_overdue_rows
from tasks.selectors.roundups import roundup_data, roundup_settings_for
from tasks.services.enqueue import enqueue_after_commit

from .documents import bulletin_attachment_refs, bulletin_ensure_files, bulletin_for_roundup, bulletin_publish

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RoundupError(ValidationError):
    pass


def _check_ended(period: Period, today: date) -> None:
    # "As of the period's last day" only means something once that day is over.
    if period.end >= today:
        raise RoundupError(
            _("%(label)s尚未结束（截止%(end)s），期末次日起才能生成。") % {"label": period.label, "end": period.end}
        )


def _snapshot(*, plan: Plan, period: Period) -> dict:
    # The snapshot stores text (period labels, bulletin reasons) and roundups are Chinese documents:
    # build it in the site's language, whatever language the coordinator's page is in.
    with translation.override(settings.LANGUAGE_CODE):
        return roundup_data(plan=plan, period=period)


def roundup_generate(
    *, plan: Plan, period: Period, today: date, actor=None, at: datetime | None = None
) -> tuple[Roundup, bool]:
    """The draft roundup of ``plan`` for ``period``: created if missing, else the existing one untouched.

    Returns ``(roundup, created)``. Running it twice (or concurrently) makes one roundup. ``actor`` None is
    the system (Beat, a command); a user must act for the plan (the guard).
    """
    if actor is not None:
        authorize(Act.GENERATE_ROUNDUP, actor, plan)
    _check_ended(period, today)
    lookup = {"plan": plan, "kind": period.kind, "period_start": period.start}
    existing = Roundup.objects.filter(**lookup).first()
    if existing:
        return existing, False
    data = _snapshot(plan=plan, period=period)
    try:
        with transaction.atomic():
            roundup = Roundup.objects.create(
                **lookup,
                period_end=period.end,
                data=data,
                generated_at=at or timezone.now(),
                generated_by=actor,
            )
    except IntegrityError:
        # Someone generated the same period meanwhile: theirs stands.
        return Roundup.objects.get(**lookup), False
    return roundup, True


def roundup_regenerate(*, roundup: Roundup, today: date, actor=None, at: datetime | None = None) -> Roundup:
    """Recompute a draft's snapshot (after a late correction). A published roundup is never recomputed."""
    if actor is not None:
        authorize(Act.GENERATE_ROUNDUP, actor, roundup)
    with transaction.atomic():
        locked = Roundup.objects.select_for_update().select_related("plan").get(pk=roundup.pk)
        if locked.is_published:
            raise RoundupError(_("已发布的晾晒通报不能重新生成：其数据已冻结。"))
        period = locked.period
        _check_ended(period, today)
        locked.data = _snapshot(plan=locked.plan, period=period)
        locked.generated_at = at or timezone.now()
        locked.generated_by = actor
        locked.save(update_fields=["data", "generated_at", "generated_by"])
    roundup.data, roundup.generated_at, roundup.generated_by = locked.data, locked.generated_at, locked.generated_by
    return roundup


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    unit_id: int | None = None


def roundup_recipients(roundup: Roundup) -> list[Recipient]:
    """Everyone a published roundup goes to, each address once: the listed recipients, the plan's
    coordinators, the liaisons (and, if set, the leaders) of the units in the roundup, and the
    leaders of the units it calls out (a plan setting, on by default)."""
    rules = roundup_settings_for(roundup.plan)
    found: dict[str, Recipient] = {}

    def add(email: str, name: str, unit_id: int | None = None) -> None:
        email = (email or "").strip()
        if email and email.lower() not in found:
            found[email.lower()] = Recipient(email=email, name=name[:100], unit_id=unit_id)

    if rules.pk:
        for r in rules.recipients.filter(active=True).order_by("name"):
            add(r.email, r.name)
    if rules.send_to_coordinators:
        for user in roundup.plan.coordinators.exclude(email="").order_by("username"):
            add(user.email, user.get_full_name() or user.username)
    if rules.send_to_units or rules.send_to_unit_leaders:
        # The units it ranks, and those a year's assessment scores on their indicators alone (nothing due).
        # And those holding a share of the year's targets (目标分解), whatever is due: it reports their progress.
        unit_ids = sorted({u["unit_id"] for u in roundup.data.get("units", [])}
                          | {a["unit_id"] for a in roundup.data.get("assessment", []) if a.get("unit_id")}
                          | {s["unit_id"] for s in roundup.data.get("target_shares", [])})
        people = unit_people(unit_ids)
        for unit in Unit.objects.filter(pk__in=unit_ids).order_by("name"):
            if rules.send_to_units:
                for email in unit.email_list:
                    add(email, unit.name, unit.pk)
            if rules.send_to_unit_leaders:
                _add_leaders(add, unit, people)
    if rules.send_to_called_out_leaders:
        # The leaders (分管领导) of the units the bulletin calls out read it too.
        called_out = {row["unit"] for row in roundup.data.get("call_out", [])}
        units = list(Unit.objects.filter(region=roundup.plan.region, name__in=called_out).order_by("name"))
        people = unit_people([u.pk for u in units])
        for unit in units:
            _add_leaders(add, unit, people)
    return list(found.values())


def _add_leaders(add, unit: Unit, people: dict) -> None:
    """A unit's 分管领导: the unit's leader address and its leader accounts (``selectors.people``)."""
    if unit.leader_email:
        add(unit.leader_email, unit.leader_name or _("%s分管领导") % unit.name, unit.pk)
    for email, name in getattr(people.get(unit.pk), "leaders", ()):
        add(email, name or _("%s分管领导") % unit.name, unit.pk)


def roundup_publish(*, roundup: Roundup, actor=None, at: datetime | None = None) -> Roundup:
    """Freeze the roundup, record who it goes to, and queue it in the outbox (after commit, via Celery).
    ``actor`` None is the system (a command); a user must act for the plan (the guard)."""
    if actor is not None:
        authorize(Act.PUBLISH_ROUNDUP, actor, roundup)
    at = at or timezone.now()
    with transaction.atomic():
        locked = Roundup.objects.select_for_update().select_related("plan").get(pk=roundup.pk)
        if locked.is_published:
            raise RoundupError(_("该晾晒通报已于%(at)s发布。") % {"at": timezone.localtime(locked.published_at)})
        locked.status = Roundup.Status.PUBLISHED
        locked.published_at = at
        locked.published_by = actor
        # What the public 晾晒 may print of the overdue list, masked of every person known now (issue 34).
        locked.public_overdue = public_overdue_rows(locked.data, personal_terms_known())
        locked.save(update_fields=["status", "published_at", "published_by", "public_overdue"])
        # The 通报 公文 takes its number with the publish (its files are stored before the email goes).
        bulletin = bulletin_for_roundup(roundup=locked, actor=actor)
        if not bulletin.is_published:
            bulletin_publish(bulletin=bulletin, actor=actor, at=at, render=False)
        RoundupDelivery.objects.bulk_create(
            [
                RoundupDelivery(roundup=locked, email=r.email, name=r.name, unit_id=r.unit_id)
                for r in roundup_recipients(locked)
            ],
            ignore_conflicts=True,
        )
        enqueue_after_commit("roundup_deliver", locked.pk)
    roundup.status, roundup.published_at, roundup.published_by = locked.status, locked.published_at, actor
    return roundup


def roundup_report(roundup: Roundup) -> RoundupReport:
    return RoundupReport.from_roundup(roundup, url=settings.SITE_URL + reverse("tasks:roundup_detail",
                                                                            args=[roundup.pk]))


def roundup_attachments(roundup: Roundup, report: RoundupReport, bulletin: Bulletin | None = None) -> list[dict]:
    """The files a published roundup's emails carry, stored once and referenced by name (the outbox attaches
    them when it sends): the workbook and the 通报 公文 (.docx and PDF) as published; without a published
    bulletin's PDF (or without LibreOffice) the PDF of the page, when Chromium is available."""
    stem = report.file_stem()
    base = f"outbox/roundups/{roundup.pk}/"

    def stored(name: str, render) -> str:
        path = base + name
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(render()))
        return path

    files = [{"path": stored("roundup.xlsx", lambda: render_xlsx(report)), "name": f"{stem}.xlsx",
              "mimetype": XLSX_TYPE}]
    if bulletin is not None and bulletin.is_published:
        try:
            bulletin = bulletin_ensure_files(bulletin)
        except ConversionUnavailable as exc:
            logger.error("Bulletin PDF not stored: %s", exc)
        files += bulletin_attachment_refs(bulletin)
        if bulletin.pdf:
            return files
    try:
        files.append({"path": stored("roundup.pdf", lambda: html_to_pdf(render_standalone_html(report))),
                      "name": f"{stem}.pdf", "mimetype": "application/pdf"})
    except PdfUnavailable as exc:
        # The workbook still goes out; the missing PDF is logged for the administrator.
        logger.error("Roundup PDF not attached: %s", exc)
    return files


def _roundup_content(*, report: RoundupReport, delivery: RoundupDelivery, subject: str,
                     attachments: list[dict], highlights: list[str]) -> Rendered:
    """One recipient's roundup in every channel's form, from templates."""
    context = {
        "report": report,
        "recipient": delivery,
        "own_line": report.unit_line(delivery.unit_id),
        # Both, 地方 and 部门, to every recipient: a year's by its assessment (考核得分), as its 通报 and page rank.
        "rankings": report.rankings(top=5) if not report.is_year else [],
        "assessment_rankings": report.assessment_rankings(top=5) if report.is_year else [],
        "attachments": [a["name"] for a in attachments],
        "subject": subject,
        "highlights": highlights,
    }
    published = timezone.localdate(delivery.roundup.published_at)
    return Rendered(
        subject=subject,
        text=render_to_string("tasks/email/roundup.txt", context),
        markdown=render_to_string("tasks/notifications/roundup.md.txt", context).strip(),
        sms=render_to_string("tasks/notifications/roundup_sms.txt", context).strip(),
        # The approved SMS template's variables ({count} items, {date}): the 通报's highlights, its day.
        sms_params={"count": str(len(highlights)), "date": f"{published.month}月{published.day}日"},
        attachments=tuple(attachments),
    )


QUEUE_CHUNK = 200  # recipients queued per transaction


@translation.override(settings.LANGUAGE_CODE)  # a Chinese document, even if sent from an English page
def roundup_deliver(*, roundup_id: int, at: datetime | None = None) -> dict:
    """Queue a published roundup in the outbox for every recipient not queued yet; safe to run again.

    Each recipient row (``RoundupDelivery``, fixed at publishing) is locked and takes its message group
    once, so no one is queued twice; the outbox delivers (email with the files, a summary with the link on
    the person's other channels; the summary to the plan's group robots) and records each message's fate.
    Returns ``{"recipients": n, "messages": n}`` queued by this run.
    """
    at = at or timezone.now()
    roundup = Roundup.objects.select_related("plan").get(pk=roundup_id)
    outcome = {"recipients": 0, "messages": 0}
    if not roundup.is_published:
        return outcome
    robots = list(roundup.plan.robots.filter(active=True).order_by("pk"))
    robot_keys = [f"roundup:{roundup.pk}:robot:{r.pk}" for r in robots]
    robots_due = len(robot_keys) > Message.objects.filter(key__in=robot_keys).count()
    if not robots_due and not roundup.deliveries.filter(group__isnull=True).exists():
        return outcome
    report = roundup_report(roundup)
    bulletin = roundup.bulletins.filter(status=Bulletin.Status.PUBLISHED).order_by("-pk").first()
    attachments = roundup_attachments(roundup, report, bulletin)
    subject = _("【%(title)s】%(plan)s %(label)s") % {
        "title": report.period["title"], "plan": report.plan["title"], "label": report.period["label"]
    }
    highlights = report.highlights()
    while True:
        with transaction.atomic():
            rows = list(roundup.deliveries.filter(group__isnull=True).select_related("roundup")
                        .select_for_update(skip_locked=True, of=("self",)).order_by("pk")[:QUEUE_CHUNK])
            if not rows:
                break
            people = people_by_email(d.email for d in rows)
            specs = []
            for d in rows:
                d.group = uuid.uuid4()
                specs += document_specs(
                    key=f"roundup:{d.group}", purpose=Message.Purpose.ROUNDUP, email=d.email,
                    user=people.get(d.email.lower()), group=d.group, plan_ids=(roundup.plan_id,),
                    roundup_id=roundup.pk,
                    content=_roundup_content(report=report, delivery=d, subject=subject, attachments=attachments,
                                             highlights=highlights),
                )
            outcome["messages"] += messages_queue(specs=specs, now=at)
            RoundupDelivery.objects.bulk_update(rows, ["group"])
            outcome["recipients"] += len(rows)
    if robots_due:
        # The plan's group robots: the summary for everyone (no unit's own line), with the link.
        group = RoundupDelivery(roundup=roundup, email="", name=_("各位"))
        content = _roundup_content(report=report, delivery=group, subject=subject, attachments=attachments,
                                   highlights=highlights)
        outcome["messages"] += messages_queue(specs=robot_specs(
            key=f"roundup:{roundup.pk}", purpose=Message.Purpose.ROUNDUP, robots=robots, content=content,
            plan_ids=(roundup.plan_id,), roundup_id=roundup.pk), now=at)
    return outcome


def roundups_deliver_pending(*, at: datetime | None = None) -> dict[int, int]:
    """Queue every published roundup whose recipients are not all queued (its task was lost, or its
    records predate the outbox); returns roundup id -> recipients queued. Idempotent."""
    pending = (Roundup.objects.filter(status=Roundup.Status.PUBLISHED)
               .filter(Exists(RoundupDelivery.objects.filter(roundup=OuterRef("pk"), group__isnull=True)))
               .order_by("pk").values_list("pk", flat=True))
    return {pk: roundup_deliver(roundup_id=pk, at=at)["recipients"] for pk in pending}


def roundups_draft_last_period(*, kind: str, today: date) -> list[Roundup]:
    """Draft the last ended period of ``kind`` for every plan running in it (and holding work items);
    returns the new drafts.

    Beat runs this on the first days of the month; existing roundups are left alone, so a repeated
    or late run creates nothing twice and a missed day is made up.
    """
    period = Period.last_ended(kind, today)
    created = []
    plans = (
        Plan.objects.filter(first_year__lte=period.end.year, last_year__gte=period.start.year)
        .filter(Exists(WorkItem.objects.filter(plan=OuterRef("pk"))))
        .order_by("pk")
    )
    for plan in plans:
        roundup, is_new = roundup_generate(plan=plan, period=period, today=today)
        if is_new:
            created.append(roundup)
    return created
