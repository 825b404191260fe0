"""Screenshots of the browser journeys, for a person to review the layout: taken only when asked.

``SCREENSHOT_DIR=var/screenshots`` (what ``make screenshots`` sets) saves each journey's screenshots there;
without it none is taken. No assertion reads them, and they cost: the 49 of a run (35 full page) were
10 CPU seconds of Chromium's and 13 s of wall, and a full-page screenshot of a long page is 1–4 CPU seconds
(rasterising the whole page and encoding the PNG).
"""

from __future__ import annotations

import os
from pathlib import Path


def folder() -> Path | None:
    """Where screenshots go, or None when nobody asked for them."""
    configured = os.environ.get("SCREENSHOT_DIR", "").strip()
    return Path(configured) if configured else None


def screenshot(target, name: str, **options) -> Path | None:
    """Save a screenshot of ``target`` (a Playwright page or locator) as ``name`` in ``folder()``, when set.

    A locator's screenshot waits for it to be visible and fails when it never is: without a screenshot the
    same is checked."""
    where = folder()
    if where is None:
        if hasattr(target, "wait_for"):  # a Locator (a Page has no wait_for)
            target.wait_for(state="visible")
        return None
    where.mkdir(parents=True, exist_ok=True)
    path = where / name
    target.screenshot(path=str(path), **options)
    return path
