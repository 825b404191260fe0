"""Breaking an item down to towns and departments: sub-items, signing, waiving, the parent's close rule."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tasks.models import Role, StatusChange, WorkItem, WorkItemUnit
from tasks.selectors.breakdown import sub_item_rollup
from tasks.services.breakdown import BreakdownPart, work_item_break_down, work_item_sign, work_item_waive
from tasks.services.reports import work_item_report_progress, work_item_request_close
from tasks.services.review import work_item_accept, work_items_bulk_accept
from tasks.tests.breakdown_setup import make_towns
from tasks.tests.daily_setup import make_world
from tasks.tests.factories import RegionFactory, UnitFactory

pytestmark = pytest.mark.django_db
S = WorkItem.Status
E = StatusChange.Event


@pytest.fixture
def w():
    w = make_world()
    w.towns = make_towns(w)
    return w


def parts(units, due, share=""):
    return [BreakdownPart(unit=u, due_date=due, target_share=share) for u in units]


def break_down(w, units=None, due=None):
    return work_item_break_down(item=w.item, user=w.lead_user, parts=parts(units or w.towns, due or w.item.due_date))


def test_break_down_makes_one_sub_item_per_unit_led_by_it_awaiting_sign_with_audit_rows(w):
    due = w.item.due_date - timedelta(days=5)
    children = work_item_break_down(
        item=w.item, user=w.lead_user, parts=parts(w.towns[:2], due, "500套") + parts([w.other], w.item.due_date)
    )
    assert len(children) == 3
    for child, unit in zip(children, [*w.towns[:2], w.other], strict=True):
        child.refresh_from_db()
        assert child.parent_id == w.item.pk and child.status == S.AWAITING_SIGN
        assert child.source == WorkItem.Source.BREAKDOWN and child.handed_at is not None
        assert (child.text, child.key_task_id, child.indicator_id, child.year) == (
            w.item.text, w.key_task.pk, w.indicator.pk, w.item.year
        )
        assert list(child.assignments.values_list("unit_id", "role")) == [(unit.pk, Role.LEAD)]
        row = child.history.get()
        assert (row.event, row.to_status, row.actor) == (E.BROKEN_DOWN, S.AWAITING_SIGN, w.lead_user)
        assert "区建设局" in row.reason
    assert [c.due_date for c in children] == [due, due, w.item.due_date]
    assert children[0].target_share == "500套"
    parent_row = w.item.history.get(event=E.BROKEN_DOWN)
    assert "硖石街道" in parent_row.reason and "区教育局" in parent_row.reason
    # The parent keeps its own lead row only: no row per town on the parent.
    assert WorkItemUnit.objects.filter(work_item=w.item).count() == 2


def test_a_sub_item_deadline_later_than_the_parents_is_refused_and_nothing_is_written(w):
    with pytest.raises(ValidationError) as e:
        work_item_break_down(item=w.item, user=w.lead_user,
                             parts=parts(w.towns[:1], w.item.due_date) + parts(w.towns[1:2], w.item.due_date
                                                                                + timedelta(days=1)))
    assert "晚于该事项的期限" in str(e.value)
    assert not w.item.children.exists()


def test_a_unit_gets_one_part_of_an_item_and_the_lead_does_not_hand_to_itself(w):
    break_down(w, w.towns[:1])
    with pytest.raises(ValidationError, match="已有该事项的分解任务"):
        break_down(w, w.towns[:2])
    with pytest.raises(ValidationError, match="无需交办给自己"):
        break_down(w, [w.lead])
    with pytest.raises(ValidationError, match="不属于本方案的地区"):
        break_down(w, [UnitFactory(region=RegionFactory(name="别的区", slug="elsewhere"), kind="town")])
    assert w.item.children.count() == 1


def test_only_the_lead_or_the_coordinator_breaks_down_and_a_sub_item_is_not_broken_down_again(w):
    with pytest.raises(PermissionDenied):
        work_item_break_down(item=w.item, user=w.support_user, parts=parts(w.towns[:1], w.item.due_date))
    with pytest.raises(PermissionDenied):
        work_item_break_down(item=w.item, user=w.other_coordinator, parts=parts(w.towns[:1], w.item.due_date))
    [child] = work_item_break_down(item=w.item, user=w.coordinator, parts=parts(w.towns[:1], w.item.due_date))
    assert "专班" in child.history.get().reason
    with pytest.raises(ValidationError, match="不能再次分解"):
        work_item_break_down(item=child, user=w.coordinator, parts=parts(w.towns[1:2], child.due_date))


def test_the_town_signs_for_its_sub_item_once_with_an_audit_row(w):
    [child] = break_down(w, w.towns[:1])
    with pytest.raises(PermissionDenied):
        work_item_sign(item=child, user=w.towns[1].liaison)
    with pytest.raises(PermissionDenied):
        work_item_sign(item=child, user=w.lead_user)  # the handing unit does not sign for the town
    work_item_sign(item=child, user=w.towns[0].liaison)
    child.refresh_from_db()
    assert child.status == S.NOT_STARTED and child.signed_by == w.towns[0].liaison and child.signed_at
    row = child.history.filter(event=E.TRANSITION).get()
    assert (row.from_status, row.to_status, row.actor) == (S.AWAITING_SIGN, S.NOT_STARTED, w.towns[0].liaison)
    with pytest.raises(ValidationError, match="已签收"):
        work_item_sign(item=child, user=w.towns[0].liaison)


def test_a_town_reports_only_after_signing_and_then_closes_like_any_item(w):
    [child] = break_down(w, w.towns[:1])
    town = w.towns[0].liaison
    with pytest.raises(ValidationError, match="请先签收"):
        work_item_report_progress(item=child, user=town, note="开工")
    with pytest.raises(ValidationError):
        work_item_request_close(item=child, user=town, note="完成")
    work_item_sign(item=child, user=town)
    work_item_report_progress(item=child, user=town, note="开工", percent=40)
    work_item_request_close(item=child, user=town, note="完成")
    work_item_accept(item=child, user=w.coordinator)
    child.refresh_from_db()
    assert child.status == S.DONE and child.completed_on_time


def test_the_parent_closes_only_when_every_sub_item_is_done_or_waived(w):
    a, b = break_down(w, w.towns[:2])
    with pytest.raises(ValidationError, match="还有 2 项分解事项"):
        work_item_request_close(item=w.item, user=w.lead_user, note="完成")
    for child, town in ((a, w.towns[0]),):
        work_item_sign(item=child, user=town.liaison)
        work_item_request_close(item=child, user=town.liaison, note="完成")
        work_item_accept(item=child, user=w.coordinator)
    with pytest.raises(ValidationError, match="还有 1 项"):
        work_item_request_close(item=w.item, user=w.lead_user, note="完成")
    work_item_waive(item=b, user=w.coordinator, reason="该镇无存量房源，不适用")
    b.refresh_from_db()
    assert b.status == S.WAIVED and not b.is_open
    assert b.history.get(to_status=S.WAIVED).reason == "该镇无存量房源，不适用"
    r = sub_item_rollup(w.item, today=w.today)
    assert (r.total, r.done, r.waived, r.all_closed) == (2, 1, 1, True)
    work_item_request_close(item=w.item, user=w.lead_user, note="完成")
    work_item_accept(item=w.item, user=w.coordinator)
    assert WorkItem.objects.get(pk=w.item.pk).status == S.DONE


def test_waiving_needs_the_coordinator_a_reason_and_a_sub_item(w):
    [child] = break_down(w, w.towns[:1])
    with pytest.raises(PermissionDenied):
        work_item_waive(item=child, user=w.lead_user, reason="x")
    with pytest.raises(ValidationError):
        work_item_waive(item=child, user=w.coordinator, reason="  ")
    with pytest.raises(ValidationError, match="只有分解事项"):
        work_item_waive(item=w.item, user=w.coordinator, reason="x")
    assert WorkItem.objects.get(pk=child.pk).status == S.AWAITING_SIGN


def test_a_parent_asked_to_close_before_it_was_broken_down_is_not_accepted_while_sub_items_are_open(w):
    work_item_request_close(item=w.item, user=w.lead_user, note="完成")
    break_down(w, w.towns[:1])
    with pytest.raises(ValidationError, match="还有 1 项"):
        work_item_accept(item=w.item, user=w.coordinator)
    result = work_items_bulk_accept(items=[w.item], user=w.coordinator)
    assert result.skipped == [w.item] and not result.accepted
    assert WorkItem.objects.get(pk=w.item.pk).status == S.AWAITING_REVIEW
