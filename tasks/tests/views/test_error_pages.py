"""Refused and missing pages are the app's own, under `make run` too; a 403 logs no traceback."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tasks.tests.daily_setup import login, make_world

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def _run_env() -> dict[str, str]:
    """The environment `make run` gives the web server, read from the Makefile."""
    makefile = (ROOT / "Makefile").read_text()
    line = re.search(r"^RUN_ENV\s*:=\s*(.+)$", makefile, flags=re.M)
    assert line, "the Makefile defines RUN_ENV for `make run`"
    # `make run` starts scripts/run_all.py (web server, worker and beat) with that environment.
    assert re.search(r"\$\(RUN_ENV\) exec \$\(PY\) scripts/run_all\.py", makefile)
    assert '"runserver"' in (ROOT / "scripts" / "run_all.py").read_text()
    return dict(pair.split("=", 1) for pair in line.group(1).split())


def test_make_run_serves_with_debug_off_so_error_pages_are_the_apps_own():
    env = _run_env()
    assert env["DJANGO_DEBUG"] == "false" and env["DJANGO_SECRET_KEY"]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.STORAGES['staticfiles']['BACKEND'].split('.')[0], "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**clean, "DJANGO_SETTINGS_MODULE": "housing.settings", **env})
    assert result.returncode == 0, result.stderr
    # Debug off; cookies still work over http://127.0.0.1, which is neither redirected to https nor
    # pinned by HSTS; static files from WhiteNoise.
    assert result.stdout.split() == ["False", "False", "whitenoise", "False", "0"]


def test_a_liaison_opening_another_units_item_gets_the_apps_404_page(client, settings):
    settings.DEBUG = False  # as under `make run`
    w = make_world()
    response = login(client, w.support_user).get(w.other_item.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and 'href="/static/' in page and reverse("tasks:home") in page  # styled, with the nav
    assert "URLconf" not in page and w.other_item.text not in page


def test_a_refused_page_is_the_apps_403_page_and_is_logged_without_a_traceback(client, caplog):
    w = make_world()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = login(client, w.lead_user).get(reverse("tasks:overdue"))
    page = response.content.decode()
    assert response.status_code == 403 and "无权操作" in page and "只有专班协调员可以查看逾期督办" in page
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in records] == ["Forbidden (Permission denied): /overdue/"]
    assert records[0].exc_info is None and "Traceback" not in caplog.text


def test_a_server_error_still_logs_its_traceback():
    from housing.log_filters import PermissionDeniedWithoutTraceback

    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (),
                                   sys.exc_info())
    assert PermissionDeniedWithoutTraceback().filter(record) and record.exc_info is not None
