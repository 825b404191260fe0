"""Settings come from the environment; production refuses to start without a secret key."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _settings(**env) -> subprocess.CompletedProcess:
    ours = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "STORAGE_BACKEND", "AWS_", "MEDIA_ROOT")
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


def _database_options(*envs: dict) -> list[dict]:
    """``DATABASES['default']['OPTIONS']`` as the settings module builds them in each environment, all in one
    fresh interpreter (the module run anew for each; no ``django.setup()``, which only imports the apps)."""
    ours = ("DJANGO_", "DATABASE_", "REDIS_URL")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    code = ("import json, os, runpy, sys; base = dict(os.environ); out = []\n"
            "for env in json.loads(sys.argv[1]):\n"
            "    os.environ.clear(); os.environ.update({**base, **env})\n"
            "    out.append(runpy.run_module('housing.settings')['DATABASES']['default']['OPTIONS'])\n"
            "print(json.dumps(out))")
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(envs)], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "housing.settings"},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_statements_are_bound_on_the_server_prepared_and_planned_for_their_values():
    url = "postgres://u@db:5432/h"
    options, tuned, default, timeout, server, off, unbound, jit = _database_options(
        {"DATABASE_URL": url + "?options=-c%20statement_timeout%3D5000"},
        {"DATABASE_URL": url, "DATABASE_PARALLEL_WORKERS": "2", "DATABASE_RANDOM_PAGE_COST": "4",
         "DATABASE_STATEMENT_TIMEOUT_MS": "0"},
        {"DATABASE_URL": url},
        {"DATABASE_URL": url, "DATABASE_STATEMENT_TIMEOUT_MS": "5000"},
        {"DATABASE_URL": url, "DATABASE_RANDOM_PAGE_COST": ""},
        {"DATABASE_URL": url, "DATABASE_PREPARE_THRESHOLD": "0"},
        {"DATABASE_URL": url, "DATABASE_SERVER_SIDE_BINDING": "false"},
        {"DATABASE_URL": url, "DATABASE_JIT": "true"},
    )
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 5
    assert options["options"] == ("-c statement_timeout=5000 -c plan_cache_mode=force_custom_plan "  # kept, added
                                  "-c jit=off -c max_parallel_workers_per_gather=0 -c random_page_cost=1.1")
    # JIT compilation off by default (a page's statements compile slower than they run), on when asked.
    assert "-c jit=off" in default["options"] and "jit" not in jit["options"]
    assert tuned["options"].endswith("-c max_parallel_workers_per_gather=2 -c random_page_cost=4")
    assert default["options"].endswith("-c random_page_cost=1.1 -c statement_timeout=30000")
    assert timeout["options"].endswith("-c statement_timeout=5000")
    assert "random_page_cost" not in server["options"]  # empty: the server's own setting
    # Behind a pooler that cannot keep prepared statements: off, from the environment.
    assert off["prepare_threshold"] is None and off["server_side_binding"] is True
    assert unbound["prepare_threshold"] is None


def _storage(**env) -> subprocess.CompletedProcess:
    """The default storage as configured and as built (no request is made: boto3 connects lazily)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "from django.core.files.storage import storages; d = storages['default']; "
        "print(json.dumps({'backend': s.STORAGES['default']['BACKEND'], "
        "'options': s.STORAGES['default'].get('OPTIONS', {}), 'class': type(d).__name__, "
        "'built': {k: getattr(d, k, None) for k in ('bucket_name', 'endpoint_url', 'access_key', 'secret_key', "
        "'region_name', 'addressing_style', 'default_acl', 'querystring_auth', 'file_overwrite')}}))"
    )
    ours = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "STORAGE_BACKEND", "AWS_", "MEDIA_ROOT")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "housing.settings", **env},
    )


S3_ENV = {
    "STORAGE_BACKEND": "s3", "AWS_STORAGE_BUCKET_NAME": "housing-files", "AWS_S3_ENDPOINT_URL": "http://s3:8333",
    "AWS_ACCESS_KEY_ID": "key-id", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_S3_REGION_NAME": "cn-east-1",
}


def test_files_stay_on_the_local_disk_without_storage_settings(tmp_path):
    result = _storage(DJANGO_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["backend"] == "django.core.files.storage.FileSystemStorage"
    assert out["class"] == "FileSystemStorage"


def test_s3_storage_from_the_environment_is_private_path_style_and_never_overwrites(tmp_path):
    result = _storage(DJANGO_VAR_DIR=str(tmp_path), **S3_ENV)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["backend"] == "storages.backends.s3.S3Storage"
    assert out["class"] == "S3Storage"
    expected = {
        "bucket_name": "housing-files", "endpoint_url": "http://s3:8333", "access_key": "key-id",
        "secret_key": "secret", "region_name": "cn-east-1", "addressing_style": "path",
        "default_acl": None, "querystring_auth": True, "file_overwrite": False,
    }
    assert {k: out["options"][k] for k in expected} == expected
    assert out["built"] == expected  # the storage object really has them (no option name misspelt)


def test_a_bucket_name_alone_selects_s3(tmp_path):
    env = {k: v for k, v in S3_ENV.items() if k != "STORAGE_BACKEND"}
    result = _storage(DJANGO_VAR_DIR=str(tmp_path), **env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["class"] == "S3Storage"


def test_an_unknown_storage_backend_refuses_to_start(tmp_path):
    result = _storage(DJANGO_VAR_DIR=str(tmp_path), STORAGE_BACKEND="ftp")
    assert result.returncode != 0
    assert "STORAGE_BACKEND must be" in result.stderr
