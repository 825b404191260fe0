"""A plan's short name: how a plan is told apart from the other plans of its region wherever their key
tasks, indicators or items meet (filters, a town's 分解目标, a liaison's home).

Pure functions over plain values. The coordinator sets the short name in the import preview; the
default is the region's name and the plan's theme.
"""

from __future__ import annotations

import re

SHORT_NAME_MAX = 40

# Quoted terms carry a plan's theme: 海宁市推进“住有宜居”打造“安居潮城”品牌实施方案 -> 住有宜居·安居潮城.
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{1,20})[”\"」』]")
_PERIOD = re.compile(r"[(（]?\s*\d{4}\s*(?:[—–\-~至到]+\s*\d{4})?\s*年?\s*[)）]?")
_KIND = re.compile(r"(?:专项)?\s*(?:实施方案|工作方案|行动方案|行动计划|工作计划|工作清单|方案)$")
_LEAD = re.compile(r"^(?:关于)?(?:印发)?(?:全面|深入|加快|持续|进一步)?(?:推进|推动|实施|开展|做好)?")


def plan_theme(*, region: str, title: str) -> str:
    """The theme of a plan's title: its quoted terms joined by ·, or the title without the region, the
    period and the kind of document (实施方案, 工作方案, ...)."""
    quoted = [q.strip() for q in _QUOTED.findall(title) if q.strip()]
    if quoted:
        return "·".join(dict.fromkeys(quoted))
    rest = title.replace(region, "", 1) if region else title
    rest = _PERIOD.sub("", rest).strip()
    rest = _KIND.sub("", rest).strip()
    rest = _LEAD.sub("", rest).strip()
    return rest


def default_short_name(*, region: str, title: str, first_year: int | None = None, last_year: int | None = None,
                       taken: frozenset[str] | set[str] = frozenset()) -> str:
    """The region's name and the plan's theme (``越城区·七优享·住有宜居``), at most ``SHORT_NAME_MAX`` characters;
    when another plan of the region already has that name, the plan's years follow (``…2023—2027``)."""
    theme = plan_theme(region=region, title=title)
    name = f"{region}·{theme}" if theme else (region or title)
    name = name[:SHORT_NAME_MAX]
    if name in taken and first_year:
        years = str(first_year) if not last_year or last_year == first_year else f"{first_year}—{last_year}"
        name = f"{name[:SHORT_NAME_MAX - len(years) - 1]} {years}"
    return name
