"""Where the suite's time goes: each test's start and end, its worker and its CPU seconds, summed per unit of
work (a module, or the browser folder) and per worker.

``make profile-suite`` runs the whole suite with this plugin (``-p tasks.tests.timeline``) and prints the
table; ``python -m tasks.tests.timeline [folder]`` prints it again from the files of the last run
(``var/timeline-<worker>.jsonl``, one line a test). CPU seconds (the worker's own, and its children's: the
LibreOffice, Chromium and Python processes a test starts) are what to compare between two runs on a shared
machine; wall seconds rise with the load. A worker that ends long before the other is the xdist tail.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[2] / "var"
_out = None


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _children_of(pid: int) -> list[int] | None:
    """The pids of ``pid``'s children (Linux's /proc/<pid>/task/<tid>/children), or None where not offered."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return [] if os.path.isdir("/proc/self/task") else None
    found: list[int] = []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as children:
                found += [int(p) for p in children.read().split()]
        except FileNotFoundError:
            return None  # a kernel without CONFIG_PROC_CHILDREN
        except OSError:
            continue  # the thread ended meanwhile
    return found


def _cpu_of(pid: int) -> float:
    """A process's CPU seconds and its reaped children's (utime, stime, cutime, cstime), 0 once it has ended."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / _TICK


def descendants_cpu(root: int | None = None) -> float:
    """CPU seconds of the processes now running under ``root`` (this process), each with its reaped children's.

    ``getrusage(RUSAGE_CHILDREN)`` counts a child only once it has ended and been waited for: the shared
    Chromium's seconds (and a LibreOffice's grandchildren's) all landed on the test that closed it. Read with
    it, a test is charged what its children spent while it ran. Linux's /proc (the children lists, walked from
    ``root``: a fraction of a millisecond without children); 0 elsewhere.
    """
    root = os.getpid() if root is None else root
    total, todo = 0.0, _children_of(root)
    if todo is None:
        return 0.0
    while todo:
        pid = todo.pop()
        total += _cpu_of(pid)
        todo += _children_of(pid) or []
    return total


_slept = [0.0]
_real_sleep = time.sleep


def _counted_sleep(seconds):
    """``time.sleep``, with the seconds asked for added up (a test's fixed waits, in any of its threads)."""
    _slept[0] += max(float(seconds), 0.0)
    return _real_sleep(seconds)


def _children_cpu() -> float:
    return _cpu(resource.RUSAGE_CHILDREN) + descendants_cpu()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """The controller removes the last run's files (before its workers start); whoever runs tests writes one."""
    global _out
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    FOLDER.mkdir(exist_ok=True)
    if worker is None:
        for old in FOLDER.glob("timeline-*.jsonl"):
            old.unlink()
        if session.config.pluginmanager.has_plugin("dsession"):
            return  # xdist's controller: the workers run the tests
    time.sleep = _counted_sleep
    _out = open(FOLDER / f"timeline-{worker or 'main'}.jsonl", "w", encoding="utf-8", buffering=1)  # noqa: SIM115


def pytest_sessionfinish(session, exitstatus):
    time.sleep = _real_sleep
    if _out is not None:
        _out.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    # The children first: reading /proc is this process's CPU, not the test's.
    child = _children_cpu()
    start, cpu, slept = time.time(), _cpu(resource.RUSAGE_SELF), _slept[0]
    yield
    if _out is not None:
        _out.write(json.dumps({
            "id": item.nodeid, "start": start, "end": time.time(),
            "cpu": round(_cpu(resource.RUSAGE_SELF) - cpu, 4),
            # Not below 0: processes that end without being waited for by this tree (Chromium's renderers when
            # it closes) take their seconds, already charged while they ran, out of the sum.
            "child_cpu": round(max(_children_cpu() - child, 0.0), 4),
            "slept": round(_slept[0] - slept, 4),
        }) + "\n")


def summary(folder: Path = FOLDER, top: int = 40) -> str:
    from tasks.tests.parallel import scope_of

    rows = []
    for path in sorted(folder.glob("timeline-*.jsonl")):
        worker = path.stem.removeprefix("timeline-")
        rows += [{**json.loads(line), "worker": worker} for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    if not rows:
        return f"no timeline in {folder}: run `make profile-suite`"
    t0 = min(r["start"] for r in rows)
    lines = [f"{len(rows)} tests; CPU {sum(r['cpu'] for r in rows):.1f} s in the workers, "
             f"{sum(r['child_cpu'] for r in rows):.1f} s in their children; {max(r['end'] for r in rows) - t0:.1f} s"]
    for worker in sorted({r["worker"] for r in rows}):
        mine = sorted((r for r in rows if r["worker"] == worker), key=lambda r: r["start"])
        lines.append(f"{worker}: {len(mine)} tests, busy {sum(r['end'] - r['start'] for r in mine):.1f} s, "
                     f"CPU {sum(r['cpu'] + r['child_cpu'] for r in mine):.1f} s, last test ended at "
                     f"{mine[-1]['end'] - t0:.1f} s ({scope_of(mine[-1]['id'])})")
    units = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0.0])
    for r in rows:
        unit = units[scope_of(r["id"])]
        unit[0] += 1
        unit[1] += r["end"] - r["start"]
        unit[2] += r["cpu"]
        unit[3] += r["child_cpu"]
        unit[4] += r.get("slept", 0.0)
    lines.append(f"{'unit of work':64} {'tests':>5} {'wall s':>7} {'CPU s':>7} {'child':>6} {'slept':>6}")
    for name, (n, wall, cpu, child, slept) in sorted(units.items(), key=lambda kv: -(kv[1][2] + kv[1][3]))[:top]:
        lines.append(f"{name:64} {n:5d} {wall:7.1f} {cpu:7.1f} {child:6.1f} {slept:6.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER))
