"""The public 晾晒 pages in a real Chromium, checked by axe-core (WCAG 2.0 A/AA and 2.1 AA): no violation,
in Chinese and English, with every section on, as a visitor who is not logged in."""

import os

import pytest
from django.db import connections
from django.test import Client

from tasks.models import RoundupSettings
from tasks.tests.views.test_public import _setup

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


def test_public_pages_have_no_axe_violation(live_server, browser):
    w, period, _ = _setup()
    RoundupSettings.objects.filter(plan=w.plan).update(public_overdue=True)
    assert Client().get(f"/public/{w.plan.slug}/{period.key}/").status_code == 200
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    found = []
    for prefix in ("", "/en"):
        for path in (f"/public/{w.plan.slug}/", f"/public/{w.plan.slug}/{period.key}/"):
            response = page.goto(live_server.url + prefix + path)
            assert response.status == 200, path
            found += [f"{prefix}{path}: {v}" for v in _violations(page)]
    # And on a phone's width.
    context.close()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + f"/public/{w.plan.slug}/{period.key}/")
    found += [f"phone: {v}" for v in _violations(page)]
    context.close()
    connections.close_all()
    assert not found, "\n".join(found)


def test_each_tables_caption_starts_in_view_on_a_phone(live_server, browser):
    """A caption centred over a table wider than the phone began off screen ("2026年11月 地方（" cut at the
    edge): it starts at the table's left, where the reader is."""
    w, period, _ = _setup()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + f"/public/{w.plan.slug}/{period.key}/")
    starts = page.evaluate("""() => [...document.querySelectorAll('table caption')].map(c => {
        const r = document.createRange(); r.selectNodeContents(c); return Math.round(r.getBoundingClientRect().left);
    })""")
    context.close()
    connections.close_all()
    assert starts and all(0 <= x <= 40 for x in starts), starts
