"""The admin: generate (the add form), regenerate, preview and publish."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tasks.models import Message, Roundup, RoundupDelivery
from tasks.roundups.periods import Period
from tasks.services import roundups as service
from tasks.services.roundups import roundup_generate
from tasks.tests.factories import UserFactory
from tasks.tests.roundup_golden import build_golden

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:tasks_roundup_changelist"


@pytest.fixture
def golden():
    return build_golden()


@pytest.fixture
def admin_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    user.save()  # the factory sets the password after its save
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def june(golden):
    return roundup_generate(plan=golden.plan, period=Period.month(2023, 6), today=date(2023, 7, 1))[0]


def test_generate_form_proposes_last_month_and_makes_one_draft(admin_client, golden):
    url = reverse("admin:tasks_roundup_add")
    page = admin_client.get(url)
    assert page.status_code == 200
    assert Period.last_ended("month", timezone.localdate()).key in page.content.decode()
    data = {"plan": golden.plan.pk, "kind": "month", "period": "2023-06"}
    response = admin_client.post(url, data)
    roundup = Roundup.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{roundup.pk}/change/")
    assert roundup.generated_by.is_superuser
    again = admin_client.post(url, data, follow=True)
    assert Roundup.objects.count() == 1
    assert "已存在" in again.content.decode()


def test_generate_form_shows_what_was_typed_with_the_error(admin_client, golden):
    response = admin_client.post(reverse("admin:tasks_roundup_add"),
                                 {"plan": golden.plan.pk, "kind": "quarter", "period": "2023-06"})
    html = response.content.decode()
    assert response.status_code == 200 and "YYYY-Qn" in html and 'value="2023-06"' in html
    response = admin_client.post(reverse("admin:tasks_roundup_add"),
                                 {"plan": golden.plan.pk, "kind": "year", "period": "2999"})
    assert "尚未结束" in response.content.decode()
    assert not Roundup.objects.exists()


def test_regenerate_action_refuses_a_published_roundup(admin_client, june):
    Roundup.objects.filter(pk=june.pk).update(status="published", published_at=timezone.now(), data={"frozen": 1})
    response = admin_client.post(reverse(CHANGELIST), {"action": "regenerate_roundups",
                                                       "_selected_action": [june.pk]}, follow=True)
    assert "已发布的晾晒通报不能重新生成" in response.content.decode()
    assert Roundup.objects.get(pk=june.pk).data == {"frozen": 1}


def test_view_only_staff_cannot_regenerate_or_publish(client, june):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.save()
    june.plan.coordinators.add(user)
    user.user_permissions.add(Permission.objects.get(codename="view_roundup"))
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "preview_roundup" in page
    assert "publish_roundups" not in page and "regenerate_roundups" not in page
    client.post(reverse(CHANGELIST), {"action": "publish_roundups", "_selected_action": [june.pk], "confirm": "1"})
    assert Roundup.objects.get(pk=june.pk).status == "draft"


def test_preview_action_opens_the_page(admin_client, june):
    response = admin_client.post(reverse(CHANGELIST), {"action": "preview_roundup", "_selected_action": [june.pk]})
    assert response.status_code == 302 and response["Location"] == june.get_absolute_url()


def test_publish_action_asks_first_then_publishes_and_sends(admin_client, june, monkeypatch, celery_eager,
                                                            django_capture_on_commit_callbacks):
    monkeypatch.setattr(service, "html_to_pdf", lambda html: b"%PDF-1.4 stand-in")
    payload = {"action": "publish_roundups", "_selected_action": [june.pk]}
    confirm = admin_client.post(reverse(CHANGELIST), payload)
    assert confirm.status_code == 200 and "zigui2@example.gov.cn" in confirm.content.decode()
    assert Roundup.objects.get(pk=june.pk).status == "draft"

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse(CHANGELIST), {**payload, "confirm": "1"})
    assert Roundup.objects.get(pk=june.pk).status == "published"
    assert RoundupDelivery.objects.filter(roundup=june).count() == len(mail.outbox) == 5
    assert Message.objects.filter(roundup=june, channel="email", state="sent").count() == 5
    # The list counts the recipients reached; the change page shows the outbox's messages, and no way to edit
    # the numbers.
    listing = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert "5/5" in listing
    page = admin_client.get(reverse("admin:tasks_roundup_change", args=[june.pk])).content.decode()
    assert "zigui2@example.gov.cn" in page and 'name="_save"' not in page
    assert "message-state-sent" in page
