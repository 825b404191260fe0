import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tasks.models import Evidence, ExtensionRequest, ProgressReport, StatusChange, WorkItem
from tasks.services.reports import work_item_request_close
from tasks.tests.daily_setup import PASSWORD, bulk_items, login, make_world, pdf, user
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db
S = WorkItem.Status


def html(response) -> str:
    return response.content.decode()


# ---- login ---------------------------------------------------------------------------------------------


def test_pages_need_login_and_the_login_page_does_not(client):
    w = make_world()
    for url in (reverse("tasks:home"), w.item.get_absolute_url(), reverse("tasks:overdue")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_login_lands_a_liaison_on_their_units_work(client):
    w = make_world()
    response = client.post(reverse("login"), {"username": "lead", "password": PASSWORD}, follow=True)
    assert "区建设局" in html(response) and w.item.text in html(response)


def test_repeated_failed_logins_lock_the_account_out(client):
    make_world()
    for _ in range(5):
        client.post(reverse("login"), {"username": "lead", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert response.status_code == 429
    assert "账号已暂时锁定" in html(response)


# ---- home ----------------------------------------------------------------------------------------------


def test_home_lists_only_my_units_items_with_counts(client):
    w = make_world()
    overdue = WorkItemFactory(plan=w.plan, text="逾期的事项", deadline=w.today - timedelta(days=3),
                              due_date=w.today - timedelta(days=3), lead=w.lead)
    response = login(client, w.lead_user).get(reverse("tasks:home"))
    assert response.status_code == 200
    page = html(response)
    assert w.item.text in page and overdue.text in page and w.other_item.text not in page
    assert response.context["counts"]["overdue"] == 1 and response.context["counts"]["total"] == 2
    rows = list(response.context["table"].page.object_list)
    assert [r.record.pk for r in rows] == [overdue.pk, w.item.pk]  # by deadline
    assert re.search(r'<tr [^>]*class="[^"]*\boverdue\b', page)  # coloured by urgency


def test_home_filters_by_role_urgency_status_key_task_and_deadline_range(client):
    w = make_world()
    supporting = WorkItemFactory(plan=w.plan, text="配合的事项", lead=w.other, supporting=[w.lead],
                                 deadline=w.today + timedelta(days=200), due_date=w.today + timedelta(days=200))
    login(client, w.lead_user)

    def shown(query):
        response = client.get(reverse("tasks:my_work"), query)
        return {r.record.pk for r in response.context["table"].page.object_list}

    assert shown({"role": "support"}) == {supporting.pk}
    assert shown({"role": "lead"}) == {w.item.pk}
    assert shown({"urgency": "later"}) == {w.item.pk, supporting.pk}
    assert shown({"urgency": "overdue"}) == set()
    assert shown({"key_task": w.key_task.pk}) == {w.item.pk}
    assert shown({"indicator": w.indicator.pk}) == {w.item.pk}
    assert shown({"due_from": (w.today + timedelta(days=100)).isoformat()}) == {supporting.pk}
    assert shown({"due_to": (w.today + timedelta(days=100)).isoformat()}) == {w.item.pk}
    assert shown({"status": "done"}) == set()
    assert shown({"q": "配合"}) == {supporting.pk}


def test_home_key_task_filter_offers_only_my_units_tasks(client):
    w = make_world()
    response = login(client, w.other_user).get(reverse("tasks:my_work"), {"key_task": w.key_task.pk})
    # Another unit's key task is not a valid choice: the filter is refused and shows an error.
    assert response.context["filter"].form.errors


def test_home_sorts_and_paginates(client):
    w = make_world()
    for i in range(30):
        WorkItemFactory(plan=w.plan, text=f"批量{i}", lead=w.lead)
    login(client, w.lead_user)
    response = client.get(reverse("tasks:my_work"), {"sort": "-due_date"})
    first = response.context["table"].page.object_list[0].record
    assert first.pk == w.item.pk  # the latest deadline first
    assert len(response.context["table"].page.object_list) == 25
    response = client.get(reverse("tasks:my_work"), {"page": 2})
    assert len(response.context["table"].page.object_list) == 6


def test_home_pages_count_what_the_table_holds_filtered_or_not(client):
    """Unfiltered, the table's length is the "全部" count above it (no COUNT of its own); filtered, it is
    counted: both say how many rows the table really has."""
    w = make_world()
    items = bulk_items(plan=w.plan, unit=w.lead, n=40, today=w.today)  # due 30 days ago .. 59 days ahead
    bulk_items(plan=w.other_plan, unit=w.other, n=5, today=w.today)  # another unit's: never counted
    login(client, w.lead_user)
    for query, expected in [
        ({}, 1 + len(items)),
        ({"page": 2, "sort": "-due_date"}, 1 + len(items)),
        ({"urgency": "overdue"}, sum(1 for i in items if i.due_date < w.today)),
        ({"urgency": "bogus"}, None),  # refused: the form shows an error, the count is not the total's
    ]:
        response = client.get(reverse("tasks:my_work"), query)
        table = response.context["table"]
        if expected is None:
            assert response.context["filter"].form.errors
            expected = table.data.data.count()
        assert table.paginator.count == expected == table.data.data.count(), query
        assert response.context["counts"]["total"] == 1 + len(items)


def test_home_exports_the_filtered_list_to_excel(client):
    w = make_world()
    WorkItemFactory(plan=w.plan, text="配合的事项", lead=w.other, supporting=[w.lead])
    response = login(client, w.lead_user).get(reverse("tasks:my_work"), {"role": "lead", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "工作内容"
    assert [r[0] for r in rows[1:]] == [w.item.text]
    assert "牵头" in rows[1]


def test_coordinator_lands_on_the_coordinator_home(client):
    w = make_world()
    submitted = WorkItemFactory(plan=w.plan, lead=w.lead)
    work_item_request_close(item=submitted, user=w.lead_user, note="完成")
    response = login(client, w.coordinator).get(reverse("tasks:home"))
    assert response.status_code == 200
    assert "专班工作台" in html(response) and w.plan.title in html(response)
    assert response.context["n_close"] == 1


def test_the_coordinator_home_counts_each_plan_as_the_overdue_view_and_plan_page_do(client):
    from datetime import date

    w = make_world()
    bulk_items(plan=w.plan, unit=w.lead, n=7, today=date.today(), overdue=True)
    w.plan.import_warnings = [{"message": "未识别的期限", "resolved": None},
                              {"message": "已处理", "resolved": {"by": "coord", "at": "2026-01-01"}}]
    w.plan.save(update_fields=["import_warnings"])
    login(client, w.coordinator)
    response = client.get(reverse("tasks:home"))
    overdue = client.get(reverse("tasks:overdue"), {"plan": w.plan.pk}).context["table"].paginator.count
    row = next(p for p in response.context["plans"] if p.pk == w.plan.pk)
    assert row.counts == {"n_items": 9, "n_done": 0, "n_awaiting": 0, "n_overdue": 7} and overdue == 7
    assert response.context["n_overdue"] == 7
    assert row.n_warnings == 1  # the open ones, as the plan page and the admin count them


def test_a_province_user_pages_through_the_plans(client):
    from django.contrib.auth.models import Permission

    from tasks.tests.factories import PlanFactory
    from tasks.views.plans import PLANS_PER_PAGE

    w = make_world()
    for i in range(PLANS_PER_PAGE):
        PlanFactory(region=w.plan.region, title=f"方案{i:03d}")
    province = user("province")
    province.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    login(client, province)
    first = client.get(reverse("tasks:home"))
    assert len(first.context["plans"]) == PLANS_PER_PAGE and "1 / 2" in html(first)
    last = client.get(reverse("tasks:home"), {"page": "2"})
    assert len(last.context["plans"]) == 2  # 50 + the world's two plans
    for hostile in ("999", "abc", "-1", "9" * 30):
        assert client.get(reverse("tasks:home"), {"page": hostile}).status_code == 200


def test_user_without_unit_is_told_so(client):
    make_world()
    response = login(client, user("newcomer")).get(reverse("tasks:home"))
    assert "账号未关联责任单位" in html(response)


# ---- the item page -------------------------------------------------------------------------------------


def test_item_page_shows_deadline_workdays_key_task_indicator_target_units_and_history(client):
    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="已完成，附验收报告", files=[pdf()])
    response = login(client, w.lead_user).get(w.item.get_absolute_url())
    page = html(response)
    assert response.status_code == 200
    assert w.item.due_date.isoformat() in page and w.item.deadline_text in page
    assert response.context["workdays_left"] > 0 and "个工作日" in page
    assert w.key_task.title in page and w.indicator.name in page and "3.30" in page
    assert "区建设局" in page and "区财政局" in page
    assert "已完成，附验收报告" in page and "验收报告.pdf" in page
    assert "待审核" in page


def test_other_units_liaison_gets_404_for_the_item(client):
    w = make_world()
    assert login(client, w.other_user).get(w.item.get_absolute_url()).status_code == 404
    assert client.get(reverse("tasks:work_item_detail", args=[999999])).status_code == 404


def test_supporting_unit_sees_no_close_form_and_is_told_why(client):
    w = make_world()
    page = html(login(client, w.support_user).get(w.item.get_absolute_url()))
    assert "配合单位不能申请办结" in page
    assert reverse("tasks:work_item_close", args=[w.item.pk]) not in page
    assert reverse("tasks:work_item_report", args=[w.item.pk]) in page


def test_lead_reports_progress_round_trip(client):
    w = make_world()
    login(client, w.lead_user)
    response = client.post(reverse("tasks:work_item_report", args=[w.item.pk]),
                           {"note": "已开工", "percent": "40", "files": [pdf()]})
    assert response.status_code == 302 and response["Location"] == w.item.get_absolute_url()
    w.item.refresh_from_db()
    assert (w.item.status, w.item.progress) == (S.IN_PROGRESS, 40)
    assert Evidence.objects.filter(report__work_item=w.item).count() == 1


def test_supporting_unit_posts_a_contribution(client):
    w = make_world()
    response = login(client, w.support_user).post(reverse("tasks:work_item_report", args=[w.item.pk]),
                                                  {"note": "资金已下达"})
    assert response.status_code == 302
    assert ProgressReport.objects.get().kind == ProgressReport.Kind.CONTRIBUTION


def test_a_refused_file_reshows_the_typed_note_with_a_clear_error(client):
    w = make_world()
    bad = pdf(name="报告.pdf", content=b"<html>not a pdf</html>")
    response = login(client, w.lead_user).post(reverse("tasks:work_item_close", args=[w.item.pk]),
                                               {"note": "我写了很长的办结说明", "files": [bad]})
    assert response.status_code == 200
    page = html(response)
    assert "我写了很长的办结说明" in page and "内容与扩展名不符" in page and "请重新选择文件" in page
    w.item.refresh_from_db()
    assert w.item.status == S.NOT_STARTED and not ProgressReport.objects.exists()


def test_missing_note_reshows_the_form_with_an_error(client):
    w = make_world()
    response = login(client, w.lead_user).post(reverse("tasks:work_item_report", args=[w.item.pk]),
                                               {"note": "", "percent": "150"})
    assert response.status_code == 200
    assert response.context["report_form"].errors.keys() == {"note", "percent"}


def test_lead_asks_to_close_round_trip(client):
    w = make_world()
    response = login(client, w.lead_user).post(reverse("tasks:work_item_close", args=[w.item.pk]),
                                               {"note": "全部完成"})
    assert response.status_code == 302
    w.item.refresh_from_db()
    assert w.item.status == S.AWAITING_REVIEW


@pytest.mark.parametrize("action", ["work_item_report", "work_item_close", "work_item_extension"])
def test_forged_posts_from_another_unit_get_404_and_change_nothing(client, action):
    w = make_world()
    data = {"note": "伪造", "reason": "伪造", "proposed_due_date": (w.today + timedelta(days=300)).isoformat()}
    response = login(client, w.other_user).post(reverse(f"tasks:{action}", args=[w.item.pk]), data)
    assert response.status_code == 404
    w.item.refresh_from_db()
    assert w.item.status == S.NOT_STARTED
    assert not ProgressReport.objects.exists() and not ExtensionRequest.objects.exists()
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("action", ["work_item_close", "work_item_extension"])
def test_supporting_unit_posting_a_lead_action_gets_403_and_changes_nothing(client, action):
    w = make_world()
    data = {"note": "我们做完了", "reason": "x", "proposed_due_date": (w.today + timedelta(days=300)).isoformat()}
    response = login(client, w.support_user).post(reverse(f"tasks:{action}", args=[w.item.pk]), data)
    assert response.status_code == 403
    w.item.refresh_from_db()
    assert w.item.status == S.NOT_STARTED and not StatusChange.objects.exists()


def test_lead_requests_an_extension_round_trip_and_bad_date_is_reshown(client):
    w = make_world()
    login(client, w.lead_user)
    url = reverse("tasks:work_item_extension", args=[w.item.pk])
    response = client.post(url, {"reason": "征迁未完成", "proposed_due_date": w.today.isoformat()})
    assert response.status_code == 200 and "征迁未完成" in html(response)
    assert "proposed_due_date" in response.context["extension_form"].errors
    new_due = w.item.due_date + timedelta(days=60)
    response = client.post(url, {"reason": "征迁未完成", "proposed_due_date": new_due.isoformat()})
    assert response.status_code == 302
    assert ExtensionRequest.objects.get().proposed_due_date == new_due


def test_get_on_a_post_only_action_is_refused(client):
    w = make_world()
    assert login(client, w.lead_user).get(reverse("tasks:work_item_close", args=[w.item.pk])).status_code == 405


def test_csrf_is_enforced_on_actions():
    from django.test import Client

    w = make_world()
    client = login(Client(enforce_csrf_checks=True), w.lead_user)
    response = client.post(reverse("tasks:work_item_close", args=[w.item.pk]), {"note": "完成"})
    assert response.status_code == 403
    w.item.refresh_from_db()
    assert w.item.status == S.NOT_STARTED


# ---- evidence downloads --------------------------------------------------------------------------------


def test_evidence_downloads_as_an_attachment_never_as_html(client):
    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="完成", files=[pdf()])
    evidence = Evidence.objects.get()
    response = login(client, w.support_user).get(reverse("tasks:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_evidence_with_a_tampered_type_is_sent_as_octet_stream(client):
    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="完成", files=[pdf()])
    Evidence.objects.update(content_type="text/html")
    response = login(client, w.coordinator).get(reverse("tasks:evidence_download", args=[Evidence.objects.get().pk]))
    assert response["Content-Type"] == "application/octet-stream"


def test_evidence_of_another_units_item_is_404(client):
    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="完成", files=[pdf()])
    evidence = Evidence.objects.get()
    for who in (w.other_user, w.other_coordinator):
        assert login(client, who).get(reverse("tasks:evidence_download", args=[evidence.pk])).status_code == 404
