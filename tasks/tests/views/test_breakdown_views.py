"""Pages of work broken down: the break-down screen, signing, waiving, 配合到位, who sees what, home pages."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from tasks.models import StatusChange, WorkItem, WorkItemUnit
from tasks.services.breakdown import BreakdownPart, work_item_break_down, work_item_sign
from tasks.tests.breakdown_setup import make_towns
from tasks.tests.daily_setup import login, make_world, pdf
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db
S = WorkItem.Status


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def w():
    w = make_world()
    w.towns = make_towns(w)
    return w


def handed(w, towns=None, due=None):
    return work_item_break_down(
        item=w.item, user=w.lead_user,
        parts=[BreakdownPart(unit=t, due_date=due or w.item.due_date) for t in (towns or w.towns)],
    )


def test_the_lead_breaks_an_item_down_to_all_towns_in_two_clicks(client, w):
    login(client, w.lead_user)
    page = html(client.get(w.item.get_absolute_url()))
    url = reverse("tasks:work_item_break_down", args=[w.item.pk])
    assert url in page  # click 1: the button on the item's page
    form = client.get(url)
    assert form.status_code == 200 and "硖石街道" in html(form) and "区财政局" in html(form)
    response = client.post(url, {"due_date": w.item.due_date.isoformat(), "all_towns": "1"})  # click 2
    assert response.status_code == 302
    children = WorkItem.objects.filter(parent=w.item)
    assert children.count() == len(w.towns)
    assert set(WorkItemUnit.objects.filter(work_item__in=children).values_list("unit_id", flat=True)) == {
        t.pk for t in w.towns
    }
    page = html(client.get(w.item.get_absolute_url()))
    assert f"0/{len(w.towns)} 完成" in page and "6 未签收" in page
    assert reverse("tasks:work_item_close", args=[w.item.pk]) not in page and "全部办结后才能申请办结" in page


def test_chosen_units_get_their_own_deadline_and_share_and_a_late_deadline_is_refused(client, w):
    login(client, w.lead_user)
    url = reverse("tasks:work_item_break_down", args=[w.item.pk])
    t0, t1 = w.towns[:2]
    early = w.item.due_date - timedelta(days=3)
    late = w.item.due_date + timedelta(days=3)
    response = client.post(url, {f"unit_{t0.pk}": "on", f"due_{t0.pk}": late.isoformat()})
    assert response.status_code == 200 and "晚于该事项的期限" in html(response)
    assert not WorkItem.objects.filter(parent=w.item).exists()
    response = client.post(url, {
        "due_date": w.item.due_date.isoformat(),
        f"unit_{t0.pk}": "on", f"due_{t0.pk}": early.isoformat(), f"share_{t0.pk}": "300套",
        f"unit_{w.other.pk}": "on",
    })
    assert response.status_code == 302
    rows = {c.assignments.get().unit_id: c for c in WorkItem.objects.filter(parent=w.item)}
    assert rows[t0.pk].due_date == early and rows[t0.pk].target_share == "300套"
    assert rows[w.other.pk].due_date == w.item.due_date
    assert t1.pk not in rows
    # Already handed units are shown but cannot be chosen again.
    assert re.search(rf'name="unit_{t0.pk}"[^>]*disabled', html(client.get(url)))


def test_a_supporting_unit_or_another_unit_cannot_break_down(client, w):
    url = reverse("tasks:work_item_break_down", args=[w.item.pk])
    login(client, w.support_user)
    assert client.get(url).status_code == 403
    login(client, w.other_user)
    assert client.get(url).status_code == 404


def test_a_town_sees_its_own_sub_item_and_the_parents_text_but_not_the_parent_or_another_town(client, w):
    mine, theirs = handed(w, w.towns[:2])
    login(client, w.towns[0].liaison)
    page = html(client.get(mine.get_absolute_url()))
    assert "分解交办事项" in page and w.item.text in page and "签收" in page
    assert w.item.get_absolute_url() not in page
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(w.item.get_absolute_url()).status_code == 404
    # The sign route's GET is the confirm page a message's link lands on: another town's is not found either.
    assert client.get(reverse("tasks:work_item_sign", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("tasks:work_item_sign", args=[theirs.pk])).status_code == 404


def test_the_handing_lead_and_the_coordinator_see_every_sub_item_and_the_roll_up(client, w):
    children = handed(w, w.towns[:3])
    for who in (w.lead_user, w.coordinator):
        login(client, who)
        page = html(client.get(w.item.get_absolute_url()))
        for c in children:
            assert c.get_absolute_url() in page
        assert client.get(children[0].get_absolute_url()).status_code == 200
    # A supporting unit of the parent sees the roll-up, not the list.
    login(client, w.support_user)
    page = html(client.get(w.item.get_absolute_url()))
    assert "0/3 完成" in page and children[0].get_absolute_url() not in page


def test_signing_then_reporting_from_the_sub_items_page(client, w):
    [child] = handed(w, w.towns[:1])
    login(client, w.towns[0].liaison)
    page = html(client.get(child.get_absolute_url()))
    assert 'id="report"' not in page  # sign first
    response = client.post(reverse("tasks:work_item_sign", args=[child.pk]), follow=True)
    assert "已签收" in html(response)
    assert WorkItem.objects.get(pk=child.pk).status == S.NOT_STARTED
    response = client.post(reverse("tasks:work_item_report", args=[child.pk]), {"note": "已开工", "percent": "30"})
    assert response.status_code == 302
    assert WorkItem.objects.get(pk=child.pk).status == S.IN_PROGRESS


def test_the_coordinator_waives_a_sub_item_with_a_reason_from_its_page(client, w):
    a, b = handed(w, w.towns[:2])
    url = reverse("tasks:work_item_waive", args=[b.pk])
    login(client, w.lead_user)
    assert client.post(url, {"reason": "不适用"}).status_code == 403  # the lead sees it, only a coordinator waives
    login(client, w.coordinator)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and WorkItem.objects.get(pk=b.pk).status == S.AWAITING_SIGN
    response = client.post(url, {"reason": "该镇无相关项目"})
    assert response.status_code == 302 and WorkItem.objects.get(pk=b.pk).status == S.WAIVED
    assert "1 豁免" in html(client.get(w.item.get_absolute_url()))


def test_a_towns_home_page_shows_its_sub_items_first_by_deadline(client, w):
    town = w.towns[0]
    own = WorkItemFactory(plan=w.plan, year=w.today.year, text="本镇自有事项", lead=town,
                          deadline=w.today + timedelta(days=1), due_date=w.today + timedelta(days=1))
    later = handed(w, [town])[0]
    other_parent = WorkItemFactory(plan=w.plan, year=w.today.year, text="另一牵头事项", lead=w.lead,
                                   deadline=w.today + timedelta(days=30), due_date=w.today + timedelta(days=30))
    sooner = work_item_break_down(item=other_parent, user=w.lead_user,
                                  parts=[BreakdownPart(unit=town, due_date=w.today + timedelta(days=5))])[0]
    login(client, town.liaison)
    page = html(client.get(reverse("tasks:my_work")))
    positions = [page.index(f'href="{i.get_absolute_url()}"') for i in (sooner, later, own)]
    assert positions == sorted(positions)
    assert "有 2 项交办事项待签收" in page
    work_item_sign(item=sooner, user=town.liaison)
    assert "有 1 项交办事项待签收" in html(client.get(reverse("tasks:my_work")))


def test_the_leads_home_page_shows_the_roll_up_of_its_broken_down_item(client, w):
    children = handed(w, w.towns[:3], due=w.today - timedelta(days=1))
    assert children
    login(client, w.lead_user)
    page = html(client.get(reverse("tasks:my_work")))
    assert "分解 0/3 完成，3 逾期" in page


def test_the_supporting_unit_marks_its_part_done_and_its_home_page_shows_its_own_status(client, w):
    overdue = WorkItemFactory(plan=w.plan, year=w.today.year, text="逾期的配合事项", lead=w.lead,
                              supporting=[w.support], deadline=w.today - timedelta(days=3),
                              due_date=w.today - timedelta(days=3))
    login(client, w.support_user)
    page = html(client.get(reverse("tasks:my_work")))
    assert 'id="support-parts"' in page and "逾期未到位 1" in page and overdue.text in page
    page = html(client.get(w.item.get_absolute_url()))
    assert reverse("tasks:work_item_support_done", args=[w.item.pk]) in page
    response = client.post(reverse("tasks:work_item_support_done", args=[w.item.pk]),
                           {"note": "专项资金已拨付", "files": [pdf()]})
    assert response.status_code == 302
    assert StatusChange.objects.filter(work_item=w.item, event=StatusChange.Event.SUPPORT_DONE).count() == 1
    page = html(client.get(w.item.get_absolute_url()))
    assert "本单位已于" in page and "按期到位" in page
    page = html(client.get(reverse("tasks:my_work")))
    assert "按期到位 1" in page
    # The lead cannot mark a supporting part.
    login(client, w.lead_user)
    assert client.post(reverse("tasks:work_item_support_done", args=[w.item.pk]), {"note": "x"}).status_code == 403
