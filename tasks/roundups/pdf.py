"""PDF formatter: the self-contained HTML page printed by headless Chromium (Debian's /usr/bin/chromium).

The page is written to a temporary file and printed with ``--print-to-pdf``; no server and no network
are involved. CJK glyphs come from fonts-wqy-microhei (``make sysdeps``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from .html import render_standalone_html
from .report import RoundupReport

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--no-pdf-header-footer",
]


class PdfUnavailable(RuntimeError):
    """No Chromium here, or it failed to print."""


def chromium_path() -> str | None:
    configured = getattr(settings, "ROUNDUP_CHROMIUM", "") or os.environ.get("CHROMIUM_PATH", "")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str, *, timeout: int = 120) -> bytes:
    binary = chromium_path()
    if not binary:
        raise PdfUnavailable("Chromium is not installed (run `make sysdeps`).")
    with tempfile.TemporaryDirectory(prefix="roundup-pdf-") as tmp:
        folder = Path(tmp)
        source, target = folder / "roundup.html", folder / "roundup.pdf"
        source.write_text(html, encoding="utf-8")
        command = [binary, *FLAGS, f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={target}", source.as_uri()]
        # A private HOME keeps Chromium's caches out of the service user's home and out of each other's way.
        env = {**os.environ, "HOME": str(folder), "XDG_CONFIG_HOME": str(folder), "XDG_CACHE_HOME": str(folder)}
        try:
            result = subprocess.run(command, capture_output=True, timeout=timeout, env=env, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"Chromium did not print the page: {exc}") from exc
        if not target.exists() or target.stat().st_size == 0:
            tail = result.stderr.decode("utf-8", "replace")[-500:]
            raise PdfUnavailable(f"Chromium did not print the page (exit {result.returncode}): {tail}")
        return target.read_bytes()


def render_pdf(report: RoundupReport) -> bytes:
    return html_to_pdf(render_standalone_html(report))
