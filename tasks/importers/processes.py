"""Running an outside program on an upload so that a time limit stops all of it. Pure, no Django.

LibreOffice's ``soffice`` is a shell script that execs ``oosplash``, which starts ``soffice.bin`` as its child:
``subprocess.run(..., timeout=)`` kills only the process it started, so the converter itself (the one reading
the hostile document) went on running, orphaned, after every time limit; and a reading child stopped by
``limits._within`` left whatever it had started running too. ``run_contained`` starts the program in a process
group of its own and kills the group when the time is up; ``kill_tree`` stops a process and everything it
started (found through ``/proc``, whatever group they are in) when the parent gives up on it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Sequence


def run_contained(
    command: Sequence[str], *, timeout: float, env: dict[str, str] | None = None, cwd: str | os.PathLike | None = None
) -> subprocess.CompletedProcess:
    """``command`` run to its end with its output captured, as ``subprocess.run`` would; past ``timeout``
    seconds it and every process it started are killed and ``subprocess.TimeoutExpired`` is raised."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd, start_new_session=True
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            kill_tree(process.pid)  # anything that left the group
            process.communicate()
            raise
        except BaseException:
            _kill_group(process.pid)
            raise
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _children_by_parent() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and brackets, so read after its last ")".
        fields = stat.rsplit(b")", 1)[-1].split()
        if len(fields) > 1:
            found.setdefault(int(fields[1]), []).append(int(name))
    return found


def descendants(pid: int) -> list[int]:
    """Every process ``pid`` started, and theirs (Linux ``/proc``; none found elsewhere)."""
    children = _children_by_parent()
    out: list[int] = []
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in out:
                out.append(child)
                stack.append(child)
    return out


def kill_tree(pid: int) -> None:
    """Kill ``pid``'s descendants and ``pid`` itself. They are stopped first (a stopped process cannot start
    another), looked for again, then killed; the caller reaps ``pid``."""
    stopped: list[int] = []
    for _round in range(3):
        fresh = [p for p in descendants(pid) if p not in stopped]
        if not fresh:
            break
        for p in fresh:
            try:
                os.kill(p, signal.SIGSTOP)
            except (ProcessLookupError, PermissionError):
                continue
            stopped.append(p)
    for p in [pid, *stopped]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(p, signal.SIGKILL)
