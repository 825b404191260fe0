"""Roundup pages: only the plan's coordinators and holders of view_all_plans; the page, the workbook, the PDF."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tasks.roundups.pdf import PdfUnavailable
from tasks.roundups.periods import Period
from tasks.services.roundups import XLSX_TYPE, roundup_generate
from tasks.tests.factories import PlanFactory, UserFactory, liaison_for
from tasks.tests.roundup_bulk import build_plan
from tasks.tests.roundup_golden import build_golden

pytestmark = pytest.mark.django_db


def _login(client, user):
    # UserFactory sets the password after saving and skips the second save; the session hash needs it stored.
    user.save()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


@pytest.fixture
def golden():
    return build_golden()


@pytest.fixture
def roundup(golden):
    return roundup_generate(plan=golden.plan, period=Period.month(2023, 6), today=date(2023, 7, 1))[0]


def _coordinator(plan):
    user = UserFactory()
    plan.coordinators.add(user)
    return user


def _city():
    """A city or province role: every plan (the staff flag alone is not enough)."""
    user = UserFactory()
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    return user


def test_coordinator_of_the_plan_reads_the_page(client, golden, roundup):
    _login(client, _coordinator(golden.plan))
    response = client.get(reverse("tasks:roundup_detail", args=[roundup.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "月晾晒（2023年6月）" in html and "区财政局" in html and "已完成选址" in html
    assert "<svg" in html and "草稿，未发布" in html
    assert reverse("tasks:roundup_xlsx", args=[roundup.pk]) in html
    listing = client.get(reverse("tasks:roundup_list"))
    assert listing.status_code == 200 and roundup.get_absolute_url() in listing.content.decode()


@pytest.mark.parametrize("who", ["liaison", "other_coordinator", "staff"])
def test_others_cannot_see_a_roundup_or_its_files(client, golden, roundup, who):
    if who == "staff":
        user = _coordinator(PlanFactory())
        user.is_staff = True
    else:
        user = liaison_for(golden.a) if who == "liaison" else _coordinator(PlanFactory())
    _login(client, user)
    for name in ("tasks:roundup_detail", "tasks:roundup_xlsx", "tasks:roundup_pdf"):
        assert client.get(reverse(name, args=[roundup.pk])).status_code == 404
    if who == "liaison":
        assert client.get(reverse("tasks:roundup_list")).status_code == 403
    else:
        assert roundup.get_absolute_url() not in client.get(reverse("tasks:roundup_list")).content.decode()


def test_anonymous_is_sent_to_login(client, roundup):
    response = client.get(reverse("tasks:roundup_detail", args=[roundup.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_staff_downloads_the_workbook(client, roundup):
    _login(client, _city())
    response = client.get(reverse("tasks:roundup_xlsx", args=[roundup.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    assert response.content[:2] == b"PK"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]


def test_pdf_download_and_a_clear_answer_without_chromium(client, roundup, monkeypatch):
    from tasks.views import roundups as views

    _login(client, _city())
    monkeypatch.setattr(views, "render_pdf", lambda report: b"%PDF-1.7 stand-in")
    response = client.get(reverse("tasks:roundup_pdf", args=[roundup.pk]))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")

    def unavailable(report):
        raise PdfUnavailable("no chromium")

    monkeypatch.setattr(views, "render_pdf", unavailable)
    response = client.get(reverse("tasks:roundup_pdf", args=[roundup.pk]))
    assert response.status_code == 503 and "Excel" in response.content.decode()


@pytest.mark.parametrize("size", [5, 500])
def test_page_costs_the_same_queries_for_a_small_and_a_large_plan(client, size, django_assert_max_num_queries):
    plan = build_plan(items=size, units=5 if size == 5 else 50, slug=f"v{size}")
    roundup = roundup_generate(plan=plan, period=Period.year(2023), today=date(2024, 1, 1))[0]
    _login(client, _city())
    with django_assert_max_num_queries(6):
        response = client.get(reverse("tasks:roundup_detail", args=[roundup.pk]))
    assert response.status_code == 200
