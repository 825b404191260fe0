"""待评价: closed items from meetings and instructions awaiting a rating, on the raiser's and the coordinator's
home, with a count, in constant queries; the rating request's link lands on the open rating form; a leader of
another region neither sees nor rates them."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks.importers.decisions import parse_decisions
from tasks.models import PersonRole, Profile, WorkItem
from tasks.notifications.links import link_token
from tasks.selectors.work import awaiting_rating, awaiting_rating_box
from tasks.services.decisions import decisions_import, work_item_rate
from tasks.services.workflow import work_item_transition
from tasks.tests.daily_setup import login, make_world, user
from tasks.tests.factories import RegionFactory, UnitFactory

pytestmark = pytest.mark.django_db
S = WorkItem.Status
TEXT = "请区建设局负责，2026年8月底前完成第{n}项调研。"


def leader(unit, username):
    person = user(username)
    Profile.objects.create(user=person, unit=unit, role=PersonRole.LEADER)
    return person


def closed_items(w, n, *, raised_by=None):
    items = decisions_import(plan=w.plan, parsed=parse_decisions("\n".join(TEXT.format(n=i) for i in range(n))),
                             origin="instruction", origin_by="县长批示", raised_by=raised_by).items
    for item in items:
        work_item_transition(item=item, to_status=S.AWAITING_REVIEW, actor=w.lead_user)
        work_item_transition(item=item, to_status=S.DONE, actor=w.coordinator)
    return items


def test_the_raiser_and_the_coordinator_see_what_awaits_their_rating_and_others_do_not():
    w = make_world()
    raiser = leader(w.other, "raiser")
    peer = leader(w.other, "peer")  # a leader of the same region who did not raise it
    far = leader(UnitFactory(region=RegionFactory(name="别的区"), name="别的区建设局"), "far")
    (mine,) = closed_items(w, 1, raised_by=raiser)
    (nobodys,) = closed_items(w, 1)
    rate_url = f"{mine.get_absolute_url()}?open=rate#rate"
    page = login(Client(), raiser).get(reverse("tasks:home")).content.decode()
    assert 'id="to-rate"' in page and rate_url in page and nobodys.get_absolute_url() not in page
    coordinator_page = login(Client(), w.coordinator).get(reverse("tasks:home")).content.decode()
    assert rate_url in coordinator_page and f"{nobodys.get_absolute_url()}?open=rate" in coordinator_page
    assert awaiting_rating_box(w.coordinator)["total"] == 2
    for other in (peer, far, w.other_coordinator, w.lead_user):
        assert not awaiting_rating(other).exists()
        assert 'id="to-rate"' not in login(Client(), other).get(reverse("tasks:home")).content.decode()
    # A leader of another region can neither open nor rate it.
    far_client = login(Client(), far)
    assert far_client.get(mine.get_absolute_url()).status_code == 404
    assert far_client.post(reverse("tasks:work_item_rate", args=[mine.pk]),
                           {"rating": "satisfied"}).status_code in (403, 404)
    mine.refresh_from_db()
    assert mine.rating == "" and mine.status == S.DONE
    # Rated: it leaves the raiser's and the coordinator's lists; the one nobody raised stays the coordinator's.
    assert login(Client(), raiser).post(reverse("tasks:work_item_rate", args=[mine.pk]),
                                        {"rating": "satisfied"}).status_code == 302
    assert not awaiting_rating(raiser).exists()
    assert list(awaiting_rating(w.coordinator)) == [nobodys]


def test_reopened_and_closed_again_it_awaits_a_rating_again():
    w = make_world()
    raiser = leader(w.other, "raiser")
    (item,) = closed_items(w, 1, raised_by=raiser)
    work_item_rate(item=item, user=raiser, rating=WorkItem.Rating.UNSATISFIED, reason="未达到要求")
    assert not awaiting_rating(raiser).exists()  # reopened: nothing to rate yet
    work_item_transition(item=item, to_status=S.AWAITING_REVIEW, actor=w.lead_user)
    work_item_transition(item=item, to_status=S.DONE, actor=w.coordinator)
    assert list(awaiting_rating(raiser)) == [item]


def test_the_request_link_lands_on_the_open_rating_form():
    w = make_world()
    raiser = leader(w.other, "raiser")
    (item,) = closed_items(w, 1, raised_by=raiser)
    link = reverse("tasks:link_follow", args=[link_token(purpose="rate", pk=item.pk)])
    client = Client()
    assert client.get(link)["Location"].startswith(reverse("login"))
    login(client, raiser)
    landed = client.get(link)
    assert landed.status_code == 302 and landed["Location"] == f"{item.get_absolute_url()}?open=rate#rate"
    page = client.get(landed["Location"]).content.decode()
    assert '<details id="rate" open>' in page
    assert '<details id="rate" >' in client.get(item.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", ["raiser", "coordinator"])
def test_the_homes_list_in_constant_queries(who):
    w = make_world()
    raiser = leader(w.other, "raiser")
    person = raiser if who == "raiser" else w.coordinator
    client = login(Client(), person)
    closed_items(w, 2, raised_by=raiser)
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("tasks:home")).content.decode()
    assert "<b>2</b>" in page or ">2</span>" in page
    closed_items(w, 14, raised_by=raiser)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("tasks:home")).content.decode()
    assert ">16</span>" in page and page.count("?open=rate#rate") == 10
    # One query more at most: the count, once the list is full.
    assert len(many.captured_queries) <= len(few.captured_queries) + 1


def test_a_raiser_no_longer_a_leader_is_neither_listed_nor_asked_nor_allowed_and_the_coordinator_rates():
    """The list, the item's page, the guard and the rating request ask one rule (``rates_what_they_raised``):
    a raiser who is now a liaison is not offered what the page would refuse; the coordinators are asked."""
    from tasks.rules.actions import Act
    from tasks.selectors.guard import allowed
    from tasks.selectors.permissions import visible_work_items
    from tasks.services.decisions import rating_request_recipients

    w = make_world()
    raiser = leader(w.other, "raiser")
    (item,) = closed_items(w, 1, raised_by=raiser)

    def as_raiser():
        fresh = type(raiser).objects.get(pk=raiser.pk)  # no cached standing
        return (awaiting_rating(fresh).exists(), visible_work_items(fresh).filter(pk=item.pk).exists(),
                allowed(Act.RATE, fresh, item), raiser in rating_request_recipients(WorkItem.objects.get(pk=item.pk)))

    assert as_raiser() == (True, True, True, True)
    Profile.objects.filter(user=raiser).update(role=PersonRole.LIAISON)
    assert as_raiser() == (False, False, False, False)
    assert w.coordinator in rating_request_recipients(item) and awaiting_rating(w.coordinator).filter(pk=item.pk)
