"""The breakdown screen and a town reporting its share: permissions and round trips."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from tasks.models import KeyTaskUnit, Role, TargetShare, TargetShareReport, Unit
from tasks.services.targets import ShareInput, target_breakdown_save
from tasks.tests.daily_setup import login, make_world
from tasks.tests.factories import liaison_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = make_world()
    w.towns = [
        Unit.objects.create(region=w.plan.region, name=n, kind=Unit.Kind.TOWN, town_kind="街道")
        for n in ("塔山街道", "府山街道")
    ]
    for i, town in enumerate(w.towns, start=5):
        KeyTaskUnit.objects.create(key_task=w.key_task, unit=town, role=Role.SUPPORT, position=i,
                                   name_as_written="各镇街", expanded=True)
    return w


def _url(w, year=None):
    return reverse("tasks:indicator_breakdown", args=[w.indicator.pk, year or w.today.year])


def _post(w, values, method="sum", extra=None):
    data = {"method": method, "shares-TOTAL_FORMS": str(len(values) + (1 if extra else 0)),
            "shares-INITIAL_FORMS": str(len(values))}
    for i, (town, value) in enumerate(zip(w.towns, values, strict=True)):
        data |= {f"shares-{i}-unit": town.pk, f"shares-{i}-value": value, f"shares-{i}-base": ""}
    if extra:
        i = len(values)
        data |= {f"shares-{i}-unit": extra[0].pk, f"shares-{i}-value": extra[1], f"shares-{i}-base": ""}
    return data


def test_coordinator_types_the_shares_and_sees_the_sum_short_of_the_target(client, world):
    w = world
    login(client, w.coordinator)
    page = client.get(_url(w))
    assert page.status_code == 200
    assert [r.unit.name for _f, r in page.context["rows"] if r] == ["塔山街道", "府山街道"]
    response = client.post(_url(w), _post(w, ["1.8", "1.2"], extra=(w.lead, "0.3")))
    assert response.status_code == 302
    assert sorted(TargetShare.objects.values_list("unit__name", "value")) == [
        ("区建设局", D("0.3")), ("塔山街道", D("1.8")), ("府山街道", D("1.2"))
    ]
    page = client.get(_url(w))
    assert page.context["view"].coverage.status == "covered"
    assert client.post(_url(w), _post(w, ["1.8", "1.0"])).status_code == 302
    page = client.get(_url(w))
    assert page.context["view"].coverage.status == "short"
    assert "分解合计未达到目标，还差 0.5 万套。" in page.content.decode()


def test_only_the_plans_coordinator_opens_the_breakdown_screen(client, world):
    w = world
    assert login(client, w.lead_user).get(_url(w)).status_code == 403
    assert login(client, w.other_coordinator).get(_url(w)).status_code == 404
    assert login(client, liaison_for(w.towns[0])).get(_url(w)).status_code == 403
    assert login(client, w.other_user).get(_url(w)).status_code == 404
    assert login(client, w.lead_user).post(_url(w), _post(w, ["1", "1"])).status_code == 403
    assert not TargetShare.objects.exists()


def test_a_town_sees_and_reports_its_share_on_the_indicator_page_and_its_home(client, world):
    w = world
    target_breakdown_save(indicator=w.indicator, year=w.today.year, method="sum", user=w.coordinator,
                          shares=[ShareInput(unit=w.towns[0], value=D("1.8")),
                                  ShareInput(unit=w.towns[1], value=D("1.5"))])
    town_user = liaison_for(w.towns[0])
    login(client, town_user)
    page = client.get(w.indicator.get_absolute_url())
    assert page.status_code == 200
    assert page.context["my_share"].value == D("1.8")
    assert page.context["breakdown"] is None  # a town sees its own share, not every town's
    month = w.today.replace(day=1).strftime("%Y-%m")
    response = client.post(reverse("tasks:share_report", args=[w.indicator.pk]),
                           {"share-month": month, "share-value": "0.9", "share-note": "已开工"})
    assert response.status_code == 302
    assert TargetShareReport.objects.get().value == D("0.9")
    home = client.get(reverse("tasks:my_work"))
    [share] = home.context["shares"]
    assert (share.value, share.latest_value) == (D("1.8"), D("0.9"))
    assert "本单位" in home.content.decode()
    # The lead department sees the roll-up of the towns' actuals on the indicator page.
    lead_page = login(client, w.lead_user).get(w.indicator.get_absolute_url())
    assert lead_page.context["breakdown"].actuals.value == D("0.9")


def test_a_unit_without_a_share_cannot_report_one(client, world):
    w = world
    target_breakdown_save(indicator=w.indicator, year=w.today.year, method="sum", user=w.coordinator,
                          shares=[ShareInput(unit=w.towns[0], value=D("1.8"))])
    month = w.today.replace(day=1).strftime("%Y-%m")
    url = reverse("tasks:share_report", args=[w.indicator.pk])
    data = {"share-month": month, "share-value": "5"}
    assert login(client, liaison_for(w.towns[1])).post(url, data).status_code == 403
    assert login(client, w.lead_user).post(url, data).status_code == 403
    assert not TargetShareReport.objects.exists()


def test_key_task_page_lists_expanded_towns_under_their_collective(client, world):
    w = world
    page = login(client, w.coordinator).get(w.key_task.get_absolute_url())
    assert page.context["expanded"] == {"各镇街": ["塔山街道", "府山街道"]}
    assert "各镇街：2 个镇(街道)" in page.content.decode()


def test_a_department_given_a_share_sees_the_indicator_and_reports_its_part(client, world):
    w = world
    assert not w.indicator.key_task.assignments.filter(unit=w.other).exists()
    page = login(client, w.other_user).get(w.indicator.get_absolute_url())
    assert page.status_code == 404
    target_breakdown_save(indicator=w.indicator, year=w.today.year, method="sum", user=w.coordinator,
                          shares=[ShareInput(unit=w.other, value=D("0.5"))])
    page = client.get(w.indicator.get_absolute_url())
    assert page.status_code == 200 and page.context["my_share"].value == D("0.5")
    month = w.today.replace(day=1).strftime("%Y-%m")
    client.post(reverse("tasks:share_report", args=[w.indicator.pk]), {"share-month": month, "share-value": "0.2"})
    assert TargetShareReport.objects.get().share.unit == w.other
