#!/usr/bin/env python3
"""`make run`'s supervisor: the web server, the Celery worker and beat, stopped together by one Ctrl-C.

Each of the three runs in its own process group, so a Ctrl-C at the terminal (or a signal to this
script's group) reaches only this script, which then stops each group in order: SIGTERM (the worker's
warm shutdown, runserver and its autoreload child), a grace period, then SIGKILL for whatever is left
(a worker hung in warm shutdown, its pool processes). If one of the three exits by itself, the others
are stopped too. Run with the project's interpreter: ``.venv/bin/python scripts/run_all.py [--port N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def commands(host: str, port: int, python: str = sys.executable) -> dict[str, list[str]]:
    var = Path(os.environ.get("DJANGO_VAR_DIR", ROOT / "var"))
    return {
        "worker": [python, "-m", "celery", "-A", "housing", "worker", "--loglevel=INFO", "--concurrency=2",
                   "--pool=prefork"],
        "beat": [python, "-m", "celery", "-A", "housing", "beat", "--loglevel=INFO",
                 f"--schedule={var / 'celerybeat-schedule'}"],
        "web": [python, "manage.py", "runserver", f"{host}:{port}"],
    }


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)  # the child leads its own group (start_new_session)


def stop(procs: dict[str, subprocess.Popen], grace: float) -> None:
    """SIGTERM every group, wait up to ``grace`` seconds for the leaders, then SIGKILL every group
    (also sweeping grandchildren a leader left behind)."""
    for proc in procs.values():
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    for name, proc in procs.items():
        if proc.poll() is None:
            print(f"run_all: {name} did not stop within {grace:g}s; killing it", file=sys.stderr, flush=True)
        _signal_group(proc, signal.SIGKILL)
    for proc in procs.values():
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--grace", type=float, default=float(os.environ.get("RUN_STOP_GRACE", "10")),
                        help="seconds to wait after SIGTERM before SIGKILL (default 10)")
    args = parser.parse_args(argv)

    stopping: list[int] = []

    def on_signal(signum, _frame):
        stopping.append(signum)

    for sig in STOP_SIGNALS:
        signal.signal(sig, on_signal)

    procs: dict[str, subprocess.Popen] = {}
    code = 0
    try:
        for name, cmd in commands(args.host, args.port).items():
            if stopping:
                break
            procs[name] = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
        while not stopping:
            exited = [(n, p.returncode) for n, p in procs.items() if p.poll() is not None]
            if exited:
                name, code = exited[0]
                print(f"run_all: {name} exited ({code}); stopping the others", file=sys.stderr, flush=True)
                break
            time.sleep(0.2)
    finally:
        for sig in STOP_SIGNALS:  # a second Ctrl-C while stopping does not interrupt the clean-up
            signal.signal(sig, signal.SIG_IGN)
        stop(procs, args.grace)
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
