"""Where the reminder day's delivery time goes, in one process: tick, digest composition, outbox delivery.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/outbox_profile.py [--size 100000] [--limit 2000] [--keep | --reuse] [--top 25]

Builds ``<prefix>_<size>`` as ``bench/province.py`` does (or reuses a kept one), gives every person a
DingTalk id (their username, DingTalk first, as the Celery bench does), then runs in this process, each
phase under cProfile with its statements counted:

1. the tick's scan and grouping (``reminders_tick``; the Celery tasks it would queue are collected, not sent);
2. composing and queuing the digests of the first ``--limit`` addresses (``reminder_digests_send``);
3. ``outbox_deliver('email')`` to an SMTP sink on loopback (aiosmtpd) and
   ``outbox_deliver('dingtalk')`` to the DingTalk stand-in (``tasks/tests/notifications/fakes.py``).

Everything runs in one transaction that is rolled back at the end (the database stays as built, so
``--reuse`` measures again); Celery's own overhead is not in these figures (the bench's Celery run
minus these is). Prints per phase: wall time, statements, per digest / per batch, and the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.province import (  # noqa: E402  (sets the environment the bench runs with)
    DingTalkStandInProcess,
    _setup_django,
    bench_today,
    create_databases,
    drop_databases,
    reminder_day_now,
    start_smtp_sink_process,
    use_database,
)


class _Rollback(Exception):
    pass


def _shape(sql: str) -> str:
    """A statement without its literals (ids, strings): statements of one shape add up."""
    import re

    return re.sub(r"'[^']*'|\b\d+\b", "?", re.sub(r"\((?:\s*(?:'[^']*'|\d+)\s*,?)+\)", "(…)", sql))[:150]


def _backend_cpu(connection) -> float:
    """CPU seconds so far of this connection's PostgreSQL backend (/proc: the server on this machine), else 0."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    return sum(int(f) for f in fields[11:13]) / os.sysconf("SC_CLK_TCK")


class _GcClock:
    """The cyclic garbage collector's runs and CPU seconds while it is on (``gc.callbacks``)."""

    def __init__(self):
        import gc

        self.runs, self.seconds, self._start = 0, 0.0, 0.0
        self._gc = gc
        gc.callbacks.append(self._tick)

    def _tick(self, phase, info):
        if phase == "start":
            self._start = time.process_time()
        else:
            self.runs += 1
            self.seconds += time.process_time() - self._start

    def stop(self):
        self._gc.callbacks.remove(self._tick)


def _phase(name: str, fn, *, top: int, per: dict[str, int] | None = None, shapes: int = 0, sort: str = "cumulative",
           dump: str = ""):
    from collections import defaultdict

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profiler = cProfile.Profile()
    collected = _GcClock()
    connection.queries_log.clear()  # its window is 9,000 statements: counted from empty
    backend = _backend_cpu(connection)
    with CaptureQueriesContext(connection) as queries:
        start, cpu = time.perf_counter(), time.process_time()
        if top:
            profiler.enable()
        result = fn()
        profiler.disable()
        if dump and top:  # for pstats' callers and callees: python -m pstats <file>
            profiler.dump_stats(f"{dump}/{'_'.join(name.split()[:2])}.pstats")
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    collected.stop()
    backend = _backend_cpu(connection) - backend
    n = len(queries.captured_queries)
    extra = "".join(f", {n / max(v, 1):.1f} statements and {1000 * elapsed / max(v, 1):.1f} ms per {k}"
                    for k, v in (per or {}).items())
    print(f"\n== {name}: {elapsed:.2f} s ({cpu:.2f} s of this process's CPU), {n} statements{extra}; "
          f"{collected.runs} garbage collections, {collected.seconds:.2f} s; "
          f"PostgreSQL's backend {backend:.2f} s of CPU",
          flush=True)
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for q in slowest:
        print(f"   slowest: {float(q['time']) * 1000:.0f} ms  {q['sql'][:400]}")
    if shapes:  # where the statements' time went, by shape
        by_shape: dict[str, list[float]] = defaultdict(list)
        for q in queries.captured_queries:
            by_shape[_shape(q["sql"])].append(float(q["time"]))
        for shape, times in sorted(by_shape.items(), key=lambda kv: -sum(kv[1]))[:shapes]:
            print(f"   {sum(times) * 1000:8.0f} ms {len(times):5d}×  {shape}")
    if top:  # (--top 0: no cProfile, the phases' times as they are)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(top)
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--limit", type=int, default=2000, help="digests composed and delivered at most")
    parser.add_argument("--prefix", default="outboxprof")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--shapes", type=int, default=0, help="also the N statement shapes that took longest")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="freeze the objects made so far out of the garbage collector's reach, as a worker does")
    parser.add_argument("--dump", default="", help="a directory: each phase's profile written there (pstats)")
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"],
                        help="the profile's order: time under a function, or in it alone")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench/outbox_profile.py needs DATABASE_URL=postgres://...; skipped")
        return 0
    _setup_django()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import OuterRef, Subquery

    from bench.province_data import build
    from tasks.models import Message, Profile
    from tasks.notifications import services as outbox
    from tasks.services import reminders

    name = f"{args.prefix}_{args.size}"
    if not args.reuse:
        create_databases([name], template=f"{args.prefix}_tpl_{os.getpid()}")
    use_database(name)
    today = bench_today()
    if not args.reuse:
        start = time.perf_counter()
        build(args.size, today=today)
        print(f"built {name} in {time.perf_counter() - start:.1f} s", flush=True)

    # The SMTP sink and the DingTalk stand-in in processes of their own, as in the Celery run: each phase's CPU
    # is then this process's alone (in it, their threads' CPU counted with the phase's and took its lock).
    sink, port = start_smtp_sink_process()
    dingtalk = DingTalkStandInProcess()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DINGTALK_API_BASE, settings.DINGTALK_APP_KEY = dingtalk.url, dingtalk.app_key
    settings.DINGTALK_APP_SECRET, settings.DINGTALK_AGENT_ID = dingtalk.app_secret, str(dingtalk.agent_id)

    if args.gc_freeze:  # as a Celery worker process does at its start (housing/celery.py)
        from housing.celery import freeze_startup_objects

        freeze_startup_objects()
    queued_tasks: list[tuple[str, tuple]] = []

    def collect(task_name, *task_args):
        queued_tasks.append((task_name, task_args))

    modules = [reminders, outbox]
    saved = [m.enqueue_after_commit for m in modules]
    for m in modules:
        m.enqueue_after_commit = collect
    now = reminder_day_now(today)
    try:
        with transaction.atomic():
            Profile.objects.update(
                dingtalk_id=Subquery(get_user_model().objects.filter(pk=OuterRef("user_id")).values("username")[:1]),
                channels="dingtalk",
            )
            result = _phase("tick (scan, grouping)", lambda: reminders.reminders_tick(now=now), top=args.top,
                            shapes=args.shapes)
            emails = result.emails[: args.limit]
            print(f"   {len(result.emails)} addresses due; composing {len(emails)}", flush=True)
            groups = [emails[i: i + reminders.DIGESTS_PER_TASK]
                      for i in range(0, len(emails), reminders.DIGESTS_PER_TASK)]
            _phase("compose and queue digests",
                   lambda: [reminders.reminder_digests_send(emails=g, now=now) for g in groups],
                   top=args.top, per={"digest": len(emails)}, shapes=args.shapes, sort=args.sort, dump=args.dump)
            counts = {c: Message.objects.filter(channel=c, state="queued").count() for c in ("email", "dingtalk")}
            print(f"   queued: {counts}", flush=True)
            email_batches = -(-counts["email"] // settings.NOTIFY_EMAIL_BATCH_SIZE)
            summary = _phase("deliver email (SMTP sink)", lambda: outbox.outbox_deliver(channel="email", now=now),
                             top=args.top, per={"e-mail": counts["email"], "batch": email_batches},
                             shapes=args.shapes, sort=args.sort, dump=args.dump)
            print(f"   {summary.as_dict()}; the sink has {sink.n}", flush=True)
            summary = _phase("deliver dingtalk (stand-in)",
                             lambda: outbox.outbox_deliver(channel="dingtalk", now=now),
                             top=args.top, per={"notice": counts["dingtalk"]}, shapes=args.shapes, sort=args.sort,
                             dump=args.dump)
            print(f"   {summary.as_dict()}; the stand-in has {sum(dingtalk.delivered().values())}", flush=True)
            raise _Rollback
    except _Rollback:
        pass
    finally:
        for m, f in zip(modules, saved, strict=True):
            m.enqueue_after_commit = f
        sink.stop()
        dingtalk.stop()
        if not (args.keep or args.reuse):
            drop_databases([name])
    return 0


if __name__ == "__main__":
    sys.exit(main())
