"""A region's towns (镇/街道) as units of their own, seeded from ``fixtures/towns.csv``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from tasks.models import Region, Unit


@dataclass(frozen=True)
class TownRow:
    region: str
    name: str
    kind: str  # 街道 or 镇
    pinyin: str


def towns_csv_path() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "towns.csv"


@lru_cache(maxsize=4)
def _read(path: Path) -> tuple[TownRow, ...]:
    with path.open(encoding="utf-8", newline="") as f:
        return tuple(
            TownRow(r["region"].strip(), r["name"].strip(), r["kind"].strip(), r.get("pinyin", "").strip())
            for r in csv.DictReader(f)
        )


def town_rows(region_name: str, *, path: Path | None = None) -> list[TownRow]:
    """The towns of ``region_name`` listed in towns.csv, in its order."""
    return [r for r in _read(path or towns_csv_path()) if r.region == region_name]


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

