"""Reminders end to end on the real services: a Celery worker process on Redis, PostgreSQL, SMTP on loopback.

The worker is a separate process, so it cannot see pytest's per-test transaction (nor an
in-memory SQLite database): these tests commit their data (``transaction=True``) to the
PostgreSQL test database and point the worker's DATABASE_URL at it. On SQLite they skip
(``.ci/run`` runs the suite again on PostgreSQL and Redis, where they run and must pass).

Run them with e.g.::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/housing_reminders \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/pytest -m services tasks/tests/celery/test_reminders_integration.py
"""

from __future__ import annotations

import asyncio
import email
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection

from conftest import require_service
from housing.celery import app as celery_app
from tasks.models import Message, Reminder, ReminderSettings
from tasks.notifications.services import outbox_deliver
from tasks.services.reminders import reminder_digest_send, reminders_scan
from tasks.tasks import outbox_beat, reminders_beat
from tasks.tests.factories import PlanFactory, UnitFactory, UserFactory, WorkItemFactory, signed_links_in

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True), pytest.mark.slow]

BASE_DIR = Path(__file__).resolve().parents[3]
NOW = "2023-05-30T09:00:00+08:00"  # a Tuesday morning, after the default 08:30 send time
LATER = "2023-05-30T10:00:00+08:00"
WAIT = 60  # seconds to wait for mail before failing
TASK_RECEIVED = re.compile(r"Task [\w.]+\[([0-9a-f-]+)\] received")
TASK_ENDED = re.compile(r"Task [\w.]+\[([0-9a-f-]+)\] (?:succeeded|raised|retry)")


# ---------------------------------------------------------------- SMTP on loopback


class Inbox:
    """An aiosmtpd handler that keeps every accepted message; ``on_ehlo`` lets a test act mid-conversation."""

    def __init__(self, ehlo_delay: float = 0.0, on_ehlo=None, on_data=None):
        self.messages: list[email.message.Message] = []
        self.ehlos = 0
        self.ehlo_delay = ehlo_delay
        self.on_ehlo = on_ehlo
        self.on_data = on_data
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.lock:
            self.ehlos += 1
            n = self.ehlos
        if self.on_ehlo:
            self.on_ehlo(n)
        if self.ehlo_delay:
            await asyncio.sleep(self.ehlo_delay)
        return responses

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
            n = len(self.messages)
        if self.on_data:
            self.on_data(n)
        return "250 Message accepted for delivery"

    def recipients(self) -> Counter:
        with self.lock:
            return Counter(m["To"] for m in self.messages)

    def wait_for(self, n: int, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= n:
                return
            time.sleep(0.1)
        raise AssertionError(f"{len(self.messages)} of {n} emails arrived within {timeout}s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """Start (or restart) an SMTP server on a fixed loopback port; stopped at the end."""
    controllers = []

    class Server:
        port = free_port()
        inbox = Inbox()

        def start(self, **kwargs) -> Inbox:
            self.inbox = Inbox(**kwargs)
            controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
            controller.start()
            controllers.append(controller)
            return self.inbox

    yield Server()
    for controller in controllers:
        controller.stop()


# ---------------------------------------------------------------- the worker process


def database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def services(transactional_db, tmp_path):
    """The checks, the broker and a way to start worker processes (killed at the end, before the flush)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL=postgres://...: a worker process cannot see the test's SQLite database")
    require_service("PostgreSQL", connection.settings_dict["HOST"] or "127.0.0.1",
                    int(connection.settings_dict["PORT"] or 5432))
    require_service("Redis", "127.0.0.1", 6379)
    redis_url = django_settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    with celery_app.connection_for_write(redis_url) as conn:
        celery_app.control.purge(connection=conn)
    workers: list[subprocess.Popen] = []

    class Services:
        broker = redis_url
        logs = tmp_path

        def start_worker(self, smtp_port: int, concurrency: int = 1) -> subprocess.Popen:
            env = {
                **os.environ,
                "DATABASE_URL": database_url(),
                "REDIS_URL": redis_url,
                "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
                "EMAIL_TIMEOUT": "10",
                "SITE_URL": "https://zf.example.cn",
                "DJANGO_VAR_DIR": str(tmp_path / "var"),
                "NOTIFY_RETRY_BASE_SECONDS": "1",
                "NOTIFY_RETRY_MAX_SECONDS": "4",
                "NOTIFY_MAX_ATTEMPTS": "20",
                "NOTIFY_EMAIL_BATCH_SIZE": "3",
                "NOTIFY_SENDING_TIMEOUT_SECONDS": "2",
                # The worker sends at whatever hour the suite runs, as the suite's own settings do (the
                # quiet-hours tests set a window of their own): at 18:00 Asia/Shanghai the default window
                # closed and these tests failed every evening.
                "NOTIFY_WORKING_HOURS": "always",
                "NOTIFY_QUIET_DAYS_OFF": "false",
            }
            log = open(tmp_path / f"worker{len(workers)}.log", "w")  # noqa: SIM115 - closed with the process
            proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "housing", "worker", "--loglevel=INFO",
                 *(["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"--concurrency={concurrency}"]),
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "-n", f"reminders-test-{uuid.uuid4().hex[:8]}@%h"],
                cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
            workers.append(proc)
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                if "ready." in Path(log.name).read_text():
                    return proc
                if proc.poll() is not None:
                    break
                time.sleep(0.2)
            raise AssertionError(f"worker did not start:\n{Path(log.name).read_text()[-3000:]}")

        def tick(self, now: str) -> None:
            """What beat does: publish the tick task to Redis."""
            with celery_app.connection_for_write(redis_url) as conn:
                reminders_beat.apply_async(kwargs={"now": now}, connection=conn)

        def outbox_tick(self) -> None:
            """What beat does every minute for the outbox: sweep lost sends, kick channels with due messages."""
            with celery_app.connection_for_write(redis_url) as conn:
                outbox_beat.apply_async(connection=conn)

        def log_text(self) -> str:
            return "\n".join(p.read_text()[-4000:] for p in sorted(tmp_path.glob("worker*.log")))

        def settle(self, timeout: float = WAIT) -> None:
            """Wait until nothing is left to run: the broker's queue is empty and every task a live worker took
            has ended (its log says received, then succeeded, raised or retry), three times in a row, 0.2 s
            apart (a task taken off the queue is logged as received at once). A tick's sends, its retries (held
            by the worker until their time) and the tasks they queue are all done then, so "nothing more went
            out" is asserted without a fixed sleep. (Not the unacknowledged set: a killed worker's prefetched
            tasks stay there for an hour, for this test and the next.)"""
            deadline, quiet = time.monotonic() + timeout, 0
            with celery_app.connection_for_write(redis_url) as conn:
                redis = conn.default_channel.client
                while quiet < 3:
                    # A killed worker's unfinished task is not waited for: it never ends.
                    logs = "\n".join((tmp_path / f"worker{n}.log").read_text()
                                     for n, proc in enumerate(workers) if proc.poll() is None)
                    received = set(TASK_RECEIVED.findall(logs))
                    busy = received - set(TASK_ENDED.findall(logs))
                    waiting = redis.llen(celery_app.conf.task_default_queue)
                    quiet = quiet + 1 if not busy and not waiting else 0
                    assert time.monotonic() < deadline, f"{len(busy)} tasks running, {waiting} queued:\n" + (
                        self.log_text())
                    time.sleep(0.2)

    yield Services()
    for proc in workers:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def make_plan(n_units: int) -> list[str]:
    """A plan whose items are due tomorrow, one per unit (one contact each); returns the addresses."""
    plan = PlanFactory()
    ReminderSettings.objects.create(plan=plan, monthly_enabled=False)
    coordinator = UserFactory(username=f"coord-{uuid.uuid4().hex[:6]}", email="coord@zf.example.cn")
    plan.coordinators.add(coordinator)
    addresses = []
    for i in range(n_units):
        unit = UnitFactory(region=plan.region, name=f"单位{i}", emails=f"unit{i}@zf.example.cn")
        WorkItemFactory(plan=plan, deadline=date(2023, 5, 31), due_date=date(2023, 5, 31), lead=unit)
        addresses.append(f"unit{i}@zf.example.cn")
    return addresses


def assert_each_once(inbox: Inbox, addresses: list[str]) -> None:
    assert inbox.recipients() == Counter({a: 1 for a in addresses})
    assert set(Reminder.objects.values_list("status", flat=True)) == {Reminder.Status.SENT}


# ---------------------------------------------------------------- the tests


def test_worker_runs_the_beat_task_and_each_recipient_gets_exactly_one_email(services, smtp):
    addresses = make_plan(5)
    # One overdue item too: its coordinator escalation joins the same run.
    plan = ReminderSettings.objects.get().plan
    WorkItemFactory(plan=plan, deadline=date(2023, 5, 26), due_date=date(2023, 5, 26),
                    lead=UnitFactory(region=plan.region, emails="late@zf.example.cn"))
    addresses += ["late@zf.example.cn", "coord@zf.example.cn"]
    inbox = smtp.start()
    services.start_worker(smtp.port, concurrency=2)  # two processes: the two ticks below race each other
    services.tick(NOW)
    services.tick(NOW)  # a second beat process (or a re-delivered tick) at the same moment
    inbox.wait_for(len(addresses))
    services.tick(LATER)  # the next quarter-hour: nothing new
    services.settle()
    assert_each_once(inbox, addresses)
    message = next(m for m in inbox.messages if m["To"] == "unit0@zf.example.cn")
    assert message.is_multipart()
    html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()
    # The item's link is signed and single-purpose (tasks.notifications.links), on the site's address.
    assert "https://zf.example.cn/l/" in html
    assert {purpose for purpose, _pk in signed_links_in(html)} == {"item"}


def test_worker_killed_mid_batch_leaves_that_batch_uncertain_and_sends_the_rest_once(services, smtp):
    addresses = make_plan(12)
    workers = []

    def kill_on_fourth_message(n: int) -> None:
        # SIGKILL while the server takes the 4th message: the first batch of 3 is recorded sent; the second
        # (4th, 5th, 6th) was claimed and its fate is unknown to the outbox.
        if n == 4:
            workers[0].kill()

    inbox = smtp.start(on_data=kill_on_fourth_message)
    workers.append(services.start_worker(smtp.port))
    services.tick(NOW)
    workers[0].wait(timeout=WAIT)
    time.sleep(1)
    assert len(inbox.messages) == 4, services.log_text()
    assert Message.objects.filter(state=Message.State.SENT).count() == 3
    assert Message.objects.filter(state=Message.State.SENDING).count() == 3
    # A new worker; the beat's next minute marks the lost batch uncertain and sends what was never claimed.
    inbox.on_data = None
    services.start_worker(smtp.port)
    time.sleep(2.5)  # NOTIFY_SENDING_TIMEOUT_SECONDS
    services.outbox_tick()
    inbox.wait_for(10)
    services.settle()
    services.outbox_tick()  # a later minute: nothing more goes out
    services.settle()
    uncertain = list(Message.objects.filter(state=Message.State.UNCERTAIN).values_list("address", flat=True))
    assert len(uncertain) == 3
    received = inbox.recipients()
    assert set(received.values()) == {1}  # nothing twice
    assert set(received) == set(addresses) - set(uncertain) | {a for a in uncertain if a in received}
    assert len(received) == 10  # the uncertain message the server took is in, the two never tried are not
    assert Message.objects.filter(state=Message.State.SENT).count() == 9


def test_smtp_down_then_up_is_retried_and_delivered(services, smtp):
    addresses = make_plan(3)
    services.start_worker(smtp.port)  # nothing listens on the port yet
    services.tick(NOW)
    deadline = time.monotonic() + WAIT
    while not Message.objects.filter(attempts__gte=2).exists():
        assert time.monotonic() < deadline, services.log_text()
        services.outbox_tick()  # the beat's minute, here every half second
        time.sleep(0.5)
    row = Message.objects.filter(attempts__gte=1).first()
    assert row.state == Message.State.QUEUED
    assert "Connection refused" in row.last_error or "ConnectionRefusedError" in row.last_error
    inbox = smtp.start()
    deadline = time.monotonic() + WAIT
    while len(inbox.messages) < len(addresses):
        assert time.monotonic() < deadline, services.log_text()
        services.outbox_tick()
        time.sleep(0.5)
    services.settle()
    assert_each_once(inbox, addresses)
    assert all(a >= 2 for a in Message.objects.values_list("attempts", flat=True))
    assert set(Message.objects.values_list("state", "last_error")) == {(Message.State.SENT, "")}


class SlowBackend(LocmemBackend):
    """An SMTP server that takes a second to accept a message."""

    def send_messages(self, messages):
        time.sleep(1)
        return super().send_messages(messages)


def test_two_senders_racing_for_one_digest_on_postgresql_send_it_once(services, settings):
    settings.EMAIL_BACKEND = "tasks.tests.celery.test_reminders_integration.SlowBackend"
    addresses = make_plan(1)
    reminders_scan(today=date(2023, 5, 30))
    outcomes = []

    def send():
        try:
            outcomes.append(reminder_digest_send(email=addresses[0]))
            outcomes.append(outbox_deliver(channel="email"))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The first queues the digest, the others find its reminders locked or sent; one delivery claims the
    # message (SKIP LOCKED, then 'sending'), the others find nothing to claim while it talks to the server.
    assert [o.sent for o in outcomes if hasattr(o, "sent")].count(True) == 1
    assert [m.to for m in mail.outbox] == [addresses]
    assert set(Reminder.objects.values_list("status", flat=True)) == {Reminder.Status.SENT}
    assert list(Message.objects.values_list("state", flat=True)) == [Message.State.SENT]
