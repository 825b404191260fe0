"""Production defaults: HTTPS redirect, HSTS with subdomains, secure cookies, each overridable; the
health check is exempt from the redirect; ``check --deploy`` is clean with a proper key."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[3]
SHOW = ("import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER[0])")


def _run(args, **env):
    ours = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECURE_COOKIES", "ALLOWED_HOSTS")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**clean, "DJANGO_SETTINGS_MODULE": "housing.settings", **env})


def _production(**env):
    return {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "plan.example.gov.cn", **env}


def test_production_turns_on_https_redirect_hsts_and_secure_cookies():
    result = _run([sys.executable, "-c", SHOW], **_production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000", "True", "False", "True", "True", "HTTP_X_FORWARDED_PROTO"]


def test_each_production_switch_is_overridable_by_environment():
    result = _run([sys.executable, "-c", SHOW], **_production(
        DJANGO_SECURE_SSL_REDIRECT="false", DJANGO_SECURE_HSTS_SECONDS="0", DJANGO_SECURE_HSTS_PRELOAD="true",
        DJANGO_SECURE_COOKIES="false"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "0", "True", "True", "False", "False", "HTTP_X_FORWARDED_PROTO"]


def test_check_deploy_is_clean_with_a_proper_key(tmp_path):
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                  **_production(DJANGO_VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout and "W004" not in result.stdout and "W008" not in result.stdout


@pytest.mark.django_db
def test_health_check_is_exempt_from_the_https_redirect_and_needs_no_login(client, settings):
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^healthz/$"],
                           SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        response = client.get("/healthz/")
        assert response.status_code == 200 and response.content == b"ok\n"
        assert client.get("/accounts/login/").status_code == 301
        # Behind the proxy, which forwards the scheme, the same page is served.
        assert client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"}).status_code == 200


def test_docker_compose_follows_the_production_defaults():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["x-app"]["environment"]
    assert env["DJANGO_DEBUG"] == "false"
    assert env["DJANGO_SECURE_COOKIES"].endswith(":-true}") and env["DJANGO_SECURE_SSL_REDIRECT"].endswith(":-true}")
    assert "proxy" in compose["services"]
    for web in ("web1", "web2"):  # the web nodes (tasks/tests/project/test_deploy_compose.py checks the rest)
        assert "ports" not in compose["services"][web]
        assert "/healthz/" in " ".join(compose["services"][web]["healthcheck"]["test"])
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy {$UPSTREAMS:web1:8000 web2:8000}" in caddyfile  # the nodes unless a test names its own
    # The client's address as the connection's, whatever a client sends; the app reads that last entry.
    assert "header_up X-Forwarded-For {remote_host}" in caddyfile
    assert env["AXES_IPWARE_PROXY_COUNT"] == "${AXES_IPWARE_PROXY_COUNT:-0}"
