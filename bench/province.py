"""A whole province on one installation, measured: hot paths at two (or more) sizes, side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/province.py --sizes 10000,100000 [--json PATH] [--keep] [--repeat 3]

For each size (a number of work items; plans, units and towns grow with it, see
``bench/province_data.py``) it creates a database ``bench_<size>`` on the server DATABASE_URL names
(from a template database it migrates once), fills it with COPY, then runs every hot path
interleaved between the sizes (size A, size B, size A, ...; the best of ``--repeat`` runs counts)
and prints one table: time, the time spent in its statements (at the driver: the rest is Python),
queries, the SQL floor (the operation's slowest statement under EXPLAIN ANALYZE in the same run,
planning + execution, of its five slowest in the run), × floor and large ÷ small, then the issue's
targets as verdicts (``target_verdicts``). The databases are dropped at the end unless ``--keep``;
``--reuse`` measures the databases a ``--keep`` run left (each carries what was built, and for which
day, as its comment).

Writes (reminder scan, dry run, send) run inside a transaction that is rolled back, so every run
sees the same steady state. ``reminders_send`` here is the digests sent in this process to Django's
locmem mail backend (not Celery workers and an SMTP sink). ``all_roundups`` counts queries per plan;
``all_coordinators`` (every county coordinator's overdue view and review queue, after one unmeasured
round) reports time, queries and time in SQL per request. ``--only`` picks operations by name.

``--load [SECONDS]`` adds a load test against the largest size: gunicorn (2 workers) on loopback and
locust (``bench/locustfile.py``, its own process) with ``--load-users`` users (50) waiting 1 s between
requests; rows ``load_*`` with ``ms`` = p95 (see ``run_load``).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")
os.environ.setdefault("DJANGO_VAR_DIR", tempfile.mkdtemp(prefix="province-bench-"))
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="province-bench-media-"))
# The build COPYs a million rows a statement and VACUUMs: no statement timeout here (the app's is 30 s).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")
# The bench delivers whatever the hour it runs (the workers inherit this): no quiet hours, no days off.
os.environ.setdefault("NOTIFY_WORKING_HOURS", "always")
os.environ.setdefault("NOTIFY_QUIET_DAYS_OFF", "false")

OPERATIONS = [
    "liaison_home", "overdue", "overdue_filtered", "review", "dashboard", "province_overdue", "province_review",
    "roundup_month", "roundup_year", "all_roundups", "reminders_scan", "reminders_dry_run", "reminders_send",
    "import_200_pages", "all_coordinators", "province_overdue_export", "province_home",
]
# The targets, printed after the table (``target_verdicts``).
PAGES = ["liaison_home", "overdue", "overdue_filtered", "review", "dashboard", "province_overdue", "province_review",
         "province_home"]
PER_PLAN = ["roundup_month", "roundup_year"]
PER_REQUEST = ["all_coordinators"]  # many pages, per request: held to the growth target, not to one floor
MAX_GROWTH = 1.5  # large ÷ small, pages and per-plan operations
MAX_TIMES_FLOOR = 3.0
PROVINCE_PAGE_MS = 500
ALL_ROUNDUPS_MS = 60_000
REMINDER_TICK_MS = 60_000
REMINDERS_DELIVERED_MS = 60_000  # issue 31: tick to the last digest accepted, every channel
LOAD_P95_MS = 1_000


class _Rollback(Exception):
    pass


def _setup_django() -> None:
    import logging

    import django
    from django.conf import settings

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per force_login otherwise
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: every SMTP command otherwise
    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: no collected static here
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False


_BASE: list = []  # Django's own default connection (the admin steps, the build, the load test use it)
_KEPT: dict = {}  # database name -> a connection of its own, kept open between measured runs


def use_database(name: str, *, keep: bool = False) -> None:
    """Point Django's default connection at database ``name``.

    ``keep``: a connection of that database's own, opened once and kept, as a web worker keeps its
    connection between requests (``CONN_MAX_AGE``). Interleaving the sizes over one connection reconnected
    every run, so each measured page met a new PostgreSQL backend (catalog caches cold, nothing prepared),
    which production requests do not. Otherwise Django's connection, closed and reconnected to ``name``.
    """
    from django.db import connections

    if not _BASE:
        _BASE.append(connections["default"])
    if keep:
        if name not in _KEPT:
            base = _BASE[0]
            _KEPT[name] = type(base)({**copy.deepcopy(base.settings_dict), "NAME": name}, base.alias)
        connections["default"] = _KEPT[name]
        return
    connections["default"] = _BASE[0]
    _BASE[0].close()
    _BASE[0].settings_dict["NAME"] = name


def close_kept() -> None:
    for kept in _KEPT.values():
        kept.close()
    _KEPT.clear()


def _admin_execute(sql: str) -> None:
    """CREATE/DROP DATABASE on the server, outside any transaction (a connection to ``postgres``)."""
    with _admin_connection() as conn:
        conn.execute(sql)


def _admin_connection(dbname: str = "postgres"):
    """An autocommit psycopg connection to database ``dbname`` on the server Django's settings name."""
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    return psycopg.connect(dbname=dbname, user=s["USER"] or None, password=s["PASSWORD"] or None,
                           host=s["HOST"] or None, port=s["PORT"] or None, autocommit=True)


def create_databases(names: list[str], *, template: str, migrated: str | None = None) -> None:
    """``names`` as copies of a migrated ``template``. ``migrated``: a migrated database to start the template
    from (the test suite's, ``tasks/tests/databases.py``), so that ``migrate`` has nothing or little to do."""
    from django.core.management import call_command

    _admin_execute(f'DROP DATABASE IF EXISTS "{template}"')
    _admin_execute(f'CREATE DATABASE "{template}"' + (f' TEMPLATE "{migrated}"' if migrated else ""))
    use_database(template)
    call_command("migrate", verbosity=0, interactive=False)
    use_database("postgres")
    for name in names:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}"')
        _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    _admin_execute(f'DROP DATABASE IF EXISTS "{template}"')


def describe_database(name: str, built, today: date) -> None:
    """Keep what ``build`` returned (and its ``today``) on the database itself, for ``--reuse``."""
    from dataclasses import asdict

    text = json.dumps({"built": asdict(built), "today": today.isoformat()}).replace("'", "''")
    _admin_execute(f"COMMENT ON DATABASE \"{name}\" IS '{text}'")


def described_database(name: str):
    """``(Built, today)`` of a database a ``--keep`` run left; a clear error if there is none."""
    from bench.province_data import Built, Shape

    with _admin_connection() as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           [name]).fetchone()
    if not row or not row[0]:
        raise SystemExit(f"--reuse: database {name} does not exist or was not left by a --keep run of this bench")
    described = json.loads(row[0])
    fields = dict(described["built"])
    fields["shape"] = Shape(**fields["shape"])
    return Built(**fields), date.fromisoformat(described["today"])


def vacuum_analyze(name: str) -> None:
    """``VACUUM (ANALYZE)`` database ``name``, as autovacuum would have by the time a real day starts.

    The bench rolls its writes back (the import, the reminder scans), which leaves dead rows and grown
    tables but no change autoanalyze counts: a reused database's statistics then describe tables a
    fraction of their size on disk, and the planner scales its row estimates up by that (the 100k
    dashboard's key tasks: 900 estimated for 20, a scan of every item, 25 ms instead of 1)."""
    with _admin_connection(name) as conn:
        conn.execute("VACUUM (ANALYZE)")


def drop_databases(names: list[str]) -> None:
    close_kept()
    use_database("postgres")
    from django.db import connection

    connection.close()
    for name in names:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- the hot paths ---------------------------------------------------------------------------------


class Context:
    """What an operation needs about one size's database."""

    def __init__(self, built, today: date):
        from django.contrib.auth import get_user_model
        from django.test import Client

        from tasks.models import Plan, Unit

        self.built = built
        self.today = today
        User = get_user_model()
        self.clients = {}
        for who, username in (("liaison", built.liaison_username), ("coordinator", built.coordinator_username),
                              ("province", built.province_username)):
            client = Client()
            client.force_login(User.objects.get(username=username))
            self.clients[who] = client
        self.plan = Plan.objects.get(slug=built.plan_slug)
        # The lead unit with the most items overdue 30+ days in the coordinator's region: the filtered
        # view then shows a full page at every size (an empty page would skip its row query).
        from django.db.models import Count, Q

        old = today - timedelta(days=31)
        self.lead_unit = (
            Unit.objects.filter(region=self.plan.region_id)
            .annotate(n=Count("work_item_assignments", filter=Q(
                work_item_assignments__role="lead", work_item_assignments__work_item__due_date__lte=old,
                work_item_assignments__work_item__status__in=["not_started", "in_progress", "returned"])))
            .order_by("-n", "pk").first()
        )
        self.plan_ids = list(Plan.objects.order_by("pk").values_list("pk", flat=True))


def _get(ctx: Context, who: str, url: str) -> None:
    response = ctx.clients[who].get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} as {who}: HTTP {response.status_code}")
    if b'class="errorlist' in response.content:
        # A filter the form refused is silently not applied: the page measured would not be the one named.
        raise RuntimeError(f"{url} as {who}: the page shows a form error (a filter value it does not accept)")
    ctx.last_bytes = len(response.content)


def _last_month(today: date):
    from tasks.roundups.periods import Period

    first = today.replace(day=1) - timedelta(days=1)
    return Period.month(first.year, first.month)


def op_roundup(ctx: Context, period) -> None:
    from tasks.models import Plan
    from tasks.selectors.roundups import roundup_data

    # A fresh plan each run, as the command reads it: a reused instance caches its region after the
    # first run, and the best-of-N run's query count would depend on which run was fastest.
    roundup_data(plan=Plan.objects.get(pk=ctx.plan.pk), period=period)


def op_all_roundups(ctx: Context) -> None:
    from tasks.models import Plan
    from tasks.selectors.roundups import roundup_data

    period = _last_month(ctx.today)
    for plan in Plan.objects.order_by("pk"):
        roundup_data(plan=plan, period=period)


class AllCoordinators:
    """Every county coordinator opens the overdue view and the review queue (a Monday morning): time,
    statements and time in SQL per request. ``prepare`` logs them in and runs one round unmeasured, as a
    worker serving them all day would have: compiled reads that every coordinator shares are warm, while
    reads shaped by one coordinator's plans would be compiled for each and could fill the per-process
    cache of compiled reads (``tasks.selectors.compiled``), which a single coordinator's page never shows."""

    URLS = ("/overdue/", "/review/")

    def prepare(self, ctx: Context) -> None:
        from django.contrib.auth import get_user_model
        from django.test import Client

        from tasks.models import Plan

        User = get_user_model()
        ctx.coordinator_clients = []
        for user in User.objects.filter(pk__in=Plan.coordinators.through.objects.values("user_id")).order_by("pk"):
            client = Client()
            client.force_login(user)
            ctx.coordinator_clients.append(client)
        self(ctx)

    def requests(self, ctx: Context) -> int:
        return len(ctx.coordinator_clients) * len(self.URLS)

    def __call__(self, ctx: Context) -> None:
        for client in ctx.coordinator_clients:
            for url in self.URLS:
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} as a coordinator: HTTP {response.status_code}")


def op_province_export(ctx: Context) -> None:
    """The province user's export of every overdue item: the request that queues it (more rows than
    ``EXPORT_INLINE_ROWS``: a redirect to its page) and the worker's run that writes it, in this process
    (``tasks.services.exports.export_run``), rolled back. At the small CI sizes it is written in the request."""
    from django.urls import resolve

    from tasks.services.exports import export_run

    def run():
        response = ctx.clients["province"].get("/overdue/?export=xlsx")
        if response.status_code == 200:
            return  # at most EXPORT_INLINE_ROWS rows: the file came with the response
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith("/exports/"):
            raise RuntimeError(f"/overdue/?export=xlsx as province: HTTP {response.status_code} {location}")
        export = export_run(export_id=resolve(location).kwargs["pk"])
        if export is None or export.status != "done":
            raise RuntimeError(f"the province export did not finish: {export and export.error}")

    _rolled_back(run)


def _rolled_back(fn: Callable[[], None]) -> None:
    from django.db import transaction

    try:
        with transaction.atomic():
            fn()
            raise _Rollback
    except _Rollback:
        pass


REMINDER_DAY_AT = clock(9)  # after every plan's default send time (08:30)


def reminder_day_now(day: date) -> datetime:
    """The reminder tick's moment on ``day``: 09:00 in the project's time zone (Asia/Shanghai)."""
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, REMINDER_DAY_AT))



def start_smtp_sink():
    """An SMTP server on a free loopback port (aiosmtpd) that counts what it accepts: (sink with ``n``, its
    controller, the port). The caller stops the controller."""
    import socket
    import threading

    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.n = 0
            self.lock = threading.Lock()

        async def handle_DATA(self, server, session, envelope):
            with self.lock:
                self.n += 1
            return "250 OK"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return sink, controller, port

def _serve_smtp_sink(port: int, accepted, ready, stop, recipients=None, duplicates=None, bad=None) -> None:
    """The SMTP sink's own process (``SmtpSinkProcess``) on ``port``, counting into ``accepted`` (and the
    recipients, duplicates and refused messages): ``bench/smtp_sink.py``'s lean server, or aiosmtpd with
    ``BENCH_SMTP_SINK=aiosmtpd`` (the sink until session 21; it counts accepted messages only)."""
    import logging

    if os.environ.get("BENCH_SMTP_SINK", "lean") != "aiosmtpd":
        from bench.smtp_sink import Counts, serve

        serve(port, Counts(accepted, recipients, duplicates, bad), ready, stop)
        return

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            with accepted.get_lock():
                accepted.value += 1
            with recipients.get_lock():
                recipients.value += len(envelope.rcpt_tos)
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class SmtpSinkProcess:
    """The SMTP sink in a process of its own, as an SMTP server is: in the bench's process its event loop
    shared one interpreter lock with the DingTalk stand-in's threads and the bench's own polling, so the
    sink waited for them (and they for it) while both channels were sent. ``n``: messages accepted so far;
    ``recipients``, ``duplicates`` (a Message-ID accepted before), ``bad`` (refused: no terminator, a To that
    is not the envelope's, no Subject; see ``bench/smtp_sink.py``); ``pid``: its process, for the CPU
    columns."""

    def __init__(self, port: int):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")  # not a fork of this process's Django and connections
        self.accepted, ready, self._stop = ctx.Value("q", 0), ctx.Event(), ctx.Event()
        self._recipients, self._duplicates, self._bad = ctx.Value("q", 0), ctx.Value("q", 0), ctx.Value("q", 0)
        self.process = ctx.Process(target=_serve_smtp_sink, args=(port, self.accepted, ready, self._stop,
                                                                  self._recipients, self._duplicates, self._bad),
                                   daemon=True)
        self.process.start()
        if not ready.wait(60):
            self.process.kill()
            raise RuntimeError("the SMTP sink's process did not start")
        self.pid = self.process.pid

    @property
    def n(self) -> int:
        return self.accepted.value

    @property
    def recipients(self) -> int:
        return self._recipients.value

    @property
    def duplicates(self) -> int:
        return self._duplicates.value

    @property
    def bad(self) -> int:
        return self._bad.value

    def stop(self) -> None:
        self._stop.set()
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()


def _serve_dingtalk(details, delivered, ready, stop) -> None:
    """The DingTalk stand-in's own process (``DingTalkStandInProcess``): ``FakeDingTalk`` on loopback, its
    delivered notices counted into ``delivered``."""
    from tasks.tests.notifications.fakes import FakeDingTalk

    fake = FakeDingTalk()
    answer = fake.handle

    def handle(method, path, query, body, headers, raw):
        status, reply = answer(method, path, query, body, headers, raw)
        if path.endswith("/asyncsend_v2") and reply.get("errcode") == 0:  # counted as the stand-in delivers
            with delivered.get_lock():
                delivered.value += len(fake.tasks[reply["task_id"]]["unread_user_id_list"])
        return status, reply

    fake.handle = handle
    fake.start()
    details.send((fake.url, fake.app_key, fake.app_secret, fake.agent_id))
    ready.set()
    stop.wait()
    fake.stop()


class DingTalkStandInProcess:
    """The DingTalk stand-in (``tasks/tests/notifications/fakes.py``) in a process of its own, as the provider
    is: in the bench's process its threads shared one interpreter lock with the tick, which now runs while
    the workers deliver. ``delivered()``: notices delivered so far (a Counter of one total); ``pid``: its
    process, whose CPU counts with this process's (``bench_cpu_s``: the tick and the stand-in)."""

    def __init__(self):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        receive, send = ctx.Pipe(duplex=False)
        self.count, ready, self._stop = ctx.Value("q", 0), ctx.Event(), ctx.Event()
        self.process = ctx.Process(target=_serve_dingtalk, args=(send, self.count, ready, self._stop), daemon=True)
        self.process.start()
        if not ready.wait(60) or not receive.poll(10):
            self.process.kill()
            raise RuntimeError("the DingTalk stand-in's process did not start")
        self.url, self.app_key, self.app_secret, self.agent_id = receive.recv()
        self.pid = self.process.pid

    def start(self):
        return self

    def delivered(self):
        from collections import Counter

        return Counter({"*": self.count.value})

    def stop(self) -> None:
        self._stop.set()
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()


def start_smtp_sink_process():
    """``start_smtp_sink``'s sink in a process of its own: (sink with ``n``, ``stop`` and ``pid``, the port)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return SmtpSinkProcess(port), port


def bench_today() -> date:
    """The day the data is built for: today, or yesterday before 09:00 local time.

    The Celery workers send what is due by their own clock, so the tick's moment on that day must
    already have passed, whatever the hour the bench runs at.
    """
    from django.utils import timezone

    now = timezone.localtime()
    return now.date() if now.time() >= REMINDER_DAY_AT else now.date() - timedelta(days=1)


def op_reminders_scan(ctx: Context) -> None:
    from tasks.services.reminders import reminders_scan

    now = reminder_day_now(ctx.today)
    _rolled_back(lambda: reminders_scan(today=ctx.today, now=now))


def op_reminders_dry_run(ctx: Context) -> None:
    import io

    from django.core.management import call_command

    call_command("send_reminders", "--dry-run", f"--today={ctx.today:%Y-%m-%d}", stdout=io.StringIO())


def op_reminders_send(ctx: Context) -> None:
    from django.core import mail

    from tasks.services.reminders import reminders_scan, reminders_send_pending

    now = reminder_day_now(ctx.today)

    def run():
        reminders_scan(today=ctx.today, now=now)
        reminders_send_pending(now=now, today=ctx.today)

    mail.outbox = []
    _rolled_back(run)
    ctx.sent = len(mail.outbox)


class DeliveryTimeline:
    """What had arrived when, during the reminder day (a thread sampling the sink's and the stand-in's counts
    every ``every`` seconds from the tick on): when the first e-mail arrived, when half, nine in ten and all
    of them had, and how much had arrived when the tick returned. Shows where the wall time goes (the tick
    before the first digest, the drain after it) beside the CPU columns."""

    def __init__(self, start: float, sink, dingtalk, every: float = 0.25):
        import threading

        self.start_at, self.sink, self.dingtalk, self.every = start, sink, dingtalk, every
        self.samples: list[tuple[float, int, int]] = []
        self.tick_s: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _sample(self) -> None:
        self.samples.append((time.perf_counter() - self.start_at, self.sink.n, self.dingtalk.count.value))

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def tick_done(self) -> None:
        self.tick_s = time.perf_counter() - self.start_at
        self._sample()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sample()

    def summary(self, emails: int, notices: int) -> dict:
        def when(column: int, n: int) -> float | None:
            return next((round(row[0], 1) for row in self.samples if row[column] >= n), None)

        at_tick = next((row for row in self.samples if self.tick_s is not None and row[0] >= self.tick_s), None)
        return {
            "first_email_s": when(1, 1), "half_emails_s": when(1, emails / 2), "ninety_emails_s": when(1, emails * 0.9),
            "all_emails_s": when(1, emails), "all_notices_s": when(2, notices),
            "emails_at_tick_end": at_tick[1] if at_tick else None,
            # Every 5 s: (seconds from the tick, e-mails, DingTalk notices) arrived by then.
            "timeline": [[round(t, 1), e, d] for t, e, d in self.samples[:: max(1, round(5 / self.every))]],
        }


class CelerySend:
    """``reminders_send`` through Celery: the beat's tick in this process (scan, grouping, enqueue on Redis),
    two prefork worker processes sending each digest to an SMTP sink on loopback (aiosmtpd).

    Commits (the reminders are sent for real), so it runs last for each size. Time is until the sink
    has every queued digest; queries are this process's (the tick); throughput is printed.
    """

    def __init__(self, redis_url: str):
        self.redis_url = redis_url
        self.tick_ms: dict[str, float] = {}  # database name -> the tick's time
        # database name -> ms from the tick to the last delivery on every channel (``reminders_delivered``):
        # every digest by e-mail to the SMTP sink, and every recipient with a DingTalk id (here: everyone
        # with an account) also through the DingTalk stand-in (tasks/tests/notifications/fakes.py).
        self.delivered_ms: dict[str, float] = {}
        self.delivered_counts: dict[str, dict[str, int]] = {}
        # database name -> CPU seconds from the tick to the last delivery (workers, PostgreSQL, this process)
        # and the load average before and after: on a shared machine the wall time says little alone.
        self.delivered_cpu: dict[str, dict] = {}

    def __call__(self, ctx: Context) -> None:
        import subprocess

        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.db.models import Max, OuterRef, Subquery

        from housing.celery import app
        from tasks.models import Message, Profile
        from tasks.services.reminders import reminders_tick
        sink, port = start_smtp_sink_process()
        dingtalk = DingTalkStandInProcess()
        # Every person is on DingTalk (their username as id, DingTalk first): their digests go both ways.
        Profile.objects.update(
            dingtalk_id=Subquery(get_user_model().objects.filter(pk=OuterRef("user_id")).values("username")[:1]),
            channels="dingtalk",
        )
        app.conf.broker_url = self.redis_url
        with app.connection_for_write(self.redis_url) as conn:
            app.control.purge(connection=conn)
        s = connection.settings_dict
        # Production settings (DEBUG off, as a deployed worker runs: with DEBUG on, Django keeps every
        # statement's text, and Celery warns of the leak).
        env = {**os.environ, "DATABASE_URL": f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:"
               f"{s['PORT'] or 5432}/{s['NAME']}", "REDIS_URL": self.redis_url,
               "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": LOAD_SECRET_KEY,
               "EMAIL_URL": f"smtp://127.0.0.1:{port}", "DJANGO_VAR_DIR": os.environ["DJANGO_VAR_DIR"],
               "DINGTALK_API_BASE": dingtalk.url, "DINGTALK_APP_KEY": dingtalk.app_key,
               "DINGTALK_APP_SECRET": dingtalk.app_secret, "DINGTALK_AGENT_ID": str(dingtalk.agent_id)}
        log = Path(os.environ["DJANGO_VAR_DIR"]) / f"worker-{s['NAME']}.log"
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "housing", "worker", "--pool=prefork", "--concurrency=2",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"bench-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        try:
            ready_by = time.perf_counter() + 120
            while "ready." not in log.read_text() and time.perf_counter() < ready_by and worker.poll() is None:
                time.sleep(0.1)  # the workers' start is not part of the reminder day
            now = reminder_day_now(ctx.today)
            # The tick runs in a worker process in production (the beat's ``reminders_beat``), whose objects of
            # its start are frozen out of the garbage collector's reach (housing/celery.py): so here.
            from housing.celery import freeze_startup_objects

            freeze_startup_objects()
            # Only this tick's messages are waited for (a reused database holds an earlier run's).
            before = Message.objects.aggregate(last=Max("pk"))["last"] or 0
            cpu_before, load_before = _proc_cpu(), os.getloadavg()
            start = time.perf_counter()
            timeline = DeliveryTimeline(start, sink, dingtalk).start()
            result = reminders_tick(now=now)
            timeline.tick_done()
            queued = len(result.emails)
            if not queued:
                raise RuntimeError(f"no digest was due on {ctx.today}: this database's reminder day has been run "
                                   "already (a --reuse of a database a reminders run used); build it again")
            enqueued_at = time.perf_counter()
            deadline = enqueued_at + max(900, queued * 0.25)  # 4 digests/s at the very least
            while sink.n < queued and time.perf_counter() < deadline and worker.poll() is None:
                time.sleep(0.05)
            done = time.perf_counter()
            drained = done - enqueued_at
            self.ms = (done - start) * 1000  # the reminder day: tick and drain, not the workers' start
            self.tick_ms[s["NAME"]] = (enqueued_at - start) * 1000  # scan, grouping, enqueue
            print(f"    reminders_send via Celery: {queued} digests queued in {enqueued_at - start:.1f} s, "
                  f"{sink.n} delivered to the SMTP sink in {drained:.1f} s "
                  f"({sink.n / max(drained, 1e-3):.0f} digests/s, 2 worker processes)", flush=True)
            if sink.n < queued:
                raise RuntimeError(f"only {sink.n} of {queued} digests arrived; see {log}")
            # Every digest is queued in the outbox by now (its e-mail arrived): wait for the DingTalk ones.
            expected = Message.objects.filter(channel="dingtalk", pk__gt=before).count()
            while (sum(dingtalk.delivered().values()) < expected and time.perf_counter() < deadline
                   and worker.poll() is None):
                time.sleep(0.05)
            last = time.perf_counter()
            timeline.stop()
            cpu_after = _proc_cpu()
            cpu = _delivery_cpu(cpu_before, cpu_after, worker.pid, s["NAME"], sink_pid=sink.pid,
                                standin_pid=dingtalk.pid)
            # ``bench_cpu_s`` is this process (the tick) and the stand-in's together, as before; apart too.
            standin = cpu_after.get(dingtalk.pid, (0, "", 0.0))[2] - cpu_before.get(dingtalk.pid, (0, "", 0.0))[2]
            cpu["standin_cpu_s"] = round(standin, 1)
            cpu["tick_cpu_s"] = round(cpu["bench_cpu_s"] - cpu["standin_cpu_s"], 1)
            got = sum(dingtalk.delivered().values())
            when = timeline.summary(queued, expected)
            self.delivered_ms[s["NAME"]] = (last - start) * 1000
            self.delivered_counts[s["NAME"]] = {"email": sink.n, "dingtalk": got, "email_recipients": sink.recipients,
                                                "email_duplicates": sink.duplicates, "email_refused": sink.bad,
                                                "smtp_sink": os.environ.get("BENCH_SMTP_SINK", "lean")}
            self.delivered_cpu[s["NAME"]] = {**cpu, "load_avg": [round(x, 2) for x in load_before + os.getloadavg()],
                                             **when}
            print(f"    reminders_delivered: {sink.n} e-mails and {got} DingTalk notices, the last "
                  f"{last - start:.1f} s after the tick; CPU s: workers {cpu['worker_cpu_s']:.1f}, PostgreSQL "
                  f"{cpu['db_cpu_s']:.1f}, this process (tick, DingTalk stand-in) {cpu['bench_cpu_s']:.1f} "
                  f"(tick {cpu['tick_cpu_s']:.1f}, stand-in {cpu['standin_cpu_s']:.1f}), SMTP sink "
                  f"{cpu['sink_cpu_s']:.1f}; e-mails: first at {when['first_email_s']} s, {when['emails_at_tick_end']} "
                  f"by the tick's end, half at {when['half_emails_s']} s, 90 % at {when['ninety_emails_s']} s; "
                  f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after", flush=True)
            if got < expected:
                raise RuntimeError(f"only {got} of {expected} DingTalk notices arrived; see {log}")
            if sink.duplicates or sink.bad:
                raise RuntimeError(f"the SMTP sink accepted {sink.n} e-mails for {queued} digests, {sink.duplicates} "
                                   f"of them with a Message-ID accepted before, and refused {sink.bad}; see {log}")
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                # A warm shutdown once took 31 s restoring two prefetched messages to Redis, after every
                # digest had arrived: the measurement stands; the worker is killed, not waited for.
                worker.kill()
                worker.wait(timeout=30)
            sink.stop()
            dingtalk.stop()


# ---- the load test (locust against gunicorn) ---------------------------------------------------------

LOAD_OPERATIONS = ["load_liaison_home", "load_overdue", "load_overdue_filtered"]
# The server's key: sessions are signed with it, and a session's auth hash is an HMAC under it.
LOAD_SECRET_KEY = "bench-only-load-test-key-0f3a9c2e71b54d86a1e0c9b7d5f3a218"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_identities(ctx: Context, *, count: int) -> list[dict]:
    """``count`` logged-in sessions of real users: liaisons of different lead units across the regions (home
    page) and the county coordinators (overdue view, plain and filtered by a lead unit of their region), one
    in three a coordinator.

    Sessions are written to the session table as a login would (``SessionStore`` with the auth keys, as
    ``Client.force_login`` does): no password hashing in the measured server, one session row per simulated
    user, read by the server on every request as in production.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings

    from tasks.models import Plan, Unit, WorkItemUnit

    User = get_user_model()
    lead_units = list(
        Unit.objects.filter(kind=Unit.Kind.DEPARTMENT,
                            pk__in=WorkItemUnit.objects.filter(role="lead").values("unit_id"))
        .order_by("pk").values_list("pk", "region_id")
    )
    # Evenly spread over every lead department of the data set, so most regions and plans are covered.
    n_liaisons = count - count // 3
    step = max(1, len(lead_units) // max(1, n_liaisons))
    liaison_units = [pk for pk, _r in lead_units[::step]][:n_liaisons]
    liaisons = list(User.objects.filter(profile__unit__in=liaison_units).order_by("pk"))
    coordinators = list(User.objects.filter(pk__in=Plan.coordinators.through.objects.values("user_id")).order_by("pk"))
    coordinator_unit = {}  # a lead unit of each coordinator's region, for the filtered view
    for user in coordinators:
        region = Plan.objects.filter(coordinators=user).values_list("region_id", flat=True).first()
        coordinator_unit[user.pk] = next((pk for pk, r in lead_units if r == region), None)
    backend = settings.AUTHENTICATION_BACKENDS[-1]

    def session_for(user) -> str:
        with override_settings(SECRET_KEY=LOAD_SECRET_KEY):
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = backend
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
        return store.session_key

    identities = []
    for i in range(count):
        if i % 3 == 2 and coordinators:
            user = coordinators[(i // 3) % len(coordinators)]
            unit = coordinator_unit[user.pk]
            urls = [["load_overdue", "/overdue/", 2]]
            if unit is not None:
                urls.append(["load_overdue_filtered", f"/overdue/?bucket=30%2B&lead_unit={unit}&sort=-due_date", 1])
            identities.append({"kind": "coordinator", "user": user.username, "cookie": session_for(user),
                               "urls": urls})
        else:
            user = liaisons[(i - i // 3) % len(liaisons)]
            identities.append({"kind": "liaison", "user": user.username, "cookie": session_for(user),
                               "urls": [["load_liaison_home", "/", 1]]})
    return identities


def _proc_cpu() -> dict[int, tuple[int, str, float]]:
    """Every process's (parent pid, command, CPU seconds so far) from /proc (Linux); {} elsewhere. A
    process's seconds include its ended children's (PostgreSQL's postmaster reaps the backends of
    connections closed meanwhile, as ``CONN_MAX_AGE`` closes them)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    out = {}
    for entry in Path("/proc").glob("[0-9]*") if Path("/proc/self/stat").exists() else []:
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1: stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[int(entry.name)] = (int(fields[1]), comm, sum(int(f) for f in fields[11:15]) / ticks)
    return out


def _delivery_cpu(before: dict, after: dict, worker_pid: int, database: str,
                  sink_pid: int | None = None, standin_pid: int | None = None) -> dict[str, float]:
    """CPU seconds between two ``_proc_cpu`` readings of the Celery worker (its parent and pool processes),
    PostgreSQL's backends connected to ``database`` (other sessions' databases on the same server left
    out), this process with the DingTalk stand-in's (the tick and the stand-in: ``bench_cpu_s``, as when the
    stand-in ran in this process) and the SMTP sink's process."""
    def spent(pid):
        return after[pid][2] - (before[pid][2] if pid in before else 0.0)

    def serves(pid):
        try:
            return f" {database} " in Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
        except OSError:
            return False

    workers = [pid for pid, (ppid, _c, _s) in after.items() if pid == worker_pid or ppid == worker_pid]
    database = [pid for pid, (_p, comm, _s) in after.items() if comm.startswith("postgres") and serves(pid)]
    return {"worker_cpu_s": round(sum(spent(p) for p in workers), 1),
            "db_cpu_s": round(sum(spent(p) for p in database), 1),
            "bench_cpu_s": round(sum(spent(p) for p in (os.getpid(), standin_pid) if p in after), 1),
            "sink_cpu_s": round(spent(sink_pid) if sink_pid in after else 0.0, 1)}


def _cpu_split(before: dict, after: dict, server_pid: int) -> dict[str, float]:
    """CPU seconds spent between two ``_proc_cpu`` readings by the web server's workers and by PostgreSQL's
    processes (a backend that ended in between counts whole, through the postmaster: its seconds before
    the first reading too, a slight over-estimate)."""
    def spent(pid):
        return after[pid][2] - (before[pid][2] if pid in before else 0.0)

    web = sum(spent(pid) for pid, (ppid, _c, _s) in after.items() if ppid == server_pid or pid == server_pid)
    database = sum(spent(pid) for pid, (_p, comm, _s) in after.items() if comm.startswith("postgres"))
    return {"web": web, "database": database}


def _percentile_ms(row: dict, key: str) -> float | None:
    value = row.get(key, "N/A")
    return None if value in ("", "N/A") else float(value)


def _server_env(database: str) -> dict[str, str]:
    """The web server's environment, as `make run` has it (the Makefile's RUN_ENV): production settings (DEBUG
    off, WhiteNoise's manifest of collected static files), plain http on loopback."""
    from django.db import connection

    s = connection.settings_dict
    auth = (s["USER"] or "postgres") + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return {
        **os.environ,
        "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": LOAD_SECRET_KEY,
        "DJANGO_SECURE_COOKIES": "false", "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{database}",
    }


def collect_static():
    """Start ``collectstatic`` (as `make run` does) in the background: ~20 s of compressing, done while the
    databases are built. Returns the process."""
    import subprocess

    return subprocess.Popen([sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT,
                            env=_server_env("postgres"), stdout=subprocess.DEVNULL)


def run_load(ctx: Context, *, database: str, seconds: int, users: int, size: int, collecting=None) -> list[dict]:
    """gunicorn (2 sync workers, DEBUG off) on a free loopback port against ``database``; ``users`` locust users,
    each waiting 1 s between requests, for ``seconds``. Rows: p95 as ``ms``, p50/p99, requests, errors."""
    import csv
    import resource
    import subprocess
    import urllib.request


    identities = load_identities(ctx, count=users)
    work = Path(tempfile.mkdtemp(prefix="province-load-"))
    (work / "users.json").write_text(json.dumps(identities, ensure_ascii=False))
    port = _free_port()
    env = _server_env(database)
    server_log = work / "gunicorn.log"
    if collecting is not None and collecting.wait() != 0:
        raise RuntimeError("collectstatic failed")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "housing.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--error-logfile", "-"],
        cwd=ROOT, env=env, stdout=server_log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        ready_by = time.perf_counter() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.perf_counter() > ready_by:
                raise RuntimeError(f"gunicorn did not start; see {server_log}:\n{server_log.read_text()[-2000:]}")
            time.sleep(0.2)
        # Warm both workers (imports, templates, translations, connections) as a running server is: a few
        # requests of each page, not measured.
        for identity in [next(i for i in identities if i["kind"] == k) for k in ("liaison", "coordinator")
                         if any(i["kind"] == k for i in identities)]:
            for _name, url, _weight in identity["urls"] * 3:
                request = urllib.request.Request(f"http://127.0.0.1:{port}{url}",
                                                 headers={"Cookie": f"sessionid={identity['cookie']}"})
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
        locust_log = work / "locust.log"
        cpu_before = _proc_cpu()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(
            [str(Path(sys.executable).with_name("locust")), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s", "--stop-timeout", "10",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(work / "load"), "--only-summary",
             "--loglevel", "WARNING", "--exit-code-on-error", "0"],
            cwd=ROOT, env={**os.environ, "BENCH_LOAD_USERS": str(work / "users.json"), "BENCH_LOAD_WAIT": "1"},
            stdout=locust_log.open("w"), stderr=subprocess.STDOUT, timeout=seconds + 120,
        )
        cpu = _cpu_split(cpu_before, _proc_cpu(), server.pid)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # locust, ended and reaped by now
        cpu["load_generator"] = (children.ru_utime + children.ru_stime
                                 - children_before.ru_utime - children_before.ru_stime)
        if result.returncode != 0:
            raise RuntimeError(f"locust failed ({result.returncode}); see {locust_log}:\n"
                               f"{locust_log.read_text()[-2000:]}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    with (work / "load_stats.csv").open(encoding="utf-8") as f:
        stats = {row["Name"]: row for row in csv.DictReader(f)}
    failures = (work / "load_failures.csv").read_text(encoding="utf-8").strip().splitlines()[1:]
    n_liaisons = sum(1 for i in identities if i["kind"] == "liaison")
    people = {kind: len({i["user"] for i in identities if i["kind"] == kind}) for kind in ("liaison", "coordinator")}
    print(f"\nload: {users} users ({n_liaisons} liaisons of {people['liaison']} units, {users - n_liaisons} "
          f"sessions of {people['coordinator']} coordinators), 1 s between requests, {seconds} s, "
          f"gunicorn 2 workers, {size:,} items")
    print(f"{'operation':<24} | requests | errors |  rps  |  p50 ms |  p95 ms |  p99 ms")
    rows = []
    for name in [*LOAD_OPERATIONS, "Aggregated"]:
        row = stats.get(name)
        if row is None:
            continue
        out = {
            "operation": name if name != "Aggregated" else "load_all", "size": size,
            "ms": _percentile_ms(row, "95%"), "queries": None, "floor_ms": None,
            "p50_ms": _percentile_ms(row, "50%"), "p99_ms": _percentile_ms(row, "99%"),
            "requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1), "users": users, "seconds": seconds,
        }
        rows.append(out)
        print(f"{out['operation']:<24} | {out['requests']:8} | {out['errors']:6} | {out['rps']:5.1f} | "
              f"{out['p50_ms'] or 0:7.0f} | {out['ms'] or 0:7.0f} | {out['p99_ms'] or 0:7.0f}", flush=True)
    served = next((r["requests"] for r in rows if r["operation"] == "load_all"), 0)
    if served and cpu["web"]:
        # Where the machine's time went: what a faster page has to save (the test's own CPU is locust's).
        print(f"  CPU per request: web workers {1000 * cpu['web'] / served:.0f} ms, PostgreSQL "
              f"{1000 * cpu['database'] / served:.0f} ms ({os.cpu_count()} cores, {seconds} s: "
              f"{cpu['web'] + cpu['database']:.0f} of {os.cpu_count() * seconds} CPU seconds; "
              f"the simulated users {cpu['load_generator']:.0f})")
        for row in rows:
            row["web_cpu_ms"] = round(1000 * cpu["web"] / served, 1)
            row["db_cpu_ms"] = round(1000 * cpu["database"] / served, 1)
    for line in failures[:5]:
        print(f"  failure: {line}")
    if "ERROR" in server_log.read_text() or "Traceback" in server_log.read_text():
        print(f"  gunicorn logged errors: see {server_log}")
    return rows


_IMPORT_TEXT: list[str] = []


def op_import(ctx: Context) -> None:
    import importlib.util

    from tasks.importers import parse_plan_text
    from tasks.services.plan_import import plan_import

    if not _IMPORT_TEXT:
        spec = importlib.util.spec_from_file_location("parser_bench", ROOT / "bench" / "parser_bench.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _IMPORT_TEXT.append(module.generate(200))
    parsed = parse_plan_text(_IMPORT_TEXT[0], source="bench-200.txt")
    _rolled_back(lambda: plan_import(parsed=parsed, source_name="bench-200.txt",
                                     source_bytes=_IMPORT_TEXT[0].encode()))


def operations(ctx_today: date) -> dict[str, Callable[[Context], None]]:
    month = _last_month(ctx_today)
    from tasks.roundups.periods import Period

    year = Period.year(ctx_today.year - 1)
    return {
        "liaison_home": lambda c: _get(c, "liaison", "/"),
        "overdue": lambda c: _get(c, "coordinator", "/overdue/"),
        "overdue_filtered": lambda c: _get(
            c, "coordinator", f"/overdue/?bucket=30%2B&lead_unit={c.lead_unit.pk}&sort=-due_date"),
        "review": lambda c: _get(c, "coordinator", "/review/"),
        "dashboard": lambda c: _get(c, "coordinator", f"/plans/{c.plan.slug}/"),
        "province_overdue": lambda c: _get(c, "province", "/overdue/"),
        "province_review": lambda c: _get(c, "province", "/review/"),
        # The province user's first page: the review and overdue totals and a page of its 630 plans.
        "province_home": lambda c: _get(c, "province", "/"),
        "roundup_month": lambda c: op_roundup(c, month),
        "roundup_year": lambda c: op_roundup(c, year),
        "all_roundups": op_all_roundups,
        "reminders_scan": op_reminders_scan,
        "reminders_dry_run": op_reminders_dry_run,
        "reminders_send": op_reminders_send,
        "import_200_pages": op_import,
        "all_coordinators": AllCoordinators(),
        # Every overdue item of the province as a workbook: grows with its rows (not a page, no growth target).
        "province_overdue_export": op_province_export,
    }


def warm_runs() -> int:
    """Unmeasured runs of a page or a roundup before it is measured on its database's kept connection: one
    more than psycopg's ``prepare_threshold`` (it prepares a statement on that many executions), so the
    measured runs use prepared statements as a web worker's persistent connection does after its first few
    requests (measured on a connection's first three runs, every statement was also parsed; each is still
    planned for its values: the app's ``plan_cache_mode`` is ``force_custom_plan``)."""
    from django.db import connection

    return (connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold") or 0) + 1


def measure(fn: Callable[[], None]) -> tuple[float, list[dict], int, float]:
    """(milliseconds, statements, number of statements, milliseconds in statements) of one call.

    Each statement is recorded at the driver (an execute wrapper: its SQL, parameters and time to the
    microsecond), not through Django's query log: the log's debug cursor renders every statement with its
    parameters as text after running it, ~10 % of a page's time that a production server never spends.
    """
    from django.db import connection

    from tasks.selectors.calendar import forget_calendar_overrides

    forget_calendar_overrides()  # every run pays for the calendar corrections alike (a per-process cache)
    statements: list[dict] = []

    def record(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append({"sql": sql, "params": params, "many": many,
                               "seconds": time.perf_counter() - start})

    with connection.execute_wrapper(record):
        start = time.perf_counter()
        fn()
        ms = (time.perf_counter() - start) * 1000
    return ms, statements, len(statements), sum(q["seconds"] for q in statements) * 1000


FLOOR_CANDIDATES = 5


def sql_floor(queries: list[dict], *, every: bool = False) -> tuple[float | None, float | None]:
    """(floor, sum): the operation's slowest read statement under EXPLAIN ANALYZE, planning + execution ms;
    with ``every``, also the sum over all its reads (the SQL it cannot do without: what is left of its
    time is Python and round trips), else None.

    The ``FLOOR_CANDIDATES`` slowest reads by their time in the run (at the driver, to the microsecond;
    Django's own times are rounded to the millisecond, so on a warm connection most pages' statements all
    read 0.000 or 0.001 s and the one picked was arbitrary) are run again under EXPLAIN ANALYZE, each
    under the session settings the operation itself made (``SET LOCAL jit = off``), in a transaction;
    the largest counts.
    """
    from django.db import connection, transaction

    def starts(query, *words):
        # (a compound statement, "(SELECT ...) UNION ALL (SELECT ...)", opens with a parenthesis on PostgreSQL)
        return not query["many"] and query["sql"].lstrip(" \n(").upper().startswith(words)

    reads = [q for q in queries if starts(q, "SELECT", "WITH")]
    if not reads:
        return None, None
    slowest = sorted(reads, key=lambda q: q["seconds"], reverse=True)
    if not every:
        slowest = slowest[:FLOOR_CANDIDATES]
    sets = [q for q in queries if starts(q, "SET ")]
    floors = []
    for query in slowest:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in sets:
                cursor.execute(statement["sql"], statement["params"])
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"], query["params"])
            plan = cursor.fetchone()[0]
        plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
        floors.append(plan.get("Planning Time", 0.0) + plan.get("Execution Time", 0.0))
    return max(floors), sum(floors) if every else None


def run(sizes: list[int], *, repeat: int, only: list[str] | None, keep: bool, today: date,
        prefix: str = "bench", celery_redis: str | None = None, load_seconds: int | None = None,
        load_users: int = 50, reuse: bool = False, migrated: str | None = None) -> tuple[list[dict], dict[str, str]]:
    """The rows of every operation that ran, and the ones that raised (operation -> error): those are left
    out of the rows, after the others and the load test have run."""
    from django.db import connection

    from bench.province_data import build

    failed: dict[str, str] = {}
    names = {size: f"{prefix}_{size}" for size in sizes}
    collecting = collect_static() if load_seconds else None
    if reuse:
        keep = True  # never drop what this run did not create
    else:
        print(f"creating {', '.join(names.values())} (migrating a template once)", flush=True)
        create_databases(list(names.values()), template=f"{prefix}_tpl_{os.getpid()}", migrated=migrated)
    contexts = {}
    try:
        for size, name in names.items():
            if reuse:
                built, built_today = described_database(name)
                print(f"  {name}: reused, built for {built_today}: {built.counts}", flush=True)
                vacuum_analyze(name)
                use_database(name)
                contexts[size] = Context(built, built_today)
                continue
            use_database(name)
            start = time.perf_counter()
            built = build(size, today=today)
            print(f"  {name}: {built.shape.plans} plans, {built.shape.regions} regions, "
                  f"{built.counts} in {time.perf_counter() - start:.1f} s", flush=True)
            if keep:
                describe_database(name, built, today)
            contexts[size] = Context(built, today)
        if collecting is not None:
            # Not while measuring: it compresses the static files for ~20 s on the same two cores. Building
            # takes longer; a --reuse run would otherwise time its first pages against it.
            collecting.wait()
        ops = operations(today)
        chosen = [op for op in OPERATIONS if not only or op in only]
        if celery_redis and "reminders_send" in chosen:
            # It sends for real (commits): once per size, after everything else.
            ops["reminders_send"] = CelerySend(celery_redis)
            chosen = [op for op in chosen if op != "reminders_send"] + ["reminders_send"]
        best: dict[tuple[str, int], tuple[float, list[dict]]] = {}
        for op in chosen:
            try:
                if hasattr(ops[op], "prepare"):
                    for size in sizes:
                        use_database(names[size], keep=True)
                        ops[op].prepare(contexts[size])
                if op in PAGES + PER_PLAN:  # steady state: the connection has prepared the statements
                    for size in sizes:
                        use_database(names[size], keep=True)
                        for _ in range(warm_runs()):
                            ops[op](contexts[size])
                for _ in range(1 if isinstance(ops[op], CelerySend) else repeat):
                    for size in sizes:  # interleaved: size A, size B, size A, ...
                        use_database(names[size], keep=True)
                        ms, queries, n, sql_ms = measure(lambda op=op, size=size: ops[op](contexts[size]))
                        ms = getattr(ops[op], "ms", ms)
                        if (op, size) not in best or ms < best[op, size][0]:
                            best[op, size] = (ms, queries, n, sql_ms)
            except Exception as exc:  # the other operations' results are still worth an hour's run
                failed[op] = f"{type(exc).__name__}: {exc}"
                print(f"{op:<18} FAILED: {failed[op]}", flush=True)
                traceback.print_exc()
                continue
            for size in sizes:
                use_database(names[size], keep=True)
                ms, queries, n, sql_ms = best[op, size]
                floor, floor_sum = sql_floor(queries, every=op in PAGES + PER_PLAN)
                if op == "all_roundups":
                    n = round(n / max(1, len(contexts[size].plan_ids)), 1)
                if hasattr(ops[op], "requests"):  # per request
                    per = max(1, ops[op].requests(contexts[size]))
                    ms, n, sql_ms = ms / per, round(n / per, 1), sql_ms / per
                best[op, size] = (ms, queries, n, floor, sql_ms, floor_sum)
            _print_row(op, sizes, best)
        load_rows = []
        if load_seconds:
            largest = max(sizes)
            use_database(names[largest])
            try:
                load_rows = run_load(contexts[largest], database=names[largest], seconds=load_seconds,
                                     users=load_users, size=largest, collecting=collecting)
            except Exception as exc:
                failed["load"] = f"{type(exc).__name__}: {exc}"
                print(f"load FAILED: {failed['load']}", flush=True)
                traceback.print_exc()
        connection.close()
    finally:
        if not keep:
            drop_databases(list(names.values()))
    rows = [
        {"operation": op, "size": size, "ms": round(best[op, size][0], 1), "queries": best[op, size][2],
         "floor_ms": round(best[op, size][3], 1) if best[op, size][3] is not None else None,
         "sql_ms": round(best[op, size][4], 1)}
        | ({"floor_sum_ms": round(best[op, size][5], 1)} if best[op, size][5] is not None else {})
        for op in chosen if op not in failed for size in sizes
    ] + load_rows
    send = ops.get("reminders_send")
    delivered = getattr(send, "delivered_ms", {})
    rows += [
        {"operation": "reminders_delivered", "size": size, "ms": round(delivered[names[size]], 1),
         "delivered": send.delivered_counts[names[size]], **send.delivered_cpu.get(names[size], {})}
        for size in sizes if names[size] in delivered
    ]
    print_verdicts(target_verdicts(rows, tick_ms=getattr(send, "tick_ms", {}).get(names[max(sizes)])))
    for op, error in failed.items():
        print(f"  FAILED   {op}: {error}", flush=True)
    return rows, failed


def target_verdicts(rows: list[dict], *, tick_ms: float | None = None) -> list[tuple[str, bool, str]]:
    """The issue's targets against a run's rows (``run``'s JSON): (target, met, the figures), the largest
    size against the smallest. ``tick_ms``: the reminder day's tick at the largest size (``--celery``)."""
    sizes = sorted({r["size"] for r in rows if not r["operation"].startswith("load_")})
    if not sizes:
        return []
    small, large = sizes[0], sizes[-1]
    at = {(r["operation"], r["size"]): r for r in rows}
    ops = [op for op in OPERATIONS if (op, large) in at]
    verdicts = []

    def add(target: str, met: bool, figures: str) -> None:
        verdicts.append((target, met, figures))

    if small != large:
        def grew(op: str) -> bool:
            before, after = at[op, small]["queries"], at[op, large]["queries"]
            # all_roundups counts per plan: the fixed statements spread over more plans.
            return after > before if op == "all_roundups" else after != before

        # Without --celery, reminders_send counts every digest's statements in this process: one set per
        # recipient by design; through Celery it counts the tick's.
        counted = [op for op in ops if (op, small) in at and (op != "reminders_send" or tick_ms is not None)]
        grown = [f"{op} {at[op, small]['queries']} -> {at[op, large]['queries']}" for op in counted if grew(op)]
        add("same query count at every size", not grown, ", ".join(grown) or f"{len(counted)} operations")
        growth = {op: at[op, large]["ms"] / max(at[op, small]["ms"], 1e-3)
                  for op in PAGES + PER_PLAN + PER_REQUEST if (op, small) in at and (op, large) in at}
        worst = max(growth, key=growth.get, default=None)
        if worst:
            add(f"{large:,} ÷ {small:,} ≤ {MAX_GROWTH} (pages, one roundup)", growth[worst] <= MAX_GROWTH,
                f"worst {worst} {growth[worst]:.2f}")
    for key, target in (
        ("floor_ms", "the SQL floor (pages, one roundup)"),
        ("floor_sum_ms", "the SQL it runs, every read under EXPLAIN ANALYZE summed (pages, one roundup; the "
                         "issue's floor is the slowest one)"),
    ):
        times = {op: at[op, large]["ms"] / at[op, large][key]
                 for op in PAGES + PER_PLAN if (op, large) in at and at[op, large].get(key)}
        over = sorted((op for op in times if times[op] > MAX_TIMES_FLOOR), key=times.get, reverse=True)
        if times:
            add(f"≤ {MAX_TIMES_FLOOR:g}× {target}", not over,
                ", ".join(f"{op} {times[op]:.1f}×" for op in over) or f"worst {max(times.values()):.1f}×")
    province = [op for op in ("province_overdue", "province_review", "province_home") if (op, large) in at]
    if province:
        add(f"province-wide pages under {PROVINCE_PAGE_MS} ms", all(at[op, large]["ms"] < PROVINCE_PAGE_MS
                                                                   for op in province),
            ", ".join(f"{op} {at[op, large]['ms']:.0f} ms" for op in province))
    if ("all_roundups", large) in at:
        ms = at["all_roundups", large]["ms"]
        add(f"all roundups under {ALL_ROUNDUPS_MS // 1000} s", ms < ALL_ROUNDUPS_MS, f"{ms / 1000:.1f} s")
    if tick_ms is not None:
        add(f"reminder day's tick under {REMINDER_TICK_MS // 1000} s", tick_ms < REMINDER_TICK_MS,
            f"{tick_ms / 1000:.1f} s")
    if ("reminders_delivered", large) in at:
        row = at["reminders_delivered", large]
        add(f"reminders delivered (tick to the last e-mail and DingTalk notice) under "
            f"{REMINDERS_DELIVERED_MS // 1000} s", row["ms"] < REMINDERS_DELIVERED_MS,
            f"{row['ms'] / 1000:.1f} s, {row['delivered']}")
    load = at.get(("load_all", large)) or next((r for r in rows if r["operation"] == "load_all"), None)
    if load:
        p95 = load["ms"]
        add(f"load p95 under {LOAD_P95_MS} ms, no error",
            p95 is not None and p95 < LOAD_P95_MS and not load["errors"] and load["requests"] > 0,
            f"p95 {'-' if p95 is None else f'{p95:.0f}'} ms, {load['errors']} errors, {load['requests']} requests")
    return verdicts


def print_verdicts(verdicts: list[tuple[str, bool, str]]) -> None:
    if verdicts:
        print("\ntargets")
    for target, met, figures in verdicts:
        print(f"  {'met    ' if met else 'NOT MET'}  {target}: {figures}", flush=True)


_HEADER_DONE: list[bool] = []


def _print_row(op: str, sizes: list[int], best: dict) -> None:
    if not _HEADER_DONE:
        cols = "".join(f" | {f'{s:,}':>10} ms | in SQL | queries |   floor | ×floor | Σfloor |   ×Σ" for s in sizes)
        print(f"\n{'operation':<18}{cols} | large÷small")
        _HEADER_DONE.append(True)
    cells = ""
    for s in sizes:
        ms, _q, n, floor, sql_ms, floor_sum = best[op, s]
        ratio = f"{ms / floor:6.1f}" if floor else "     -"
        floor_text = f"{floor:7.1f}" if floor is not None else "      -"
        sum_text = f"{floor_sum:6.1f} | {ms / floor_sum:4.1f}" if floor_sum else "     - |    -"
        cells += f" | {ms:13.1f} | {sql_ms:6.1f} | {n!s:>7} | {floor_text} | {ratio} | {sum_text}"
    growth = best[op, sizes[-1]][0] / best[op, sizes[0]][0] if best[op, sizes[0]][0] else 0
    print(f"{op:<18}{cells} | {growth:10.2f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="work items per database, comma-separated")
    parser.add_argument("--json", help="write the rows as JSON to this path")
    parser.add_argument("--keep", action="store_true", help="keep the bench_* databases")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the databases a --keep run left (same --prefix and --sizes) without building")
    parser.add_argument("--repeat", type=int, default=3, help="runs per operation and size; the best counts")
    parser.add_argument("--only", help="comma-separated operation names")
    parser.add_argument("--prefix", default="bench", help="database names: <prefix>_<size> (default bench)")
    parser.add_argument("--celery", metavar="REDIS_URL",
                        help="send reminders_send through Celery on this Redis database (2 workers, SMTP sink)")
    parser.add_argument("--load", nargs="?", type=int, const=60, metavar="SECONDS",
                        help="also a load test against the largest size: gunicorn with 2 workers, locust users "
                             "waiting 1 s between requests, for SECONDS (default 60)")
    parser.add_argument("--load-users", type=int, default=50, help="simulated users of --load (default 50)")
    parser.add_argument("--migrated", metavar="DATABASE",
                        help="start from this migrated database instead of migrating an empty one (the test suite's "
                             "template; nobody may be connected to it)")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench/province.py needs DATABASE_URL=postgres://... (it creates bench_* databases there); skipped")
        return 0
    _setup_django()

    sizes = [int(s) for s in args.sizes.split(",")]
    rows, failed = run(sizes, repeat=args.repeat, only=args.only.split(",") if args.only else None,
                       keep=args.keep, today=bench_today(), prefix=args.prefix, celery_redis=args.celery,
                       load_seconds=args.load, load_users=args.load_users, reuse=args.reuse,
                       migrated=args.migrated)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
