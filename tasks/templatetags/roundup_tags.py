"""Formatting for roundup pages: rates, numbers, colours, rank changes, the inline SVG charts."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tasks.roundups import charts
from tasks.roundups.report import RoundupReport, colour_label, num, pct
from tasks.templatetags import tasks_tags

register = template.Library()


@register.filter
def rate(value):
    return pct(value)


register.filter("percent", tasks_tags.percent)


@register.filter
def number(value):
    return num(value)


@register.filter
def light(colour):
    """A coloured badge: 绿灯 / 黄灯 / 红灯 / —."""
    if colour == "none":
        return format_html('<span class="light none">{}</span>', "—")
    return format_html('<span class="light {}">{}</span>', colour, colour_label(colour))


@register.filter
def outside_note(unit):
    """A unit's items from meetings and instructions counted in its row, as a small note ("" when none)."""
    note = RoundupReport.outside_note(unit)
    return format_html('<br><small class="muted rp-outside-note">{}</small>', note) if note else ""


@register.filter
def rank_change(unit):
    change, before = unit.get("rank_change"), unit.get("previous_rank")
    if unit.get("rank") is None:
        return "—"
    if before is None:
        return format_html('<span class="chg new">{}</span>', _("新"))
    if change > 0:
        return format_html('<span class="chg up">↑{}</span>', change)
    if change < 0:
        return format_html('<span class="chg down">↓{}</span>', -change)
    return format_html('<span class="chg same">{}</span>', _("持平"))


@register.filter
def comparator(value):
    return {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "eq": "="}.get(value, "")


@register.simple_tag
def unit_rate_chart(report):
    return mark_safe(charts.unit_rate_chart(report))  # every part is escaped in charts.py


@register.simple_tag
def indicator_chart(report):
    return mark_safe(charts.indicator_chart(report))  # every part is escaped in charts.py
