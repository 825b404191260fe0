"""The login lockout behind the compose file's proxy: Caddy (Debian's package) runs deploy/Caddyfile itself on
loopback, in front of the app's live server, with the settings docker-compose.yml gives
(AXES_IPWARE_PROXY_COUNT=0: the client's address is X-Forwarded-For's last entry, which Caddy writes).

Clients connect to Caddy from different loopback addresses (127.0.0.2, 127.0.0.3, ...), as people behind
different addresses would. An attacker who fails five logins for a named account locks that account from
their own address only: its owner, elsewhere, still logs in; without the proxy's header read, everyone
would share the proxy's address and be locked out with them. A client that writes X-Forwarded-For itself
neither locks out the address it names nor escapes its own lockout.

Skipped with a reason when caddy is missing, except in CI (CI=true) where that fails
(scripts/ensure_sysdeps.sh installs it).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings

from tasks.tests.daily_setup import PASSWORD, user

pytestmark = pytest.mark.django_db(transaction=True)

CADDYFILE = Path(django_settings.BASE_DIR) / "deploy" / "Caddyfile"
ATTACKER, OWNER, SPOOFER = "127.0.0.2", "127.0.0.3", "127.0.0.4"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def caddy(live_server, tmp_path):
    """deploy/Caddyfile served by a real Caddy on a loopback port, proxying to the live server."""
    binary = shutil.which("caddy")
    if binary is None:
        message = "caddy not found (run `make sysdeps`: scripts/ensure_sysdeps.sh installs Debian's caddy)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI=true requires the proxy test to run")
        pytest.skip(message)
    port = _free_port()
    upstream = urlparse(live_server.url)
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "SITE_ADDRESS": f"http://127.0.0.1:{port}",
           "UPSTREAMS": f"127.0.0.1:{upstream.port}", "TLS": "internal"}
    # The file as deployed, adapted to JSON; only Caddy's admin endpoint is turned off (no fixed port shared
    # with anything else on the machine).
    adapted = subprocess.run([binary, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"], env=env,
                             capture_output=True, text=True, timeout=60, check=True)
    config = json.loads(adapted.stdout)
    config["admin"] = {"disabled": True}
    (tmp_path / "caddy.json").write_text(json.dumps(config))
    log = open(tmp_path / "caddy.log", "w")  # noqa: SIM115 (closed below, after Caddy stops)
    process = subprocess.Popen([binary, "run", "--config", str(tmp_path / "caddy.json")], env=env,
                               stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status = _request(port, "127.0.0.1", "GET", "/healthz/")[0]
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("caddy did not serve: " + (tmp_path / "caddy.log").read_text()[-2000:])
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _request(port: int, source: str, method: str, path: str, body: dict | None = None,
             headers: dict | None = None) -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(source, 0))
    try:
        data = urlencode(body) if body is not None else None
        all_headers = {**(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _login(port: int, source: str, username: str, password: str, forwarded_for: str | None = None) -> int:
    """One login through the form, from ``source``: the status of the POST (302 in, 200 refused, 429 locked)."""
    extra = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    status, headers, page = _request(port, source, "GET", "/accounts/login/", headers=extra)
    assert status == 200, page[:500]
    cookie = SimpleCookie(headers.get("Set-Cookie", ""))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _headers, page = _request(port, source, "POST", "/accounts/login/", {
        "username": username, "password": password, "csrfmiddlewaretoken": token,
    }, {"Cookie": f"csrftoken={cookie['csrftoken'].value}", **extra})
    return status


@pytest.fixture
def behind_caddy(settings):
    """The settings docker-compose.yml gives a web node (housing/settings.py reads AXES_IPWARE_PROXY_COUNT)."""
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_FAILURE_LIMIT = 5
    return settings


def test_an_attacker_locks_out_only_their_own_address_not_the_accounts_owner(behind_caddy, caddy):
    user("victim")
    for _attempt in range(4):
        assert _login(caddy, ATTACKER, "victim", "wrong") == 200  # the form again, with its error
    assert _login(caddy, ATTACKER, "victim", "wrong") == 429  # the fifth: locked out
    assert _login(caddy, ATTACKER, "victim", PASSWORD) == 429  # even with the right password
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}  # not the proxy's

    assert _login(caddy, OWNER, "victim", PASSWORD) == 302  # the owner, from their own address, logs in


def test_a_client_cannot_name_another_address_past_the_proxy(behind_caddy, caddy):
    user("victim")
    # Writing the owner's address into X-Forwarded-For does not lock the owner out: Caddy records the
    # connection's address, and that is the entry the app reads.
    for _attempt in range(5):
        _login(caddy, SPOOFER, "victim", "wrong", forwarded_for=OWNER)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {SPOOFER}
    assert _login(caddy, OWNER, "victim", PASSWORD) == 302
    # ... nor does naming a fresh address get the locked-out client past its lockout.
    assert _login(caddy, SPOOFER, "victim", PASSWORD, forwarded_for="203.0.113.77") == 429
    assert _login(caddy, SPOOFER, "victim", PASSWORD, forwarded_for=f"203.0.113.77, {OWNER}") == 429


def test_without_the_proxy_setting_every_client_shares_the_proxys_address(settings, caddy):
    """What the setting fixes: read from the connection alone, the lockout is the proxy's, so one attacker
    locks the account for everyone (the settings' default when AXES_IPWARE_PROXY_COUNT is unset)."""
    settings.AXES_IPWARE_PROXY_COUNT = None
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    settings.AXES_FAILURE_LIMIT = 5
    user("victim")
    for _attempt in range(5):
        _login(caddy, ATTACKER, "victim", "wrong")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    assert _login(caddy, OWNER, "victim", PASSWORD) == 429
