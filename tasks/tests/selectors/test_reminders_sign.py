"""签收 reminders: a sub-item not signed for within N working days is chased like a deadline, once per step."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from tasks.models import Reminder, ReminderSettings
from tasks.selectors.reminders import reminders_due
from tasks.services.breakdown import BreakdownPart, work_item_break_down, work_item_sign
from tasks.services.reminders import reminders_scan, reminders_send_pending
from tasks.tests.breakdown_setup import make_towns
from tasks.tests.daily_setup import make_world

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
K = Reminder.Kind
HANDED = date(2025, 6, 9)  # a Monday of an ordinary working week


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SH)


@pytest.fixture
def w():
    w = make_world(today=HANDED)
    w.towns = make_towns(w, names=("许村镇", "长安镇"))
    w.children = work_item_break_down(
        item=w.item, user=w.lead_user, at=at(HANDED),
        parts=[BreakdownPart(unit=t, due_date=w.item.due_date) for t in w.towns],
    )
    return w


def sign_reminders(day: date) -> list:
    return sorted((c.work_item_id, c.deadline, c.step, c.email) for c in reminders_due(today=day) if c.kind == K.SIGN)


def test_unsigned_sub_items_are_chased_the_working_day_after_n_working_days_to_their_own_unit(w):
    assert sign_reminders(date(2025, 6, 11)) == []  # Wednesday: the second working day, still in time
    work_item_sign(item=w.children[0], user=w.towns[0].liaison, at=at(date(2025, 6, 11)))
    chased = sign_reminders(date(2025, 6, 12))
    assert {c[0] for c in chased} == {w.children[1].pk}
    assert {c[3] for c in chased} >= {"town1@example.gov.cn"}
    assert {(c[1], c[2]) for c in chased} == {(date(2025, 6, 11), 0)}


def test_the_sign_chase_repeats_weekly_and_a_scan_twice_sends_one_email(w):
    for _ in range(2):
        reminders_scan(today=date(2025, 6, 12), now=at(date(2025, 6, 12)))
        reminders_send_pending(now=at(date(2025, 6, 12)), today=date(2025, 6, 12))
    to_town = [m for m in mail.outbox if "town0@example.gov.cn" in m.to]
    assert len(to_town) == 1
    assert "签收" in to_town[0].body and w.item.text in to_town[0].body
    assert Reminder.objects.filter(kind=K.SIGN, work_item=w.children[0], email="town0@example.gov.cn").count() == 1
    # A missed week is made up by window: the next scan a week later sends step 1, once.
    assert {c[2] for c in sign_reminders(date(2025, 6, 20))} == {1}


def test_the_number_of_working_days_is_a_plan_setting_and_the_chase_can_be_off(w):
    ReminderSettings.objects.create(plan=w.plan, sign_within_days=5)
    assert sign_reminders(date(2025, 6, 16)) == []  # Mon: 5th working day is 06-16
    assert len({c[0] for c in sign_reminders(date(2025, 6, 17))}) == 2
    ReminderSettings.objects.filter(plan=w.plan).update(sign_enabled=False)
    assert sign_reminders(date(2025, 6, 17)) == []


def test_signed_between_scan_and_send_the_chase_is_cancelled_not_sent(w):
    reminders_scan(today=date(2025, 6, 12), now=at(date(2025, 6, 12)))
    work_item_sign(item=w.children[0], user=w.towns[0].liaison, at=at(date(2025, 6, 12), 8))
    reminders_send_pending(now=at(date(2025, 6, 12)), today=date(2025, 6, 12))
    assert not [m for m in mail.outbox if "town0@example.gov.cn" in m.to]
    r = Reminder.objects.get(kind=K.SIGN, work_item=w.children[0], email="town0@example.gov.cn")
    assert r.status == Reminder.Status.CANCELLED and r.last_error == "事项已签收"


def test_a_supporting_unit_whose_part_is_done_is_not_reminded_of_the_item_any_more():
    from tasks.services.support import support_part_mark_done

    w = make_world(today=HANDED)
    ReminderSettings.objects.create(plan=w.plan, lead_times="20")
    day = date(2025, 6, 10)
    support_emails = {"support@example.gov.cn"}

    def supported(day):
        return {c.email for c in reminders_due(today=day) if c.work_item_id == w.item.pk} & support_emails

    assert supported(day) == support_emails
    support_part_mark_done(item=w.item, user=w.support_user, note="资金已拨付", at=at(day))
    assert supported(day) == set()
    assert "lead@example.gov.cn" in {c.email for c in reminders_due(today=day) if c.work_item_id == w.item.pk}
