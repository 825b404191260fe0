"""What an import would create, for the coordinator's preview (reads only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tasks.importers import ParsedPlan
from tasks.models import Plan, Region
from tasks.services.plan_import import normalise_name, units_by_name


@dataclass
class UnitPreview:
    name: str  # as the document writes it
    resolved: str  # the unit it will be
    status: str  # "existing", "alias" (existing unit under another name) or "new"


@dataclass
class ImportPreview:
    parsed: ParsedPlan
    existing_plan: Plan | None
    units: dict[str, UnitPreview] = field(default_factory=dict)

    def unit(self, name: str) -> UnitPreview:
        return self.units[normalise_name(name)]


def import_preview(*, parsed: ParsedPlan) -> ImportPreview:
    """Resolve every unit name against the region's units, and find the plan a re-import would update."""
    region = Region.objects.filter(name=parsed.region).first()
    known = units_by_name(region) if region else {}
    existing_plan = Plan.objects.filter(region=region, title=parsed.title).first() if region else None
    preview = ImportPreview(parsed=parsed, existing_plan=existing_plan)
    canonical = {}
    for pu in parsed.units:
        for name in (pu.name, *pu.aliases):
            canonical[normalise_name(name)] = pu.name
    names = {n for t in parsed.key_tasks for n in (*t.lead_units, *t.supporting_units)}
    names |= {n for w in parsed.work_items for n in (*w.lead_units, *w.supporting_units)}
    names |= {pu.name for pu in parsed.units}
    for name in names:
        key = normalise_name(name)
        unit = known.get(key) or known.get(normalise_name(canonical.get(key, name)))
        if unit is not None:
            status = "existing" if normalise_name(unit.name) == key else "alias"
            preview.units[key] = UnitPreview(name, unit.name, status)
        else:
            target = canonical.get(key, name)
            preview.units[key] = UnitPreview(name, target, "alias" if normalise_name(target) != key else "new")
    return preview
