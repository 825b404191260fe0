"""What every view, form, service and importer does with raw input before checking or storing it.

- ``parse_id``: the one parser of an object id read from GET/POST (``"²"``, ``"-1"``, a 30-digit
  number, ``"1.0"`` are not ids: ``None``).
- ``clean_text``: removes zero-width and control characters and keeps everything else as written
  (Chinese punctuation, ①, ㎡, full-width digits stay); a text of only invisible characters is empty.
- ``fold``: NFKC (full-width digits and letters to ASCII, ㎡ to m2) for *matching* names and *parsing*
  numbers and dates only; never stored.
- ``bounded_int``: a page size or page number from the query string, clamped.
- ``is_key``: whether a raw value can be a value of a model's key field (``parse_id`` for integer keys).
- ``is_blank``: whether a text shows nothing (whitespace, zero-width, invisible fillers): a required text
  of only those is missing.
- ``wide_digits``: whether a typed number or date holds digits that are not ASCII ("３", "٣", "²"): refused
  by the form fields (``tasks.forms``), never read as another number.
- ``search_text``: a search or filter word as every list, admin search and autocomplete reads it: cleaned
  and cut to ``SEARCH_MAX`` characters (SQLite refuses LIKE patterns past 50,000 bytes; no one searches
  for a paragraph).
"""

from __future__ import annotations

import re

from django.db.models import Q

from tasks.text import (  # noqa: F401 (the text rules, re-exported for views and forms)
    SEARCH_MAX,
    clean_required,
    clean_text,
    fold,
    is_blank,
    search_text,
    wide_digits,
)

# Largest id any of our tables can hold (PostgreSQL bigint); larger numbers are not ids.
MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int | None:
    """A positive database id from a request parameter, or ``None`` when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    # fullmatch on an ASCII-only class: "²", "١", "+1", "1e3", " 1 2" are refused (str.isdigit accepts "²").
    if not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def is_key(field, value: object) -> bool:
    """Whether a raw request value can be a value of model ``field`` used as a key (a primary key, a
    foreign key's target): an integer key through ``parse_id``, any other through the field's own
    ``to_python``. Django's forms and admin query with such values as given, and a value the column
    cannot hold ("²", a 20-digit number) raises in the query instead of failing validation."""
    from django.core.exceptions import ValidationError
    from django.db import models

    while isinstance(field, models.ForeignKey):  # a key that is itself a reference: the column it holds
        field = field.target_field
    if isinstance(field, models.IntegerField):  # AutoField and BigAutoField too
        return parse_id(value) is not None
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


def parse_ids(values) -> list[int] | None:
    """Every value parsed as an id, de-duplicated and sorted; ``None`` when any one is not an id."""
    ids = set()
    for value in values:
        number = parse_id(value)
        if number is None:
            return None
        ids.add(number)
    return sorted(ids)


def bounded_int(value: object, *, default: int, low: int, high: int) -> int:
    """An integer query parameter clamped to ``low..high``; ``default`` when missing or not a number."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,9}", value.strip()):
        return max(low, min(high, int(value.strip())))
    return default


def text_lookup(word: str, lookup: str = "icontains") -> str:
    """The lookup that finds ``word`` in a text column: ``lookup`` ("icontains", "istartswith", "iexact")
    when the word has letters with a case, else its case-sensitive form. Chinese has no case, and
    PostgreSQL's UPPER() of every row's text is most of a search's time (a province's 1,000,000 item
    texts: 550 ms with UPPER, 195 without)."""
    return lookup if word.upper() != word.lower() else lookup.removeprefix("i")


def contains(field: str, word: str) -> Q:
    """Rows whose text ``field`` contains ``word`` (``text_lookup``)."""
    return Q(**{f"{field}__{text_lookup(word)}": word})


class IdConverter:
    """URL converter ``<id:pk>``: the URL form of ``parse_id`` (a 30-digit id is a 404, not a query)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # the resolver tries the next pattern, then 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))
