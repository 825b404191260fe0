"""Admin: every reminder with filters and last error, resend failed; settings per plan; the calendar."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tasks.models import CalendarOverride, Reminder, ReminderSettings
from tasks.tests.factories import PlanFactory, UnitFactory, UserFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
NOW = datetime(2023, 5, 30, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def login_user(**kwargs):
    user = UserFactory(**kwargs)
    user.save()  # the factory sets the password without saving it; the session hash needs the saved one
    return user


@pytest.fixture
def admin_client(client):
    client.force_login(login_user(username="boss", is_staff=True, is_superuser=True), backend=MODEL_BACKEND)
    return client


def make_reminders(n: int, plan=None, status=Reminder.Status.FAILED):
    plan = plan or PlanFactory()
    unit = UnitFactory(region=plan.region)
    items = [WorkItemFactory(plan=plan, lead=unit) for _ in range(n)]
    return [
        Reminder.objects.create(
            work_item=it, kind=Reminder.Kind.OVERDUE, deadline=it.due_date, step=0, email=f"u{i}@x.cn",
            role=Reminder.RecipientRole.LEAD, scheduled_for=date(2023, 7, 3), status=status, attempts=6,
            last_error="SMTPServerDisconnected: Connection unexpectedly closed", created_at=NOW,
        )
        for i, it in enumerate(items)
    ]


def test_reminder_list_shows_status_and_last_error_with_filters(admin_client):
    make_reminders(3)
    url = reverse("admin:tasks_reminder_changelist")
    page = admin_client.get(url, {"status__exact": "failed", "kind__exact": "overdue"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "SMTPServerDisconnected" in html and "u2@x.cn" in html
    assert admin_client.get(url, {"status__exact": "sent"}).context["cl"].result_count == 0


def test_reminder_list_costs_the_same_queries_for_10_and_100_rows(admin_client, django_assert_max_num_queries):
    url = reverse("admin:tasks_reminder_changelist")
    plan = PlanFactory()
    make_reminders(10, plan)
    with django_assert_max_num_queries(14) as small:
        admin_client.get(url)
    make_reminders(90, plan)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert admin_client.get(url).context["cl"].result_count == 100


def test_resend_failed_action_requeues_them(admin_client, django_capture_on_commit_callbacks):
    rows = make_reminders(2)
    sent = make_reminders(1, status=Reminder.Status.PENDING)
    with django_capture_on_commit_callbacks() as callbacks:
        page = admin_client.post(
            reverse("admin:tasks_reminder_changelist"),
            {"action": "resend_failed", "_selected_action": [r.pk for r in rows + sent]},
            follow=True,
        )
    assert "已重新排队 2 条提醒" in page.content.decode()
    assert len(callbacks) == 1  # one digest task for both addresses
    for r in rows:
        r.refresh_from_db()
        assert (r.status, r.attempts) == (Reminder.Status.PENDING, 0)


def test_reminders_cannot_be_added_or_deleted_by_hand(admin_client):
    assert admin_client.get(reverse("admin:tasks_reminder_add")).status_code == 403
    row = make_reminders(1)[0]
    assert admin_client.post(reverse("admin:tasks_reminder_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert Reminder.objects.filter(pk=row.pk).exists()


def test_settings_form_rejects_bad_lead_times_and_keeps_what_was_typed(admin_client):
    plan = PlanFactory()
    data = {
        "plan": plan.pk, "enabled": "on", "send_time": "08:30", "lead_times": "7,三", "due_soon_enabled": "on",
        "overdue_repeat_days": 7, "leader_after_days": 14, "monthly_day": 25, "sign_within_days": 2,
    }
    page = admin_client.post(reverse("admin:tasks_remindersettings_add"), data)
    assert page.status_code == 200
    assert "请填写 1 到 60 之间的工作日数" in page.content.decode()
    assert 'value="7,三"' in page.content.decode()
    assert not ReminderSettings.objects.exists()
    data["lead_times"] = "10, 5, 1"
    assert admin_client.post(reverse("admin:tasks_remindersettings_add"), data).status_code == 302
    assert ReminderSettings.objects.get(plan=plan).lead_time_list == [10, 5, 1]


def test_calendar_admin_warns_about_years_the_package_does_not_know(admin_client):
    PlanFactory(first_year=2023, last_year=2027)
    page = admin_client.get(reverse("admin:tasks_calendaroverride_changelist"))
    html = page.content.decode()
    assert "没有 2027 年的官方节假日安排" in html
    assert "无官方数据" in html


def test_entering_a_year_in_the_admin(admin_client):
    url = reverse("admin:tasks_calendaroverride_year")
    assert "2027" in admin_client.get(url, {"year": 2027}).content.decode()
    bad = admin_client.post(url, {"year": 2027, "holidays": "2027-10-01~2027-10-07 国庆节\n10月8日", "workdays": ""})
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "第 2 行无法识别" in html and "2027-10-01~2027-10-07 国庆节" in html
    assert not CalendarOverride.objects.exists()
    ok = admin_client.post(
        url, {"year": 2027, "holidays": "2027-10-01~2027-10-07 国庆节", "workdays": "2027-10-09 国庆调休"}
    )
    assert ok.status_code == 302
    assert CalendarOverride.objects.filter(day__year=2027, is_workday=False).count() == 7
    assert CalendarOverride.objects.get(day=date(2027, 10, 9)).is_workday
    again = admin_client.get(url, {"year": 2027}).content.decode()
    assert "2027-10-01~2027-10-07 国庆节" in again  # re-shown compactly for editing
    page = admin_client.get(reverse("admin:tasks_calendaroverride_changelist"))
    assert "没有 2027 年的官方节假日安排" not in page.content.decode()


def test_calendar_year_entry_needs_permission(client):
    client.force_login(login_user(username="clerk", is_staff=True), backend=MODEL_BACKEND)
    assert client.get(reverse("admin:tasks_calendaroverride_year")).status_code == 403
