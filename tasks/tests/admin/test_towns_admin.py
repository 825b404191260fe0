"""The region's towns list in the admin, and the breakdown's audit trail."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from tasks.models import Region, Unit
from tasks.services.targets import ShareInput, target_breakdown_save
from tasks.services.towns import region_towns_seed
from tasks.tests.factories import IndicatorFactory, IndicatorTargetFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_region_page_lists_its_towns_and_a_town_added_there_is_a_town(admin_client):
    region = Region.objects.create(name="海宁市", slug="haining")
    towns = region_towns_seed(region=region)
    url = reverse("admin:tasks_region_change", args=[region.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "硖石街道" in html and "黄湾镇" in html
    formset = page.context["inline_admin_formsets"][0].formset
    data = {"name": "海宁市", "slug": "haining", f"{formset.prefix}-TOTAL_FORMS": str(len(towns) + 1),
            f"{formset.prefix}-INITIAL_FORMS": str(len(towns)), f"{formset.prefix}-MIN_NUM_FORMS": "0",
            f"{formset.prefix}-MAX_NUM_FORMS": "1000"}
    for i, town in enumerate(towns):
        data |= {f"{formset.prefix}-{i}-id": town.pk, f"{formset.prefix}-{i}-region": region.pk,
                 f"{formset.prefix}-{i}-name": town.name, f"{formset.prefix}-{i}-town_kind": town.town_kind}
    n = len(towns)
    data |= {f"{formset.prefix}-{n}-region": region.pk, f"{formset.prefix}-{n}-name": "新设街道",
             f"{formset.prefix}-{n}-town_kind": "街道"}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    added = Unit.objects.get(region=region, name="新设街道")
    assert (added.kind, added.town_kind) == (Unit.Kind.TOWN, "街道")


def test_breakdown_admin_shows_the_shares_and_their_history(admin_client):
    plan = PlanFactory()
    coordinator = UserFactory()
    plan.coordinators.add(coordinator)
    town = Unit.objects.create(region=plan.region, name="塔山街道", kind=Unit.Kind.TOWN, town_kind="街道")
    indicator = IndicatorFactory(plan=plan, measure="个")
    IndicatorTargetFactory(indicator=indicator, year=2024, value=5, text="5")
    breakdown = target_breakdown_save(indicator=indicator, year=2024, method="sum", user=coordinator,
                                      shares=[ShareInput(unit=town, value=D(5))])
    page = admin_client.get(reverse("admin:tasks_targetbreakdown_change", args=[breakdown.pk]))
    assert page.status_code == 200
    assert "塔山街道 5" in page.content.decode()
    assert admin_client.get(reverse("admin:tasks_targetsharereport_changelist")).status_code == 200
