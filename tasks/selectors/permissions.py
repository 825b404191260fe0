"""Who may see and do what: one place for the facts the object permission rules read.

- seeing: superusers and holders of ``tasks.view_all_plans`` or ``tasks.act_on_all_plans`` (a province
  or city role) see every plan (``is_global``); ``is_staff`` only opens the admin, where a coordinator sees
  the plans they coordinate;
- acting: superusers and holders of ``tasks.act_on_all_plans`` act on every plan like a coordinator of
  each (``acts_globally``, ``can_act_on_plan``); ``view_all_plans`` alone never writes. Services ask
  ``tasks.selectors.guard.authorize`` before writing, which reads these facts;
- a coordinator (``Plan.coordinators``) sees and acts on the plans they coordinate;
- a liaison (``Profile.unit``) sees the work items and key tasks where their unit is lead or
  supporting; only a lead unit changes an item's status (asks to close, asks for more time).

The helpers cache per user object (one request), so a page asks the database once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet, Value

from tasks.models import (
    Indicator,
    KeyTask,
    KeyTaskUnit,
    PersonRole,
    Plan,
    Profile,
    Role,
    TargetShare,
    Unit,
    WorkItem,
    WorkItemUnit,
)
from tasks.selectors.compiled import IdArray, precompiled

VIEW_ALL_PLANS = "tasks.view_all_plans"
ACT_ON_ALL_PLANS = "tasks.act_on_all_plans"


def is_global(user) -> bool:
    """Superusers and holders of ``tasks.view_all_plans`` (or ``act_on_all_plans``) see every plan (``is_staff``
    alone does not). Seeing only: acting asks ``acts_globally``.

    Answered with the plans the user coordinates, in one statement (``_standing``), once per user object; a
    user whose permissions the auth backends have read already (the admin's pages) is answered from their
    cache. Staff are asked alike: the list pages read no other permission (the backends' full read is two
    statements).
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if hasattr(user, "_perm_cache"):
        return holds(user, VIEW_ALL_PLANS) or holds(user, ACT_ON_ALL_PLANS)
    _standing(user)
    return user._housing_global or user._housing_acts


def acts_globally(user) -> bool:
    """Superusers and holders of ``tasks.act_on_all_plans`` act on every plan (review, publish, issue 督办单)
    like a coordinator of each. ``view_all_plans`` does not: it only sees."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if hasattr(user, "_perm_cache"):
        return holds(user, ACT_ON_ALL_PLANS)
    _standing(user)
    return user._housing_acts


def holds(user, perm: str) -> bool:
    """``user.has_perm(perm)``, asked of the auth backends once per user object, as they read the user's
    permissions once per user object (``_perm_cache``). An admin page asks whether its user sees and acts on
    every plan for each model the sidebar lists (some 130 times a page for a coordinator), and each
    ``has_perm`` loads and asks every backend anew."""
    answers = user.__dict__.setdefault("_housing_holds", {})
    if perm not in answers:
        answers[perm] = user.has_perm(perm)
    return answers[perm]


# The rows of _standing that say the user holds a permission (no plan has these ids).
_GRANTED = {VIEW_ALL_PLANS: -1, ACT_ON_ALL_PLANS: -2}


def _standing(user) -> None:
    """Read what every page asks about its user, once per user object: whether they hold ``view_all_plans``
    and ``act_on_all_plans`` (their own or a group's) and the plans they coordinate (``_housing_global``,
    ``_housing_acts``, ``_housing_plans``)."""
    if hasattr(user, "_housing_plans"):
        return
    rows = precompiled(_standing_rows, ids={"user_id": user.pk})
    user._housing_global = any(pk == _GRANTED[VIEW_ALL_PLANS] for pk, _region in rows)
    user._housing_acts = any(pk == _GRANTED[ACT_ON_ALL_PLANS] for pk, _region in rows)
    user._housing_plans = {pk: region for pk, region in rows if pk > 0}


def _standing_rows(*, user_id: int) -> QuerySet:
    """(plan id, region id) of the plans ``user_id`` coordinates, and ``(-1, -1)`` / ``(-2, -2)`` if they hold
    ``view_all_plans`` / ``act_on_all_plans``: one statement (UNION ALL) for the questions every page asks."""
    parts = []
    for perm, mark in _GRANTED.items():
        app_label, codename = perm.split(".")
        parts.append(
            Permission.objects.filter(
                Q(user=user_id) | Q(group__user=user_id), content_type__app_label=app_label, codename=codename)
            .annotate(plan=Value(mark), region=Value(mark)).order_by().values_list("plan", "region").distinct()
        )
    plans = Plan.objects.filter(coordinators=user_id).order_by().values_list("pk", "region_id")
    return plans.union(*parts, all=True)


def prime_standing(users: Iterable) -> None:
    """Read for many users at once what ``_standing`` and ``user_unit`` read for each (four statements in all),
    so a rule asked of every person of a roster costs no statement per person. The same caches, the same rules."""
    users = [u for u in users if u.pk is not None and not hasattr(u, "_housing_plans")]
    if not users:
        return
    ids = [u.pk for u in users]
    granted: dict[str, set[int]] = {}
    for perm in _GRANTED:
        app_label, codename = perm.split(".")
        held = Q(user_permissions__content_type__app_label=app_label, user_permissions__codename=codename) | Q(
            groups__permissions__content_type__app_label=app_label, groups__permissions__codename=codename)
        granted[perm] = set(type(users[0]).objects.filter(held, pk__in=ids).values_list("pk", flat=True))
    plans: dict[int, dict[int, int]] = {pk: {} for pk in ids}
    for user_id, plan_id, region_id in Plan.coordinators.through.objects.filter(user_id__in=ids).values_list(
            "user_id", "plan_id", "plan__region_id"):
        plans[user_id][plan_id] = region_id
    profiles = {p.user_id: p for p in Profile.objects.select_related("unit").filter(user_id__in=ids)}
    for u in users:
        u._housing_global = u.pk in granted[VIEW_ALL_PLANS]
        u._housing_acts = u.pk in granted[ACT_ON_ALL_PLANS]
        u._housing_plans = plans[u.pk]
        profile = profiles.get(u.pk)
        u._housing_unit = profile.unit if profile else None
        u._housing_role = profile.role if profile else None


def user_unit(user) -> Unit | None:
    """The unit a person works for or oversees (a liaison's, a 分管领导's), or None: what they *see*."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_housing_unit"):
        profile = next(iter(precompiled(_profile_of, ids={"user_id": user.pk})), None)
        user._housing_unit = profile.unit if profile else None
        user._housing_role = profile.role if profile else None
    return user._housing_unit


def person_role(user) -> str | None:
    """The user's ``PersonRole`` towards their unit (None without a profile)."""
    user_unit(user)
    return getattr(user, "_housing_role", None)


def acting_unit(user) -> Unit | None:
    """The unit a user *acts* for: a liaison's. A 分管领导 sees the unit's work and acts on none of it; a
    coordinator listed with their office's unit acts for plans, not for the unit."""
    unit = user_unit(user)
    return unit if unit is not None and person_role(user) == PersonRole.LIAISON else None


def manages_people_of(user, unit: Unit) -> bool:
    """Manages a unit's people (invites, replaces, imports the roster): a coordinator of a plan of the unit's
    region, a holder of ``act_on_all_plans``, a superuser."""
    return acts_globally(user) or unit.region_id in coordinated_plans(user).values()


def manages_person(user, person) -> bool:
    """Changes an account (its name, contacts, unit, whether it is active) or sends it an invitation: the roster
    import, adding or replacing a unit's person, inviting again. A superuser manages anyone. Anyone else manages
    only a person with no more standing than their own: not a superuser, holding neither province-wide
    permission, not staff unless a coordinator, coordinating only plans the actor acts on, and of a unit whose
    people the actor manages (or of no unit yet and never used: ``claimed_elsewhere``). So a coordinator cannot
    reach another region's people, nor an account above them, nor a real person's account that has no unit
    (whose address they could change and then invite: the account would be theirs)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if person.is_superuser or is_global(person):
        return False
    plans = coordinated_plans(person)
    if person.is_staff and not plans:
        return False
    if not plans and claimed_elsewhere(person):
        return False
    if acts_globally(user):
        return True
    mine = coordinated_plans(user)
    if any(pk not in mine for pk in plans):
        return False
    unit = user_unit(person)
    return unit is None or unit.region_id in mine.values()


def claimed_elsewhere(person) -> bool:
    """An account of no unit that a real person has used: it has logged in (with a password, or through single
    sign-on, which creates no account (``tasks.oidc``) and sets ``last_login`` like any login). Only a superuser
    attaches it to a unit, changes its contacts or invites it (``manages_person``): its owner may work
    elsewhere. An account of no unit never logged in is a new person's, for any coordinator to place."""
    return person.last_login is not None and user_unit(person) is None


def _profile_of(*, user_id: int) -> QuerySet[Profile]:
    return Profile.objects.select_related("unit").filter(user_id=user_id).order_by("pk")[:1]


def coordinated_plans(user) -> dict[int, int]:
    """The plans ``user`` coordinates: plan id -> its region's id (empty for a plain liaison)."""
    if not user.is_authenticated:
        return {}
    _standing(user)
    return user._housing_plans


def coordinated_plan_ids(user) -> frozenset[int]:
    """Ids of the plans ``user`` coordinates (empty for a plain liaison)."""
    return frozenset(coordinated_plans(user))


def is_coordinator(user) -> bool:
    """Sees the coordinators' pages (dashboard, review queue, overdue, roundups): province-wide users and
    coordinators of at least one plan. Seeing only: what they may do there is ``can_act_on_plan``."""
    return is_global(user) or bool(coordinated_plan_ids(user))


def sees_plan_whole(user, plan_id: int) -> bool:
    """Reads every item, figure and document of the plan: its coordinators and province-wide users."""
    return is_global(user) or plan_id in coordinated_plan_ids(user)


def can_act_on_plan(user, plan_id: int) -> bool:
    """Acts for the plan (reviews, chases, publishes, issues 督办单): its coordinators, holders of
    ``act_on_all_plans`` and superusers. Services ask ``guard.authorize``, which reads this."""
    return acts_globally(user) or plan_id in coordinated_plan_ids(user)


def acts_on_any_plan(user) -> bool:
    """Acts for at least one plan: the coordinators' pages show their buttons (a province-wide viewer's do not)."""
    return acts_globally(user) or bool(coordinated_plan_ids(user))


def reviewable_plans(user) -> QuerySet[Plan]:
    """The plans whose work ``user`` sees as a whole (``sees_plan_whole``); acting asks ``can_act_on_plan``."""
    return plans_in(reviewable_plan_ids(user))


def reviewable_plan_ids(user) -> tuple[int, ...] | None:
    """The ids of ``reviewable_plans``, sorted; None for every plan (a province-wide user). Plain data, for
    reads compiled once per shape (``tasks.selectors.compiled``)."""
    return None if is_global(user) else tuple(sorted(coordinated_plan_ids(user)))


def plans_in(plan_ids: Iterable[int] | None) -> QuerySet[Plan]:
    """The plans of ``reviewable_plan_ids``: their ids as one parameter (``compiled.Among``)."""
    return Plan.objects.all() if plan_ids is None else Plan.objects.filter(pk__among=plan_ids)


def plan_scope(plan_ids: Iterable[int] | None) -> dict[str, IdArray]:
    """``ids`` for a compiled read over the plans ``plan_ids`` (``reviewable_plan_ids``): one id set, so
    every coordinator's read shares one compiled statement; none for every plan (a shape of its own)."""
    return {} if plan_ids is None else {"plan_ids": IdArray(plan_ids)}


def dashboard_plans(user) -> QuerySet[Plan]:
    """Plans whose dashboard ``user`` reads: the reviewable ones, and for a 分管领导 the plans where the unit
    they oversee has work (a leader's two minutes: seeing only; the guard refuses them every act)."""
    if is_global(user) or person_role(user) != PersonRole.LEADER or user_unit(user) is None:
        return reviewable_plans(user)
    return visible_plans(user)


def visible_plans(user) -> QuerySet[Plan]:
    """Plans ``user`` may read figures of: reviewable ones, and those where the user's unit has work."""
    if is_global(user):
        return Plan.objects.all()
    q = Q(pk__in=coordinated_plan_ids(user))
    unit = user_unit(user)
    if unit is not None:
        q |= Q(pk__in=WorkItemUnit.objects.filter(unit=unit).values("work_item__plan_id"))
        q |= Q(pk__in=KeyTaskUnit.objects.filter(unit=unit).values("key_task__plan_id"))
        # A unit holding a share of one of its targets (目标分解) reads the plan's figures, its own row among them,
        # as it sees the indicator (``visible_indicators``).
        q |= Q(pk__in=TargetShare.objects.filter(unit=unit).values("breakdown__indicator__plan_id"))
    return Plan.objects.filter(q)


def visible_work_items(user) -> QuerySet[WorkItem]:
    """Every work item ``user`` may open."""
    if is_global(user):
        return WorkItem.objects.all()
    q = Q(plan_id__in=coordinated_plan_ids(user))
    unit = user_unit(user)
    if unit is not None:
        q |= Q(pk__in=WorkItemUnit.objects.filter(unit=unit).values("work_item_id"))
        q |= sub_items_handed_out_by_q(unit)
    if rates_what_they_raised(user):  # a leader opens what they raised, to rate it
        q |= Q(raised_by=user)
    return WorkItem.objects.filter(q)


def rates_what_they_raised(user) -> bool:
    """Whoever raised an item from a meeting or an instruction (``WorkItem.raised_by``, a 分管领导 when named)
    opens and rates it while they are an active leader: the guard's ``raiser``, the item's visibility, the
    待评价 list and who the rating request goes to all ask this, so a link never lands on a 404 nor a list
    offers what the page refuses. Otherwise the plan's coordinators rate on their behalf."""
    return user.is_authenticated and user.is_active and person_role(user) == PersonRole.LEADER


def sub_items_handed_out_by_q(unit: Unit) -> Q:
    """Sub-items of items ``unit`` leads: the unit that broke an item down follows its parts.

    A town sees only its own sub-items (through its lead row), never its siblings; the
    parent's text is shown on the sub-item's page without opening the parent to it.
    """
    return Q(parent_id__in=WorkItemUnit.objects.filter(unit=unit, role=Role.LEAD).values("work_item_id"))


def visible_key_tasks(user) -> QuerySet[KeyTask]:
    """Key tasks of coordinated plans, and those the user's unit holds or works on."""
    if is_global(user):
        return KeyTask.objects.all()
    q = Q(plan_id__in=coordinated_plan_ids(user))
    unit = user_unit(user)
    if unit is not None:
        q |= Q(pk__in=KeyTaskUnit.objects.filter(unit=unit).values("key_task_id"))
        q |= Q(pk__in=WorkItemUnit.objects.filter(unit=unit, work_item__key_task__isnull=False).values(
            "work_item__key_task_id"
        ))
    return KeyTask.objects.filter(q)


def visible_indicators(user) -> QuerySet[Indicator]:
    """Indicators of coordinated plans, and those served by a key task or item of the user's unit."""
    if is_global(user):
        return Indicator.objects.all()
    q = Q(plan_id__in=coordinated_plan_ids(user))
    unit = user_unit(user)
    if unit is not None:
        q |= Q(key_task__in=visible_key_tasks(user))
        q |= Q(pk__in=WorkItemUnit.objects.filter(unit=unit, work_item__indicator__isnull=False).values(
            "work_item__indicator_id"
        ))
        # A unit holding a share of the indicator's target (目标分解) sees it and reports its part there.
        q |= Q(pk__in=TargetShare.objects.filter(unit=unit).values("breakdown__indicator_id"))
    return Indicator.objects.filter(q)


def visible_units(user) -> QuerySet[Unit]:
    """A liaison sees their own unit; a coordinator the units of their plans' regions."""
    if is_global(user):
        return Unit.objects.all()
    q = Q(region__plans__in=coordinated_plan_ids(user))
    unit = user_unit(user)
    if unit is not None:
        q |= Q(pk=unit.pk)
    return Unit.objects.filter(pk__in=Unit.objects.filter(q).values("pk"))


def unit_role(user, item: WorkItem) -> str | None:
    """The role (lead / support) of the unit the user acts for in ``item``, or None."""
    unit = acting_unit(user)
    if unit is None:
        return None
    # By position (the model's ordering within one item) without joining the item, its plan and region.
    return (WorkItemUnit.objects.filter(work_item=item, unit=unit).order_by("position", "pk")
            .values_list("role", flat=True).first())


def is_indicator_reporter(user, indicator: Indicator) -> bool:
    """Only the lead unit of the key task an indicator serves reports its values (its liaison)."""
    unit = acting_unit(user)
    if unit is None or indicator.key_task_id is None:
        return False
    # A town that leads only through a collective (各镇街 listed first) reports its share, not the city figure.
    return KeyTaskUnit.objects.filter(
        key_task_id=indicator.key_task_id, unit=unit, role=Role.LEAD, expanded=False
    ).exists()
