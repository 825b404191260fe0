"""Reminder scan and sending, with ``today`` as a parameter: each kind, digests, working days, guarantees."""

import smtplib
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.models import Message, Reminder, ReminderSettings, WorkItem
from tasks.notifications.services import messages_requeue, outbox_deliver
from tasks.selectors.reminders import reminders_due, reported_this_month
from tasks.services.reminders import (
    reminder_digest_send,
    reminders_resend,
    reminders_scan,
    reminders_send_now,
    reminders_send_pending,
)
from tasks.services.workflow import work_item_transition
from tasks.tests.factories import (
    PlanFactory,
    RegionFactory,
    UnitFactory,
    UserFactory,
    WorkItemFactory,
    liaison_for,
    signed_links_in,
)

pytestmark = pytest.mark.django_db


SH = ZoneInfo("Asia/Shanghai")
K = Reminder.Kind


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SH)


def morning(day: date):
    """What the beat does on a working morning, synchronously: scan, then one digest per recipient."""
    reminders_scan(today=day, now=at(day))
    return reminders_send_pending(now=at(day), today=day)


def recipients_of(messages) -> list[str]:
    return sorted(m.to[0] for m in messages)


class FailingBackend(LocmemBackend):
    """An SMTP server that refuses everything."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(LocmemBackend):
    """An SMTP server that refuses the recipient (550): retrying will not help."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"5.1.1 User unknown")})


@pytest.fixture
def world():
    """A plan with a lead unit (two contact addresses + a liaison), a supporting unit, a coordinator."""
    region = RegionFactory()
    plan = PlanFactory(region=region, title="越城区住有宜居实施方案")
    lead = UnitFactory(region=region, name="区建设局", emails="jsj@yc.gov.cn, jsj2@yc.gov.cn",
                       leader_email="leader@yc.gov.cn")
    support = UnitFactory(region=region, name="区财政局", emails="czj@yc.gov.cn")
    lead_user = liaison_for(lead, username="jsj_liaison", email="liaison@yc.gov.cn")
    coordinator = UserFactory(username="coord", email="coord@yc.gov.cn")
    plan.coordinators.add(coordinator)
    # The monthly request (25th by default) is tested on its own; elsewhere it would blur the picture.
    ReminderSettings.objects.create(plan=plan, monthly_enabled=False)
    return {"plan": plan, "lead": lead, "support": support, "coordinator": coordinator, "region": region,
            "lead_user": lead_user}


LEAD = ["jsj2@yc.gov.cn", "jsj@yc.gov.cn", "liaison@yc.gov.cn"]


def item(world, due: date, **kwargs):
    return WorkItemFactory(plan=world["plan"], deadline=due, due_date=due, lead=world["lead"],
                           supporting=[world["support"]], year=due.year, **kwargs)


# ---------------------------------------------------------------- before the deadline


def test_due_soon_goes_to_lead_contacts_at_7_3_and_1_working_days_before(world):
    it = item(world, date(2023, 5, 31))  # a Wednesday in an ordinary week
    sent_on = {}
    for day in [date(2023, 5, d) for d in (19, 22, 23, 24, 25, 26, 29, 30, 31)]:
        mail.outbox = []
        morning(day)
        sent_on[day.day] = recipients_of(mail.outbox)
    assert sent_on[19] == []
    assert sent_on[22] == sorted([*LEAD, "czj@yc.gov.cn"])  # 7 working days before; supporting unit too
    assert sent_on[23] == sent_on[24] == sent_on[25] == []
    assert sent_on[26] == sorted([*LEAD, "czj@yc.gov.cn"])  # 3 working days before: its part is its own
    assert sent_on[29] == []
    assert sent_on[30] == sorted([*LEAD, "czj@yc.gov.cn"])  # the working day before
    assert sent_on[31] == []
    steps = sorted(Reminder.objects.filter(work_item=it, email="jsj@yc.gov.cn").values_list("step", flat=True))
    assert steps == [1, 3, 7]
    support = Reminder.objects.filter(work_item=it, email="czj@yc.gov.cn")
    assert sorted(support.values_list("step", flat=True)) == [1, 3, 7]
    assert set(support.values_list("role", "unit")) == {(Reminder.RecipientRole.SUPPORT, world["support"].pk)}


def test_missed_mornings_are_made_up_with_one_reminder_not_three(world):
    item(world, date(2023, 5, 31))
    morning(date(2023, 5, 29))  # nothing ran on 22 or 26 May
    assert recipients_of(mail.outbox) == sorted([*LEAD, "czj@yc.gov.cn"])
    rows = Reminder.objects.filter(email="jsj@yc.gov.cn")
    assert list(rows.values_list("kind", "step", "scheduled_for")) == [(K.DUE_SOON, 3, date(2023, 5, 26))]
    # The supporting unit too: the current stage, once.
    assert Reminder.objects.get(email="czj@yc.gov.cn").step == 3


def test_running_twice_the_same_morning_sends_one_email(world):
    item(world, date(2023, 5, 31))
    first = morning(date(2023, 5, 22))
    second = morning(date(2023, 5, 22))
    assert first.emails == 4 and second.emails == 0
    assert len(mail.outbox) == 4
    assert Reminder.objects.count() == 4


def test_lead_times_and_kinds_are_settings_per_plan(world):
    ReminderSettings.objects.filter(plan=world["plan"]).update(lead_times="5", notify_supporting=False)
    item(world, date(2023, 5, 31))
    morning(date(2023, 5, 22))
    assert mail.outbox == []
    morning(date(2023, 5, 24))  # 5 working days before
    assert recipients_of(mail.outbox) == LEAD


def test_disabled_plan_sends_nothing(world):
    ReminderSettings.objects.filter(plan=world["plan"]).update(enabled=False)
    item(world, date(2023, 5, 31))
    assert morning(date(2023, 5, 30)).emails == 0
    assert not Reminder.objects.exists()


# ---------------------------------------------------------------- working days: 国庆 and a 调休 Saturday


def test_due_soon_counts_working_days_across_national_day_and_goes_out_on_a_make_up_saturday(world):
    item(world, date(2023, 10, 10))  # Tue after 国庆 2023 (29 Sep - 6 Oct off; Sat 7 and Sun 8 Oct worked)
    due = {(r.step, r.scheduled_for) for r in reminders_due(today=date(2023, 10, 9)) if r.email == "jsj@yc.gov.cn"}
    assert due == {(1, date(2023, 10, 9))}
    morning(date(2023, 9, 25))  # 7 working days before: 25, 26, 27, 28 Sep, 7, 8, 9 Oct
    assert "jsj@yc.gov.cn" in recipients_of(mail.outbox)
    mail.outbox = []
    morning(date(2023, 9, 28))
    assert mail.outbox == []
    morning(date(2023, 10, 7))  # Saturday, a make-up working day: 3 working days before
    assert recipients_of(mail.outbox) == sorted([*LEAD, "czj@yc.gov.cn"])
    assert Reminder.objects.get(email="jsj@yc.gov.cn", step=3).scheduled_for == date(2023, 10, 7)


def test_overdue_notice_first_working_day_after_then_weekly_moved_before_a_day_off(world):
    it = item(world, date(2023, 9, 28))  # Thu before 国庆
    days = {}
    for day in [date(2023, 9, 29), date(2023, 10, 7), date(2023, 10, 9), date(2023, 10, 13), date(2023, 10, 16),
                date(2023, 10, 20), date(2023, 10, 27)]:
        mail.outbox = []
        reminders_scan(today=day, now=at(day))
        days[day] = sorted(
            (r.kind, r.step) for r in Reminder.objects.filter(work_item=it, email="jsj@yc.gov.cn", scheduled_for=day)
        )
    assert days[date(2023, 9, 29)] == []  # scanned on a holiday: not overdue before the first working day after
    assert days[date(2023, 10, 7)] == [(K.OVERDUE, 0)]  # the first working day after the deadline (a Saturday)
    assert days[date(2023, 10, 9)] == []
    assert days[date(2023, 10, 13)] == [(K.OVERDUE, 1)]  # 14 Oct is a Saturday off: the working day before
    assert days[date(2023, 10, 20)] == [(K.OVERDUE, 2)]  # 21 Oct is a Saturday off
    assert days[date(2023, 10, 27)] == [(K.OVERDUE, 3)]
    assert Reminder.objects.filter(work_item=it, kind=K.OVERDUE, email="jsj@yc.gov.cn").count() == 4
    # The supporting unit's own part (not marked 配合到位) is overdue too, and chased on the same days.
    support = Reminder.objects.filter(work_item=it, kind=K.OVERDUE, email="czj@yc.gov.cn")
    assert sorted(support.values_list("step", "scheduled_for")) == sorted(
        (step, day) for day, rows in days.items() for _kind, step in rows
    )


def test_escalation_to_coordinators_at_first_overdue_and_to_leader_after_14_days(world):
    it = item(world, date(2023, 6, 9))  # Friday
    morning(date(2023, 6, 12))  # first working day after
    by_kind = {m.to[0]: m for m in mail.outbox}
    assert "coord@yc.gov.cn" in by_kind and "leader@yc.gov.cn" not in by_kind
    assert "已逾期" in by_kind["coord@yc.gov.cn"].subject
    mail.outbox = []
    morning(date(2023, 6, 20))  # 11 days overdue
    assert "leader@yc.gov.cn" not in recipients_of(mail.outbox)
    # Deadline + 14 days is 23 June, in the 端午 holiday (22-24 June 2023): the working day before is the 21st.
    morning(date(2023, 6, 21))
    assert "leader@yc.gov.cn" in recipients_of(mail.outbox)
    leader = Reminder.objects.get(work_item=it, kind=K.ESCALATE_LEADER)
    assert leader.scheduled_for == date(2023, 6, 21)
    mail.outbox = []
    morning(date(2023, 6, 25))  # a make-up Sunday: nothing new for the leader or the coordinator
    assert not {"leader@yc.gov.cn", "coord@yc.gov.cn"} & set(recipients_of(mail.outbox))
    assert Reminder.objects.filter(kind=K.ESCALATE_COORDINATOR).count() == 1


def test_extra_coordinator_addresses_receive_escalations(world):
    ReminderSettings.objects.filter(plan=world["plan"]).update(extra_coordinator_emails="zbb@yc.gov.cn，Office@YC.gov.cn")
    item(world, date(2023, 6, 9))
    morning(date(2023, 6, 12))
    assert {"zbb@yc.gov.cn", "office@yc.gov.cn", "coord@yc.gov.cn"} <= set(recipients_of(mail.outbox))


# ---------------------------------------------------------------- monthly


def test_monthly_request_to_every_unit_with_open_items_on_the_day_or_the_working_day_before(world):
    ReminderSettings.objects.filter(plan=world["plan"]).delete()  # the defaults: on the 25th
    other = UnitFactory(region=world["region"], name="区民政局", emails="mzj@yc.gov.cn")
    idle = UnitFactory(region=world["region"], name="区水利局", emails="slj@yc.gov.cn")
    item(world, date(2023, 12, 31))
    WorkItemFactory(plan=world["plan"], deadline=None, due_date=None, recurring=True, lead=other, year=2023)
    WorkItemFactory(plan=world["plan"], deadline=date(2023, 3, 1), due_date=date(2023, 3, 1), lead=idle,
                    status=WorkItem.Status.DONE, completed_at=at(date(2023, 3, 1)), completed_on_time=True)
    WorkItemFactory(plan=world["plan"], deadline=date(2025, 12, 31), due_date=date(2025, 12, 31), lead=idle, year=2025)
    morning(date(2023, 11, 23))
    assert mail.outbox == []
    morning(date(2023, 11, 24))  # 25 Nov 2023 is a Saturday: the request goes out on Friday 24th
    assert recipients_of(mail.outbox) == sorted([*LEAD, "czj@yc.gov.cn", "mzj@yc.gov.cn"])
    assert "请填报本月工作进展" in mail.outbox[0].subject
    mail.outbox = []
    morning(date(2023, 11, 27))
    assert mail.outbox == []  # once a month
    assert Reminder.objects.filter(kind=K.MONTHLY, step=202311).count() == 5


def test_monthly_request_skips_a_unit_that_already_reported_on_the_item_this_month(world):
    """Asking for material already given is what the burden rules forbid: a unit that filed progress (or its
    contribution) on an item this month gets no monthly request for it; last month's report does not count."""
    from tasks.services.reports import work_item_report_progress

    ReminderSettings.objects.filter(plan=world["plan"]).delete()  # the defaults: on the 25th
    reported = item(world, date(2023, 12, 31), text="已报送本月进展的事项")
    pending = item(world, date(2023, 12, 31), text="本月尚未报送的事项")
    helper = liaison_for(world["support"], username="czj_liaison", email="czj_liaison@yc.gov.cn")
    work_item_report_progress(item=reported, user=world["lead_user"], note="十月进展", at=at(date(2023, 10, 30)))
    work_item_report_progress(item=pending, user=world["lead_user"], note="十月进展", at=at(date(2023, 10, 30)))
    work_item_report_progress(item=reported, user=world["lead_user"], note="本月进展", percent=50,
                              at=at(date(2023, 11, 20)))
    work_item_report_progress(item=pending, user=helper, note="配合情况", at=at(date(2023, 11, 21)))
    morning(date(2023, 11, 24))
    asked = set(Reminder.objects.filter(kind=K.MONTHLY, step=202311).values_list("work_item_id", "unit_id"))
    assert asked == {(reported.pk, world["support"].pk), (pending.pk, world["lead"].pk)}
    # The month's reports are read alone, one range of their created_at index: no join to the items (or, by
    # their default order, to plans and regions), which cost a probe per report at 1M items.
    with CaptureQueriesContext(connection) as ctx:
        pairs = reported_this_month(today=date(2023, 11, 24))
    assert pairs == {(reported.pk, world["lead"].pk), (pending.pk, world["support"].pk)}
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    assert "tasks_workitem" not in sql and "tasks_plan" not in sql


# ---------------------------------------------------------------- digests


def test_one_digest_per_recipient_grouped_by_plan_with_html_text_and_links(world, settings):
    settings.SITE_URL = "https://zf.example.cn"
    plan2 = PlanFactory(region=world["region"], title="海宁市住有宜居实施方案")
    soon = [item(world, date(2023, 5, 31)), item(world, date(2023, 5, 31), text="老旧小区改造")]
    late = WorkItemFactory(plan=plan2, deadline=date(2023, 5, 10), due_date=date(2023, 5, 10), lead=world["lead"],
                           text="保障性租赁住房筹集")
    morning(date(2023, 5, 22))
    to_lead = [m for m in mail.outbox if m.to == ["jsj@yc.gov.cn"]]
    assert len(to_lead) == 1
    message = to_lead[0]
    assert message.subject == "【住有宜居】工作提醒：已逾期1项，即将到期2项"
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    for text in (message.body, html):
        assert text.index("海宁市住有宜居实施方案") < text.index("越城区住有宜居实施方案")
        assert "保障性租赁住房筹集" in text and "老旧小区改造" in text
        for it in [*soon, late]:
            assert ("item", it.pk) in signed_links_in(text)
    assert "已逾期 12 天" in message.body
    assert "还有 7 个工作日" in message.body
    # Signed links to the items (tests/views/test_signed_links), on the site's address.
    assert ("item", late.pk) in signed_links_in(html) and 'href="https://zf.example.cn/l/' in html
    rows = Reminder.objects.filter(email="jsj@yc.gov.cn")
    assert {r.status for r in rows} == {Reminder.Status.SENT}
    assert len({r.digest for r in rows}) == 1
    assert message.extra_headers["X-Reminder-Digest"] == str(rows[0].digest)


def test_never_an_empty_email_and_done_items_get_none(world):
    done = item(world, date(2023, 5, 31))
    work_item_transition(item=done, to_status=WorkItem.Status.AWAITING_REVIEW)
    work_item_transition(item=done, to_status=WorkItem.Status.DONE, at=at(date(2023, 5, 20)))
    done.assignments.filter(role="support").update(support_done_at=at(date(2023, 5, 20)))  # 配合到位 too
    summary = morning(date(2023, 5, 30))
    assert summary.emails == 0 and mail.outbox == []
    assert not Reminder.objects.exists()
    assert reminder_digest_send(email="nobody@yc.gov.cn", now=at(date(2023, 5, 30))).sent is False
    assert mail.outbox == []


def test_item_closed_between_scan_and_send_is_cancelled_not_sent(world):
    it = item(world, date(2023, 5, 31))
    reminders_scan(today=date(2023, 5, 30), now=at(date(2023, 5, 30)))
    work_item_transition(item=it, to_status=WorkItem.Status.AWAITING_REVIEW)
    work_item_transition(item=it, to_status=WorkItem.Status.DONE, at=at(date(2023, 5, 30), 8))
    summary = reminders_send_pending(now=at(date(2023, 5, 30)))
    assert summary.emails == 0 and mail.outbox == []
    assert set(Reminder.objects.values_list("status", flat=True)) == {Reminder.Status.CANCELLED}


# ---------------------------------------------------------------- extension


def test_extended_deadline_gets_its_own_reminders_and_old_pending_ones_are_dropped(world):
    it = item(world, date(2023, 5, 31))
    morning(date(2023, 5, 22))  # stage 7 for 31 May sent
    reminders_scan(today=date(2023, 5, 26), now=at(date(2023, 5, 26)))  # stage 3 made, not yet sent
    WorkItem.objects.filter(pk=it.pk).update(due_date=date(2023, 8, 31))  # extension granted
    mail.outbox = []
    reminders_send_pending(now=at(date(2023, 5, 26)))
    assert mail.outbox == []
    assert Reminder.objects.filter(deadline=date(2023, 5, 31), step=3, status=Reminder.Status.CANCELLED).exists()
    morning(date(2023, 8, 22))  # 7 working days before 31 Aug
    assert recipients_of(mail.outbox) == sorted([*LEAD, "czj@yc.gov.cn"])
    assert Reminder.objects.filter(deadline=date(2023, 8, 31), step=7, status=Reminder.Status.SENT).count() == 4


# ---------------------------------------------------------------- failures, retries, resend


def test_smtp_failure_keeps_the_digest_queued_with_error_then_gave_up_after_last_attempt(world, settings):
    settings.EMAIL_BACKEND = "tasks.tests.services.test_reminders_service.FailingBackend"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    item(world, date(2023, 5, 31))
    day = date(2023, 5, 30)
    reminders_scan(today=day, now=at(day))
    queued = reminder_digest_send(email="jsj@yc.gov.cn", now=at(day))
    assert queued.sent and queued.channels == ["email"]
    # The reminder rows are done with: what is due to whom was handed to the outbox, once.
    row = Reminder.objects.get(email="jsj@yc.gov.cn")
    assert (row.status, row.digest) == (Reminder.Status.SENT, queued.digest)
    first = outbox_deliver(channel="email", now=at(day))
    message = Message.objects.get(address="jsj@yc.gov.cn")
    assert first.counts == {Message.State.QUEUED: 1}
    assert (message.state, message.attempts, message.next_attempt_at) == ("queued", 1, at(day).replace(minute=1))
    assert "Connection unexpectedly closed" in message.last_error
    # Not due again before the backoff has passed.
    assert outbox_deliver(channel="email", now=at(day)).counts == {}
    outbox_deliver(channel="email", now=at(day).replace(minute=1))
    message.refresh_from_db()
    assert message.next_attempt_at == at(day).replace(minute=3)  # 2 minutes later
    third = outbox_deliver(channel="email", now=at(day).replace(minute=3))
    message.refresh_from_db()
    assert third.counts == {Message.State.GAVE_UP: 1}
    assert (message.state, message.attempts, message.next_attempt_at) == ("gave_up", 3, None)
    assert message.finished_at == at(day).replace(minute=3) and message.sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders_send_pending(now=at(day, 18)).emails == 3  # the other addresses are still due
    assert mail.outbox and "jsj@yc.gov.cn" not in recipients_of(mail.outbox)


def test_refused_recipient_fails_at_once_without_retries(world, settings):
    settings.EMAIL_BACKEND = "tasks.tests.services.test_reminders_service.RefusingBackend"
    item(world, date(2023, 5, 31))
    reminders_scan(today=date(2023, 5, 30), now=at(date(2023, 5, 30)))
    reminder_digest_send(email="jsj@yc.gov.cn", now=at(date(2023, 5, 30)))
    outcome = outbox_deliver(channel="email", now=at(date(2023, 5, 30)))
    assert outcome.counts == {Message.State.FAILED: 1}
    message = Message.objects.get(address="jsj@yc.gov.cn")
    assert (message.state, message.attempts, message.next_attempt_at) == ("failed", 1, None)
    assert "User unknown" in message.last_error


def test_requeue_given_up_messages_sends_again_once(world, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tasks.tests.services.test_reminders_service.FailingBackend"
    settings.NOTIFY_MAX_ATTEMPTS = 1
    item(world, date(2023, 5, 31))
    summary = morning(date(2023, 5, 30))
    assert summary.failed == 4 and summary.emails == 0  # 3 lead contacts + the supporting unit
    assert summary.line() == "sent 0 emails to 4 recipients covering 1 items; 4 failed"
    given_up = list(Message.objects.filter(state=Message.State.GAVE_UP).values_list("pk", flat=True))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with pytest.raises(PermissionDenied):
        messages_requeue(message_ids=given_up, actor=UserFactory())
    with django_capture_on_commit_callbacks() as callbacks:
        n = messages_requeue(message_ids=given_up, actor=world["coordinator"])
    assert n == 4 and len(callbacks) == 1  # one delivery task for the email channel
    assert reminders_send_pending().emails == 4
    assert reminders_send_pending().emails == 0
    assert Message.objects.filter(state=Message.State.SENT).count() == 4


def test_resend_reminders_failed_before_the_outbox_queues_them_again_once(world, django_capture_on_commit_callbacks):
    item(world, date(2023, 5, 31))
    reminders_scan(today=date(2023, 5, 30), now=at(date(2023, 5, 30)))
    Reminder.objects.update(status=Reminder.Status.FAILED, attempts=56, next_attempt_at=None)
    failed = list(Reminder.objects.values_list("pk", flat=True))
    with pytest.raises(PermissionDenied):
        reminders_resend(reminder_ids=failed, actor=UserFactory())
    with django_capture_on_commit_callbacks() as callbacks:
        n = reminders_resend(reminder_ids=failed, actor=world["coordinator"])
    assert n == 4 and len(callbacks) == 1  # one digest task for up to 100 addresses
    assert reminders_send_pending().emails == 4
    assert reminders_send_pending().emails == 0


# ---------------------------------------------------------------- remind now


def test_remind_now_sends_a_manual_reminder_once_per_day(world, django_capture_on_commit_callbacks):
    late = item(world, date(2023, 5, 10))
    day = date(2023, 6, 5)
    with pytest.raises(PermissionDenied):
        reminders_send_now(work_item_ids=[late.pk], actor=liaison_for(world["support"]), today=day)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        n = reminders_send_now(work_item_ids=[late.pk], actor=world["coordinator"], today=day)
    assert n == 3 and len(callbacks) == 1  # one digest task for the three addresses
    assert reminders_send_now(work_item_ids=[late.pk], actor=world["coordinator"], today=day) == 0
    reminders_send_pending()
    assert recipients_of(mail.outbox) == LEAD
    assert "专班催办" in mail.outbox[0].subject
    assert reminders_send_now(work_item_ids=[late.pk], actor=world["coordinator"], today=date(2023, 6, 6)) == 3
    assert set(Reminder.objects.values_list("step", flat=True)) == {20230605, 20230606}


def test_an_item_linked_to_a_key_task_takes_its_lead_and_is_reminded_to_it(world):
    """Reminders no longer fall back to the key task's units: the link writes the lead onto the item."""
    from tasks.services.links import work_item_link
    from tasks.tests.factories import KeyTaskFactory

    task = KeyTaskFactory(plan=world["plan"], lead=world["lead"])
    item = WorkItemFactory(plan=world["plan"], deadline=date(2023, 5, 31), due_date=date(2023, 5, 31))
    work_item_link(item=item, key_task=task)
    assert list(item.assignments.values_list("unit", "role")) == [(world["lead"].pk, "lead")]
    morning(date(2023, 5, 30))
    assert recipients_of(mail.outbox) == LEAD


def test_an_item_without_units_of_its_own_is_reminded_to_nobody(world):
    from tasks.tests.factories import KeyTaskFactory

    task = KeyTaskFactory(plan=world["plan"], lead=world["lead"])
    WorkItemFactory(plan=world["plan"], key_task=task, deadline=date(2023, 5, 31), due_date=date(2023, 5, 31))
    morning(date(2023, 5, 30))
    assert mail.outbox == []


def test_an_item_awaiting_review_is_neither_in_the_digest_nor_chased(world):
    """The unit asked to close it: telling it to "提交办结申请" again would be wrong."""
    from tasks.services.reports import work_item_request_close

    waiting = item(world, date(2023, 5, 31))
    work_item_request_close(item=waiting, user=world["lead_user"], note="已完成")
    morning(date(2023, 6, 5))  # past due
    # Only the supporting unit, whose own part is open and overdue, is chased (and reported to the coordinators).
    assert recipients_of(mail.outbox) == ["coord@yc.gov.cn", "czj@yc.gov.cn"]
    for message in mail.outbox:
        assert "区财政局的配合部分已逾期 5 天" in message.body
    assert reminders_send_now(work_item_ids=[waiting.pk], actor=world["coordinator"], today=date(2023, 6, 5)) == 0


# ---------------------------------------------------------------- cost


def _scan_queries(day: date) -> int:
    with CaptureQueriesContext(connection) as ctx:
        reminders_scan(today=day, now=at(day))
    return len(ctx.captured_queries)


def test_scan_costs_the_same_queries_for_10_and_200_items(world, django_assert_max_num_queries):
    day = date(2023, 6, 12)
    for i in range(10):
        item(world, date(2023, 6, 1 + i % 20))
    small = _scan_queries(day)
    for i in range(190):
        unit = UnitFactory(region=world["region"], emails=f"u{i}@yc.gov.cn")
        liaison_for(unit)
        WorkItemFactory(plan=world["plan"], deadline=date(2023, 6, 1 + i % 28), due_date=date(2023, 6, 1 + i % 28),
                        lead=unit, supporting=[world["support"]])
    large = _scan_queries(day)
    assert small == large
    with django_assert_max_num_queries(12):
        reminders_scan(today=date(2023, 6, 13), now=at(date(2023, 6, 13)))
    assert Reminder.objects.count() > 400


def test_default_retries_outlast_a_whole_day_of_smtp_outage():
    """Journey 6: a day the mail server was down is made up the next morning, not marked failed."""
    from django.conf import settings as django_settings

    from tasks.notifications.services import retry_delay

    waits = sum(retry_delay(n) for n in range(1, django_settings.NOTIFY_MAX_ATTEMPTS))
    assert waits >= 24 * 3600
    assert max(retry_delay(n) for n in range(1, 60)) < 3600  # below the broker's visibility timeout


def _compose_queries(emails: list[str], day: date) -> int:
    from tasks.services.reminders import reminder_digests_send

    with CaptureQueriesContext(connection) as ctx:
        outcomes = reminder_digests_send(emails=emails, now=at(day), today=day, kick=False)
    assert all(o.sent for o in outcomes), outcomes
    return len(ctx.captured_queries)


def test_digests_of_2_and_40_recipients_cost_the_same_statements(world):
    """A digest task composes its addresses' digests with a constant number of statements (rows, units,
    people, the outbox's insert, the marks): only the rendering is per person."""
    day = date(2023, 6, 12)
    for i in range(40):
        unit = UnitFactory(region=world["region"], emails=f"u{i}@yc.gov.cn")
        WorkItemFactory(plan=world["plan"], deadline=date(2023, 6, 13), due_date=date(2023, 6, 13), lead=unit)
        WorkItemFactory(plan=world["plan"], deadline=date(2023, 6, 14), due_date=date(2023, 6, 14), lead=unit)
    reminders_scan(today=day, now=at(day))
    emails = [f"u{i}@yc.gov.cn" for i in range(40)]
    small = _compose_queries(emails[:2], day)
    large = _compose_queries(emails[2:], day)
    assert small == large
    # Each address got one digest of its own items, and its rows point at that digest.
    for i in (0, 39):
        row_digests = set(Reminder.objects.filter(email=f"u{i}@yc.gov.cn").values_list("digest", flat=True))
        message = Message.objects.get(address=f"u{i}@yc.gov.cn")
        assert row_digests == {message.group} and "您有 2 项" in message.body
        assert Reminder.objects.filter(email=f"u{i}@yc.gov.cn", status=Reminder.Status.SENT).count() == 2
    # Composed again: nothing is due any more, nothing is queued twice.
    assert Message.objects.count() == 40
    from tasks.services.reminders import reminder_digests_send

    assert not any(o.sent for o in reminder_digests_send(emails=emails, now=at(day), today=day, kick=False))
    assert Message.objects.count() == 40


def test_a_digest_that_cannot_be_composed_holds_back_no_one_else(world, monkeypatch, caplog):
    from tasks.services import reminders
    from tasks.services.reminders import reminder_digests_send

    item(world, date(2023, 5, 31))
    day = date(2023, 5, 30)
    reminders_scan(today=day, now=at(day))
    compose = reminders.digest_messages

    def broken_for_one(*, email, **kwargs):
        if email == "jsj2@yc.gov.cn":
            raise ValueError("模板出错")
        return compose(email=email, **kwargs)

    monkeypatch.setattr(reminders, "digest_messages", broken_for_one)
    emails = [*LEAD, "czj@yc.gov.cn"]
    outcomes = {o.email: o for o in reminder_digests_send(emails=emails, now=at(day), today=day, kick=False)}
    assert [e for e in emails if outcomes[e].sent] == ["jsj@yc.gov.cn", "liaison@yc.gov.cn", "czj@yc.gov.cn"]
    assert outcomes["jsj2@yc.gov.cn"].error == "ValueError: 模板出错"
    assert "jsj2@yc.gov.cn" in caplog.text
    # Its rows stay pending, nothing of it was queued; the next attempt (the next tick) sends it.
    assert set(Reminder.objects.filter(email="jsj2@yc.gov.cn").values_list("status", flat=True)) == {"pending"}
    assert not Message.objects.filter(address="jsj2@yc.gov.cn").exists()
    monkeypatch.setattr(reminders, "digest_messages", compose)
    assert reminder_digest_send(email="jsj2@yc.gov.cn", now=at(day)).sent
    assert Message.objects.filter(address="jsj2@yc.gov.cn").count() == 1


def test_digest_tasks_are_cut_by_addresses_and_due_rows_heaviest_first(monkeypatch):
    """A province's region coordinators (hundreds of rows each) sort together: they are spread over tasks of
    about DIGEST_ROWS_PER_TASK rows, queued first; light addresses still go a hundred to a task."""
    from tasks.services import reminders

    monkeypatch.setattr(reminders, "DIGEST_ROWS_PER_TASK", 1000)
    weights = {f"coord{i:02d}@x.cn": 550 for i in range(6)} | {f"liaison{i:03d}@x.cn": 3 for i in range(250)}
    weights["huge@x.cn"] = 5000  # heavier than a task: a task of its own
    chunks = reminders._digest_chunks(weights)

    assert sorted(e for c in chunks for e in c) == sorted(weights)  # every address once
    assert chunks[0] == ["huge@x.cn"]
    rows = [sum(weights[e] for e in c) for c in chunks]
    assert rows == sorted(rows, reverse=True)
    assert all(len(c) <= reminders.DIGESTS_PER_TASK for c in chunks)
    assert all(r <= 1000 for c, r in zip(chunks, rows, strict=True) if len(c) > 1)
    assert [len(c) for c in chunks if c[0].startswith("coord")] == [1] * 6  # 550 + 550 > 1000
    assert sum(1 for c in chunks if c[0].startswith("liaison")) == 3  # 100 + 100 + 50


def test_an_escalation_asks_the_leader_to_follow_up_and_the_unit_to_report(world):
    """A 分管领导 acts on nothing: their digest asks them to urge the unit, not to report progress and ask to
    close (it did); the unit's digest asks to report and close, evidence only where the plan requires it."""
    item(world, date(2023, 6, 9))
    morning(date(2023, 6, 21))  # 12 working days overdue: escalated to the leader
    by_address = {m.to[0]: m for m in mail.outbox}
    leader, liaison = by_address["leader@yc.gov.cn"], by_address["liaison@yc.gov.cn"]
    for message in (leader, liaison):
        html = message.alternatives[0][0]
        for body in (message.body, html):
            assert ("请督促相关单位尽快办结" in body) == (message is leader)
            assert ("请登录系统更新进展" in body) == (message is liaison)
            assert "上传佐证材料" not in body


def test_digest_forms_escape_html_only_and_translate_from_the_catalogue(world, settings):
    """The digest's forms are Jinja2 templates (tasks/jinja2/): the HTML escapes what people typed, the text
    carries it as typed, the markdown as words (no link, picture, HTML or line of its own: ``markdown_plain``,
    tasks/tests/hardening/test_markdown_messages.py), and the sentences come from the site's catalogue in
    Chinese."""
    from tasks.models import Profile

    settings.DINGTALK_API_BASE, settings.DINGTALK_APP_KEY = "http://127.0.0.1:9", "k"
    settings.DINGTALK_APP_SECRET, settings.DINGTALK_AGENT_ID = "s", "1"
    Profile.objects.filter(user__email="liaison@yc.gov.cn").update(dingtalk_id="ding1", channels="dingtalk")
    world["plan"].title = "方案 <b>&\"一\"</b>"
    world["plan"].save()
    item(world, date(2023, 5, 31), text="<script>alert('x')</script> & 老旧小区")
    reminders_scan(today=date(2023, 5, 22), now=at(date(2023, 5, 22)))
    reminder_digest_send(email="liaison@yc.gov.cn", now=at(date(2023, 5, 22)), kick=False)
    email = Message.objects.get(address="liaison@yc.gov.cn", channel="email")
    ding = Message.objects.get(address="ding1", channel="dingtalk")
    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 老旧小区" in email.html
    assert "方案 &lt;b&gt;&amp;&#34;一&#34;&lt;/b&gt;" in email.html
    assert "<script>alert('x')</script> & 老旧小区" in email.body and '方案 <b>&"一"</b>' in email.body
    assert "＜script＞alert('x')＜/script＞ &" in ding.body and '**方案 ＜b＞&"一"＜/b＞**' in ding.body
    for body in (email.body, email.html, ding.body):
        assert "截至2023年5月22日，您有" in body and "项工作需要关注" in body
    assert "您好：" in email.body and "本邮件由系统自动发送，请勿直接回复。" in email.html
    assert email.body.endswith("本邮件由系统自动发送，请勿直接回复。\n\n") and email.html.endswith("</html>\n")


def test_item_texts_are_cut_as_the_truncator_cuts_them():
    from django.utils.text import Truncator

    from tasks.services.reminders import _chars

    texts = ["", "短", "工作事项" * 10, "工作事项" * 11, "e\u0301" * 50, "é" * 41, "a" * 40, "a" * 41, "x\u0301" * 39]
    for text in texts:
        for n in (1, 40, 120):
            assert _chars(text, n) == Truncator(text).chars(n), (text, n)
