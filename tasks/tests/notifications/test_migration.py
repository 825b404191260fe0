"""Migration 0020: digests emailed before the outbox become its sent email messages, with their history."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tasks.tests import databases

# Migrates: seconds from the kept copy of 0019's database (tasks.tests.databases), tens of seconds without it.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.usefixtures("latest_after")]
BEFORE = ("tasks", "0019_collective_parts")
AFTER = [("tasks", "0020_outbox_messages")]
T = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_sent_reminders_move_onto_the_outbox_one_message_per_digest():
    apps = databases.at_migration(connection, BEFORE)
    Region, Plan, WorkItem = (apps.get_model("tasks", m) for m in ("Region", "Plan", "WorkItem"))
    Reminder = apps.get_model("tasks", "Reminder")
    region = Region.objects.create(name="越城区")
    plan = Plan.objects.create(region=region, title="方案", slug="p", first_year=2026, last_year=2027)
    items = [WorkItem.objects.create(plan=plan, text=f"事项{i}", year=2026) for i in range(2)]
    digest = uuid.uuid4()
    common = {"kind": "overdue", "deadline": date(2026, 11, 1), "role": "lead", "scheduled_for": date(2026, 11, 30),
              "created_at": T}
    for it in items:
        Reminder.objects.create(work_item=it, step=0, email="a@yc.gov.cn", status="sent", sent_at=T, digest=digest,
                                attempts=2, **common)
    Reminder.objects.create(work_item=items[0], step=1, email="b@yc.gov.cn", status="failed", attempts=56, **common)

    apps = databases.migrate(connection, AFTER)
    Message = apps.get_model("tasks", "Message")
    (message,) = Message.objects.all()
    assert (message.key, message.channel, message.address, message.state) == (
        f"reminder:{digest}:email", "email", "a@yc.gov.cn", "sent")
    assert message.group == digest and message.sent_at == T and message.attempts == 2
    assert list(message.plans.values_list("pk", flat=True)) == [plan.pk]
