"""Time bounds that hold on a loaded machine: CPU seconds, not wall-clock seconds.

A test that asks "is this refused before it is loaded?" or "does a 3,000-row sheet parse quickly?" bounds
the work done. Wall-clock time also counts the seconds the process waited for a core: on the shared 2-core
machine, with two xdist workers and other jobs, a 1 s parse took 3–5 s of wall time and such bounds failed
at random. The CPU seconds of this process and of the child processes it waited for (the importer's forked
parse, a converter) do not grow with the load, and still grow with the work: loading a million rows instead
of refusing them, or a quadratic parse, still fails the bound.
"""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of the children it has waited for, so far."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


@contextmanager
def cpu_budget(seconds: float, what: str = "the block") -> Iterator[None]:
    """Fail when the block spends more than ``seconds`` of CPU (this process's and its waited-for children's)."""
    start = cpu_seconds()
    yield
    spent = cpu_seconds() - start
    assert spent < seconds, f"{what} took {spent:.2f} CPU seconds, over its budget of {seconds} s"
