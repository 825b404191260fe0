"""Reads for the documents pages: which 通报 and 督办单 a user may open, and a plan's list of them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tasks.models import Bulletin, Plan, SupervisionNotice

from .compiled import precompiled
from .permissions import is_global, reviewable_plans, user_unit


def bulletins_visible_to(user) -> QuerySet[Bulletin]:
    """Coordinators of the plan and staff."""
    return Bulletin.objects.filter(plan__in=reviewable_plans(user)).select_related("plan", "roundup", "corrects")


def notices_visible_to(user) -> QuerySet[SupervisionNotice]:
    """Coordinators of the plan and staff see all; a unit sees what it was sent."""
    qs = SupervisionNotice.objects.select_related("plan", "unit", "escalated_from")
    if is_global(user):
        return qs
    unit = user_unit(user)
    mine = Q(unit=unit) & ~Q(status__in=[SupervisionNotice.Status.DRAFT, SupervisionNotice.Status.CANCELLED])
    return qs.filter(Q(plan__in=reviewable_plans(user)) | (mine if unit else Q(pk__in=[])))


def plan_documents(plan: Plan) -> dict:
    """The plan page's list: every numbered 通报 and 督办单, newest first, and the drafts waiting."""
    ids = {"plan_id": plan.pk}
    return {"bulletins": precompiled(_plan_bulletins, ids=ids), "notices": precompiled(_plan_notices, ids=ids)}


def _plan_bulletins(*, plan_id: int) -> QuerySet[Bulletin]:
    return (Bulletin.objects.filter(plan_id=plan_id).select_related("roundup", "corrects")
            .order_by("status", "-year", "-number", "-pk"))


def _plan_notices(*, plan_id: int) -> QuerySet[SupervisionNotice]:
    return (SupervisionNotice.objects.filter(plan_id=plan_id).exclude(status=SupervisionNotice.Status.CANCELLED)
            .select_related("unit").order_by("-issued_at", "-pk"))
