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
