"""What the app asked of each unit per month (基层减负): each count on a small world, and its query count."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tasks.models import (
    Evidence,
    ProgressReport,
    Reminder,
    StatusChange,
    SupervisionNotice,
    Unit,
    WorkItem,
    WorkItemUnit,
)
from tasks.rules import burden
from tasks.selectors.burden import asks_by_unit_month, unit_asks, unit_asks_for_year
from tasks.tests.factories import PlanFactory, RegionFactory, UnitFactory, WorkItemFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
K = Reminder.Kind
R = Reminder.RecipientRole
MARCH, APRIL = (2026, 3), (2026, 4)


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


def sent(item, unit, kind, when, *, step=0, deadline=None, role=R.LEAD, emails=("a@x.cn",)):
    """A reminder sent to each of ``emails`` (one ask, however many addresses)."""
    for email in emails:
        Reminder.objects.create(
            work_item=item, kind=kind, deadline=deadline, step=step, email=email, role=role, unit=unit,
            scheduled_for=when.date(), status=Reminder.Status.SENT, sent_at=when, digest=uuid.uuid4(),
            created_at=when,
        )


def report(item, unit, when, kind=ProgressReport.Kind.PROGRESS, evidence=False, demanded=False):
    """A report as the service writes it; ``demanded``: a close request that had to carry evidence when made
    (``ProgressReport.evidence_demanded``, what the service records; ``tests/services`` hold it to the rule)."""
    r = ProgressReport.objects.create(work_item=item, unit=unit, kind=kind, note="进展", created_at=when,
                                      evidence_demanded=demanded)
    if evidence:
        Evidence.objects.create(report=r, file="evidence/x", original_name="验收.pdf",
                                content_type="application/pdf", size=1, sha256="0" * 64)
    return r


def notice(plan, unit, when):
    number = SupervisionNotice.objects.count() + 1
    return SupervisionNotice.objects.create(
        plan=plan, unit=unit, colour=SupervisionNotice.Colour.RED, status=SupervisionNotice.Status.ISSUED,
        requirement="限期办结", created_at=when, issued_at=when, year=when.year, number=number,
        doc_number=f"督〔{when.year}〕{number}号", reply_due=when.date(),
    )


@pytest.fixture
def world():
    region = RegionFactory()
    plan = PlanFactory(region=region, first_year=2026, last_year=2027, evidence_for_meeting_items=True)
    lead, support = UnitFactory(region=region, name="区建设局"), UnitFactory(region=region, name="区财政局")
    town = UnitFactory(region=region, name="马山街道", kind=Unit.Kind.TOWN)
    item = WorkItemFactory(plan=plan, year=2026, deadline=date(2026, 3, 20), lead=lead, supporting=[support])
    return plan, lead, support, town, item


def test_each_kind_of_ask_is_counted_once_per_unit_and_month(world):
    plan, lead, support, town, item = world
    # Reports requested: the item due in March (lead and supporting), a monthly request in March to two
    # addresses of the lead (one ask), and April's request after the lead had reported in April (asked twice).
    sent(item, lead, K.MONTHLY, at(3, 5), step=202603, emails=("a@x.cn", "b@x.cn"))
    report(item, lead, at(4, 3))
    sent(item, lead, K.MONTHLY, at(4, 5), step=202604)
    # Reminders: two due-soon steps; the close request of 18 March, then a manual chase (asked twice).
    sent(item, lead, K.DUE_SOON, at(3, 11), step=7, deadline=item.due_date)
    sent(item, lead, K.DUE_SOON, at(3, 17), step=3, deadline=item.due_date)
    report(item, lead, at(3, 18), kind=ProgressReport.Kind.CLOSE_REQUEST)
    StatusChange.objects.create(work_item=item, at=at(3, 18), from_status="in_progress",
                                to_status="awaiting_review")
    sent(item, lead, K.MANUAL, at(3, 25), step=20260325)
    # The supporting unit marked its part done on 10 March, and was chased after (asked twice).
    WorkItemUnit.objects.filter(work_item=item, unit=support).update(support_done_at=at(3, 10))
    sent(item, support, K.OVERDUE, at(3, 23), step=0, deadline=item.due_date, role=R.SUPPORT)
    # Escalations ask nothing of the unit.
    sent(item, lead, K.ESCALATE_LEADER, at(3, 25), deadline=item.due_date, role=R.LEADER)
    # 签收 chases: a part handed to the town, chased in week 0 and week 1, signed in between (asked twice).
    part = WorkItemFactory(plan=plan, year=2026, parent=item, deadline=None, due_date=None, lead=town,
                           status=WorkItem.Status.IN_PROGRESS, signed_at=at(3, 8), handed_at=at(2, 20))
    sent(part, town, K.SIGN, at(3, 2), step=0, deadline=date(2026, 2, 27))
    sent(part, town, K.SIGN, at(3, 9), step=1, deadline=date(2026, 2, 27))
    # 督办单: one issued to the lead in March; a draft is no ask.
    notice(plan, lead, at(3, 15))
    SupervisionNotice.objects.create(plan=plan, unit=lead, colour="red", requirement="草稿", created_at=at(3, 16))
    # Evidence: the plan requires it for meeting items only. A first close request with none on file is an
    # ask (two here); a resubmission with evidence on file is not; a plan item's close request is not.
    meeting = WorkItemFactory(plan=plan, year=2026, deadline=date(2026, 5, 30), lead=lead,
                              origin=WorkItem.Origin.MEETING)
    report(meeting, lead, at(3, 28), kind=ProgressReport.Kind.CLOSE_REQUEST, demanded=True)
    resubmitted = WorkItemFactory(plan=plan, year=2026, deadline=date(2026, 5, 30), lead=lead,
                                  origin=WorkItem.Origin.MEETING)
    report(resubmitted, lead, at(3, 1), kind=ProgressReport.Kind.CLOSE_REQUEST, evidence=True, demanded=True)
    report(resubmitted, lead, at(3, 29), kind=ProgressReport.Kind.CLOSE_REQUEST)

    counts = asks_by_unit_month(plan=plan, start=date(2026, 1, 1), end=date(2026, 12, 31))
    zero = dict.fromkeys(burden.COUNTS, 0)
    assert counts[(lead.pk, MARCH)] == {**zero, "reports_requested": 2, "reminders": 3, "notices": 1,
                                        "evidence_demanded": 2, "asked_twice": 1}
    assert counts[(lead.pk, APRIL)] == {**zero, "reports_requested": 1, "asked_twice": 1}
    assert counts[(support.pk, MARCH)] == {**zero, "reports_requested": 1, "reminders": 1, "asked_twice": 1}
    assert counts[(town.pk, MARCH)] == {**zero, "sign_chases": 2, "asked_twice": 1}
    assert (lead.pk, (2026, 5)) in counts  # the meeting items fall due in May: two reports requested
    assert counts[(lead.pk, (2026, 5))]["reports_requested"] == 2

    rows = unit_asks(plan=plan, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert [(r["unit"], r["month"], r["total"]) for r in rows] == [
        ("区建设局", date(2026, 3, 1), 8), ("区财政局", date(2026, 3, 1), 2), ("马山街道", date(2026, 3, 1), 2)]
    assert [r["unit"] for r in unit_asks(plan=plan, start=date(2026, 3, 1), end=date(2026, 3, 31),
                                         unit_ids=[support.pk])] == ["区财政局"]

    year = {r["unit"]: r for r in unit_asks_for_year(plan=plan, year=2026)}
    assert year["区建设局"]["total"] == 8 + 1 + 2 and year["区建设局"]["asked_twice"] == 2
    assert year["区建设局"]["months"][2:5] == [8, 1, 2]
    assert year["马山街道"]["months"][2] == 2


def test_a_month_is_the_month_in_china(world):
    plan, lead, _support, _town, item = world
    # 31 March 20:00 UTC is 1 April 04:00 in Shanghai: an April ask.
    sent(item, lead, K.MANUAL, datetime(2026, 3, 31, 20, tzinfo=ZoneInfo("UTC")), step=20260401)
    counts = asks_by_unit_month(plan=plan, start=date(2026, 4, 1), end=date(2026, 4, 30))
    assert counts[(lead.pk, APRIL)]["reminders"] == 1


def test_a_part_waived_by_its_deadline_asks_nothing_and_one_waived_later_stays_asked(world):
    """A part the coordinator waived (已豁免) by its deadline is counted nowhere (no roundup counts it due): its
    month asked the town for no report (it used to count as one, as only 历史留档 was left out). A part waived after
    it fell due had been asked for: that month stays as it was, what was asked stays as asked."""
    plan, _lead, _support, town, item = world
    early = WorkItemFactory(plan=plan, year=2026, parent=item, deadline=date(2026, 3, 20), lead=town,
                            status=WorkItem.Status.WAIVED)
    StatusChange.objects.create(work_item=early, at=at(3, 20, 23), from_status="in_progress", to_status="waived")
    late = WorkItemFactory(plan=plan, year=2026, parent=item, deadline=date(2026, 3, 25), lead=town,
                           status=WorkItem.Status.WAIVED)
    StatusChange.objects.create(work_item=late, at=at(4, 2), from_status="in_progress", to_status="waived")
    counts = asks_by_unit_month(plan=plan, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert counts[(town.pk, MARCH)]["reports_requested"] == 1  # the one waived on 2 April, after its deadline
    WorkItem.objects.filter(pk=late.pk).update(status=WorkItem.Status.HISTORY)
    assert (town.pk, MARCH) not in asks_by_unit_month(plan=plan, start=date(2026, 3, 1), end=date(2026, 3, 31))


def test_a_unit_whose_items_moved_away_keeps_what_it_was_asked(world):
    """Reminded and sent a 督办单 in March, then its item was moved to another unit: the plan no longer holds it
    accountable, but what it was asked stays on the burden page and in the year's appendix (both used to list
    only the units the plan holds accountable now, so its asks vanished)."""
    plan, lead, _support, _town, item = world
    sent(item, lead, K.OVERDUE, at(3, 23), step=0, deadline=item.due_date)
    notice(plan, lead, at(3, 24))
    other = UnitFactory(region=plan.region, name="区住保中心")
    WorkItemUnit.objects.filter(work_item=item, unit=lead).update(unit=other)
    WorkItem.objects.filter(plan=plan).exclude(pk=item.pk).delete()  # nothing else of the plan is the lead's

    rows = {r["unit"]: r for r in unit_asks(plan=plan, start=date(2026, 3, 1), end=date(2026, 3, 31))}
    assert (rows["区建设局"]["reminders"], rows["区建设局"]["notices"], rows["区建设局"]["total"]) == (1, 1, 2)
    assert rows["区住保中心"]["reports_requested"] == 1  # the item due in March is now asked of it
    year = {r["unit"]: r for r in unit_asks_for_year(plan=plan, year=2026)}
    assert year["区建设局"]["total"] == 2 and year["区建设局"]["months"][2] == 2


def _units_with_asks(plan, region, n: int) -> None:
    for i in range(n):
        unit = UnitFactory(region=region, name=f"单位{i:02d}")
        item = WorkItemFactory(plan=plan, year=2026, deadline=date(2026, 3, 20), lead=unit,
                               origin=WorkItem.Origin.MEETING)
        sent(item, unit, K.MONTHLY, at(3, 5), step=202603)
        sent(item, unit, K.DUE_SOON, at(3, 13), step=7, deadline=item.due_date)
        report(item, unit, at(3, 18), kind=ProgressReport.Kind.CLOSE_REQUEST, demanded=True)
        notice(plan, unit, at(3, 15))


@pytest.mark.parametrize("n", [2, 12])
def test_the_queries_do_not_grow_with_the_units(n, django_assert_num_queries):
    region = RegionFactory()
    plan = PlanFactory(region=region, first_year=2026, last_year=2027, evidence_for_meeting_items=True)
    _units_with_asks(plan, region, n)
    # Items due, reminders, 督办单, close requests needing evidence, and the units' names; on PostgreSQL the
    # page's read also turns JIT off (``without_jit``).
    with django_assert_num_queries(5 + (connection.vendor == "postgresql")):
        rows = unit_asks(plan=plan, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert len(rows) == n and all(r["total"] == 5 for r in rows)
    with django_assert_num_queries(5):
        assert len(unit_asks_for_year(plan=plan, year=2026)) == n


def _messages(group=None, notice=None, *states):
    """Outbox rows of one ask (a reminder digest's ``group`` or a 督办单): ``(channel, state)`` each."""
    from tasks.models import Message

    for n, (channel, state) in enumerate(states):
        Message.objects.create(
            key=f"{group or notice.pk}-{n}-{uuid.uuid4()}", purpose="reminder_digest", channel=channel,
            address="x", subject="s", body="b", state=state, queued_at=at(3, 1), group=group, notice=notice,
            sent_at=at(3, 1) if state in ("sent", "delivered") else None)


def test_an_ask_counts_when_it_reached_the_unit_and_one_that_never_did_is_shown_apart(world):
    """A reminder or 督办单 queued in the outbox counted as asked even when every message of it failed or was
    given up. Now it counts when one of its messages reached a person of the unit (delivered, or sent on a
    channel with no delivery report); one that reached nobody is ``undelivered``, outside the total; one still
    on its way counts for neither yet. The same rule for the coordinator's page (``unit_asks``), its CSV (the
    same rows) and the assessment's appendix (``unit_asks_for_year``)."""
    from tasks.models import Message

    plan, lead, support, town, item = world
    S = Message.State

    def reminder(step, email, *states):
        sent(item, lead, K.DUE_SOON, at(3, 10), step=step, deadline=item.due_date, emails=(email,))
        digest = Reminder.objects.get(step=step, email=email).digest
        _messages(digest, None, *states)

    # Step 7: one address gave up, the other's e-mail went out (email reports no delivery): reached.
    reminder(7, "a@x.cn", ("email", S.GAVE_UP))
    reminder(7, "b@x.cn", ("email", S.SENT))
    # Step 5: e-mail failed, its SMS fallback gave up: undelivered.
    reminder(5, "a@x.cn", ("email", S.FAILED), ("sms", S.GAVE_UP))
    # Step 3: a DingTalk work notice sent, its delivery report not in yet: on its way, neither yet.
    reminder(3, "a@x.cn", ("dingtalk", S.SENT))
    # Step 1: DingTalk reports it delivered: reached.
    reminder(1, "a@x.cn", ("dingtalk", S.DELIVERED))
    # A monthly request to the supporting unit that was given up: undelivered, not a report requested.
    sent(item, support, K.MONTHLY, at(3, 5), step=202603, role=R.SUPPORT)
    _messages(Reminder.objects.get(kind=K.MONTHLY).digest, None, ("zzd", S.GAVE_UP))
    # 督办单: one delivered, one whose every message failed.
    _messages(None, notice(plan, lead, at(3, 15)), ("email", S.DELIVERED))
    _messages(None, notice(plan, lead, at(3, 16)), ("email", S.FAILED), ("dingtalk", S.GAVE_UP))

    counts = asks_by_unit_month(plan=plan, start=date(2026, 1, 1), end=date(2026, 12, 31))
    zero = dict.fromkeys(burden.COUNTS, 0)
    assert counts[(lead.pk, MARCH)] == {**zero, "reports_requested": 1, "reminders": 2, "notices": 1,
                                        "undelivered": 2}
    assert counts[(support.pk, MARCH)] == {**zero, "reports_requested": 1, "undelivered": 1}
    page = {r["unit"]: r for r in unit_asks(plan=plan, start=date(2026, 3, 1), end=date(2026, 3, 31))}
    assert (page["区建设局"]["total"], page["区建设局"]["undelivered"]) == (4, 2)
    year = {r["unit"]: r for r in unit_asks_for_year(plan=plan, year=2026)}
    assert (year["区建设局"]["total"], year["区建设局"]["undelivered"], year["区建设局"]["months"][2]) == (4, 2, 4)
    assert (year["区财政局"]["total"], year["区财政局"]["undelivered"]) == (1, 1)


def test_ask_fate_rule():
    assert burden.ask_fate(messages=0, reached=0, in_flight=0) == burden.REACHED  # before the outbox, or on paper
    assert burden.ask_fate(messages=3, reached=1, in_flight=1) == burden.REACHED
    assert burden.ask_fate(messages=2, reached=0, in_flight=1) == burden.PENDING
    assert burden.ask_fate(messages=2, reached=0, in_flight=0) == burden.FAILED
