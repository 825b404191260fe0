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
from django.urls import get_script_prefix, get_urlconf, reverse
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
