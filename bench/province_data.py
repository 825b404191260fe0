"""A deterministic province-shaped data set, written with PostgreSQL COPY (used by ``bench/province.py``).

A size is a number of work items; everything else grows with it in a province's proportions
(浙江: ~630 plans, ~20,000 units, ~1,000,000 items over five years, 90 county-level areas):

- a plan holds ~1,600 items over its five years and ~32 units (12 towns and 20 departments);
- a region (county, city or district) issues ~7 plans and has 12 towns (镇/街道) shared by them;
- per plan: 20 key tasks (lead + 2 supporting departments, the towns expanded from 各镇(街道) on
  every fourth task), 14 indicators with five yearly targets and monthly reported values, every other
  one's yearly target split among the region's towns and its lead department (目标分解, up to this
  year) with their monthly actuals;
- items over five years around ``today``: past years mostly done (on time or
  late), some overdue, awaiting review or returned; this year mixed; later years not started;
  a quarter led by towns; every 40th item broken down (分解交办) into 3 town sub-items;
- the steady state a real installation has: status history (``StatusChange``) for every
  transition, progress reports and close requests, granted and pending extensions, supporting
  parts marked done, reminders already sent (due soon and overdue), one liaison per unit, one
  coordinator per region and one province-wide user (``tasks.view_all_plans``).

Nothing here is random at run time: ``random.Random(seed)`` per plan, so two runs of a size hold
the same rows. Rows go in with ``COPY ... FROM STDIN`` on the Django connection's psycopg 3
cursor, with ids assigned here (sequences are moved past them at the end).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")
# The day the data is built around; ``build(today=...)`` moves it (pages read timezone.localdate(),
# so the bench builds around the real today and the plan's five years around it).
TODAY = date(2025, 6, 12)
FIRST_YEAR, LAST_YEAR = TODAY.year - 2, TODAY.year + 2
ITEMS_PER_PLAN = 1_600
PLANS_PER_REGION = 7
TOWNS_PER_REGION = 12
DEPARTMENTS_PER_PLAN = 20
KEY_TASKS_PER_PLAN = 20
INDICATORS_PER_PLAN = 14
BREAKDOWN_INDICATOR_EVERY = 2  # every other indicator's target is split among the towns and its lead (目标分解)
BREAKDOWN_EVERY = 40  # every 40th item is broken down into SUB_ITEMS town parts
SUB_ITEMS = 3
LOGIN_LOG_DAYS = 180  # ACCESS_LOG_RETENTION_DAYS: what the daily housekeeping keeps
LOGIN_SHARE = 0.4  # of the days a user logs in
PASSWORD = "!"  # unusable: the bench logs users in with force_login


@dataclass
class Shape:
    """How many of each thing a size holds."""

    items: int
    plans: int
    regions: int

    @classmethod
    def for_items(cls, items: int) -> Shape:
        plans = max(1, round(items / ITEMS_PER_PLAN))
        regions = max(1, -(-plans // PLANS_PER_REGION))
        return cls(items=items, plans=plans, regions=regions)


@dataclass
class Built:
    """What the bench needs to find its users and plans again."""

    shape: Shape
    counts: dict[str, int] = field(default_factory=dict)
    liaison_username: str = ""  # a department leading many items in a large plan
    coordinator_username: str = ""  # a county coordinator (every plan of one region)
    province_username: str = "province"
    plan_slug: str = ""  # the plan the per-plan operations use


def _dt(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SH)


def _month_end(year: int, month: int) -> date:
    return (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1))


class _Ids:
    def __init__(self):
        self.next: dict[str, int] = {}

    def take(self, table: str) -> int:
        n = self.next.get(table, 1)
        self.next[table] = n + 1
        return n


class _Writer:
    """COPY rows of a model: every concrete column, defaults from the model for those not given."""

    def __init__(self, cursor, model):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.columns = [f.column for f in self.fields]
        self.defaults = {}
        for f in self.fields:
            if f.has_default() and not callable(f.default):
                self.defaults[f.attname] = f.get_prep_value(f.default)
            elif f.has_default() or f.null:
                self.defaults[f.attname] = None
            elif f.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField"):
                self.defaults[f.attname] = ""
        cols = ", ".join(f'"{c}"' for c in self.columns)
        self._cm = cursor.copy(f'COPY "{model._meta.db_table}" ({cols}) FROM STDIN')
        self.copy = None
        self.rows = 0

    def __enter__(self):
        self.copy = self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)

    def row(self, **values) -> None:
        out = []
        for f in self.fields:
            name = f.attname
            if name in values:
                v = values[name]
            elif name in self.defaults:
                v = self.defaults[name]
            else:
                raise KeyError(f"{self.model.__name__}.{name} needs a value")
            if isinstance(v, dict | list):
                import json

                v = json.dumps(v, ensure_ascii=False)
            out.append(v)
        self.copy.write_row(out)
        self.rows += 1


def _copy(cursor, model, rows: Iterable[dict]) -> int:
    with _Writer(cursor, model) as w:
        for r in rows:
            w.row(**r)
    return w.rows


def build(items: int, *, connection=None, seed: int = 12, today: date | None = None) -> Built:
    """Fill an empty, migrated database (the Django ``connection``) with a province of ``items`` items.

    Dates are relative to ``today`` (default ``TODAY``): the same ``today`` and seed give the same rows.
    """
    global TODAY, FIRST_YEAR, LAST_YEAR
    if today is not None:
        TODAY, FIRST_YEAR, LAST_YEAR = today, today.year - 2, today.year + 2
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection as default_connection

    from tasks.models import (
        ExtensionRequest,
        Indicator,
        IndicatorReport,
        IndicatorTarget,
        KeyTask,
        KeyTaskUnit,
        Plan,
        Profile,
        ProgressReport,
        Region,
        Reminder,
        ReminderSettings,
        RoundupSettings,
        StatusChange,
        TargetBreakdown,
        TargetBreakdownChange,
        TargetShare,
        TargetShareReport,
        Unit,
        WorkItem,
        WorkItemUnit,
    )

    conn = connection or default_connection
    User = get_user_model()
    from axes.models import AccessLog
    shape = Shape.for_items(items)
    built = Built(shape=shape)
    ids = _Ids()
    conn.ensure_connection()
    S = WorkItem.Status
    now = _dt(TODAY, 8)

    with conn.cursor() as dj_cursor:
        cur = dj_cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        # ---- regions, units, users -------------------------------------------------------------
        region_rows, unit_rows, user_rows, profile_rows = [], [], [], []
        region_plans: dict[int, list[int]] = {}  # region id -> plan indexes
        for p in range(shape.plans):
            region_plans.setdefault(p // PLANS_PER_REGION + 1, []).append(p)
        towns: dict[int, list[int]] = {}
        departments: dict[int, list[int]] = {}
        for r in range(1, shape.regions + 1):
            region_rows.append({"id": r, "name": f"第{r:03d}县(市、区)", "slug": f"county-{r:03d}"})
            towns[r] = []
            for t in range(TOWNS_PER_REGION):
                uid = ids.take("unit")
                kind = "街道" if t < 4 else "镇"
                unit_rows.append({"id": uid, "region_id": r, "name": f"县{r:03d}第{t + 1:02d}{kind}", "kind": "town",
                                  "town_kind": kind, "emails": f"u{uid}@bench.cn", "in_unit_list": True})
                towns[r].append(uid)
            departments[r] = []
            n_plans = len(region_plans.get(r, []))
            for d in range(DEPARTMENTS_PER_PLAN * max(1, n_plans)):
                uid = ids.take("unit")
                leader = f"leader{uid}@bench.cn" if d % 5 == 0 else ""
                unit_rows.append({"id": uid, "region_id": r, "name": f"县{r:03d}部门{d + 1:03d}", "kind": "department",
                                  "emails": f"u{uid}@bench.cn", "leader_name": "分管领导" if leader else "",
                                  "leader_email": leader, "in_unit_list": True, "town_kind": ""})
                departments[r].append(uid)
        for u in unit_rows:
            user_id = ids.take("user")
            user_rows.append({"id": user_id, "username": f"u{u['id']}", "email": u["emails"], "password": PASSWORD,
                              "is_active": True, "is_staff": False, "is_superuser": False, "date_joined": now,
                              "first_name": "", "last_name": ""})
            profile_rows.append({"id": ids.take("profile"), "user_id": user_id, "unit_id": u["id"]})
        coordinator_ids = {}
        for r in range(1, shape.regions + 1):
            user_id = ids.take("user")
            coordinator_ids[r] = user_id
            user_rows.append({"id": user_id, "username": f"coord{r:03d}", "email": f"coord{r}@bench.cn",
                              "password": PASSWORD, "is_active": True, "is_staff": True, "is_superuser": False,
                              "date_joined": now, "first_name": "", "last_name": ""})
        province_id = ids.take("user")
        user_rows.append({"id": province_id, "username": built.province_username, "email": "province@bench.cn",
                          "password": PASSWORD, "is_active": True, "is_staff": True, "is_superuser": False,
                          "date_joined": now, "first_name": "", "last_name": ""})
        built.counts["regions"] = _copy(cur, Region, region_rows)
        built.counts["units"] = _copy(cur, Unit, unit_rows)
        built.counts["users"] = _copy(cur, User, user_rows)
        _copy(cur, Profile, profile_rows)
        built.counts["access_logs"] = _copy(cur, AccessLog, _login_logs(user_rows, ids, seed))
        built.coordinator_username = "coord001"

        # ---- plans and what hangs off them --------------------------------------------------------
        plan_rows, coord_rows, kt_rows, ktu_rows, ind_rows, target_rows, ir_rows = [], [], [], [], [], [], []
        rs_rows, rus_rows = [], []
        bd_rows, bdc_rows, share_rows, sr_rows = [], [], [], []
        plan_meta = []  # (plan id, region, key tasks [(id, lead, supports, indicator)], indicators)
        remaining = items
        for p in range(shape.plans):
            r = p // PLANS_PER_REGION + 1
            pid = p + 1
            n_items = remaining if p == shape.plans - 1 else min(remaining, ITEMS_PER_PLAN)
            remaining -= n_items
            title = f"第{r:03d}县住有宜居实施方案之{p % PLANS_PER_REGION + 1}"
            plan_rows.append({"id": pid, "region_id": r, "title": title,
                              "slug": f"plan-{pid:04d}", "issuer": f"第{r:03d}县住房工作协调委员会办公室",
                              "first_year": FIRST_YEAR, "last_year": LAST_YEAR, "source_file": "", "source_name": "",
                              "source_sha256": "", "imported_at": _dt(date(FIRST_YEAR, 3, 1)), "import_warnings": [],
                              "import_layout": []})
            coord_rows.append((pid, coordinator_ids[r]))
            rs_rows.append({"id": pid, "plan_id": pid, "updated_at": now})
            rus_rows.append({"id": pid, "plan_id": pid})
            slot = p % PLANS_PER_REGION
            depts = departments[r][slot * DEPARTMENTS_PER_PLAN:(slot + 1) * DEPARTMENTS_PER_PLAN]
            indicators = []
            kts = []
            for k in range(KEY_TASKS_PER_PLAN):
                kid = ids.take("kt")
                lead = depts[k % len(depts)]
                supports = [depts[(k + 3) % len(depts)], depts[(k + 7) % len(depts)]]
                kt_rows.append({"id": kid, "plan_id": pid, "section": f"({'一二三四'[k % 4]})", "number": k + 1,
                                "title": f"重点任务{k + 1:02d}：推进住房保障第{k + 1}项工作", "text": "",
                                "deadline": None, "deadline_text": "", "leaders": ""})
                pos = 0
                for unit, role in [(lead, "lead")] + [(s, "support") for s in supports]:
                    ktu_rows.append({"id": ids.take("ktu"), "key_task_id": kid, "unit_id": unit, "role": role,
                                     "position": pos, "name_as_written": "", "expanded": False, "role_name": ""})
                    pos += 1
                if k % 4 == 0:
                    for t in towns[r]:
                        ktu_rows.append({"id": ids.take("ktu"), "key_task_id": kid, "unit_id": t, "role": "support",
                                         "position": pos, "name_as_written": "各镇(街道)", "expanded": True,
                                         "role_name": ""})
                        pos += 1
                kts.append((kid, lead, supports))
            for i in range(INDICATORS_PER_PLAN):
                iid = ids.take("ind")
                kid = kts[i % len(kts)][0]
                cumulative = i % 3 == 0
                domain = ["住房保障", "住房品质", "住房安全", "住房市场"][i % 4]
                ind_rows.append({"id": iid, "plan_id": pid, "domain": domain,
                                 "number": i + 1, "name": f"指标{i + 1:02d}", "measure": "个", "cumulative": cumulative,
                                 "baseline_year": FIRST_YEAR - 1, "baseline_text": "100",
                                 "baseline_value": Decimal(100),
                                 "baseline_comparator": "eq", "key_task_id": kid})
                for y in range(FIRST_YEAR, LAST_YEAR + 1):
                    value = Decimal(100 + 20 * (y - FIRST_YEAR + 1)) if cumulative else Decimal(20 + i)
                    target_rows.append({"id": ids.take("target"), "indicator_id": iid, "year": y, "text": str(value),
                                        "value": value, "comparator": "ge" if i % 5 == 0 else "eq"})
                month = date(FIRST_YEAR, 1, 1)
                while month <= TODAY.replace(day=1):
                    if month < TODAY.replace(day=1):
                        done_share = Decimal(month.month) / 12
                        base = Decimal(100 + 20 * (month.year - FIRST_YEAR)) if cumulative else Decimal(0)
                        step = Decimal(20) if cumulative else Decimal(20 + i)
                        value = (base + step * done_share * Decimal("0.9")).quantize(Decimal("0.01"))
                        ir_rows.append({"id": ids.take("ir"), "indicator_id": iid, "month": month, "value": value,
                                        "note": "", "unit_id": kts[i % len(kts)][1], "reported_by_id": None,
                                        "reported_at": _dt(_month_end(month.year, month.month))})
                    month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
                if i % BREAKDOWN_INDICATOR_EVERY == 0:
                    _breakdowns(iid=iid, cumulative=cumulative, lead=kts[i % len(kts)][1], towns=towns[r],
                                coordinator=coordinator_ids[r], ids=ids, rows=(bd_rows, bdc_rows, share_rows, sr_rows))
                indicators.append(iid)
            plan_meta.append((pid, r, kts, indicators, n_items, depts))
        built.counts["plans"] = _copy(cur, Plan, plan_rows)
        through = Plan.coordinators.through
        _copy(cur, through, ({"id": n + 1, "plan_id": pid, "user_id": uid} for n, (pid, uid) in enumerate(coord_rows)))
        _copy(cur, ReminderSettings, rs_rows)
        _copy(cur, RoundupSettings, rus_rows)
        built.counts["key_tasks"] = _copy(cur, KeyTask, kt_rows)
        built.counts["key_task_units"] = _copy(cur, KeyTaskUnit, ktu_rows)
        built.counts["indicators"] = _copy(cur, Indicator, ind_rows)
        built.counts["targets"] = _copy(cur, IndicatorTarget, target_rows)
        built.counts["indicator_reports"] = _copy(cur, IndicatorReport, ir_rows)
        built.counts["target_breakdowns"] = _copy(cur, TargetBreakdown, bd_rows)
        _copy(cur, TargetBreakdownChange, bdc_rows)
        built.counts["target_shares"] = _copy(cur, TargetShare, share_rows)
        built.counts["target_share_reports"] = _copy(cur, TargetShareReport, sr_rows)
        del kt_rows, ktu_rows, ind_rows, target_rows, ir_rows, bd_rows, bdc_rows, share_rows, sr_rows

        # ---- items and their steady-state history, streamed plan by plan -------------------------
        user_of_unit = {u["id"]: pr["user_id"] for u, pr in zip(unit_rows, profile_rows, strict=True)}
        coord_of_region = coordinator_ids
        # Chunks of plans: each table's COPY per chunk keeps memory flat at 1M items.
        counts = dict.fromkeys(("work_items", "work_item_units", "status_changes", "progress_reports",
                                "extension_requests", "reminders"), 0)
        for start in range(0, len(plan_meta), 20):
            rows = list(_items(plan_meta[start:start + 20], towns, ids, seed, S))
            counts["work_items"] += _copy(cur, WorkItem, (row["item"] for row in rows))
            counts["work_item_units"] += _copy(cur, WorkItemUnit, (a for row in rows for a in row["units"]))
            counts["status_changes"] += _copy(cur, StatusChange, (
                {"id": ids.take("sc"), "actor_id": (user_of_unit[ch["actor_unit"]] if ch.get("actor_unit")
                                                    else coord_of_region[row["region"]]),
                 **{k: v for k, v in ch.items() if k != "actor_unit"}}
                for row in rows for ch in row["history"]))
            counts["progress_reports"] += _copy(cur, ProgressReport, (
                {"id": ids.take("pr"), "author_id": user_of_unit[rep["unit_id"]], **rep}
                for row in rows for rep in row["reports"]))
            counts["extension_requests"] += _copy(cur, ExtensionRequest, (
                {"id": ids.take("ext"), "requested_by_id": user_of_unit[ext["unit_id"]],
                 "decided_by_id": coord_of_region[row["region"]] if ext["status"] != "pending" else None, **ext}
                for row in rows for ext in row["extensions"]))
            counts["reminders"] += _copy(cur, Reminder, (
                {"id": ids.take("rem"), **rem} for row in rows for rem in row["reminders"]))
        built.counts.update(counts)

        # ---- the province-wide user, sequences, statistics -------------------------------------------
        perm = Permission.objects.using(conn.alias).get(codename="view_all_plans", content_type__app_label="tasks")
        _copy(cur, User.user_permissions.through, [{"id": 1, "user_id": province_id, "permission_id": perm.pk}])
        for model in (Region, Unit, User, Profile, Plan, through, ReminderSettings, RoundupSettings, KeyTask,
                      KeyTaskUnit, Indicator, IndicatorTarget, IndicatorReport, WorkItem, WorkItemUnit, StatusChange,
                      ProgressReport, ExtensionRequest, Reminder, User.user_permissions.through, TargetBreakdown,
                      TargetBreakdownChange, TargetShare, TargetShareReport, AccessLog):
            table = model._meta.db_table
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"
            )
    # ANALYZE: a bench on tables the planner has no statistics for measures the wrong plans. VACUUM too, as
    # autovacuum would have done in a steady-state database: without a visibility map, counts that could
    # be answered from an index read the table (measured: the province overdue count, 314 ms -> see bench/RESULTS.md).
    with conn.cursor() as c:
        c.execute("VACUUM (ANALYZE)" if conn.get_autocommit() else "ANALYZE")
    # The liaison: the lead department of key task 1 of the largest plan.
    big = max(plan_meta, key=lambda m: m[4])
    built.plan_slug = f"plan-{big[0]:04d}"
    built.liaison_username = f"u{big[2][0][1]}"
    built.coordinator_username = f"coord{big[1]:03d}"
    return built


def _login_logs(user_rows: list[dict], ids: _Ids, seed: int) -> Iterator[dict]:
    """axes' login log as the daily housekeeping leaves it: LOGIN_LOG_DAYS of logins, each user on about
    LOGIN_SHARE of the days, in the morning."""
    rng = random.Random(seed)
    for user in user_rows:
        for back in range(LOGIN_LOG_DAYS, 0, -1):
            if rng.random() < LOGIN_SHARE:
                at = _dt(TODAY - timedelta(days=back), 8) + timedelta(seconds=rng.randrange(4 * 3600))
                yield {"id": ids.take("access_log"), "username": user["username"], "attempt_time": at,
                       "ip_address": f"10.{user['id'] % 250}.{back % 250}.{rng.randrange(1, 250)}",
                       "user_agent": "Mozilla/5.0", "http_accept": "text/html", "path_info": "/accounts/login/",
                       "session_hash": ""}


def _breakdowns(*, iid: int, cumulative: bool, lead: int, towns: list[int], coordinator: int, ids: _Ids,
                rows: tuple[list, list, list, list]) -> None:
    """目标分解 of one indicator for every year up to this one: a share for each of the region's towns and
    for the indicator's lead department, each reporting its actual monthly up to last month."""
    bd_rows, bdc_rows, share_rows, sr_rows = rows
    holders = [*towns, lead]
    for y in range(FIRST_YEAR, TODAY.year + 1):
        bid = ids.take("breakdown")
        set_at = _dt(date(y, 2, 15))
        bd_rows.append({"id": bid, "indicator_id": iid, "year": y, "method": "sum" if cumulative else "weighted",
                        "updated_by_id": coordinator, "updated_at": set_at})
        bdc_rows.append({"id": ids.take("breakdown_change"), "breakdown_id": bid, "actor_id": coordinator,
                         "at": set_at, "action": "shares", "unit_id": None, "changes": []})
        total = Decimal(20 * (y - FIRST_YEAR + 1)) if cumulative else None
        for n, unit in enumerate(holders):
            sid = ids.take("share")
            value = (total / len(holders)).quantize(Decimal("0.0001")) if cumulative else Decimal(20 + n % 5)
            share_rows.append({"id": sid, "breakdown_id": bid, "unit_id": unit, "value": value,
                               "base": None if cumulative else Decimal(1000 + 100 * n), "position": n})
            month = date(y, 1, 1)
            while month < TODAY.replace(day=1) and month.year == y:
                done = value * Decimal(month.month) / 12 * Decimal("0.95")
                sr_rows.append({"id": ids.take("share_report"), "share_id": sid, "month": month,
                                "value": done.quantize(Decimal("0.0001")), "note": "", "reported_by_id": None,
                                "reported_at": _dt(_month_end(month.year, month.month))})
                month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _items(plan_meta, towns, ids: _Ids, seed: int, S) -> Iterator[dict]:
    """Every work item with its units, history, reports, extensions and reminders, as plain dicts."""
    for pid, region, kts, indicators, n_items, _depts in plan_meta:
        rng = random.Random(f"{seed}-{pid}")
        region_towns = towns[region]
        per_year = max(1, n_items // (LAST_YEAR - FIRST_YEAR + 1))
        i = 0
        position = 0
        while i < n_items:
            year = min(LAST_YEAR, FIRST_YEAR + i // per_year)
            kid, lead, supports = kts[i % len(kts)]
            town_lead = i % 4 == 3
            lead_unit = region_towns[i % len(region_towns)] if town_lead else lead
            indicator = indicators[i % len(indicators)] if i % 3 == 0 else None
            children = SUB_ITEMS if (i % BREAKDOWN_EVERY == 0 and not town_lead and i + SUB_ITEMS < n_items) else 0
            parent = _item(rng=rng, ids=ids, S=S, pid=pid, region=region, year=year, kid=kid, lead=lead_unit,
                           supports=[] if town_lead else supports[: i % 3], indicator=indicator, position=position)
            yield parent
            i += 1
            position += 1
            for c in range(children):
                town = region_towns[(i + c) % len(region_towns)]
                child = _item(rng=rng, ids=ids, S=S, pid=pid, region=region, year=year, kid=kid, lead=town,
                              supports=[], indicator=indicator, position=position,
                              parent=parent["item"], sub=True)
                yield child
                i += 1
                position += 1


def _item(*, rng, ids, S, pid, region, year, kid, lead, supports, indicator, position, parent=None, sub=False) -> dict:
    wid = ids.take("wi")
    recurring = not sub and rng.random() < 0.03
    if parent is not None:
        deadline = parent["deadline"]
    elif recurring:
        deadline = None
    else:
        month = rng.randint(1, 12)
        deadline = _month_end(year, month) if rng.random() < 0.7 else date(year, month, rng.choice((10, 20)))
    due = deadline
    created = _dt(date(year, 1, 1) if year > FIRST_YEAR else date(FIRST_YEAR, 3, 1))
    history, reports, extensions, reminders = [], [], [], []
    submitted = None

    # Extensions: 3% granted (some weeks later), 1% pending on open items near their deadline.
    if deadline and rng.random() < 0.03:
        new_due = deadline + timedelta(days=rng.choice((30, 61)))
        asked = deadline - timedelta(days=10)
        if asked <= TODAY:
            extensions.append({"work_item_id": wid, "unit_id": lead, "requested_at": _dt(asked), "reason": "工期调整",
                               "current_due_date": deadline, "proposed_due_date": new_due, "status": "granted",
                               "decided_at": _dt(asked + timedelta(days=2)), "decision_note": "同意"})
            history.append({"work_item_id": wid, "at": _dt(asked, 9), "event": "extension_requested",
                            "from_status": "in_progress", "to_status": "in_progress", "reason": "工期调整",
                            "from_due_date": deadline, "to_due_date": new_due, "actor_unit": lead})
            history.append({"work_item_id": wid, "at": _dt(asked + timedelta(days=2)), "event": "extension_granted",
                            "from_status": "in_progress", "to_status": "in_progress", "reason": "同意",
                            "from_due_date": deadline, "to_due_date": new_due})
            due = new_due

    status, completed_at, on_time = S.NOT_STARTED, None, None
    roll = rng.random()
    if due is None:
        status = S.IN_PROGRESS if year <= TODAY.year else S.NOT_STARTED
    elif due < TODAY - timedelta(days=30):
        if roll < 0.72:
            status, on_time, completed_at = S.DONE, True, _dt(due - timedelta(days=rng.randint(0, 20)))
        elif roll < 0.90:
            status, on_time = S.DONE, False
            completed_at = _dt(min(TODAY - timedelta(days=1), due + timedelta(days=rng.randint(1, 60))))
        elif roll < 0.94:
            status = S.AWAITING_REVIEW
        else:
            status = S.IN_PROGRESS
    elif due < TODAY:
        status = (S.DONE if roll < 0.55 else S.AWAITING_REVIEW if roll < 0.67 else S.RETURNED if roll < 0.72
                  else S.IN_PROGRESS)
        if status == S.DONE:
            on_time, completed_at = True, _dt(due - timedelta(days=rng.randint(0, 10)))
    elif year == TODAY.year or due <= TODAY + timedelta(days=200):
        status = (S.DONE if roll < 0.08 else S.AWAITING_REVIEW if roll < 0.11 else S.IN_PROGRESS if roll < 0.6
                  else S.NOT_STARTED)
        if status == S.DONE:
            on_time, completed_at = True, _dt(TODAY - timedelta(days=rng.randint(1, 40)))
    if sub and status == S.NOT_STARTED and rng.random() < 0.5:
        status = S.AWAITING_SIGN
    if completed_at and completed_at > _dt(TODAY, 8):
        completed_at = _dt(TODAY - timedelta(days=1))

    started = (created + timedelta(days=30)) if status != S.NOT_STARTED else None
    if started and due and started.date() > due:
        started = _dt(due - timedelta(days=5))
    if status not in (S.NOT_STARTED, S.AWAITING_SIGN):
        history.append({"work_item_id": wid, "at": started, "event": "transition", "from_status": "not_started",
                        "to_status": "in_progress", "reason": "", "from_due_date": None, "to_due_date": None,
                        "actor_unit": lead})
        reports.append({"work_item_id": wid, "unit_id": lead, "kind": "progress", "note": "按计划推进",
                        "percent": 50, "created_at": started + timedelta(days=7)})
    if status in (S.AWAITING_REVIEW, S.DONE, S.RETURNED):
        asked = completed_at - timedelta(days=1) if completed_at else _dt(min(TODAY, due) - timedelta(days=2))
        asked = max(asked, started + timedelta(days=8))
        submitted = asked
        history.append({"work_item_id": wid, "at": asked, "event": "transition", "from_status": "in_progress",
                        "to_status": "awaiting_review", "reason": "申请办结", "from_due_date": None,
                        "to_due_date": None, "actor_unit": lead})
        reports.append({"work_item_id": wid, "unit_id": lead, "kind": "close_request", "note": "已完成，申请办结",
                        "percent": 100, "created_at": asked})
        if status == S.DONE:
            completed_at = max(completed_at, asked + timedelta(hours=2))
            history.append({"work_item_id": wid, "at": completed_at, "event": "transition",
                            "from_status": "awaiting_review", "to_status": "done", "reason": "", "from_due_date": None,
                            "to_due_date": None})
        elif status == S.RETURNED:
            history.append({"work_item_id": wid, "at": asked + timedelta(days=1), "event": "transition",
                            "from_status": "awaiting_review", "to_status": "returned",
                            "reason": "附件为草稿，请上传盖章版", "from_due_date": None, "to_due_date": None})
    if status == S.DONE and due:
        on_time = completed_at.date() <= due
    progress = 100 if status in (S.DONE, S.AWAITING_REVIEW) else 50 if started else 0

    # Reminders already sent: the last due-soon notice before the deadline, the first overdue notice.
    if due and not recurring and due - timedelta(days=1) <= TODAY and status != S.AWAITING_SIGN:
        sent = _dt(due - timedelta(days=1), 9)
        digest = uuid.UUID(int=wid)
        email = f"u{lead}@bench.cn"
        reminders.append({"work_item_id": wid, "kind": "due_soon", "deadline": due, "step": 1, "email": email,
                          "role": "lead", "scheduled_for": sent.date(), "status": "sent", "attempts": 1,
                          "sent_at": sent, "digest": digest, "created_at": sent, "last_error": ""})
        late = (completed_at is None and due < TODAY) or (completed_at is not None and completed_at.date() > due)
        if late and due + timedelta(days=1) < TODAY:
            sent = _dt(due + timedelta(days=1), 9)
            reminders.append({"work_item_id": wid, "kind": "overdue", "deadline": due, "step": 0, "email": email,
                              "role": "lead", "scheduled_for": sent.date(), "status": "sent", "attempts": 1,
                              "sent_at": sent, "digest": uuid.UUID(int=wid + (1 << 64)), "created_at": sent,
                              "last_error": ""})

    units = [{"id": ids.take("wiu"), "work_item_id": wid, "unit_id": lead, "role": "lead", "position": 0,
              "support_done_at": None, "support_done_by_id": None, "support_note": ""}]
    for n, s in enumerate(supports, start=1):
        done_support = status == S.DONE and n == 1
        units.append({"id": ids.take("wiu"), "work_item_id": wid, "unit_id": s, "role": "support", "position": n,
                      "support_done_at": completed_at - timedelta(days=1) if done_support else None,
                      "support_done_by_id": None, "support_note": "已落实资金" if done_support else ""})
    handed = signed = None
    if sub:
        handed = parent["created_at"] + timedelta(days=20)
        signed = handed + timedelta(days=1) if status != S.AWAITING_SIGN else None
    item = {
        "id": wid, "plan_id": pid, "year": year, "key_task_id": kid, "indicator_id": indicator,
        "indicator_name": "", "target_text": "", "text": f"工作事项{wid}：完成年度第{position + 1}项任务",
        "deadline_text": f"{deadline.month}月底前" if deadline else "持续推进", "deadline": deadline, "due_date": due,
        "recurring": recurring, "status": str(status), "progress": progress, "completed_at": completed_at,
        "completed_on_time": on_time if status == S.DONE else None,
        "source": "breakdown" if sub else "work_list", "import_key": "" if sub else f"k{wid}",
        "position": position, "link_confirmed": False, "parent_id": parent["id"] if parent else None,
        "target_share": "", "handed_at": handed, "signed_at": signed, "signed_by_id": None,
        "submitted_at": submitted, "created_at": created, "updated_at": completed_at or created,
    }
    return {"item": item, "units": units, "history": history, "reports": reports, "extensions": extensions,
            "reminders": reminders, "region": region}
