"""The public 晾晒's per-unit counts of items from meetings and instructions (方案外事项): published from the
snapshot by the same rule (``rules.roundups.outside_due``) as the roundup's own page, workbook and e-mail, so
the public page, its CSV and JSON, the status API, ``roundup --json`` and the unit's e-mail say the same."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import strip_tags

from tasks.importers.decisions import parse_decisions
from tasks.models import RoundupSettings
from tasks.roundups.periods import Period
from tasks.selectors.public import COLUMNS, DEPARTMENT_RANKING, public_figures
from tasks.services.decisions import decisions_import
from tasks.services.roundups import _roundup_content, roundup_generate, roundup_publish, roundup_report
from tasks.tests.daily_setup import login, make_world
from tasks.tests.factories import WorkItemFactory

pytestmark = pytest.mark.django_db

MINUTES = """专班会议纪要（2026年3月12日）
一、由区建设局牵头，区财政局配合，于2026年4月20日前完成改造方案。
二、区教育局负责学校周边住房摸排，2026年4月10日前完成。
"""
APRIL = Period.month(2026, 4)
KEYS = [key for key, _label in COLUMNS[DEPARTMENT_RANKING]]


def _publish(*, weight: str = "1"):
    w = make_world(today=date(2026, 6, 1))
    WorkItemFactory(plan=w.plan, year=2026, lead=w.lead, deadline=date(2026, 4, 15))  # a plan item, overdue
    decisions_import(plan=w.plan, parsed=parse_decisions(MINUTES), origin_ref="纪要〔2026〕2号")
    RoundupSettings.objects.create(plan=w.plan, public_enabled=True, outside_weight=weight,
                                   send_to_coordinators=False)
    roundup, _ = roundup_generate(plan=w.plan, period=APRIL, today=date(2026, 6, 1), actor=w.coordinator)
    roundup_publish(roundup=roundup, actor=w.coordinator)  # its deliveries queue after commit: not here
    return w


def _csv_rows(client, w) -> dict[str, dict]:
    body = client.get(f"/public/{w.plan.slug}/{APRIL.key}/{DEPARTMENT_RANKING}.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))[1:]
    return {row[KEYS.index("unit")]: dict(zip(KEYS, row, strict=True)) for row in rows}


def _page_rows(client, w) -> dict[str, list[str]]:
    """The department table's rows on the page, each as its cells' text."""
    page = client.get(f"/public/{w.plan.slug}/{APRIL.key}/").content.decode()
    table = page[page.index(f'id="pub-{DEPARTMENT_RANKING}"'):]
    table = table[:table.index("</table>")]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table[table.index("<tbody>"):], flags=re.S):
        cells = [strip_tags(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        rows[cells[KEYS.index("unit")]] = cells
    return rows, page


def test_outside_counts_agree_on_the_page_csv_json_api_command_and_email():
    w = _publish()
    client = Client()
    figures = public_figures(slug=w.plan.slug, period_key=APRIL.key)
    assert json.loads(client.get(f"/public/{w.plan.slug}/{APRIL.key}.json").content) == figures
    public = {r["unit"]: (r["outside_due"], r["outside_support_due"]) for r in figures[DEPARTMENT_RANKING]}
    assert public == {"区建设局": (1, 0), "区财政局": (0, 1), "区教育局": (1, 0)}
    assert figures["outside_weight"] == 1.0
    assert next(r for r in figures[DEPARTMENT_RANKING] if r["unit"] == "区建设局")["due"] == 2  # they are of it

    # The CSV's cells and the page's table cells.
    by_csv = _csv_rows(client, w)
    by_page, page = _page_rows(client, w)
    for unit, (lead, support) in public.items():
        assert (by_csv[unit]["outside_due"], by_csv[unit]["outside_support_due"]) == (str(lead), str(support))
        cells = by_page[unit]
        assert (cells[KEYS.index("outside_due")], cells[KEYS.index("outside_support_due")]) == (
            str(lead), str(support))
    assert "含会议议定、领导批示事项（权重1，方案事项为1）" in page

    # The status API (a coordinator) and ``roundup --json``: the same document, the same counts.
    api = login(Client(), w.coordinator).get(
        f"/api/v1/plans/{w.plan.slug}/status/?as_of=2026-04-30&period=month").json()
    out = StringIO()
    call_command("roundup", "--plan", w.plan.slug, "--month", APRIL.key, "--json", stdout=out)
    assert json.loads(out.getvalue()) == api
    assert {u["unit"]: (u["outside"]["lead"]["due"], u["outside"]["support"]["due"]) for u in api["units"]} == public

    # The e-mail each unit's recipient gets (its body as the outbox sends it, without the files) says the same
    # of the unit's own row.
    roundup = w.plan.roundups.get()
    report = roundup_report(roundup)
    for unit, (lead, support) in public.items():
        delivery = roundup.deliveries.get(unit__name=unit)
        body = _roundup_content(report=report, delivery=delivery, subject="", attachments=[],
                                highlights=[]).text
        assert f"{unit}：" in body and f"含会议批示事项：牵头{lead}项、配合{support}项" in body, unit


def test_at_weight_zero_the_outside_columns_are_empty_not_zero():
    """Not counted (weight 0): the snapshot holds no per-unit counts of them, so the public columns are empty
    ("—"), never a 0 that would read as "none", and the page says they are not counted."""
    w = _publish(weight="0")
    client = Client()
    figures = public_figures(slug=w.plan.slug, period_key=APRIL.key)
    assert figures["outside_weight"] == 0.0
    rows = figures[DEPARTMENT_RANKING]
    assert [(r["unit"], r["due"]) for r in rows] == [("区建设局", 1)]  # the plan item alone
    assert all(r["outside_due"] is None and r["outside_support_due"] is None for r in rows)
    assert all(r["outside_due"] == "" for r in _csv_rows(client, w).values())
    by_page, page = _page_rows(client, w)
    assert all(cells[KEYS.index("outside_due")] == "—" for cells in by_page.values())
    assert "会议议定、领导批示事项不计入应办项数、得分和排名。" in page


def test_a_snapshot_from_before_outside_items_publishes_empty_columns():
    w = _publish()
    roundup = w.plan.roundups.get()
    for unit in roundup.data["units"]:
        del unit["outside"]
    roundup.save(update_fields=["data"])
    rows = public_figures(slug=w.plan.slug, period_key=APRIL.key)[DEPARTMENT_RANKING]
    assert rows and all(r["outside_due"] is None for r in rows)
