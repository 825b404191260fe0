"""督办单: issued per lead unit with its own number, emailed with its PDF to the unit and its leader,
answered in writing (in the item's history), escalated when unanswered; counted in the roundup."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import Message, NoticeEvent, ProgressReport, RoundupSettings, SupervisionNotice, WorkItem
from tasks.roundups.periods import Period
from tasks.selectors.roundups import roundup_data
from tasks.selectors.work import work_item_history
from tasks.services import notices as service
from tasks.services.documents import DOCX_TYPE
from tasks.tasks import notices_daily
from tasks.tests.factories import PlanFactory, UnitFactory, UserFactory, WorkItemFactory, liaison_for, signed_links_in

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 6, 1)  # a Monday
N = SupervisionNotice


@pytest.fixture(autouse=True)
def fake_office(monkeypatch):
    monkeypatch.setattr(service, "docx_to_pdf", lambda data: b"%PDF-1.4 notice")


@pytest.fixture
def setup():
    plan = PlanFactory(first_year=2026, last_year=2027)
    RoundupSettings.objects.create(plan=plan, doc_issuer="金鉴区住房工作协调委员会办公室")
    coordinator = UserFactory(username="zb")
    plan.coordinators.add(coordinator)
    unit = UnitFactory(region=plan.region, name="区建设局", emails="js1@example.gov.cn, js2@example.gov.cn",
                       leader_name="王副区长", leader_email="wang@example.gov.cn")
    other = UnitFactory(region=plan.region, name="区财政局", emails="cz@example.gov.cn")
    overdue = WorkItemFactory(plan=plan, year=2026, lead=unit, deadline=date(2026, 5, 20), text="逾期的事项")
    soon = WorkItemFactory(plan=plan, year=2026, lead=unit, deadline=date(2026, 6, 5), text="临期的事项", progress=10)
    fine = WorkItemFactory(plan=plan, year=2026, lead=other, deadline=date(2026, 12, 31), progress=60)
    return plan, coordinator, unit, other, overdue, soon, fine


def issue(items, coordinator, **kw):
    return service.notices_issue_for_items(items=items, actor=coordinator, today=TODAY, **kw)


def test_issue_numbers_per_plan_and_year_and_emails_pdf_to_liaisons_and_leader(
    setup, celery_eager, django_capture_on_commit_callbacks
):
    plan, coordinator, unit, other, overdue, soon, fine = setup
    with django_capture_on_commit_callbacks(execute=True):
        (notice,) = issue([overdue, soon], coordinator)
    assert (notice.doc_number, notice.colour, notice.unit) == ("督办〔2026〕1号", N.Colour.RED, unit)
    assert notice.reply_due == date(2026, 6, 8)  # 5 working days
    # One email per address through the outbox (each with its own fate), the files attached when sent.
    assert sorted(m.to[0] for m in mail.outbox) == ["js1@example.gov.cn", "js2@example.gov.cn",
                                                   "wang@example.gov.cn"]
    message = mail.outbox[0]
    assert [(name, mime) for name, _c, mime in message.attachments] == [
        ("督办〔2026〕1号-区建设局.pdf", "application/pdf"), ("督办〔2026〕1号-区建设局.docx", DOCX_TYPE)]
    # Where to answer: a signed link to the notice's page (never a login), the body's last line.
    last_line = message.body.rstrip().splitlines()[-1]
    assert signed_links_in(last_line) == {("notice", notice.pk)}
    notice.refresh_from_db()
    assert notice.pdf and notice.docx
    sent = Message.objects.filter(notice=notice)
    assert {(m.channel, m.state, m.purpose) for m in sent} == {("email", "sent", "notice")}
    assert {p.pk for m in sent for p in m.plans.all()} == {plan.pk}
    # Sending again queues (and sends) nothing.
    assert service.notice_send(notice_id=notice.pk) == 0 and len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        (second,) = issue([fine], coordinator, colour=N.Colour.BLUE)
    assert second.doc_number == "督办〔2026〕2号" and second.unit == other
    history, _ = work_item_history(overdue)
    assert any("督办〔2026〕1号" in e.obj.note for e in history if e.kind == "report")


def test_items_already_under_notice_or_done_are_not_noticed_twice(setup, django_capture_on_commit_callbacks):
    plan, coordinator, unit, other, overdue, soon, fine = setup
    issue([overdue], coordinator)
    assert issue([overdue], coordinator) == []
    WorkItem.objects.filter(pk=fine.pk).update(status=WorkItem.Status.DONE, completed_on_time=True,
                                                completed_at=datetime(2026, 5, 1, tzinfo=SH))
    fine.refresh_from_db()
    assert issue([fine], coordinator) == []


def test_closed_items_done_or_waived_are_never_proposed(setup):
    """A waived part is no one's work any more: overdue or not, no 督办单 is proposed for it."""
    from tasks.selectors.notices import notice_candidates

    plan, coordinator, unit, other, overdue, soon, fine = setup
    proposed = {item.pk for item, _colour in notice_candidates(plan=plan, today=TODAY)}
    assert {overdue.pk, soon.pk} <= proposed
    WorkItem.objects.filter(pk=overdue.pk).update(status=WorkItem.Status.WAIVED)
    WorkItem.objects.filter(pk=soon.pk).update(status=WorkItem.Status.DONE, completed_on_time=True,
                                               completed_at=datetime(2026, 5, 1, tzinfo=SH))
    proposed = {item.pk for item, _colour in notice_candidates(plan=plan, today=TODAY)}
    assert not proposed & {overdue.pk, soon.pk}


def test_only_coordinators_issue(setup):
    plan, coordinator, unit, other, overdue, soon, fine = setup
    with pytest.raises(PermissionDenied):
        issue([overdue], liaison_for(unit))


def test_unit_answers_with_evidence_and_the_answer_is_in_the_items_history(setup, settings, tmp_path):
    plan, coordinator, unit, other, overdue, soon, fine = setup
    (notice,) = issue([overdue, soon], coordinator)
    with pytest.raises(PermissionDenied):
        service.notice_reply(notice=notice, user=liaison_for(other), text="不是我们")
    liaison = liaison_for(unit)
    evidence = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    service.notice_reply(notice=notice, user=liaison, text="已制定整改措施，6月底前完成。", files=[evidence])
    notice.refresh_from_db()
    assert notice.status == N.Status.ANSWERED and notice.answered_at
    for item in (overdue, soon):
        history, _ = work_item_history(item)
        reply = next(e for e in history if e.kind == "report" and e.obj.kind == ProgressReport.Kind.NOTICE_REPLY)
        assert "已制定整改措施" in reply.obj.note and [f.original_name for f in reply.evidence] == ["整改报告.pdf"]
    assert list(NoticeEvent.objects.filter(notice=notice).values_list("to_status", flat=True)) == [
        "draft", "issued", "answered"]
    with pytest.raises(service.DocumentError):
        service.notice_reply(notice=notice, user=liaison, text="再答一次")


def test_unanswered_notice_escalates_once_at_its_reply_deadline(setup, django_capture_on_commit_callbacks):
    plan, coordinator, unit, other, overdue, soon, fine = setup
    (notice,) = issue([soon], coordinator, colour=N.Colour.BLUE)
    assert service.notices_escalate(today=notice.reply_due) == []  # the deadline day itself is still in time
    (up,) = service.notices_escalate(today=date(2026, 6, 9))
    assert (up.colour, up.escalated_from, up.doc_number) == (N.Colour.YELLOW, notice, "督办〔2026〕2号")
    assert service.notices_escalate(today=date(2026, 6, 9)) == []  # run twice: nothing more
    notice.refresh_from_db()
    assert notice.status == N.Status.ESCALATED


def test_beat_task_proposes_drafts_only_where_turned_on(setup):
    plan, coordinator, unit, other, overdue, soon, fine = setup
    assert notices_daily(today=TODAY.isoformat()) == {"escalated": [], "proposed": []}
    RoundupSettings.objects.filter(plan=plan).update(notice_auto_draft=True)
    assert notices_daily(today="2026-05-31")["proposed"] == []  # a Sunday: offices are closed
    outcome = notices_daily(today=TODAY.isoformat())
    drafts = N.objects.filter(pk__in=outcome["proposed"])
    assert {(n.unit.name, n.colour, n.status) for n in drafts} == {
        ("区建设局", "red", "draft"), ("区建设局", "blue", "draft")}
    assert notices_daily(today=TODAY.isoformat())["proposed"] == []  # idempotent
    assert not N.objects.filter(number__isnull=False).exists()  # issuing stays a click


def test_roundup_unit_rows_count_notices_issued_and_answered(setup):
    plan, coordinator, unit, other, overdue, soon, fine = setup
    (a,) = issue([overdue], coordinator)
    issue([soon], coordinator)
    service.notice_reply(notice=a, user=liaison_for(unit), text="已整改")
    data = roundup_data(plan=plan, period=Period.year(2026))
    row = next(u for u in data["units"] if u["unit_id"] == unit.pk)
    assert (row["notices_issued"], row["notices_answered"]) == (2, 1)


def test_overdue_view_issues_and_the_unit_answers_on_the_notice_page(setup, client):
    plan, coordinator, unit, other, overdue, soon, fine = setup
    client.force_login(coordinator)
    response = client.post(reverse("tasks:notice_issue_items"), {"item": [overdue.pk], "colour": "red"})
    assert response.status_code == 302
    notice = N.objects.get()
    liaison = liaison_for(unit)
    client.force_login(liaison_for(other))
    assert client.get(reverse("tasks:notice_detail", args=[notice.pk])).status_code == 404
    client.force_login(liaison)
    page = client.get(reverse("tasks:notice_detail", args=[notice.pk]))
    assert page.status_code == 200 and notice.doc_number in page.content.decode()
    client.post(reverse("tasks:notice_detail", args=[notice.pk]), {"text": "已完成整改"})
    notice.refresh_from_db()
    assert notice.status == N.Status.ANSWERED
    item_page = client.get(reverse("tasks:work_item_detail", args=[overdue.pk])).content.decode()
    assert "已完成整改" in item_page and notice.doc_number in item_page
    assert client.get(reverse("tasks:notice_pdf", args=[notice.pk]))["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("forged", ["²", "٣", "9" * 40, "-1", "abc"])
def test_issuing_from_a_forged_item_list_is_refused_not_a_server_error(setup, client, forged):
    plan, coordinator, unit, other, overdue, soon, fine = setup
    client.force_login(coordinator)
    response = client.post(reverse("tasks:notice_issue_items"), {"item": [overdue.pk, forged], "colour": "red"})
    assert response.status_code == 403
    assert not N.objects.exists()
