"""Migration 0022: roundups' delivery records and 督办单's ``emailed_at`` become the outbox's messages, with
their history; backwards, the records are rebuilt from the messages."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tasks.tests import databases

# Migrates: seconds from the kept copy of 0022's database (tasks.tests.databases), tens of seconds without it.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.usefixtures("latest_after")]
BEFORE = ("tasks", "0022_roster")
AFTER = [("tasks", "0023_outbox_documents")]
T = datetime(2026, 7, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SENT = datetime(2026, 7, 3, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_deliveries_and_emailed_notices_move_onto_the_outbox_and_back():
    apps = databases.at_migration(connection, BEFORE)
    Region, Plan, Unit = (apps.get_model("tasks", m) for m in ("Region", "Plan", "Unit"))
    Roundup, Delivery, Notice = (apps.get_model("tasks", m) for m in ("Roundup", "RoundupDelivery",
                                                                       "SupervisionNotice"))
    region = Region.objects.create(name="越城区")
    plan = Plan.objects.create(region=region, title="方案", slug="p", first_year=2026, last_year=2027)
    unit = Unit.objects.create(region=region, name="区建设局", emails="js1@yc.gov.cn，JS2@yc.gov.cn",
                               leader_email="wang@yc.gov.cn")
    roundup = Roundup.objects.create(plan=plan, kind="month", period_start=date(2026, 6, 1),
                                     period_end=date(2026, 6, 30), status="published", data={}, generated_at=T,
                                     published_at=T)
    Delivery.objects.create(roundup=roundup, email="a@yc.gov.cn", status="sent", sent_at=SENT, attempts=2)
    Delivery.objects.create(roundup=roundup, email="b@yc.gov.cn", status="failed", attempts=8, error="550 no such")
    Delivery.objects.create(roundup=roundup, email="c@yc.gov.cn", status="pending")
    common = {"plan": plan, "unit": unit, "colour": "red", "status": "issued", "year": 2026,
              "requirement": "请整改", "reply_due": date(2026, 7, 10), "created_at": T, "issued_at": T}
    emailed = Notice.objects.create(number=1, doc_number="督办〔2026〕1号", emailed_at=SENT, **common)
    Notice.objects.create(number=2, doc_number="督办〔2026〕2号", **common)  # not emailed: nothing to move

    apps = databases.migrate(connection, AFTER)
    Message, Delivery = apps.get_model("tasks", "Message"), apps.get_model("tasks", "RoundupDelivery")
    sent = Message.objects.get(address="a@yc.gov.cn")
    a = Delivery.objects.get(email="a@yc.gov.cn")
    assert (sent.key, sent.state, sent.sent_at, sent.attempts, sent.roundup_id, sent.purpose) == (
        f"roundup:{a.group}:email", "sent", SENT, 2, roundup.pk, "roundup")
    assert sent.group == a.group and list(sent.plans.values_list("pk", flat=True)) == [plan.pk]
    failed = Message.objects.get(address="b@yc.gov.cn")
    assert (failed.state, failed.attempts, failed.last_error) == ("failed", 8, "550 no such")
    # Not sent: no group, so the roundup's next delivery run queues them through the outbox.
    assert set(Delivery.objects.filter(group__isnull=True).values_list("email", flat=True)) == {
        "b@yc.gov.cn", "c@yc.gov.cn"}
    notice_rows = Message.objects.filter(notice_id=emailed.pk).order_by("address")
    assert [(m.address, m.state, m.sent_at, m.key) for m in notice_rows] == [
        ("JS2@yc.gov.cn", "sent", SENT, f"notice:{emailed.pk}:js2@yc.gov.cn:email"),  # notice_send's keys
        ("js1@yc.gov.cn", "sent", SENT, f"notice:{emailed.pk}:js1@yc.gov.cn:email"),
        ("wang@yc.gov.cn", "sent", SENT, f"notice:{emailed.pk}:wang@yc.gov.cn:email"),
    ]
    assert notice_rows[0].group == uuid.uuid5(uuid.NAMESPACE_URL, f"notice:{emailed.pk}:js2@yc.gov.cn")
    assert Message.objects.count() == 5

    apps = databases.migrate(connection, [BEFORE])
    Delivery, Notice = apps.get_model("tasks", "RoundupDelivery"), apps.get_model("tasks", "SupervisionNotice")
    back = {d.email: (d.status, d.sent_at, d.attempts) for d in Delivery.objects.all()}
    assert back["a@yc.gov.cn"] == ("sent", SENT, 2)
    assert Notice.objects.get(pk=emailed.pk).emailed_at == SENT
    assert not apps.get_model("tasks", "Message").objects.exists()
