"""Towns and a broken-down item for the 分解交办 tests, on top of daily_setup's small office."""

from __future__ import annotations

from tasks.models import Unit
from tasks.tests.daily_setup import World, liaison
from tasks.tests.factories import UnitFactory

TOWN_NAMES = ("硖石街道", "海洲街道", "海昌街道", "马桥街道", "许村镇", "长安镇")


def make_towns(w: World, names=TOWN_NAMES) -> list[Unit]:
    """Towns of the world's region, each with a liaison named town0, town1, ..."""
    towns = [UnitFactory(region=w.plan.region, name=n, kind=Unit.Kind.TOWN) for n in names]
    for i, t in enumerate(towns):
        t.liaison = liaison(t, f"town{i}")
    return towns
