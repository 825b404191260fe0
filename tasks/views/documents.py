"""Pages for the documents an office files: edit, download and publish the 通报 公文; issue, read and answer
督办单. Thin: forms parse, services decide, every object checked against the user."""

from __future__ import annotations

from contextlib import nullcontext

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tasks.documents.convert import ConversionUnavailable
from tasks.forms import BulletinForm, NoticeIssueForm, NoticeReplyForm
from tasks.inputs import parse_ids
from tasks.models import Bulletin, DocumentSeries, SupervisionNotice
from tasks.rules.actions import Act
from tasks.selectors.documents import bulletins_visible_to, notices_visible_to
from tasks.selectors.guard import allowed, authorize
from tasks.selectors.permissions import visible_work_items
from tasks.selectors.roundups import roundups_visible_to
from tasks.services import documents as docs
from tasks.services import notices as notice_services
from tasks.services.parse_slots import ParseBusy, parse_slot
from tasks.services.roundups import RoundupError, roundup_publish

from .common import add_service_error


def _file(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _busy(exc: ParseBusy) -> HttpResponse:
    return HttpResponse(str(exc), status=429, content_type="text/plain; charset=utf-8")


def _no_pdf() -> HttpResponse:
    return HttpResponse(_("服务器暂时无法生成PDF，请下载Word文件。"), status=503,
                        content_type="text/plain; charset=utf-8")


# -- 通报 ------------------------------------------------------------------------------------------------


def bulletin_edit(request, pk: int):
    """The roundup's 通报: edit the draft's paragraphs, download it, publish; a published one is read-only, and
    so is every one to a user who sees the plan but does not act for it (drafting one is refused them)."""
    roundup = get_object_or_404(roundups_visible_to(request.user).select_related("plan"), pk=pk)
    may_edit = allowed(Act.EDIT_BULLETIN, request.user, roundup)
    if request.method == "POST":
        authorize(Act.EDIT_BULLETIN, request.user, roundup)
    bulletin = docs.bulletin_for_roundup(roundup=roundup, actor=request.user)  # drafts one: the guard asks
    form = None
    if request.method == "POST" and not bulletin.is_published:
        form = BulletinForm(request.POST)
        if form.is_valid():
            try:
                docs.bulletin_edit(bulletin=bulletin, actor=request.user, **form.cleaned_data)
            except ValidationError as e:
                add_service_error(form, e)
            else:
                messages.success(request, _("通报已保存。"))
                return redirect("tasks:bulletin_edit", pk=roundup.pk)
    if form is None:
        form = BulletinForm(initial={"title": bulletin.title, "addressees": bulletin.addressees,
                                     "body": bulletin.body, "signer": bulletin.signer, "copy_to": bulletin.copy_to})
    year = timezone.localdate().year
    next_number = docs.format_number(docs.doc_prefix(roundup.plan), year, docs.document_number_peek(
        plan=roundup.plan, series=DocumentSeries.BULLETIN, year=year))
    context = {
        "roundup": roundup, "bulletin": bulletin, "form": form, "next_number": next_number, "may_edit": may_edit,
        "history": roundup.bulletins.exclude(pk=bulletin.pk).order_by("-pk"),
    }
    return render(request, "tasks/documents/bulletin_edit.html", context)


def _bulletin(request, pk: int) -> Bulletin:
    return get_object_or_404(bulletins_visible_to(request.user), pk=pk)


@require_safe
def bulletin_docx(request, pk: int):
    bulletin = _bulletin(request, pk)
    with translation.override(settings.LANGUAGE_CODE):
        content = docs.bulletin_docx(bulletin)
    return _file(content, f"{docs.bulletin_file_stem(bulletin)}.docx", docs.DOCX_TYPE)


@require_safe
def bulletin_pdf(request, pk: int):
    bulletin = _bulletin(request, pk)
    stored = bulletin.is_published and bulletin.pdf  # else LibreOffice converts it: a slot (parse_slots)
    try:
        with translation.override(settings.LANGUAGE_CODE), nullcontext() if stored else parse_slot(request.user):
            content = docs.bulletin_pdf(bulletin)
    except ConversionUnavailable:
        return _no_pdf()
    except ParseBusy as exc:
        return _busy(exc)
    return _file(content, f"{docs.bulletin_file_stem(bulletin)}.pdf", "application/pdf")


@require_POST
def bulletin_publish(request, pk: int):
    """Publish: a draft roundup is published with its 通报 (numbered, frozen, emailed); a correction of a
    published one is numbered and frozen on its own."""
    bulletin = _bulletin(request, pk)  # the services ask the guard: refused, a 403 and nothing written
    try:
        with translation.override(settings.LANGUAGE_CODE):
            if not bulletin.roundup.is_published:
                roundup_publish(roundup=bulletin.roundup, actor=request.user)
            else:
                docs.bulletin_publish(bulletin=bulletin, actor=request.user)
    except (RoundupError, docs.DocumentError) as e:
        messages.error(request, " ".join(e.messages))
    else:
        bulletin.refresh_from_db()
        messages.success(request, _("已印发：%(n)s。") % {"n": bulletin.doc_number})
    return redirect("tasks:bulletin_edit", pk=bulletin.roundup_id)


@require_POST
def bulletin_redraft(request, pk: int):
    bulletin = _bulletin(request, pk)
    try:
        docs.bulletin_redraft(bulletin=bulletin, actor=request.user)
    except docs.DocumentError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("已按晾晒通报的最新数据重新起草。"))
    return redirect("tasks:bulletin_edit", pk=bulletin.roundup_id)


@require_POST
def bulletin_correct(request, pk: int):
    bulletin = _bulletin(request, pk)
    try:
        docs.bulletin_correct(bulletin=bulletin, actor=request.user)
    except docs.DocumentError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("已起草更正通报，请修改后印发。"))
    return redirect("tasks:bulletin_edit", pk=bulletin.roundup_id)


# -- 督办单 ------------------------------------------------------------------------------------------------


def _back(request, default: str):
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(default)


def _issue(request, items) -> None:
    form = NoticeIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("督办单填写有误。"))
        return
    plans = {i.plan_id for i in items}
    if len(plans) != 1:
        messages.error(request, _("一次只能督办同一方案的事项。"))
        return
    try:  # the service asks the guard first: refused, a 403 and nothing written
        made = notice_services.notices_issue_for_items(
            items=items, actor=request.user, today=timezone.localdate(),
            colour=form.cleaned_data["colour"] or None, requirement=form.cleaned_data["requirement"],
            urgent=form.cleaned_data["urgent"],
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return
    if made:
        messages.success(request, _("已签发督办单：%(list)s。") % {
            "list": "、".join(f"{n.doc_number}（{n.unit.name}）" for n in made)})
    else:
        messages.info(request, _("所选事项已在督办中或已办结，未重复签发。"))


@require_POST
def notice_issue_items(request):
    """From the overdue view: one 督办单 per lead unit of the ticked items."""
    ids = parse_ids(request.POST.getlist("item"))
    if ids is None:  # "²" or an id past 64 bits: a forged form, not a choice (str.isdigit accepted them: a 500)
        raise PermissionDenied(_("请求无效。"))
    items = list(visible_work_items(request.user).filter(pk__in=ids).select_related("plan"))
    if not items:
        messages.error(request, _("请先勾选要督办的事项。"))
    else:
        _issue(request, items)
    return _back(request, "tasks:overdue")


@require_POST
def notice_issue_item(request, pk: int):
    item = get_object_or_404(visible_work_items(request.user).select_related("plan"), pk=pk)
    _issue(request, [item])
    return redirect(item)


def _notice(request, pk: int) -> SupervisionNotice:
    return get_object_or_404(notices_visible_to(request.user), pk=pk)


def notice_detail(request, pk: int):
    notice = _notice(request, pk)
    can_reply = (allowed(Act.REPLY_NOTICE, request.user, notice)
                 and notice.status == SupervisionNotice.Status.ISSUED)
    form = None
    if request.method == "POST":
        authorize(Act.REPLY_NOTICE, request.user, notice)
        if not can_reply:
            raise PermissionDenied(_("该督办单当前状态为“%(s)s”，不能回复。") % {"s": notice.get_status_display()})
        form = NoticeReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                notice_services.notice_reply(notice=notice, user=request.user, text=form.cleaned_data["text"],
                                             files=form.cleaned_data["files"])
            except ValidationError as e:
                add_service_error(form, e)
            else:
                messages.success(request, _("已回复督办单。"))
                return redirect("tasks:notice_detail", pk=notice.pk)
    context = {
        "notice": notice, "items": notice.items.order_by("due_date", "pk"),
        "events": notice.events.select_related("actor"),
        "can_reply": can_reply, "form": form or NoticeReplyForm(),
        "coordinator": allowed(Act.ISSUE_NOTICE, request.user, notice),
    }
    return render(request, "tasks/documents/notice_detail.html", context)


@require_POST
def notice_sign(request, pk: int):
    """Issue a drafted (or proposed) notice, or drop it."""
    notice = _notice(request, pk)
    try:
        if request.POST.get("action") == "cancel":
            notice_services.notice_cancel(notice=notice, actor=request.user)
            messages.success(request, _("已撤销。"))
        else:
            notice = notice_services.notice_issue(notice=notice, actor=request.user, today=timezone.localdate(),
                                                  urgent=request.POST.get("urgent") == "on")
            messages.success(request, _("已签发：%(n)s。") % {"n": notice.doc_number})
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("tasks:notice_detail", pk=notice.pk)


@require_safe
def notice_docx(request, pk: int):
    notice = _notice(request, pk)
    with translation.override(settings.LANGUAGE_CODE):
        content = notice_services.notice_docx(notice)
    return _file(content, f"{notice.doc_number or _('督办单草稿')}.docx", docs.DOCX_TYPE)


@require_safe
def notice_pdf(request, pk: int):
    notice = _notice(request, pk)
    try:
        with translation.override(settings.LANGUAGE_CODE), nullcontext() if notice.pdf else parse_slot(request.user):
            content = notice_services.notice_pdf(notice)
    except ConversionUnavailable:
        return _no_pdf()
    except ParseBusy as exc:
        return _busy(exc)
    return _file(content, f"{notice.doc_number or _('督办单草稿')}.pdf", "application/pdf")
