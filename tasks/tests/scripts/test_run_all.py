"""`make run`'s supervisor (scripts/run_all.py): one Ctrl-C stops the web server, the worker and beat."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 90  # seconds: three Django/Celery start-ups on a busy 2-core machine
STOP_TIMEOUT = 20  # the supervisor's grace (5 s here) plus the kill and slack


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) for every live process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        table[int(entry)] = (int(ppid), state)
    return table


def _descendants(root: int) -> set[int]:
    table = _process_table()
    found, todo = set(), [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, _state) in table.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                todo.append(pid)
    return found


def _alive(pids: set[int]) -> set[int]:
    table = _process_table()
    return {p for p in pids if p in table and table[p][1] != "Z"}


def _tree(procs: dict[str, subprocess.Popen]) -> set[int]:
    """The processes started here and their descendants."""
    return _descendants(os.getpid()) & ({p.pid for p in procs.values()}
                                        | set().union(*(_descendants(p.pid) for p in procs.values())))


WORKER_READY = b"ready."  # what a Celery worker logs once its pool has started


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _serving(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_one_ctrl_c_to_the_process_group_stops_web_worker_and_beat(tmp_path):
    sig = signal.SIGINT  # what the terminal sends the foreground group
    for d in ("celery/queue", "celery/processed", "celery/control"):
        (tmp_path / d).mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_FILESYSTEM_DIR")}
    env.update(DJANGO_VAR_DIR=str(tmp_path), DJANGO_DEBUG="false", DJANGO_SECRET_KEY="test-run-all-" + "x" * 40,
               DJANGO_SECURE_SSL_REDIRECT="false", DJANGO_SECURE_COOKIES="false", DJANGO_SECURE_HSTS_SECONDS="0",
               RUN_STOP_GRACE="5", PYTHONUNBUFFERED="1")
    port = _free_port()
    log = (tmp_path / "run.log").open("wb")
    # A new session stands for the terminal's foreground process group that Ctrl-C signals.
    sup = subprocess.Popen([sys.executable, "scripts/run_all.py", "--port", str(port)], cwd=ROOT, env=env,
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    children: set[int] = set()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        # Up when the site answers and the worker says it is ready (its pool started): waited for, not slept.
        while time.monotonic() < deadline and not (
                _serving(port) and len(_descendants(sup.pid)) >= 4 and WORKER_READY in _read(tmp_path / "run.log")):
            assert sup.poll() is None, (tmp_path / "run.log").read_text()
            time.sleep(0.2)
        children = _descendants(sup.pid)
        # web (+ its autoreload child), worker (+ 2 pool processes), beat
        assert _serving(port) and len(children) >= 4, (tmp_path / "run.log").read_text()

        os.killpg(sup.pid, sig)
        sup.wait(timeout=STOP_TIMEOUT)
        deadline = time.monotonic() + 5
        while _alive(children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(children), (tmp_path / "run.log").read_text()
        assert not _serving(port)
    finally:
        if sup.poll() is None:
            os.killpg(sup.pid, signal.SIGKILL)
        for pid in _alive(children | _descendants(sup.pid)):
            os.kill(pid, signal.SIGKILL)
        log.close()


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period():
    """A worker hung in warm shutdown (here: one that ignores SIGTERM, with a child of its own) is killed
    with its whole group once the grace period is over; a well-behaved one stops at once."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import run_all
    finally:
        sys.path.pop(0)
    stubborn = ("import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)")
    procs = {
        "worker": subprocess.Popen([sys.executable, "-c", stubborn], start_new_session=True),
        "web": subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True),
    }
    # The stubborn one sets its handler before it starts its child: once the child runs, it is set.
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and len(tree := _tree(procs)) < 3:
        time.sleep(0.05)
    assert len(tree) == 3
    started = time.monotonic()
    run_all.stop(procs, grace=1.5)
    took = time.monotonic() - started
    assert 1.4 <= took < 5
    assert procs["web"].returncode == -signal.SIGTERM and procs["worker"].returncode == -signal.SIGKILL
    deadline = time.monotonic() + 3
    while _alive(tree) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(tree)  # the stubborn one's child went with its group
