"""Generating, regenerating, publishing and delivering roundups."""

import smtplib
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.storage import default_storage
from django.core.mail.backends import locmem
from django.utils import timezone

from housing.celery import app as celery_app
from tasks import tasks as celery_tasks
from tasks.models import Message, Plan, Roundup, RoundupDelivery, RoundupRecipient, RoundupSettings, WorkItem
from tasks.notifications.services import outbox_deliver
from tasks.roundups.pdf import PdfUnavailable
from tasks.roundups.periods import Period
from tasks.services import documents as documents_service
from tasks.services import roundups as service
from tasks.services.roundups import (
    RoundupError,
    roundup_deliver,
    roundup_generate,
    roundup_publish,
    roundup_recipients,
    roundup_regenerate,
    roundups_draft_last_period,
)
from tasks.services.workflow import work_item_transition
from tasks.tests.factories import PlanFactory, UserFactory, WorkItemFactory
from tasks.tests.roundup_golden import at, build_golden

pytestmark = pytest.mark.django_db
JUNE = Period.month(2023, 6)
TODAY = date(2023, 7, 1)


@pytest.fixture
def golden():
    return build_golden()


@pytest.fixture
def fake_pdf(monkeypatch):
    """Chromium is exercised in test_roundup_formats; here a stand-in keeps the tests fast."""
    monkeypatch.setattr(service, "html_to_pdf", lambda html: b"%PDF-1.4 stand-in")
    monkeypatch.setattr(documents_service, "docx_to_pdf", lambda data: b"%PDF-1.4 gongwen stand-in")


def test_generating_the_same_period_twice_makes_one_roundup(golden):
    first, created = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    second, created_again = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    assert Roundup.objects.count() == 1
    assert first.status == Roundup.Status.DRAFT
    assert first.data["units"][0]["unit"] == "区财政局"


def test_a_period_is_generated_only_after_its_last_day(golden):
    with pytest.raises(RoundupError):
        roundup_generate(plan=golden.plan, period=JUNE, today=date(2023, 6, 30))
    assert not Roundup.objects.exists()


def test_regenerate_picks_up_a_late_correction_in_a_draft(golden):
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    # A correction recorded late: i2 had in fact been closed on 06-19.
    item = golden.items["i2"]
    WorkItem.objects.filter(pk=item.pk).update(status=WorkItem.Status.NOT_STARTED, completed_at=None,
                                               completed_on_time=None)
    item.history.all().delete()
    work_item_transition(item=item, to_status=WorkItem.Status.AWAITING_REVIEW, at=at(6, 18))
    work_item_transition(item=item, to_status=WorkItem.Status.DONE, at=at(6, 19))
    user = UserFactory()
    golden.plan.coordinators.add(user)  # regenerating is acting for the plan (the guard)
    roundup_regenerate(roundup=roundup, today=TODAY, actor=user)
    roundup.refresh_from_db()
    unit = next(u for u in roundup.data["units"] if u["unit"] == "区建设局")
    assert (unit["done_on_time"], unit["overdue"]) == (2, 0)
    assert roundup.generated_by == user


def test_published_roundup_is_frozen_and_cannot_be_regenerated(golden, celery_eager, fake_pdf,
                                                               django_capture_on_commit_callbacks):
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        roundup_publish(roundup=roundup, actor=None)  # the system (a command)
    frozen = Roundup.objects.get(pk=roundup.pk).data
    # Later work on an item that was overdue in June...
    work_item_transition(item=golden.items["i7"], to_status=WorkItem.Status.AWAITING_REVIEW, at=at(8, 1))
    with pytest.raises(RoundupError):
        roundup_regenerate(roundup=roundup, today=date(2023, 9, 1))
    # ...and a second generate of the period change nothing.
    again, created = roundup_generate(plan=golden.plan, period=JUNE, today=date(2023, 9, 1))
    assert (again.pk, created) == (roundup.pk, False)
    assert Roundup.objects.get(pk=roundup.pk).data == frozen


def test_publish_twice_is_refused(golden, celery_eager, fake_pdf, django_capture_on_commit_callbacks):
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        roundup_publish(roundup=roundup)
    with pytest.raises(RoundupError):
        roundup_publish(roundup=roundup)
    assert len(mail.outbox) == RoundupDelivery.objects.count()


def test_publish_emails_each_recipient_once_with_workbook_and_pdf_and_records_it(
    golden, celery_eager, fake_pdf, django_capture_on_commit_callbacks
):
    rules = RoundupSettings.objects.create(plan=golden.plan, send_to_unit_leaders=True)
    RoundupRecipient.objects.create(settings=rules, name="分管副区长", email="fuquzhang@example.gov.cn")
    RoundupRecipient.objects.create(settings=rules, name="停用", email="old@example.gov.cn", active=False)
    golden.a.leader_name, golden.a.leader_email = "王局长", "wang@example.gov.cn"
    golden.a.save()
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    publisher = UserFactory()  # a province-wide role acting on every plan, not one of its coordinators
    publisher.user_permissions.add(Permission.objects.get(codename="act_on_all_plans"))
    with django_capture_on_commit_callbacks(execute=True):
        roundup_publish(roundup=roundup, actor=publisher, at=at(7, 3))

    roundup.refresh_from_db()
    assert (roundup.status, roundup.published_by) == (Roundup.Status.PUBLISHED, publisher)
    expected = {
        "fuquzhang@example.gov.cn", "zhuanban@example.gov.cn", "jianshe@example.gov.cn", "wang@example.gov.cn",
        "caizheng@example.gov.cn", "zigui@example.gov.cn", "zigui2@example.gov.cn",
    }
    assert {m.to[0] for m in mail.outbox} == expected
    assert len(mail.outbox) == len(expected)
    deliveries = RoundupDelivery.objects.filter(roundup=roundup)
    assert {d.email for d in deliveries} == expected
    assert deliveries.get(email="zigui2@example.gov.cn").unit == golden.c
    # Delivery is the outbox's: one email message per recipient, under the recipient row's group, sent once.
    sent = Message.objects.filter(roundup=roundup, channel="email")
    assert {(m.address, m.state, m.attempts, m.purpose) for m in sent} == {
        (e, Message.State.SENT, 1, Message.Purpose.ROUNDUP) for e in expected}
    assert {m.group for m in sent} == {d.group for d in deliveries}
    # The files are referenced by their stored names, not held in the row; the email channel reads them.
    refs = sent.first().payload["attachments"]
    assert [r["name"].rsplit(".", 1)[1] for r in refs] == ["xlsx", "docx", "pdf"]
    assert all(default_storage.exists(r["path"]) for r in refs) and "content" not in refs[0]

    message = mail.outbox[0]
    assert "月晾晒" in message.subject and "2023年6月" in message.subject
    assert "按期完成率40.0%" in message.body
    # A unit's own results come first in the mail it gets.
    to_unit = next(m for m in mail.outbox if m.to == ["zigui@example.gov.cn"])
    assert "区资规局：排名第3（较上期下降2位），得分0，红灯；牵头应办1项" in to_unit.body
    to_leader = next(m for m in mail.outbox if m.to == ["fuquzhang@example.gov.cn"])
    assert "区资规局：" not in to_leader.body and "排名第一：区财政局。" in to_leader.body
    names = [(name, mimetype) for name, _content, mimetype in message.attachments]
    # The workbook and the 通报 as a numbered 公文 (.docx and its PDF), as stored at publish.
    stem = "住宜办〔2023〕1号-关于2023年6月住有宜居工作推进情况的通报"
    assert names == [
        ("金鉴区住有宜居实施方案(2023—2027年)-2023年6月月晾晒.xlsx", service.XLSX_TYPE),
        (f"{stem}.docx", documents_service.DOCX_TYPE),
        (f"{stem}.pdf", "application/pdf"),
    ]


def test_without_chromium_and_libreoffice_the_workbook_and_docx_still_go_out(
    golden, celery_eager, monkeypatch, django_capture_on_commit_callbacks
):
    def unavailable(html):
        raise PdfUnavailable("Chromium is not installed")

    def no_office(data):
        raise documents_service.ConversionUnavailable("LibreOffice is not installed")

    monkeypatch.setattr(service, "html_to_pdf", unavailable)
    monkeypatch.setattr(documents_service, "docx_to_pdf", no_office)
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        roundup_publish(roundup=roundup)
    assert mail.outbox and all([a[0][-5:] for a in m.attachments] == [".xlsx", ".docx"] for m in mail.outbox)


def test_delivering_again_sends_nothing_twice(golden, celery_eager, fake_pdf, django_capture_on_commit_callbacks):
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        roundup_publish(roundup=roundup)
    sent = len(mail.outbox)
    assert roundup_deliver(roundup_id=roundup.pk) == {"recipients": 0, "messages": 0}
    assert outbox_deliver(channel="email").counts == {}
    assert len(mail.outbox) == sent


def test_a_failed_address_is_retried_by_the_outbox_and_sent_once(golden, fake_pdf, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    monkeypatch.setattr(celery_tasks.roundup_deliver, "delay", lambda pk: None)
    monkeypatch.setattr(celery_tasks.outbox_send, "delay", lambda channel: None)
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        roundup_publish(roundup=roundup)
    queued = roundup_deliver(roundup_id=roundup.pk)
    assert queued["recipients"] == RoundupDelivery.objects.filter(roundup=roundup).count() == queued["messages"]
    assert not mail.outbox  # queued only: delivery is the outbox's task
    real_send = locmem.EmailBackend.send_messages

    def busy(self, messages):
        if messages[0].to == ["caizheng@example.gov.cn"]:
            raise smtplib.SMTPResponseException(451, b"mailbox busy")
        return real_send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", busy)
    now = timezone.now()
    first = outbox_deliver(channel="email", now=now)
    failed = Message.objects.get(roundup=roundup, address="caizheng@example.gov.cn")
    assert first.counts[Message.State.QUEUED] == 1 and failed.state == Message.State.QUEUED
    assert "busy" in failed.last_error and failed.attempts == 1
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", real_send)
    second = outbox_deliver(channel="email", now=failed.next_attempt_at)
    failed.refresh_from_db()
    assert dict(second.counts) == {Message.State.SENT: 1}
    assert (failed.state, failed.attempts) == (Message.State.SENT, 2)
    assert sorted(m.to[0] for m in mail.outbox).count("caizheng@example.gov.cn") == 1
    assert all(len(m.attachments) == 3 for m in mail.outbox)  # read from storage when sent


def test_a_roundup_whose_task_was_lost_is_queued_by_the_hourly_catch_up(golden, fake_pdf, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    monkeypatch.setattr(celery_tasks.roundup_deliver, "delay", lambda pk: None)  # lost
    monkeypatch.setattr(celery_tasks.outbox_send, "delay", lambda channel: None)
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        roundup_publish(roundup=roundup)
    n = RoundupDelivery.objects.filter(roundup=roundup).count()
    assert service.roundups_deliver_pending() == {roundup.pk: n}
    assert service.roundups_deliver_pending() == {}
    assert Message.objects.filter(roundup=roundup, channel="email").count() == n


def test_the_celery_task_only_queues(golden, monkeypatch):
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    monkeypatch.setattr(service, "roundup_deliver", lambda roundup_id: {"recipients": 2, "messages": 3})
    assert celery_tasks.roundup_deliver.run(roundup.pk) == {"recipients": 2, "messages": 3}


def test_recipients_skip_inactive_and_duplicate_addresses(golden):
    rules = RoundupSettings.objects.create(plan=golden.plan, send_to_units=False, send_to_coordinators=True)
    RoundupRecipient.objects.create(settings=rules, name="专班（重复）", email="ZHUANBAN@example.gov.cn")
    roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
    assert [(r.name, r.email) for r in roundup_recipients(roundup)] == [("专班（重复）", "ZHUANBAN@example.gov.cn")]


def test_leaders_of_called_out_units_receive_the_quarter_bulletin_unless_the_plan_says_not(golden):
    golden.c.leader_email, golden.c.leader_name = "lingdao@example.gov.cn", "资规局王局长"
    golden.c.save()
    rules = RoundupSettings.objects.create(plan=golden.plan, send_to_units=False, send_to_coordinators=False)
    roundup, _ = roundup_generate(plan=golden.plan, period=Period.quarter(2023, 2), today=TODAY)
    assert "区资规局" in {row["unit"] for row in roundup.data["call_out"]}
    assert [(r.name, r.email) for r in roundup_recipients(roundup)] == [("资规局王局长", "lingdao@example.gov.cn")]
    rules.send_to_called_out_leaders = False
    rules.save()
    assert roundup_recipients(roundup) == []


def _running_plans() -> set:
    """Plans of 2023 that have work items: the golden plan and the one holding its stray item."""
    return set(Plan.objects.filter(first_year__lte=2023, last_year__gte=2023, work_items__isnull=False))


def test_beat_drafts_last_months_roundup_once_and_catches_up(golden):
    created = roundups_draft_last_period(kind="month", today=date(2023, 7, 1))
    assert {r.plan for r in created} == _running_plans()
    assert golden.plan in _running_plans()
    assert {r.period for r in created} == {JUNE}
    # The run on the 2nd (catch-up window) creates nothing more.
    assert roundups_draft_last_period(kind="month", today=date(2023, 7, 2)) == []
    assert Roundup.objects.filter(kind="month").count() == len(created)


def test_beat_task_drafts_quarter_and_year_for_running_plans_only(golden):
    ended = PlanFactory(first_year=2018, last_year=2020)
    WorkItemFactory(plan=ended, year=2019, deadline=date(2019, 6, 30))
    PlanFactory()  # running, but nothing to report yet
    quarter_ids = celery_tasks.roundup_draft_last_period.run("quarter", "2023-07-01")
    year_ids = celery_tasks.roundup_draft_last_period.run("year", "2024-01-01")
    quarters = Roundup.objects.filter(pk__in=quarter_ids)
    years = Roundup.objects.filter(pk__in=year_ids)
    assert {r.plan for r in quarters} == {r.plan for r in years} == _running_plans()
    assert {r.period for r in quarters} == {Period.quarter(2023, 2)}
    assert {r.period for r in years} == {Period.year(2023)}


def test_beat_schedule_has_the_three_roundup_entries():
    schedule = celery_app.conf.beat_schedule
    entries = {k: v for k, v in schedule.items() if v["task"] == "tasks.tasks.roundup_draft_last_period"}
    assert sorted(v["args"][0] for v in entries.values()) == ["month", "quarter", "year"]
    assert celery_app.tasks["tasks.tasks.roundup_draft_last_period"]


def test_the_plans_group_robot_gets_the_summary_once(golden, fake_pdf, monkeypatch, settings,
                                                     django_capture_on_commit_callbacks):
    from tasks.models import GroupRobot
    from tasks.tests.notifications.fakes import FakeRobots

    monkeypatch.setattr(celery_tasks.roundup_deliver, "delay", lambda pk: None)
    monkeypatch.setattr(celery_tasks.outbox_send, "delay", lambda channel: None)
    fake = FakeRobots().start()
    settings.NOTIFY_ROBOT_HOSTS = [*settings.NOTIFY_ROBOT_HOSTS, "127.0.0.1"]  # the stand-in's
    try:
        fake.secrets["plan"] = "SECplan"
        GroupRobot.objects.create(name="专班群", kind="dingtalk", plan=golden.plan, secret="SECplan",
                                  webhook=f"{fake.url}/robot/send?access_token=plan")
        roundup, _ = roundup_generate(plan=golden.plan, period=JUNE, today=TODAY)
        with django_capture_on_commit_callbacks(execute=True):
            roundup_publish(roundup=roundup)
        roundup_deliver(roundup_id=roundup.pk)
        assert roundup_deliver(roundup_id=roundup.pk) == {"recipients": 0, "messages": 0}
        assert dict(outbox_deliver(channel="dingtalk_robot").counts) == {Message.State.DELIVERED: 1}
        (posted,) = fake.inbox["plan"]
        text = posted["markdown"]["text"]
        assert f"/roundups/{roundup.pk}/" in text and "区资规局：排名" not in text  # no unit's own line
    finally:
        fake.stop()
