"""Each xdist worker's Redis database and the units of work it takes (tasks/tests/parallel.py)."""

import os
from pathlib import Path

import pytest

from tasks.tests.parallel import redis_url_for_worker, scope_of


@pytest.mark.parametrize(("url", "worker", "expected"), [
    ("redis://127.0.0.1:6379/0", "gw0", "redis://127.0.0.1:6379/0"),
    ("redis://127.0.0.1:6379/0", "gw1", "redis://127.0.0.1:6379/1"),
    ("redis://127.0.0.1:6379/10", "gw1", "redis://127.0.0.1:6379/11"),
    ("redis://127.0.0.1:6379", "gw2", "redis://127.0.0.1:6379/2"),
    ("rediss://:secret@cache:6380/3?ssl_cert_reqs=none", "gw1", "rediss://:secret@cache:6380/4?ssl_cert_reqs=none"),
])
def test_each_worker_gets_the_next_database(url, worker, expected):
    assert redis_url_for_worker(url, worker) == expected


def test_a_url_without_a_database_number_is_refused_rather_than_shared():
    with pytest.raises(pytest.UsageError, match="-n 0"):
        redis_url_for_worker("unix:///run/redis.sock?db=0", "gw1")


def test_a_unit_of_work_is_a_module_or_the_whole_browser_folder():
    assert scope_of("tasks/tests/api/test_api.py::test_schema[x::y]") == "tasks/tests/api/test_api.py"
    assert scope_of("tasks/tests/browser/test_phone.py::test_a_town_signs_on_a_phone") == "tasks/tests/browser/"
    assert scope_of("tasks/tests/browser/test_csp.py::test_main_pages") == "tasks/tests/browser/"
    assert scope_of("tasks/tests/browser_like/test_x.py::test") == "tasks/tests/browser_like/test_x.py"


def test_the_suite_never_queues_into_the_checkouts_broker_folder(settings):
    """Without Redis, what a test queues goes to a folder of the test process's own (parallel.py), never to
    var/celery/queue, where `make run`'s worker would run it against the demo database."""
    from django.conf import settings as django_settings

    folder = Path(os.environ["CELERY_FILESYSTEM_DIR"])
    assert not folder.is_relative_to(Path(django_settings.BASE_DIR))
    assert {p.name for p in folder.iterdir()} >= {"queue", "processed", "control"}
    if not django_settings.REDIS_URL:
        assert Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]) == folder / "queue"


def test_the_suite_keeps_compiled_modules_under_var_when_the_environment_says_not_to_write_them(tmp_path):
    """With PYTHONDONTWRITEBYTECODE set, a test process (and what it starts) compiled every module anew on each
    run; it keeps them under var/pycache instead, never beside the sources or in the virtualenv."""
    import shutil
    import subprocess
    import sys

    from tasks.tests.parallel import ROOT

    (tmp_path / "probe_module.py").write_text("VALUE = 1\n")
    code = ("import os, sys; from tasks.tests.parallel import keep_compiled_modules; keep_compiled_modules(); "
            f"sys.path.insert(0, {str(tmp_path)!r}); import probe_module; "
            "print(sys.dont_write_bytecode, sys.pycache_prefix, os.environ.get('PYTHONDONTWRITEBYTECODE'), "
            "os.environ['PYTHONPYCACHEPREFIX'], sep='|')")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPYCACHEPREFIX", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    prefix = str(ROOT / "var" / "pycache")
    assert out.split("|") == ["False", prefix, "None", prefix]
    assert not (tmp_path / "__pycache__").exists()
    kept = Path(prefix) / str(tmp_path).lstrip("/")
    assert list(kept.glob("probe_module.*.pyc"))
    shutil.rmtree(kept)
