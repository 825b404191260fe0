"""Writes on units: merging two units that turned out to be one."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tasks.models import KeyTaskUnit, Profile, Unit, UnitAlias, WorkItemUnit
from tasks.models.workflow import ExtensionRequest, IndicatorReport, ProgressReport


def unit_merge(*, source: Unit, into: Unit) -> Unit:
    """Fold ``source`` into ``into``: its names become aliases, its assignments and people move.

    Where both units hold the same task or item, the stronger role (lead) wins.
    """
    if source.pk == into.pk:
        return into
    if source.region_id != into.region_id:
        raise ValueError(_("只能合并同一地区的单位。"))
    with transaction.atomic():
        for model, owner in ((KeyTaskUnit, "key_task_id"), (WorkItemUnit, "work_item_id")):
            theirs = {getattr(a, owner): a for a in model.objects.filter(unit=into)}
            for assignment in model.objects.filter(unit=source):
                kept = theirs.get(getattr(assignment, owner))
                if kept is None:
                    assignment.unit = into
                    assignment.save(update_fields=["unit"])
                    continue
                if assignment.role == "lead" and kept.role != "lead":
                    kept.role, kept.position = "lead", min(kept.position, assignment.position)
                    kept.save(update_fields=["role", "position"])
                assignment.delete()
        Profile.objects.filter(unit=source).update(unit=into)
        for model in (ProgressReport, ExtensionRequest, IndicatorReport):
            model.objects.filter(unit=source).update(unit=into)
        names = {into.name, *into.aliases.values_list("name", flat=True)}
        moved = [source.name, *source.aliases.values_list("name", flat=True)]
        source.aliases.all().delete()
        emails = [e for e in source.email_list if e not in into.email_list]
        if emails:
            into.emails = "\n".join([*into.email_list, *emails])
            into.save(update_fields=["emails"])
        source.delete()
        for name in moved:
            if name not in names:
                UnitAlias.objects.create(unit=into, name=name)
                names.add(name)
    return into
