"""Reads on a region's towns (镇/街道)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet

from tasks.models import Region, Unit
from tasks.rules.towns import collective_members


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


def region_towns(region: Region | int) -> QuerySet[Unit]:
    """The region's towns in the order they were seeded (towns.csv's order)."""
    region_id = region if isinstance(region, int) else region.pk
    return Unit.objects.filter(region_id=region_id, kind=Unit.Kind.TOWN).order_by("pk")


def collectives_members(region: Region | int) -> dict[int, list[int]]:
    """Each collective unit of the region (各镇(街道)) with the ids of the towns it stands for, by its name
    or any of its aliases; ``[]`` for one without members (各平台公司). Two queries."""
    region_id = region if isinstance(region, int) else region.pk
    towns = [(pk, kind) for pk, kind in region_towns(region_id).values_list("pk", "town_kind")]
    out: dict[int, list[int]] = {}
    collectives = Unit.objects.filter(region_id=region_id, kind=Unit.Kind.COLLECTIVE).prefetch_related("aliases")
    for unit in collectives.order_by("pk"):
        names = [unit.name, *(a.name for a in unit.aliases.all())]
        out[unit.pk] = next((m for m in (collective_members(n, towns) for n in names) if m), [])
    return out
