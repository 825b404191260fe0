"""An item that changes hands (services.holders): each move recorded (who, when, from which unit to which, why) by
every way a unit can change, the past periods counted against the unit that held the item then, a published
roundup unchanged, and the item's page saying when it moved."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tasks.models import HolderChange, Role, StatusChange, WorkItemUnit
from tasks.roundups.periods import Period
from tasks.selectors.roundups import roundup_data
from tasks.services.holders import work_item_holders_set
from tasks.tests.roundup_golden import at, build_golden

pytestmark = pytest.mark.django_db


@pytest.fixture
def golden():
    return build_golden()


def _row(data: dict, name: str) -> dict | None:
    return next((u for u in data["units"] if u["unit"] == name), None)


def test_a_moved_item_counts_against_the_unit_that_held_it_in_each_period(golden):
    """i7 (区资规局, due 03-31, never done) moves to 区建设局 on 10 July. June's figures (a past month, computed
    again now) still count it against 区资规局, and its overdue list names 区资规局; July counts it against 区建设局.
    It used to move every past period's figures with it, so a roundup recomputed after a reassignment no longer
    agreed with the one published for the same month."""
    from tasks.services.roundups import roundup_generate, roundup_publish

    i7 = golden.items["i7"]
    coordinator = golden.plan.coordinators.get()
    june = Period.month(2023, 6)
    published, _ = roundup_generate(plan=golden.plan, period=june, today=date(2023, 7, 3))
    roundup_publish(roundup=published, actor=coordinator, at=at(7, 3))
    frozen = dict(published.data)
    before = roundup_data(plan=golden.plan, period=june)

    moves = work_item_holders_set(item=i7, rows=[(golden.a.pk, Role.LEAD)], actor=coordinator, at=at(7, 10),
                                  reason="职能调整，移交区建设局")
    assert [(m.role, m.from_unit_id, m.to_unit_id, m.actor, m.reason, m.source) for m in moves] == [
        (Role.LEAD, golden.c.pk, golden.a.pk, coordinator, "职能调整，移交区建设局", "service")]
    assert list(WorkItemUnit.objects.filter(work_item=i7).values_list("unit_id", "role")) == [(golden.a.pk, "lead")]
    history = StatusChange.objects.get(work_item=i7, event=StatusChange.Event.HOLDER_CHANGED)
    assert (history.actor, history.at) == (coordinator, at(7, 10))
    assert "区资规局 → 区建设局" in history.reason and "职能调整，移交区建设局" in history.reason
    # Setting the same units again records nothing.
    assert work_item_holders_set(item=i7, rows=[(golden.a.pk, Role.LEAD)], actor=coordinator) == []

    after = roundup_data(plan=golden.plan, period=june)
    keys = ("due", "overdue", "score", "rank")
    assert {u["unit"]: tuple(u[k] for k in keys) for u in after["units"]} == {
        u["unit"]: tuple(u[k] for k in keys) for u in before["units"]}
    assert [o["lead_unit"] for o in after["overdue_items"] if o["id"] == i7.pk] == ["区资规局"]
    published.refresh_from_db()
    assert published.data == frozen  # the published snapshot never changes
    july = roundup_data(plan=golden.plan, period=Period.month(2023, 7))
    assert [o["lead_unit"] for o in july["overdue_items"] if o["id"] == i7.pk] == ["区建设局"]
    assert _row(july, "区建设局")["cumulative"]["lead"]["overdue"] >= 1
    assert (_row(july, "区资规局") or {"overdue": 0})["overdue"] == 0


def test_a_unit_that_no_longer_holds_anything_keeps_its_past_periods(golden):
    """A department whose only item moved away is still ranked in the months it held it (named, not '?')."""
    from tasks.tests.factories import UnitFactory, WorkItemFactory

    gone = UnitFactory(region=golden.plan.region, name="区城管局")
    item = WorkItemFactory(plan=golden.plan, lead=gone, deadline=date(2023, 6, 12), text="拆违")
    work_item_holders_set(item=item, rows=[(golden.b.pk, Role.LEAD)], at=at(8, 1), reason="撤并")
    june = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    assert (_row(june, "区城管局") or {}).get("overdue") == 1
    august = roundup_data(plan=golden.plan, period=Period.month(2023, 8))
    assert _row(august, "区城管局") is None


def test_roles_swap_and_supporting_units_move_in_one_change(golden):
    i3 = golden.items["i3"]  # 区建设局 leads, 区财政局 supports
    moves = work_item_holders_set(item=i3, rows=[(golden.b.pk, Role.LEAD), (golden.c.pk, Role.SUPPORT)],
                                  at=at(9, 1), reason="调整")
    assert sorted((m.role, m.from_unit_id, m.to_unit_id) for m in moves) == sorted([
        (Role.LEAD, golden.a.pk, golden.b.pk), (Role.SUPPORT, golden.b.pk, golden.c.pk)])
    assert sorted(WorkItemUnit.objects.filter(work_item=i3).values_list("unit_id", "role")) == sorted([
        (golden.b.pk, "lead"), (golden.c.pk, "support")])


def _admin_post_data(page) -> dict:
    """The admin change form as a browser posts it back unchanged (the item's form and its inlines)."""
    from django import forms

    def value(v):
        if isinstance(v, bool):
            return "on" if v else None
        if isinstance(v, list | tuple):
            return [str(x) for x in v]
        return None if v is None else str(v)

    data = {}
    for form in [page.context["adminform"].form]:
        for name, field in form.fields.items():
            if isinstance(field, forms.SplitDateTimeField):
                continue
            v = value(form[name].value())
            if v is not None:
                data[form.add_prefix(name)] = v
    for inline in page.context["inline_admin_formsets"]:
        fs = inline.formset
        data.update({f"{fs.prefix}-TOTAL_FORMS": str(len(fs.forms)), f"{fs.prefix}-INITIAL_FORMS":
                     str(fs.initial_form_count()), f"{fs.prefix}-MIN_NUM_FORMS": "0",
                     f"{fs.prefix}-MAX_NUM_FORMS": "1000"})
        for form in fs.forms[: fs.initial_form_count()]:
            for name in form.fields:
                v = value(form[name].value())
                if v is not None:
                    data[form.add_prefix(name)] = v
    return data


def test_the_admin_moves_an_item_through_the_service_and_its_page_says_so(golden, admin_client, client):
    """The admin's unit rows used to be saved as typed: the item changed hands with no record of it. They now go
    through ``work_item_holders_set``; the item's page shows the move in its history."""
    from tasks.tests.daily_setup import login

    i6 = golden.items["i6"]
    url = reverse("admin:tasks_workitem_change", args=[i6.pk])
    page = admin_client.get(url)
    data = _admin_post_data(page)
    (unit_field,) = [k for k, v in data.items() if k.endswith("-unit") and v == str(golden.c.pk)]
    data[unit_field] = str(golden.b.pk)
    data["holders_reason"] = "用地审批移交财政统筹"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    (move,) = HolderChange.objects.filter(work_item=i6)
    assert (move.from_unit_id, move.to_unit_id, move.source, move.actor.is_superuser, move.reason) == (
        golden.c.pk, golden.b.pk, "admin", True, "用地审批移交财政统筹")
    assert list(WorkItemUnit.objects.filter(work_item=i6).values_list("unit_id", flat=True)) == [golden.b.pk]

    login(client, golden.plan.coordinators.get())
    shown = client.get(i6.get_absolute_url()).content.decode()
    assert "变更责任单位" in shown and "区资规局 → 区财政局" in shown
