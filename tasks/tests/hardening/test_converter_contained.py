"""A time limit on reading an upload stops all of the work, and a roster's WPS .et is read within a tight cap.

- LibreOffice's ``soffice`` execs ``oosplash``, which starts ``soffice.bin``: a ``subprocess.run`` timeout killed
  only ``oosplash``, and the converter went on, orphaned (seen: ``soffice.bin`` still running after the
  timeout). Every LibreOffice run goes through ``processes.run_contained`` (the importers' ``office.convert``
  and the 公文 PDF's ``documents.convert``), which kills the run's process group.
- A reading child stopped at ``IMPORT_MAX_SECONDS`` (``limits._within``) left what it had started running (a
  LibreOffice conversion runs in a group of its own): the parent now kills the child's whole tree.
- A roster upload (``roster_read``: the page and ``import_roster``) was read in the web request itself, a WPS
  .et converted for up to 120 s; it is now read in a child under ``ROSTER_MAX_SECONDS`` (20 s), and a slow
  conversion is refused with a message that says to save the file as .xlsx.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.importers import PlanParseError, office
from tasks.importers import sheets as sheets_module
from tasks.importers.limits import Limits, _within
from tasks.importers.processes import descendants, run_contained
from tasks.tests.daily_setup import login, make_world

pytestmark = pytest.mark.django_db

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != b"Z"  # a zombie has finished: only its parent's wait is left


def _wait_gone(pids, seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in pids if _alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


def _processes_with(marker: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(name))
        except OSError:
            continue
    return [p for p in found if _alive(p)]


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


# A program that starts a grandchild of its own (as oosplash starts soffice.bin) and waits for it; the grandchild
# writes its pid where the test reads it.
SPAWNER = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
open(sys.argv[1], "w").write(str(child.pid))
child.wait()
"""


def test_a_timeout_kills_what_the_program_started_not_only_the_program(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run_contained([sys.executable, "-c", SPAWNER, str(pid_file)], timeout=1.5)
    assert time.monotonic() - started < 10
    grandchild = int(pid_file.read_text())
    assert _wait_gone([grandchild]) == []


def test_a_libreoffice_conversion_past_its_time_leaves_no_libreoffice_running(tmp_path):
    binary = office.soffice_binary()
    if binary is None:
        pytest.skip("LibreOffice is not installed")
    source = tmp_path / "a.txt"
    source.write_text("通知\n" * 2000, encoding="utf-8")
    # Stopped once soffice.bin (the converter oosplash starts) has been seen running: the time it takes to get
    # there varies with the machine's load, so the limit grows until it has.
    for timeout in (0.8, 1.2, 2.0, 3.0):
        outdir = tmp_path / f"out-{timeout}"
        outdir.mkdir()
        seen: set[int] = set()
        done = threading.Event()

        def watch(outdir=outdir, seen=seen, done=done):
            while not done.is_set():
                seen.update(p for p in _processes_with(str(outdir)) if b"soffice.bin" in _cmdline(p))
                time.sleep(0.02)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            office.convert(binary, source, outdir, target="docx", suffix=".docx", timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        else:
            timed_out = False
        finally:
            done.set()
            watcher.join()
        if timed_out and seen:
            # Its profile folder is inside the output folder: only this conversion's processes name it.
            assert _wait_gone(_processes_with(str(outdir))) == []
            return
    pytest.skip("LibreOffice converted before it could be stopped at every limit tried")


def _start_and_hang(pid_file: str) -> None:  # runs in the reading child
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    Path(pid_file).write_text(str(process.pid))
    time.sleep(60)


def test_a_reading_child_stopped_at_its_cap_takes_what_it_started_with_it(tmp_path):
    pid_file = tmp_path / "converter.pid"
    started = time.monotonic()
    with pytest.raises(PlanParseError, match="秒"):
        _within(Limits(seconds=1.5), "x.doc", _start_and_hang, str(pid_file))
    assert time.monotonic() - started < 10
    converter = int(pid_file.read_text())
    assert _wait_gone([converter]) == []
    assert descendants(os.getpid()) == [] or all(not _alive(p) for p in descendants(os.getpid()))


def _slow_convert(binary, source, outdir, *, target, suffix, filter_name=None, timeout=office.CONVERT_TIMEOUT):
    """LibreOffice stuck on a hostile workbook: it takes all the time it is given (30 s at most here)."""
    time.sleep(min(timeout, 30))
    raise subprocess.TimeoutExpired("soffice", timeout)


def test_a_roster_et_that_converts_slowly_is_refused_within_the_roster_cap(client, monkeypatch, settings):
    settings.ROSTER_MAX_SECONDS = 3
    monkeypatch.setattr(sheets_module, "convert", _slow_convert)
    monkeypatch.setattr(sheets_module, "calc_available", lambda: True)
    monkeypatch.setattr(sheets_module, "soffice_binary", lambda: "/usr/bin/soffice")
    w = make_world()
    login(client, w.coordinator)
    started = time.monotonic()
    response = client.post(
        reverse("tasks:roster_upload", args=[w.plan.slug]),
        {"roster": SimpleUploadedFile("名单.et", OLE2 + b"\0" * 600)},
    )
    elapsed = time.monotonic() - started
    assert elapsed < 8, f"the upload held the request {elapsed:.1f} s"
    assert response.status_code == 400
    page = response.content.decode()
    assert ".xlsx" in page and "秒" in page


CONNECT = """
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3).close()
except OSError:
    sys.exit(7)
"""


def test_libreoffice_runs_where_the_hosts_network_is_not_reachable(tmp_path, monkeypatch):
    """The hardened profile sends LibreOffice's own requests to a proxy nobody serves; a network namespace of
    its own (where the system allows one) leaves it no way to any address of the host or its network,
    whatever a document or a component does."""
    import socket

    monkeypatch.delenv(office.NETWORK_NAMESPACE_ENV, raising=False)
    if not office._namespace_prefix("auto"):
        pytest.skip("no network namespace can be made here (unshare not allowed)")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = str(listener.getsockname()[1])
        outside = subprocess.run([sys.executable, "-c", CONNECT, port], check=False, timeout=20)
        inside = subprocess.run(office.isolated([sys.executable, "-c", CONNECT, port]), check=False, timeout=20)
    assert outside.returncode == 0 and inside.returncode == 7

    seen = []
    monkeypatch.setattr(office, "run_contained", lambda command, **kwargs: seen.append(command))
    office.convert("/usr/bin/soffice", tmp_path / "a.doc", tmp_path, target="docx", suffix=".docx")
    from tasks.documents import convert as documents_convert

    monkeypatch.setattr(documents_convert, "run_contained", lambda command, **kwargs: seen.append(command))
    documents_convert._run(["/usr/bin/soffice", "--headless"], tmp_path, 10)
    prefix = list(office._namespace_prefix("auto"))
    assert [command[: len(prefix)] for command in seen] == [prefix, prefix]


def test_a_required_network_namespace_that_cannot_be_made_refuses_to_convert(monkeypatch):
    monkeypatch.setattr(office.shutil, "which", lambda name: None)
    office._namespace_prefix.cache_clear()
    try:
        monkeypatch.setenv(office.NETWORK_NAMESPACE_ENV, "require")
        with pytest.raises(office.NoNetworkNamespace):
            office.isolated(["soffice"])
        monkeypatch.setenv(office.NETWORK_NAMESPACE_ENV, "auto")
        assert office.isolated(["soffice"]) == ["soffice"]
        monkeypatch.setenv(office.NETWORK_NAMESPACE_ENV, "off")
        assert office.isolated(["soffice"]) == ["soffice"]
    finally:
        office._namespace_prefix.cache_clear()


def test_the_slow_et_refusal_reads_in_english_too(client, monkeypatch, settings):
    settings.ROSTER_MAX_SECONDS = 3
    monkeypatch.setattr(sheets_module, "convert", _slow_convert)
    monkeypatch.setattr(sheets_module, "calc_available", lambda: True)
    monkeypatch.setattr(sheets_module, "soffice_binary", lambda: "/usr/bin/soffice")
    w = make_world()
    login(client, w.coordinator)
    response = client.post(
        "/en" + reverse("tasks:roster_upload", args=[w.plan.slug]),
        {"roster": SimpleUploadedFile("名单.et", OLE2 + b"\0" * 600)},
    )
    assert response.status_code == 400
    assert "save it as .xlsx in WPS" in response.content.decode()
