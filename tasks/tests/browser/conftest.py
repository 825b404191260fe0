"""One Chromium for the browser journeys: launched by the first test that asks for ``browser``, kept while the
next test asks for it too, closed when the next one does not (or the run ends).

The browser folder is one scheduling unit under xdist (``tasks/tests/parallel.py``) and its modules run one
after the other, so a worker launches Chromium once per run instead of once per module (or per test). Each
test makes its own contexts (cookies, storage); whatever contexts it leaves open are closed after it.
Playwright's sync API keeps an event loop running in the thread while it is started, which is why it is
stopped before a test outside this folder runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
_running: dict = {}


def _launch():
    if "browser" not in _running:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            _running["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception:
            playwright.stop()
            raise
        _running["playwright"] = playwright
    return _running["browser"]


def close_browser() -> None:
    """Close the shared Chromium and stop Playwright, if they run."""
    browser, playwright = _running.pop("browser", None), _running.pop("playwright", None)
    if playwright is None:
        return
    try:
        if browser is not None:
            browser.close()
    finally:
        playwright.stop()
        # ORM calls made while Playwright ran used their own connection: close it, or PostgreSQL refuses
        # to drop the test database ("being accessed by other users").
        connections.close_all()


@pytest.fixture
def browser(django_db_setup):
    """The shared Chromium (``/usr/bin/chromium``); skipped when it is missing, failed in CI."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (make sysdeps installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI=true requires the browser tests to run")
        pytest.skip(message)
    shared = _launch()
    yield shared
    for context in list(shared.contexts):
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        if nextitem is None or "browser" not in getattr(nextitem, "fixturenames", ()):
            close_browser()
