"""The demo: both real plans, accounts for every unit, and a history that looks alive today.

Everything is deterministic (seeded by item identity, relative to ``today``) and idempotent:
items that already have history are left alone, so running it again changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tasks.models import (
    IndicatorReport,
    KeyTaskRole,
    KeyTaskUnit,
    PersonRole,
    Plan,
    Profile,
    ProgressReport,
    Role,
    RollupMethod,
    RoundupSettings,
    StatusChange,
    TargetBreakdown,
    TargetShare,
    TargetShareReport,
    Unit,
    WorkItem,
)
from tasks.rules.targets import default_method, split_evenly
from tasks.selectors.towns import region_towns
from tasks.services.demo_breakdown import demo_liaison, demo_seed_breakdown, demo_seed_support_parts
from tasks.services.plan_import import plan_import_file
from tasks.services.reports import work_item_report_progress, work_item_request_close
from tasks.services.review import extension_grant, extension_request_create, work_item_accept, work_item_return
from tasks.services.roundups import roundups_draft_last_period
from tasks.services.targets import ShareInput, target_breakdown_save, target_share_report
from tasks.services.towns import region_towns_seed, town_rows
from tasks.services.work_list import work_list_draft

DEMO_PASSWORD = "demo-pass-2026"
PLAN_FILES = {"haining": "haining-2023-2027.txt", "yuecheng": "yuecheng-2023-2027.txt"}
DOC_PREFIXES = {"haining": "海住宜办", "yuecheng": "越住宜办"}  # the 通报's 发文字号 prefix
S = WorkItem.Status
User = get_user_model()


@dataclass
class DemoAccount:
    username: str
    role: str
    unit: str = ""


def demo_load(*, today: date, fixtures_dir: Path | None = None) -> list[DemoAccount]:
    """Import the plans, create accounts, draft this year's lists and seed history."""
    fixtures_dir = fixtures_dir or Path(settings.BASE_DIR) / "fixtures" / "plans"
    plans = []
    for prefix, filename in PLAN_FILES.items():
        result = plan_import_file(path=fixtures_dir / filename, slug=prefix + "-2023-2027")
        plans.append((prefix, result.plan))
    with transaction.atomic():
        for _prefix, plan in plans:
            region_towns_seed(region=plan.region)  # the import seeds a region's towns once; this keeps them up to date
        accounts = _accounts(plans)
        for prefix, plan in plans:
            rules, _new = RoundupSettings.objects.get_or_create(plan=plan)
            if not rules.doc_prefix:
                rules.doc_prefix = DOC_PREFIXES[prefix]
                rules.save(update_fields=["doc_prefix"])
        for _prefix, plan in plans:
            if plan.first_year <= today.year <= plan.last_year:
                work_list_draft(plan=plan, year=today.year)
            _seed_history(plan, today)
            _seed_indicator_reports(plan, today)
            demo_seed_breakdown(plan=plan, today=today)
            demo_seed_support_parts(plan=plan, today=today)
            _seed_target_breakdowns(plan, today)
        # What the beat would have drafted: last month's 月晾晒 and last quarter's 季通报, for review.
        for kind in ("month", "quarter"):
            roundups_draft_last_period(kind=kind, today=today)
    return accounts


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    # Hashing once: a proper hash per account would take most of the demo's load time.
    return make_password(DEMO_PASSWORD)


def _user(username: str, *, email: str, first_name: str = "", staff: bool = False, superuser: bool = False):
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": email,
            "first_name": first_name,
            "is_staff": staff,
            "is_superuser": superuser,
            "password": _demo_password_hash(),
        },
    )
    return user


def _accounts(plans: list[tuple[str, Plan]]) -> list[DemoAccount]:
    accounts = [DemoAccount("admin", "admin"), DemoAccount("coordinator", "coordinator")]
    _user("admin", email="admin@demo.local", first_name="系统管理员", staff=True, superuser=True)
    coordinator = _user("coordinator", email="zhuanban@demo.local", first_name="专班办公室", staff=True)
    _grant_coordinator_admin(coordinator)
    for prefix, plan in plans:
        plan.coordinators.add(coordinator)
        # Towns get named accounts (below), so the numbered ones stay what they were before towns existed.
        units = Unit.objects.filter(region=plan.region).exclude(kind=Unit.Kind.TOWN).order_by("pk")
        for index, unit in enumerate(units, start=1):
            username = f"{prefix}{index:02d}"
            email = f"{username}@demo.local"
            user = _user(username, email=email, first_name=f"{unit.name}联络员")
            Profile.objects.get_or_create(user=user, defaults={"unit": unit, **_contacts(user)})
            if not unit.emails:
                unit.emails = email
                unit.leader_name = f"{unit.name}分管领导"
                unit.leader_email = f"{username}-leader@demo.local"
                unit.save(update_fields=["emails", "leader_name", "leader_email"])
            accounts.append(DemoAccount(username, "liaison", unit.name))
        accounts += _town_accounts(prefix, plan)
        accounts += _leader_accounts(plan)
    return accounts


def _leader_accounts(plan: Plan) -> list[DemoAccount]:
    """The 分管领导 of the unit leading the plan's first key task (市住建局, 区建设局), with an account under the
    address the unit lists for its leader (``haining30-leader``): a leader who reads the dashboards, receives
    the escalations and can be named as having raised an item from a meeting or an instruction (and rate it)."""
    lead = (KeyTaskUnit.objects.filter(key_task__plan=plan, role=KeyTaskRole.LEAD, expanded=False)
            .select_related("unit").order_by("key_task__number", "position", "pk").first())
    if lead is None or not lead.unit.leader_email:
        return []
    unit = lead.unit
    username = unit.leader_email.split("@")[0]
    user = _user(username, email=unit.leader_email, first_name=unit.leader_name or f"{unit.name}分管领导")
    Profile.objects.get_or_create(user=user, defaults={"unit": unit, "role": PersonRole.LEADER, **_contacts(user)})
    return [DemoAccount(username, "leader", unit.name)]


def _town_accounts(prefix: str, plan: Plan) -> list[DemoAccount]:
    """One liaison per town: ``haining-xiashi`` for 硖石街道 (the pinyin is in towns.csv)."""
    pinyin = {row.name: row.pinyin for row in town_rows(plan.region.name)}
    accounts = []
    for unit in region_towns(plan.region):
        if not pinyin.get(unit.name):
            continue
        username = f"{prefix}-{pinyin[unit.name]}"
        email = f"{username}@demo.local"
        user = _user(username, email=email, first_name=f"{unit.name}联络员")
        Profile.objects.get_or_create(user=user, defaults={"unit": unit, **_contacts(user)})
        if not unit.emails:
            unit.emails = email
            unit.leader_name = f"{unit.name}分管领导"
            unit.leader_email = f"{username}-leader@demo.local"
            unit.save(update_fields=["emails", "leader_name", "leader_email"])
        accounts.append(DemoAccount(username, "liaison", unit.name))
    return accounts


def _contacts(user) -> dict:
    """A demo liaison's DingTalk user id (their username) and a mobile number, so that every channel can be
    tried against a local stand-in (``notify_test``); which ones they use stays their choice (empty)."""
    return {"dingtalk_id": user.username, "mobile": f"139{user.pk:08d}"}


def _grant_coordinator_admin(user) -> None:
    from django.contrib.auth.models import Permission

    codenames = [
        f"{action}_{model}"
        for model in ("plan", "unit", "unitalias", "keytask", "keytaskunit", "indicator", "indicatortarget",
                      "workitem", "workitemunit", "region")
        for action in ("view", "change", "add")
    ] + ["view_statuschange", "view_progressreport", "view_extensionrequest", "view_indicatorreport"]
    # Roundups (generate = add, publish, delete a draft), reminders (resend) and their settings, for the
    # coordinator's own plans (the admin scopes rows by plan); the working-day calendar every region shares
    # is read here and written by the province (owners.rows_for).
    codenames += [
        "view_roundup", "add_roundup", "delete_roundup", "view_roundupdelivery",
        "view_roundupsettings", "add_roundupsettings", "change_roundupsettings",
        "view_rounduprecipient", "add_rounduprecipient", "change_rounduprecipient", "delete_rounduprecipient",
        "view_reminder", "change_reminder", "view_reminderrun",
        "view_remindersettings", "add_remindersettings", "change_remindersettings",
        "view_calendaroverride",
        "view_targetbreakdown", "view_targetshare", "view_targetsharereport", "view_targetbreakdownchange",
        # The outbox: what was sent to whom, on which channel (resend a failed one), and the plans' group robots.
        "view_message", "view_grouprobot", "add_grouprobot", "change_grouprobot",
        # API tokens of their plans' units' users: seen and revoked (tasks.services.api_tokens.revocable_tokens)
        "view_apitoken", "delete_apitoken",
    ]
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="tasks", codename__in=codenames))


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _liaison(item: WorkItem, role: str = Role.LEAD):
    assignment = next((a for a in item.assignments.all() if a.role == role), None)
    if assignment is None:
        return None, None
    return assignment.unit, demo_liaison(assignment.unit)


def _seed_history(plan: Plan, today: date) -> None:
    """Give items without history a plausible, deterministic life up to ``today``."""
    coordinator = plan.coordinators.order_by("pk").first()
    items = (
        plan.work_items.filter(deadline__isnull=False)
        .annotate(has_history=Exists(StatusChange.objects.filter(work_item=OuterRef("pk"))))
        .prefetch_related("assignments__unit__members__user")
        .order_by("deadline", "pk")  # the original deadline: extensions below must not reorder a re-run
    )
    upcoming = -1
    for item in items:
        if item.deadline >= today and (item.deadline - today).days <= 45:
            upcoming += 1  # counted for every item so that a re-run gives each the same step
        if item.has_history:
            continue
        rng = random.Random(f"{plan.slug}:{item.import_key or item.pk}")
        unit, liaison = _liaison(item)
        if liaison is None:
            continue
        roll = rng.random()
        if item.due_date < today and item.year < today.year:
            # Earlier years' lists are closed: mostly on time, some late.
            late = roll >= 0.8
            day = item.due_date + timedelta(days=rng.randint(3, 25)) if late else item.due_date - timedelta(
                days=rng.randint(1, 20))
            _complete(item, unit, liaison, coordinator, day, today)
        elif item.due_date < today and (today - item.due_date).days > 90:
            # Long past: nearly all closed by now, a few late; the odd one still hangs on.
            if roll < 0.72:
                _complete(item, unit, liaison, coordinator, item.due_date - timedelta(days=rng.randint(1, 20)), today)
            elif roll < 0.95:
                _complete(item, unit, liaison, coordinator, item.due_date + timedelta(days=rng.randint(3, 40)), today)
            else:
                _progress(item, unit, liaison, item.due_date - timedelta(days=rng.randint(5, 30)), rng)
        elif item.due_date < today:
            if roll < 0.62:
                _complete(item, unit, liaison, coordinator, item.due_date - timedelta(days=rng.randint(1, 20)), today)
            elif roll < 0.77:
                _complete(item, unit, liaison, coordinator, item.due_date + timedelta(days=rng.randint(3, 25)), today)
            elif roll < 0.85:
                _progress(item, unit, liaison, item.due_date - timedelta(days=10), rng)
                _ask_close(item, unit, liaison, today - timedelta(days=rng.randint(1, 5)))
            else:
                _progress(item, unit, liaison, item.due_date - timedelta(days=rng.randint(5, 30)), rng)
        elif (item.due_date - today).days <= 45:
            # The next weeks' items: a fixed rotation so every situation is on screen.
            step = upcoming % 8
            if step in (0, 3, 6):
                _progress(item, unit, liaison, today - timedelta(days=rng.randint(1, 14)), rng)
            elif step == 1:
                _progress(item, unit, liaison, today - timedelta(days=12), rng)
                _ask_close(item, unit, liaison, today - timedelta(days=rng.randint(1, 4)))
            elif step == 2:
                _progress(item, unit, liaison, today - timedelta(days=20), rng)
                _ask_close(item, unit, liaison, today - timedelta(days=15))
                work_item_return(
                    item=item, user=coordinator, reason="附件为草稿，请上传盖章版。",
                    at=_aware(today - timedelta(days=12), 15),
                )
            elif step in (4, 7):
                _progress(item, unit, liaison, today - timedelta(days=9), rng)
                _extension(item, unit, liaison, coordinator, today, rng, grant=step == 4)
    _supporting_contributions(plan, today)


def _progress(item, unit, liaison, day: date, rng: random.Random) -> None:
    percent = rng.choice([30, 40, 50, 60, 70, 80])
    work_item_report_progress(
        item=item, user=liaison, percent=percent, at=_aware(day, 16),
        note=f"已完成约{percent}%：牵头召开推进会，落实责任分工，正按计划推进。",
    )


def _ask_close(item, unit, liaison, day: date) -> None:
    note = "已按要求完成，相关材料已上传，申请办结。"
    work_item_request_close(item=item, user=liaison, note=note, at=_aware(day, 11))


def _complete(item, unit, liaison, coordinator, day: date, today: date) -> None:
    day = min(day, today - timedelta(days=1))
    _ask_close(item, unit, liaison, day)
    review_day = min(day + timedelta(days=1), today)
    work_item_accept(item=item, user=coordinator, reason="审核通过", at=_aware(review_day, 9))


def _extension(item, unit, liaison, coordinator, today: date, rng: random.Random, *, grant: bool) -> None:
    asked = today - timedelta(days=rng.randint(2, 6))
    request = extension_request_create(
        item=item, user=liaison, reason="受项目审批进度影响，需延期完成。", at=_aware(asked, 14),
        proposed_due_date=item.due_date + timedelta(days=rng.choice([30, 45, 61])),
    )
    if grant:
        extension_grant(request=request, user=coordinator, note="同意延期。", at=_aware(asked + timedelta(days=1), 10))


def _supporting_contributions(plan: Plan, today: date) -> None:
    """A few supporting units record what they contributed on open items.

    The same eight items every run (the first open ones with a supporting liaison, whether or not
    they already have a contribution), each given one contribution: a second run writes nothing.
    """
    items = (
        plan.work_items.filter(status=S.IN_PROGRESS, reports__kind=ProgressReport.Kind.PROGRESS)
        .filter(assignments__role=Role.SUPPORT, assignments__unit__members__isnull=False)
        .annotate(contributed=Exists(
            ProgressReport.objects.filter(work_item=OuterRef("pk"), kind=ProgressReport.Kind.CONTRIBUTION)
        ))
        .prefetch_related("assignments__unit__members__user")
        .distinct()
        .order_by("pk")[:8]
    )
    for item in items:
        unit, liaison = _liaison(item, Role.SUPPORT)
        if liaison is None or item.contributed:
            continue
        work_item_report_progress(
            item=item, user=liaison, note="本单位已完成配合事项：相关资金已拨付到位。",
            at=_aware(today - timedelta(days=3), 15),
        )


def _seed_indicator_reports(plan: Plan, today: date) -> None:
    """Monthly actuals of this year, moving from last year's level towards the target."""
    year = today.year
    for indicator in plan.indicators.prefetch_related("targets"):
        targets = {t.year: t for t in indicator.targets.all()}
        target = targets.get(year)
        if target is None or target.value is None:
            continue
        start = targets[year - 1].value if year - 1 in targets and targets[year - 1].value is not None else None
        start = start if start is not None else (indicator.baseline_value or target.value)
        rng = random.Random(f"{plan.slug}:indicator:{indicator.number}")
        pace = Decimal(str(rng.choice([0.7, 0.85, 0.95, 1.0, 1.05])))
        aim = target.value
        if target.comparator in ("gt", "ge") and aim <= start:
            aim = start * Decimal("1.04")  # "more than last year's level": the office aims a little higher
        for month in range(1, today.month):
            value = start + (aim - start) * pace * Decimal(month) / 12
            IndicatorReport.objects.get_or_create(
                indicator=indicator,
                month=date(year, month, 1),
                defaults={"value": value.quantize(Decimal("0.0001")), "reported_at": _aware(date(year, month, 28)),
                          "note": "月度填报"},
            )


DEMO_BREAKDOWNS = 6  # indicators per plan whose year's target is split among the towns


def _places(value: Decimal) -> int:
    return max(0, -value.normalize().as_tuple().exponent)


def _seed_target_breakdowns(plan: Plan, today: date) -> None:
    """This year's target of a few indicators split among the towns, and the towns' monthly actuals.

    Counts and stocks are split in proportion to a town's size and add up exactly to the city
    target; a rate keeps the city's level in every town, weighted by the town's households. Each
    town moves at its own pace, so some are ahead and some behind. A breakdown already there (a
    coordinator's, or an earlier run's) is left alone.
    """
    year = today.year
    if not plan.first_year <= year <= plan.last_year:
        return
    towns = list(region_towns(plan.region).prefetch_related("members__user"))
    coordinator = plan.coordinators.order_by("pk").first()
    if not towns or coordinator is None:
        return
    done = set(TargetBreakdown.objects.filter(indicator__plan=plan, year=year).values_list("indicator_id", flat=True))
    chosen = []
    for indicator in plan.indicators.prefetch_related("targets").order_by("number"):
        targets = {t.year: t for t in indicator.targets.all()}
        target = targets.get(year)
        if target is None or target.value is None or target.comparator in ("lt", "le"):
            continue
        method = default_method(measure=indicator.measure, name=indicator.name)
        # Five counts or stocks and one rate per plan, so each kind of roll-up is on screen.
        if sum(1 for _i, _t, m, _p in chosen if m == method) >= (1 if method == RollupMethod.WEIGHTED else 5):
            continue
        chosen.append((indicator, target, method, targets.get(year - 1)))
        if len(chosen) >= DEMO_BREAKDOWNS:
            break
    at = _aware(date(year, 1, 10), 9)
    for indicator, target, method, previous in chosen:
        rng = random.Random(f"{plan.slug}:breakdown:{indicator.number}:{year}")
        sizes = [Decimal(rng.choice([1, 2, 2, 3, 3, 4, 5])) for _town in towns]
        households = [size * Decimal(rng.randint(1800, 2600)) for size in sizes]
        if indicator.pk not in done:
            if method == RollupMethod.WEIGHTED:
                values = [target.value] * len(towns)
            else:
                values = split_evenly(target.value, sizes, places=_places(target.value))
            target_breakdown_save(
                indicator=indicator, year=year, method=method, user=coordinator, at=at,
                # A town whose part rounds to nothing gets no share rather than a share of 0.
                shares=[ShareInput(unit=town, value=value, base=households[i] if method == RollupMethod.WEIGHTED
                                   else None) for i, (town, value) in enumerate(zip(towns, values, strict=True))
                        if value > 0],
            )
        _seed_share_reports(plan, indicator, target, previous, year, today, rng)


def _seed_share_reports(plan, indicator, target, previous, year: int, today: date, rng: random.Random) -> None:
    shares = (
        TargetShare.objects.filter(breakdown__indicator=indicator, breakdown__year=year)
        .select_related("unit", "breakdown").prefetch_related("unit__members__user")
    )
    reported = set(TargetShareReport.objects.filter(share__in=shares).values_list("share_id", "month"))
    for share in shares:
        liaison = demo_liaison(share.unit)
        if liaison is None:
            continue
        # Where the town starts the year: nothing yet for a yearly count, else a little below its
        # part of last year's level (stocks, levels, rates).
        if not indicator.cumulative and share.breakdown.method == RollupMethod.SUM and indicator.measure in (
            "个", "台", "项", "处"
        ):
            start = Decimal(0)
        elif previous is not None and previous.value and target.value:
            start = share.value * min(previous.value / target.value, Decimal(1)) * Decimal("0.95")
        else:
            start = share.value * Decimal("0.85")
        # Where it ends the year (some towns beat their share, some fall short) and how fast it gets there.
        level = share.value * Decimal(str(rng.choice([0.92, 0.97, 1.0, 1.03, 1.08])))
        if target.comparator == "gt" and level >= share.value:
            level += Decimal(1).scaleb(-_places(target.value))  # passing a ">" share, even when counted whole
        if share.breakdown.method == RollupMethod.WEIGHTED:
            level = min(level, Decimal(100))  # a rate in percent
        pace = Decimal(str(rng.choice([0.8, 0.95, 1.1, 1.25, 1.4])))
        # Whole things (个, 台) are reported whole; 万套 and rates with two more places than the target.
        written = _places(target.value)
        places = 1 if share.breakdown.method == RollupMethod.WEIGHTED else (min(written + 2, 4) if written else 0)
        quantum = Decimal(1).scaleb(-places)
        for month in range(1, today.month):
            day = date(year, month, 1)
            if (share.pk, day) in reported:
                continue
            value = (start + (level - start) * min(Decimal(1), pace * Decimal(month) / 12)).quantize(quantum)
            target_share_report(share=share, user=liaison, month=day, value=max(value, Decimal(0)),
                                note="月度填报", at=_aware(date(year, month, 27), 15))
