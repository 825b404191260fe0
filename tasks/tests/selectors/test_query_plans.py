"""PostgreSQL reads the big queues off their indexes (the orders in the selectors and the indexes in the
models must match exactly: an index in another NULLS order is never used for the sort)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.utils import timezone

from tasks.models import WorkItem
from tasks.selectors.work import close_requests_queue
from tasks.tests.daily_setup import make_world, user
from tasks.tests.factories import WorkItemFactory

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Tiny test tables are cheaper to sort than to read in index order; forbid the sort (and the
        # sequential scan) so the plan shows whether an index *can* give the order at all.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_province_review_queue_reads_its_first_page_off_the_order_index():
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's: runs in the PostgreSQL pass (DATABASE_URL=postgres://...)")
    w = make_world()
    now = timezone.now()
    for i in range(30):
        WorkItemFactory(plan=w.plan if i % 2 else w.other_plan, lead=w.lead, status=WorkItem.Status.AWAITING_REVIEW,
                        submitted_at=now - timedelta(hours=i))
    province = user("province")
    province.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    plan = _plan(close_requests_queue(province)[:25])
    assert "workitem_review_order_idx" in plan, plan
    assert "Sort" not in plan.split("SubPlan")[0], plan
