"""The suite's profiler (``tasks/tests/timeline.py``, ``make profile-suite``) charges a test the CPU its child
processes spend while it runs, and adds up the seconds it sleeps."""

import subprocess
import sys

from tasks.tests import timeline

SPIN = ("import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
        "print('spun', flush=True)\ntime.sleep(30)")


def test_a_running_childs_cpu_is_counted_before_it_ends():
    before = timeline.descendants_cpu()
    child = subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "spun\n"  # 0.3 s of CPU spent, and still running
        assert timeline.descendants_cpu() - before >= 0.25
    finally:
        child.kill()
        child.wait()


def test_a_grandchilds_cpu_is_counted_through_its_running_parent():
    grandchild = SPIN.removesuffix("\ntime.sleep(30)")
    code = (f"import subprocess, sys, time\nsubprocess.run([sys.executable, '-c', {grandchild!r}])\n"
            "print('done', flush=True)\ntime.sleep(30)")
    before = timeline.descendants_cpu()
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "spun\n"
        assert child.stdout.readline() == "done\n"  # the grandchild ended; its parent waited for it
        assert timeline.descendants_cpu() - before >= 0.25
    finally:
        child.kill()
        child.wait()


def test_sleeps_are_added_up(monkeypatch):
    monkeypatch.setattr(timeline, "_real_sleep", lambda seconds: None)
    monkeypatch.setattr(timeline, "_slept", [0.0])
    timeline._counted_sleep(1.5)
    timeline._counted_sleep(0.25)
    assert timeline._slept[0] == 1.75
