from django import template

register = template.Library()


@register.filter
def unit_preview(preview, name):
    """How the import preview resolves a unit name (existing, alias of an existing unit, new)."""
    return preview.unit(name)
