"""The demo (``make demo``), loaded once for the whole module: its data, its idempotence, and what users see
in it (the status API against the roundup document, three weeks of reminders).

Every test that reads the demo is in this module so that the suite loads it once (about 40 s on
PostgreSQL, 15 s on SQLite; it used to be loaded in three modules and twice more in tests).
"""

import json
from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from conftest import shared_by_module
from tasks import workdays
from tasks.models import (
    ExtensionRequest,
    IndicatorReport,
    KeyTaskUnit,
    Message,
    Plan,
    Reminder,
    StatusChange,
    TargetBreakdown,
    TargetBreakdownChange,
    TargetShare,
    TargetShareReport,
    Unit,
    WorkItem,
)
from tasks.roundups.periods import Period
from tasks.selectors.calendar import calendar_overrides
from tasks.selectors.targets import breakdown_for
from tasks.services.demo import demo_load
from tasks.tests.api.test_api import status_url
from tasks.tests.daily_setup import login
from tasks.tests.services.test_reminders_parts import morning

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
TODAY = date(2026, 11, 23)  # a Monday


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for this module, and its accounts.

    Every test sees the database as one ``demo_load`` left it; what a test writes is rolled back after it
    (``shared_by_module``).
    """
    with shared_by_module(django_db_blocker, tmp_path_factory.mktemp("demo-media")):
        yield demo_load(today=TODAY)


def test_demo_towns_have_liaisons_and_shares_that_add_up_to_the_city_target(demo):
    accounts = demo
    names = {a.username: a.unit for a in accounts}
    assert names["haining-xiashi"] == "硖石街道" and names["yuecheng-tashan"] == "塔山街道"
    assert sum(1 for n in names if n.startswith("haining-")) == 12
    assert sum(1 for n in names if n.startswith("yuecheng-")) == 17
    # Numbered accounts keep the units they had before towns existed.
    assert get_user_model().objects.get(username="haining30").profile.unit.name == "市住建局"
    assert get_user_model().objects.get(username="yuecheng08").profile.unit.name == "区建设局"
    town = get_user_model().objects.get(username="haining-xiashi").profile.unit
    assert town.kind == Unit.Kind.TOWN and town.email_list == ["haining-xiashi@demo.local"]
    for plan in Plan.objects.all():
        breakdowns = TargetBreakdown.objects.filter(indicator__plan=plan, year=2026)
        assert breakdowns.count() >= 5
        methods = set()
        for breakdown in breakdowns.select_related("indicator"):
            view = breakdown_for(breakdown.indicator, 2026)
            methods.add(view.method)
            assert len(view.shares) >= plan.region.units.filter(kind=Unit.Kind.TOWN).count() - 3
            assert all(r.value > 0 for r in view.shares)
            assert view.total.value == view.target.value, breakdown.indicator
            assert view.coverage.status == "covered"
            # A realistic spread: some towns are ahead of their share, some behind.
            attained = [r.attained for r in view.shares]
            assert None not in attained
        assert methods == {"sum", "weighted"}
        spread = [r.attained for b in breakdowns for r in breakdown_for(b.indicator, 2026).shares]
        assert True in spread and False in spread


def test_last_months_roundups_rank_at_least_10_towns_and_8_departments_with_no_row_at_zero(demo):
    from tasks.roundups.periods import Period
    from tasks.selectors.roundups import roundup_data

    for plan in Plan.objects.all():
        data = roundup_data(plan=plan, period=Period.last_ended("month", TODAY))
        ranked = [u for u in data["units"] if u["rank"] is not None]
        assert sum(1 for u in ranked if u["kind"] == "town") >= 10, plan.slug
        assert sum(1 for u in ranked if u["kind"] == "department") >= 8, plan.slug
        assert all(u["due"] or u["support"]["due"] for u in data["units"])
        for kind in ("town", "department"):
            ranks = sorted(u["rank"] for u in ranked if u["kind"] == kind)
            assert ranks[0] == 1 and ranks[-1] <= len(ranks)


# ---------------------------------------------------------------- what users see in it


def test_demo_status_at_the_end_of_last_month_and_quarter_is_the_roundup_json_document(demo, client):
    """The status API (``/api/v1/plans/<slug>/status/``) returns the ``roundup --json`` document whole."""
    coordinator = Plan.objects.first().coordinators.get(username="coordinator")
    login(client, coordinator)
    compared = 0
    for plan in Plan.objects.order_by("slug"):
        for kind in ("month", "quarter"):
            period = Period.last_ended(kind, TODAY)
            out = StringIO()
            call_command("roundup", plan=plan.slug, **{kind: period.key}, json=True, stdout=out)
            roundup = json.loads(out.getvalue())
            body = client.get(status_url(plan.slug, as_of=period.end.isoformat(), period=kind)).json()
            assert roundup["overdue_items"] and {u["kind"] for u in roundup["units"]} == {"town", "department"}
            assert body == roundup
            compared += 1
    assert compared == 4


def test_over_three_weeks_the_demo_finance_bureau_is_chased_on_its_overdue_parts(demo):
    """区财政局 (``yuecheng07``) supports items whose parts are overdue: it gets overdue notices, not only
    "即将到期" (issue 31's reproduction; the reminder rules themselves: ``test_reminders_parts.py``)."""
    user = get_user_model().objects.select_related("profile__unit").get(username="yuecheng07")
    assert user.profile.unit.name == "区财政局"
    overrides = calendar_overrides(fresh=True)
    day = TODAY
    while day < TODAY + timedelta(days=21):
        if workdays.is_workday(day, overrides):
            morning(day)
        day += timedelta(days=1)
    rows = Reminder.objects.filter(email=user.email)
    kinds = Counter(rows.values_list("kind", "role"))
    assert kinds[(Reminder.Kind.OVERDUE, Reminder.RecipientRole.SUPPORT)] > 0
    assert set(rows.values_list("unit", flat=True)) == {user.profile.unit.pk}
    assert rows.filter(kind=Reminder.Kind.OVERDUE, status=Reminder.Status.SENT).exists()
    overdue_digests = Message.objects.filter(address=user.email, subject__contains="已逾期")
    assert overdue_digests.exists()


# ---------------------------------------------------------------- loading twice changes nothing


@pytest.fixture(scope="module")
def reloaded(demo, django_db_blocker):
    """The demo loaded a second time over itself, once for the two tests below: the state before and after.

    Runs in a savepoint rolled back after the module (these tests come last in it).
    """
    def state():
        return {"snapshot": _snapshot(), "rows": _row_counts()}

    with django_db_blocker.unblock(), transaction.atomic():
        before = state()
        demo_load(today=TODAY)
        yield before, state()
        transaction.set_rollback(True)


def _snapshot():
    return (
        get_user_model().objects.count(),
        WorkItem.objects.count(),
        StatusChange.objects.count(),
        ExtensionRequest.objects.count(),
        IndicatorReport.objects.count(),
        Unit.objects.count(),
        KeyTaskUnit.objects.count(),
        TargetShare.objects.count(),
        TargetShareReport.objects.count(),
        TargetBreakdownChange.objects.count(),
        list(WorkItem.objects.order_by("pk").values_list("status", "due_date")),
    )


def test_demo_is_alive_today_and_loading_twice_changes_nothing(demo, reloaded):
    # Read after the second load, whose state is the first one's (the last assertion).
    accounts = demo
    assert {a.username for a in accounts} >= {"admin", "coordinator"}
    assert Plan.objects.count() == 2
    items = WorkItem.objects.filter(year=2026)
    statuses = set(items.values_list("status", flat=True))
    assert statuses >= {"done", "in_progress", "awaiting_review", "returned"}
    assert items.filter(status="done", completed_on_time=False).exists()
    assert items.filter(status="done", completed_on_time=True).exists()
    assert items.filter(due_date__lt=TODAY).exclude(status="done").exists()  # overdue
    assert ExtensionRequest.objects.filter(status="granted").exists()
    assert ExtensionRequest.objects.filter(status="pending").exists()
    # Every liaison works for a unit with a contact email.
    user = get_user_model().objects.get(username="yuecheng08")
    assert user.profile.unit.email_list
    # And can be reached on every channel's local stand-in: a DingTalk id (the username) and a mobile.
    assert user.profile.dingtalk_id == "yuecheng08" and len(user.profile.mobile) == 11
    before, after = reloaded
    assert after["snapshot"] == before["snapshot"]


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_loading_the_demo_twice_leaves_every_table_as_it_was(reloaded):
    before, after = (state["rows"] for state in reloaded)
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}


def test_demo_has_a_leader_per_plan_who_can_be_named_as_raiser(demo):
    """Without a 分管领导 account the minutes page offered no raiser and the raiser's rating could not be tried."""
    from tasks.models import PersonRole
    from tasks.selectors.people import possible_raisers

    leaders = {a.username: a.unit for a in demo if a.role == "leader"}
    assert leaders == {"haining30-leader": "市住建局", "yuecheng08-leader": "区建设局"}
    for plan in Plan.objects.all():
        raisers = list(possible_raisers(plan.region_id))
        assert len(raisers) == 1 and raisers[0].profile.role == PersonRole.LEADER
        assert raisers[0].email == raisers[0].profile.unit.leader_email  # escalations reach the same person


def _page_unit_rows(html: str) -> dict[str, list[str]]:
    """The roundup page's unit tables: unit -> its cells (rank, change, unit, due, on time, late, overdue,
    awaiting review, on-time rate, ...), as printed."""
    import re

    from django.utils.html import strip_tags

    rows = {}
    tables = [t for t in re.findall(r'<table class="rp-table">(.*?)</table>', html, flags=re.S)
              if "牵头事项（本期）" in t.split("</thead>")[0]]
    assert tables, "the page has its unit rankings"
    for table in tables:
        for tr in re.findall(r'<tr class="c-\w+">(.*?)</tr>', table.split("</thead>")[1], flags=re.S):
            cells = [strip_tags(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
            rows[cells[2]] = cells
    return rows


def test_one_figure_is_the_same_on_every_output_of_every_demo_roundup(demo, client):
    """For every demo plan and its last month's and quarter's roundup, each unit's counts (due, on time, late,
    overdue, awaiting review), on-time rate and rank, and each indicator's progress, read the same on the roundup
    page, the status API, the e-mail each unit gets, the Excel workbook and the 通报's ranking attachment. Each
    output is read as printed and held to the snapshot: an output that computed a figure of its own fails."""
    import io

    from openpyxl import load_workbook

    from tasks.models import Roundup
    from tasks.roundups.report import pct
    from tasks.roundups.xlsx import render_xlsx
    from tasks.services.documents import attachments_for
    from tasks.services.roundups import _roundup_content, roundup_publish, roundup_report

    coordinator = get_user_model().objects.get(username="coordinator")
    login(client, coordinator)
    compared = 0
    for plan in Plan.objects.order_by("slug"):
        for kind in ("month", "quarter"):
            period = Period.last_ended(kind, TODAY)
            roundup = Roundup.objects.get(plan=plan, kind=kind, period_start=period.start)
            roundup_publish(roundup=roundup, actor=coordinator)  # its e-mails (rolled back after the test)
            report = roundup_report(roundup)
            units = [u for u in report.units if u["due"]]
            assert len(units) >= 5, (plan.slug, kind)
            expected = {u["unit"]: (u["rank"], u["due"], u["done_on_time"], u["done_late"], u["overdue"],
                                    u["awaiting_review"], pct(u["on_time_rate"])) for u in units}

            # The page.
            page = _page_unit_rows(client.get(f"/roundups/{roundup.pk}/").content.decode())
            for name, (rank, due, on, late, over, wait, rate) in expected.items():
                cells = next(c for n, c in page.items() if n.startswith(name))
                assert cells[0] == str(rank) and cells[3:9] == [str(due), str(on), str(late), str(over), str(wait),
                                                                rate], (plan.slug, kind, name, cells)

            # The status API (computed from the database as of the period's end).
            api = client.get(status_url(plan.slug, as_of=period.end.isoformat(), period=kind)).json()
            by_api = {u["unit"]: u for u in api["units"]}
            for name, (rank, due, on, late, over, wait, rate) in expected.items():
                u = by_api[name]
                assert (u["rank"], u["due"], u["done_on_time"], u["done_late"], u["overdue"], u["awaiting_review"],
                        pct(u["on_time_rate"])) == (rank, due, on, late, over, wait, rate), (plan.slug, name)
            api_progress = {i["number"]: i["progress"] for i in api["indicators"]}
            assert api_progress == {i["number"]: i["progress"] for i in report.indicators}

            # The e-mail each unit's recipient gets.
            for delivery in roundup.deliveries.filter(unit__isnull=False).select_related("unit", "roundup"):
                if delivery.unit.name not in expected:
                    continue
                rank, due, on, late, over, wait, _rate = expected[delivery.unit.name]
                body = _roundup_content(report=report, delivery=delivery, subject="", attachments=[],
                                        highlights=[]).text
                assert f"排名第{rank}" in body and (f"牵头应办{due}项，按期完成{on}项，逾期完成{late}项，"
                                                    f"逾期未完成{over}项，待审核{wait}项") in body, delivery.unit.name

            # The Excel workbook's ranking and indicators.
            book = load_workbook(io.BytesIO(render_xlsx(report)))
            sheet = book["单位排名"]
            by_xlsx = {row[2]: row for row in sheet.iter_rows(min_row=4, values_only=True) if row[2] in expected}
            assert set(by_xlsx) == set(expected)
            for name, (rank, due, on, late, over, wait, rate) in expected.items():
                row = by_xlsx[name]
                assert (row[0], *row[3:8], pct(row[8])) == (rank, due, on, late, over, wait, rate), (plan.slug, name)
            xlsx_progress = {row[0]: row[11] for row in book["指标"].iter_rows(min_row=3, values_only=True)
                             if row[0] is not None}
            for i in report.indicators:
                shown = xlsx_progress[i["number"]]
                assert (shown is None) == (i["progress"] is None) and (
                    shown is None or abs(shown * 100 - i["progress"]) < 1e-9), (plan.slug, i["number"])

            # The 通报's ranking attachment.
            tables = attachments_for(report)[0].tables
            by_bulletin = {r[1]: r for t in tables for r in t.rows}
            for name, (rank, due, on, late, over, _wait, rate) in expected.items():
                r = by_bulletin[name]
                assert r[0] == str(rank) and r[2:7] == [str(due), str(on), str(late), str(over), rate], name
            compared += 1
    assert compared == 4
