"""Template helpers for the daily pages."""

from __future__ import annotations

from django import template

from tasks.filters import SOON_LABEL
from tasks.links import page_query
from tasks.roundups.report import colour_label as report_colour_label
from tasks.roundups.report import pct as report_pct
from tasks.rules.progress import ShownProgress, item_progress
from tasks.selectors.permissions import is_coordinator, user_unit
from tasks.stored_text import issue_text, shown

register = template.Library()


@register.filter
def md(text) -> str:
    """A stored text as plain words inside a markdown message (``tasks.text.markdown_plain``)."""
    from tasks.text import markdown_plain

    return markdown_plain(text)


@register.filter
def stored(text) -> str:
    """Text the app wrote into the database (a history reason, a system note) in the reader's language
    (``tasks.stored_text``); what a person typed stays as typed."""
    return shown(text)


@register.filter
def issue(text) -> str:
    """An importer's preview message in the reader's language (``tasks.stored_text.issue_text``)."""
    return issue_text(text)


@register.filter
def coordinator(user) -> bool:
    """{% if user|coordinator %}: the user reviews at least one plan."""
    return is_coordinator(user)


@register.filter
def unit_of(user):
    """The unit a liaison works for, or None."""
    return user_unit(user)


@register.filter
def pct(value) -> str:
    """A rate as the roundups print it: 0.853 -> "85.3%"; None -> "—"."""
    return report_pct(value)


@register.filter
def shown_progress(item) -> ShownProgress:
    """A work item's progress as shown (``rules.progress``): ``.percent`` for its bar, ``.text`` to print."""
    return item_progress(item)


@register.filter
def percent(value) -> str:
    """A value already in percent (indicator progress), as the roundups print it: 75.0 -> "75.0%"."""
    return "—" if value is None else f"{value:.1f}%"


@register.filter
def bar(value) -> str:
    """A percent as a CSS width, capped at 100%."""
    return "0%" if value is None else f"{max(0.0, min(float(value), 100.0)):.1f}%"


@register.filter
def width(value) -> int:
    """A percent as the whole number of a ``w-N`` class (tasks/widths.css: ``width: N%``), capped at 0..100.

    The Content-Security-Policy allows no style attribute, so a bar's width is one of 101 classes."""
    if value is None or value == "":
        return 0
    try:
        return round(max(0.0, min(float(value), 100.0)))
    except (TypeError, ValueError):
        return 0


@register.filter
def filesize(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


@register.filter
def plain(value) -> str:
    """A Decimal as written, without trailing zeros or an exponent: 30.0000 -> "30", 0.0340 -> "0.034"."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text


@register.filter
def colour_label(colour: str) -> str:
    """A traffic light's name in the UI's language (绿灯/黄灯/红灯, or —), never the raw value."""
    return report_colour_label(colour)


@register.simple_tag
def soon_label():
    """The "due soon" label, with the rule's number of working days (``tasks.filters.SOON_LABEL``)."""
    return SOON_LABEL


@register.simple_tag(takes_context=True)
def page_link(context, *pairs):
    """``{% page_link key value ... %}``: the page's query string (``tasks.links.PageQuery``: only the
    parameters the page reads) with each ``key`` set to its ``value``, for its sort, page, filter and export
    links."""
    if len(pairs) % 2:
        raise template.TemplateSyntaxError("page_link takes key value pairs")
    return page_query(context["request"]).link(dict(zip(pairs[::2], pairs[1::2], strict=True)))
