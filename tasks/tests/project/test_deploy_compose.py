"""docker-compose.yml against the settings: images cannot be pulled here, so the file is read and checked.

The settings' variable names are read from ``housing/settings.py`` itself (every ``env…("NAME")`` call),
so renaming a variable there without renaming it here, or setting one in compose that nothing reads,
fails. The compose environment is then given to the real settings in a subprocess, which must come
up with PostgreSQL, Redis and the S3 storage.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict] = COMPOSE["services"]
CADDYFILE = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")

# What a production node cannot do without (the settings have development defaults for each, which
# must never be what a deployment runs on).
PRODUCTION_NEEDS = {
    "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "REDIS_URL", "EMAIL_URL",
    "DEFAULT_FROM_EMAIL", "STORAGE_BACKEND", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_S3_REGION_NAME",
}
ENV_CALL = re.compile(r"""\b(?:env|Env\(\))(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def settings_variables() -> set[str]:
    """Every environment variable housing/settings.py reads (``env("X")``, ``env.str("X", ...)``, ``Env().str``)."""
    return set(ENV_CALL.findall((ROOT / "housing" / "settings.py").read_text(encoding="utf-8")))


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def _interpolate(value: str, given: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} with the variables an operator gives."""
    def one(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3)
        if given.get(name):
            return given[name]
        if op == "?":
            raise KeyError(f"{name} must be set ({arg})")
        return arg if op == "-" else ""
    return INTERPOLATION.sub(one, value).replace("$$", "$")


def _depends(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def _replicas(service: dict) -> int:
    return int((service.get("deploy") or {}).get("replicas", 1))


APP = {name: s for name, s in SERVICES.items() if "build" in s}
ONE_SHOT = {name for name, s in SERVICES.items() if str(s.get("restart", "")) == "no"}
WEB = {name: s for name, s in APP.items() if _command(s).startswith("gunicorn ")}
WORKERS = {name: s for name, s in APP.items() if re.match(r"celery .*\bworker\b", _command(s))}
BEAT = {name: s for name, s in APP.items() if re.match(r"celery .*\bbeat\b", _command(s))}
MIGRATE = [name for name, s in APP.items() if "manage.py migrate" in _command(s)]


def test_settings_scan_finds_the_variables():
    found = settings_variables()
    # A sanity check on the scanner itself: it sees plain, typed and URL-parsing reads.
    assert {"DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DATABASE_URL", "ALLOWED_HOSTS", "AWS_STORAGE_BUCKET_NAME",
            "DJANGO_VAR_DIR", "IMPORT_MAX_PAGES"} <= found


def test_the_services_of_a_several_node_deployment_exist():
    assert {"migrate", "createbucket", "proxy", "beat", "redis", "postgres", "s3"} <= set(SERVICES)
    assert sum(_replicas(s) for s in WEB.values()) >= 2, "two web nodes"
    assert sum(_replicas(s) for s in WORKERS.values()) >= 2, "two Celery workers"
    assert sum(_replicas(s) for s in BEAT.values()) == 1, "exactly one beat"
    assert any(word in SERVICES["s3"]["image"] for word in ("seaweedfs", "minio"))


def test_every_app_service_gets_every_variable_production_needs():
    assert settings_variables() >= PRODUCTION_NEEDS, PRODUCTION_NEEDS - settings_variables()
    for name, service in APP.items():
        missing = PRODUCTION_NEEDS - set(_environment(service))
        assert not missing, f"{name} lacks {sorted(missing)}"
        assert _environment(service)["STORAGE_BACKEND"] == "s3", name


def test_every_variable_compose_sets_on_the_app_is_read_by_the_settings():
    read = settings_variables()
    for name, service in APP.items():
        unknown = set(_environment(service)) - read
        assert not unknown, f"{name} sets {sorted(unknown)}, which housing/settings.py never reads"


def test_app_services_share_one_environment():
    environments = {name: _environment(s) for name, s in APP.items()}
    first = next(iter(environments.values()))
    # Every node must see the same database, broker and bucket.
    assert all(env == first for env in environments.values())


def test_the_compose_environment_brings_up_postgres_redis_and_the_s3_storage():
    """The real settings, given web1's environment as compose would interpolate it."""
    given = {"DJANGO_SECRET_KEY": "k" * 50, "AWS_ACCESS_KEY_ID": "key-id", "AWS_SECRET_ACCESS_KEY": "secret"}
    env = {k: _interpolate(v, given) for k, v in _environment(next(iter(WEB.values()))).items()}
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.STORAGES['default']]))"
    )
    ours = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "STORAGE_BACKEND", "AWS_", "MEDIA_ROOT")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**clean, **env, "DJANGO_SETTINGS_MODULE": "housing.settings"})
    assert result.returncode == 0, result.stderr
    engine, broker, storage = json.loads(result.stdout)
    assert engine == "django.db.backends.postgresql"
    assert broker == "redis://redis:6379/0"
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["access_key"] == "key-id" and options["secret_key"] == "secret"
    # Every URL names a service of this file, on the port it listens on.
    endpoint = urlparse(options["endpoint_url"])
    assert endpoint.hostname == "s3" and str(endpoint.port) in {str(p) for p in SERVICES["s3"].get("expose", [])}
    assert endpoint.port and f"-s3.port={endpoint.port}" in _command(SERVICES["s3"])
    assert urlparse(env["DATABASE_URL"]).hostname == "postgres"
    assert urlparse(env["REDIS_URL"]).hostname == "redis"


def test_required_secrets_have_no_default():
    web = _environment(next(iter(WEB.values())))
    for name in ("DJANGO_SECRET_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        with pytest.raises(KeyError):
            _interpolate(web[name], {})


def test_the_store_uses_the_apps_keys():
    app, store = _environment(next(iter(APP.values()))), _environment(SERVICES["s3"])
    assert store["AWS_ACCESS_KEY_ID"] == app["AWS_ACCESS_KEY_ID"]
    assert store["AWS_SECRET_ACCESS_KEY"] == app["AWS_SECRET_ACCESS_KEY"]


def test_every_long_running_service_has_a_health_check():
    for name, service in SERVICES.items():
        if name in ONE_SHOT:
            continue
        test = (service.get("healthcheck") or {}).get("test")
        assert test, f"{name} has no health check"


def test_migrations_run_once_as_their_own_step_and_never_on_web_start():
    assert MIGRATE == ["migrate"], "only the migrate service runs migrations"
    migrate = SERVICES["migrate"]
    assert _command(migrate).split() == ["python", "manage.py", "migrate", "--noinput"]
    assert str(migrate["restart"]) == "no"
    assert _depends(migrate) == {"postgres": "service_healthy"}
    for name, service in WEB.items():
        assert "migrate" not in _command(service), name
    dockerfile_cmd = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")]
    assert dockerfile_cmd and "migrate" not in dockerfile_cmd[0]


def test_nodes_start_after_migrations_and_the_bucket():
    bucket = SERVICES["createbucket"]
    assert "manage.py ensure_bucket" in _command(bucket) and str(bucket["restart"]) == "no"
    assert _depends(bucket)["s3"] == "service_healthy"
    for name in {*WEB, *WORKERS, *BEAT}:
        deps = _depends(APP[name])
        assert deps.get("migrate") == "service_completed_successfully", name
        assert deps.get("createbucket") == "service_completed_successfully", name
        assert deps.get("postgres") == "service_healthy" and deps.get("redis") == "service_healthy", name


def test_the_proxy_balances_over_every_web_node():
    match = re.search(r"reverse_proxy\s+(\{\$UPSTREAMS:[^}]*\}|[^{\n]+)", CADDYFILE)
    assert match, "no reverse_proxy in deploy/Caddyfile"
    # {$UPSTREAMS:web1:8000 web2:8000}: the compose file's nodes unless UPSTREAMS says (the lockout test's server)
    upstreams = re.sub(r"^\{\$UPSTREAMS:(.*)\}$", r"\1", match.group(1).strip()).split()
    ports = {re.search(r"--bind\s+\S+:(\d+)", _command(s)).group(1) for s in WEB.values()}
    assert len(ports) == 1
    port = ports.pop()
    assert sorted(upstreams) == sorted(f"{name}:{port}" for name in WEB)
    assert all(_replicas(s) == 1 for s in WEB.values()), "each upstream is one named node"
    assert "health_uri /healthz/" in CADDYFILE
    assert set(_depends(SERVICES["proxy"])) == set(WEB)
    for name in WEB:
        assert "ports" not in WEB[name], f"{name} must be reached through the proxy only"
