"""Writes for the 通报 公文: numbering, drafting from the roundup, editing, publishing (frozen files),
corrections. The layout lives in ``tasks.documents.gongwen``; this module decides what it says.

Numbers: ``document_number_take`` locks the plan's sequence row for the series and year and takes the next
number inside the caller's transaction, so a rolled-back publish gives its number back (gap-free) and two
publishes at once queue on the lock (no duplicate; the unique constraints say so too).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tasks.documents.convert import ConversionUnavailable, docx_to_pdf
from tasks.documents.gongwen import Attachment, Gongwen, Table, build_docx, chinese_date
from tasks.models import Bulletin, DocumentSequence, DocumentSeries, Plan, Roundup, Unit
from tasks.roundups.report import RoundupReport, colour_label, pct
from tasks.rules.actions import Act
from tasks.selectors.guard import authorize
from tasks.selectors.roundups import roundup_settings_for

logger = logging.getLogger(__name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TOWN = Unit.Kind.TOWN


class DocumentError(ValidationError):
    pass


# -- numbers ------------------------------------------------------------------------------------------


def format_number(prefix: str, year: int, number: int) -> str:
    """海住宜办〔2026〕12号."""
    return f"{prefix}〔{year}〕{number}号"


def document_number_peek(*, plan: Plan, series: str, year: int) -> int:
    """The number the next document of the series would take; reserves nothing."""
    seq = DocumentSequence.objects.filter(plan=plan, series=series, year=year).first()
    return (seq.last_number if seq else 0) + 1


def document_number_take(*, plan: Plan, series: str, year: int) -> int:
    """Take the next number; must run inside the transaction that stores the numbered document."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("document_number_take must run inside the document's transaction")
    try:
        with transaction.atomic():
            DocumentSequence.objects.get_or_create(plan=plan, series=series, year=year)
    except IntegrityError:
        pass  # created by a concurrent first publish of the year: lock theirs below
    seq = DocumentSequence.objects.select_for_update().get(plan=plan, series=series, year=year)
    seq.last_number += 1
    seq.save(update_fields=["last_number"])
    return seq.last_number


def doc_prefix(plan: Plan) -> str:
    rules = roundup_settings_for(plan)
    return rules.doc_prefix or _("住宜办")


def issuer_name(plan: Plan) -> str:
    rules = roundup_settings_for(plan)
    return rules.doc_issuer or plan.issuer or str(plan.region)


# -- drafting --------------------------------------------------------------------------------------


def _units_by_kind(report: RoundupReport) -> dict[int, str]:
    """unit id -> its kind (地方 / 部门) as the roundup's snapshot froze it, so the 通报 groups and ranks the units as
    the roundup's page, workbook and e-mail do, whatever became of a unit since; the unit's kind today only for
    a snapshot from before units had a kind."""
    kinds = {u["unit_id"]: u["kind"] for u in report.units if u.get("kind")}
    missing = [u["unit_id"] for u in report.units if u["unit_id"] not in kinds]
    if missing:
        kinds.update(Unit.objects.filter(pk__in=missing).values_list("pk", "kind"))
    return kinds


def _group(names: list[str]) -> str:
    return "、".join(names)


def default_addressees(report: RoundupReport) -> str:
    """主送: the towns (地方) and the departments (部门) the roundup names."""
    kinds = _units_by_kind(report)
    has_towns = any(k == TOWN for k in kinds.values())
    has_depts = any(k != TOWN for k in kinds.values())
    parts = []
    if has_towns:
        parts.append(_("各镇人民政府、街道办事处"))
    if has_depts or not parts:
        parts.append(_("%(region)s级有关单位") % {"region": report.plan["region"][-1:] or ""})
    return "，".join(parts)


def interview_units(report: RoundupReport) -> list[str]:
    """Units to be 约谈 after a quarter: called out and on a red light (the office's rule)."""
    if not report.is_quarter:
        return []
    red = {u["unit"] for u in report.units if u["colour"] == "red"}
    return [c["unit"] for c in report.call_out if c["unit"] in red]


def draft_body(report: RoundupReport) -> list[str]:
    """The body drafted from the roundup: summary, then praise and call-out for 地方 and 部门 apart."""
    s = report.summary
    kinds = _units_by_kind(report)
    name_kind = {u["unit"]: kinds.get(u["unit_id"]) for u in report.units}
    lines = [
        _("为推动%(plan)s落实落地，根据“月晾晒、季通报、年考核”工作机制，现将%(label)s工作推进情况通报如下。")
        % {"plan": report.plan["title"], "label": report.period["label"]},
        _("一、总体情况"),
        *report.highlights()[:1],
        _("截至%(end)s，累计按期完成率%(rate)s。")
        % {"end": chinese_date(date.fromisoformat(report.period["end"])),
           "rate": pct(s["cumulative"].get("on_time_rate") if isinstance(s.get("cumulative"), dict) else None)},
    ]
    ranked = report.ranked_units
    towns = [u for u in ranked if kinds.get(u["unit_id"]) == TOWN]
    depts = [u for u in ranked if kinds.get(u["unit_id"]) != TOWN]
    lines.append(_("二、各地各部门推进情况"))
    for label, rows in ((_("地方"), towns), (_("部门"), depts)):
        if not rows:
            continue
        # A year's ranking is its assessment's (``assessment_lines``): the outcome ranking names no one "ahead" there.
        top = [] if report.is_year else [u["unit"] for u in rows if u["colour"] != "red"][:3]
        reds = [u["unit"] for u in rows if u["colour"] == "red"]
        parts = []
        if top:
            parts.append(_("%(top)s排名靠前") % {"top": _group(top)})
        if reds:
            parts.append(_("%(reds)s亮红灯") % {"reds": _group(reds)})
        if parts:
            lines.append(_("%(kind)s方面，%(parts)s。") % {"kind": label, "parts": "；".join(parts)})
    if report.is_quarter:
        for label, kind_test in ((_("地方"), lambda k: k == TOWN), (_("部门"), lambda k: k != TOWN)):
            praised = [p["unit"] for p in report.praise if kind_test(name_kind.get(p["unit"]))]
            called = [c for c in report.call_out if kind_test(name_kind.get(c["unit"]))]
            if praised:
                lines.append(_("对%(kind)s中推进有力的%(names)s予以通报表扬。") % {
                    "kind": label, "names": _group(praised)})
            if called:
                lines.append(_("对%(kind)s中进展滞后的%(names)s予以通报批评（%(why)s）。") % {
                    "kind": label, "names": _group([c["unit"] for c in called]),
                    "why": "；".join(f"{c['unit']}{'，'.join(c['reasons'])}" for c in called)})
        talk = interview_units(report)
        if talk:
            lines.append(_("对%(names)s的分管领导进行约谈。") % {"names": _group(talk)})
    if report.is_year:
        lines += assessment_lines(report)
    if report.overdue_items:
        lines.append(_("三、下步要求"))
        lines.append(
            _("截至期末仍有%(n)d项事项逾期未完成，相关责任单位要对照附件逐项整改，于5个工作日内将整改情况报送专班办公室。")
            % {"n": len(report.overdue_items)}
        )
    return [line for line in lines if line]


def _assessment_groups(report: RoundupReport) -> list[tuple[str, list[dict]]]:
    """The annual assessment's rows (``rules.roundups.assessment``, frozen in the snapshot) by group, 地方 then
    部门, each in its own rank order: what the 通报 of a 年考核 says and attaches, as the page and workbook show."""
    groups = [(_("地方"), _("（一）地方（镇、街道）"), [a for a in report.assessment if a.get("kind") == TOWN]),
              (_("部门"), _("（二）部门"), [a for a in report.assessment if a.get("kind") != TOWN])]
    return [(label, caption, sorted(rows, key=lambda a: (a["rank"], a["unit"])))
            for label, caption, rows in groups if rows]


def assessment_lines(report: RoundupReport) -> list[str]:
    """The 通报's sentences on a year's assessment: each group's first three by its 考核得分 (ties kept)."""
    lines = []
    for label, _caption, rows in _assessment_groups(report):
        top = [a for a in rows if a["rank"] <= 3]
        lines.append(_("年度考核%(kind)s方面，%(names)s得分居前。") % {
            "kind": label, "names": _group([f"{a['unit']}（{a['score']:g}分）" for a in top])})
    return lines


def draft_title(report: RoundupReport) -> str:
    return _("关于%(label)s住有宜居工作推进情况的通报") % {"label": report.period["label"]}


def attachments_for(report: RoundupReport) -> list[Attachment]:
    """附件: the unit ranking (地方 and 部门 apart) and the overdue list."""
    kinds = _units_by_kind(report)
    header = [_("排名"), _("单位"), _("应办"), _("按期"), _("逾期完成"), _("逾期未完成"), _("按期完成率"),
              _("得分"), _("灯号"), _("督办单(发/复)")]

    def row(u: dict) -> list[str]:
        return [str(u["rank"] or "—"), u["unit"], str(u["due"]), str(u["done_on_time"]), str(u["done_late"]),
                str(u["overdue"]), pct(u["on_time_rate"]), "—" if u["score"] is None else f"{u['score']:g}",
                colour_label(u["colour"]),
                f"{u.get('notices_issued', 0)}/{u.get('notices_answered', 0)}"]

    widths = [0.9, 2.6, 0.9, 0.9, 1.1, 1.1, 1.3, 0.9, 0.9, 1.3]
    tables = []
    towns = [row(u) for u in report.units if kinds.get(u["unit_id"]) == TOWN]
    depts = [row(u) for u in report.units if kinds.get(u["unit_id"]) != TOWN]
    both = bool(towns and depts)
    if towns:
        tables.append(Table(header=header, rows=towns, widths=widths,
                            caption=_("（一）地方（镇、街道）") if both else ""))
    if depts:
        tables.append(Table(header=header, rows=depts, widths=widths, caption=_("（二）部门") if both else ""))
    atts = [Attachment(title=_("%(label)s责任单位排名") % {"label": report.period["label"]}, tables=tables)]
    if report.is_year and report.assessment:
        atts.append(_assessment_attachment(report))
    if report.target_shares:  # each unit's share of the year's targets, a town given only a share among them
        atts.append(Attachment(
            title=_("分解目标完成情况"),
            tables=[Table(
                header=[_("单位"), _("指标"), _("分解目标"), _("最新实际值"), _("完成进度"), _("预警")],
                rows=[[s["unit"], f"{s['number']}.{s['indicator']}", s["target_text"] or "—", s["actual_text"] or "—",
                       "—" if s["progress"] is None else f"{s['progress']:g}%", colour_label(s["colour"])]
                      for s in report.target_shares],
                widths=[2.0, 3.6, 1.2, 1.2, 1.1, 0.9],
            )],
        ))
    if report.overdue_items:
        atts.append(Attachment(
            title=_("逾期未完成事项清单"),
            tables=[Table(
                header=[_("序号"), _("工作内容"), _("牵头单位"), _("现行期限"), _("逾期天数")],
                rows=[[str(n), i["text"], i["lead_unit"] or "—", i["due_date"] or "—", str(i["days_overdue"])]
                      for n, i in enumerate(report.overdue_items, start=1)],
                widths=[0.7, 4.4, 1.8, 1.7, 1.0],
            )],
        ))
    return atts


def _assessment_attachment(report: RoundupReport) -> Attachment:
    """附件: the year's assessment as its page and workbook show it (rank, unit, on-time rate and points,
    indicators led, attainment and points, overdue, deduction, score), 地方 and 部门 apart."""
    header = [_("排名"), _("单位"), _("按期完成率"), _("完成率得分"), _("牵头指标"), _("指标完成度"), _("指标得分"),
              _("逾期未完成"), _("扣分"), _("考核得分")]

    def points(value: float | None) -> str:
        return "—" if value is None else f"{value:g}"

    def row(a: dict) -> list[str]:
        return [str(a["rank"]), a["unit"], pct(a["on_time_rate"]), points(a["on_time_points"]), str(a["indicators"]),
                pct(a["indicator_attainment"]), points(a["indicator_points"]), str(a["overdue"]),
                f"−{a['deduction']:g}" if a["deduction"] else "0", f"{a['score']:g}"]

    groups = _assessment_groups(report)
    return Attachment(
        title=_("%(label)s年度考核结果") % {"label": report.period["label"]},
        tables=[Table(header=header, rows=[row(a) for a in rows], widths=[0.8, 2.4, 1.1, 1.0, 0.9, 1.1, 1.0, 1.0, 0.8,
                                                                           1.0],
                      caption=caption if len(groups) > 1 else "")
                for _label, caption, rows in groups],
    )


def bulletin_drafted(*, roundup: Roundup, report: RoundupReport | None = None) -> dict:
    """The text of a 通报 drafted from a roundup: the one drafting rule, for a new draft, a redraft and the
    ``roundup`` command. Always Chinese, even when drafted from an English page."""
    report = report or RoundupReport.from_roundup(roundup)
    rules = roundup_settings_for(roundup.plan)
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "title": draft_title(report),
            "addressees": rules.doc_addressees or default_addressees(report),
            "body": "\n".join(draft_body(report)),
            "signer": issuer_name(roundup.plan),
            "copy_to": rules.doc_copy_to,
        }


def bulletin_for_roundup(*, roundup: Roundup, actor=None) -> Bulletin:
    """The roundup's draft bulletin, drafted from the roundup if there is none; the published one if
    the roundup was published (the newest correction first). Drafting asks the guard for ``actor`` (None:
    the system)."""
    latest = roundup.bulletins.order_by("-pk").first()
    if latest:
        return latest
    if actor is not None:
        authorize(Act.EDIT_BULLETIN, actor, roundup)
    try:
        with transaction.atomic():
            return Bulletin.objects.create(plan=roundup.plan, roundup=roundup, updated_by=actor,
                                           **bulletin_drafted(roundup=roundup))
    except IntegrityError:
        return roundup.bulletins.get(status=Bulletin.Status.DRAFT)


def bulletin_for_period(*, plan: Plan, period, report: RoundupReport, published: Roundup | None) -> Bulletin:
    """The 通报 of a period as the ``roundup`` command writes it: the published one as sent; else the saved
    draft; else one drafted now from ``report`` (not saved)."""
    if published:
        sent = published.bulletins.filter(status=Bulletin.Status.PUBLISHED).order_by("-pk").first()
        if sent:
            return sent
    draft = Bulletin.objects.filter(
        roundup__plan=plan, roundup__kind=period.kind, roundup__period_start=period.start,
        status=Bulletin.Status.DRAFT,
    ).select_related("plan", "roundup").first()
    if draft:
        return draft
    roundup = published or Roundup(plan=plan, kind=period.kind, period_start=period.start, period_end=period.end,
                                   data=report.data, status=Roundup.Status.DRAFT)
    return Bulletin(plan=plan, roundup=roundup, **bulletin_drafted(roundup=roundup, report=report))


def bulletin_redraft(*, bulletin: Bulletin, actor) -> Bulletin:
    """Write a draft's text again from the roundup as it stands (after a regenerate); the coordinator's
    edits are replaced, which the page asks them to confirm."""
    authorize(Act.EDIT_BULLETIN, actor, bulletin)
    with transaction.atomic():
        locked = Bulletin.objects.select_for_update(of=("self",)).select_related("roundup", "plan").get(
            pk=bulletin.pk)
        if locked.is_published:
            raise DocumentError(_("已印发的通报不能修改；请另发更正通报。"))
        drafted = bulletin_drafted(roundup=locked.roundup)
        locked.title, locked.addressees, locked.body = drafted["title"], drafted["addressees"], drafted["body"]
        locked.updated_by = actor
        locked.save()
    return locked


def bulletin_edit(*, bulletin: Bulletin, actor, title: str, addressees: str, body: str, copy_to: str = "",
                  signer: str = "") -> Bulletin:
    """The coordinator's edit of a draft: plain text only; a published bulletin never changes."""
    authorize(Act.EDIT_BULLETIN, actor, bulletin)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise DocumentError(_("标题和正文不能为空。"))
    with transaction.atomic():
        locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if locked.is_published:
            raise DocumentError(_("已印发的通报不能修改；请另发更正通报。"))
        locked.title, locked.addressees, locked.body = title[:200], (addressees or "").strip(), body
        locked.copy_to = (copy_to or "").strip()[:300]
        locked.signer = (signer or "").strip()[:100] or locked.signer
        locked.updated_by = actor
        locked.save()
    return locked


@translation.override(settings.LANGUAGE_CODE)
def bulletin_gongwen(bulletin: Bulletin, *, today: date | None = None) -> Gongwen:
    """The 公文 for a bulletin: a published one with its number and date, a draft with the next number
    marked （草稿） (reserved nothing)."""
    plan = bulletin.plan
    report = RoundupReport.from_roundup(bulletin.roundup)
    if bulletin.is_published:
        number, watermark, signed = bulletin.doc_number, "", bulletin.signed_on
    else:
        year = (today or timezone.localdate()).year
        number = format_number(doc_prefix(plan), year,
                               document_number_peek(plan=plan, series=DocumentSeries.BULLETIN, year=year))
        watermark, signed = _("草稿"), today or timezone.localdate()
    body = bulletin.paragraphs()
    if bulletin.corrects_id:
        old = bulletin.corrects
        body = [_("本通报更正%(number)s《%(title)s》，原文件同时废止。") % {"number": old.doc_number,
                                                                          "title": old.title}, *body]
    issuer = issuer_name(plan)
    return Gongwen(
        issuer_mark=f"{issuer}{_('文件')}", doc_number=number, title=bulletin.title, addressees=bulletin.addressees,
        body=body, signer=bulletin.signer, signed_on=signed, copy_to=bulletin.copy_to, printer=issuer,
        printed_on=signed, attachments=attachments_for(report), watermark=watermark,
    )


def bulletin_docx(bulletin: Bulletin, *, today: date | None = None) -> bytes:
    """The .docx as sent (stored) for a published bulletin, rendered now for a draft."""
    if bulletin.is_published and bulletin.docx:
        with bulletin.docx.open("rb") as fh:
            return fh.read()
    return build_docx(bulletin_gongwen(bulletin, today=today))


def bulletin_pdf(bulletin: Bulletin, *, today: date | None = None) -> bytes:
    if bulletin.is_published and bulletin.pdf:
        with bulletin.pdf.open("rb") as fh:
            return fh.read()
    return docx_to_pdf(bulletin_docx(bulletin, today=today))


def bulletin_file_stem(bulletin: Bulletin) -> str:
    return (bulletin.doc_number or _("草稿")) + "-" + bulletin.title[:40]


def _store_files(bulletin: Bulletin) -> None:
    """Render and store the numbered .docx and PDF (the PDF only where LibreOffice is installed)."""
    data = build_docx(bulletin_gongwen(bulletin))
    stem = f"{bulletin.year}-{bulletin.number}"
    bulletin.docx.save(f"{stem}.docx", ContentFile(data), save=False)
    try:
        bulletin.pdf.save(f"{stem}.pdf", ContentFile(docx_to_pdf(data)), save=False)
    except ConversionUnavailable as exc:
        logger.error("Bulletin PDF not stored: %s", exc)
    bulletin.save(update_fields=["docx", "pdf"])


def bulletin_publish(*, bulletin: Bulletin, actor=None, today: date | None = None, at: datetime | None = None,
                     render: bool = True) -> Bulletin:
    """Give the bulletin its number, date it, store its .docx and PDF; it never changes afterwards.

    Runs inside the caller's transaction when there is one (the roundup's publish), so the number, the
    frozen files and the roundup's snapshot commit together or not at all. ``actor`` None is the system.
    """
    if actor is not None:
        authorize(Act.EDIT_BULLETIN, actor, bulletin)
    at = at or timezone.now()
    today = today or timezone.localdate(at)
    with transaction.atomic():
        locked = Bulletin.objects.select_for_update(of=("self",)).select_related("plan", "roundup").get(pk=bulletin.pk)
        if locked.is_published:
            raise DocumentError(_("该通报已印发（%(n)s）。") % {"n": locked.doc_number})
        plan = locked.plan
        locked.year = today.year
        locked.number = document_number_take(plan=plan, series=DocumentSeries.BULLETIN, year=today.year)
        locked.doc_number = format_number(doc_prefix(plan), today.year, locked.number)
        locked.status = Bulletin.Status.PUBLISHED
        locked.signed_on = today
        locked.published_at, locked.published_by = at, actor
        locked.save()
        if render:
            written = []
            try:
                _store_files(locked)
                written = [f.name for f in (locked.docx, locked.pdf) if f]
            except BaseException:
                for name in written:
                    locked.docx.storage.delete(name)
                raise
    return locked


def bulletin_correct(*, bulletin: Bulletin, actor) -> Bulletin:
    """A new draft that corrects a published bulletin; its text starts as the original's."""
    authorize(Act.EDIT_BULLETIN, actor, bulletin)
    if not bulletin.is_published:
        raise DocumentError(_("草稿直接修改即可，无需更正。"))
    try:
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            return Bulletin.objects.create(
                plan=bulletin.plan, roundup=bulletin.roundup, corrects=bulletin,
                title=_("关于更正%(title)s的通报") % {"title": bulletin.title.removeprefix("关于")[:150]},
                addressees=bulletin.addressees, body=bulletin.body, signer=bulletin.signer,
                copy_to=bulletin.copy_to, updated_by=actor,
            )
    except IntegrityError:
        raise DocumentError(_("该晾晒通报已有一份未印发的草稿。")) from None


def bulletin_ensure_files(bulletin: Bulletin) -> Bulletin:
    """Store a published bulletin's .docx and PDF if not stored yet (the roundup's delivery calls this
    before emailing; the text and number are frozen, so rendering later gives the same document)."""
    if not bulletin.is_published or (bulletin.docx and bulletin.pdf):
        return bulletin
    with transaction.atomic():
        locked = Bulletin.objects.select_for_update(of=("self",)).select_related("plan", "roundup").get(pk=bulletin.pk)
        if not locked.docx or not locked.pdf:
            _store_files(locked)
    return locked


def bulletin_attachment_refs(bulletin: Bulletin) -> list[dict]:
    """The frozen .docx and PDF of a published bulletin, as the outbox's attachments: stored names, read
    when the email is sent."""
    stem = bulletin_file_stem(bulletin)
    files = []
    if bulletin.docx:
        files.append({"path": bulletin.docx.name, "name": f"{stem}.docx", "mimetype": DOCX_TYPE})
    if bulletin.pdf:
        files.append({"path": bulletin.pdf.name, "name": f"{stem}.pdf", "mimetype": "application/pdf"})
    return files
