"""Every admin page of every registered model, as a coordinator of another plan: nothing shown, nothing written
(issue 30).

Two regions, each with one plan and one of every row the admin lists (``_populate``, made as the app makes
them). Plan A's coordinator holds every model permission of every registered model (not ``view_all_plans``
or ``act_on_all_plans``): only the scope stops them. For every model the admin site registers (read from its
registry: a model admin added later is swept too, and fails ``_populate``'s check until plan B has a row of
it) and every row of plan B / region B (the rows ``_populate("b")`` made), the sweep asks for the list (the
row not listed), the change, delete, history and "view on site" pages (refused), posts the change form with altered data
and the delete confirmation (refused, nothing written anywhere: every table compared before and after),
runs every action of the model on B's rows (nothing written), opens each add form and plan A's own rows'
change forms (no choice, inline's included, offers a row of B) and posts the add forms with B's keys
(nothing written), and asks each autocomplete of every form (B's rows not offered).

A user who sees every plan (``view_all_plans``) and coordinates plan A is swept alike: B's rows may be
shown, never written. A holder of ``act_on_all_plans`` writes them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.test import RequestFactory
from django.urls import reverse

from tasks.models import (
    GroupRobot,
    IndicatorReport,
    Message,
    Profile,
    Reminder,
    ReminderRun,
    ReminderSettings,
    RoundupDelivery,
    RoundupRecipient,
    RoundupSettings,
    TargetBreakdown,
    TargetBreakdownChange,
    TargetShare,
    TargetShareReport,
    Unit,
    UnitAlias,
)
from tasks.notifications.services import message_queue
from tasks.roundups.periods import Period
from tasks.services.api_tokens import create_token
from tasks.services.documents import bulletin_for_roundup
from tasks.services.notices import notices_issue_for_items
from tasks.services.reports import work_item_request_close
from tasks.services.review import extension_request_create
from tasks.services.roundups import roundup_generate
from tasks.tests.daily_setup import MODEL_BACKEND, pdf, user
from tasks.tests.factories import (
    IndicatorFactory,
    IndicatorTargetFactory,
    KeyTaskFactory,
    PlanFactory,
    RegionFactory,
    UnitFactory,
    WorkItemFactory,
)
from tasks.tests.hardening.sweeps import built_once, copy_for_test, table_rows, tables_changed

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # two sweeps of every admin page: tens of seconds




TODAY = date(2023, 7, 3)
NOW = datetime(2023, 7, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))

#: Models whose rows belong to every plan: the working-day calendar. Not swept here (every coordinator reads it;
#: only the province writes it: test_admin_scoping's calendar test).
SHARED = {"tasks.CalendarOverride"}
#: Tables a request writes whoever sends it (the session), left out of "nothing written".
UNWATCHED = {"sessions.Session"}


def _populate(tag: str) -> dict:
    """A region ``tag`` with one plan and one row of every kind the admin lists, and its people."""
    region = RegionFactory(name=f"{tag}区", slug=f"region-{tag}")
    plan = PlanFactory(region=region, slug=f"plan-{tag}", title=f"{tag}实施方案")
    coordinator = user(f"coord-{tag}", is_staff=True)
    plan.coordinators.add(coordinator)
    lead, support, spare = (UnitFactory(region=region, name=f"{tag}{name}") for name in ("建设局", "财政局", "教育局"))
    UnitFactory(region=region, name=f"{tag}街道", kind=Unit.Kind.TOWN, town_kind="街道")
    UnitAlias.objects.create(unit=lead, name=f"{tag}建局")
    liaison = user(f"liaison-{tag}", first_name=f"{tag}联络员")
    Profile.objects.create(user=liaison, unit=lead)
    key_task = KeyTaskFactory(plan=plan, title=f"{tag}重点任务", lead=lead, supporting=[support])
    indicator = IndicatorFactory(plan=plan, name=f"{tag}指标", key_task=key_task)
    IndicatorTargetFactory(indicator=indicator, year=2023)
    item = WorkItemFactory(plan=plan, key_task=key_task, indicator=indicator, text=f"{tag}工作事项", lead=lead,
                           supporting=[support], deadline=date(2023, 6, 10), due_date=date(2023, 6, 10))
    overdue = WorkItemFactory(plan=plan, text=f"{tag}逾期事项", lead=spare, deadline=date(2023, 5, 10),
                              due_date=date(2023, 5, 10))
    work_item_request_close(item=item, user=liaison, note="已完成", files=[pdf()])  # report, evidence, change
    spare_user = user(f"spare-{tag}")
    Profile.objects.create(user=spare_user, unit=spare)
    extension_request_create(item=overdue, user=spare_user, reason="汛期",
                             proposed_due_date=date.today() + timedelta(days=60))
    IndicatorReport.objects.create(indicator=indicator, month=date(2023, 6, 1), value=Decimal("3"), unit=lead,
                                   reported_at=NOW)
    breakdown = TargetBreakdown.objects.create(indicator=indicator, year=2023)
    share = TargetShare.objects.create(breakdown=breakdown, unit=lead, value=Decimal("5"))
    TargetShareReport.objects.create(share=share, month=date(2023, 6, 1), value=Decimal("2"), reported_at=NOW)
    TargetBreakdownChange.objects.create(breakdown=breakdown, at=NOW, action="create", unit=lead)
    settings = RoundupSettings.objects.create(plan=plan)
    RoundupRecipient.objects.create(settings=settings, name=f"{tag}领导", email=f"leader-{tag}@example.gov.cn")
    ReminderSettings.objects.create(plan=plan)
    ReminderRun.objects.create(plan=plan, day=TODAY, started_at=NOW)
    Reminder.objects.create(
        work_item=overdue, kind=Reminder.Kind.OVERDUE, deadline=overdue.due_date, step=0,
        email=f"{tag}@example.gov.cn", role=Reminder.RecipientRole.LEAD, scheduled_for=TODAY,
        status=Reminder.Status.FAILED, attempts=6, last_error="SMTP down", created_at=NOW)
    roundup, _created = roundup_generate(plan=plan, period=Period.month(2023, 6), today=TODAY)
    RoundupDelivery.objects.create(roundup=roundup, email=f"unit-{tag}@example.gov.cn", unit=lead)
    bulletin_for_roundup(roundup=roundup, actor=coordinator)
    notices_issue_for_items(items=[overdue], actor=coordinator, today=TODAY)
    # The outbox: a message about the plan, the plan's group robot and a unit's.
    message_queue(key=f"test:{tag}", purpose=Message.Purpose.TEST, channel="email",
                  address=f"{tag}@example.gov.cn", subject="测试", body="测试", plan_ids=(plan.pk,), kick=False)
    GroupRobot.objects.create(name=f"{tag}专班群", kind=GroupRobot.Kind.DINGTALK, plan=plan,
                              webhook=f"https://oapi.dingtalk.com/robot/send?access_token={tag}")
    GroupRobot.objects.create(name=f"{tag}建设局群", kind=GroupRobot.Kind.WECOM, unit=lead,
                              webhook=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={tag}")
    # Accounts and their records: the province's.
    create_token(liaison)
    Group.objects.create(name=f"{tag}组")
    login = {"username": liaison.username, "ip_address": "10.0.0.1", "user_agent": "x", "http_accept": "*/*",
             "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(**login, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**login)
    AccessFailureLog.objects.create(**login)
    return {"plan": plan, "coordinator": coordinator, "units": [lead, support, spare]}


def _rows() -> dict[type, dict]:
    """Every row of every model by its key as the admin reads it (a DRF token's is its user's id)."""
    return {model: {obj.pk: obj for obj in model._base_manager.all()} for model in apps.get_models()}


def _registry():
    return sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)


def _holding_every_model_permission(person, *extra: str):
    """``person`` as staff with every permission of every model but seeing and acting on every plan
    (``extra``: those too)."""
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    person.user_permissions.set(Permission.objects.exclude(
        codename__in={"view_all_plans", "act_on_all_plans"} - set(extra), content_type__app_label="tasks"))
    return get_user_model().objects.get(pk=person.pk)  # no cached permissions


@pytest.fixture(scope="module")
def scope_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The two regions, built once for the module's tests (they were built for each): in a transaction rolled
    back after the module, each test in a savepoint of its own (``sweeps.built_once``); the evidence files in a
    folder of the module's."""
    media = tmp_path_factory.mktemp("admin-scope-media")
    with built_once(django_db_blocker, media):
        a = _populate("a")
        ours = _rows()
        b = _populate("b")
        theirs = {model: {pk: obj for pk, obj in rows.items() if pk not in ours[model]}
                  for model, rows in _rows().items()}
        yield {"a": a, "b": b, "ours": ours, "theirs": {m: pks for m, pks in theirs.items() if pks}}, media


@pytest.fixture
def world(scope_world, monkeypatch, settings):
    """A copy of the module's world for one test (what a test changes on its objects stays in its copy)."""
    return copy_for_test(*scope_world, monkeypatch, settings)


def _request_as(person):
    request = RequestFactory().get("/admin/")
    request.user = person
    return request


def _value(field: forms.Field, value):
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return "on" if value else None
    return None if value is None else str(value)


def _posted(form, altered: bool) -> dict:
    """``form``'s data as a browser posts it; ``altered``: each text changed (an email to an attacker's)."""
    data = {}
    for name, field in form.fields.items():
        value = _value(field, form[name].value())
        if value is None:
            continue
        if altered and isinstance(field, forms.EmailField):
            value = "attacker@example.com"
        elif altered and isinstance(field, forms.CharField) and not isinstance(field, forms.SlugField):
            value = f"{value}篡改"
        data[form.add_prefix(name)] = value
    return data


def _management(model_admin, request, obj) -> dict:
    """Empty management forms for each inline of ``model_admin`` (no inline row posted)."""
    data = {}
    for formset, _inline in model_admin.get_formsets_with_inlines(request, obj):
        prefix = formset.get_default_prefix()
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
                     f"{prefix}-MAX_NUM_FORMS": "1000"})
    return data


def _forms_of(context) -> list:
    """Every form a rendered admin page holds: the model's, its inlines' (and their blank row), a custom one."""
    found = []
    if context.get("adminform") is not None:
        found.append(context["adminform"].form)
    for inline in context.get("inline_admin_formsets") or []:
        found += [*inline.formset.forms, inline.formset.empty_form]
    if isinstance(context.get("form"), forms.BaseForm):
        found.append(context["form"])
    return found


def _offered(form, theirs) -> list[str]:
    """Fields of ``form`` whose choices hold one of ``theirs``' rows."""
    out = []
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        shown = set(queryset.values_list("pk", flat=True)) & set(theirs.get(queryset.model, ()))
        if shown:
            out.append(f"{name}: {sorted(shown)[:5]}")
    return out


def _filters_offer(model, specs, theirs) -> list[str]:
    """The list filters (by a related row: a region, a plan, a key task) offering one of ``theirs``' rows."""
    out = []
    for spec in specs:
        path = getattr(spec, "field_path", None) or getattr(spec, "parameter_name", None) or ""
        for suffix in ("__id__exact", "__exact"):
            path = path.removesuffix(suffix)
        try:
            related = get_fields_from_path(model, path)[-1].related_model
        except (FieldDoesNotExist, NotRelationField):
            continue
        if related is None:
            continue
        offered = {str(choice[0] if isinstance(choice, list | tuple) else choice)
                   for choice in getattr(spec, "lookup_choices", None) or []}
        shown = offered & {str(pk) for pk in theirs.get(related, ())}
        if shown:
            out.append(f"{path}: {sorted(shown)}")
    return out


def _sweep(client, person, world, *, sees: bool) -> list:
    """Every registered model's admin pages as ``person`` on plan B's rows; the findings. ``sees``: the user
    may be shown B's rows (not write them)."""
    superuser = get_user_model().objects.create_superuser("root-sweep", "root@example.gov.cn", "x")
    findings = []
    for model, model_admin in _registry():
        if model._meta.label in SHARED:
            continue
        client.force_login(person, backend=MODEL_BACKEND)
        try:
            findings += _sweep_model(client, person, superuser, model, model_admin, world, sees=sees)
        except Exception as exc:  # a crash is a finding too, reported with the others
            findings.append((model._meta.label, "raised", f"{type(exc).__name__}: {str(exc)[:100]}"))
    return findings


def _sweep_model(client, person, superuser, model, model_admin, world, *, sees: bool) -> list:
    theirs, ours = world["theirs"], world["ours"]
    label = model._meta.label
    mine, rows = sorted(ours.get(model, ())), sorted(theirs.get(model, ()))
    if not rows:
        return [(label, "plan B has no row of it: make one in _populate")]
    findings = []
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    changelist = reverse(f"{prefix}_changelist")
    # The list: B's rows not listed.
    response = client.get(changelist, {"all": ""})
    if response.status_code == 200:
        listed = {obj.pk for obj in response.context["cl"].result_list}
        if not sees and listed & set(rows):
            findings.append((label, "listed", sorted(listed & set(rows))))
        if not sees:
            findings += [(label, "filter offers", found) for found in _filters_offer(
                model, response.context["cl"].filter_specs, theirs)]
    elif response.status_code != 403:
        findings.append((label, "list", response.status_code))
    as_superuser = _request_as(superuser)
    for pk in rows:
        obj = theirs[model][pk]
        for view in ("change", "delete", "history"):
            status = client.get(reverse(f"{prefix}_{view}", args=[pk])).status_code
            if status not in ({200, 403, 404} if sees else {403, 404}):
                findings.append((label, pk, f"GET {view}", status))
        if hasattr(model, "get_absolute_url"):  # the admin's "view on site" redirect tells the row's address
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
            status = client.get(reverse("admin:view_on_site", args=[content_type.pk, pk])).status_code
            if status not in ({302, 404} if sees else {404}):
                findings.append((label, pk, "GET view on site", status))
        form = model_admin.get_form(as_superuser, obj)(instance=obj)
        changed = {**_posted(form, altered=True), **_management(model_admin, as_superuser, obj), "_save": "1"}
        for view, data in (("change", changed), ("delete", {"post": "yes"})):
            before = table_rows(UNWATCHED)
            status = client.post(reverse(f"{prefix}_{view}", args=[pk]), data).status_code
            if status not in {403, 404}:
                findings.append((label, pk, f"POST {view}", status))
            if wrote := tables_changed(before, UNWATCHED):
                findings.append((label, pk, f"POST {view} wrote", wrote))
    # Every action, on B's rows, confirmed: nothing written.
    mine_actions = set(model_admin.get_actions(_request_as(person)))
    for action in sorted(mine_actions | set(model_admin.get_actions(as_superuser))):
        before = table_rows(UNWATCHED)
        response = client.post(changelist, {
            "action": action, "index": "0", "_selected_action": [str(pk) for pk in rows], "apply": "1",
            "confirm": "1", "post": "yes", "into": str(rows[0]), "year": "2024"})
        if wrote := tables_changed(before, UNWATCHED):
            findings.append((label, action, "action wrote", wrote))
        # Refused (back to the list), or not among the user's actions (the list again: Django ignores it).
        if response.status_code not in {302, 403} and not (
                response.status_code == 200 and "cl" in response.context and action not in mine_actions):
            findings.append((label, action, "action", response.status_code))
    # The add form and plan A's own rows' forms: no choice of B's; the add form posted with B's keys.
    add = reverse(f"{prefix}_add")
    response = client.get(add)
    if response.status_code == 200:
        for form in _forms_of(response.context):
            findings += [(label, "add offers", found) for found in _offered(form, theirs)]
            data = _posted(form, altered=False)
            for name, field in form.fields.items():
                foreign = sorted(theirs.get(getattr(getattr(field, "queryset", None), "model", None), ()))
                if foreign:
                    many = isinstance(field, forms.ModelMultipleChoiceField)
                    data[form.add_prefix(name)] = [str(pk) for pk in foreign] if many else str(foreign[0])
            before = table_rows(UNWATCHED)
            client.post(add, {**data, **_management(model_admin, as_superuser, None)})
            if wrote := tables_changed(before, UNWATCHED):
                findings.append((label, "add with B's keys wrote", wrote))
    for pk in mine[:3]:
        response = client.get(reverse(f"{prefix}_change", args=[pk]))
        if response.status_code == 200:
            for form in _forms_of(response.context):
                findings += [(label, pk, "change offers", found) for found in _offered(form, theirs)]
    # Every autocomplete of the model's forms and its inlines': B's rows not offered.
    sources = [(model, name) for name in model_admin.get_autocomplete_fields(as_superuser)]
    for inline in model_admin.get_inline_instances(as_superuser):
        sources += [(inline.model, name) for name in inline.get_autocomplete_fields(as_superuser)]
    for source, name in sources:
        remote = source._meta.get_field(name).remote_field.model
        for term in ("", "b"):
            response = client.get(reverse("admin:autocomplete"), {
                "app_label": source._meta.app_label, "model_name": source._meta.model_name,
                "field_name": name, "term": term})
            if response.status_code == 200:
                offered = {result["id"] for result in response.json()["results"]}
                shown = offered & {str(pk) for pk in theirs.get(remote, ())}
                if shown:
                    findings.append((label, f"autocomplete {source._meta.model_name}.{name}", sorted(shown)))
            elif response.status_code != 403:
                findings.append((label, f"autocomplete {name}", response.status_code))
    return findings


def test_a_coordinator_of_plan_a_reaches_nothing_of_plan_b(client, world):
    coordinator = _holding_every_model_permission(world["a"]["coordinator"])
    findings = _sweep(client, coordinator, world, sees=False)
    assert not findings, "\n".join(map(str, findings))


def test_seeing_every_plan_writes_none_but_ones_own(client, world):
    """``view_all_plans`` (here with plan A coordinated, and every model permission): B's rows may be
    shown, never written, and no form offers them."""
    viewer = _holding_every_model_permission(world["a"]["coordinator"], "view_all_plans")
    findings = _sweep(client, viewer, world, sees=True)
    assert not findings, "\n".join(map(str, findings))


def test_the_sweep_reaches_every_registered_model_and_its_rows(world):
    """Plan B has a row of every registered model (but the shared calendar), so the sweep above asks for
    each model's pages; the shared ones are those the scope calls shared."""
    from tasks.owners import owner_of

    missing = [model._meta.label for model, _a in _registry()
               if model._meta.label not in SHARED and not world["theirs"].get(model)]
    assert not missing
    assert {model._meta.label for model, _a in _registry() if owner_of(model).shared} == SHARED


def test_acting_on_every_plan_writes_another_regions_unit(client, world):
    """``act_on_all_plans`` writes in the admin what ``view_all_plans`` only reads."""
    actor = _holding_every_model_permission(world["a"]["coordinator"], "view_all_plans", "act_on_all_plans")
    unit = world["b"]["units"][0]
    client.force_login(actor, backend=MODEL_BACKEND)
    url = reverse("admin:tasks_unit_change", args=[unit.pk])
    form = admin.site._registry[Unit].get_form(_request_as(actor), unit)(instance=unit)
    data = {**_posted(form, altered=False), "emails": "new@example.gov.cn", "_save": "1",
            **_management(admin.site._registry[Unit], _request_as(actor), unit)}
    before = table_rows(UNWATCHED)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    unit.refresh_from_db()
    assert unit.emails == "new@example.gov.cn"
    assert "tasks.Unit" in tables_changed(before, UNWATCHED)  # the sweeps' "nothing written" sees a write


def test_a_coordinator_edits_their_own_regions_unit_and_not_with_another_regions_choices(client, world):
    """The refusals above are the scope's: the same coordinator saves their own unit, and a key task of
    their plan, but not with a unit of region B in its lead rows."""
    coordinator = _holding_every_model_permission(world["a"]["coordinator"])
    client.force_login(coordinator, backend=MODEL_BACKEND)
    unit_admin = admin.site._registry[Unit]
    request = _request_as(coordinator)
    mine = world["a"]["units"][0]
    form = unit_admin.get_form(request, mine)(instance=mine)
    data = {**_posted(form, altered=False), "emails": "new@example.gov.cn", "_save": "1",
            **_management(unit_admin, request, mine)}
    assert client.post(reverse("admin:tasks_unit_change", args=[mine.pk]), data).status_code == 302
    mine.refresh_from_db()
    assert mine.emails == "new@example.gov.cn"
    from tasks.models import KeyTask, KeyTaskUnit

    task = KeyTask.objects.get(plan=world["a"]["plan"])
    page = client.get(reverse("admin:tasks_keytask_change", args=[task.pk]))
    form = page.context["adminform"].form
    formset = page.context["inline_admin_formsets"][0].formset
    data = {**_posted(form, altered=False), "_save": "1", **{
        f"{formset.prefix}-{key}": value for key, value in (
            ("TOTAL_FORMS", str(len(formset.forms) + 1)), ("INITIAL_FORMS", str(len(formset.forms))),
            ("MIN_NUM_FORMS", "0"), ("MAX_NUM_FORMS", "1000"))}}
    for row in formset.forms:
        data.update(_posted(row, altered=False))
    blank = f"{formset.prefix}-{len(formset.forms)}"
    theirs = world["b"]["units"][2]
    data.update({f"{blank}-unit": str(theirs.pk), f"{blank}-role": "support", f"{blank}-position": "9",
                 f"{blank}-key_task": str(task.pk)})
    response = client.post(reverse("admin:tasks_keytask_change", args=[task.pk]), data)
    assert response.status_code == 200  # the form again, with the error
    assert not KeyTaskUnit.objects.filter(key_task=task, unit=theirs).exists()
    data[f"{blank}-unit"] = str(world["a"]["units"][2].pk)
    response = client.post(reverse("admin:tasks_keytask_change", args=[task.pk]), data)
    assert response.status_code == 302
    assert KeyTaskUnit.objects.filter(key_task=task, unit=world["a"]["units"][2]).exists()
