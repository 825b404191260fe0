"""Which towns a collective name in a plan stands for (各镇(街道), 各街道, 各乡镇 ...).

The region's towns (towns.csv) carry a sub-kind, 街道 or 镇; a collective name covers the towns
of the sub-kinds it names. A collective with no member list here (各县(市、区) in a city plan,
各平台公司) is not expanded: the import preview and the import flag it for the coordinator to name its
members. Either way a collective holds no part of any work item (``part_holders``).
"""

from __future__ import annotations

import re

STREET, TOWN = "街道", "镇"

_SPACES = re.compile(r"\s+")


def _key(name: str) -> str:
    return _SPACES.sub("", name).replace("（", "(").replace("）", ")")


# Normalised collective name -> the town sub-kinds it covers.
_COVERS: dict[str, frozenset[str]] = {
    "各镇(街道)": frozenset({STREET, TOWN}),
    "各镇街": frozenset({STREET, TOWN}),
    "各镇、街道": frozenset({STREET, TOWN}),
    "各镇街道": frozenset({STREET, TOWN}),
    "各乡镇(街道)": frozenset({STREET, TOWN}),
    "各镇人民政府、街道办事处": frozenset({STREET, TOWN}),
    "各街道": frozenset({STREET}),
    "各街道办事处": frozenset({STREET}),
    "各乡镇": frozenset({TOWN}),
    "各镇": frozenset({TOWN}),
    "各镇人民政府": frozenset({TOWN}),
}


def collective_town_kinds(name: str) -> frozenset[str] | None:
    """The town sub-kinds a collective name covers, or None when it is not a collective of towns."""
    return _COVERS.get(_key(name))


def collective_members(name: str, towns: list[tuple[int, str]]) -> list[int]:
    """Ids of the ``towns`` ((id, sub-kind) in the region's order) that ``name`` stands for."""
    kinds = collective_town_kinds(name)
    if not kinds:
        return []
    return [town_id for town_id, kind in towns if kind in kinds]


def part_holders(rows: list[tuple[int, str]], members: dict[int, list[int]]) -> list[tuple[int, str]]:
    """Who holds a work item's parts: ``rows`` ((unit id, role), in order) with each collective replaced.

    ``members`` maps each collective among the rows to its member units (a collective of towns to the
    towns it stands for). A collective holds nothing itself: its parts are its members', in its role;
    one without members (各平台公司 until the coordinator names them) holds none. A unit is listed once,
    its first mention winning (a town that leads keeps its lead part when 各镇(街道) supports).
    """
    seen: set[int] = set()
    out = []
    for unit_id, role in rows:
        for holder in members.get(unit_id, [unit_id]):
            if holder not in seen:
                seen.add(holder)
                out.append((holder, role))
    return out
