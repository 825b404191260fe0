"""Root fixtures shared by every test module."""

import os
import socket

import pytest


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a real service is missing, except in CI where that is a failure."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        message = f"{name} is not reachable at {host}:{port}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: services are required)")
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Production's PBKDF2 (a million rounds) took more than half the suite's time (sampled with py-spy):
    # every account a test makes or logs in with hashes its password. Tests that start their own server
    # processes (two nodes, the bench) make those accounts there, with the production hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The calendar corrections are remembered in memory for a while: each test starts without them."""
    from tasks.selectors.calendar import forget_calendar_overrides

    forget_calendar_overrides()
    yield
    forget_calendar_overrides()


@pytest.fixture
def celery_eager():
    """Run Celery tasks in-process (and let their errors propagate) for the duration of a test."""
    from housing.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield app
    app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])
