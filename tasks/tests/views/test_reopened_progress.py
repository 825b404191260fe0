"""An item reopened by a 不满意 rating or returned by review keeps its 100 % on record, but its page, its
parent's sub-item table, the lists of items (and their export) and a supervision notice do not show it as 100 %
complete beside its open status (``rules.progress``) until its lead reports again."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tasks.models import WorkItem
from tasks.rules.deadlines import workdays_left
from tasks.rules.notices import BLUE, YELLOW, Thresholds, notice_colour
from tasks.selectors.notices import item_colours
from tasks.services.decisions import work_item_rate
from tasks.services.notices import notice_gongwen, notices_draft
from tasks.services.reports import work_item_report_progress, work_item_request_close
from tasks.services.review import work_item_return
from tasks.tests.daily_setup import login, make_world
from tasks.tests.views.test_to_rate import closed_items, leader

pytestmark = pytest.mark.django_db
S = WorkItem.Status
NOT_CLOSED = "100%（未办结）"


@pytest.fixture(autouse=True)
def default_language_after():
    yield
    translation.activate(settings.LANGUAGE_CODE)  # a request to /en/ left English active in this thread


def _progress_cell(html: str) -> str:
    start = html.index('id="item-progress"')
    return html[start:html.index("</dd>", start)]


def test_an_item_returned_by_review_is_not_shown_complete_until_its_lead_reports(client):
    w = make_world()
    work_item_report_progress(item=w.item, user=w.lead_user, note="基本完成", percent=100)
    work_item_request_close(item=w.item, user=w.lead_user, note="申请办结")
    work_item_return(item=w.item, user=w.coordinator, reason="材料不全")
    w.item.refresh_from_db()
    assert (w.item.status, w.item.progress) == (S.RETURNED, 100)  # the figure on record is kept

    login(client, w.lead_user)
    cell = _progress_cell(client.get(w.item.get_absolute_url()).content.decode())
    assert NOT_CLOSED in cell and "w-100" not in cell and "bar" not in cell
    english = _progress_cell(client.get("/en" + w.item.get_absolute_url()).content.decode())
    assert "100% (not closed)" in english and "w-100" not in english
    translation.activate(settings.LANGUAGE_CODE)

    # The unit's list and its export.
    listing = client.get(reverse("tasks:my_work")).content.decode()
    assert NOT_CLOSED in listing and 'title="100%"' not in listing
    book = load_workbook(io.BytesIO(client.get(reverse("tasks:my_work"), {"export": "xlsx"}).content))
    rows = list(book.active.iter_rows(values_only=True))
    column = rows[0].index("进度")
    assert {r[0]: r[column] for r in rows[1:]}[w.item.text] == NOT_CLOSED

    # A supervision notice on it says so too.
    (notice,) = notices_draft(items=[w.item], actor=w.coordinator, today=w.today)
    assert any(f"当前进度：{NOT_CLOSED}" in line for line in notice_gongwen(notice).body)

    # The lead's next report is the item's progress again.
    work_item_report_progress(item=w.item, user=w.lead_user, note="补充材料", percent=90)
    cell = _progress_cell(client.get(w.item.get_absolute_url()).content.decode())
    assert "90%" in cell and "w-90" in cell and NOT_CLOSED not in cell


def test_an_item_reopened_by_an_unsatisfied_rating_is_not_shown_complete(client):
    w = make_world()
    raiser = leader(w.lead, "raiser")
    (item,) = closed_items(w, 1, raised_by=raiser)
    login(client, w.coordinator)
    cell = _progress_cell(client.get(item.get_absolute_url()).content.decode())
    assert "w-100" in cell and "100%" in cell and NOT_CLOSED not in cell  # done: complete
    work_item_rate(item=item, user=raiser, rating=WorkItem.Rating.UNSATISFIED, reason="未达到要求")
    item.refresh_from_db()
    assert (item.status, item.progress) == (S.IN_PROGRESS, 100)
    cell = _progress_cell(client.get(item.get_absolute_url()).content.decode())
    assert NOT_CLOSED in cell and "w-100" not in cell
    # The lead unit's page lists it.
    listing = client.get(reverse("tasks:unit_detail", args=[w.lead.pk])).content.decode()
    assert NOT_CLOSED in listing


def test_the_notice_colour_of_a_reopened_item_reads_its_progress_as_shown():
    """The 督办单 colour (``rules.notices``) reads the progress as every page shows it: a reopened item at 100 %
    on record is "100%（未办结）", no progress, so near its deadline it calls for a notice as an item that has not
    moved, where the 100 % on record let it pass; after the lead's next report the figure counts again."""
    w = make_world()
    raiser = leader(w.lead, "raiser")
    (item,) = closed_items(w, 1, raised_by=raiser)
    work_item_rate(item=item, user=raiser, rating=WorkItem.Rating.UNSATISFIED, reason="未达到要求")
    item.refresh_from_db()
    assert (item.status, item.progress) == (S.IN_PROGRESS, 100)
    thresholds = Thresholds()
    day = next(d for d in (item.due_date - timedelta(days=n) for n in range(1, 30))
               if not item.is_overdue(d) and workdays_left(today=d, due=item.due_date) <= thresholds.blue_days)
    assert item_colours([item], today=day, thresholds=thresholds)[item.pk] in (BLUE, YELLOW)
    assert notice_colour(today=day, overdue=False, due=item.due_date, start=day, status=S.DONE, progress=100,
                         returns=0, workdays_left=1) is None  # the same figure when done: complete
    work_item_report_progress(item=item, user=w.lead_user, note="整改中", percent=95)
    item.refresh_from_db()
    assert item_colours([item], today=day, thresholds=thresholds)[item.pk] is None
