"""HTML formatter: the page in the app, and a self-contained document (CSS inlined) for the PDF."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from .report import RoundupReport

STYLESHEETS = ("tasks/app.css", "tasks/widths.css", "tasks/roundup.css")


def inline_css() -> str:
    parts = []
    for name in STYLESHEETS:
        path = finders.find(name)
        with open(path, encoding="utf-8") as fh:
            parts.append(fh.read())
    return "\n".join(parts)


def render_standalone_html(report: RoundupReport) -> str:
    """One HTML document with no external resource: styles inlined, charts as inline SVG."""
    return render_to_string("tasks/roundups/standalone.html", {"report": report, "css": inline_css()})
