"""The public 晾晒 pages: off by default, published roundups only, the office's sections, no personal data,
the page, CSV and JSON from one function, one statement whatever the number of items."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from tasks.importers.decisions import parse_decisions
from tasks.models import (
    IndicatorReport,
    KeyTask,
    PersonRole,
    Profile,
    ProgressReport,
    Roundup,
    RoundupSettings,
    Unit,
    WorkItem,
)
from tasks.roundups.periods import Period
from tasks.selectors.public import COLUMNS, DEPARTMENT_RANKING, INDICATORS, OVERDUE, public_figures
from tasks.services.decisions import decisions_import
from tasks.services.roundups import roundup_generate, roundup_publish, roundup_regenerate
from tasks.tests.daily_setup import bulk_items, login, make_world, user

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def _setup(*, published: bool = True, enabled: bool = True, overdue: bool = True, reported=None):
    today = date.today()
    w = make_world(today=today)
    month_end = today.replace(day=1) - timedelta(days=1)
    period = Period.month(month_end.year, month_end.month)
    late = WorkItem.objects.create(plan=w.plan, year=period.end.year, text="完成老旧小区改造30个",
                                   key_task=w.key_task, deadline=period.start, due_date=period.start)
    late.assignments.create(unit=w.lead, role="lead")
    # A liaison's note on the overdue item names a person and a mobile: it is in the snapshot, never public.
    w.lead_user.first_name, w.lead_user.last_name = "三", "张"
    w.lead_user.save()
    Profile.objects.filter(user=w.lead_user).update(mobile="13912345678")
    ProgressReport.objects.create(work_item=late, unit=w.lead, author=w.lead_user, note="联系人张三，电话13912345678",
                                  created_at=datetime.combine(period.start, datetime.min.time(), tzinfo=TZ))
    # A leader's instruction, raised by a 分管领导's account, its source naming the leader: counted in the units'
    # results (and so in the public columns of such items); who gave it and its source are never public.
    leader = user("fenguan", first_name="五", last_name="王")
    Profile.objects.create(user=leader, unit=w.lead, role=PersonRole.LEADER, mobile="13800001111")
    Unit.objects.filter(pk=w.lead.pk).update(leader_name="赵六", leader_email="zhaoliu@example.gov.cn")
    decisions_import(
        plan=w.plan, origin=WorkItem.Origin.INSTRUCTION, origin_ref="王五副区长批示（2026第3号）", origin_by="王五",
        raised_by=leader, actor=w.coordinator,
        parsed=parse_decisions(f"一、由区建设局牵头，区财政局配合，于{period.start.year}年{period.start.month}月"
                               f"{period.start.day}日前完成危房排查。"))
    if reported is not None:  # the indicator's value reported for the period's month
        IndicatorReport.objects.create(indicator=w.indicator, month=period.start, value=reported,
                                       reported_at=datetime.combine(period.start, datetime.min.time(), tzinfo=TZ))
    RoundupSettings.objects.update_or_create(plan=w.plan, defaults={"public_enabled": enabled,
                                                                    "public_overdue": overdue})
    roundup, _ = roundup_generate(plan=w.plan, period=period, today=today, actor=w.coordinator)
    if published:
        roundup_publish(roundup=roundup, actor=w.coordinator)
    return w, period, roundup


def _urls(slug: str, key: str) -> list[str]:
    return [
        reverse("tasks:public_index", args=[slug]),
        reverse("tasks:public_roundup", args=[slug, key]),
        reverse("tasks:public_roundup_json", args=[slug, key]),
        reverse("tasks:public_roundup_csv", args=[slug, key, DEPARTMENT_RANKING]),
    ]


def test_public_page_is_off_by_default():
    assert RoundupSettings().public_enabled is False


def test_a_plan_with_the_page_off_is_a_404_to_a_logged_out_visitor():
    w, period, _ = _setup(enabled=False)
    for url in _urls(w.plan.slug, period.key):
        assert Client().get(url).status_code == 404, url


def test_a_draft_is_never_public():
    w, period, roundup = _setup(published=False)
    assert roundup.status == Roundup.Status.DRAFT
    for url in _urls(w.plan.slug, period.key):
        assert Client().get(url).status_code == 404, url


def test_unknown_plan_period_or_section_is_a_404():
    w, period, _ = _setup()
    client = Client()
    for url in [
        reverse("tasks:public_index", args=["no-such-plan"]),
        reverse("tasks:public_roundup", args=[w.plan.slug, "2020-01"]),
        reverse("tasks:public_roundup", args=[w.plan.slug, "2020-13"]),
        reverse("tasks:public_roundup", args=[w.plan.slug, "abc"]),
        reverse("tasks:public_roundup", args=[w.other_plan.slug, period.key]),
        reverse("tasks:public_roundup_csv", args=[w.plan.slug, period.key, "units"]),
    ]:
        assert client.get(url).status_code == 404, url


def test_published_roundup_is_public_without_login_at_a_stable_address():
    w, period, _ = _setup()
    client = Client()
    index = client.get(f"/public/{w.plan.slug}/")
    assert index.status_code == 200
    assert f"/public/{w.plan.slug}/{period.key}/" in index.content.decode()
    page = client.get(f"/public/{w.plan.slug}/{period.key}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "区建设局" in text and "完成老旧小区改造30个" in text
    assert "public" in page["Cache-Control"]
    assert client.post(f"/public/{w.plan.slug}/{period.key}/").status_code == 405


def test_page_csv_and_json_show_the_same_figures():
    w, period, _ = _setup()
    client = Client()
    figures = public_figures(slug=w.plan.slug, period_key=period.key)
    body = client.get(f"/public/{w.plan.slug}/{period.key}.json")
    assert body["Content-Type"].startswith("application/json")
    assert json.loads(body.content) == figures
    assert figures["sections"] == ["town_ranking", DEPARTMENT_RANKING, INDICATORS, OVERDUE]
    page = client.get(f"/public/{w.plan.slug}/{period.key}/").content.decode()
    for section in figures["sections"]:
        response = client.get(f"/public/{w.plan.slug}/{period.key}/{section}.csv")
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == [str(label) for _key, label in COLUMNS[section]]
        assert len(rows) - 1 == len(figures[section])
        for row, data in zip(rows[1:], figures[section], strict=True):
            for (key, _label), cell in zip(COLUMNS[section], row, strict=True):
                value = data[key]
                if isinstance(value, int | float) and key != "colour":
                    assert float(cell) == pytest.approx(value), (section, key)
                    if key not in ("on_time_rate", "support_on_time_rate", "progress", "expected", "score"):
                        assert str(value) in page
    lead = next(r for r in figures[DEPARTMENT_RANKING] if r["unit"] == "区建设局")
    assert (lead["overdue"], lead["outside_due"]) == (2, 1)  # the plan's item and the instruction
    assert [r["text"] for r in figures[OVERDUE]][0] == "完成老旧小区改造30个"
    assert "危房排查" in figures[OVERDUE][1]["text"]  # overdue work from an instruction is listed as any


def test_sections_follow_the_plan_settings():
    w, period, _ = _setup(overdue=False)
    RoundupSettings.objects.filter(plan=w.plan).update(public_indicators=False)
    client = Client()
    figures = json.loads(client.get(f"/public/{w.plan.slug}/{period.key}.json").content)
    assert OVERDUE not in figures["sections"] and OVERDUE not in figures
    assert INDICATORS not in figures
    page = client.get(f"/public/{w.plan.slug}/{period.key}/").content.decode()
    assert "完成老旧小区改造30个" not in page and "保障性租赁住房累计建设筹集套数" not in page
    assert client.get(f"/public/{w.plan.slug}/{period.key}/{OVERDUE}.csv").status_code == 404
    assert client.get(f"/public/{w.plan.slug}/{period.key}/{DEPARTMENT_RANKING}.csv").status_code == 200


def _values(node) -> list[str]:
    if isinstance(node, dict):
        return [v for value in node.values() for v in _values(value)]
    if isinstance(node, list):
        return [v for value in node for v in _values(value)]
    return [str(node)]


def _items_naming_people(w, period):
    """Overdue items whose text, as typed, names people: a plan item naming a liaison, her mobile, an account's
    username and email, a key task's 责任领导; an instruction naming the leader who gave it (its source names
    him too); a meeting's decision naming a unit's 分管领导."""
    KeyTask.objects.filter(pk=w.key_task.pk).update(leaders="孙七（副区长）、周八")
    item = WorkItem.objects.create(
        plan=w.plan, year=period.end.year, key_task=w.key_task, deadline=period.start, due_date=period.start,
        text="联系人张三（13912345678，Lead@Example.gov.cn），账号fenguan，由孙七、周八督导，完成棚户区改造")
    item.assignments.create(unit=w.lead, role="lead")
    day = f"{period.start.year}年{period.start.month}月{period.start.day}日"
    decisions_import(
        plan=w.plan, origin=WorkItem.Origin.INSTRUCTION, origin_ref="吴九区长批示（2026第7号）", origin_by="吴九区长",
        actor=w.coordinator,
        parsed=parse_decisions(f"一、落实吴九区长批示精神，由区建设局牵头，于{day}前完成排水改造。"))
    decisions_import(
        plan=w.plan, origin=WorkItem.Origin.MEETING, origin_ref="区政府第5次常务会议", origin_by="区政府常务会议",
        actor=w.coordinator,
        parsed=parse_decisions(f"一、请赵六牵头协调，由区建设局牵头，于{day}前完成燃气管网排查。"))


def test_nothing_personal_is_public():
    """Every person's name, username, email and mobile in the database (accounts, units' 分管领导, who gave an
    instruction, key tasks' 责任领导): none is on the page, its CSV files or its JSON, though the overdue items'
    texts name them (masked, the rest of the text kept)."""
    w, period, roundup = _setup(published=False)
    _items_naming_people(w, period)
    roundup_regenerate(roundup=roundup, today=date.today())
    roundup_publish(roundup=roundup, actor=w.coordinator)
    get_user_model().objects.filter(pk=w.coordinator.pk).update(first_name="专班", last_name="李")
    client = Client()
    texts = [strip_tags(client.get(f"/public/{w.plan.slug}/").content.decode()),
             strip_tags(client.get(f"/public/{w.plan.slug}/{period.key}/").content.decode()),
             # The JSON's values (its keys are the app's words: "support" is also a test username).
             "\n".join(_values(json.loads(client.get(f"/public/{w.plan.slug}/{period.key}.json").content)))]
    figures = public_figures(slug=w.plan.slug, period_key=period.key)
    texts += [client.get(f"/public/{w.plan.slug}/{period.key}/{s}.csv").content.decode("utf-8-sig")
              for s in figures["sections"]]
    snapshot = json.dumps(Roundup.objects.get(plan=w.plan, status="published").data, ensure_ascii=False)
    assert "13912345678" in snapshot  # the note is in the snapshot: the public page must leave it out
    assert "王五副区长批示" in snapshot  # and so is the instruction's source
    departments = {r["unit"]: r for r in figures[DEPARTMENT_RANKING]}
    # _setup's instruction, and _items_naming_people's instruction and meeting decision (led by 区建设局 alone)
    assert (departments["区建设局"]["outside_due"], departments["区财政局"]["outside_support_due"]) == (3, 1)
    secrets = set()
    for person in get_user_model().objects.all():
        secrets |= {person.username, person.email, person.get_full_name(), f"{person.last_name}{person.first_name}"}
    secrets |= set(Profile.objects.exclude(mobile="").values_list("mobile", flat=True))
    secrets |= set(WorkItem.objects.exclude(origin_by="").values_list("origin_by", flat=True))
    for name, email in Unit.objects.values_list("leader_name", "leader_email"):
        secrets |= {name, email}
    secrets = {s.strip() for s in secrets if s and s.strip()}
    assert {"张三", "13912345678", "coord", "lead@example.gov.cn", "王五", "fenguan", "13800001111", "赵六",
            "zhaoliu@example.gov.cn"} <= secrets
    secrets |= {"孙七", "周八", "吴九"}  # named in a 责任领导 column and an instruction's source, not accounts
    raw = {row["text"] for row in Roundup.objects.get(plan=w.plan, status="published").data["overdue_items"]}
    assert {t for t in raw if any(s in t for s in ("张三", "fenguan", "吴九", "赵六", "孙七"))}, "texts name people"
    for text in texts:
        for secret in secrets:
            assert secret.lower() not in text.lower(), secret
    overdue = {row["text"]: row for row in figures[OVERDUE]}
    assert "联系人×××（×××，×××），账号×××，由×××、×××督导，完成棚户区改造" in overdue, list(overdue)
    by_origin = {row["origin"]: row["text"] for row in figures[OVERDUE] if "排水改造" in (row["text"] or "")
                 or "燃气管网" in (row["text"] or "")}
    assert set(by_origin) == {"领导批示", "会议议定"}, by_origin
    assert all("×××" in text for text in by_origin.values()), by_origin


def test_one_statement_whatever_the_number_of_items(django_assert_num_queries):
    w, period, _ = _setup()
    client = Client()
    url = f"/public/{w.plan.slug}/{period.key}/"
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    bulk_items(plan=w.plan, unit=w.lead, n=300, today=period.end, overdue=True)
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(f"/public/{w.plan.slug}/").status_code == 200


def test_a_logged_in_user_reads_the_same_page_uncached():
    w, period, _ = _setup()
    client = login(Client(), w.lead_user)
    response = client.get(f"/public/{w.plan.slug}/{period.key}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "张三" not in strip_tags(response.content.decode())


def test_indicator_progress_is_printed_as_the_percentage_it_is():
    """The snapshot holds an indicator's progress in percent (99.5), a unit's rate as a fraction (0.5): the page
    printed 9950.0% for the one until each column was read in its own unit."""
    w, period, _ = _setup(reported=Decimal("3.1"))
    figures = public_figures(slug=w.plan.slug, period_key=period.key)
    page = Client().get(f"/public/{w.plan.slug}/{period.key}/").content.decode()
    shown = [row for row in figures[INDICATORS] if row["progress"] is not None]
    assert shown, "the world has an indicator with a reported value"
    for row in shown:
        assert f"{row['progress']:.1f}%" in page
        assert f"{row['progress'] * 100:.1f}%" not in page
    lead = next(r for r in figures[DEPARTMENT_RANKING] if r["unit"] == "区建设局")
    assert f"{lead['on_time_rate'] * 100:.1f}%" in page


@pytest.fixture
def default_language_after():
    yield
    translation.activate(settings.LANGUAGE_CODE)  # a request to /en/ left English active in this thread


def test_english_page_names_the_period_and_the_statuses_in_english(default_language_after):
    w, period, _ = _setup()
    client = Client()
    page = client.get(f"/en/public/{w.plan.slug}/{period.key}/").content.decode()
    heading = f"Monthly roundup, {period.start:%Y-%m}"
    assert f"<h1>{heading}</h1>" in page
    assert heading in client.get(f"/en/public/{w.plan.slug}/").content.decode()
    overdue = strip_tags(page.split('id="pub-overdue"')[1])
    assert "推进中" not in overdue and "未开始" not in overdue
    assert "Not started" in overdue or "In progress" in overdue
    # The Chinese page is unchanged: "2026年5月月晾晒".
    zh = client.get(f"/public/{w.plan.slug}/{period.key}/").content.decode()
    assert f"<h1>{period.start.year}年{period.start.month}月月晾晒</h1>" in zh
    assert "未开始" in strip_tags(zh.split('id="pub-overdue"')[1])


def test_a_roundup_published_without_its_masked_list_prints_no_item_text():
    """The masked list is frozen at publication (migration 0034 gave the roundups published before theirs); a
    published roundup without it shows its overdue items with their text withheld, never the raw text."""
    w, period, roundup = _setup()
    Roundup.objects.filter(pk=roundup.pk).update(public_overdue=None)
    figures = public_figures(slug=w.plan.slug, period_key=period.key)
    assert figures[OVERDUE] and all(row["text"] is None for row in figures[OVERDUE])
    assert "完成老旧小区改造30个" not in Client().get(f"/public/{w.plan.slug}/{period.key}/").content.decode()


def test_a_years_public_page_shows_its_assessment_with_the_assessments_ranks():
    """A 年考核's published product is the annual assessment: its public page, JSON and CSV carry each group's
    assessment (rank, scores, deduction) as the roundup's page, workbook and 通报 show it, under the ranking setting
    of that group; a month or a quarter has none. The public page of a year used to show only the outcome ranking,
    whose ranks are not the assessment's."""
    from tasks.roundups.report import RoundupReport
    from tasks.selectors.public import DEPARTMENT_ASSESSMENT, TOWN_ASSESSMENT
    from tasks.tests.roundup_golden import build_golden

    golden = build_golden()
    RoundupSettings.objects.update_or_create(plan=golden.plan, defaults={"public_enabled": True})
    year, _ = roundup_generate(plan=golden.plan, period=Period.year(2023), today=date(2024, 1, 8))
    june, _ = roundup_generate(plan=golden.plan, period=Period.month(2023, 6), today=date(2024, 1, 8))
    roundup_publish(roundup=year)
    roundup_publish(roundup=june)
    assessment = RoundupReport.from_roundup(year).assessment
    expected = [(a["rank"], a["unit"], a["score"]) for a in assessment]
    assert [a["kind"] for a in assessment] == ["department"] * 3

    client = Client()
    figures = client.get(f"/public/{golden.plan.slug}/2023.json").json()
    assert figures["sections"][:2] == [TOWN_ASSESSMENT, DEPARTMENT_ASSESSMENT]  # the year's product first
    assert [(r["rank"], r["unit"], r["score"]) for r in figures[DEPARTMENT_ASSESSMENT]] == expected
    assert figures[TOWN_ASSESSMENT] == []
    rows = list(csv.reader(io.StringIO(client.get(f"/public/{golden.plan.slug}/2023/{DEPARTMENT_ASSESSMENT}.csv")
                                       .content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["排名", "责任单位"] and rows[0][-1] == "考核得分"
    assert [(int(r[0]), r[1], float(r[-1])) for r in rows[1:]] == expected
    page = client.get(f"/public/{golden.plan.slug}/2023/").content.decode()
    assert "部门年度考核" in page and "76.7" in page
    # Not published with the department ranking switched off; a month has no assessment.
    RoundupSettings.objects.filter(plan=golden.plan).update(public_department_ranking=False)
    assert DEPARTMENT_ASSESSMENT not in public_figures(slug=golden.plan.slug, period_key="2023")["sections"]
    month = public_figures(slug=golden.plan.slug, period_key="2023-06")
    assert not {TOWN_ASSESSMENT, DEPARTMENT_ASSESSMENT} & set(month["sections"])
