from datetime import timedelta

import pytest
from django.urls import reverse

from tasks.models import ExtensionRequest, ProgressReport, StatusChange, WorkItem
from tasks.services.reports import work_item_request_close
from tasks.services.review import extension_request_create
from tasks.tests.daily_setup import login, make_world
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db
S = WorkItem.Status
X = ExtensionRequest.Status


def submit(w, item=None, note="完成"):
    item = item or w.item
    work_item_request_close(item=item, user=w.lead_user, note=note)
    return item


def test_queue_lists_close_and_extension_requests_for_the_coordinator(client):
    w = make_world()
    submit(w, note="已完成，附盖章版")
    other = WorkItemFactory(plan=w.plan, lead=w.lead, text="要延期的事项")
    extension_request_create(item=other, user=w.lead_user, reason="征迁未完成",
                             proposed_due_date=w.today + timedelta(days=30))
    response = login(client, w.coordinator).get(reverse("tasks:review_queue"))
    page = response.content.decode()
    assert response.status_code == 200
    assert w.item.text in page and "已完成，附盖章版" in page
    assert "要延期的事项" in page and "征迁未完成" in page


def test_liaisons_cannot_open_the_queue(client):
    w = make_world()
    assert login(client, w.lead_user).get(reverse("tasks:review_queue")).status_code == 403


def test_other_plans_coordinator_sees_an_empty_queue(client):
    w = make_world()
    submit(w)
    response = login(client, w.other_coordinator).get(reverse("tasks:review_queue"))
    assert w.item.text not in response.content.decode()


def test_accept_from_the_item_page(client):
    w = make_world()
    submit(w)
    response = login(client, w.coordinator).post(reverse("tasks:work_item_review", args=[w.item.pk]),
                                                 {"decision": "accept", "reason": ""})
    assert response.status_code == 302
    w.item.refresh_from_db()
    assert w.item.status == S.DONE


def test_return_without_reason_is_reshown_and_with_reason_is_recorded(client):
    w = make_world()
    submit(w)
    login(client, w.coordinator)
    url = reverse("tasks:work_item_review", args=[w.item.pk])
    response = client.post(url, {"decision": "return", "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["review_form"].errors
    response = client.post(url, {"decision": "return", "reason": "附件为草稿，请上传盖章版"})
    assert response.status_code == 302
    w.item.refresh_from_db()
    assert w.item.status == S.RETURNED
    assert StatusChange.objects.filter(to_status=S.RETURNED).get().reason == "附件为草稿，请上传盖章版"


@pytest.mark.parametrize("who,status", [("lead_user", 403), ("support_user", 403), ("other_coordinator", 404)])
def test_review_by_someone_else_is_refused_and_changes_nothing(client, who, status):
    w = make_world()
    submit(w)
    response = login(client, getattr(w, who)).post(reverse("tasks:work_item_review", args=[w.item.pk]),
                                                   {"decision": "accept"})
    assert response.status_code == status
    w.item.refresh_from_db()
    assert w.item.status == S.AWAITING_REVIEW


def test_bulk_accept_the_ticked_items(client):
    w = make_world()
    second = submit(w, WorkItemFactory(plan=w.plan, lead=w.lead))
    third = submit(w, WorkItemFactory(plan=w.plan, lead=w.lead))
    submit(w)
    response = login(client, w.coordinator).post(reverse("tasks:review_bulk_accept"),
                                                 {"items": [w.item.pk, second.pk]}, follow=True)
    assert "已通过 2 项" in response.content.decode()
    statuses = dict(WorkItem.objects.values_list("pk", "status"))
    assert statuses[w.item.pk] == statuses[second.pk] == S.DONE and statuses[third.pk] == S.AWAITING_REVIEW


def test_the_rows_own_accept_button_accepts_only_that_item(client):
    w = make_world()
    second = submit(w, WorkItemFactory(plan=w.plan, lead=w.lead))
    submit(w)
    login(client, w.coordinator).post(reverse("tasks:review_bulk_accept"),
                                      {"items": [w.item.pk, second.pk], "only": second.pk})
    statuses = dict(WorkItem.objects.values_list("pk", "status"))
    assert statuses[second.pk] == S.DONE and statuses[w.item.pk] == S.AWAITING_REVIEW


def test_forged_bulk_accept_with_another_plans_item_is_refused_whole(client):
    w = make_world()
    foreign = submit(w, WorkItemFactory(plan=w.other_plan, lead=w.lead))
    submit(w)
    response = login(client, w.coordinator).post(reverse("tasks:review_bulk_accept"),
                                                 {"items": [w.item.pk, foreign.pk]})
    assert response.status_code == 403
    assert set(WorkItem.objects.filter(pk__in=[w.item.pk, foreign.pk]).values_list("status", flat=True)) == {
        S.AWAITING_REVIEW}


def test_bulk_accept_with_nothing_ticked_says_so(client):
    w = make_world()
    response = login(client, w.coordinator).post(reverse("tasks:review_bulk_accept"), {}, follow=True)
    assert "请先勾选" in response.content.decode()


def test_grant_an_extension_from_the_queue_with_another_date(client):
    w = make_world()
    old = w.item.due_date
    request = extension_request_create(item=w.item, user=w.lead_user, reason="x",
                                       proposed_due_date=old + timedelta(days=30))
    granted = old + timedelta(days=60)
    response = login(client, w.coordinator).post(
        reverse("tasks:extension_decide", args=[request.pk]),
        {"decision": "grant", "due_date": granted.isoformat(), "note": "同意", "next": reverse("tasks:review_queue")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("tasks:review_queue")
    w.item.refresh_from_db()
    assert w.item.due_date == granted
    row = StatusChange.objects.get(event="extension_granted")
    assert (row.from_due_date, row.to_due_date, row.actor) == (old, granted, w.coordinator)


def test_reject_without_a_reason_is_reshown(client):
    w = make_world()
    request = extension_request_create(item=w.item, user=w.lead_user, reason="x",
                                       proposed_due_date=w.item.due_date + timedelta(days=30))
    response = login(client, w.coordinator).post(reverse("tasks:extension_decide", args=[request.pk]),
                                                 {"decision": "reject", "note": ""})
    assert response.status_code == 200 and "note" in response.context["decision_form"].errors
    request.refresh_from_db()
    assert request.status == X.PENDING


@pytest.mark.parametrize("who,status", [("lead_user", 403), ("other_user", 404), ("other_coordinator", 404)])
def test_extension_decisions_by_others_are_refused(client, who, status):
    w = make_world()
    request = extension_request_create(item=w.item, user=w.lead_user, reason="x",
                                       proposed_due_date=w.item.due_date + timedelta(days=30))
    response = login(client, getattr(w, who)).post(reverse("tasks:extension_decide", args=[request.pk]),
                                                   {"decision": "grant"})
    assert response.status_code == status
    request.refresh_from_db()
    assert request.status == X.PENDING


def test_coordinator_comment_returns_to_where_it_came_from(client):
    w = make_world()
    login(client, w.coordinator)
    url = reverse("tasks:work_item_comment", args=[w.item.pk])
    assert client.get(url, {"next": "/overdue/?bucket=30%2B"}).status_code == 200
    response = client.post(url, {"note": "请本周内完成", "next": "/overdue/?bucket=30%2B"})
    assert response.status_code == 302 and response["Location"] == "/overdue/?bucket=30%2B"
    assert ProgressReport.objects.get().kind == ProgressReport.Kind.COMMENT
    # An off-site next is ignored.
    response = client.post(url, {"note": "再催", "next": "https://evil.example/"})
    assert response["Location"] == w.item.get_absolute_url()


def test_liaison_cannot_comment(client):
    w = make_world()
    response = login(client, w.lead_user).post(reverse("tasks:work_item_comment", args=[w.item.pk]), {"note": "x"})
    assert response.status_code == 403 and not ProgressReport.objects.exists()


def test_the_review_form_shows_the_request_under_review_with_its_evidence(client):
    """The queue's 查看/退回 opens the item at its review form; the request's note and files were in the
    history, screens below it on a phone. They head the form; a request without files says so."""
    from tasks.tests.daily_setup import pdf

    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="全部完成，附验收报告", files=[pdf("验收报告.pdf")])
    login(client, w.coordinator)
    html = client.get(w.item.get_absolute_url()).content.decode()
    form = html.split('<details id="review"', 1)[1].split("</details>", 1)[0]
    assert "全部完成，附验收报告" in form and "验收报告.pdf" in form and "/evidence/" in form
    assert form.index("验收报告.pdf") < form.index('name="decision"')
    other = WorkItemFactory(plan=w.plan, text="另一事项", lead=w.lead, due_date=w.today + timedelta(days=5))
    work_item_request_close(item=other, user=w.lead_user, note="已完成")
    form = client.get(other.get_absolute_url()).content.decode().split('<details id="review"', 1)[1]
    assert "已完成" in form.split("</details>", 1)[0] and "未附佐证材料。" in form.split("</details>", 1)[0]
    # The liaison, who does not review, sees no such block.
    login(client, w.lead_user)
    assert 'class="notice under-review"' not in client.get(w.item.get_absolute_url()).content.decode()
