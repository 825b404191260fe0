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
