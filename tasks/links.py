"""Links to an object's page by its id, and to fixed pages, without resolving the URL pattern each time.

``reverse`` matches the pattern and quotes its arguments on every call: a list page links each row to
two or three pages, about a twentieth of the page's time. For a pattern whose only argument is an
integer id, the URL is reversed once (per language, script prefix and URLconf) around a stand-in id and
each call puts its id in between. A URL with no argument, or with constant ones (the admin's sidebar: each
model's list and add pages, each app's index, on every admin page), is reversed once per language, script
prefix and URLconf (``fixed_url``). Same URL as ``reverse`` (tested).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_STAND_IN = 90_071_992_547_409_931  # no real id; its digits appear once in the reversed URL


@lru_cache(maxsize=512)
def _around(name: str, prefix: str, urlconf, language: str | None) -> tuple[str, str]:
    url = reverse(name, args=[_STAND_IN], urlconf=urlconf)
    before, found, after = url.partition(str(_STAND_IN))
    if not found or str(_STAND_IN) in after:
        raise ValueError(f"{name}: the id is not a plain part of its URL ({url})")
    return before, after


def pk_url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for a URL pattern taking one ``int`` id."""
    before, after = _around(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, get_language())
    return f"{before}{int(pk)}{after}"


@lru_cache(maxsize=2048)
def _fixed(name: str, kwargs: tuple, current_app: str | None, prefix: str, urlconf, language: str | None) -> str:
    return reverse(name, kwargs=dict(kwargs) or None, current_app=current_app, urlconf=urlconf)


def fixed_url(name: str, *, current_app: str | None = None, **kwargs: str) -> str:
    """``reverse(name, kwargs=kwargs, current_app=current_app)`` for arguments that are the same on every
    request (``NoReverseMatch`` is raised as by ``reverse``, and not remembered)."""
    return _fixed(name, tuple(sorted(kwargs.items())), current_app, get_script_prefix(),
                  get_urlconf() or settings.ROOT_URLCONF, get_language())


# ---- a list page's own links: sort, page, filter, export ------------------------------------------------------


class PageQuery:
    """The query string a list page's links carry: the parameters the page reads (each table's sort, page and
    page-size keys, the filter form's fields, a page's own, registered with ``read``), in the request's order,
    encoded once per page. Anything else in the request (a tracking tag, a crawler's or an attacker's hundred
    parameters) is left out of the links: django-tables2's ``querystring`` re-encoded every parameter of the
    request for every sort and page link, a third of a list page's time with a long query string.
    ``link(key=value)`` is the page's query with those keys set (in place when the page has them, else at the
    end; None drops a key), HTML-escaped as the template tags did."""

    def __init__(self, params: QueryDict):
        self._params = params
        self._read: set[str] = set()
        self._encoded: dict[str, str] | None = None

    def read(self, *names: str) -> None:
        """The page reads these parameters: its links keep them."""
        self._read.update(names)
        self._encoded = None

    def encoded(self) -> dict[str, str]:
        """``{name: "name=value&name=value2"}`` of the read parameters present, in the request's order."""
        if self._encoded is None:
            self._encoded = {name: urlencode([(name, v) for v in values])
                             for name, values in self._params.lists() if name in self._read and values}
        return self._encoded

    def url(self, path: str) -> str:
        """``path`` with the page's own query string (not HTML-escaped): where a page's "back" links lead."""
        query = "&".join(self.encoded().values())
        return f"{path}?{query}" if query else path

    def link(self, updates: dict) -> SafeString:
        encoded = self.encoded()
        new = {str(k): (None if v is None else urlencode([(str(k), str(v))])) for k, v in updates.items()}
        parts = [new.pop(name) if name in new else part for name, part in encoded.items()]
        parts.extend(new.values())
        return mark_safe(escape("?" + "&".join(p for p in parts if p)))


def page_query(request: HttpRequest) -> PageQuery:
    """The request's ``PageQuery`` (one per request: the tables and the filter of a page register on it)."""
    query = getattr(request, "_page_query", None)
    if query is None:
        query = request._page_query = PageQuery(request.GET)
    return query
