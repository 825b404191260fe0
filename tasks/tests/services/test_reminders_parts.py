"""Supporting units are chased on their own parts (配合), and one digest per person per day (issue 31)."""

from collections import Counter
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from tasks.models import Reminder, ReminderSettings, WorkItem
from tasks.rules.support import part_is_chased
from tasks.services.reminders import reminders_scan, reminders_send_pending, reminders_tick
from tasks.services.workflow import work_item_transition
from tasks.tests.factories import PlanFactory, RegionFactory, UnitFactory, UserFactory, WorkItemFactory, liaison_for

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
K = Reminder.Kind
R = Reminder.RecipientRole


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SH)


def morning(day: date):
    reminders_scan(today=day, now=at(day))
    return reminders_send_pending(now=at(day), today=day)


def recipients_of(messages) -> list[str]:
    return sorted(m.to[0] for m in messages)


@pytest.fixture
def world():
    region = RegionFactory()
    plan = PlanFactory(region=region, title="越城区住有宜居实施方案")
    lead = UnitFactory(region=region, name="区建设局", emails="jsj@yc.gov.cn", leader_email="jsj-leader@yc.gov.cn")
    support = UnitFactory(region=region, name="区财政局", emails="czj@yc.gov.cn", leader_email="czj-leader@yc.gov.cn")
    other = UnitFactory(region=region, name="区自然资源局", emails="zrj@yc.gov.cn")
    coordinator = UserFactory(username="coord", email="coord@yc.gov.cn")
    plan.coordinators.add(coordinator)
    ReminderSettings.objects.create(plan=plan, monthly_enabled=False)
    return {"plan": plan, "lead": lead, "support": support, "other": other, "coordinator": coordinator}


def item(world, due: date, supporting=None):
    return WorkItemFactory(plan=world["plan"], deadline=due, due_date=due, lead=world["lead"],
                           supporting=supporting or [world["support"], world["other"]], year=due.year)


def mark_done(it, unit, day: date):
    it.assignments.filter(unit=unit).update(support_done_at=at(day))


def test_the_rule_chases_a_part_until_it_is_marked_done_or_the_item_closed():
    assert part_is_chased(item_status="in_progress", done=False)
    assert part_is_chased(item_status="awaiting_review", done=False)  # the lead's close request leaves the part
    assert not part_is_chased(item_status="in_progress", done=True)
    assert not part_is_chased(item_status="done", done=False)  # closed: recorded missing, not chased for years
    assert not part_is_chased(item_status="waived", done=False)


def test_an_open_part_is_chased_overdue_weekly_and_escalated_like_the_lead(world):
    it = item(world, date(2023, 6, 9))  # Friday
    mark_done(it, world["other"], date(2023, 6, 1))  # 区自然资源局 is done: never chased again
    morning(date(2023, 6, 12))  # first working day after
    assert recipients_of(mail.outbox) == ["coord@yc.gov.cn", "czj@yc.gov.cn", "jsj@yc.gov.cn"]
    czj = next(m for m in mail.outbox if m.to == ["czj@yc.gov.cn"])
    assert "区财政局的配合部分已逾期 3 天，完成后请确认配合到位" in czj.body
    rows = Reminder.objects.filter(email="czj@yc.gov.cn")
    assert list(rows.values_list("kind", "step", "role", "unit")) == [(K.OVERDUE, 0, R.SUPPORT, world["support"].pk)]
    mail.outbox = []
    morning(date(2023, 6, 19))  # a week later
    assert recipients_of(mail.outbox) == ["czj@yc.gov.cn", "jsj@yc.gov.cn"]
    mail.outbox = []
    morning(date(2023, 6, 21))  # 9 June + 14 days falls in 端午 (22-24 June): the working day before
    assert recipients_of(mail.outbox) == ["czj-leader@yc.gov.cn", "jsj-leader@yc.gov.cn"]
    assert not Reminder.objects.filter(email="zrj@yc.gov.cn").exists()


def test_a_part_marked_done_between_scan_and_send_is_cancelled_and_the_lead_still_chased(world):
    it = item(world, date(2023, 6, 9))
    reminders_scan(today=date(2023, 6, 12), now=at(date(2023, 6, 12)))
    mark_done(it, world["support"], date(2023, 6, 12))
    reminders_send_pending(now=at(date(2023, 6, 12)), today=date(2023, 6, 12))
    assert "czj@yc.gov.cn" not in recipients_of(mail.outbox) and "jsj@yc.gov.cn" in recipients_of(mail.outbox)
    row = Reminder.objects.get(email="czj@yc.gov.cn")
    assert row.status == Reminder.Status.CANCELLED and row.last_error == "配合单位已确认配合到位"


def test_the_lead_awaiting_review_leaves_the_open_parts_chased_a_closed_item_chases_no_one(world):
    it = item(world, date(2023, 6, 9))
    work_item_transition(item=it, to_status=WorkItem.Status.AWAITING_REVIEW)
    morning(date(2023, 6, 12))
    assert recipients_of(mail.outbox) == ["coord@yc.gov.cn", "czj@yc.gov.cn", "zrj@yc.gov.cn"]
    work_item_transition(item=it, to_status=WorkItem.Status.DONE, at=at(date(2023, 6, 13)))
    waived = item(world, date(2023, 6, 9))
    WorkItem.objects.filter(pk=waived.pk).update(status=WorkItem.Status.WAIVED)
    mail.outbox = []
    morning(date(2023, 6, 19))
    assert mail.outbox == []
    assert not Reminder.objects.filter(work_item=waived).exists()
    assert not Reminder.objects.filter(work_item=it, scheduled_for__gt=date(2023, 6, 12)).exists()


def test_a_part_pending_when_the_item_is_closed_is_cancelled_not_sent(world):
    it = item(world, date(2023, 6, 9))
    work_item_transition(item=it, to_status=WorkItem.Status.AWAITING_REVIEW)
    reminders_scan(today=date(2023, 6, 12), now=at(date(2023, 6, 12)))
    work_item_transition(item=it, to_status=WorkItem.Status.DONE, at=at(date(2023, 6, 12), 8))
    reminders_send_pending(now=at(date(2023, 6, 12)), today=date(2023, 6, 12))
    assert mail.outbox == []
    assert set(Reminder.objects.values_list("status", "last_error")) == {(Reminder.Status.CANCELLED, "事项已办结")}


def test_the_plan_setting_turns_the_chase_of_parts_off(world):
    ReminderSettings.objects.filter(plan=world["plan"]).update(notify_supporting=False)
    item(world, date(2023, 6, 9))
    for day in (date(2023, 5, 31), date(2023, 6, 12), date(2023, 6, 21)):
        morning(day)
    assert not Reminder.objects.filter(role=R.SUPPORT).exists()
    assert not Reminder.objects.filter(email__in=["czj@yc.gov.cn", "czj-leader@yc.gov.cn", "zrj@yc.gov.cn"]).exists()
    assert Reminder.objects.filter(email="jsj@yc.gov.cn", kind=K.OVERDUE).exists()


# ---------------------------------------------------------------- one digest per person per day


def test_one_digest_per_person_per_day_across_plans_and_roles_at_the_earliest_send_time(world):
    """张三 is 区财政局's liaison in the 08:30 plan and coordinates a 10:00 plan; 李四 is only in the 10:00 plan."""
    zhang = liaison_for(world["support"], username="zhang", email="zhang@yc.gov.cn")
    late_plan = PlanFactory(region=world["plan"].region)
    late_plan.coordinators.add(zhang)
    ReminderSettings.objects.create(plan=late_plan, monthly_enabled=False, send_time=time(10, 0))
    ReminderSettings.objects.filter(plan=world["plan"]).update(send_time=time(8, 30))
    li_unit = UnitFactory(region=late_plan.region, name="区民政局", emails="li@yc.gov.cn")
    day = date(2023, 6, 12)
    item(world, date(2023, 6, 9))  # 区财政局 supports: zhang's overdue part in the 08:30 plan
    WorkItemFactory(plan=late_plan, deadline=date(2023, 6, 9), due_date=date(2023, 6, 9), lead=li_unit,
                    year=2023)  # overdue in the 10:00 plan: li is chased, zhang (coordinator) escalated

    def tick(hour: int, minute: int):
        result = reminders_tick(now=at(day, hour, minute))
        reminders_send_pending(now=at(day, hour, minute), today=day)
        return result

    assert tick(8, 15).plan_ids == []
    first = tick(8, 30)
    assert sorted(first.plan_ids) == sorted([world["plan"].pk, late_plan.pk])
    zhang_mail = [m for m in mail.outbox if m.to == ["zhang@yc.gov.cn"]]
    assert len(zhang_mail) == 1  # both plans, both roles, at 08:30
    assert world["plan"].title in zhang_mail[0].body and late_plan.title in zhang_mail[0].body
    assert "li@yc.gov.cn" not in recipients_of(mail.outbox)  # the 10:00 plan only: held until 10:00
    tick(9, 45)
    assert "li@yc.gov.cn" not in recipients_of(mail.outbox)
    tick(10, 0)
    assert recipients_of(mail.outbox).count("li@yc.gov.cn") == 1
    for hour in (10, 11, 15):
        tick(hour, 15)
    assert Counter(m.to[0] for m in mail.outbox)["zhang@yc.gov.cn"] == 1  # never twice
    assert not Reminder.objects.filter(status=Reminder.Status.PENDING).exists()  # never dropped
    assert len(set(Reminder.objects.filter(email="zhang@yc.gov.cn").values_list("digest", flat=True))) == 1


def test_composing_digests_builds_no_reminder_item_or_plan_instance_per_row(django_capture_on_commit_callbacks):
    """The due rows are read as values (``_digest_rows``): three model instances per row were a tenth of a
    digest task's time on a province's reminder day."""
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from django.db.models.signals import pre_init

    from tasks.models import Plan, Reminder, ReminderSettings, WorkItem
    from tasks.services.reminders import reminder_digests_send, reminders_tick
    from tasks.tests.factories import PlanFactory, UnitFactory, WorkItemFactory

    plan = PlanFactory()
    ReminderSettings.objects.create(plan=plan, monthly_enabled=False, send_time=time(8, 30))
    unit = UnitFactory(region=plan.region, emails="a@x.cn, b@x.cn")
    for day in (30, 31):
        WorkItemFactory(plan=plan, deadline=date(2023, 5, day), due_date=date(2023, 5, day), lead=unit)
    now = datetime(2023, 5, 30, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    with django_capture_on_commit_callbacks():
        emails = reminders_tick(now=now).emails
    built = []

    def count(sender, **kwargs):
        built.append(sender.__name__)

    for model in (Reminder, WorkItem, Plan):
        pre_init.connect(count, sender=model)
    try:
        with django_capture_on_commit_callbacks():
            outcomes = reminder_digests_send(emails=emails, now=now, kick=False)
    finally:
        for model in (Reminder, WorkItem, Plan):
            pre_init.disconnect(count, sender=model)
    assert [o.reminders for o in outcomes] == [2, 2] and all(o.sent for o in outcomes)
    assert built == []
