"""Things a user trips over on the daily pages: ids, the return reason, the review queue and filters."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse

from tasks.models import Plan, Region, WorkItem
from tasks.selectors.work import close_requests_queue
from tasks.services.reports import work_item_report_progress, work_item_request_close
from tasks.services.review import extension_request_create, work_item_return
from tasks.tests.daily_setup import login, make_world, pdf
from tasks.tests.factories import KeyTaskFactory, PlanFactory, WorkItemFactory

pytestmark = pytest.mark.django_db
S = WorkItem.Status


def _ids(page: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', page))


def _assert_ids_unique_and_labels_point_at_them(page: str) -> None:
    ids = _ids(page)
    assert [i for i, n in ids.items() if n > 1] == []
    assert set(re.findall(r'<label for="([^"]+)"', page)) <= set(ids)


def test_item_page_has_unique_ids_for_the_lead(client):
    w = make_world()
    page = login(client, w.lead_user).get(w.item.get_absolute_url()).content.decode()
    assert page.count("<form") >= 3  # report, close, extension: each has a note/reason field
    assert 'id="id_report_note"' in page and 'id="id_close_note"' in page
    _assert_ids_unique_and_labels_point_at_them(page)


def test_item_page_has_unique_ids_for_the_coordinator(client):
    w = make_world()
    work_item_report_progress(item=w.item, user=w.lead_user, note="进展")
    extension_request_create(item=w.item, user=w.lead_user, reason="审批未完成",
                             proposed_due_date=w.item.due_date + timedelta(days=30))
    work_item_request_close(item=w.item, user=w.lead_user, note="已完成")
    page = login(client, w.coordinator).get(w.item.get_absolute_url()).content.decode()
    assert 'id="id_review_reason"' in page or 'id="id_review_decision_0"' in page
    assert 'id="id_comment_note"' in page
    _assert_ids_unique_and_labels_point_at_them(page)


def test_item_page_rerendered_with_errors_keeps_unique_ids(client):
    w = make_world()
    response = login(client, w.lead_user).post(reverse("tasks:work_item_close", args=[w.item.pk]), {"note": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "has-error" in page
    _assert_ids_unique_and_labels_point_at_them(page)


def test_returned_item_shows_the_reason_at_the_top_of_its_panel(client):
    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="已完成")
    work_item_return(item=w.item, user=w.coordinator, reason="附件为草稿，请上传盖章版。")
    page = login(client, w.lead_user).get(w.item.get_absolute_url()).content.decode()
    panel = page[page.index('<section class="card actions">'):]
    panel = panel[:panel.index("</section>")]
    assert "附件为草稿，请上传盖章版。" in panel
    assert panel.index("附件为草稿") < panel.index("<details")  # above the forms, not down in the history
    # Once the lead reports again the item is no longer returned, and the banner goes.
    work_item_report_progress(item=w.item, user=w.lead_user, note="已补充盖章版")
    page = client.get(w.item.get_absolute_url()).content.decode()
    assert 'id="returned-reason"' not in page


def test_queue_counts_the_attachments_of_the_latest_close_request(client):
    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="第一次", files=[pdf("a.pdf"), pdf("b.pdf")])
    work_item_return(item=w.item, user=w.coordinator, reason="请上传盖章版")
    work_item_report_progress(item=w.item, user=w.lead_user, note="补充材料",
                              files=[pdf("c.pdf"), pdf("d.pdf"), pdf("e.pdf")])
    work_item_request_close(item=w.item, user=w.lead_user, note="第二次", files=[pdf("盖章版.pdf")])
    row = close_requests_queue(w.coordinator).get(pk=w.item.pk)
    assert (row.close_note, row.n_evidence) == ("第二次", 1)


def test_queue_names_the_plan_only_for_a_reviewer_of_several_plans(client):
    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="已完成")
    login(client, w.coordinator)
    page = client.get(reverse("tasks:review_queue")).content.decode()
    assert w.plan.title not in page  # one plan: no plan column
    other_region = Region.objects.create(name="海宁市", slug="haining-test")
    second = PlanFactory(region=other_region, title="海宁市住有宜居实施方案")
    second.coordinators.add(w.coordinator)
    WorkItemFactory(plan=second, year=w.today.year, text="海宁的事项", status=S.AWAITING_REVIEW,
                    due_date=w.today, deadline=w.today, lead=w.other)
    client.logout()
    page = login(client, w.coordinator).get(reverse("tasks:review_queue")).content.decode()
    assert "<th" in page and "方案" in page
    assert "测试区" in page and "海宁市" in page  # each row says its plan by its region


def test_overdue_filter_options_name_the_plan_when_there_are_several(client):
    w = make_world()
    w.other_plan.coordinators.add(w.coordinator)
    KeyTaskFactory(plan=w.other_plan, number=1, title="扩大保障性租赁住房供给", lead=w.other)
    page = login(client, w.coordinator).get(reverse("tasks:overdue")).content.decode()
    select = page[page.index('name="key_task"'):]
    select = select[:select.index("</select>")]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    # Both plans have a task 1 "扩大保障性租赁住房供给": each option says whose it is.
    titles = dict(Plan.objects.values_list("pk", "title"))
    assert f"{titles[w.plan.pk]} · 1. 扩大保障性租赁住房供给" in options
    assert f"{titles[w.other_plan.pk]} · 1. 扩大保障性租赁住房供给" in options


def test_overdue_filter_options_stay_short_with_one_plan(client):
    w = make_world()
    page = login(client, w.coordinator).get(reverse("tasks:overdue")).content.decode()
    select = page[page.index('name="key_task"'):]
    select = select[:select.index("</select>")]
    assert "1. 扩大保障性租赁住房供给" in select and " · " not in select
