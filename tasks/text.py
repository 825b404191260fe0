"""Text as every input and document reading cleans it: pure functions, no Django (the importers use them too).

- ``clean_text``: removes zero-width and control characters and keeps everything else as written
  (Chinese punctuation, ①, ㎡, full-width digits stay); a text of only invisible characters is empty.
- ``fold``: NFKC (full-width digits and letters to ASCII, ㎡ to m2) for *matching* names and *parsing*
  numbers and dates only; never stored.
- ``is_blank``: whether a text shows nothing (whitespace, zero-width, invisible fillers).
- ``wide_digits``: whether a typed number or date holds digits that are not ASCII.
- ``search_text``: a search or filter word, cleaned and cut to ``SEARCH_MAX`` characters.

``tasks.inputs`` (request values) re-exports them, so views and forms import one module.
"""

from __future__ import annotations

import unicodedata

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


# What turns a person's text into markup in a chat message's markdown (DingTalk, 浙政钉, the group robots): a
# link or picture (``[text](url)``, ``![](url)``), HTML (``<a>``, ``<img>``, ``<font>``), and a line break
# (which starts a heading, a quote or a list). Each becomes its full-width twin or a space: read the same.
_MARKDOWN_MARKUP = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "\r": " ", "\n": " "})


def markdown_plain(value: object) -> str:
    """A stored text (an item's, a unit's name, a requirement) as plain words inside a markdown message: it
    may not make a link that says one thing and goes elsewhere, load a picture from an address of its
    writer's, or start a block of its own."""
    return str(value if value is not None else "").translate(_MARKDOWN_MARKUP)
