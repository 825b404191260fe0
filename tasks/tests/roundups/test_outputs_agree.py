"""A roundup's figures where the demo's every-output test does not reach: the annual assessment (年考核) against
the rest of the roundup and every form it takes (page, workbook, 通报, e-mail), no unit the year holds accountable
escaping it; and one count of overdue work in a roundup, however it is printed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tasks.models import IndicatorReport
from tasks.roundups.periods import Period
from tasks.selectors.roundups import roundup_data
from tasks.tests.factories import IndicatorFactory, IndicatorTargetFactory, KeyTaskFactory, UnitFactory
from tasks.tests.roundup_golden import at, build_golden

pytestmark = pytest.mark.django_db


@pytest.fixture
def golden():
    return build_golden()


def _indicator_only_unit(golden):
    """A department that leads an indicator (target 100, reported 50) and no item: nothing due all year."""
    d = UnitFactory(region=golden.plan.region, name="区统计局")
    task = KeyTaskFactory(plan=golden.plan, number=9, title="住房统计监测", lead=d)
    indicator = IndicatorFactory(plan=golden.plan, number=9, name="住房监测覆盖率", measure="%", key_task=task)
    IndicatorTargetFactory(indicator=indicator, year=2023, text="100", value=Decimal("100"), comparator="eq")
    IndicatorReport.objects.create(indicator=indicator, month=date(2023, 11, 1), value=Decimal("50"),
                                   reported_at=at(11, 28))
    return d


def test_a_unit_that_leads_only_indicators_is_assessed_on_them(golden):
    """It had nothing due, so it is under 本期无到期事项 and ranked nowhere; but the year's assessment scores each
    unit on its on-time rate and its indicators, the whole weight on the one it has (``rules.assessment``). It
    used to be left out of the assessment, which only read the units with items due."""
    d = _indicator_only_unit(golden)
    data = roundup_data(plan=golden.plan, period=Period.year(2023))
    assert d.pk in {u["unit_id"] for u in data["units_without_due"]}
    row = next((a for a in data["assessment"] if a["unit_id"] == d.pk), None)
    assert row is not None, "a unit leading an indicator escaped the annual assessment"
    assert (row["unit"], row["on_time_rate"], row["on_time_points"], row["indicators"], row["indicator_attainment"],
            row["indicator_points"], row["overdue"], row["score"]) == ("区统计局", None, None, 1, 0.5, 50.0, 0, 50.0)
    # Ranked among the departments with the others; the golden three keep their scores.
    assert [(a["rank"], a["unit"], a["score"]) for a in data["assessment"]] == [
        (1, "区财政局", 76.7), (2, "区建设局", 64.0), (3, "区资规局", 58.0), (4, "区统计局", 50.0)]
    # A month has no assessment, whoever leads indicators.
    assert roundup_data(plan=golden.plan, period=Period.month(2023, 12))["assessment"] == []


def _page_assessment(html: str) -> list[tuple[str, str, str]]:
    """The page's 年度考核 tables (地方, 部门) as printed: (rank, unit, score read as a number) per row."""
    import re

    from django.utils.html import strip_tags

    tables = [t for t in re.findall(r'<table class="rp-table">(.*?)</table>', html, flags=re.S)
              if "考核得分" in t.split("</thead>")[0]]
    rows = []
    for tr in (tr for t in tables for tr in re.findall(r"<tr>(.*?)</tr>", t.split("</thead>")[1], flags=re.S)):
        cells = [strip_tags(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        rows.append((cells[0], cells[1], float(cells[-1])))
    return rows


def test_every_form_of_the_annual_assessment_shows_its_scores_and_ranks(golden, client):
    """The page, the workbook, the 通报 (body and attachment) and each unit's e-mail of a 年考核 show each unit's
    考核得分 and rank from the snapshot's assessment, the one computed by ``rules.assessment``. The 通报 used to
    carry only the outcome ranking (得分 and 排名 of a month's kind, not the assessment's) and the e-mail only that
    ranking's line, so a unit read two different ranks for one year; a unit assessed on its indicators alone got
    no e-mail at all."""
    import io
    import re

    from openpyxl import load_workbook

    from tasks.roundups.report import RoundupReport
    from tasks.roundups.xlsx import render_xlsx
    from tasks.services import documents as docs
    from tasks.services.roundups import _roundup_content, roundup_generate, roundup_publish, roundup_recipients
    from tasks.tests.daily_setup import login

    d = _indicator_only_unit(golden)
    d.emails = "tongji@example.gov.cn"
    d.save(update_fields=["emails"])
    roundup, _ = roundup_generate(plan=golden.plan, period=Period.year(2023), today=date(2024, 1, 8))
    report = RoundupReport.from_roundup(roundup)
    expected = [(str(a["rank"]), a["unit"], a["score"]) for a in report.assessment]
    assert len(expected) == 4 and ("4", "区统计局", 50.0) in expected

    login(client, golden.plan.coordinators.get())
    page = client.get(f"/roundups/{roundup.pk}/")
    assert page.status_code == 200
    assert _page_assessment(page.content.decode()) == expected

    sheet = load_workbook(io.BytesIO(render_xlsx(report)))["年度考核"]
    assert [(str(r[0]), r[1], r[9]) for r in sheet.iter_rows(min_row=3, values_only=True)] == expected

    attachment = next(a for a in docs.attachments_for(report) if "年度考核" in a.title)
    assert [(r[0], r[1], float(r[-1])) for t in attachment.tables for r in t.rows] == expected
    body = docs.bulletin_drafted(roundup=roundup)["body"]
    assert "年度考核部门方面，区财政局（76.7分）、区建设局（64分）、区资规局（58分）得分居前。" in body, body
    assert "排名靠前" not in body  # the outcome ranking's "ahead" would name other units than the assessment's

    for a in report.assessment:
        assert f"年度考核得分{a['score']:g}，排名第{a['rank']}" in report.unit_line(a["unit_id"]), a["unit"]
    assert "tongji@example.gov.cn" in {r.email for r in roundup_recipients(roundup)}

    # The e-mail's first lines and top five: the assessment's order (区建设局 second), not the outcome ranking's
    # (区资规局 second), and no outcome 排名第一 beside it.
    assert "年度考核部门第一：区财政局。" in report.highlights()
    assert not any("部门排名第一" in line for line in report.highlights())
    roundup_publish(roundup=roundup)
    delivery = roundup.deliveries.filter(unit=golden.b).first()
    text = _roundup_content(report=RoundupReport.from_roundup(roundup), delivery=delivery, subject="", attachments=[],
                            highlights=[]).text
    listed = [line.split(".", 1)[1].split()[0] for line in text.splitlines() if re.match(r"\s+\d+\. ", line)]
    assert listed == [a["unit"] for a in report.assessment], text


@pytest.mark.parametrize("weight", [1.0, 0.5, 0.0])
def test_the_years_counts_are_decembers_and_the_fourth_quarters_year_to_date(golden, weight):
    """The assessment's counts are the year's: each unit's (lead and supporting) and the plan's equal the year to
    date of December's 月晾晒 and of the fourth 季通报 (their ``cumulative``), whatever weight items from meetings
    and instructions have; so the 年考核 says what the months and quarters summed up to."""
    from tasks.models import RoundupSettings, WorkItem
    from tasks.tests.factories import WorkItemFactory

    RoundupSettings.objects.update_or_create(plan=golden.plan, defaults={"outside_weight": weight})
    WorkItemFactory(plan=golden.plan, lead=golden.c, supporting=[golden.a], deadline=date(2023, 11, 30),
                    origin=WorkItem.Origin.MEETING, text="会议议定：专项检查")
    keys = ("due", "done_on_time", "done_late", "overdue", "awaiting_review", "on_time_rate")

    def per_unit(data: dict, cumulative: bool) -> dict:
        out = {}
        for u in data["units"]:
            lead, support = (u["cumulative"]["lead"], u["cumulative"]["support"]) if cumulative else (u, u["support"])
            out[u["unit"]] = (tuple(lead[k] for k in keys), tuple(support[k] for k in keys))
        return out

    year = roundup_data(plan=golden.plan, period=Period.year(2023))
    for other in (Period.month(2023, 12), Period.quarter(2023, 4)):
        data = roundup_data(plan=golden.plan, period=other)
        # A unit with nothing due in December is listed apart there (``units_without_due``), its year to date not
        # shown; every unit December lists reads the year's counts.
        in_year, to_date = per_unit(year, cumulative=False), per_unit(data, cumulative=True)
        assert to_date and {name: in_year.get(name) for name in to_date} == to_date, other.key
        assert {k: year["summary"][k] for k in keys} == {k: data["summary"]["cumulative"][k] for k in keys}


def test_one_count_of_overdue_work_in_a_roundup_a_broken_down_item_through_its_parts(golden):
    """The plan-wide summary counts a broken-down item once, through its parts; the overdue list (the page's section
    heading, the 通报's "仍有N项" and its attachment, the public list) listed the parent beside its parts, so one
    通报 said 逾期未完成53项 and 仍有59项 (the demo's November). The list is each piece of work once now, each part
    under the unit it was handed to; the lead department is still counted on the parent in its own row."""
    from tasks.models import Unit, WorkItem
    from tasks.roundups.report import RoundupReport
    from tasks.services import documents as docs
    from tasks.services.roundups import roundup_generate
    from tasks.tests.factories import WorkItemFactory

    due = date(2023, 6, 5)
    parent = WorkItemFactory(plan=golden.plan, lead=golden.a, deadline=due, text="老旧小区改造（分解）",
                             status=WorkItem.Status.IN_PROGRESS)
    towns = [UnitFactory(region=golden.plan.region, name=n, kind=Unit.Kind.TOWN) for n in ("城南街道", "城北街道")]
    for town in towns:
        WorkItemFactory(plan=golden.plan, parent=parent, lead=town, deadline=due, text=f"老旧小区改造（{town.name}）",
                        status=WorkItem.Status.IN_PROGRESS)
    roundup, _ = roundup_generate(plan=golden.plan, period=Period.month(2023, 6), today=date(2023, 7, 5))
    report = RoundupReport.from_roundup(roundup)
    listed = [i["text"] for i in report.overdue_items]
    assert "老旧小区改造（分解）" not in listed
    assert {"老旧小区改造（城南街道）", "老旧小区改造（城北街道）"} <= set(listed)
    assert len(report.overdue_items) == report.summary["overdue"]
    assert next(u for u in report.units if u["unit"] == "区建设局")["overdue"] == 2  # i2 and the parent
    body = docs.bulletin_drafted(roundup=roundup)["body"]
    n = report.summary["overdue"]
    assert f"逾期未完成{n}项" in body and f"截至期末仍有{n}项事项逾期未完成" in body, body
    attachment = next(a for a in docs.attachments_for(report) if a.title == "逾期未完成事项清单")
    assert len(attachment.tables[0].rows) == n


def test_an_item_from_a_meeting_kept_as_history_is_not_listed_in_its_section(golden):
    """历史留档 is counted nowhere (``outcomes.UNCOUNTED_STATUSES``): the overdue list and every count leave it out,
    and so does the section of items from meetings and instructions (it left out only a waived one)."""
    from tasks.models import WorkItem
    from tasks.tests.factories import WorkItemFactory

    for status, text in ((WorkItem.Status.HISTORY, "会议议定：留档"), (WorkItem.Status.IN_PROGRESS, "会议议定：在办")):
        WorkItemFactory(plan=golden.plan, lead=golden.b, deadline=date(2023, 6, 12), text=text, status=status,
                        origin=WorkItem.Origin.MEETING)
    data = roundup_data(plan=golden.plan, period=Period.month(2023, 6))
    assert [i["text"] for i in data["outside_items"]] == ["会议议定：在办"]


def _share_only_town(golden):
    """A town that holds only a share (40) of an indicator's 2023 target (100) led by 区建设局 and reported 20 on
    it in November: no item, no part, no key task of its own."""
    from tasks.models import TargetBreakdown, TargetShare, TargetShareReport, Unit

    town = UnitFactory(region=golden.plan.region, name="城东街道", kind=Unit.Kind.TOWN,
                       emails="chengdong@example.gov.cn")
    task = KeyTaskFactory(plan=golden.plan, number=8, title="城镇危旧房改造", lead=golden.a)
    indicator = IndicatorFactory(plan=golden.plan, number=8, name="危旧房改造户数", measure="户", key_task=task)
    IndicatorTargetFactory(indicator=indicator, year=2023, text="100", value=Decimal("100"), comparator="ge")
    breakdown = TargetBreakdown.objects.create(indicator=indicator, year=2023)
    share = TargetShare.objects.create(breakdown=breakdown, unit=town, value=Decimal("40"))
    TargetShareReport.objects.create(share=share, month=date(2023, 11, 1), value=Decimal("20"), reported_at=at(11, 28))
    # A share reported after the period's close is not the period's figure.
    TargetShareReport.objects.create(share=share, month=date(2024, 1, 1), value=Decimal("40"),
                                     reported_at=at(1, 5, 2024))
    return town


def test_a_town_holding_only_a_target_share_is_listed_and_assessed_in_every_output(golden, client):
    """A town given only a share of an indicator's target (目标分解: no item, no part) was in no output: not in
    ``units``, not under 本期无到期事项, not in the year's assessment, nor in any e-mail, page, workbook or 通报.
    It is held to its share: every output lists it with its progress (``share_rows``, the one source), and the
    annual assessment, which scores indicators, scores and ranks it on its share."""
    import io
    import json
    from io import StringIO

    from django.core.management import call_command
    from openpyxl import load_workbook

    from tasks.roundups.report import RoundupReport
    from tasks.roundups.xlsx import render_xlsx
    from tasks.services import documents as docs
    from tasks.services.roundups import _roundup_content, roundup_generate, roundup_publish, roundup_recipients
    from tasks.tests.daily_setup import login, user

    town = _share_only_town(golden)
    # The month: listed apart (nothing due), with its share's progress as of the period's close (20 of 40).
    month = roundup_data(plan=golden.plan, period=Period.month(2023, 11))
    assert [(u["unit"], u["kind"], u["target_shares"]) for u in month["units_without_due"]
            if u["unit_id"] == town.pk] == [("城东街道", "town", 1)]
    (share,) = [s for s in month["target_shares"] if s["unit_id"] == town.pk]
    assert (share["unit"], share["kind"], share["target_text"], share["actual_text"], share["progress"]) == (
        "城东街道", "town", "40", "20", 50.0)
    line = RoundupReport.share_text(share)
    assert line == "8.危旧房改造户数(户)：目标40，完成20，进度50%（红灯）", line

    # The year: assessed and ranked among the towns on its share (the whole weight on it: 50 points).
    year = roundup_data(plan=golden.plan, period=Period.year(2023))
    row = next((a for a in year["assessment"] if a["unit_id"] == town.pk), None)
    assert row is not None, "a town holding a share of the targets escaped the annual assessment"
    assert (row["kind"], row["rank"], row["indicators"], row["indicator_attainment"], row["score"]) == (
        "town", 1, 1, 0.5, 50.0)

    # Every output of the published year: page, workbook, 通报 attachment, the town's e-mail, API = --json.
    roundup, _ = roundup_generate(plan=golden.plan, period=Period.year(2023), today=date(2024, 1, 8))
    report = RoundupReport.from_roundup(roundup)
    (share,) = report.shares_of(town.pk)
    coordinator = golden.plan.coordinators.get()
    login(client, coordinator)
    page = client.get(f"/roundups/{roundup.pk}/").content.decode()
    assert "城东街道（分解目标：" + RoundupReport.share_text(share) in page
    assert page.count("城东街道") >= 3  # the list apart, the shares table, the assessment

    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    assert [(r[0], r[4], r[5]) for r in wb["分解目标"].iter_rows(min_row=3, values_only=True)] == [
        ("城东街道", 40, 20)]
    assert any(r[2] == "城东街道" and r[16] == report.shares_line(town.pk)
               for r in wb["单位排名"].iter_rows(values_only=True))
    assert "城东街道" in [r[1] for r in wb["年度考核"].iter_rows(min_row=3, values_only=True)]

    attachment = next(a for a in docs.attachments_for(report) if a.title == "分解目标完成情况")
    assert attachment.tables[0].rows == [["城东街道", "8.危旧房改造户数(户)", "40", "20", "50%", "红灯"]]

    assert "chengdong@example.gov.cn" in {r.email for r in roundup_recipients(roundup)}
    roundup_publish(roundup=roundup)
    delivery = roundup.deliveries.filter(unit=town).first()
    assert delivery is not None
    text = _roundup_content(report=RoundupReport.from_roundup(roundup), delivery=delivery, subject="",
                            attachments=[], highlights=[]).text
    assert RoundupReport.share_text(share) in text and "年度考核得分50，排名第1" in text, text

    out = StringIO()
    call_command("roundup", plan=golden.plan.slug, year="2023", json=True, stdout=out)
    body = client.get(f"/api/v1/plans/{golden.plan.slug}/status/?period=year&as_of=2023-12-31").json()
    assert body == json.loads(out.getvalue())
    assert [s for s in body["target_shares"] if s["unit_id"] == town.pk] == [share]
    # The town's liaison reads its own share and row apart, nobody else's.
    liaison = user("chengdong")
    from tasks.models import Profile

    Profile.objects.update_or_create(user=liaison, defaults={"unit": town})
    login(client, liaison)
    own = client.get(f"/api/v1/plans/{golden.plan.slug}/status/?period=year&as_of=2023-12-31").json()
    assert [s["unit"] for s in own["target_shares"]] == ["城东街道"]
    assert [u["unit"] for u in own["units_without_due"]] == ["城东街道"]


def test_the_overdue_page_its_workbook_the_home_count_and_the_notices_list_what_the_roundup_lists(golden, client):
    """The overdue page (and its Excel export, the coordinator home's count, the dashboard's most overdue) and the
    督办单 proposals listed a broken-down item beside its parts: on the demo of 2026-12-07, 55 overdue on the page
    and 55 red proposals against the roundup's 49 for 海宁 (59 and 59 against 54 for 越城区), the six extra being
    parents whose parts were listed (and proposed) under their towns. Each piece of work once now
    (``work.piece_of_work``), as the roundup's overdue list for the same day counts it."""
    import io

    from django.http import QueryDict
    from django.utils import timezone
    from openpyxl import load_workbook

    from tasks.listings import overdue_listing
    from tasks.models import Unit, WorkItem
    from tasks.selectors.notices import notice_candidates
    from tasks.selectors.work import plan_item_counts, plan_most_overdue
    from tasks.tests.daily_setup import login
    from tasks.tests.factories import WorkItemFactory

    due = date(2023, 6, 5)
    parent = WorkItemFactory(plan=golden.plan, lead=golden.a, deadline=due, text="老旧小区改造（分解）",
                             status=WorkItem.Status.IN_PROGRESS)
    for name in ("城南街道", "城北街道"):
        town = UnitFactory(region=golden.plan.region, name=name, kind=Unit.Kind.TOWN)
        WorkItemFactory(plan=golden.plan, parent=parent, lead=town, deadline=due, text=f"老旧小区改造（{name}）",
                        status=WorkItem.Status.IN_PROGRESS)
    today = timezone.localdate()
    # The roundup (and the API, roundup --json) as of the close of yesterday: the state the page reads today.
    listed = [o["id"] for o in roundup_data(plan=golden.plan, period=Period.as_of("month", today - timedelta(days=1)))
              ["overdue_items"]]
    assert parent.pk not in listed and len(listed) >= 3
    coordinator = golden.plan.coordinators.get()
    page = list(overdue_listing(coordinator, QueryDict(), today=today).filterset.qs.values_list("pk", flat=True))
    assert sorted(page) == sorted(listed)
    assert plan_item_counts(plan_ids=[golden.plan.pk], today=today)[golden.plan.pk]["n_overdue"] == len(listed)
    assert {i.pk for i in plan_most_overdue(golden.plan, today, limit=100)} == set(listed)
    assert sorted(i.pk for i, colour in notice_candidates(plan=golden.plan, today=today) if colour == "red") == sorted(
        listed)
    login(client, coordinator)
    book = load_workbook(io.BytesIO(client.get("/overdue/", {"export": "xlsx"}).content))
    rows = [r for r in book.active.iter_rows(min_row=2, values_only=True) if any(r)]
    assert len(rows) == len(listed) and "老旧小区改造（分解）" not in {c for r in rows for c in r}
