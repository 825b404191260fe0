"""Cells of the public 晾晒 tables: rates as percentages, colours as words (never colour alone), numbers right.

The rows are rendered here in one pass (escaped cell by cell) rather than by a template loop: a plan's overdue
list can run to hundreds of rows, and a tag per cell cost the page most of its time in the bench.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from tasks.roundups.report import colour_label, pct
from tasks.selectors.public import PERCENT_COLUMNS
from tasks.templatetags.tasks_tags import percent

register = template.Library()


@register.filter
def public_rate(value):
    return pct(value)


def _cell(value, key: str, rate_columns) -> str:
    if key == "colour":
        if value in (None, "none"):
            return "<td>—</td>"
        return f'<td><span class="pub-light pub-{escape(value)}">{escape(colour_label(value))}</span></td>'
    if key in rate_columns:
        return f'<td class="num">{escape(pct(value))}</td>'
    if key in PERCENT_COLUMNS:  # already a percentage (an indicator's progress)
        return f'<td class="num">{escape(percent(value))}</td>'
    if value is None or value == "":
        return "<td>—</td>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="num">{escape(value)}</td>'
    return f"<td>{escape(value)}</td>"


@register.simple_tag
def public_rows(rows: list[dict], columns, rate_columns):
    """The ``<tr>`` of every row, its cells in ``columns``' order, every value escaped."""
    keys = [key for key, _label in columns]
    return mark_safe("".join(  # every value passes through escape() in _cell
        "<tr>" + "".join(_cell(row.get(key), key, rate_columns) for key in keys) + "</tr>" for row in rows
    ))
