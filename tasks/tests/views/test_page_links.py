"""A list page's sort, page, filter and export links carry the parameters the page reads (``tasks.links.PageQuery``):
sorting keeps the filters, paging keeps the sort and the filters, an export keeps both; a parameter the page does not
read (a tracking tag, a crawler's or an attacker's hundred) is not copied into every link."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from django.urls import reverse

from tasks.links import PageQuery
from tasks.services.reports import work_item_request_close
from tasks.tests.daily_setup import bulk_items, login, make_world

pytestmark = pytest.mark.django_db

JUNK = {f"junk{i}": f"<x{i}>&y" for i in range(40)} | {"utm_source": "mail"}


def _links(response) -> list[dict]:
    """The query of every link of the page that is only a query string (``href="?…"``)."""
    body = response.content.decode()
    return [
        parse_qs(urlsplit(html.unescape(h)).query, keep_blank_values=True)
        for h in re.findall(r'href="(\?[^"]*)"', body)
    ]


def _by(links: list[dict], key: str) -> list[dict]:
    return [q for q in links if key in q]


def _no_junk(links: list[dict]) -> None:
    assert links
    for q in links:
        assert not set(q) & set(JUNK), q


def test_my_work_links_keep_sort_filters_and_page_size_and_drop_the_rest(client):
    w = make_world()
    bulk_items(plan=w.plan, unit=w.lead, n=6, today=w.today)
    own = {"sort": "-due_date", "role": "lead", "q": "批量", "per_page": "2", "page": "2"}
    response = login(client, w.lead_user).get(reverse("tasks:home"), own | JUNK)
    assert response.status_code == 200
    links = _links(response)
    _no_junk(links)
    sorts = [q for q in links if q.get("sort") != ["-due_date"] and "sort" in q]  # the headers' links
    assert sorts and all(q["role"] == ["lead"] and q["q"] == ["批量"] and q["per_page"] == ["2"] for q in sorts)
    pages = [q for q in links if q.get("page") not in (None, ["2"])]
    assert pages and all(q["sort"] == ["-due_date"] and q["role"] == ["lead"] and q["q"] == ["批量"] for q in pages)
    (export,) = _by(links, "export")
    assert export["export"] == ["xlsx"] and export["sort"] == ["-due_date"] and export["role"] == ["lead"]


def test_unit_page_tables_keep_each_others_sort_and_page(client):
    w = make_world()
    bulk_items(plan=w.plan, unit=w.lead, n=4, today=w.today, overdue=True)
    own = {"o-sort": "text", "o-page": "2", "o-per_page": "1", "i-sort": "-due_date", "i-per_page": "2"}
    response = login(client, w.coordinator).get(reverse("tasks:unit_detail", args=[w.lead.pk]), own | JUNK)
    assert response.status_code == 200
    links = _links(response)
    _no_junk(links)
    all_sorts = [q for q in links if q.get("i-sort", ["-due_date"]) != ["-due_date"]]
    assert all_sorts and all(q["o-sort"] == ["text"] and q["o-page"] == ["2"] for q in all_sorts)
    overdue_pages = [q for q in links if q.get("o-page", ["2"]) != ["2"]]
    assert overdue_pages and all(q["o-sort"] == ["text"] and q["i-sort"] == ["-due_date"] for q in overdue_pages)


def test_review_queue_and_burden_links_keep_their_own_parameters(client):
    w = make_world()
    work_item_request_close(item=w.item, user=w.lead_user, note="已完成")
    work_item_request_close(item=w.other_item, user=w.other_user, note="已完成")
    response = login(client, w.coordinator).get(reverse("tasks:review_queue"), {"c-per_page": "1", "xpage": "1"} | JUNK)
    assert response.status_code == 200
    links = _links(response)
    _no_junk(links)
    pages = _by(links, "c-page")
    assert pages and all(q["xpage"] == ["1"] and q["c-per_page"] == ["1"] for q in pages)

    period = {"year": str(w.today.year), "month": "3", "sort": "-month"}
    response = login(client, w.coordinator).get(reverse("tasks:plan_burden", args=[w.plan.slug]), period | JUNK)
    assert response.status_code == 200
    links = _links(response)
    _no_junk(links)
    exports = _by(links, "export")
    assert len(exports) == 3
    assert all(q["year"] == [period["year"]] and q["month"] == ["3"] and q["sort"] == ["-month"] for q in exports)
    assert {"totals"} == {q["table"][0] for q in exports if "table" in q}


def test_page_query_encodes_in_the_requests_order_and_escapes():
    query = PageQuery(QueryDict("b=2&junk=%3Cx%3E&a=1&a=%26&c="))
    query.read("a", "b", "c", "d")
    assert query.link({"b": 3}) == "?b=3&amp;a=1&amp;a=%26&amp;c="
    assert query.link({"d": "x y", "a": None}) == "?b=2&amp;c=&amp;d=x+y"


def test_overdue_rows_lead_back_to_the_list_with_its_own_parameters(client):
    w = make_world()
    bulk_items(plan=w.plan, unit=w.lead, n=3, today=w.today, overdue=True)
    own = {"sort": "lead_name", "bucket": "", "per_page": "2"}
    response = login(client, w.coordinator).get(reverse("tasks:overdue"), own | JUNK)
    assert response.status_code == 200
    backs = [
        parse_qs(urlsplit(html.unescape(h)).query)["next"][0]
        for h in re.findall(r'href="([^"]*/comment/\?next=[^"]*)"', response.content.decode())
    ]
    assert len(backs) == 2
    for back in backs:
        assert urlsplit(back).path == reverse("tasks:overdue")
        query = parse_qs(urlsplit(back).query, keep_blank_values=True)
        assert query == {"sort": ["lead_name"], "bucket": [""], "per_page": ["2"]}
