"""Reads on a region's towns (镇/街道)."""

from __future__ import annotations

from django.db.models import QuerySet

from tasks.models import Region, Unit


def region_towns(region: Region | int) -> QuerySet[Unit]:
    """The region's towns in the order they were seeded (towns.csv's order)."""
    region_id = region if isinstance(region, int) else region.pk
    return Unit.objects.filter(region_id=region_id, kind=Unit.Kind.TOWN).order_by("pk")
