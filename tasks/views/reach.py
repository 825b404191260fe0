"""Who cannot be reached: the coordinators' page of the people of their plans' units and their channels."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tasks.listings import reach_listing
from tasks.models import Channel
from tasks.notifications.routing import missing_configuration
from tasks.rules import reach
from tasks.selectors.permissions import is_coordinator, reviewable_plan_ids
from tasks.selectors.reach import units_without_people

from .common import PER_PAGE, BoundedRequestConfig


def configured_channels() -> frozenset[str]:
    """The personal channels the site can send on besides e-mail (their credentials are set)."""
    return frozenset(c for c in reach.CHANNELS if c != reach.EMAIL and not missing_configuration(c))


@require_safe
def reach_view(request):
    """Per unit and person: the channels that work, the last message delivered, the failures; filter, sort."""
    if not is_coordinator(request.user):
        raise PermissionDenied(_("只有专班协调员可以查看触达情况。"))
    now = timezone.now()
    configured = configured_channels()
    listing = reach_listing(request.user, request.GET, today=timezone.localdate(now), now=now,
                            configured=configured)
    BoundedRequestConfig(request, paginate={"per_page": PER_PAGE}, filterset=listing.filterset).configure(listing.table)
    units, n_units = units_without_people(plan_ids=reviewable_plan_ids(request.user))
    return render(request, "tasks/reach.html", {
        "table": listing.table, "filter": listing.filterset, "units_without_people": units,
        "n_units_without_people": n_units,
        "configured": [str(Channel(c).label) for c in reach.CHANNELS if c in configured],
    })
