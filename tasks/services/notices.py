"""Writes for 督办单: draft (by hand or proposed by the rules), issue (number, reply date, PDF, email to the
unit's liaisons and its 分管领导), the unit's written reply, escalation when unanswered.

Every status change writes a ``NoticeEvent``; issuing and replying also write a report on each item, so
the notice and its answer are in the item's history. Locks: the notice (its own row only: ``of=("self",)``),
then the number sequence, which alone orders concurrent issues.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tasks import stored_text as T
from tasks.documents.convert import ConversionUnavailable, docx_to_pdf
from tasks.documents.gongwen import Gongwen, RGBColor, build_docx, chinese_date
from tasks.models import DocumentSeries, Message, NoticeEvent, Plan, ProgressReport, SupervisionNotice, WorkItem
from tasks.notifications.links import signed_url
from tasks.notifications.services import Rendered, document_specs, messages_queue, people_by_email, robot_specs
from tasks.rules.actions import Act
from tasks.rules.notices import ORDER, Thresholds, escalated, strongest
from tasks.rules.progress import item_progress
from tasks.selectors.calendar import calendar_overrides
from tasks.selectors.guard import authorize
from tasks.selectors.notices import item_colours, items_under_notice, lead_units, notice_candidates
from tasks.selectors.people import unit_people
from tasks.selectors.permissions import user_unit
from tasks.selectors.roundups import roundup_settings_for
from tasks.workdays import add_workdays, is_workday

from .documents import DOCX_TYPE, DocumentError, document_number_take, format_number, issuer_name
from .enqueue import enqueue_after_commit
from .evidence import evidence_check_all
from .reports import _attach, _written_files

logger = logging.getLogger(__name__)
N = SupervisionNotice
COLOUR_RGB = {N.Colour.BLUE: RGBColor(0x00, 0x5B, 0xBB), N.Colour.YELLOW: RGBColor(0xD4, 0x8C, 0x00),
              N.Colour.RED: RGBColor(0xFF, 0x00, 0x00)}


def _event(notice: SupervisionNotice, *, at: datetime, actor, from_status: str, note: str = "") -> None:
    NoticeEvent.objects.create(notice=notice, at=at, actor=actor, from_status=from_status,
                               to_status=notice.status, note=note)


@translation.override(settings.LANGUAGE_CODE)  # the notice is a Chinese document, whatever the page's language
def default_requirement(colour: str) -> str:
    return {
        N.Colour.BLUE: _("上述事项临近完成期限但进度偏慢，请加快推进，确保按期完成。"),
        N.Colour.YELLOW: _("上述事项进度落后于序时进度（或多次被退回），请分析原因、制定措施，加快推进。"),
        N.Colour.RED: _("上述事项已逾期未完成，请立即整改，明确完成时限，并由分管领导督促落实。"),
    }[colour]


def notices_draft(*, items: Sequence[WorkItem], actor=None, today: date, colour: str | None = None,
                  requirement: str = "", proposed: bool = False, at: datetime | None = None) -> list[SupervisionNotice]:
    """One draft notice per lead unit of ``items``; the colour is the strongest the items call for (or
    ``colour``). Items already under a notice awaiting its reply, done items and items without a lead
    unit are left out. Returns the new drafts."""
    at = at or timezone.now()
    if not items:
        return []
    plan = items[0].plan
    if actor is not None:
        authorize(Act.ISSUE_NOTICE, actor, plan)
    if any(i.plan_id != plan.pk for i in items):
        raise DocumentError(_("一份督办单只能督办同一方案的事项。"))
    items = [i for i in items if i.is_open]
    if not items:
        return []
    rules = roundup_settings_for(plan)
    colours = item_colours(items, today=today, thresholds=Thresholds.of(rules))
    busy = items_under_notice([i.pk for i in items])
    leads = lead_units([i.pk for i in items])
    by_unit: dict[int, list[WorkItem]] = defaultdict(list)
    for item in items:
        if item.pk not in busy and item.pk in leads:
            by_unit[leads[item.pk].pk].append(item)
    made = []
    with transaction.atomic():
        for unit_items in by_unit.values():
            unit = leads[unit_items[0].pk]
            chosen = colour or strongest(colours[i.pk] for i in unit_items) or N.Colour.BLUE
            notice = N.objects.create(
                plan=plan, unit=unit, colour=chosen, proposed=proposed, created_at=at, created_by=actor,
                requirement=(requirement or "").strip() or default_requirement(chosen),
                reply_days=rules.notice_reply_days,
            )
            notice.items.set(unit_items)
            _event(notice, at=at, actor=actor, from_status="", note=T.written(T.NOTICE_PROPOSED) if proposed else "")
            made.append(notice)
    return made


def notice_issue(*, notice: SupervisionNotice, actor=None, today: date, at: datetime | None = None,
                 note: str = "", urgent: bool = False) -> SupervisionNotice:
    """Sign and send a draft: it takes its number and reply date, goes in each item's history, and is
    queued in the outbox (files attached to the email) after commit. ``urgent`` (a red notice only) sends
    it at once, whatever the hour; otherwise it waits for the working window."""
    at = at or timezone.now()
    if actor is not None:
        authorize(Act.ISSUE_NOTICE, actor, notice)
    with transaction.atomic():
        locked = N.objects.select_for_update(of=("self",)).select_related("plan", "unit").get(pk=notice.pk)
        if locked.status != N.Status.DRAFT:
            raise DocumentError(_("该督办单已签发（%(n)s）。") % {"n": locked.doc_number})
        if urgent and locked.colour != N.Colour.RED:
            raise DocumentError(_("只有红色督办单可以标为急件。"))
        locked.urgent = urgent
        plan = locked.plan
        rules = roundup_settings_for(plan)
        locked.year = today.year
        locked.number = document_number_take(plan=plan, series=DocumentSeries.NOTICE, year=today.year)
        locked.doc_number = format_number(rules.notice_prefix or _("督办"), today.year, locked.number)
        overrides = calendar_overrides(years={today.year, today.year + 1})
        locked.reply_due = add_workdays(today, locked.reply_days, overrides)
        locked.status, locked.issued_at, locked.issued_by = N.Status.ISSUED, at, actor
        locked.save()
        _event(locked, at=at, actor=actor, from_status=N.Status.DRAFT, note=note)
        line = T.written(T.NOTICE_ISSUED, number=locked.doc_number, colour=N.Colour(locked.colour).label,
                       req=locked.requirement, due=chinese_date(locked.reply_due))
        ProgressReport.objects.bulk_create([
            ProgressReport(work_item=item, unit=None, author=actor, kind=ProgressReport.Kind.COMMENT, note=line,
                           created_at=at)
            for item in locked.items.all()
        ])
        enqueue_after_commit("notice_send", locked.pk)
    return locked


def notices_issue_for_items(*, items: Sequence[WorkItem], actor, today: date, colour: str | None = None,
                            requirement: str = "", at: datetime | None = None,
                            urgent: bool = False) -> list[SupervisionNotice]:
    """The overdue view's and item page's one click: draft per lead unit and issue at once. ``urgent``
    marks the red ones urgent (sent at once, whatever the hour); it is refused when none would be red."""
    with transaction.atomic():
        drafts = notices_draft(items=items, actor=actor, today=today, colour=colour, requirement=requirement, at=at)
        if urgent and drafts and not any(d.colour == N.Colour.RED for d in drafts):
            raise DocumentError(_("只有红色督办单可以标为急件。"))
        return [notice_issue(notice=d, actor=actor, today=today, at=at, urgent=urgent and d.colour == N.Colour.RED)
                for d in drafts]


def notice_cancel(*, notice: SupervisionNotice, actor, at: datetime | None = None) -> SupervisionNotice:
    """Drop a draft (a proposed one the office does not want)."""
    at = at or timezone.now()
    authorize(Act.ISSUE_NOTICE, actor, notice)
    with transaction.atomic():
        locked = N.objects.select_for_update().get(pk=notice.pk)
        if locked.status != N.Status.DRAFT:
            raise DocumentError(_("已签发的督办单不能撤销。"))
        locked.status = N.Status.CANCELLED
        locked.save(update_fields=["status"])
        _event(locked, at=at, actor=actor, from_status=N.Status.DRAFT)
    return locked


# -- the document -----------------------------------------------------------------------------------


@translation.override(settings.LANGUAGE_CODE)
def notice_gongwen(notice: SupervisionNotice) -> Gongwen:
    plan = notice.plan
    issuer = issuer_name(plan)
    items = list(notice.items.order_by("due_date", "pk"))
    body = [
        _("经对照%(plan)s工作清单，你单位牵头的以下%(n)d项工作事项需督促办理：") % {
            "plan": plan.title, "n": len(items)},
    ]
    for n, item in enumerate(items, start=1):
        due = chinese_date(item.due_date) if item.due_date else _("未定")
        body.append(_("%(n)d. %(text)s（完成期限：%(due)s；当前进度：%(p)s；状态：%(s)s）") % {
            "n": n, "text": item.text, "due": due, "p": item_progress(item).text, "s": item.get_status_display()})
    body.append(notice.requirement)
    if notice.reply_due:
        body.append(_("请于%(due)s前在系统中书面回复办理情况并上传佐证材料。逾期未回复的，将升级督办。") % {
            "due": chinese_date(notice.reply_due)})
    if notice.escalated_from_id:
        body.insert(0, _("你单位对%(old)s督办单逾期未回复，现升级督办。") % {
            "old": notice.escalated_from.doc_number})
    leader = notice.unit.leader_name or _("分管领导")
    signed = timezone.localdate(notice.issued_at) if notice.issued_at else timezone.localdate()
    return Gongwen(
        issuer_mark=f"{issuer}{_('督办单')}", doc_number=notice.doc_number or _("督办〔　〕号"),
        title=_("关于督促办理有关工作事项的督办单"), addressees=notice.unit.name, body=body, signer=issuer,
        signed_on=signed, copy_to=_("%(unit)s%(leader)s") % {"unit": notice.unit.name, "leader": leader},
        printer=issuer, printed_on=signed,
        mark_note=_("（%(colour)s督办）") % {"colour": notice.get_colour_display()},
        mark_note_colour=COLOUR_RGB[notice.colour],
        watermark="" if notice.number else _("草稿"),
    )


def notice_docx(notice: SupervisionNotice) -> bytes:
    if notice.docx:
        with notice.docx.open("rb") as fh:
            return fh.read()
    return build_docx(notice_gongwen(notice))


def notice_pdf(notice: SupervisionNotice) -> bytes:
    if notice.pdf:
        with notice.pdf.open("rb") as fh:
            return fh.read()
    return docx_to_pdf(notice_docx(notice))


def notice_ensure_files(notice: SupervisionNotice) -> SupervisionNotice:
    """Store an issued notice's .docx and PDF once (its text and number are frozen at issue)."""
    if notice.status == N.Status.DRAFT or (notice.docx and notice.pdf):
        return notice
    with transaction.atomic():
        locked = (N.objects.select_for_update(of=("self",)).select_related("plan", "unit", "escalated_from")
                  .get(pk=notice.pk))
        if not locked.docx:
            locked.docx.save(f"{locked.year}-{locked.number}.docx",
                             ContentFile(build_docx(notice_gongwen(locked))), save=False)
        if not locked.pdf:
            with locked.docx.open("rb") as fh:
                data = fh.read()
            try:
                locked.pdf.save(f"{locked.year}-{locked.number}.pdf", ContentFile(docx_to_pdf(data)), save=False)
            except ConversionUnavailable as exc:
                logger.error("Notice PDF not stored: %s", exc)
        locked.save(update_fields=["docx", "pdf"])
    return locked


def notice_recipients(notice: SupervisionNotice) -> list[str]:
    """The unit's liaisons and its 分管领导 (the unit's addresses and its people's accounts), each address once."""
    people = unit_people([notice.unit_id]).get(notice.unit_id)
    accounts = [*people.liaisons, *(e for e, _n in people.leaders)] if people else []
    seen, out = set(), []
    for email in [*notice.unit.email_list, notice.unit.leader_email, *accounts]:
        if email and email.lower() not in seen:
            seen.add(email.lower())
            out.append(email)
    return out


def notice_attachments(notice: SupervisionNotice) -> list[dict]:
    """The stored .docx and PDF of an issued notice, as the outbox's attachments (read when sent)."""
    stem = f"{notice.doc_number}-{notice.unit.name}"
    files = []
    if notice.pdf:
        files.append({"path": notice.pdf.name, "name": f"{stem}.pdf", "mimetype": "application/pdf"})
    if notice.docx:
        files.append({"path": notice.docx.name, "name": f"{stem}.docx", "mimetype": DOCX_TYPE})
    return files


def notice_content(notice: SupervisionNotice) -> Rendered:
    """The notice in every channel's form, from templates: the email (files attached), a markdown summary
    with the link for DingTalk/浙政钉, an SMS text."""
    url = signed_url(purpose="notice", pk=notice.pk)
    subject = _("【%(colour)s督办单】%(number)s %(plan)s") % {
        "colour": notice.get_colour_display(), "number": notice.doc_number, "plan": notice.plan.title}
    items = list(notice.items.order_by("due_date", "pk"))
    context = {"notice": notice, "items": items, "url": url, "subject": subject,
               "due": chinese_date(notice.reply_due)}
    return Rendered(
        subject=subject,
        text=render_to_string("tasks/email/notice.txt", context),
        markdown=render_to_string("tasks/notifications/notice.md.txt", context).strip(),
        sms=render_to_string("tasks/notifications/notice_sms.txt", context).strip(),
        # The approved SMS template's variables: {count} items, reply by {date}.
        sms_params={"count": str(len(items)), "date": f"{notice.reply_due.month}月{notice.reply_due.day}日"},
        attachments=tuple(notice_attachments(notice)),
    )


@translation.override(settings.LANGUAGE_CODE)
def notice_send(*, notice_id: int, at: datetime | None = None) -> int:
    """Queue an issued notice in the outbox for the unit's liaisons and its 分管领导, once per address (the
    messages' keys); returns how many messages were queued (0: nothing new). The outbox delivers: email
    with the .docx and PDF, a summary with the link on each person's preferred channels; a notice marked
    urgent goes at once, whatever the hour."""
    at = at or timezone.now()
    notice = N.objects.select_related("plan", "unit").get(pk=notice_id)
    if notice.status == N.Status.DRAFT:
        return 0
    notice = notice_ensure_files(notice)  # stored before queuing: the messages reference the files
    to = notice_recipients(notice)
    if not to:
        logger.warning("Notice %s has no recipient address", notice.doc_number)
        return 0
    content = notice_content(notice)
    people = people_by_email(to)
    # The unit's own group robots get the summary and the link (never the plan's group: a 督办单 is the
    # office's word to one unit, not a call-out).
    robots = list(notice.unit.robots.filter(active=True).order_by("pk"))
    specs = []
    for email in to:
        key = f"notice:{notice.pk}:{email.lower()}"
        specs += document_specs(
            key=key, purpose=Message.Purpose.NOTICE, email=email, user=people.get(email.lower()),
            group=uuid.uuid5(uuid.NAMESPACE_URL, key), plan_ids=(notice.plan_id,), notice_id=notice.pk,
            urgent=notice.urgent, content=content,
        )
    specs += robot_specs(key=f"notice:{notice.pk}", purpose=Message.Purpose.NOTICE, robots=robots, content=content,
                         plan_ids=(notice.plan_id,), notice_id=notice.pk, urgent=notice.urgent)
    return messages_queue(specs=specs, now=at)


CATCH_UP_DAYS = 30  # an issued notice older than this with no message is history, not a lost task


def notices_send_pending(*, at: datetime | None = None) -> dict[int, int]:
    """Queue the issued notices of the last ``CATCH_UP_DAYS`` that have no message in the outbox (their task
    was lost); returns notice id -> messages queued. Idempotent (the messages' keys)."""
    at = at or timezone.now()
    pending = (N.objects.filter(status=N.Status.ISSUED, issued_at__gte=at - timedelta(days=CATCH_UP_DAYS))
               .exclude(Exists(Message.objects.filter(notice=OuterRef("pk"))))
               .order_by("pk").values_list("pk", flat=True))
    return {pk: notice_send(notice_id=pk, at=at) for pk in pending}


# -- the unit's answer and escalation -----------------------------------------------------------------


def notice_reply(*, notice: SupervisionNotice, user, text: str, files: Sequence[UploadedFile] = (),
                 at: datetime | None = None) -> SupervisionNotice:
    """The unit answers in writing (text + evidence); the answer goes in each item's history."""
    at = at or timezone.now()
    authorize(Act.REPLY_NOTICE, user, notice)
    unit = user_unit(user)
    text = (text or "").strip()
    if not text:
        raise DocumentError(_("请填写回复内容。"))
    checked = evidence_check_all(list(files))
    with _written_files() as written, transaction.atomic():
        locked = N.objects.select_for_update().get(pk=notice.pk)
        if locked.status != N.Status.ISSUED:
            raise DocumentError(_("该督办单当前状态为“%(s)s”，不能回复。") % {"s": locked.get_status_display()})
        locked.status, locked.answered_at, locked.reply = N.Status.ANSWERED, at, text
        locked.save(update_fields=["status", "answered_at", "reply"])
        _event(locked, at=at, actor=user, from_status=N.Status.ISSUED)
        note = T.written(T.NOTICE_REPLY, number=locked.doc_number, text=text)
        for item in locked.items.order_by("pk"):
            report = ProgressReport.objects.create(work_item=item, unit=unit, author=user,
                                                   kind=ProgressReport.Kind.NOTICE_REPLY, note=note, created_at=at)
            for f in checked:
                f.upload.seek(0)
            _attach(report, checked, written)
    return locked


def notices_escalate(*, today: date, at: datetime | None = None) -> list[SupervisionNotice]:
    """Every issued notice unanswered past its reply date is closed as escalated and followed by a
    notice of the next colour (red stays red) on its items still open. Safe to run again: each notice is
    locked and re-checked, and a notice escalates once (``escalated_from`` is one-to-one)."""
    at = at or timezone.now()
    made = []
    due = list(N.objects.filter(status=N.Status.ISSUED, reply_due__lt=today).values_list("pk", flat=True))
    for pk in due:
        with transaction.atomic():
            old = N.objects.select_for_update(of=("self",)).select_related("plan", "unit").get(pk=pk)
            if old.status != N.Status.ISSUED or not old.reply_due or old.reply_due >= today:
                continue
            old.status = N.Status.ESCALATED
            old.save(update_fields=["status"])
            _event(old, at=at, actor=None, from_status=N.Status.ISSUED,
                   note=T.written(T.NOTICE_UNANSWERED, due=chinese_date(old.reply_due)))
            items = [i for i in old.items.all() if i.is_open]
            if not items:
                continue
            colour = escalated(old.colour)
            new = N.objects.create(
                plan=old.plan, unit=old.unit, colour=colour, created_at=at, escalated_from=old,
                requirement=default_requirement(colour), reply_days=old.reply_days,
            )
            new.items.set(items)
            _event(new, at=at, actor=None, from_status="", note=T.written(T.NOTICE_ESCALATED, n=old.doc_number))
            made.append(notice_issue(notice=new, actor=None, today=today, at=at))
    return made


def notices_propose(*, today: date, at: datetime | None = None) -> list[SupervisionNotice]:
    """Plans with automatic drafting on: draft notices for the items the rules pick (issuing stays a click).
    Items already under a notice are skipped, so a second run drafts nothing. Nothing on a day off."""
    made = []
    if not is_workday(today, calendar_overrides(years={today.year})):
        return made
    for plan in Plan.objects.filter(roundup_settings__notice_auto_draft=True).order_by("pk"):
        picked = notice_candidates(plan=plan, today=today)
        by_colour: dict[str, list[WorkItem]] = defaultdict(list)
        for item, colour in picked:
            by_colour[colour].append(item)
        for colour in sorted(by_colour, key=ORDER.__getitem__, reverse=True):
            made += notices_draft(items=by_colour[colour], today=today, colour=colour, proposed=True, at=at)
    return made
