"""分解交办 of an item already past due (issue 32 §4): its deadline is not lent to the parts; a new one is asked."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tasks.models import WorkItem
from tasks.rules.breakdown import child_deadline_ok, parent_past_due
from tasks.services.breakdown import BreakdownPart, work_item_break_down
from tasks.tests.breakdown_setup import make_towns
from tasks.tests.daily_setup import login, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = make_world()
    w.towns = make_towns(w)
    past = w.today - timedelta(days=40)
    WorkItem.objects.filter(pk=w.item.pk).update(deadline=past, due_date=past)
    w.item.refresh_from_db()
    return w


def test_the_rule_asks_a_past_due_parent_for_a_deadline_from_today():
    today = date(2026, 12, 7)
    past = date(2023, 6, 30)
    assert parent_past_due(parent_due=past, today=today)
    assert not parent_past_due(parent_due=today, today=today)  # due today: not past yet
    assert not child_deadline_ok(child_due=past, parent_due=past, today=today)
    assert not child_deadline_ok(child_due=today - timedelta(days=1), parent_due=past, today=today)
    assert child_deadline_ok(child_due=today, parent_due=past, today=today)
    assert child_deadline_ok(child_due=date(2027, 3, 31), parent_due=past, today=today)
    # Not past due: no later than the parent's, as before.
    assert not child_deadline_ok(child_due=date(2027, 1, 2), parent_due=date(2027, 1, 1), today=today)


def test_the_service_refuses_the_old_deadline_and_takes_a_new_one(w):
    with pytest.raises(ValidationError, match="需要新的期限"):
        work_item_break_down(item=w.item, user=w.lead_user,
                             parts=[BreakdownPart(unit=w.towns[0], due_date=w.item.due_date)])
    assert not WorkItem.objects.filter(parent=w.item).exists()
    new = w.today + timedelta(days=30)
    [child] = work_item_break_down(item=w.item, user=w.lead_user, parts=[BreakdownPart(unit=w.towns[0], due_date=new)])
    assert child.due_date == new and child.status == WorkItem.Status.AWAITING_SIGN


def test_the_page_says_the_item_is_past_due_offers_no_old_deadline_and_all_towns_needs_a_new_one(client, w):
    login(client, w.lead_user)
    url = reverse("tasks:work_item_break_down", args=[w.item.pk])
    page = client.get(url).content.decode()
    assert 'id="past-due-notice"' in page and w.item.due_date.isoformat() in page
    assert f'value="{w.item.due_date.isoformat()}"' not in page  # the expired deadline is not pre-filled
    response = client.post(url, {"all_towns": "1"})  # one click, no deadline: asked for one
    assert response.status_code == 200 and "请填写" in response.content.decode()
    response = client.post(url, {"all_towns": "1", "due_date": w.item.due_date.isoformat()})
    assert response.status_code == 200 and "不能早于今天" in response.content.decode()
    assert not WorkItem.objects.filter(parent=w.item).exists()
    new = w.today + timedelta(days=20)
    response = client.post(url, {"all_towns": "1", "due_date": new.isoformat()})
    assert response.status_code == 302
    assert set(WorkItem.objects.filter(parent=w.item).values_list("due_date", flat=True)) == {new}


def test_an_item_not_yet_due_still_lends_its_deadline(client, w):
    due = w.today + timedelta(days=10)
    WorkItem.objects.filter(pk=w.item.pk).update(deadline=due, due_date=due)
    login(client, w.lead_user)
    page = client.get(reverse("tasks:work_item_break_down", args=[w.item.pk])).content.decode()
    assert 'id="past-due-notice"' not in page and f'value="{due.isoformat()}"' in page
