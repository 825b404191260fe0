from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tasks.models import ExtensionRequest, StatusChange, WorkItem
from tasks.services.reports import work_item_request_close
from tasks.services.review import (
    extension_grant,
    extension_reject,
    extension_request_create,
    work_item_accept,
    work_item_return,
    work_items_bulk_accept,
)
from tasks.services.workflow import TransitionError
from tasks.tests.daily_setup import make_world
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = WorkItem.Status
E = StatusChange.Event
X = ExtensionRequest.Status


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def submitted(w, item=None):
    item = item or w.item
    work_item_request_close(item=item, user=w.lead_user, note="完成")
    return item


def test_accept_closes_on_time_against_the_deadline_in_force_with_the_reviewer_recorded():
    w = make_world()
    submitted(w)
    work_item_accept(item=w.item, user=w.coordinator, at=at(w.item.due_date))
    w.item.refresh_from_db()
    assert (w.item.status, w.item.completed_on_time, w.item.progress) == (S.DONE, True, 100)
    row = StatusChange.objects.filter(work_item=w.item).latest("at")
    assert (row.actor, row.from_status, row.to_status) == (w.coordinator, S.AWAITING_REVIEW, S.DONE)


def test_accept_after_the_deadline_is_late():
    w = make_world()
    submitted(w)
    work_item_accept(item=w.item, user=w.coordinator, at=at(w.item.due_date + timedelta(days=1)))
    w.item.refresh_from_db()
    assert w.item.completed_on_time is False


def test_return_needs_a_reason_and_records_it():
    w = make_world()
    submitted(w)
    with pytest.raises(TransitionError):
        work_item_return(item=w.item, user=w.coordinator, reason=" ")
    work_item_return(item=w.item, user=w.coordinator, reason="附件为草稿，请上传盖章版")
    w.item.refresh_from_db()
    assert w.item.status == S.RETURNED
    row = StatusChange.objects.filter(work_item=w.item, to_status=S.RETURNED).get()
    assert row.reason == "附件为草稿，请上传盖章版"


def test_returned_item_can_be_resubmitted_and_accepted():
    w = make_world()
    submitted(w)
    work_item_return(item=w.item, user=w.coordinator, reason="补充材料")
    submitted(w)
    work_item_accept(item=w.item, user=w.coordinator)
    assert list(StatusChange.objects.filter(work_item=w.item).values_list("to_status", flat=True)) == [
        S.AWAITING_REVIEW, S.RETURNED, S.AWAITING_REVIEW, S.DONE]


@pytest.mark.parametrize("who", ["lead_user", "support_user", "other_coordinator"])
def test_only_the_plans_coordinators_review(who):
    w = make_world()
    submitted(w)
    with pytest.raises(PermissionDenied):
        work_item_accept(item=w.item, user=getattr(w, who))
    with pytest.raises(PermissionDenied):
        work_item_return(item=w.item, user=getattr(w, who), reason="x")
    w.item.refresh_from_db()
    assert w.item.status == S.AWAITING_REVIEW


def test_accepting_an_item_not_awaiting_review_is_refused():
    w = make_world()
    with pytest.raises(TransitionError):
        work_item_accept(item=w.item, user=w.coordinator)


def test_bulk_accept_accepts_waiting_items_and_skips_those_already_decided():
    w = make_world()
    second = WorkItemFactory(plan=w.plan, lead=w.lead)
    submitted(w)
    submitted(w, second)
    work_item_return(item=second, user=w.coordinator, reason="另一位协调员先退回了")
    result = work_items_bulk_accept(items=[w.item, second], user=w.coordinator)
    assert [i.pk for i in result.accepted] == [w.item.pk] and [i.pk for i in result.skipped] == [second.pk]
    assert WorkItem.objects.get(pk=w.item.pk).status == S.DONE
    assert WorkItem.objects.get(pk=second.pk).status == S.RETURNED


def test_bulk_accept_with_an_item_of_another_plan_changes_nothing():
    w = make_world()
    foreign = WorkItemFactory(plan=w.other_plan, lead=w.lead)
    submitted(w)
    submitted(w, foreign)
    with pytest.raises(PermissionDenied):
        work_items_bulk_accept(items=[w.item, foreign], user=w.coordinator)
    statuses = set(WorkItem.objects.filter(pk__in=[w.item.pk, foreign.pk]).values_list("status", flat=True))
    assert statuses == {S.AWAITING_REVIEW}


# ---- extensions ---------------------------------------------------------------------------------------


def test_lead_requests_an_extension_and_it_is_in_the_history():
    w = make_world()
    new_due = w.item.due_date + timedelta(days=60)
    request = extension_request_create(item=w.item, user=w.lead_user, reason="征迁未完成", proposed_due_date=new_due)
    assert (request.status, request.current_due_date, request.unit) == (X.PENDING, w.item.due_date, w.lead)
    row = StatusChange.objects.get(work_item=w.item)
    assert (row.event, row.from_due_date, row.to_due_date, row.reason) == (
        E.EXTENSION_REQUESTED, w.item.due_date, new_due, "征迁未完成")
    w.item.refresh_from_db()
    assert w.item.due_date == request.current_due_date  # unchanged until granted


def test_supporting_and_other_units_cannot_request_an_extension():
    w = make_world()
    for who in (w.support_user, w.other_user):
        with pytest.raises(PermissionDenied):
            extension_request_create(item=w.item, user=who, reason="x",
                                     proposed_due_date=w.item.due_date + timedelta(days=1))
    assert not ExtensionRequest.objects.exists()


def test_extension_must_move_the_deadline_later_and_only_one_may_wait():
    w = make_world()
    with pytest.raises(ValidationError) as e:
        extension_request_create(item=w.item, user=w.lead_user, reason="x", proposed_due_date=w.item.due_date)
    assert "proposed_due_date" in e.value.error_dict
    with pytest.raises(ValidationError) as e:
        extension_request_create(item=w.item, user=w.lead_user, reason=" ",
                                 proposed_due_date=w.item.due_date + timedelta(days=5))
    assert "reason" in e.value.error_dict
    later = w.item.due_date + timedelta(days=30)
    extension_request_create(item=w.item, user=w.lead_user, reason="x", proposed_due_date=later)
    with pytest.raises(ValidationError):
        extension_request_create(item=w.item, user=w.lead_user, reason="y", proposed_due_date=later)
    assert ExtensionRequest.objects.count() == 1


def test_granting_moves_the_deadline_in_force_and_audits_from_and_to_dates():
    w = make_world()
    old = w.item.due_date
    request = extension_request_create(item=w.item, user=w.lead_user, reason="x",
                                       proposed_due_date=old + timedelta(days=30))
    granted_to = old + timedelta(days=62)  # the coordinator grants more than asked: 6月底 → 8月底
    extension_grant(request=request, user=w.coordinator, note="同意延至8月底", due_date=granted_to)
    w.item.refresh_from_db()
    assert (w.item.due_date, w.item.deadline) == (granted_to, old)
    assert (request.status, request.decided_by) == (X.GRANTED, w.coordinator)
    row = StatusChange.objects.get(work_item=w.item, event=E.EXTENSION_GRANTED)
    assert (row.actor, row.from_due_date, row.to_due_date, row.reason) == (w.coordinator, old, granted_to,
                                                                          "同意延至8月底")
    # Done before the new deadline counts as on time.
    submitted(w)
    work_item_accept(item=w.item, user=w.coordinator, at=at(old + timedelta(days=40)))
    w.item.refresh_from_db()
    assert w.item.completed_on_time is True


def test_a_request_is_decided_once_and_only_by_the_plans_coordinators():
    w = make_world()
    request = extension_request_create(item=w.item, user=w.lead_user, reason="x",
                                       proposed_due_date=w.item.due_date + timedelta(days=30))
    for who in (w.lead_user, w.other_coordinator):
        with pytest.raises(PermissionDenied):
            extension_grant(request=request, user=who)
    extension_grant(request=request, user=w.coordinator)
    with pytest.raises(ValidationError):
        extension_reject(request=request, user=w.coordinator, note="改主意")
    assert StatusChange.objects.filter(event=E.EXTENSION_GRANTED).count() == 1


def test_rejecting_needs_a_reason_and_keeps_the_deadline():
    w = make_world()
    old = w.item.due_date
    request = extension_request_create(item=w.item, user=w.lead_user, reason="x",
                                       proposed_due_date=old + timedelta(days=30))
    with pytest.raises(ValidationError):
        extension_reject(request=request, user=w.coordinator, note="")
    extension_reject(request=request, user=w.coordinator, note="理由不充分")
    w.item.refresh_from_db()
    assert w.item.due_date == old and request.status == X.REJECTED
    assert StatusChange.objects.get(event=E.EXTENSION_REJECTED).reason == "理由不充分"


def test_accepting_the_item_closes_its_pending_extension_request():
    w = make_world()
    request = extension_request_create(item=w.item, user=w.lead_user, reason="x",
                                       proposed_due_date=w.item.due_date + timedelta(days=30))
    submitted(w)
    work_item_accept(item=w.item, user=w.coordinator)
    request.refresh_from_db()
    assert request.status == X.REJECTED and request.decided_by == w.coordinator
