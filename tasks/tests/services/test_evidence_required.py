"""Evidence is optional unless the plan requires it for the item's kind, and then asked once (减负)."""

import pytest
from django.core.exceptions import ValidationError

from tasks.models import Evidence, WorkItem
from tasks.services.reports import work_item_report_progress, work_item_request_close
from tasks.services.review import work_item_return
from tasks.tests.daily_setup import make_world, pdf

pytestmark = pytest.mark.django_db
S = WorkItem.Status


def test_a_close_request_needs_no_evidence_by_default():
    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="已完成")
    w.item.refresh_from_db()
    assert w.item.status == S.AWAITING_REVIEW


def test_the_plan_requires_evidence_for_one_kind_only():
    w = make_world()
    w.plan.evidence_for_meeting_items = True
    w.plan.save()
    work_item_request_close(item=w.item, user=w.lead_user, note="方案任务无需佐证")  # a plan item: optional
    meeting = w.other_item
    WorkItem.objects.filter(pk=meeting.pk).update(origin=WorkItem.Origin.MEETING)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        work_item_request_close(item=meeting, user=w.other_user, note="会议事项已完成")
    assert refused.value.code == "evidence_required"
    meeting.refresh_from_db()
    assert meeting.status == S.NOT_STARTED  # nothing written
    work_item_request_close(item=meeting, user=w.other_user, note="会议事项已完成", files=[pdf()])
    meeting.refresh_from_db()
    assert meeting.status == S.AWAITING_REVIEW


def test_evidence_given_once_is_not_asked_again_on_resubmission():
    w = make_world()
    w.plan.evidence_for_plan_items = True
    w.plan.save()
    work_item_request_close(item=w.item, user=w.lead_user, note="已完成", files=[pdf()])
    work_item_return(item=w.item, user=w.coordinator, reason="补充说明")
    w.item.refresh_from_db()
    work_item_request_close(item=w.item, user=w.lead_user, note="已补充说明")  # the file on record stands
    w.item.refresh_from_db()
    assert w.item.status == S.AWAITING_REVIEW and Evidence.objects.count() == 1


def test_evidence_attached_to_an_earlier_progress_report_counts():
    w = make_world()
    w.plan.evidence_for_plan_items = True
    w.plan.save()
    work_item_report_progress(item=w.item, user=w.lead_user, note="阶段验收", files=[pdf()])
    work_item_request_close(item=w.item, user=w.lead_user, note="已完成")
    w.item.refresh_from_db()
    assert w.item.status == S.AWAITING_REVIEW
