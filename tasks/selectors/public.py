"""The public 晾晒 (``/public/<plan>/``): what a visitor who is not logged in may read of a plan's roundups.

Only published roundups (never drafts, never a figure computed now), only of plans whose office switched
the page on (``RoundupSettings.public_enabled``), only the sections it chose, and of each row only the
columns listed in ``COLUMNS``: unit names, counts, rates, scores, ranks, colours, indicator figures and the
text of overdue items. Nothing about a person (who generated or published it, a liaison's progress note, a
recipient, who raised an item from a meeting or an instruction and its source) is copied, so nothing can leak
by a new key appearing in the snapshot.

An overdue item's text is typed by people and may name one ("落实王五副区长批示…"): the public list is the
roundup's overdue list as ``public_overdue_rows`` masks it (``rules.personal.mask_personal``, with every
person the database knows, ``personal_terms_known``), frozen at publication in ``Roundup.public_overdue``
(``services.roundups.roundup_publish``). An item from a meeting or an instruction shows its kind (会议议定 /
领导批示) and its masked text, never its source. A published roundup without that list shows no item text.

``public_figures`` is the one source of the page, its CSV files and its JSON: each reads one published
snapshot by its unique key (one statement, whatever the number of items in the installation).
"""

from __future__ import annotations

import re

from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tasks.models import Roundup, WorkItem
from tasks.roundups.periods import MONTH, QUARTER, YEAR, Period, PeriodError
from tasks.rules import roundups as roundup_rules
from tasks.rules.personal import PersonalTerms, mask_personal, personal_terms

TOWN_RANKING, DEPARTMENT_RANKING, INDICATORS, OVERDUE = "town_ranking", "department_ranking", "indicators", "overdue"
# A 年考核's own product, the annual assessment (``rules.roundups.assessment``), 地方 and 部门 apart: only a year has
# one, shown where its group's ranking is (the same setting), so the year's published ranks are the assessment's.
TOWN_ASSESSMENT, DEPARTMENT_ASSESSMENT = "town_assessment", "department_assessment"
SECTIONS = (TOWN_ASSESSMENT, DEPARTMENT_ASSESSMENT, TOWN_RANKING, DEPARTMENT_RANKING, INDICATORS, OVERDUE)
UNIT_SECTIONS = (TOWN_RANKING, DEPARTMENT_RANKING)
ASSESSMENT_SECTIONS = {TOWN_ASSESSMENT: "town", DEPARTMENT_ASSESSMENT: "department"}
# The plan setting that switches each section on.
SECTION_SETTING = {
    TOWN_ASSESSMENT: "public_town_ranking",
    DEPARTMENT_ASSESSMENT: "public_department_ranking",
    TOWN_RANKING: "public_town_ranking",
    DEPARTMENT_RANKING: "public_department_ranking",
    INDICATORS: "public_indicators",
    OVERDUE: "public_overdue",
}
SECTION_TITLES = {
    TOWN_ASSESSMENT: _("地方（镇、街道）年度考核"),
    DEPARTMENT_ASSESSMENT: _("部门年度考核"),
    TOWN_RANKING: _("地方（镇、街道）排名"),
    DEPARTMENT_RANKING: _("部门排名"),
    INDICATORS: _("指标完成情况"),
    OVERDUE: _("逾期未完成事项"),
}
_UNIT_COLUMNS = [
    ("rank", _("排名")),
    ("unit", _("责任单位")),
    ("due", _("应办")),
    ("done_on_time", _("按期完成")),
    ("done_late", _("逾期完成")),
    ("overdue", _("逾期未完成")),
    ("awaiting_review", _("待审核")),
    ("on_time_rate", _("按期率")),
    ("support_due", _("配合应办")),
    ("support_on_time_rate", _("配合按期率")),
    # Of the counts before, the items from meetings and leaders' instructions (方案外事项), as they counted in
    # the unit's results (``rules.roundups.outside_due``); empty when the snapshot did not count them.
    ("outside_due", _("其中会议批示事项（牵头）")),
    ("outside_support_due", _("其中会议批示事项（配合）")),
    ("score", _("得分")),
    ("colour", _("预警")),
]
# Every column a visitor sees, per section, in order: the page's tables, the CSV files' headers and the
# JSON's keys. A key not listed here is not published.
# The annual assessment's columns, as its page, workbook and 通报 show them.
_ASSESSMENT_COLUMNS = [
    ("rank", _("排名")),
    ("unit", _("责任单位")),
    ("on_time_rate", _("按期完成率")),
    ("on_time_points", _("完成率得分")),
    ("indicators", _("牵头指标")),
    ("indicator_attainment", _("指标完成度")),
    ("indicator_points", _("指标得分")),
    ("overdue", _("逾期未完成")),
    ("deduction", _("扣分")),
    ("score", _("考核得分")),
]
COLUMNS: dict[str, list[tuple[str, object]]] = {
    TOWN_ASSESSMENT: _ASSESSMENT_COLUMNS,
    DEPARTMENT_ASSESSMENT: _ASSESSMENT_COLUMNS,
    TOWN_RANKING: _UNIT_COLUMNS,
    DEPARTMENT_RANKING: _UNIT_COLUMNS,
    INDICATORS: [
        ("number", _("序号")),
        ("indicator", _("指标")),
        ("lead_unit", _("牵头单位")),
        ("target", _("年度目标")),
        ("actual", _("最新实际值")),
        ("actual_month", _("填报月份")),
        ("progress", _("完成进度")),
        ("expected", _("应达进度")),
        ("colour", _("预警")),
    ],
    OVERDUE: [
        ("key_task", _("重点任务")),
        ("origin", _("事项来源")),
        ("text", _("事项")),
        ("lead_unit", _("牵头单位")),
        ("due_date", _("完成时限")),
        ("days_overdue", _("逾期天数")),
        ("status", _("状态")),
    ],
}
SUMMARY_KEYS = ("due", "done_on_time", "done_late", "overdue", "awaiting_review", "on_time_rate")
# Rates are fractions (0.853 -> "85.3%"); an indicator's progress and expected progress are already percentages
# in the snapshot (99.5 -> "99.5%"), as the roundup's own page prints them.
RATE_COLUMNS = frozenset({"on_time_rate", "support_on_time_rate", "indicator_attainment"})
PERCENT_COLUMNS = frozenset({"progress", "expected"})
_PERIOD_KEY = re.compile(r"\d{4}(-\d{2}|-Q[1-4])?")


def period_from_key(key: str) -> Period | None:
    """``2026-05`` (月晾晒), ``2026-Q2`` (季通报), ``2026`` (年考核), as in the address; else None."""
    if not _PERIOD_KEY.fullmatch(key or ""):
        return None
    kind = QUARTER if "Q" in key else MONTH if "-" in key else YEAR
    try:
        return Period.parse(kind, key)
    except PeriodError:
        return None


def _published(*, slug: str) -> QuerySet[Roundup]:
    """The published roundups of the plan ``slug`` if its public page is on (else none)."""
    return Roundup.objects.filter(
        plan__slug=slug, status=Roundup.Status.PUBLISHED, plan__roundup_settings__public_enabled=True
    )


def public_plan_index(*, slug: str) -> dict | None:
    """The plan's public page index: its title and each published roundup's period, newest first.

    None when there is no such plan, its page is off, or nothing is published yet (the visitor gets a
    404 that does not tell which). One statement.
    """
    rows = list(
        _published(slug=slug)
        .order_by("-period_start", "kind")
        .values_list("kind", "period_start", "published_at", "plan__title", "plan__region__name")
    )
    if not rows:
        return None
    periods = []
    for kind, start, published_at, _title, _region in rows:
        period = Period.of(kind, start)
        periods.append({"kind": kind, "key": period.key, "label": period.label, "title": period.title,
                        "published_on": published_at.date().isoformat()})
    return {"plan": {"slug": slug, "title": rows[0][3], "region": rows[0][4]}, "roundups": periods}


def _unit_row(unit: dict, rule_set: dict) -> dict:
    support = unit.get("support") or {}
    row = {key: unit.get(key) for key, _label in _UNIT_COLUMNS}
    row["support_due"] = support.get("due", 0)
    row["support_on_time_rate"] = support.get("on_time_rate")
    row["outside_due"], row["outside_support_due"] = roundup_rules.outside_due(unit, rule_set) or (None, None)
    return row


def _indicator_row(ind: dict) -> dict:
    actual = ind.get("actual_text")
    if actual is None and ind.get("actual") is not None:
        actual = f"{ind['actual']:g}"
    name = ind.get("name") or ind.get("indicator") or ""
    return {
        "number": ind.get("number"),
        "indicator": f"{name}（{ind['measure']}）" if ind.get("measure") else name,
        "lead_unit": ind.get("lead_unit"),
        "target": ind.get("target_text"),
        "actual": actual,
        "actual_month": ind.get("actual_month"),
        "progress": ind.get("progress"),
        "expected": ind.get("expected"),
        "colour": ind.get("colour"),
    }


def _status_label(item: dict) -> str | None:
    """The item's status in the visitor's language: from its code, else the label frozen in the snapshot."""
    status = item.get("status")
    if status in WorkItem.Status.values:
        return str(WorkItem.Status(status).label)
    return item.get("status_label") or status


def _origin_label(origin: str | None) -> str | None:
    """An item's kind in the visitor's language (方案任务 / 会议议定 / 领导批示); never who raised it."""
    return str(WorkItem.Origin(origin).label) if origin in WorkItem.Origin.values else None


def _overdue_row(item: dict) -> dict:
    return {
        "key_task": item.get("key_task"),
        "origin": _origin_label(item.get("origin")),
        "text": item.get("text"),
        "lead_unit": item.get("lead_unit"),
        "due_date": item.get("due_date"),
        "days_overdue": item.get("days_overdue"),
        "status": _status_label(item),
    }


def _values_of(model, *fields: str, **filters) -> list:
    return list(model.objects.filter(**filters).values_list(*fields))


def personal_terms_known(*, get_model=django_apps.get_model) -> PersonalTerms:
    """Every person's name, username, email, mobile and messaging id the database knows, and the names written
    in the sources of items from meetings and instructions and in key tasks' 责任领导 (``rules.personal``).

    ``get_model`` is Django's (a migration passes its historical models'). Read at publication, not per visit.
    """
    values: list[str] = []
    sources: list[str] = []
    user_model = get_model(*django_settings.AUTH_USER_MODEL.split("."))
    for username, email, first, last in _values_of(user_model, "username", "email", "first_name", "last_name"):
        values += [username, email, first, last, f"{first} {last}", f"{first}{last}", f"{last}{first}"]
    for row in _values_of(get_model("tasks", "Profile"), "mobile", "dingtalk_id", "zzd_id"):
        values += row
    for leader, leader_email, emails in _values_of(get_model("tasks", "Unit"), "leader_name", "leader_email",
                                                   "emails"):
        values += [leader, leader_email, *emails.replace(",", "\n").replace("，", "\n").split()]
        sources.append(leader)
    for name, email in _values_of(get_model("tasks", "RoundupRecipient"), "name", "email"):
        values += [name, email]
    sources += [row[0] for row in _values_of(get_model("tasks", "KeyTask"), "leaders", leaders__gt="")]
    for by, ref in _values_of(get_model("tasks", "WorkItem"), "origin_by", "origin_ref", origin__in=["meeting",
                                                                                                  "instruction"]):
        values.append(by)
        sources += [by, ref]
    return personal_terms(values, sources=sources)


def public_overdue_rows(data: dict, terms: PersonalTerms) -> list[dict]:
    """The overdue list a visitor may read of a roundup's snapshot ``data``: each item's key task, kind, text
    masked by ``terms``, lead unit, due date, days overdue and status code; nothing else."""
    origins = {row["id"]: row.get("origin") for row in data.get("outside_items") or [] if "id" in row}
    return [
        {
            "key_task": item.get("key_task"),
            "origin": origins.get(item.get("id"), WorkItem.Origin.PLAN.value),
            "text": mask_personal(item.get("text"), terms),
            "lead_unit": item.get("lead_unit"),
            "due_date": item.get("due_date"),
            "days_overdue": item.get("days_overdue"),
            "status": item.get("status"),
            "status_label": item.get("status_label"),
        }
        for item in data.get("overdue_items") or []
    ]


def public_figures(*, slug: str, period_key: str) -> dict | None:
    """Every figure the public page of plan ``slug`` shows for the period ``period_key``, JSON-safe.

    Read from the period's published snapshot, narrowed to the sections the office publishes; None when
    the plan has no such page or no published roundup for that period (the visitor gets a 404). The page,
    the CSV files and the JSON all call this. One statement.
    """
    period = period_from_key(period_key)
    if period is None:
        return None
    roundup = (
        _published(slug=slug)
        .filter(kind=period.kind, period_start=period.start)
        .select_related("plan__region", "plan__roundup_settings")
        .only("kind", "period_start", "period_end", "published_at", "data", "public_overdue", "plan__slug",
              "plan__title",
              "plan__region__name", *(f"plan__roundup_settings__{name}" for name in SECTION_SETTING.values()))
        .first()
    )
    if roundup is None:
        return None
    settings = roundup.plan.roundup_settings
    data = roundup.data
    sections = [key for key in SECTIONS if getattr(settings, SECTION_SETTING[key])
                and (key not in ASSESSMENT_SECTIONS or period.kind == YEAR)]
    summary = data.get("summary") or {}
    units = data.get("units") or []
    rule_set = data.get("rules") or {}
    out = {
        "plan": {"slug": roundup.plan.slug, "title": roundup.plan.title, "region": roundup.plan.region.name},
        "period": {"kind": period.kind, "key": period.key, "label": period.label, "title": str(period.title),
                   "start": period.start.isoformat(), "end": period.end.isoformat()},
        "published_on": roundup.published_at.date().isoformat(),
        "summary": {key: summary.get(key) for key in SUMMARY_KEYS},
        # How items from meetings and instructions weighed in the units' results (0: not counted, only
        # listed inside the office; the columns of their counts are then empty).
        "outside_weight": roundup_rules.outside_weight(rule_set),
        "sections": sections,
    }
    for key in sections:
        if key in ASSESSMENT_SECTIONS:
            rows = [{k: a.get(k) for k, _label in _ASSESSMENT_COLUMNS} for a in data.get("assessment") or []
                    if a.get("kind", "department") == ASSESSMENT_SECTIONS[key]]
        elif key == TOWN_RANKING:
            rows = [_unit_row(u, rule_set) for u in units if u.get("kind") == "town"]
        elif key == DEPARTMENT_RANKING:
            # A snapshot from before units had a kind ranks every unit together: shown as departments.
            rows = [_unit_row(u, rule_set) for u in units if u.get("kind", "department") == "department"]
        elif key == INDICATORS:
            rows = [_indicator_row(i) for i in data.get("indicators") or []]
        else:
            # Masked at publication; a roundup published without that list shows its items' text as withheld.
            masked = roundup.public_overdue
            rows = [_overdue_row(i) for i in (masked if masked is not None
                                              else [{**i, "text": None} for i in data.get("overdue_items") or []])]
        out[key] = rows
    return out


def public_table(figures: dict, section: str) -> tuple[list[str], list[list]]:
    """(headers, rows) of one section of ``public_figures``: the CSV file's content, in ``COLUMNS``'s order."""
    columns = COLUMNS[section]
    return [str(label) for _key, label in columns], [[row[key] for key, _label in columns]
                                                      for row in figures.get(section, [])]
