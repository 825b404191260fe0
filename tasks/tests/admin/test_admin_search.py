"""The admin's search box (tasks.admin.scoping.IndexedSearch): every word in some search field, a field across
a relation matched in its own table and read by key: no join, no DISTINCT, and no second count of every row."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks.models import StatusChange, TargetBreakdown, TargetShare, TargetShareReport, UnitAlias
from tasks.tests.factories import IndicatorFactory, PlanFactory, UnitFactory, UserFactory, WorkItemFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2023, 7, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def _found(client, model: str, q: str) -> set[int]:
    response = client.get(reverse(f"admin:tasks_{model}_changelist"), {"q": q})
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def _change(item, actor=None, reason=""):
    return StatusChange.objects.create(work_item=item, actor=actor, at=NOW, to_status="in_progress", reason=reason)


def test_a_search_across_a_foreign_key_matches_the_related_rows_words_anded(admin_client):
    plan = PlanFactory()
    lift = _change(WorkItemFactory(plan=plan, text="既有住宅加装电梯"), actor=UserFactory(username="zhang"))
    roof = _change(WorkItemFactory(plan=plan, text="老旧小区屋顶改造"), reason="电梯井道另行施工")
    other = _change(WorkItemFactory(plan=plan, text="棚户区改造"))
    assert _found(admin_client, "statuschange", "电梯") == {lift.pk, roof.pk}  # item text or reason
    assert _found(admin_client, "statuschange", "电梯 改造") == {roof.pk}  # every word, each anywhere
    assert _found(admin_client, "statuschange", "ZHANG") == {lift.pk}  # the actor's name, any case
    assert _found(admin_client, "statuschange", '"棚户区改造"') == {other.pk}  # a quoted phrase is one word
    assert _found(admin_client, "statuschange", "") == {lift.pk, roof.pk, other.pk}
    assert _found(admin_client, "statuschange", "%") == set()  # a LIKE wildcard is text


def test_reverse_many_to_many_and_nested_relations_are_searched_too(admin_client):
    unit = UnitFactory(name="市自然资源和规划局")
    UnitAlias.objects.create(unit=unit, region=unit.region, name="市资规局")
    UnitFactory(region=unit.region, name="市建设局")
    assert _found(admin_client, "unit", "资规") == {unit.pk}  # a reverse foreign key (its aliases)
    plan = PlanFactory(region=unit.region)
    item = WorkItemFactory(plan=plan, lead=unit, text="完成测绘")
    assert _found(admin_client, "workitem", "资源和规划") == {item.pk}  # many to many (its units)
    breakdown = TargetBreakdown.objects.create(indicator=IndicatorFactory(plan=plan, name="保障性住房筹集"), year=2023)
    share = TargetShare.objects.create(breakdown=breakdown, unit=unit, value=Decimal(5))
    report = TargetShareReport.objects.create(share=share, month=date(2023, 6, 1), value=2, reported_at=NOW)
    assert _found(admin_client, "targetsharereport", "筹集") == {report.pk}  # two relations deep
    assert _found(admin_client, "targetsharereport", "建设局") == set()


def test_the_search_statements_have_no_join_no_distinct_and_one_count(admin_client):
    plan = PlanFactory()
    _change(WorkItemFactory(plan=plan, text="既有住宅加装电梯"))
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(reverse("admin:tasks_statuschange_changelist"), {"q": "电梯"})
    searched = [q["sql"] for q in queries.captured_queries if "LIKE" in q["sql"]]
    assert searched and not any("DISTINCT" in sql for sql in searched)
    counts = [sql for sql in searched if "COUNT(" in sql]
    assert len(counts) == 1 and " JOIN " not in counts[0]
    assert not any("COUNT(" in q["sql"] and "LIKE" not in q["sql"] and "tasks_statuschange" in q["sql"]
                   for q in queries.captured_queries)  # no count of every change beside the search's
