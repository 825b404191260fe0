"""Every HTML page (the route sweep's routes, and every registered model's admin list, add and change page)
carries the Content-Security-Policy, the Permissions-Policy, and ``Cache-Control: no-store`` when a user is
logged in; and none has an inline script, style block, style attribute or event handler the policy would
block (so a page the browser renders under it loses nothing)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from tasks.tests.daily_setup import MODEL_BACKEND
from tasks.tests.hardening.test_routes import ROUTES, _path, sweep, sweep_world  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.django_db

INLINE = [
    ("inline script", re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)),
    ("style block", re.compile(r"<style[\s>]", re.I)),
    ("style attribute", re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)),
    ("event handler", re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)),
    ("javascript: URL", re.compile(r"(?:href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)),
]


def _policy_findings(url: str, response, logged_in: bool) -> list[tuple]:
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    found = []
    csp = response.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'"):
        if directive not in csp:
            found.append((url, "CSP lacks", directive))
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        found.append((url, "CSP allows inline code", csp))
    if "camera=(self)" not in response.get("Permissions-Policy", ""):
        found.append((url, "Permissions-Policy", response.get("Permissions-Policy")))
    if logged_in and "no-store" not in response.get("Cache-Control", ""):
        found.append((url, "Cache-Control", response.get("Cache-Control")))
    body = response.content.decode("utf-8", "replace")
    for what, pattern in INLINE:
        match = pattern.search(body)
        if match:
            found.append((url, what, body[max(0, match.start() - 60):match.end() + 60]))
    return found


def test_every_page_has_the_policy_headers_and_nothing_inline(sweep, client):  # noqa: F811
    w = sweep.w
    users = [None, w.lead_user, w.coordinator, sweep.users[-1]]
    findings, html_pages = [], 0
    for user in users:
        client.logout()
        if user is not None:
            client.force_login(user, backend=MODEL_BACKEND)
        for name, entry in ROUTES:
            if name.startswith("admin:"):
                continue  # below, per model
            for kwargs in sweep.kwargs_for(entry, 0):
                url = _path(name, kwargs)
                if url is None:
                    continue
                response = client.get(url)
                html_pages += response.get("Content-Type", "").startswith("text/html")
                findings += _policy_findings(url, response, user is not None)
    assert not findings, findings
    assert html_pages > 60  # the sweep reached the pages, not only redirects and files


def test_every_admin_page_has_the_policy_headers_and_nothing_inline(sweep, client):  # noqa: F811
    superuser = sweep.users[-1]
    client.force_login(superuser, backend=MODEL_BACKEND)
    findings = []
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        urls.append(reverse(f"{prefix}_add"))
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            urls += [reverse(f"{prefix}_change", args=[row.pk]), reverse(f"{prefix}_history", args=[row.pk]),
                     reverse(f"{prefix}_delete", args=[row.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        findings += _policy_findings(url, response, True)
    client.logout()
    findings += _policy_findings("login", client.get(reverse("admin:login")), False)
    assert not findings, findings


def test_the_login_page_carries_the_policies(client):
    response = client.get(reverse("login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY
