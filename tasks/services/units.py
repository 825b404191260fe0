"""Writes on units: merging two units that turned out to be one."""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext as _

from tasks.models import KeyTaskUnit, Unit, UnitAlias, WorkItemUnit
from tasks.models.targets import TargetShare


class MergeRefused(ValueError):
    """A merge that would lose or bend something; its message says what, in the reader's language."""


# Rows naming a unit that a merge cannot simply point at the other unit: both units may hold one for the same
# thing (a unique constraint), or the row is a name. Every other row naming the unit is moved as it is.
_ASSIGNMENTS = ((KeyTaskUnit, "key_task_id"), (WorkItemUnit, "work_item_id"))
_SPECIAL = {KeyTaskUnit, WorkItemUnit, TargetShare, UnitAlias}


def unit_relations() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key to ``Unit``, read from the models (a relation added later is
    moved by a merge too). A relation with a unique constraint on the unit must be handled in ``_SPECIAL``."""
    found = []
    for rel in Unit._meta.related_objects:
        if rel.many_to_many:
            continue  # through a model of its own (KeyTaskUnit, WorkItemUnit), listed as such
        model, name = rel.related_model, rel.field.name
        unique = (any(name in getattr(c, "fields", ()) for c in model._meta.constraints)
                  or any(name in together for together in model._meta.unique_together) or rel.field.unique)
        if unique and model not in _SPECIAL:
            raise RuntimeError(f"{model._meta.label}.{name}: a unit merge does not know how to fold it")
        found.append((model, name))
    return found


def _check(source: Unit, into: Unit) -> None:
    if source.region_id != into.region_id:
        raise MergeRefused(_("只能合并同一地区的单位。"))
    collective = Unit.Kind.COLLECTIVE
    if (source.kind == collective) != (into.kind == collective):
        # A collective holds no part of any item (its members do): merged with a unit, the unit's parts would
        # be a collective's (never ranked, never chased) or the collective's members lost.
        raise MergeRefused(_("集合单位只能与集合单位合并：%(a)s、%(b)s。") % {"a": source.name, "b": into.name})
    shared = (TargetShare.objects.filter(unit=source, breakdown__shares__unit=into)
              .select_related("breakdown__indicator").first())
    if shared is not None:
        # Two shares of one breakdown cannot be added up safely (a rate weighs them by their bases), nor one
        # dropped: the coordinator settles the breakdown first.
        raise MergeRefused(_("%(a)s和%(b)s在指标“%(i)s”的目标分解中各有一份，请先调整分解再合并。")
                           % {"a": source.name, "b": into.name, "i": shared.breakdown.indicator})


def unit_merge(*, source: Unit, into: Unit) -> Unit:
    """Fold ``source`` into ``into``: its names become aliases, and every row naming it (assignments, people,
    reports, 督办单, target shares, its group robot, its people log) names ``into``; nothing is deleted but
    ``source`` itself. Where both units hold the same task or item, the stronger role (lead) wins.

    Raises ``MergeRefused`` (nothing written) across regions, between a collective and a unit, and when both
    hold a share of the same target breakdown.
    """
    if source.pk == into.pk:
        return into
    with transaction.atomic():
        source, into = (Unit.objects.select_for_update().get(pk=source.pk),
                        Unit.objects.select_for_update().get(pk=into.pk))
        _check(source, into)
        for model, owner in _ASSIGNMENTS:
            theirs = {getattr(a, owner): a for a in model.objects.filter(unit=into)}
            for assignment in model.objects.filter(unit=source):
                kept = theirs.get(getattr(assignment, owner))
                if kept is None:
                    continue  # moved with the rest below
                if assignment.role == "lead" and kept.role != "lead":
                    kept.role, kept.position = "lead", min(kept.position, assignment.position)
                    kept.save(update_fields=["role", "position"])
                assignment.delete()
        names = {into.name, *into.aliases.values_list("name", flat=True)}
        moved = [source.name, *source.aliases.values_list("name", flat=True)]
        source.aliases.all().delete()
        for model, name in unit_relations():
            if model is not UnitAlias:
                model._base_manager.filter(**{name: source}).update(**{name: into})
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
