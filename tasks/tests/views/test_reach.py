"""Who cannot be reached (issue 31 §6): the coordinators' page of the people of their plans' units."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks.models import Message, Profile, WorkItemUnit
from tasks.rules import reach
from tasks.selectors.reach import problem_q, reach_people, unreachable_q
from tasks.tests.daily_setup import MODEL_BACKEND, liaison, make_world
from tasks.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
URL = "/reach/"
KEYS = count()


def message(user, channel: str, state: str, *, error: str = "", ago: timedelta = timedelta(hours=1), address=None):
    at = timezone.now() - ago
    sent = at if state in ("sent", "delivered") else None
    return Message.objects.create(
        key=f"t:{next(KEYS)}", purpose=Message.Purpose.REMINDER_DIGEST, channel=channel, recipient=user,
        address=address or user.email, subject="提醒", body="x", state=state, last_error=error, queued_at=at,
        sent_at=sent,
    )


@pytest.fixture
def sms_configured(settings):
    settings.SMS_PROVIDER = "tencent"
    settings.SMS_ACCESS_KEY_ID = settings.SMS_ACCESS_KEY_SECRET = "k"
    settings.SMS_SIGN_NAME, settings.SMS_TEMPLATE_CODE, settings.SMS_SDK_APP_ID = "住有宜居", "1", "1400"


@pytest.fixture
def w():
    return make_world()


def test_the_rule_names_each_channels_problem():
    status = reach.channel_status
    assert status(channel="email", configured=True, address="a@b.cn", last_state=None) == reach.WORKING
    assert status(channel="email", configured=True, address="a@b.cn", last_state="failed") == reach.BOUNCED
    assert status(channel="sms", configured=True, address="138", last_state="failed",
                  last_error="FailedOperation.PhoneNumberInBlacklist: 手机号在免打扰名单库中") == reach.BLACKLISTED
    assert status(channel="sms", configured=True, address="138", last_state="failed",
                  last_error="isv.BUSINESS_LIMIT_CONTROL") == reach.REFUSED
    assert status(channel="dingtalk", configured=True, address="", last_state=None) == reach.NO_ADDRESS
    assert status(channel="dingtalk", configured=False, address="", last_state="failed") == reach.NOT_CONFIGURED
    assert status(channel="zzd", configured=True, address="z1", last_state="gave_up") == reach.GAVE_UP_STATUS
    assert status(channel="email", configured=True, address="a@b.cn", last_state="uncertain") == reach.UNCERTAIN_STATUS
    assert status(channel="email", configured=True, address="a@b.cn", last_state="delivered") == reach.WORKING
    r = reach.person_reach(addresses={"email": "a@b.cn", "sms": ""}, configured={"sms"},
                           last={"email": ("failed", "550")})
    assert r.working == [] and not r.reachable
    assert r.problems == [("email", reach.BOUNCED), ("sms", reach.NO_ADDRESS)]


def test_the_page_shows_per_unit_and_person_channels_deliveries_and_failures(client, w, sms_configured):
    Profile.objects.filter(user=w.lead_user).update(mobile="13800000001")
    message(w.lead_user, "email", "sent", ago=timedelta(days=2))
    message(w.lead_user, "email", "failed", error="(550, b'5.1.1 User unknown')")  # the last one bounced
    message(w.lead_user, "sms", "delivered", address="13800000001")
    Profile.objects.filter(user=w.support_user).update(mobile="13800000002")
    message(w.support_user, "sms", "failed", address="13800000002",
            error="FailedOperation.PhoneNumberInBlacklist: 手机号在免打扰名单库中")
    message(w.support_user, "email", "gave_up")
    client.force_login(w.coordinator, backend=MODEL_BACKEND)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    rows = {name: html.split(f">{name} <small", 1)[1].split("</tr>", 1)[0] for name in ("lead", "support", "other")}
    assert "邮件：邮件被退回" in rows["lead"] and "短信" in rows["lead"].split("邮件被退回")[0]
    assert "无法触达" in rows["support"]
    assert "短信：号码在黑名单" in rows["support"] and "邮件：多次失败已放弃" in rows["support"]
    assert "无手机号" in rows["other"]  # SMS is configured, and 区教育局's liaison has no mobile
    assert "区建设局" in html and "区财政局" in html
    # Reach is never a score: no rank, no percentage.
    table = html.split('id="reach-table"')[1].split("</table>")[0]
    assert "排名" not in table and "%" not in table and "得分" not in table
    # Filters and sorting.
    unreachable = client.get(URL, {"problem": "unreachable"}).content.decode()
    assert ">support <small" in unreachable and ">lead <small" not in unreachable
    ok = client.get(URL, {"problem": "ok"}).content.decode()
    assert ">lead <small" not in ok and ">support <small" not in ok
    found = client.get(URL, {"q": "财政"}).content.decode()
    assert ">support <small" in found and ">lead <small" not in found
    by_failures = client.get(URL, {"sort": "-failures"}).content.decode()
    assert by_failures.index(">support <small") < by_failures.index(">other <small")


def test_the_page_is_for_coordinators_and_scoped_to_their_plans_units(client, w):
    outsider_unit = UnitFactory(region=w.plan.region, name="区外单位")
    outsider = liaison(outsider_unit, "outsider")
    client.force_login(w.coordinator, backend=MODEL_BACKEND)
    html = client.get(URL).content.decode()
    assert ">lead <small" in html and ">outsider <small" not in html and "区外单位" not in html
    client.force_login(w.other_coordinator, backend=MODEL_BACKEND)  # their plan holds no unit yet
    html = client.get(URL).content.decode()
    assert ">lead <small" not in html
    WorkItemUnit.objects.create(work_item=w.other_item, unit=outsider_unit, role="support")
    client.force_login(w.coordinator, backend=MODEL_BACKEND)
    assert ">outsider <small" in client.get(URL).content.decode()
    for who in (w.lead_user, outsider):
        client.force_login(who, backend=MODEL_BACKEND)
        assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_the_coordinators_navigation_links_to_the_page(client, w):
    client.force_login(w.coordinator, backend=MODEL_BACKEND)
    assert f'href="{reverse("tasks:reach")}"' in client.get("/").content.decode()
    client.force_login(w.lead_user, backend=MODEL_BACKEND)
    assert f'href="{reverse("tasks:reach")}"' not in client.get("/").content.decode()


def test_units_with_no_one_to_reach_are_listed(client, w):
    Profile.objects.filter(unit=w.other).delete()
    w.other.emails = ""
    w.other.save(update_fields=["emails"])
    client.force_login(w.coordinator, backend=MODEL_BACKEND)
    html = client.get(URL).content.decode()
    section = html.split('id="units-without-people"')[1]
    assert "区教育局" in section and "无法触达" in section


def test_the_sql_filter_agrees_with_the_rule(w, sms_configured):
    message(w.lead_user, "email", "failed")
    message(w.support_user, "email", "delivered")
    Profile.objects.filter(user=w.support_user).update(mobile="13800000002")
    message(w.other_user, "email", "uncertain")
    now = timezone.now()
    for configured in (frozenset(), frozenset({"sms"}), frozenset({"sms", "dingtalk", "zzd"})):
        people = list(reach_people(plan_ids=[w.plan.pk], now=now))
        assert len(people) == 3
        for p in people:
            r = reach.person_reach(
                addresses={"email": p.user.email, "dingtalk": p.dingtalk_id, "zzd": p.zzd_id, "sms": p.mobile},
                configured=configured, last={c: (getattr(p, f"{c}_state"), getattr(p, f"{c}_error") or "")
                                             for c in reach.CHANNELS})
            qs = reach_people(plan_ids=[w.plan.pk], now=now).filter(pk=p.pk)
            assert qs.filter(problem_q(configured=configured)).exists() == reach.has_problem(r), (p, configured)
            assert qs.filter(unreachable_q(configured=configured)).exists() == (not r.reachable), (p, configured)


def test_the_page_costs_the_same_queries_for_3_or_30_people(client, w):
    client.force_login(w.coordinator, backend=MODEL_BACKEND)
    client.get(URL)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx)

    few = queries()
    for i in range(27):
        u = liaison(w.lead if i % 2 else w.support, f"extra{i}")
        message(u, "email", "failed" if i % 3 else "sent")
    assert Profile.objects.count() >= 30
    assert queries() == few


def test_the_page_opens_on_who_cannot_be_reached_then_who_has_a_problem(client, w, sms_configured):
    """Journey 13: the page listed everyone by unit name, so the two liaisons with no working channel were
    somewhere among eighty. Unreachable first, then a problem, then the rest; a column's sort still rules."""
    ok = [liaison(UnitFactory(region=w.plan.region, name=f"区一单位{i}"), f"ok{i}") for i in range(3)]
    for person in ok:
        WorkItemUnit.objects.create(work_item=w.item, unit=person.profile.unit, role="support")
    Profile.objects.filter(user__in=[*ok, w.support_user]).update(mobile="13800000009")
    get_user_model().objects.filter(pk=w.other_user.pk).update(email="")  # 区教育局: no e-mail, no mobile
    # 区建设局's liaison: e-mail works, no mobile for SMS (a problem); the rest reach on both.
    client.force_login(w.coordinator, backend=MODEL_BACKEND)
    html = client.get(URL).content.decode()
    names = ["other", "lead", "ok0", "ok1", "ok2", "support"]
    assert sorted(names, key=lambda n: html.index(f">{n} <small")) == names
    by_unit = client.get(URL, {"sort": "unit"}).content.decode()
    assert by_unit.index(">ok0 <small") < by_unit.index(">lead <small")  # 区一单位0 before 区建设局
