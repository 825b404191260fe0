"""A region's towns (镇/街道) as units of their own, seeded from ``fixtures/towns.csv``."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from tasks.models import Region, Unit
from tasks.selectors.towns import TownRow, town_rows, towns_csv_path

__all__ = ["TownRow", "region_towns_seed", "town_rows", "towns_csv_path"]


def region_towns_seed(*, region: Region, path: Path | None = None) -> list[Unit]:
    """Create or update the towns of ``region`` listed in towns.csv (idempotent); returns them.

    A unit of the same name that already exists (a plan may name a town) becomes the town: its
    kind and sub-kind are set, nothing else changes. Towns a coordinator added in the admin stay.
    """
    rows = town_rows(region.name, path=path)
    if not rows:
        return []
    with transaction.atomic():
        existing = {u.name: u for u in Unit.objects.filter(region=region, name__in=[r.name for r in rows])}
        created, changed = [], []
        for row in rows:
            unit = existing.get(row.name)
            if unit is None:
                created.append(Unit(region=region, name=row.name, kind=Unit.Kind.TOWN, town_kind=row.kind,
                                    in_unit_list=False))
            elif (unit.kind, unit.town_kind) != (Unit.Kind.TOWN, row.kind):
                unit.kind, unit.town_kind = Unit.Kind.TOWN, row.kind
                changed.append(unit)
        Unit.objects.bulk_create(created)
        Unit.objects.bulk_update(changed, ["kind", "town_kind"])
    by_name = {u.name: u for u in Unit.objects.filter(region=region, name__in=[r.name for r in rows])}
    return [by_name[r.name] for r in rows]

