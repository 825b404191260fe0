"""Reads about units: every name a region's units go by."""

from __future__ import annotations

from tasks.importers.matching import normalise_name
from tasks.models import Region, Unit


def units_by_name(region: Region) -> dict[str, Unit]:
    """Every name (canonical and alias) of a region's units, normalised."""
    names: dict[str, Unit] = {}
    for unit in Unit.objects.filter(region=region).prefetch_related("aliases"):
        names[normalise_name(unit.name)] = unit
        for alias in unit.aliases.all():
            names[normalise_name(alias.name)] = unit
    return names
