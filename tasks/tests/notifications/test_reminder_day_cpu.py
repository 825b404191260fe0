"""The reminder day's CPU savings keep what they replace (session 21, issue 31's ``reminders_delivered``).

* a link's token is made without Django's signer objects, and is the token ``signing.dumps`` makes;
* the scan asks for the stages of a deadline once per schedule, not once per plan;
* a Celery worker process freezes the objects of its start out of the garbage collector's reach;
* the outbox's texts are compressed with LZ4 on PostgreSQL.
"""

from __future__ import annotations

import gc
from datetime import date, datetime
from unittest import mock

import pytest
from django.core import signing
from django.db import connection

from tasks.models import ReminderSettings
from tasks.notifications import links
from tasks.selectors import reminders as reminder_selectors
from tasks.tests.factories import PlanFactory, RegionFactory, UnitFactory, WorkItemFactory


@pytest.mark.parametrize("purpose", sorted(links.TARGETS))
@pytest.mark.parametrize("pk", [1, 42, 987_654_321, 2**62])
def test_a_token_is_the_one_django_signs_and_reads_back(purpose, pk, settings):
    settings.SECRET_KEY = "a-key-for-this-test-only-0123456789-abcdefghijklmnop"
    with mock.patch("time.time", return_value=1_796_000_000.7):
        made = links.link_token(purpose=purpose, pk=pk)
        assert made == signing.dumps([purpose, pk], salt=links.SALT)
    assert links.link_read(made, max_age_days=100_000) == links.Link(purpose=purpose, pk=pk)


def test_a_token_is_made_without_a_signer_object_and_follows_the_secret_key(settings):
    with mock.patch.object(signing, "TimestampSigner", side_effect=AssertionError("a signer per token")):
        first = links.link_token(purpose="item", pk=7)
        settings.SECRET_KEY = "another-key-for-this-test-only-0123456789-abcdefghijkl"
        second = links.link_token(purpose="item", pk=7)
    assert first.rsplit(":", 1)[1] != second.rsplit(":", 1)[1]  # signed with the key in force
    with pytest.raises(links.LinkError):
        settings.SECRET_KEY = "a-third-key-for-this-test-only-0123456789-abcdefghijk"
        links.link_read(second)


def test_an_unknown_purpose_is_refused():
    with pytest.raises(ValueError):
        links.link_token(purpose="login", pk=1)


@pytest.mark.django_db
def test_the_scan_asks_for_a_deadlines_stages_once_per_schedule_not_per_plan():
    region = RegionFactory()
    unit = UnitFactory(region=region, emails="lead@yc.gov.cn")
    due = date(2026, 12, 9)
    items = []
    for lead_times in ("7,3,1", "7,3,1", "7,3,1", "5,1"):  # the last plan has a schedule of its own
        plan = PlanFactory(region=region)
        ReminderSettings.objects.create(plan=plan, monthly_enabled=False, lead_times=lead_times)
        items.append(WorkItemFactory(plan=plan, deadline=due, due_date=due, lead=unit, supporting=[], year=due.year))
    calls = []
    real = reminder_selectors.deadline_stages

    def counted(**kwargs):
        calls.append(kwargs["schedule"])
        return real(**kwargs)

    with mock.patch.object(reminder_selectors, "deadline_stages", counted):
        due_rows = reminder_selectors.reminders_due(today=date(2026, 12, 7))
    assert len(calls) == 2 and calls[0] != calls[1]
    assert {c.work_item_id for c in due_rows} == {i.pk for i in items}


def test_a_worker_process_freezes_the_objects_of_its_start():
    from celery.signals import worker_process_init

    from housing.celery import freeze_startup_objects

    assert any(getattr(r, "__name__", "") == "freeze_startup_objects" for _key, r in
               [(k, ref()) for k, ref in worker_process_init.receivers])
    try:
        freeze_startup_objects()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.django_db
def test_the_outbox_texts_are_compressed_with_lz4_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's column compression")
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'tasks_message'::regclass "
                       "AND attname IN ('body', 'html', 'payload')")
        assert dict(cursor.fetchall()) == {"body": "l", "html": "l", "payload": "l"}


def test_a_dicts_keys_are_read_without_trying_an_attribute_first_and_its_methods_still_found():
    from jinja2 import Environment, Undefined

    from tasks.notifications.rendering import DigestEnvironment

    env, plain = DigestEnvironment(), Environment()
    row = {"text": "事项", "items": [1, 2], "keys": "a key named as a method"}
    with mock.patch("builtins.getattr", side_effect=AssertionError("getattr on a dict's key")):
        assert env.getattr(row, "text") == "事项"
    for name in ("text", "items", "keys", "get", "missing"):
        mine, theirs = env.getattr(row, name), plain.getattr(row, name)
        assert type(mine) is type(theirs) and (isinstance(mine, Undefined) or mine == theirs)
    source = "{{ r.text }}|{{ r['items']|length }}|{{ r.items()|list|length }}|{{ r.missing is undefined }}"
    assert env.from_string(source).render(r=row) == plain.from_string(source).render(r=row) == "事项|2|3|True"


def test_the_digest_templates_are_looked_up_once_per_process(settings):
    from django.template import engines

    from tasks.notifications.rendering import render

    env = engines["jinja2"].env
    if env.auto_reload:
        pytest.skip("templates reloaded when changed (DEBUG)")
    render("tasks/notifications/reminder_digest_sms.txt", {})
    with mock.patch.object(env, "get_template", side_effect=AssertionError("looked up again")):
        assert render("tasks/notifications/reminder_digest_sms.txt", {}) is not None


@pytest.mark.django_db
def test_queuing_builds_no_model_instance_per_message_or_plan_link_on_postgresql():
    import uuid

    from django.db.models.signals import pre_init
    from django.utils import timezone

    from tasks.models import Message
    from tasks.notifications.services import MessageSpec, messages_queue

    if connection.vendor != "postgresql":
        pytest.skip("the one-statement insert is PostgreSQL's")
    plans = [PlanFactory(), PlanFactory()]
    group = uuid.uuid4()
    specs = [MessageSpec(key=f"t:{i}:{channel}", purpose=Message.Purpose.REMINDER_DIGEST, channel=channel,
                         address=f"p{i}@yc.gov.cn" if channel == "email" else f"p{i}", subject="提醒", body="正文",
                         plan_ids=tuple(p.pk for p in plans), group=group if i == 0 else None)
             for i in range(3) for channel in ("dingtalk", "email")]
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    pre_init.connect(count)
    try:
        assert messages_queue(specs=specs, now=timezone.now(), kick=False) == 6
    finally:
        pre_init.disconnect(count)
    assert Message not in built and Message.plans.through not in built
    assert Message.plans.through.objects.count() == 12
    assert messages_queue(specs=specs, kick=False) == 0  # queued once
    assert Message.plans.through.objects.count() == 12
    assert set(Message.objects.get(key="t:1:email").plans.all()) == set(plans)
    fallback = MessageSpec(key="t:0:sms", purpose=Message.Purpose.REMINDER_DIGEST, channel="sms", address="138",
                           subject="提醒", body="正文", group=group, fallback_for="dingtalk")
    assert messages_queue(specs=[fallback], kick=False) == 1
    assert Message.objects.get(key="t:0:sms").fallback_for == Message.objects.get(key="t:0:dingtalk")


@pytest.mark.django_db
def test_a_lots_signer_makes_the_links_signed_url_makes():
    sign = links.url_signer()
    with mock.patch("time.time", return_value=1_796_000_000.2):
        assert sign("sign", 12) == links.signed_url(purpose="sign", pk=12)
        assert sign("item", 13) == links.signed_url(purpose="item", pk=13)


@pytest.mark.parametrize("text", ["", "一行", "a\nb\n", "a\r\nb\rc\n\n", "<p>\n  中文\n</p>\n" * 50, "\r", "\n\r\n"])
def test_line_endings_become_crlf_as_the_regular_expression_made_them(text):
    from tasks.notifications.channels import mime

    assert mime._crlf(text) == mime._NEWLINES.sub("\r\n", text)
    if "\r" not in text:
        with mock.patch.object(mime, "_NEWLINES", mock.Mock(sub=mock.Mock(side_effect=AssertionError("regex")))):
            assert mime._crlf(text) == text.replace("\n", "\r\n")


@pytest.mark.django_db
def test_the_scan_reads_items_unordered_and_their_units_by_the_ids_read():
    from django.test.utils import CaptureQueriesContext

    region = RegionFactory()
    unit, other = UnitFactory(region=region, emails="lead@yc.gov.cn"), UnitFactory(region=region, emails="s@yc.gov.cn")
    plan = PlanFactory(region=region)
    ReminderSettings.objects.create(plan=plan, monthly_enabled=False)
    due = date(2026, 12, 9)
    item = WorkItemFactory(plan=plan, deadline=due, due_date=due, lead=unit, supporting=[other], year=due.year)
    with CaptureQueriesContext(connection) as queries:
        rows = reminder_selectors.reminders_due(today=date(2026, 12, 7))
    assert {(r.work_item_id, r.email) for r in rows} == {(item.pk, "lead@yc.gov.cn"), (item.pk, "s@yc.gov.cn")}
    items_sql = next(q["sql"] for q in queries.captured_queries if 'FROM "tasks_workitem"' in q["sql"])
    units_sql = next(q["sql"] for q in queries.captured_queries if 'FROM "tasks_workitemunit"' in q["sql"])
    assert "ORDER BY" not in items_sql and '"tasks_region"' not in items_sql
    if connection.vendor == "postgresql":
        assert 'FROM "tasks_workitem"' not in units_sql.split('FROM "tasks_workitemunit"', 1)[1]


class _CountedMoment(datetime):
    """A moment that counts how often it is written out (``isoformat``)."""

    written = 0

    def isoformat(self, *args, **kwargs):
        type(self).written += 1
        return super().isoformat(*args, **kwargs)


@pytest.mark.django_db
def test_the_scans_rows_write_each_release_time_once_not_once_per_row():
    """Session 22: the tick's insert wrote each row's release time (``max(now, release)``) and dates per row;
    now once per plan and date, with the same rows inserted."""
    from zoneinfo import ZoneInfo

    from tasks.models import Reminder
    from tasks.selectors.reminders import ReminderCandidate
    from tasks.services.reminders import _insert_reminders

    region = RegionFactory()
    unit = UnitFactory(region=region, emails="lead@yc.gov.cn")
    early, late = PlanFactory(region=region), PlanFactory(region=region)
    due = date(2026, 12, 9)
    items = [WorkItemFactory(plan=plan, deadline=due, due_date=due, lead=unit, supporting=[], year=due.year)
             for plan in (early, early, early, late, late)]
    now = _CountedMoment(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    release = {early.pk: datetime(2026, 12, 7, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai")),  # passed: now
               late.pk: datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))}
    candidates = [ReminderCandidate(i.pk, "due_soon", due, step, f"p{n}@yc.gov.cn", "lead", date(2026, 12, 7),
                                    unit.pk, i.plan_id)
                  for i in items for step in (3, 1) for n in range(4)]
    _CountedMoment.written = 0
    assert _insert_reminders(candidates, now=now, release=release) == 40
    # The early plan's rows are held until now: written once for the lot (the late plan's time is not ``now``).
    # Each ``now`` written besides is the rows' shared creation time or the connection's, never one per row.
    assert _CountedMoment.written <= 2
    held = dict(Reminder.objects.values_list("work_item__plan_id", "next_attempt_at").distinct())
    assert held == {early.pk: now, late.pk: release[late.pk]}
    assert set(Reminder.objects.values_list("deadline", "scheduled_for").distinct()) == {(due, date(2026, 12, 7))}


@pytest.mark.django_db
def test_a_lots_units_are_read_with_its_item_ids_as_one_parameter():
    """Session 22: a digest task's items (up to thousands) were an ``IN`` list of as many placeholders, a
    statement text the driver parsed anew each time; now one array parameter, the same text for any lot."""
    from django.test.utils import CaptureQueriesContext

    from tasks.services.reminders import _DigestItem, _DigestPlan, _load_parts

    region = RegionFactory()
    lead, support = UnitFactory(region=region), UnitFactory(region=region)
    plan = PlanFactory(region=region)
    made = [WorkItemFactory(plan=plan, lead=lead, supporting=[support]) for _ in range(4)]
    for n in (1, 4):
        items = {i.pk: _DigestItem(i.pk, _DigestPlan(plan.pk, plan.title), i.text, i.due_date, i.status, False)
                 for i in made[:n]}
        with CaptureQueriesContext(connection) as queries:
            _load_parts(items)
        (query,) = queries.captured_queries
        assert ("= ANY" if connection.vendor == "postgresql" else "json_each") in query["sql"]
        assert " IN (%s" not in query["sql"] and " IN (1" not in query["sql"]
        assert all([(p.unit_id, p.role) for p in item._digest_parts] == [(lead.pk, "lead"), (support.pk, "support")]
                   for item in items.values())


@pytest.mark.django_db
def test_texts_and_uuids_among_a_list_are_one_parameter_and_find_what_in_finds():
    """Session 22: a digest task's addresses and digests (a hundred each) were ``IN`` lists of as many
    placeholders; ``__among_text`` binds them as one array on PostgreSQL and finds the same rows."""
    import uuid

    from django.db.models.functions import Lower
    from django.test.utils import CaptureQueriesContext

    from tasks.models import Message
    from tasks.notifications.services import MessageSpec, messages_queue

    groups = [uuid.uuid4() for _ in range(4)]
    messages_queue(specs=[MessageSpec(key=f"g{i}", purpose="test", channel="email", address=f"P{i}@Yc.gov.cn",
                                      subject="s", body="b", group=g) for i, g in enumerate(groups)], kick=False)
    wanted, addresses = groups[1:3] + [uuid.uuid4()], ["P0@Yc.gov.cn", "p3@yc.gov.cn", "nobody@x.cn"]
    for among, inside in [({"group__among_text": wanted}, {"group__in": wanted}),
                          ({"address__among_text": addresses}, {"address__in": addresses})]:
        with CaptureQueriesContext(connection) as queries:
            found = set(Message.objects.filter(**among).values_list("key", flat=True))
        assert found == set(Message.objects.filter(**inside).values_list("key", flat=True)) and found
        if connection.vendor == "postgresql":
            assert "= ANY(" in queries.captured_queries[0]["sql"] and " IN (" not in queries.captured_queries[0]["sql"]
    lowered = Message.objects.annotate(a=Lower("address")).filter(a__among_text=["p3@yc.gov.cn"])
    assert list(lowered.values_list("key", flat=True)) == ["g3"]
    assert not Message.objects.filter(address__among_text=[]).exists()


@pytest.mark.django_db
def test_a_tick_parts_addresses_are_counted_with_one_parameter():
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tasks.selectors.reminders import reminders_pending_counts

    emails = [f"p{i}@yc.gov.cn" for i in range(300)]
    with CaptureQueriesContext(connection) as queries:
        assert reminders_pending_counts(now=timezone.now(), emails=emails) == {}
    (query,) = queries.captured_queries
    assert query["sql"].count("@yc.gov.cn") == 300
    if connection.vendor == "postgresql":
        assert "= ANY(" in query["sql"] and " IN (" not in query["sql"]
