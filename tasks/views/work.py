"""A unit's daily work: the home page, a work item's page, reporting, closing, extensions, evidence."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tasks.forms import (
    CloseRequestForm,
    CommentForm,
    ContributionForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    NoticeIssueForm,
    ProgressForm,
    RatingForm,
    ReviewForm,
    SupportDoneForm,
    WaiveForm,
)
from tasks.listings import unit_work_listing
from tasks.models import Evidence, Export, ExtensionRequest, PersonRole, ProgressReport, Role, Unit, WorkItem
from tasks.rules.actions import LEAD, REVIEWER, Act, item_actions, may_be_rated, permitted, rated_since_closed
from tasks.rules.deadlines import calendar_years, is_extended, workdays_left
from tasks.rules.outcomes import days_overdue, is_overdue
from tasks.rules.support import SupportOutcome, support_outcome
from tasks.selectors.breakdown import rollup_of, sub_items_for_parent, support_parts_for_unit, support_summary
from tasks.selectors.burden import evidence_demanded_of
from tasks.selectors.calendar import calendar_overrides
from tasks.selectors.guard import authorize, item_role, standing
from tasks.selectors.messages import messages_for_item
from tasks.selectors.notices import notices_for_item
from tasks.selectors.permissions import is_coordinator, person_role, sees_plan_whole, user_unit, visible_work_items
from tasks.selectors.targets import shares_for_unit
from tasks.selectors.work import (
    awaiting_rating_box,
    extension_requests_for_item,
    key_tasks_for_unit,
    last_report_for,
    unit_urgency_counts,
    work_item_for_page,
    work_item_history,
    work_item_last_return,
)
from tasks.services.decisions import work_item_rate
from tasks.services.evidence import KINDS
from tasks.services.reports import work_item_comment, work_item_report_progress, work_item_request_close
from tasks.services.review import extension_request_create

from .common import PER_PAGE, BoundedRequestConfig, add_service_error, safe_next, wants_export
from .exports import export_response
from .plans import coordinator_home

S = WorkItem.Status
SAFE_TYPES = {k.content_type for k in KINDS.values()}
HISTORY_LIMIT = 100
SUPPORT_UNFOLDED = 6  # an item's supporting units listed unfolded on its page; more are folded under their count
SUPPORT_SHOWN = 20  # supporting parts listed on the home page; the table below has them all


@require_safe
def home(request):
    """Coordinators land on their dashboard; unit staff on their unit's work. A new region's coordinator,
    who may import a plan but coordinates none yet, lands on the (empty) dashboard with its import button."""
    user = request.user
    if is_coordinator(user) or (user_unit(user) is None and user.has_perm("tasks.add_plan")):
        return coordinator_home(request)
    return my_work(request)


TO_SIGN_SHOWN = 10  # parts to sign listed on a town's home; the rest through the filter


@require_safe
def my_work(request):
    """The work items of the user's unit (lead or supporting), by deadline, with counts and filters."""
    unit = user_unit(request.user)
    if unit is None:
        return render(request, "tasks/no_unit.html")
    today = timezone.localdate()
    export = wants_export(request)
    counts = None if export else unit_urgency_counts(unit=unit, today=today)
    # Unfiltered, the table holds the unit's items: "全部 N" above it is their number (no COUNT again).
    listing = unit_work_listing(unit, request.GET, today=today, count=counts["total"] if counts else None)
    table, items = listing.table, listing.filterset.queryset
    BoundedRequestConfig(request, paginate=False if export else {"per_page": PER_PAGE},
                         filterset=listing.filterset).configure(table)
    if export:
        return export_response(request, listing, kind=Export.Kind.UNIT_WORK, today=today)
    support = support_summary(unit=unit, today=today)
    return render(
        request,
        "tasks/my_work.html",
        {
            "unit": unit,
            "today": today,
            "table": table,
            "filter": listing.filterset,
            "counts": counts,
            "key_tasks": key_tasks_for_unit(unit=unit, today=today),
            "support": support,
            "support_parts": support_parts_for_unit(unit=unit, today=today, limit=SUPPORT_SHOWN)
            if support["total"] else [],
            "awaiting_sign": items.filter(status=S.AWAITING_SIGN).count() if unit.kind == Unit.Kind.TOWN else 0,
            # A town signs for the parts handed to it from here, one tap each (the first few, by deadline).
            "to_sign": list(items.filter(status=S.AWAITING_SIGN)[:TO_SIGN_SHOWN]) if unit.kind == Unit.Kind.TOWN
            else [],
            "shares": shares_for_unit(unit, year=today.year),
            # A 分管领导's closed items from meetings and instructions awaiting their rating (a liaison raises none).
            "to_rate": awaiting_rating_box(request.user) if person_role(request.user) == PersonRole.LEADER else None,
        },
    )


# ---- one work item -------------------------------------------------------------------------------------


def _item_or_404(request, pk: int) -> WorkItem:
    return get_object_or_404(work_item_for_page(visible=visible_work_items(request.user), pk=pk))


def _render_item(request, item: WorkItem, status: int = 200, **forms):
    today = timezone.localdate()
    user = request.user
    marks = standing(user, item)  # what the guard reads: the buttons below are what the services accept
    role, acts_for_plan = item_role(marks), REVIEWER in marks
    sees_whole = acts_for_plan or sees_plan_whole(user, item.plan_id)
    extensions = list(extension_requests_for_item(item))
    pending = next((x for x in extensions if x.status == ExtensionRequest.Status.PENDING), None)
    target = None
    if item.indicator_id:
        target = next((t for t in item.indicator.targets.all() if t.year == item.year), None)
    # Broken-down work: the parent lists its sub-items (to its lead and reviewers) and their roll-up.
    sub_items = list(sub_items_for_parent(parent=item, today=today)) if item.parent_id is None else []
    rollup = rollup_of(sub_items, today=today) if sub_items else None
    assignments = list(item.assignments.all())
    support_rows = [
        {"a": a, "outcome": support_outcome(
            due_date=item.due_date, done_on=timezone.localdate(a.support_done_at) if a.support_done_at else None,
            as_of=today)}
        for a in assignments if a.role == Role.SUPPORT
    ]
    unit = user_unit(user)
    my_part = next((r["a"] for r in support_rows if unit is not None and r["a"].unit_id == unit.pk), None)
    # Many supporting units (a plan item often has twenty): their list is folded under a count per outcome, or
    # a supporting liaison on a phone scrolled past forty lines to reach the form (办理).
    outcomes = [r["outcome"] for r in support_rows]
    support_tally = [(o, outcomes.count(o)) for o in SupportOutcome.ALL if o in outcomes]
    history, truncated = work_item_history(item, limit=None if request.GET.get("history") == "all" else HISTORY_LIMIT)
    overdue = is_overdue(status=item.status, due=item.due_date, today=today)
    left = None  # shown while the deadline is ahead (past it, the page shows the days overdue)
    if item.due_date and item.is_open and item.due_date >= today:
        overrides = calendar_overrides(years=calendar_years(today, item.due_date))
        left = workdays_left(today=today, due=item.due_date, overrides=overrides)
    actions = item_actions(
        status=item.status, role=role, reviewer=acts_for_plan, has_deadline=item.due_date is not None,
        pending_extension=pending is not None, parts_open=rollup is not None and not rollup.all_closed,
        is_part=item.parent_id is not None, support_marked=my_part is not None and my_part.support_done_at is not None,
    )
    context = {
        "item": item,
        "today": today,
        "role": role,
        "is_lead": role == LEAD,
        "reviewer": sees_whole,  # reads the plan as a whole (links to it, the sub-items); acting is ``actions``
        "assignments": assignments,
        "sub_items": sub_items,
        "show_sub_items": sees_whole or role == LEAD,
        "rollup": rollup,
        "support_rows": support_rows,
        "support_folded": len(support_rows) > SUPPORT_UNFOLDED,
        "support_tally": support_tally,
        "my_support_row": next((r for r in support_rows if r["a"] is my_part), None) if my_part else None,
        "my_part": my_part,
        "can_support_done": actions.support_done,
        "can_sign": actions.sign,
        "can_break_down": actions.break_down,
        "can_waive": actions.waive,
        "close_blocked": rollup is not None and not rollup.all_closed,
        "target": target,
        "workdays_left": left,
        "days_overdue": days_overdue(due=item.due_date, today=today) if overdue else None,
        "overdue": overdue,
        "extended": is_extended(deadline=item.deadline, due_date=item.due_date),
        "history": history,
        "history_truncated": truncated,
        "extensions": extensions,
        "pending_extension": pending,
        "actions": actions,
        "can_report": actions.report,
        "can_close": actions.close,
        "can_extend": actions.extend,
        "can_review": actions.review,
        # The request under review, shown in the review form: on a phone its note and evidence were screens
        # below the form, in the history (the newest first).
        "under_review": next((e for e in history if e.kind == "report"
                              and e.obj.kind == ProgressReport.Kind.CLOSE_REQUEST), None) if actions.review else None,
        "can_rate": permitted(Act.RATE, marks) and may_be_rated(
            origin=item.origin, status=item.status,
            rated_since_closed=rated_since_closed(rated_at=item.rated_at, completed_at=item.completed_at)),
        "rating_form": forms.get("rating_form") or RatingForm(),
        "returned": work_item_last_return(item),
        "report_form": forms.get("report_form") or _report_form(item, unit if actions.report else None, role),
        "close_form": forms.get("close_form")
        or CloseRequestForm(evidence_required=actions.close and evidence_demanded_of(item)),
        "extension_form": forms.get("extension_form") or ExtensionRequestForm(plan=item.plan),
        "review_form": forms.get("review_form") or ReviewForm(),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "decision_form": forms.get("decision_form") or ExtensionDecisionForm(plan=item.plan),
        "support_form": forms.get("support_form") or SupportDoneForm(),
        "waive_form": forms.get("waive_form") or WaiveForm(),
        "open_form": next(iter(forms), None),
        "item_notices": notices_for_item(item, user) if sees_whole or role else [],
        # What went out about the item (digests, 督办单), to whom and its fate: the plan's coordinators.
        "item_messages": messages_for_item(item) if acts_for_plan else [],
        "notice_form": NoticeIssueForm(),
    }
    for name in FORM_IDS:
        # Several forms share field names (note, files, reason): distinct ids keep each label on its own field.
        # Only the ids change, not the field names, so what each form posts stays the same.
        context[name].auto_id = FORM_IDS[name]
    return render(request, "tasks/work_item_detail.html", context, status=status)


def _report_form(item: WorkItem, unit, role: str | None):
    """The report form, started from the unit's last report on the item (减负: nothing typed twice)."""
    lead = role == LEAD
    kind = ProgressReport.Kind.PROGRESS if lead else ProgressReport.Kind.CONTRIBUTION
    last = last_report_for(item, unit, kind=kind)  # none without a unit that may report (no query)
    initial = {"note": last.note, **({"percent": last.percent} if lead else {})} if last else None
    return (ProgressForm if lead else ContributionForm)(initial=initial)


FORM_IDS = {
    "report_form": "id_report_%s",
    "close_form": "id_close_%s",
    "extension_form": "id_extension_%s",
    "review_form": "id_review_%s",
    "comment_form": "id_comment_%s",
    "decision_form": "id_decision_%s",
}


@require_safe
def work_item_detail(request, pk: int):
    # ``?open=rate``: the rating request's link lands with the rating form open.
    opened = {"rating_form": RatingForm()} if request.GET.get("open") == "rate" else {}
    return _render_item(request, _item_or_404(request, pk), **opened)


@require_POST
def work_item_report(request, pk: int):
    """Lead units report progress; supporting units their contribution."""
    item = _item_or_404(request, pk)
    role = item_role(authorize(Act.REPORT, request.user, item))
    form = (ProgressForm if role == LEAD else ContributionForm)(request.POST, request.FILES)
    if form.is_valid():
        try:
            work_item_report_progress(
                item=item, user=request.user, note=form.cleaned_data["note"],
                percent=form.cleaned_data.get("percent"), files=form.cleaned_data["files"],
            )
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已报送。"))
            return redirect(item)
    return _render_item(request, item, report_form=form)


@require_POST
def work_item_close(request, pk: int):
    """The lead unit asks to close the item (申请办结)."""
    item = _item_or_404(request, pk)
    authorize(Act.CLOSE, request.user, item)
    form = CloseRequestForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            work_item_request_close(
                item=item, user=request.user, note=form.cleaned_data["note"], files=form.cleaned_data["files"]
            )
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已提交办结申请，等待专班审核。"))
            return redirect(item)
    return _render_item(request, item, close_form=form)


@require_POST
def work_item_extension(request, pk: int):
    """The lead unit asks for a later deadline (延期申请)."""
    item = _item_or_404(request, pk)
    authorize(Act.EXTEND, request.user, item)
    form = ExtensionRequestForm(request.POST, plan=item.plan)
    if form.is_valid():
        try:
            extension_request_create(
                item=item, user=request.user, reason=form.cleaned_data["reason"],
                proposed_due_date=form.cleaned_data["proposed_due_date"],
            )
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("已提交延期申请。"))
            return redirect(item)
    return _render_item(request, item, extension_form=form)


@require_POST
def work_item_rate_view(request, pk: int):
    """Who raised a closed item from a meeting or an instruction, or the coordinator, rates it (不满意 reopens it)."""
    item = _item_or_404(request, pk)
    authorize(Act.RATE, request.user, item)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            work_item_rate(item=item, user=request.user, rating=form.cleaned_data["rating"],
                           reason=form.cleaned_data["reason"])
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("评价已记录。"))
            return redirect(item.get_absolute_url())
    return _render_item(request, item, status=400, rating_form=form)


def work_item_comment_view(request, pk: int):
    """A coordinator's comment (督办意见); from the overdue view it returns there."""
    item = _item_or_404(request, pk)
    authorize(Act.COMMENT, request.user, item)
    back = safe_next(request, item.get_absolute_url())
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            work_item_comment(item=item, user=request.user, note=form.cleaned_data["note"])
        except ValidationError as e:
            add_service_error(form, e)
        else:
            messages.success(request, _("督办意见已记录。"))
            return redirect(back)
    return render(request, "tasks/comment.html", {"item": item, "form": form, "next": back})


@require_safe
def evidence_download(request, pk: int):
    """Stream an evidence file to someone who may see its item, always as a download."""
    evidence = get_object_or_404(
        Evidence.objects.select_related("report"), pk=pk,
        report__work_item__in=visible_work_items(request.user).values("pk"),
    )
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as e:
        raise Http404(_("文件不存在。")) from e
    content_type = evidence.content_type if evidence.content_type in SAFE_TYPES else "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
