from datetime import date

import pytest
from django.contrib.auth import get_user_model

from conftest import shared_by_module
from tasks.models import (
    ExtensionRequest,
    IndicatorReport,
    KeyTaskUnit,
    Plan,
    StatusChange,
    TargetBreakdown,
    TargetBreakdownChange,
    TargetShare,
    TargetShareReport,
    Unit,
    WorkItem,
)
from tasks.selectors.targets import breakdown_for
from tasks.services.demo import demo_load

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for this module (about a minute on PostgreSQL), and its accounts.

    Every test sees the database as one ``demo_load`` left it; what a test writes (a second load) is
    rolled back after it (``shared_by_module``).
    """
    with shared_by_module(django_db_blocker, tmp_path_factory.mktemp("demo-media")):
        yield demo_load(today=TODAY)


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


def test_demo_is_alive_today_and_loading_twice_changes_nothing(demo):
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
    before = _snapshot()
    demo_load(today=TODAY)
    assert _snapshot() == before


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_loading_the_demo_twice_leaves_every_table_as_it_was(demo):
    before = _row_counts()
    demo_load(today=TODAY)
    after = _row_counts()
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}


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
