"""CPU budgets (``tasks/tests/budgets.py``): a bound on work that a loaded machine does not break and a
slow implementation still fails."""

import subprocess
import sys
import time

import pytest

from tasks.tests.budgets import cpu_budget


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_work_over_the_budget_fails():
    refused = pytest.raises(AssertionError, match="spinning took 0.[3-9]\\d CPU seconds, over its budget of 0.1 s")
    with refused, cpu_budget(0.1, "spinning"):
        _spin(0.3)


def test_waiting_is_not_work():
    """A wall-clock bound of 0.1 s fails here, as it did when the process waited for a core under load."""
    started = time.monotonic()
    with cpu_budget(0.1, "waiting"):
        time.sleep(0.3)
    assert time.monotonic() - started >= 0.3


def test_a_child_processs_work_counts():
    """The importer parses in a forked child it waits for: that child's CPU is the parse's."""
    with pytest.raises(AssertionError, match="a child"), cpu_budget(0.1, "a child"):
        subprocess.run([sys.executable, "-c", "import time\nend = time.process_time() + 0.3\n"
                        "while time.process_time() < end: pass"], check=True)
