"""``manage.py send_reminders [--today] [--dry-run]``."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tasks.models import Reminder, ReminderRun, ReminderSettings
from tasks.tests.factories import PlanFactory, UnitFactory, WorkItemFactory, liaison_for

pytestmark = pytest.mark.django_db


SUMMARY = re.compile(r"^sent (\d+) emails to (\d+) recipients covering (\d+) items; (\d+) failed$")


def run(*args) -> list[str]:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=StringIO())
    return [line.rstrip() for line in out.getvalue().splitlines() if line.strip()]


@pytest.fixture
def plan():
    plan = PlanFactory()
    ReminderSettings.objects.create(plan=plan, monthly_enabled=False)
    lead = UnitFactory(region=plan.region, emails="a@x.cn")
    liaison_for(lead, email="l@x.cn")
    support = UnitFactory(region=plan.region, emails="s@x.cn")
    for day in (29, 30, 31):
        WorkItemFactory(plan=plan, deadline=date(2023, 5, day), due_date=date(2023, 5, day), lead=lead,
                        supporting=[support])
    return plan


def test_command_sends_and_ends_with_a_one_line_summary(plan, mailoutbox):
    lines = run("--today", "2023-05-26")
    assert lines[-1] == "sent 3 emails to 3 recipients covering 3 items; 0 failed"
    assert SUMMARY.match(lines[-1])
    assert len(mailoutbox) == 3
    assert run("--today", "2023-05-26")[-1] == "sent 0 emails to 0 recipients covering 0 items; 0 failed"
    assert ReminderRun.objects.filter(plan=plan, day=date(2023, 5, 26)).exists()


def test_dry_run_shows_what_would_go_out_and_writes_nothing(plan, mailoutbox):
    lines = run("--today", "2023-05-26", "--dry-run")
    assert lines[-1] == "dry run: would send 3 emails to 3 recipients covering 3 items; 0 failed"
    assert "  a@x.cn: 3 items (email)" in lines and "  email: 3 messages" in lines
    assert mailoutbox == []
    assert not Reminder.objects.exists() and not ReminderRun.objects.exists()


def test_dry_run_asks_the_same_number_of_queries_for_3_or_13_recipients(plan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run("--today", "2023-05-26", "--dry-run")  # warm what is cached per process
    with CaptureQueriesContext(connection) as few:
        run("--today", "2023-05-26", "--dry-run")
    for n in range(10):
        unit = UnitFactory(region=plan.region, emails=f"extra{n}@x.cn")
        WorkItemFactory(plan=plan, deadline=date(2023, 5, 30), due_date=date(2023, 5, 30), lead=unit)
    with CaptureQueriesContext(connection) as many:
        lines = run("--today", "2023-05-26", "--dry-run")
    assert lines[-1] == "dry run: would send 13 emails to 13 recipients covering 13 items; 0 failed"
    assert len(many) == len(few)


def test_command_on_a_day_off_sends_nothing(plan, mailoutbox):
    lines = run("--today", "2023-10-02")
    assert "not a working day" in lines[0]
    assert lines[-1] == "sent 0 emails to 0 recipients covering 0 items; 0 failed"
    assert mailoutbox == []


def test_command_rejects_a_bad_date():
    with pytest.raises(CommandError):
        run("--today", "26/05/2023")
