"""Every CSV the site serves keeps text as written: a cell a spreadsheet would run as a formula (a unit named
``=HYPERLINK(...)``, typed by whoever imported it) opens as text. One writer (``views.common.csv_response``,
each cell through ``xlsx_safe.csv_cell``) makes them all; a module writing CSV another way fails here."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from tasks.models import Unit
from tasks.services.reports import work_item_report_progress
from tasks.tests.daily_setup import login, make_world
from tasks.xlsx_safe import FORMULA_START, csv_cell

pytestmark = pytest.mark.django_db
TASKS = Path(__file__).resolve().parents[2]
FORMULA_NAME = '=HYPERLINK("http://evil.example","点此")'


def test_only_the_one_writer_makes_csv():
    """``csv.writer`` and a ``text/csv`` response appear in ``views/common.py`` only (outside the tests)."""
    found = []
    for path in TASKS.rglob("*.py"):
        if "tests" in path.parts or path == TASKS / "views" / "common.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"csv\.(writer|DictWriter)\(|text/csv", text):
            found.append(str(path.relative_to(TASKS)))
    assert not found, found


@pytest.mark.parametrize("value", [FORMULA_NAME, "+A1", "-cmd", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_formula_like_cell_is_kept_as_text(value):
    assert csv_cell(value) == "'" + value
    assert csv_cell("-5") == "-5" and csv_cell(3) == 3 and csv_cell(None) == ""


def test_the_burden_csv_shows_a_formula_like_unit_name_as_text(client):
    today = date.today()
    w = make_world(today=today)
    Unit.objects.filter(pk=w.lead.pk).update(name=FORMULA_NAME)
    work_item_report_progress(item=w.item, user=w.lead_user, note="进展", percent=10)
    login(client, w.coordinator)
    response = client.get(reverse("tasks:plan_burden", args=[w.plan.slug]), {"year": today.year, "export": "csv"})
    assert response.status_code == 200
    cells = [cell for line in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for cell in line]
    assert "'" + FORMULA_NAME in cells
    assert not [c for c in cells if c.startswith(FORMULA_START) and not re.fullmatch(r"-?\d+(\.\d+)?", c)]
