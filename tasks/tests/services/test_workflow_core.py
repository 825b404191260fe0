from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tasks.models import StatusChange, WorkItem
from tasks.services.workflow import TransitionError, work_item_transition
from tasks.tests.factories import UserFactory, WorkItemFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = WorkItem.Status


def test_transition_writes_audit_row_with_who_when_from_to_why():
    item = WorkItemFactory()
    user = UserFactory()
    at = datetime(2023, 5, 1, 9, tzinfo=SH)
    work_item_transition(item=item, to_status=S.IN_PROGRESS, actor=user, reason="开始", at=at)
    row = StatusChange.objects.get(work_item=item)
    assert (row.actor, row.at, row.reason) == (user, at, "开始")
    assert (row.from_status, row.to_status) == (S.NOT_STARTED, S.IN_PROGRESS)


def test_forbidden_transition_changes_nothing():
    item = WorkItemFactory()
    with pytest.raises(TransitionError):
        work_item_transition(item=item, to_status=S.DONE)
    item.refresh_from_db()
    assert item.status == S.NOT_STARTED
    assert not StatusChange.objects.exists()


def test_done_after_deadline_in_force_is_late_and_before_is_on_time():
    late = WorkItemFactory(deadline=date(2023, 6, 30), due_date=date(2023, 6, 30))
    on_time = WorkItemFactory(deadline=date(2023, 6, 30), due_date=date(2023, 8, 31))  # extended
    for item in (late, on_time):
        work_item_transition(item=item, to_status=S.AWAITING_REVIEW)
        # 00:30 in Shanghai on 1 July is still 30 June in UTC: the local date decides.
        work_item_transition(item=item, to_status=S.DONE, at=datetime(2023, 7, 1, 0, 30, tzinfo=SH))
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.completed_on_time is False
    assert on_time.completed_on_time is True


def test_return_requires_a_reason():
    item = WorkItemFactory()
    work_item_transition(item=item, to_status=S.AWAITING_REVIEW)
    with pytest.raises(TransitionError):
        work_item_transition(item=item, to_status=S.RETURNED, reason=" ")
    work_item_transition(item=item, to_status=S.RETURNED, reason="附件为草稿")
    assert item.status == S.RETURNED
