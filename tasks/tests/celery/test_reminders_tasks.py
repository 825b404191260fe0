"""The beat tick and the Celery entry points (run eagerly here; on a real worker in the services tests)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from housing.celery import app
from tasks.models import Message, Reminder, ReminderRun, ReminderSettings
from tasks.services.reminders import reminders_tick
from tasks.tasks import outbox_beat, outbox_send, reminders_beat, reminders_send_digest
from tasks.tests.factories import PlanFactory, UnitFactory, WorkItemFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SH)


@pytest.fixture
def plan():
    plan = PlanFactory()
    ReminderSettings.objects.create(plan=plan, monthly_enabled=False, send_time=time(8, 30))
    unit = UnitFactory(region=plan.region, emails="a@x.cn, b@x.cn")
    WorkItemFactory(plan=plan, deadline=date(2023, 5, 31), due_date=date(2023, 5, 31), lead=unit)
    return plan


def test_beat_schedule_runs_the_tick_task_every_quarter_hour():
    entry = app.conf.beat_schedule["reminders-tick"]
    assert entry["task"] == reminders_beat.name
    assert entry["task"] in app.tasks
    assert entry["options"]["expires"] < 15 * 60


def test_tick_does_nothing_on_a_day_off_or_before_the_send_time(plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        sunday = reminders_tick(now=at(date(2023, 5, 28), 9))
        early = reminders_tick(now=at(date(2023, 5, 30), 8, 15))
    assert sunday.day_off and not early.day_off
    assert early.plan_ids == [] and callbacks == []
    assert not Reminder.objects.exists() and not ReminderRun.objects.exists()


def test_tick_scans_each_plan_once_a_day_and_queues_the_digests(plan, django_capture_on_commit_callbacks):
    other = PlanFactory()
    ReminderSettings.objects.create(plan=other, send_time=time(10, 0), monthly_enabled=False)
    with django_capture_on_commit_callbacks() as callbacks:
        first = reminders_tick(now=at(date(2023, 5, 30), 8, 30))
    # Every plan is scanned at the earliest send time (the 10:00 plan's rows are held until 10:00).
    assert first.plan_ids == sorted([plan.pk, other.pk]) and first.created == 2
    assert first.emails == ["a@x.cn", "b@x.cn"] and len(callbacks) == 1  # one task, up to 100 addresses
    with django_capture_on_commit_callbacks() as callbacks:
        second = reminders_tick(now=at(date(2023, 5, 30), 8, 45))
    # No second scan; the digests not sent yet (their tasks may be lost) are queued again: sending is idempotent.
    assert second.plan_ids == [] and second.created == 0 and len(callbacks) == 1
    later = reminders_tick(now=at(date(2023, 5, 30), 10, 0))
    assert later.plan_ids == []
    assert ReminderRun.objects.filter(day=date(2023, 5, 30)).count() == 2


def test_beat_task_takes_an_iso_time_and_returns_json_safe_summary(plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        result = reminders_beat.apply(kwargs={"now": "2023-05-30T09:00:00+08:00"}).get()
    assert result == {"today": "2023-05-30", "plans": [plan.pk], "due": 2, "created": 2, "day_off": False,
                      "queued": 2}


def test_digest_task_queues_and_the_outbox_task_sends_once(plan, mailoutbox, django_capture_on_commit_callbacks):
    reminders_tick(now=at(date(2023, 5, 30), 9))
    with django_capture_on_commit_callbacks() as callbacks:
        result = reminders_send_digest.apply(args=["a@x.cn"]).get()
    assert result["sent"] is True and result["items"] == 1 and result["channels"] == ["email"]
    assert len(callbacks) == 1  # the email channel's delivery task, run here as the worker would:
    assert outbox_send.apply(args=["email"]).get() == {"channel": "email", "sent": 1}
    assert [m.to for m in mailoutbox] == [["a@x.cn"]]
    assert reminders_send_digest.apply(args=["a@x.cn"]).get()["sent"] is False  # a retried task queues nothing
    assert outbox_send.apply(args=["email"]).get() == {"channel": "email"}  # and a repeated delivery sends nothing
    assert len(mailoutbox) == 1


def test_outbox_task_on_smtp_failure_keeps_the_message_for_the_beat_with_backoff(plan, settings):
    settings.EMAIL_BACKEND = "tasks.tests.services.test_reminders_service.FailingBackend"
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    reminders_tick(now=at(date(2023, 5, 30), 9))
    reminders_send_digest.apply(args=["a@x.cn"])
    before = timezone.now()
    assert outbox_send.apply(args=["email"]).get() == {"channel": "email", "queued": 1}
    message = Message.objects.get(address="a@x.cn")
    assert message.attempts == 1 and "SMTPServerDisconnected" in message.last_error
    assert 59 <= (message.next_attempt_at - before).total_seconds() <= 62
    # Nothing waits in the broker: the minute's beat kicks the channel once its next attempt is due.
    assert outbox_beat.apply().get()["kicked"] == []
    Message.objects.update(next_attempt_at=before)
    assert outbox_beat.apply().get()["kicked"] == ["email"]


def test_beat_schedule_runs_the_outbox_every_minute():
    entry = app.conf.beat_schedule["outbox-tick"]
    assert entry["task"] == outbox_beat.name and entry["task"] in app.tasks
    assert entry["options"]["expires"] < 60


def test_tick_asks_the_same_number_of_queries_for_one_plan_or_six(django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks.selectors.calendar import forget_calendar_overrides

    def plans(n: int, day: date) -> int:
        for _ in range(n):
            p = PlanFactory()
            ReminderSettings.objects.create(plan=p, monthly_enabled=False, send_time=time(8, 30))
            unit = UnitFactory(region=p.region, emails=f"u{p.pk}@x.cn")
            WorkItemFactory(plan=p, deadline=date(2023, 5, 31), due_date=date(2023, 5, 31), lead=unit)
        forget_calendar_overrides()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks():
            result = reminders_tick(now=at(day, 9))
        assert len(result.plan_ids) == n and ReminderRun.objects.filter(day=day).count() == n
        ReminderSettings.objects.update(enabled=False)  # the next round's plans only
        return len(queries)

    assert plans(1, date(2023, 5, 30)) == plans(6, date(2023, 5, 31))


def test_the_digest_task_queues_each_address_once_and_delivers_what_it_queued(plan, django_capture_on_commit_callbacks):
    from django.core import mail

    from tasks.tasks import reminders_send_digests

    reminders_tick(now=at(date(2023, 5, 30), 9))
    with django_capture_on_commit_callbacks() as callbacks:
        result = reminders_send_digests.apply(args=[["a@x.cn", "b@x.cn"]]).get()
    # Delivered in the task itself (no outbox_send queued behind the other digest tasks).
    assert result == {"digests": 2, "addresses": 2, "delivered": {"email": {"sent": 2}}} and callbacks == []
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.cn", "b@x.cn"]
    assert reminders_send_digests.apply(args=[["a@x.cn", "b@x.cn"]]).get() == {
        "digests": 0, "addresses": 2, "delivered": {}}
    assert Message.objects.filter(channel="email").count() == 2 and len(mail.outbox) == 2
    assert set(Message.objects.values_list("state", flat=True)) == {Message.State.SENT}


def _province_day(n_plans: int = 3, n_units: int = 8):
    """Plans of one region whose items are led by the same units: each address has rows of every plan."""
    plans = [PlanFactory() for _ in range(n_plans)]
    region = plans[0].region
    for p in plans[1:]:
        p.region = region
        p.save(update_fields=["region"])
    units = [UnitFactory(region=region, emails=f"u{i}a@x.cn, u{i}b@x.cn") for i in range(n_units)]
    for p in plans:
        ReminderSettings.objects.create(plan=p, monthly_enabled=False, send_time=time(8, 30))
        for i, unit in enumerate(units):
            WorkItemFactory(plan=p, deadline=date(2023, 5, 31), due_date=date(2023, 5, 31 - i % 2), lead=unit)
    return plans


@pytest.mark.django_db(transaction=True)
def test_a_large_tick_commits_in_parts_queuing_each_address_once_with_all_its_rows(monkeypatch):
    from django.db.models import Count

    from tasks.services import reminders as reminder_services
    from tasks.services.reminders import reminder_digests_send
    from tasks.tasks import reminders_send_digests

    monkeypatch.setattr(reminder_services, "TICK_PARTS", 3)
    monkeypatch.setattr(reminder_services, "TICK_PART_MIN_ROWS", 1)
    _province_day()
    queued = []  # (addresses of a task, committed rows of each at that moment, all committed rows then)

    def delay(emails):
        rows = dict(Reminder.objects.filter(email__in=emails).values_list("email").annotate(n=Count("pk")))
        queued.append((list(emails), rows, Reminder.objects.count()))

    monkeypatch.setattr(reminders_send_digests, "delay", delay)
    result = reminders_tick(now=at(date(2023, 5, 30), 9))
    total = Reminder.objects.count()
    assert total == result.created == 3 * 8 * 2 and len(result.plan_ids) == 3
    # Three parts, each queued at its own commit: the first digests could go while the tick still ran.
    assert len(queued) == 3 and queued[0][2] < queued[1][2] < queued[2][2] == total
    addresses = [e for emails, _rows, _n in queued for e in emails]
    assert sorted(addresses) == sorted(set(addresses)) == result.emails  # each address once
    final = dict(Reminder.objects.values_list("email").annotate(n=Count("pk")))
    for emails, rows, _n in queued:
        assert rows == {e: final[e] for e in emails}  # every row of the address was committed with it
    # One digest each, with all of its rows.
    outcomes = reminder_digests_send(emails=addresses, now=at(date(2023, 5, 30), 9), kick=False)
    assert all(o.sent and o.reminders == final[o.email] for o in outcomes)
    assert Message.objects.filter(channel="email").count() == len(addresses)


@pytest.mark.django_db(transaction=True)
def test_a_tick_that_dies_after_a_part_is_done_again_by_the_next_without_a_second_digest(monkeypatch):
    from django.db.models import Count

    from tasks.services import reminders as reminder_services
    from tasks.services.reminders import reminder_digests_send
    from tasks.tasks import reminders_send_digests

    monkeypatch.setattr(reminder_services, "TICK_PARTS", 3)
    monkeypatch.setattr(reminder_services, "TICK_PART_MIN_ROWS", 1)
    _province_day()
    queued = []
    monkeypatch.setattr(reminders_send_digests, "delay", lambda emails: queued.append(list(emails)))
    real_claim = reminder_services._claim_runs

    def dies(**kwargs):
        raise RuntimeError("the worker was killed")

    monkeypatch.setattr(reminder_services, "_claim_runs", dies)
    now = at(date(2023, 5, 30), 9)
    with pytest.raises(RuntimeError):
        reminders_tick(now=now)
    first = [e for emails in queued for e in emails]
    committed = Reminder.objects.count()
    assert first and 0 < committed < 48 and not ReminderRun.objects.exists()  # the plans are not claimed
    reminder_digests_send(emails=first, now=now, kick=False)  # those digests went out meanwhile
    monkeypatch.setattr(reminder_services, "_claim_runs", real_claim)
    result = reminders_tick(now=at(date(2023, 5, 30), 9, 15))
    assert len(result.plan_ids) == 3 and result.created == 48 - committed and Reminder.objects.count() == 48
    reminder_digests_send(emails=result.emails, now=at(date(2023, 5, 30), 9, 15), kick=False)
    # Nobody lost, nobody twice: one digest per address over the two ticks, every row sent.
    per_address = dict(Message.objects.filter(channel="email").values_list("address").annotate(n=Count("pk")))
    assert set(per_address.values()) == {1} and len(per_address) == 16
    assert set(Reminder.objects.values_list("status", flat=True)) == {Reminder.Status.SENT}
