"""Personal data kept out of what a logged-out visitor reads (the public 晾晒, issue 34): the one masking rule.

Text typed by people (an item's text, above all an item from a leader's instruction: "落实王五副区长批示…")
may name a person. Before such text is published it passes through ``mask_personal``: every person's name,
username, email, mobile and messaging id the database knows (``selectors.public.personal_strings`` gathers
them), the names written in an instruction's source ("王五副区长批示（2026第3号）" names 王五), and anything
shaped like a mobile number, a telephone number or an email address become ``MASK``.

Pure functions over plain values, as every rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MASK = "×××"
# A term shorter than this is not masked: a single character ("三" of 张三's given name) is in every text.
MIN_TERM = 2
# Titles written after a person's name in an instruction's source or a 责任领导 column.
_TITLES = (
    "常务副省长", "常务副市长", "常务副区长", "常务副县长", "副省长", "副市长", "副区长", "副县长", "副镇长",
    "省长", "市长", "区长", "县长", "镇长", "乡长", "街道主任", "副书记", "书记", "副主任", "主任", "副局长",
    "局长", "副部长", "部长", "副秘书长", "秘书长", "副主席", "主席", "同志", "领导", "委员", "处长", "科长",
)
_TITLE = "|".join(sorted(_TITLES, key=len, reverse=True))
_HAN = r"[\u4e00-\u9fff·]"
# "王五副区长批示", "李四同志" -> 王五, 李四 (a name is 2-4 characters before a title); "书记张三批示" -> 张三.
_NAME_BEFORE_TITLE = re.compile(rf"({_HAN}{{2,4}}?)(?:{_TITLE})")
_NAME_AFTER_TITLE = re.compile(rf"(?:{_TITLE})({_HAN}{{2,3}}?)(?:批示|指示|签批|要求|讲话|同志)")
# Characters of offices, meetings and documents, never taken for part of a name ("市委书记" names nobody).
_NOT_A_NAME = frozenset("市区县省镇乡村街委局府办厅部管党会议院组室处科批示要求指示纪要常务第次号年月日政协人大分")
_SEPARATORS = re.compile(r"[\s,，、;；/|（）()【】\[\]：:“”\"'《》<>]+")
# Shapes that are personal whoever they belong to: a mainland mobile, a telephone with its area code, an email.
_PATTERNS = (
    re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"),
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
)


def _fold(text: str) -> str:
    """Lower case where that keeps every character in place (masking works on positions)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


def _is_name(text: str) -> bool:
    return 2 <= len(text) <= 4 and re.fullmatch(rf"{_HAN}+", text) is not None and not (set(text) & _NOT_A_NAME)


def _without_title(text: str) -> str:
    return re.sub(rf"(?:{_TITLE})+$", "", text)


def names_in(text: str | None) -> list[str]:
    """The person names a source or a leaders' column writes: each piece between separators with its title
    removed, and every name written beside a title ("王五副区长批示（2026第3号）" -> ["王五"])."""
    found = [m.group(1) for pattern in (_NAME_BEFORE_TITLE, _NAME_AFTER_TITLE) for m in pattern.finditer(text or "")]
    found += [_without_title(piece) for piece in _SEPARATORS.split(text or "")]
    return [name for name in found if _is_name(name)]


@dataclass(frozen=True)
class PersonalTerms:
    """What ``mask_personal`` masks, ready to look up: the terms by length."""

    by_length: dict[int, frozenset[str]]


def personal_terms(values: Iterable[str | None], *, sources: Iterable[str | None] = ()) -> PersonalTerms:
    """The terms to mask: each of ``values`` as it is (names, usernames, emails, mobiles, ids; a name also
    without its title), and the names found in each of ``sources`` (``names_in``)."""
    terms: set[str] = set()
    for value in values:
        value = (value or "").strip()
        if len(value) >= MIN_TERM:
            terms.add(_fold(value))
            if _is_name(core := _without_title(value)):  # "王五副区长" also as 王五
                terms.add(core)
    for source in sources:
        terms.update(_fold(name) for name in names_in(source or ""))
    by_length: dict[int, set[str]] = {}
    for term in terms:
        if len(term) >= MIN_TERM:
            by_length.setdefault(len(term), set()).add(term)
    return PersonalTerms({n: frozenset(group) for n, group in by_length.items()})


def mask_personal(text: str | None, terms: PersonalTerms) -> str | None:
    """``text`` with every term of ``terms`` (case-insensitively) and every mobile, telephone number and email
    address replaced by ``MASK``; overlapping matches become one mask."""
    if not text:
        return text
    spans: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        spans.extend(m.span() for m in pattern.finditer(text))
    folded = _fold(text)
    size = len(folded)
    for length, group in terms.by_length.items():
        for start in range(0, size - length + 1):
            if folded[start:start + length] in group:
                spans.append((start, start + length))
    if not spans:
        return text
    spans.sort()
    out, at = [], 0
    for start, end in spans:
        if start < at:  # overlaps the mask before: widen it
            if end > at:
                at = end
            continue
        out.append(text[at:start])
        out.append(MASK)
        at = end
    out.append(text[at:])
    # Consecutive masks (a name then its mobile) read as one.
    return re.sub(f"(?:{MASK})+", MASK, "".join(out))
