"""Settings come from the environment; production refuses to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings(**env) -> subprocess.CompletedProcess:
    ours = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL.split(':')[0], s.EMAIL_BACKEND.split('.')[-2])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "housing.settings", **env},
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = _settings(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_development_defaults_need_nothing_configured(tmp_path):
    result = _settings(DJANGO_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem", "filebased"]


def test_database_broker_and_mail_come_from_the_environment():
    result = _settings(
        DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="postgres://u@db:5432/h",
        REDIS_URL="redis://cache:6379/0", EMAIL_URL="smtp://mail:25",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "redis", "smtp"]
