"""Cells of the public 晾晒 tables: rates as percentages, colours as words (never colour alone), numbers right."""

from django import template
from django.utils.html import format_html

from tasks.roundups.report import colour_label, pct

register = template.Library()


@register.filter
def public_rate(value):
    return pct(value)


@register.simple_tag
def public_cell(row: dict, key: str, rate_columns):
    value = row.get(key)
    if key == "colour":
        if value in (None, "none"):
            return format_html("<td>{}</td>", "—")
        return format_html('<td><span class="pub-light pub-{}">{}</span></td>', value, colour_label(value))
    if key in rate_columns:
        return format_html('<td class="num">{}</td>', pct(value))
    if value is None or value == "":
        return format_html("<td>{}</td>", "—")
    if isinstance(value, int | float):
        return format_html('<td class="num">{}</td>', value)
    return format_html("<td>{}</td>", value)
