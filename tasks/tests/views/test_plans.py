from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tasks.models import IndicatorReport, WorkItem
from tasks.services.reports import work_item_request_close
from tasks.services.review import work_item_accept
from tasks.tests.daily_setup import login, make_world, user
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db
S = WorkItem.Status


# ---- plan dashboard ------------------------------------------------------------------------------------


def test_plan_dashboard_counts_by_status_key_task_and_unit(client):
    """The on-time rate is the roundup's: done on time / due. The dashboard once divided by
    (done + overdue) and read 0.5 here while the roundup read 0.0: the item done early is not
    due yet, so of the one item due, none was done on time."""
    w = make_world()
    late = WorkItemFactory(plan=w.plan, lead=w.lead, key_task=w.key_task, deadline=w.today - timedelta(days=3),
                           due_date=w.today - timedelta(days=3))
    waiting = WorkItemFactory(plan=w.plan, lead=w.other, deadline=w.today - timedelta(days=9),
                              due_date=w.today - timedelta(days=9))
    work_item_request_close(item=waiting, user=w.other_user, note="完成")  # not overdue: awaiting review
    work_item_request_close(item=w.item, user=w.lead_user, note="完成")
    work_item_accept(item=w.item, user=w.coordinator)
    response = login(client, w.coordinator).get(w.plan.get_absolute_url())
    assert response.status_code == 200
    counts = {code: n for _label, code, n in response.context["status_counts"]}
    assert counts == {S.NOT_STARTED: 2, S.IN_PROGRESS: 0, S.AWAITING_REVIEW: 1, S.RETURNED: 0, S.DONE: 1,
                      S.AWAITING_SIGN: 0, S.WAIVED: 0, S.HISTORY: 0}
    task = next(t for t in response.context["key_tasks"] if t.pk == w.key_task.pk)
    assert (task.n_total, task.n_done, task.n_overdue, task.lead_name) == (2, 1, 1, "区建设局")
    units = {u.name: u for u in response.context["units"]}
    assert (units["区建设局"].n_total, units["区建设局"].n_done, units["区建设局"].n_overdue) == (2, 1, 1)
    assert (units["区建设局"].n_due, units["区建设局"].n_on_time, units["区建设局"].on_time_rate) == (1, 0, 0.0)
    assert units[w.other.name].n_overdue == 0
    assert [i.pk for i in response.context["most_overdue"]] == [late.pk]


def test_plan_dashboard_shows_indicator_lights(client):
    w = make_world(date.today())
    IndicatorReport.objects.create(indicator=w.indicator, month=w.today.replace(day=1), value=Decimal("3.5"),
                                   reported_at=w.item.created_at)
    response = login(client, w.coordinator).get(w.plan.get_absolute_url())
    [progress] = response.context["indicator_rows"]
    assert progress["id"] == w.indicator.pk and progress["attained"] and progress["colour"] == "green"
    assert response.context["lights"]["green"] == 1
    assert "light-green" in response.content.decode()


def test_plan_dashboard_lists_import_warnings_linked_to_where_they_are_fixed(client):
    w = make_world()
    w.plan.import_warnings = [
        {"code": "unit_not_in_list", "line": 40, "message": "单位“区城管局”不在有关单位名单中", "unit": "区城管局"},
        {"code": "doubtful_link", "line": 88, "message": "工作清单指标“X”关联把握不大",
         "target": {"model": "workitem", "id": w.item.pk}},
        {"code": "deadline_unreadable", "line": 120, "message": "期限“长期坚持”无法解析",
         "target": {"model": "workitem", "id": 999999}},  # a row deleted since
    ]
    w.plan.save()
    page = login(client, w.coordinator).get(w.plan.get_absolute_url()).content.decode()
    assert "区城管局" in page and "第 88 行" in page and "期限“长期坚持”无法解析" in page
    assert reverse("admin:tasks_unit_changelist") + "?q=" in page
    assert reverse("admin:tasks_workitem_change", args=[w.item.pk]) in page
    assert reverse("admin:tasks_plan_change", args=[w.plan.pk]) in page


def test_plan_dashboard_is_for_its_coordinators(client):
    w = make_world()
    assert login(client, w.lead_user).get(w.plan.get_absolute_url()).status_code == 404
    assert login(client, w.other_coordinator).get(w.plan.get_absolute_url()).status_code == 404
    # The staff flag opens the admin only; seeing every plan is its own permission (a city or province role).
    assert login(client, user("staffer", is_staff=True)).get(w.plan.get_absolute_url()).status_code == 404
    boss = user("boss")
    boss.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    assert login(client, boss).get(w.plan.get_absolute_url()).status_code == 200


# ---- unit page -----------------------------------------------------------------------------------------


def test_unit_page_shows_items_on_time_rate_and_overdue_list(client):
    w = make_world()
    late = WorkItemFactory(plan=w.plan, lead=w.lead, text="逾期的", deadline=w.today - timedelta(days=3),
                           due_date=w.today - timedelta(days=3))
    done = WorkItemFactory(plan=w.plan, lead=w.lead, deadline=w.today + timedelta(days=3),
                           due_date=w.today + timedelta(days=3))
    on_time = WorkItemFactory(plan=w.plan, lead=w.lead, deadline=w.today - timedelta(days=1),
                              due_date=w.today - timedelta(days=1))
    two_days_ago = datetime.combine(w.today - timedelta(days=2), time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    for item in (done, on_time):
        work_item_request_close(item=item, user=w.lead_user, note="完成", at=two_days_ago)
        work_item_accept(item=item, user=w.coordinator, at=two_days_ago)
    response = login(client, w.coordinator).get(w.lead.get_absolute_url())
    assert response.status_code == 200
    # Due: the overdue one and the one done on time (the one done early is not due yet).
    assert response.context["summary"]["on_time_rate"] == 0.5
    assert "50.0%" in response.content.decode()
    assert [r.record.pk for r in response.context["overdue_table"].page.object_list] == [late.pk]
    assert {r.record.pk for r in response.context["table"].page.object_list} == {
        w.item.pk, late.pk, done.pk, on_time.pk
    }


def test_unit_page_is_for_the_units_staff_and_coordinators(client):
    w = make_world()
    assert login(client, w.lead_user).get(w.lead.get_absolute_url()).status_code == 200
    assert login(client, w.other_user).get(w.lead.get_absolute_url()).status_code == 404


def test_unit_page_shows_a_coordinator_only_their_plans_items(client):
    w = make_world()
    foreign = WorkItemFactory(plan=w.other_plan, lead=w.lead, text="别的方案的事项")
    response = login(client, w.coordinator).get(w.lead.get_absolute_url())
    assert foreign.pk not in {r.record.pk for r in response.context["table"].page.object_list}


# ---- key task and indicator pages ----------------------------------------------------------------------


def test_key_task_page_shows_units_indicators_and_items(client):
    w = make_world()
    response = login(client, w.support_user).get(w.key_task.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert w.key_task.title in page and "区建设局" in page and "区财政局" in page and w.indicator.name in page
    assert [r.record.pk for r in response.context["table"].page.object_list] == [w.item.pk]
    assert login(client, w.other_user).get(w.key_task.get_absolute_url()).status_code == 404


def test_indicator_page_shows_baseline_target_latest_and_progress(client):
    w = make_world()
    IndicatorReport.objects.create(indicator=w.indicator, month=w.today.replace(day=1), value=Decimal("3.145"),
                                   reported_at=w.item.created_at)
    response = login(client, w.support_user).get(w.indicator.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    # Cumulative from the baseline (2.22) to this year's 3.30, at the plan's precision (3.30: two places),
    # the progress of the value shown: (3.15 - 2.22) / (3.30 - 2.22).
    assert "2.22" in page and "3.30" in page and "3.15" in page and "86.1%" in page
    assert response.context["form"] is None  # a supporting unit does not report


def test_lead_unit_reports_an_indicator_value_round_trip(client):
    w = make_world()
    login(client, w.lead_user)
    month = w.today.replace(day=1)
    response = client.post(w.indicator.get_absolute_url(), {"month": month.strftime("%Y-%m"), "value": "3.2"})
    assert response.status_code == 302
    assert IndicatorReport.objects.get().value == Decimal("3.2")
    future = (month + timedelta(days=40)).strftime("%Y-%m")
    response = client.post(w.indicator.get_absolute_url(), {"month": future, "value": "9", "note": "预计"})
    assert response.status_code == 200 and "month" in response.context["form"].errors
    assert "预计" in response.content.decode()


def test_supporting_unit_posting_an_indicator_value_gets_403(client):
    w = make_world()
    response = login(client, w.support_user).post(w.indicator.get_absolute_url(),
                                                  {"month": w.today.strftime("%Y-%m"), "value": "1"})
    assert response.status_code == 403 and not IndicatorReport.objects.exists()
    assert login(client, w.other_user).get(w.indicator.get_absolute_url()).status_code == 404
