"""A table exported to Excel is readable as opened: every header whole (Chinese or English), not cut at the
default column width; the burden page's counts are named as counts in English."""

import io
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tasks.tables import _display_width
from tasks.tests.daily_setup import login, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_language_after():
    yield
    translation.activate(settings.LANGUAGE_CODE)  # a request to /en/ left English active in this thread


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_header_fits_its_column(client, prefix):
    w = make_world(today=date(2026, 6, 15))
    login(client, w.coordinator)
    url = prefix + reverse("tasks:plan_burden", args=[w.plan.slug])
    book = load_workbook(io.BytesIO(client.get(url, {"year": 2026, "export": "xlsx"}).content))
    totals, months = book.worksheets  # the page's totals, then its months
    assert [len(list(sheet[1])) for sheet in book.worksheets] == [13, 10]
    for sheet in (totals, months):
        headers = [cell.value for cell in sheet[1]]
        assert ("Reports requested" in headers) == (prefix == "/en")
        assert ("On-time rate" in headers) == (prefix == "/en" and sheet is totals)
        for index, header in enumerate(headers, start=1):
            column = get_column_letter(index)
            assert sheet.column_dimensions[column].width >= _display_width(header), (sheet.title, column, header)


def test_the_burden_columns_are_counts_in_english_and_unchanged_in_chinese(client):
    w = make_world(today=date(2026, 6, 15))
    login(client, w.coordinator)
    url = reverse("tasks:plan_burden", args=[w.plan.slug])
    english = client.get("/en" + url, {"year": 2026}).content.decode()
    assert english.count(">Supervision notices<") == 2 and english.count(">Sign-for chases<") == 2
    translation.activate(settings.LANGUAGE_CODE)
    chinese = client.get(url, {"year": 2026}).content.decode()
    assert chinese.count(">督办单<") == 2 and chinese.count(">签收催办<") == 2
