"""The admin for coordinators: roundups, reminders, their settings and the calendar, of their own plans only."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tasks.models import CalendarOverride, Plan, Reminder, ReminderRun, ReminderSettings, Roundup, RoundupSettings
from tasks.roundups.periods import Period
from tasks.services.demo import _grant_coordinator_admin
from tasks.services.roundups import roundup_generate
from tasks.tests.daily_setup import login, user
from tasks.tests.factories import PlanFactory, UnitFactory, WorkItemFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2023, 7, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def _plan_with_rows(slug: str, coordinator):
    """A plan coordinated by ``coordinator`` with a draft roundup, settings, a failed reminder and a scan."""
    plan = PlanFactory(slug=slug)
    plan.coordinators.add(coordinator)
    unit = UnitFactory(region=plan.region)
    item = WorkItemFactory(plan=plan, lead=unit, deadline=date(2023, 6, 10), due_date=date(2023, 6, 10))
    roundup = roundup_generate(plan=plan, period=Period.month(2023, 6), today=date(2023, 7, 1))[0]
    RoundupSettings.objects.create(plan=plan)
    ReminderSettings.objects.create(plan=plan)
    ReminderRun.objects.create(plan=plan, day=date(2023, 7, 3), started_at=NOW)
    reminder = Reminder.objects.create(
        work_item=item, kind=Reminder.Kind.OVERDUE, deadline=item.due_date, step=0, email=f"{slug}@x.cn",
        role=Reminder.RecipientRole.LEAD, scheduled_for=date(2023, 7, 3), status=Reminder.Status.FAILED,
        attempts=6, last_error="SMTP down", created_at=NOW,
    )
    return {"plan": plan, "roundup": roundup, "reminder": reminder}


@pytest.fixture
def world():
    a_coordinator = user("coord-a", is_staff=True)
    b_coordinator = user("coord-b", is_staff=True)
    for coordinator in (a_coordinator, b_coordinator):
        _grant_coordinator_admin(coordinator)
    return {"a": _plan_with_rows("plan-a", a_coordinator), "b": _plan_with_rows("plan-b", b_coordinator),
            "coordinator": a_coordinator}


def _listed(client, model: str) -> set[int]:
    response = client.get(reverse(f"admin:tasks_{model}_changelist"))
    assert response.status_code == 200, model
    return {obj.pk for obj in response.context["cl"].result_list}


CHANGELISTS = [
    ("roundup", lambda rows: rows["roundup"].pk),
    ("roundupsettings", lambda rows: rows["plan"].roundup_settings.pk),
    ("reminder", lambda rows: rows["reminder"].pk),
    ("remindersettings", lambda rows: rows["plan"].reminder_settings.pk),
    ("reminderrun", lambda rows: rows["plan"].reminder_runs.get().pk),
]


@pytest.mark.parametrize(("model", "pk_of"), CHANGELISTS)
def test_coordinator_of_plan_a_sees_only_a_and_gets_404_for_b(client, world, model, pk_of):
    login(client, world["coordinator"])
    assert _listed(client, model) == {pk_of(world["a"])}
    mine, theirs = pk_of(world["a"]), pk_of(world["b"])
    assert client.get(reverse(f"admin:tasks_{model}_change", args=[mine])).status_code == 200
    assert client.get(reverse(f"admin:tasks_{model}_change", args=[theirs])).status_code == 404
    assert client.get(reverse(f"admin:tasks_{model}_history", args=[theirs])).status_code == 404
    assert client.get(reverse(f"admin:tasks_{model}_delete", args=[theirs])).status_code == 404


def test_the_roundup_link_opens_and_shows_only_the_own_plans_roundups(client, world):
    login(client, world["coordinator"])
    response = client.get(reverse("admin:tasks_roundup_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert world["a"]["plan"].title in html and world["b"]["plan"].title not in html
    # The plan filter lists plans that have rows in view: with one plan there is nothing to filter.
    assert all(spec.title != "方案" for spec in response.context["cl"].filter_specs)
    index = client.get(reverse("admin:index")).content.decode()
    for model in ("roundup", "reminder", "remindersettings", "calendaroverride"):
        assert reverse(f"admin:tasks_{model}_changelist") in index


def test_generate_form_offers_and_accepts_only_the_own_plans(client, world):
    login(client, world["coordinator"])
    url = reverse("admin:tasks_roundup_add")
    choices = list(client.get(url).context["form"].fields["plan"].queryset)
    assert choices == [world["a"]["plan"]]
    response = client.post(url, {"plan": world["b"]["plan"].pk, "kind": "quarter", "period": "2023-Q2"})
    assert response.status_code == 200 and "plan" in response.context["form"].errors
    assert not Roundup.objects.filter(kind="quarter").exists()
    response = client.post(url, {"plan": world["a"]["plan"].pk, "kind": "quarter", "period": "2023-Q2"})
    assert response.status_code == 302
    assert Roundup.objects.get(kind="quarter").plan == world["a"]["plan"]


def test_settings_form_offers_only_the_own_plans(client, world):
    other = PlanFactory(slug="plan-c")
    world["coordinator"].coordinated_plans.add(other)
    login(client, world["coordinator"])
    form = client.get(reverse("admin:tasks_remindersettings_add")).context["adminform"].form
    assert set(form.fields["plan"].queryset) == {world["a"]["plan"], other}


def test_actions_never_reach_another_plans_rows(client, world):
    login(client, world["coordinator"])
    theirs = world["b"]["roundup"]
    client.post(reverse("admin:tasks_roundup_changelist"),
                {"action": "publish_roundups", "_selected_action": [theirs.pk], "confirm": "1"})
    assert Roundup.objects.get(pk=theirs.pk).status == Roundup.Status.DRAFT
    client.post(reverse("admin:tasks_reminder_changelist"),
                {"action": "resend_failed", "_selected_action": [world["b"]["reminder"].pk]})
    assert Reminder.objects.get(pk=world["b"]["reminder"].pk).status == Reminder.Status.FAILED
    client.post(reverse("admin:tasks_reminder_changelist"),
                {"action": "resend_failed", "_selected_action": [world["a"]["reminder"].pk]})
    assert Reminder.objects.get(pk=world["a"]["reminder"].pk).status == Reminder.Status.PENDING


def test_coordinator_reads_the_calendar_all_plans_share_and_only_the_province_writes_it(client, world):
    """The working-day calendar moves every region's deadlines, overdue counts and reminders: a coordinator of
    one region's plan reads it, and writes none of it (a day made a holiday in every region, once); a holder of
    ``act_on_all_plans`` does."""
    login(client, world["coordinator"])
    page = client.get(reverse("admin:tasks_calendaroverride_changelist"))
    assert page.status_code == 200
    # Offered nothing it would refuse: no 录入全年安排, no "enter it here" when a year lacks data.
    assert reverse("admin:tasks_calendaroverride_year") not in page.content.decode()
    assert "请在“节假日调整”中录入" not in page.content.decode()
    existing = CalendarOverride.objects.create(day=date(2026, 10, 9), is_workday=True, name="调休")
    add = {"day": "2026-12-01", "is_workday": "", "name": "假日"}
    assert client.post(reverse("admin:tasks_calendaroverride_add"), add).status_code == 403
    assert client.get(reverse("admin:tasks_calendaroverride_year")).status_code == 403
    assert client.post(reverse("admin:tasks_calendaroverride_year"),
                       {"year": 2027, "holidays": "2027-12-01", "workdays": ""}).status_code == 403
    change = reverse("admin:tasks_calendaroverride_change", args=[existing.pk])
    assert client.post(change, {"day": "2026-10-09", "is_workday": "", "name": "改"}).status_code == 403
    delete = reverse("admin:tasks_calendaroverride_delete", args=[existing.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert list(CalendarOverride.objects.values_list("day", "is_workday", "name")) == [
        (date(2026, 10, 9), True, "调休")]
    province = user("province", is_staff=True)
    _grant_coordinator_admin(province)
    province.user_permissions.add(*Permission.objects.filter(
        codename__in=["act_on_all_plans", "add_calendaroverride", "change_calendaroverride",
                      "delete_calendaroverride"]))
    login(client, province)
    assert reverse("admin:tasks_calendaroverride_year") in client.get(
        reverse("admin:tasks_calendaroverride_changelist")).content.decode()
    assert client.post(reverse("admin:tasks_calendaroverride_add"), add).status_code == 302
    assert CalendarOverride.objects.filter(day=date(2026, 12, 1), is_workday=False).exists()


def test_view_all_plans_sees_every_plans_rows(client, world):
    city = user("city", is_staff=True)
    _grant_coordinator_admin(city)
    city.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    login(client, city)
    for model, pk_of in CHANGELISTS:
        assert _listed(client, model) == {pk_of(world["a"]), pk_of(world["b"])}, model
    theirs = world["b"]["roundup"].pk
    assert client.get(reverse("admin:tasks_roundup_change", args=[theirs])).status_code == 200


def test_staff_without_a_plan_sees_no_rows(client, world):
    clerk = user("clerk", is_staff=True)
    _grant_coordinator_admin(clerk)
    login(client, clerk)
    for model, _pk_of in CHANGELISTS:
        assert _listed(client, model) == set(), model


def test_coordinator_adding_a_plan_in_the_admin_coordinates_it_and_sees_only_their_plans(client, world):
    login(client, world["coordinator"])
    plans = client.get(reverse("admin:tasks_plan_changelist")).context["cl"].result_list
    assert list(plans) == [world["a"]["plan"]]
    assert client.get(reverse("admin:tasks_plan_change", args=[world["b"]["plan"].pk])).status_code == 404
    data = {"region": world["a"]["plan"].region_id, "title": "新方案", "slug": "new-plan", "issuer": "",
            "first_year": 2024, "last_year": 2028, "source_name": "", "source_sha256": ""}
    response = client.post(reverse("admin:tasks_plan_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    new = Plan.objects.get(slug="new-plan")
    assert list(new.coordinators.all()) == [world["coordinator"]]
    # Who coordinates is read here, not chosen: no list of the province's users, and a posted one is ignored.
    page = client.get(reverse("admin:tasks_plan_change", args=[new.pk])).content.decode()
    assert 'name="coordinators"' not in page and world["coordinator"].username in page
    other = user("someone-else")
    client.post(reverse("admin:tasks_plan_change", args=[new.pk]), {**data, "coordinators": [other.pk]})
    assert list(new.coordinators.all()) == [world["coordinator"]]
    listed = client.get(reverse("admin:tasks_plan_changelist")).context["cl"].result_list
    assert set(listed) == {world["a"]["plan"], new}


def _key_task_choices(client, **params) -> list[str]:
    response = client.get(reverse("admin:tasks_workitem_changelist"), params)
    assert response.status_code == 200
    specs = [s for s in response.context["cl"].filter_specs
             if getattr(s, "parameter_name", None) == "key_task__id__exact"]
    return [label for _pk, label in specs[0].lookup_choices] if specs and specs[0].has_output() else []


def test_the_item_lists_key_task_filter_offers_the_chosen_plans_key_tasks_only(client, world):
    """A province has 12,500 key tasks: the filter lists those of the plan chosen, of the user's own plans."""
    from tasks.tests.factories import KeyTaskFactory

    a, b = world["a"]["plan"], world["b"]["plan"]
    mine = KeyTaskFactory(plan=a, number=99, title="完善住房保障")
    KeyTaskFactory(plan=b, number=98, title="别人的任务")
    item = WorkItemFactory(plan=a, key_task=mine, lead=UnitFactory(region=a.region))
    login(client, world["coordinator"])
    assert _key_task_choices(client) == [str(mine)]  # the coordinator's only plan (it has no plan filter)
    assert _key_task_choices(client, plan=a.pk) == [str(mine)]
    assert _key_task_choices(client, plan=b.pk) == []  # another coordinator's plan: nothing shown
    second = PlanFactory(slug="plan-a2")
    second.coordinators.add(world["coordinator"])
    KeyTaskFactory(plan=second, number=1, title="第二个方案的任务")
    assert _key_task_choices(client) == []  # two plans, none chosen: no list of every key task
    assert _key_task_choices(client, plan=a.pk) == [str(mine)]
    assert "plan=" in client.get(reverse("admin:tasks_workitem_changelist")).content.decode()  # a plan filter
    response = client.get(reverse("admin:tasks_workitem_changelist"), {"key_task__id__exact": mine.pk})
    assert [o.pk for o in response.context["cl"].result_list] == [item.pk]
    for raw in ("²", "abc", "-1", "9" * 30):
        response = client.get(reverse("admin:tasks_workitem_changelist"), {"key_task__id__exact": raw})
        assert response.status_code == 302 and response["Location"].endswith("?e=1"), raw


def test_the_item_list_searches_text_indicator_and_unit_names_and_filters_by_year(client, world):
    a = world["a"]["plan"]
    town = UnitFactory(region=a.region, name="丁桥镇")
    by_unit = WorkItemFactory(plan=a, lead=town, text="加装电梯", year=2024)
    by_text = WorkItemFactory(plan=a, text="丁桥镇老旧小区改造", year=2023)
    by_indicator = WorkItemFactory(plan=a, text="别的", indicator_name="丁桥镇覆盖率", year=2023)
    WorkItemFactory(plan=world["b"]["plan"], lead=town, text="丁桥镇 另一方案")  # not this coordinator's
    login(client, world["coordinator"])
    url = reverse("admin:tasks_workitem_changelist")

    def found(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {o.pk for o in response.context["cl"].result_list}

    assert found(q="丁桥") == {by_unit.pk, by_text.pk, by_indicator.pk}
    assert found(q="丁桥 电梯") == {by_unit.pk}  # every word must match
    assert found(q='"丁桥镇老旧"') == {by_text.pk}
    assert found(q="丁桥", year="2024") == {by_unit.pk}
    years = client.get(url).context["cl"].filter_specs
    offered = next(s for s in years if getattr(s, "parameter_name", None) == "year").lookup_choices
    assert [y for y, _label in offered] == list(range(a.first_year, a.last_year + 1))
    for raw in ("²", "abc", "-1", "9" * 30):
        response = client.get(url, {"year": raw})
        assert response.status_code == 302 and response["Location"].endswith("?e=1"), raw


def test_the_reminder_lists_plan_filter_offers_the_users_plans_and_filters(client, world):
    a = world["a"]["plan"]
    other = PlanFactory(slug="plan-c")
    other.coordinators.add(world["coordinator"])
    login(client, world["coordinator"])
    url = reverse("admin:tasks_reminder_changelist")
    specs = client.get(url).context["cl"].filter_specs
    spec = next(s for s in specs if getattr(s, "parameter_name", None) == "work_item__plan")
    assert {pk for pk, _label in spec.lookup_choices} == {a.pk, other.pk}  # not plan b's, and plan c's too
    response = client.get(url, {"work_item__plan": a.pk})
    assert [r.pk for r in response.context["cl"].result_list] == [world["a"]["reminder"].pk]
    assert not client.get(url, {"work_item__plan": other.pk}).context["cl"].result_list
    for raw in ("²", "abc", "-1", "9" * 30):
        response = client.get(url, {"work_item__plan": raw})
        assert response.status_code == 302 and response["Location"].endswith("?e=1"), raw


def test_target_breakdowns_and_share_reports_are_scoped_to_the_coordinators_plans(client, world):
    """Coordinators may view breakdowns and share reports: of their own plans only (they listed every plan's)."""
    from tasks.models import TargetBreakdown, TargetShare, TargetShareReport
    from tasks.tests.factories import IndicatorFactory

    rows = {}
    for key in ("a", "b"):
        plan = world[key]["plan"]
        breakdown = TargetBreakdown.objects.create(indicator=IndicatorFactory(plan=plan), year=2023)
        share = TargetShare.objects.create(breakdown=breakdown, unit=UnitFactory(region=plan.region), value=5)
        report = TargetShareReport.objects.create(share=share, month=date(2023, 6, 1), value=2, reported_at=NOW)
        rows[key] = (breakdown, report)
    login(client, world["coordinator"])
    assert _listed(client, "targetbreakdown") == {rows["a"][0].pk}
    assert _listed(client, "targetsharereport") == {rows["a"][1].pk}
    for model, obj in (("targetbreakdown", rows["b"][0]), ("targetsharereport", rows["b"][1])):
        assert client.get(reverse(f"admin:tasks_{model}_change", args=[obj.pk])).status_code == 404
    assert client.get(reverse("admin:tasks_targetbreakdown_change", args=[rows["a"][0].pk])).status_code == 200


def test_records_of_the_workflow_are_read_only_in_the_admin(admin_client):
    """Status changes, progress reports, extension requests, indicator reports: made in the app, read here
    (an edit form would offer every work item, unit and user of a province in its selects)."""
    from tasks.models import ExtensionRequest, ProgressReport

    unit = UnitFactory()
    item = WorkItemFactory(plan=PlanFactory(region=unit.region), lead=unit)
    report = ProgressReport.objects.create(work_item=item, unit=unit, note="已开工", percent=30, created_at=NOW)
    extension = ExtensionRequest.objects.create(
        work_item=item, unit=unit, current_due_date=date(2023, 6, 30), proposed_due_date=date(2023, 8, 31),
        reason="汛期", requested_at=NOW)
    for model, obj in (("progressreport", report), ("extensionrequest", extension)):
        page = admin_client.get(reverse(f"admin:tasks_{model}_change", args=[obj.pk]))
        assert page.status_code == 200 and b"<select" not in page.content, model
        assert admin_client.get(reverse(f"admin:tasks_{model}_add")).status_code == 403
        response = admin_client.post(reverse(f"admin:tasks_{model}_change", args=[obj.pk]), {"work_item": "1"})
        assert response.status_code == 403
    report.refresh_from_db()
    assert report.note == "已开工"


def test_a_superuser_opens_every_kind_of_row_and_a_coordinator_no_account(client, admin_client, world):
    """Accounts, groups and login records are the province's: a superuser opens them, a coordinator with their
    permissions reaches none; an API token is reached by a coordinator only when its user works in a unit of
    the coordinator's plans' regions (their own, unit-less, is theirs to manage on the app's token page)."""
    from django.contrib.auth.models import Group

    from tasks.services.api_tokens import create_token
    from tasks.tests.daily_setup import MODEL_BACKEND

    token = create_token(world["coordinator"]).token
    group = Group.objects.create(name="专班")
    pages = [("auth_user", world["coordinator"].pk), ("auth_group", group.pk)]
    for model, pk in [*pages, ("tasks_apitoken", token.pk)]:
        assert admin_client.get(reverse(f"admin:{model}_change", args=[pk])).status_code == 200, model
    coordinator = world["coordinator"]
    coordinator.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="auth") | Permission.objects.filter(codename__endswith="_apitoken"))
    client.force_login(coordinator, backend=MODEL_BACKEND)
    for model, pk in pages:
        assert client.get(reverse(f"admin:{model}_changelist")).status_code == 403, model
        assert client.get(reverse(f"admin:{model}_change", args=[pk])).status_code == 404, model
    assert client.get(reverse("admin:tasks_apitoken_change", args=[token.pk])).status_code == 404
    assert reverse("admin:auth_user_changelist") not in client.get(reverse("admin:index")).content.decode()
