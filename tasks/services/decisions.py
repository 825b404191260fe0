"""Work from outside the plan (issue 34): a meeting's decisions (会议纪要) and a leader's instruction (领导批示)
become work items of the plan, handed out like any other (分解交办, 签收, review, reminders, 督办单); their
rating after 销号 (满意 / 基本满意 / 不满意), where 不满意 reopens the item through the one transition function;
the message that asks for it when the item is closed.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tasks import stored_text as T
from tasks.importers import PlanParseError
from tasks.importers.decisions import ParsedDecisions
from tasks.importers.limits import read_text
from tasks.importers.matching import normalise_name
from tasks.inputs import clean_required
from tasks.models import KeyTask, Message, Plan, Role, StatusChange, Unit, WorkItem, WorkItemUnit
from tasks.notifications.links import signed_url
from tasks.notifications.services import Rendered, document_specs, messages_queue
from tasks.rules.actions import Act, may_be_rated, rated_since_closed
from tasks.selectors.guard import authorize
from tasks.selectors.people import possible_raisers
from tasks.selectors.permissions import rates_what_they_raised
from tasks.selectors.units import units_by_name
from tasks.workdays import date_bounds, date_in_bounds

from .plan_import import import_limits
from .workflow import work_item_transition

ORIGIN = WorkItem.Origin


class DecisionImportError(ValidationError):
    pass


@dataclass
class DecisionImport:
    items: list[WorkItem]

    def summary(self) -> str:
        return _("已建立%(n)d个事项。") % {"n": len(self.items)}


def decisions_read(upload) -> str:
    """The text of uploaded minutes (.txt, .docx, .pdf, .doc, .wps) through the plan importer's readers and caps
    (a temporary copy for the readers, removed whatever happens); ``PlanParseError`` names what is wrong."""
    suffix = Path(upload.name).suffix.lower()
    fd, tmp = tempfile.mkstemp(suffix=suffix, prefix="minutes-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        text = read_text(Path(tmp), limits=import_limits(), source=Path(upload.name).name)
    finally:
        Path(tmp).unlink(missing_ok=True)
    if not text.strip():
        raise PlanParseError(_("文件中没有可读的文字。"), path=Path(upload.name).name)
    return text


def resolve_units(*, plan: Plan, parsed: ParsedDecisions) -> tuple[dict[str, Unit], list[str]]:
    """Each unit name the decisions write, mapped to the plan region's unit (by name or alias); and the
    names no unit goes by, each with the line it is on."""
    known = units_by_name(plan.region)
    found: dict[str, Unit] = {}
    missing: list[str] = []
    for decision in parsed.items:
        for name in [*decision.lead_units, *decision.supporting_units]:
            unit = known.get(normalise_name(name))
            if unit is not None:
                found[name] = unit
            elif not any(m.endswith(f"：{name}") for m in missing):
                missing.append(_("第%(line)d行：%(name)s") % {"line": decision.line, "name": name})
    return found, missing


def decisions_import(
    *,
    plan: Plan,
    parsed: ParsedDecisions,
    origin: str = ORIGIN.MEETING,
    origin_ref: str = "",
    origin_by: str = "",
    raised_by=None,
    origin_on: date | None = None,
    key_task: KeyTask | None = None,
    actor=None,
    at: datetime | None = None,
) -> DecisionImport:
    """One work item per decision, with its lead and supporting units and deadline; all or nothing.

    A unit name that no unit of the plan's region goes by, a decision without a lead or a deadline, or a key
    task of another plan is refused with the place named, and nothing is written. ``actor`` None is the system
    (a command); a user must act for the plan (the guard's ``import_plan``).
    """
    if actor is not None:
        authorize(Act.IMPORT_PLAN, actor, plan)
    if origin not in (ORIGIN.MEETING, ORIGIN.INSTRUCTION):
        raise DecisionImportError(_("事项来源应为会议议定或领导批示。"))
    if key_task is not None and key_task.plan_id != plan.pk:
        raise DecisionImportError(_("所选重点任务不属于该方案。"))
    if not parsed.items:
        raise DecisionImportError(_("没有找到写明责任单位的议定事项。"))
    if raised_by is not None and not possible_raisers(plan.region_id).filter(pk=raised_by.pk).exists():
        raise DecisionImportError(_("提出人账号应为本地区单位的分管领导。"))
    problems = []
    for d in parsed.items:
        if not d.lead_units:
            problems.append(_("第%(line)d行：没有牵头单位。") % {"line": d.line})
        if d.deadline is None:
            problems.append(_("第%(line)d行：没有完成时限。") % {"line": d.line})
        elif not date_in_bounds(d.deadline, plan.last_year):  # as every deadline: not past the plan's years + 2
            problems.append(_("第%(line)d行：完成时限 %(date)s 超出方案期限（%(high)s 前）。") % {
                "line": d.line, "date": d.deadline.isoformat(), "high": date_bounds(plan.last_year)[1].isoformat()})
    units, missing = resolve_units(plan=plan, parsed=parsed)
    if missing:
        problems.append(_("以下单位不在本地区的单位名录中（请先在单位或别名中添加）：%s") % "；".join(missing))
    if problems:
        raise DecisionImportError(problems)
    at = at or timezone.now()
    created = []
    with transaction.atomic():
        for d in parsed.items:
            item = WorkItem.objects.create(
                plan=plan, year=d.deadline.year, key_task=key_task, text=clean_required(d.text)[:5000],
                # No "原文" beside the date: the deadline as written stays in the decision's own text (an ISO
                # date here showed "2026-12-31（原文：2026-12-31）" on the item and twice in the lists).
                deadline=d.deadline, due_date=d.deadline, deadline_text="",
                source=WorkItem.Source.MANUAL, origin=origin, origin_ref=origin_ref[:200],
                origin_by=origin_by[:100], origin_on=origin_on, raised_by=raised_by,
                status=WorkItem.Status.NOT_STARTED,
            )
            assigned: set[int] = set()
            rows = []
            for role, names in ((Role.LEAD, d.lead_units), (Role.SUPPORT, d.supporting_units)):
                for name in names:
                    unit = units[name]
                    if unit.pk in assigned:
                        continue
                    assigned.add(unit.pk)
                    rows.append(WorkItemUnit(work_item=item, unit=unit, role=role, position=len(rows)))
            WorkItemUnit.objects.bulk_create(rows)
            StatusChange.objects.create(
                work_item=item, actor=actor, at=at, event=StatusChange.Event.IMPORTED, from_status="",
                to_status=item.status, reason=T.written(T.FROM_ORIGIN, origin=ORIGIN(origin).label,
                                                                      ref=origin_ref),
            )
            created.append(item)
    return DecisionImport(items=created)


def work_item_rate(*, item: WorkItem, user, rating: str, reason: str = "", at: datetime | None = None) -> WorkItem:
    """Record how a closed (销号) item from a meeting or an instruction was done; 不满意 reopens it.

    Whoever raised it (``raised_by``) records it, or the coordinator on their behalf (the guard's ``rate``),
    once per closing (销号): a later rating needs the item reopened and closed again. A reason is required for
    不满意; the reopening is a status change (done -> in progress) with that reason, by the same user.
    """
    authorize(Act.RATE, user, item)
    if rating not in WorkItem.Rating.values:
        raise ValidationError(_("请选择评价：满意、基本满意或不满意。"))
    reason = clean_required(reason)
    if rating == WorkItem.Rating.UNSATISFIED and not reason:
        raise ValidationError(_("评价为不满意时请填写原因。"))
    at = at or timezone.now()
    with transaction.atomic():
        locked = WorkItem.objects.select_for_update().get(pk=item.pk)
        rated = rated_since_closed(rated_at=locked.rated_at, completed_at=locked.completed_at)
        if not may_be_rated(origin=locked.origin, status=locked.status, rated_since_closed=rated):
            raise ValidationError(_("只有会议议定和领导批示事项需要评价。") if locked.origin == ORIGIN.PLAN
                                  else _("本次销号已评价。") if rated else _("事项销号后才能评价。"))
        locked.rating, locked.rating_reason, locked.rated_at, locked.rated_by = rating, reason, at, user
        locked.save(update_fields=["rating", "rating_reason", "rated_at", "rated_by", "updated_at"])
        if rating == WorkItem.Rating.UNSATISFIED:
            work_item_transition(item=locked, to_status=WorkItem.Status.IN_PROGRESS, actor=user, at=at,
                                 reason=T.written(T.RATED_UNSATISFIED, _0=reason))
    for name in ("rating", "rating_reason", "rated_at", "rated_by", "status", "completed_at", "completed_on_time"):
        setattr(item, name, getattr(locked, name))
    return item


def rating_request_recipients(item: WorkItem) -> list:
    """Who is asked to rate a closed item: whoever raised it (an active account), else the plan's coordinators
    (who rate on their behalf)."""
    raiser = item.raised_by
    if raiser is not None and rates_what_they_raised(raiser):
        return [raiser]
    return list(item.plan.coordinators.filter(is_active=True).select_related("profile").order_by("pk"))


def rating_request_content(item: WorkItem) -> Rendered:
    """The request in every channel's form, from templates, with a signed link to the item's rating form."""
    closed_on = timezone.localdate(item.completed_at)
    context = {"item": item, "url": signed_url(purpose="rate", pk=item.pk), "closed_on": closed_on,
               "raised": item.raised_by_id is not None}
    subject = _("【待评价】%(origin)s事项已销号：%(text)s") % {
        "origin": ORIGIN(item.origin).label, "text": item.text[:30] + ("…" if len(item.text) > 30 else "")}
    context["subject"] = subject
    return Rendered(
        subject=subject,
        text=render_to_string("tasks/email/rating_request.txt", context),
        markdown=render_to_string("tasks/notifications/rating_request.md.txt", context).strip(),
        sms=render_to_string("tasks/notifications/rating_request_sms.txt", context).strip(),
        # The approved SMS template's variables: {count} items to attend to, on {date}.
        sms_params={"count": "1", "date": f"{closed_on.month}月{closed_on.day}日"},
    )


@translation.override(settings.LANGUAGE_CODE)
def rating_request_queue(*, item: WorkItem, at: datetime | None = None) -> int:
    """Tell whoever rates a closed (销号) item from a meeting or an instruction that it awaits their rating
    (``rating_request_recipients``), on their channels, in working hours like any message; returns how many
    messages were queued. Once per closing: the keys name the item and the moment it was closed, so queuing
    again for the same closing is a no-op, and a reopened item closed again asks again."""
    if item.origin == ORIGIN.PLAN or item.status != WorkItem.Status.DONE or item.completed_at is None:
        return 0
    item = WorkItem.objects.select_related("plan", "raised_by").get(pk=item.pk)
    if rated_since_closed(rated_at=item.rated_at, completed_at=item.completed_at):
        return 0
    content = rating_request_content(item)
    closing = item.completed_at.strftime("%Y%m%dT%H%M%S%f")
    specs = []
    for person in rating_request_recipients(item):
        key = f"rate:{item.pk}:{closing}:{person.pk}"
        specs += [spec for spec in document_specs(
            key=key, purpose=Message.Purpose.RATING_REQUEST, email=person.email, user=person, content=content,
            group=uuid.uuid5(uuid.NAMESPACE_URL, key), plan_ids=(item.plan_id,),
        ) if spec.address]  # an account without an email address is reached on its other channels only
    return messages_queue(specs=specs, now=at)
