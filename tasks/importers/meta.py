"""Plan metadata: title (joined when broken over two lines), issuer, region, period."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import ascii_digits, numbering, squeeze_cjk_spaces

_TITLE_END = re.compile(
    r"(方案|计划|规划|清单|意见|办法|要点|安排|通知|分解表|分工表|责任表|任务表|一览表)\s*([（(][^（）()]{0,30}[）)])?$"
)
_PERIOD = re.compile(r"[（(]\s*(20[0-9]{2})\s*年?\s*[—–\-－~～至到]+\s*(20[0-9]{2})\s*年?\s*[）)]")
_SINGLE_YEAR = re.compile(r"(20[0-9]{2})\s*年(?!\s*[—–\-－~～至到])")
_REGION = re.compile(r"^(.{1,8}?(?:自治县|自治州|自治区|新区|市|区|县|州|盟|旗))")
_ISSUER = re.compile(
    r"^[^，,。、:：《》()（）]{4,40}(办公室|人民政府|委员会|领导小组|工作专班|专班|指挥部|局|委)$"
)
_DATE_LINE = re.compile(r"^\s*20[0-9]{2}\s*年\s*[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日\s*$")
_NOT_TITLE_START = ("附件", "根据", "现将", "为", "按照", "各", "经")
_QUOTED = re.compile(r"《([^《》]{4,80})》")


@dataclass
class Meta:
    title: str = ""
    title_line: int | None = None
    issuer: str = ""
    region: str = ""
    first_year: int | None = None
    last_year: int | None = None


def _title_candidate(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 80 or "。" in s or "，" in s or "\t" in s or "|" in s:
        return False
    if s.startswith(_NOT_TITLE_START) or numbering(s):
        return False
    return bool(_TITLE_END.search(s))


def _joinable(prev: str) -> bool:
    s = prev.strip()
    if not s or len(s) > 40 or re.search(r"[，,。：:、;；]", s) or s.startswith("附件"):
        return False
    return not (_ISSUER.match(s) or _DATE_LINE.match(s) or _TITLE_END.search(s) or numbering(s))


def read_meta(lines: list[str], *, scan: int = 120) -> Meta:
    meta = Meta()
    head = [(i, ln.strip()) for i, ln in enumerate(lines[:scan]) if ln.strip()]
    chosen: tuple[int, str] | None = None
    for pos, (i, s) in enumerate(head):
        if not _title_candidate(s):
            continue
        title = s
        if pos > 0 and not _REGION.match(s) and _joinable(head[pos - 1][1]):
            title = head[pos - 1][1] + s
            i = head[pos - 1][0]
        if title.endswith("通知") or re.search(r"通知\s*$", title):
            quoted = _QUOTED.search(title)
            if chosen is None and quoted:
                chosen = (i, quoted.group(1))
            continue
        chosen = (i, title)
        break
    if chosen is None:
        for i, s in head:
            quoted = _QUOTED.search(s)
            if quoted and _TITLE_END.search(quoted.group(1)):
                chosen = (i, quoted.group(1))
                break
    if chosen:
        meta.title_line = chosen[0] + 1
        meta.title = squeeze_cjk_spaces(chosen[1])
    limit = chosen[0] if chosen else len(head)
    for i, s in head:
        if i >= limit:
            break
        if _ISSUER.match(s) and not _TITLE_END.search(s):
            meta.issuer = s
    if not meta.issuer:
        for i in range(1, len(lines)):
            if _DATE_LINE.match(lines[i]) and _ISSUER.match(lines[i - 1].strip()):
                meta.issuer = lines[i - 1].strip()
                break
    for source in (meta.title, meta.issuer):
        m = _REGION.match(source)
        if m:
            meta.region = m.group(1)
            break
    period = _PERIOD.search(ascii_digits(meta.title))
    if not period:
        for _, s in head[:40]:
            period = _PERIOD.search(ascii_digits(s))
            if period:
                break
    if period:
        meta.first_year, meta.last_year = int(period.group(1)), int(period.group(2))
    else:
        single = _SINGLE_YEAR.search(ascii_digits(meta.title))
        if single:  # a plan for one year: "(2023年)", "某某市2023年住房工作重点任务清单"
            meta.first_year = meta.last_year = int(single.group(1))
    return meta
