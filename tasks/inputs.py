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
import unicodedata

from django.db.models import Q

# Largest id any of our tables can hold (PostgreSQL bigint); larger numbers are not ids.
MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")

# Zero-width and invisible formatting characters people paste from Word/WeChat, and the byte-order mark.
_INVISIBLE = (
    "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"  # zero-width, BOM, soft hyphen
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # direction marks and overrides
)
# C0/C1 control characters except tab, newline and carriage return (which are layout, kept).
_CONTROL = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])
_STRIP = {ord(c): None for c in _INVISIBLE + _CONTROL}
# Letters that render as nothing (Hangul fillers, the braille blank, the combining grapheme joiner): kept in a
# text that has something else, but a text of only these (and whitespace) shows nothing.
_BLANK_LOOKING = set("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
# Unicode categories that show nothing on their own: format, control, separators, unassigned, combining marks.
_BLANK_CATEGORIES = {"Cf", "Cc", "Cn", "Co", "Zs", "Zl", "Zp", "Mn", "Me"}

SEARCH_MAX = 100


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


def clean_text(value: str | None) -> str:
    """The text without zero-width and control characters, otherwise as written (not stripped)."""
    if not value:
        return ""
    # Lone surrogates cannot be stored (PostgreSQL refuses them, UTF-8 cannot encode them).
    value = value.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(value) else value
    return value.translate(_STRIP)


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def clean_required(value: str | None) -> str:
    """``clean_text`` and stripped: what a required note, comment or reason must still hold."""
    return clean_text(value).strip()


def is_blank(value: str | None) -> bool:
    """Whether ``value`` shows nothing: empty, or only whitespace, zero-width, control and filler characters."""
    return not value or all(
        c.isspace() or c in _BLANK_LOOKING or unicodedata.category(c) in _BLANK_CATEGORIES for c in value
    )


def wide_digits(value: object) -> bool:
    """Whether a typed value holds digits other than ASCII 0-9 (full-width "３", Arabic-Indic "٣", "²").

    Python's ``int()``, ``Decimal()`` and ``strptime`` read most of them as numbers, so "３" typed in a year
    would be stored as 3: the forms refuse them and say so, rather than guess what was meant."""
    return isinstance(value, str) and any(c.isdigit() and not c.isascii() for c in value)


def search_text(value: str | None) -> str:
    """A search word or filter text from a request: ``clean_required`` and at most ``SEARCH_MAX`` characters."""
    return clean_required(value)[:SEARCH_MAX]


def fold(value: str | None) -> str:
    """Cleaned and NFKC-folded, for matching names and parsing numbers and dates; never stored."""
    return unicodedata.normalize("NFKC", clean_text(value))


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
