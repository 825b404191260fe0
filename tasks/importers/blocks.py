"""Source lines to blocks: paragraphs (broken lines joined) and table rows, with line numbers."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .statements import _ALL as _LABELS
from .statements import STANDALONE
from .text import SAFEGUARDS, join_lines, no_spaces, numbering, simplified, squeeze_cjk_spaces

_NOISE = re.compile(  # page numbers: "— 5 —", "第5页 共9页"
    r"^\s*(?:[-—–－]+\s*[0-9]+\s*[-—–－]+|第\s*[0-9]+\s*页(?:\s*[/，,]?\s*共\s*[0-9]+\s*页)?)\s*$"
)
_MD_RULE = re.compile(r"^[\s|:：\-—+]+$")
_DATE_LINE = re.compile(r"^\s*(?:20[0-9]{2}|二〇[一二三四五六七八九〇]{2})\s*年.{1,3}月.{1,3}日\s*$")
_ATTACHMENT = re.compile(r"^\s*附\s*件\s*[0-9一二三四五六七八九十]*\s*[:：]?")
_CAPTION = re.compile(r"^\s*(?:表\s*[0-9一二三四五六七八九十]*\s*[:：]|第[一二三四五六七八九十]+[章节部分])")
_TERMINAL = tuple("。！？；;!?：:）)】]」』")
_HEADING_END = ("名单", "清单", "一览表", "目标表", "分工表", "计划表", "任务表", "指标表")
_ISSUER_END = ("办公室", "人民政府", "委员会", "领导小组", "工作专班", "专班", "指挥部", "办事处")

# Header words of a table written one cell per line.
HEADER_WORDS = {
    "序号", "序", "编号", "任务", "重点任务", "主要任务", "工作任务", "具体任务", "任务内容", "工作内容",
    "重点工作", "工作措施", "具体措施", "主要措施", "工作举措", "牵头单位", "责任单位", "配合单位",
    "牵头部门", "责任部门", "配合部门", "协办单位", "完成时限", "完成时间", "时间节点", "完成期限",
    "备注", "责任领导", "牵头领导", "指标", "指标名称", "工作清单", "年度目标", "进度安排", "类别", "领域",
    "牵头责任单位", "协同责任单位", "主办单位", "协同单位", "牵头负责领导", "数据提供单位", "督办单位",
    "计划完成时间", "时间安排", "完成时间节点", "工作目标", "目标任务", "主要内容", "具体内容", "工作要求",
    "任务事项", "具体举措", "重点举措", "主办", "协办", "负责单位", "实施主体", "责任主体", "时限要求",
    "分管领导", "说明", "主要工作", "具体工作", "工作事项", "重点事项", "工作职责", "主要职责", "参与单位",
    "任务项",  # a column of the rows' numbers, as 序号 ("任务项 | 重点工作内容 | 牵头责任单位 | …")
}
_SPACED = re.compile(r"[ \t]{2,}|\u3000+")


def _claim(lines: list[str], out: dict, start: int, end: int, rows: list) -> None:
    """Record ``rows`` as the table found at line ``start`` and mark lines ``start`` to ``end`` (excluded) as
    consumed, so that no later reader takes them again."""
    out[start] = rows
    for idx in range(start, end):
        lines[idx] = "\0"
    lines[start] = "\0table"


def is_header_word(line: str) -> bool:
    """A table column name ("牵头单位", "完成时限", "责任单位（列第一位为牵头单位）") on its own."""
    key = simplified(no_spaces(line))
    if key in HEADER_WORDS:
        return True
    if not key or len(key) > 16 or not ("单位" in key or "部门" in key or "时" in key or "任务" in key
                                          or "领导" in key or "序" in key or "科室" in key or "处室" in key):
        return False
    from .tables import _role

    return _role(key) is not None
_SPACED_ROW = re.compile(r"\S(?:[ \t]{2,}|\u3000+)\S.*\S(?:[ \t]{2,}|\u3000+)\S")
_UNIT_END = re.compile(r"(局|委|办|中心|公司|集团|政府|院|部|所|队|站|行|街道|镇|乡|组|会)$")
_REGION_START = re.compile(r"^(各|市|区|县|省|镇|乡|州|国网|中国)")


@dataclass
class Para:
    text: str
    line: int
    segs: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, source line)

    def line_at(self, offset: int) -> int:
        """Source line of a character offset in the joined paragraph."""
        i = bisect.bisect_right(self.segs, (offset, 1 << 30)) - 1
        return self.segs[max(i, 0)][1]


@dataclass
class Row:
    cells: list[str]
    line: int


Block = Para | Row


_MD_HEADING = re.compile(r"^#{1,6}\s+", re.M)
_BOX_LABEL = re.compile(r"[【\[]\s*(" + "|".join(_LABELS) + r")\s*[】\]]\s*[:：]?")


def normalize_lines(text: str) -> list[str]:
    """Line breaks to \\n, odd spaces to spaces, Markdown heading marks dropped (a converted .md)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = text.replace("\xa0", " ").replace("\u2002", " ").replace("\u2003", " ")
    if "【" in text or "[" in text:  # "【责任单位】A、B" is "责任单位：A、B"
        text = _BOX_LABEL.sub(r"\1：", text)
    return _MD_HEADING.sub("", text).split("\n")


def _row_cells(line: str) -> list[str] | None:
    if "\t" in line:
        if not line.startswith("\t") and line.count("\t") == 1 and numbering(line.replace("\t", " ")):
            return None  # "1.\t扩大…": a numbered paragraph with a tab after its number
        cells = [c.strip() for c in line.rstrip().split("\t")]
    elif line.count("|") >= 2 or line.count("｜") >= 2:
        if _MD_RULE.match(line):
            return []
        cells = [c.strip() for c in re.split(r"[|｜]", line.strip())]
        stripped = line.strip()
        if stripped.startswith(("|", "｜")) and stripped.endswith(("|", "｜")):
            cells = cells[1:]  # markdown style "| a | b |"
    elif _SPACED_ROW.search(line):
        # "3    推进…    市住建局    年底前": a row of a space-separated table whose header was not recognised
        cells = [c.strip() for c in _SPACED.split(line.strip()) if c.strip()]
        if len(cells) < 3 or not any(_unitish(c) for c in cells) or not any(
                len(c) >= 6 and not _unitish(c) for c in cells):
            return None
    else:
        return None
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _starts_block(line: str) -> bool:
    return bool(
        numbering(line) or STANDALONE.match(line) or _ATTACHMENT.match(line) or _CAPTION.match(line)
        or _DATE_LINE.match(line) or (len(line) <= 40 and line.endswith(_HEADING_END))
    )


def _statement_done(parts: list[str], line: str) -> bool:
    """A units line ("责任单位:A、B") ends at a unit name; a short line after it with no list separators
    is a heading, not the rest of the last name ("…、市发改局" + "加快发展住房租赁市场")."""
    if not STANDALONE.match(parts[0]) or len(line) > 30 or re.search(r"[、,，;；:：()（）]", line):
        return False
    from .units import looks_like_unit

    last = re.split(r"[、,，;；:：]", parts[-1])[-1]
    return looks_like_unit(last) and not looks_like_unit(last + line[:2])


def _complete(text: str) -> bool:
    """A paragraph that cannot continue on the next line."""
    t = text.rstrip()
    if t.endswith(_TERMINAL) or t.endswith(_HEADING_END) or _DATE_LINE.match(t):
        return True
    if _ATTACHMENT.match(t) and len(no_spaces(t)) <= 8:
        return True
    num = numbering(t)
    if num and "。" not in t and len(t) - num[2] <= 30:
        return True  # a heading on its own line: "(一)加快完善住房保障体系"
    return len(t) <= 40 and t.endswith(_ISSUER_END) and not re.search(r"[，,、。]", t)


def _cell_per_line_tables(lines: list[str]) -> dict[int, list[tuple[int, list[str]]]]:
    """Find tables laid out one cell per line; {first line index: [(line index, cells)]}."""
    out: dict[int, list[list[str]]] = {}
    i, n = 0, len(lines)
    while i < n:
        if not is_header_word(lines[i]):
            i += 1
            continue
        header, j = [], i
        while j < n and _header_line(lines[j]):
            if lines[j].strip():
                header.append(no_spaces(lines[j]))
            j += 1
        numbered = bool(header) and (header[0].startswith("序") or header[0] in ("编号", "任务项"))
        task_at = _task_column(header) if not numbered else None
        if len(header) < (3 if numbered else 2) or not (numbered or task_at is not None) or sum(
                1 for w in header if is_header_word(w)) < 2:
            i = j
            continue
        if not numbered:
            chunks = _unnumbered_rows(lines, j, header, task_at)
            if chunks is not None:
                if chunks:
                    _claim(lines, out, i, chunks[-1][0] + 1, [(i, header), *chunks])
                i = max(j, chunks[-1][0] + 1) if chunks else j
                continue
        elif len(header) < 3:
            i = j
            continue
        first_word = header[0]
        group: list[tuple[int, list[str]]] = []
        if numbered and len(header) > 3 and len(header[-1]) >= 4 and not is_header_word(header[-1]) and not (
                _GAP_COLUMN.search(header[-1])) and not (
                is_header_word(header[-2] + header[-1])) and sum(1 for w in header if is_header_word(w)) >= 3:
            # "农业高质高效" after the header, before the first 序号: a group cell (a column merged down
            # before 序号), read as a section row, not a column name
            at = max(x for x in range(i, j) if no_spaces(lines[x]) == header[-1])
            group = [(at, [header.pop()])]
        if numbered:
            header = _merge_header_pieces(header, _first_row_width(lines, j))
        rows: list[tuple[int, list[str]]] = [(i, header), *group]
        expected = 1
        current: list[str] | None = None
        pending: list[str] = []  # cells before the task cell of a table without 序号 (a 牵头领导)
        k = j
        while k < n:
            s = lines[k].strip()
            if not s:
                k += 1
                continue
            num = numbering(s)
            if _ATTACHMENT.match(s) or (num and SAFEGUARDS.match(s[num[2]:])) or _CAPTION.match(s) or (
                    "\t" in lines[k] or lines[k].count("|") >= 2 or len(_SPACED.split(s)) >= 3):
                break  # the next table (a caption, or rows of another layout) or the end of the tasks
            plain = no_spaces(s)
            if plain == first_word and current is not None and is_header_word(s):
                # The header repeated mid-table (a table continued on a new page): skipped, not a row.
                k += 1
                while k < n and _header_line(lines[k]):
                    k += 1
                current = None
                continue
            if task_at is not None:
                # No 序号 column: a row starts at its task, numbered in its own text ("2.始终坚持依法行政");
                # the short cells just before it (a person merged down the rows) belong to it.
                if num and num[1] == expected and len(s) > 8:
                    if current is not None:
                        while len(current) > task_at + 1 and len(pending) < task_at and _personish(current[-1]):
                            pending.insert(0, current.pop())
                    current = ([""] * task_at + pending)[-task_at:] if task_at else []
                    current.append(s)
                    rows.append((k, current))
                    expected += 1
                    pending = []
                elif current is None:
                    pending.append(s)
                else:
                    current.append(s)
                k += 1
                continue
            marker = num if num and num[2] >= len(plain) and num[0] not in ("cn_dun", "cn_paren") else None
            if plain.isdecimal() and (int(plain) == expected or current is None):  # isdigit: "²" too
                current = [plain]
                rows.append((k, current))
                expected = int(plain) + 1
            elif marker and marker[1] == expected:  # "2." or "2、" alone
                current = [str(marker[1])]
                rows.append((k, current))
                expected = marker[1] + 1
            elif current is None or (numbering(s) and numbering(s)[0] in ("cn_dun", "cn_paren")
                                     and len(s) <= 30 and len(current) >= len(header) - 1):
                rows.append((k, [s]))  # a section row
                current = None
            else:
                current.append(s)
            k += 1
        _join_wrapped(rows, header)
        _claim(lines, out, i, k, rows)
        i = k
    return out


_LABEL_COLON = re.compile(r"[:：]\s*$")


_FIELD_NAME = re.compile(r"^[\u4e00-\u9fff、，, ]{2,24}$")


def _record_pair(line: str, inside: bool = False) -> tuple[str, str | None] | None:
    """A record's field: a column name alone on its line ("责任单位", its value on the next line), or a
    name and its value as two cells of a line ("牵头单位: | 市城管局 |"); None for anything else.
    Inside a record, any short name ending in a colon is a field too ("年度阶段性工作目标: | …")."""
    s = line.strip()
    if not s or s[0] == "\0":
        return None
    cells = _row_cells(s)
    if cells and len([c for c in cells if c]) == 2:
        name = _LABEL_COLON.sub("", cells[0])
        if is_header_word(name) or (inside and name != cells[0] and _FIELD_NAME.match(name)):
            return no_spaces(name), cells[1]
    bare = _LABEL_COLON.sub("", s.rstrip("|｜ "))
    if len(bare) <= 16 and is_header_word(bare):
        return no_spaces(bare), None
    if inside and bare != s.rstrip("|｜ ") and _FIELD_NAME.match(bare):
        return no_spaces(bare), None
    return None


def _record_tables(lines: list[str]) -> dict[int, list[tuple[int, list[str]]]]:
    """Tables written as records, field by field: each column name on its own line followed by its value
    ("具体任务" / text / "责任单位" / units / "配合单位" / …), or a name | value pair a line; a record
    restarts when its first name comes again. Rebuilt as a header (the names) and one row per record."""
    from .tables import _role

    out: dict[int, list[tuple[int, list[str]]]] = {}
    i, n = 0, len(lines)
    while i < n:
        first = _record_pair(lines[i])
        if first is None:
            i += 1
            continue
        header: list[str] = []
        rows: list[tuple[int, list[str]]] = []
        current: list[str] | None = None
        k, end = i, i
        while k < n:
            pair = _record_pair(lines[k], inside=k > i)
            if pair is None:
                break
            name, value = pair
            at = k
            if value is None:  # the value on the next non-empty line
                j = k + 1
                while j < n and not lines[j].strip():
                    j += 1
                if j >= n or _record_pair(lines[j], inside=True) is not None or lines[j].startswith("\0"):
                    break
                value, k = lines[j].strip(), j
            if current is None or name == header[0] and len(current) == len(header) and rows:
                if current is not None and name != header[0]:
                    break
                current = []
                rows.append((at, current))
            if len(rows) == 1:
                header.append(name)
            elif len(current) >= len(header) or header[len(current)] != name:
                break  # another record's layout
            current.append(value)
            k += 1
            end = k
        roles = {(_role(h) or ("", None))[0] for h in header}
        if len(header) >= 2 and "task" in roles and roles & {"lead", "resp", "support"}:
            _claim(lines, out, i, end, [(i, header), *rows])
            i = end
        else:
            i += 1
    return out


def _unnumbered_rows(lines: list[str], j: int, header: list[str], task_at: int | None
                     ) -> list[tuple[int, list[str]]] | None:
    """Rows of a cell-per-line table with neither a 序号 column nor numbered tasks ("责任单位" / "工作职责",
    a unit then its duty): a row every len(header) lines while each row's unit cells hold unit names and
    its task cell does not. None when the tasks are numbered (the caller reads those rows)."""
    from .tables import _role
    from .units import looks_like_unit

    width = len(header)
    filled = [k for k in range(j, min(len(lines), j + 4 * width)) if lines[k].strip()]
    first = filled[:width]
    if task_at is None or any((numbering(lines[k].strip()) or ("", 0))[1] == 1 for k in first):
        return None
    roles = [(_role(h) or ("", None))[0] for h in header]
    unit_at = [c for c, r in enumerate(roles) if r in ("lead", "resp", "support")]
    rows: list[tuple[int, list[str]]] = []
    k, n = j, len(lines)
    while True:
        at: list[int] = []
        while k < n and len(at) < width:
            if lines[k].strip():
                at.append(k)
            k += 1
        if len(at) < width:
            break
        cells = [lines[x].strip() for x in at]
        task = cells[task_at]
        if any("\t" in lines[x] or lines[x].count("|") >= 2 or lines[x].startswith("\0") for x in at) or len(
                task) < 4 or looks_like_unit(task) or not all(
                all(looks_like_unit(u) for u in re.split(r"[、，,；;]", cells[c]) if u) for c in unit_at):
            break
        rows.append((at[0], cells))
    return rows if len(rows) >= 2 else []


def _task_column(header: list[str]) -> int | None:
    """The task column of a header without 序号 that names a task and a unit column, else None."""
    from .tables import _role

    roles = [(_role(h) or ("", None))[0] for h in header]
    if "task" in roles and set(roles) & {"lead", "resp", "support"}:
        return roles.index("task")
    return None


def _personish(cell: str) -> bool:
    """A person's name ("周阳市长", "何海平"), not a deadline ("年底前")."""
    from .tables import looks_like_deadline, looks_like_persons

    return looks_like_persons(cell, set()) and not looks_like_deadline(cell)


_TITLED = ("长", "书记", "主任", "主席", "同志")


_HEADER_PIECE = re.compile(r"^[\u4e00-\u9fff]{1,8}$")


def _header_piece(line: str) -> bool:
    """A short line of a cell-per-line header that is no known column name: "民生实事", or half of a
    name broken over two lines ("责任" / "领导")."""
    key = no_spaces(line)
    return bool(_HEADER_PIECE.match(key)) and not (_personish(key) and key.endswith(_TITLED))


def _first_row_width(lines: list[str], j: int) -> int:
    """How many cells the first numbered row after a header holds (0 when unclear)."""
    n, k = len(lines), j
    while k < n and not lines[k].strip():
        k += 1
    if k >= n or not no_spaces(lines[k]).isdecimal():
        return 0
    cells, k = 1, k + 1
    while k < n:
        s = no_spaces(lines[k])
        if s.isdecimal() and len(s) <= 3:
            return cells
        cells += bool(s)
        k += 1
    return cells


def _header_line(line: str) -> bool:
    """A line of a header laid out one cell per line: a header word, a piece of one, or blank."""
    return is_header_word(line) or not line.strip() or (
        _header_piece(line) and not (len(line.strip()) >= 3 and _unit_line(line.strip())))


def _merge_header_pieces(header: list[str], width: int) -> list[str]:
    """Column names broken over lines joined again: a piece of one or two characters joins its
    neighbour ("责任"+"领导", "攻坚目标"+"任务"), then, while the header has more pieces than the first
    row has cells, two neighbouring pieces that are no column names on their own."""
    from .tables import _role

    out = list(header)
    k = 0
    while k < len(out):
        if k > 0 and len(out[k]) <= 2 and is_header_word(out[k]) and not is_header_word(out[k - 1]) and not (
                len(out[k - 1]) >= 4 and _role(out[k - 1])):  # "考核内容" | "单位": two names
            out[k - 1:k + 1] = [out[k - 1] + out[k]]  # "攻坚目标" + "任务"
            continue
        if len(out[k]) <= 2 and not is_header_word(out[k]) and len(out) > 1:
            if k + 1 < len(out) and not is_header_word(out[k + 1]) and (
                    k == 0 or len(out[k - 1]) > 2 or is_header_word(out[k - 1])) and (
                    is_header_word(out[k] + out[k + 1]) or len(out[k + 1]) <= 2):
                out[k:k + 2] = [out[k] + out[k + 1]]
                continue
            if k > 0:
                out[k - 1:k + 1] = [out[k - 1] + out[k]]
                continue
        k += 1
    while width and len(out) > width:
        pair = next((k for k in range(len(out) - 1)
                     if not is_header_word(out[k]) and not is_header_word(out[k + 1])), None)
        if pair is None:
            break
        out[pair:pair + 2] = [out[pair] + out[pair + 1]]
    return out


def _join_wrapped(rows: list[tuple[int, list[str]]], header: list[str]) -> None:
    """Rows of a cell-per-line table with more lines than columns: the task's text was wrapped over
    several lines (a PDF or web page copy); its extra lines join the task cell."""
    from .tables import _role, looks_like_deadline

    roles = [(_role(h) or ("", None))[0] for h in header]
    units = sum(1 for r in roles if r in ("lead", "resp", "support"))
    t = roles.index("task") if "task" in roles else None
    for _, cells in rows[1:]:
        # A name broken a character or two a line in a narrow column ("市" / "监" / "察" / "局"): one line again.
        k = 0
        while len(cells) > len(header) and k < len(cells):
            end = k
            while end < len(cells) and re.fullmatch(r"[\u4e00-\u9fff（）()]{1,2}", cells[end]):
                end += 1
            if end - k >= 2 and _unit_line("".join(cells[k:end])):
                cells[k:end] = ["".join(cells[k:end])]
            k = max(end, k + 1) if end - k < 2 else k + 1
        while t is not None and len(cells) > len(header) and t + 1 < len(cells):
            nxt = cells[t + 1]
            if _unitish(nxt) or looks_like_deadline(nxt):
                break
            cells[t] += nxt
            del cells[t + 1]
        # Unit cells listing one unit a line ("县水务局" / "县住建局"): a run of unit lines longer than the
        # unit columns fills them in order, the last column taking the rest (配合单位 lists run longest).
        if len(cells) > len(header):
            k = 1 if t is None else t + 1
            while k < len(cells) and not _unit_line(cells[k]):
                k += 1
            end = k
            while end < len(cells) and _unit_line(cells[end]):
                end += 1
            keep = max(1, units) - 1
            if end - k > keep + 1:
                cells[k + keep:end] = ["、".join(cells[k + keep:end])]


def _unit_line(piece: str) -> bool:
    """A line of a unit cell: unit names ("县住建局", "各单位"), no sentence."""
    from .units import looks_like_unit, split_units

    if len(piece) > 40 or re.search(r"[。；;：:]", piece):
        return False
    names = split_units(piece).names
    return bool(names) and all(looks_like_unit(n) for n in names)


def _unitish(piece: str) -> bool:
    """A piece of a wrapped table line that is a unit list ("市财政局、市民政局"), not wrapped task text."""
    from .units import looks_like_unit, split_units

    names = split_units(piece).names
    return bool(names) and len(piece) <= 120 and all(
        looks_like_unit(n) and _REGION_START.match(n) and _UNIT_END.search(n) for n in names)


def _spaced_tables(lines: list[str]) -> dict[int, list[tuple[int, list[str]]]]:
    """Tables whose columns are runs of spaces (PDF text): a header line of known column names, then rows
    starting with their number; a row's wrapped lines come interleaved (a piece of each column per line,
    or one column per line) and each piece joins the column its content belongs to."""
    out: dict[int, list[list[str]]] = {}
    i, n = 0, len(lines)
    while i < n:
        cells = [c for c in _SPACED.split(lines[i].strip()) if c]
        if len(cells) < 3 or sum(1 for c in cells if is_header_word(c)) < max(3, len(cells) - 1):
            i += 1
            continue
        from .tables import _role

        header = [no_spaces(c) for c in cells]
        roles = [(_role(c) or ("", None))[0] for c in header]
        unit_cols = [k for k, r in enumerate(roles) if r in ("lead", "resp", "support")]
        task_col = next((k for k, r in enumerate(roles) if r == "task"), None)
        date_col = next((k for k, r in enumerate(roles) if r == "deadline"), None)
        num_col = next((k for k, r in enumerate(roles) if r == "num"), None)
        if task_col is None or not unit_cols or (num_col is None and task_col != 0):
            i += 1
            continue  # rows are found by their 序号, or, without one, by a task starting the line
        width = len(header)
        starts = [col for col, _p in _pieces_at(lines[i])]
        aligned: bool | None = None  # do the rows' cells start under their header (a fixed-width layout)?
        rows: list[tuple[int, list[str]]] = [(i, header)]
        current: list[str] | None = None
        last_unit = unit_cols[0]
        k = i + 1
        while k < n:
            s = lines[k].strip()
            if not s:
                k += 1
                continue
            num = numbering(s)
            if _CAPTION.match(s) or "\t" in lines[k] or lines[k].count("|") >= 2 or lines[k].startswith("\0"):
                break  # the next table
            if _ATTACHMENT.match(s) or (num and num[0] in ("cn_dun",) and len(s) <= 30) or (
                    num and SAFEGUARDS.match(s[num[2]:])):
                if num and num[0] == "cn_dun" and not SAFEGUARDS.match(s[num[2]:]) and _next_is_row(lines, k + 1):
                    rows.append((k, [s]))  # a section row inside the table
                    current = None
                    k += 1
                    continue
                break
            pieces = [p for p in _SPACED.split(s) if p]
            first = no_spaces(pieces[0])
            lead_num = re.match(r"^([0-9]{1,3})[.、．]?$", first)
            if aligned is None and len(pieces) == width and len(starts) == width:
                at = [c for c, _p in _pieces_at(lines[k])]
                aligned = all(abs(a - s_) <= 2 for a, s_ in zip(at, starts, strict=True))
            placed = _grid_places(lines[k], starts, width)
            if lead_num:
                current = [""] * width
                current[num_col] = lead_num.group(1)
                rows.append((k, current))
                last_unit = unit_cols[0]
                pieces = pieces[1:]
                if placed and len(placed) > 1 and len(pieces) < width - 1:
                    # fewer cells than columns, each under its header: a column left empty, or a
                    # narrow column's name wrapped ("市自然资源" / "局"): placed by position
                    for col, p in placed[1:]:
                        current[col] = current[col] + p if current[col] else p
                    k += 1
                    continue
                if len(pieces) == width - 1:
                    for col, p in zip([c for c in range(width) if c != num_col], pieces, strict=True):
                        current[col] = p
                    k += 1
                    continue
                if pieces and not current[task_col]:
                    current[task_col] = pieces.pop(0)  # the first cell after the number is the task's
            elif len(pieces) >= width - 1 and not _unitish(pieces[0]) and not (
                    aligned and current is not None and _pieces_at(lines[k])[0][0] >= starts[1] - 2
                    and not current[task_col].endswith(_TERMINAL)):
                # A whole row whose number is missing: a row of its own, not wrapped text.
                current = [""] * width
                rows.append((k, current))
                last_unit = unit_cols[0]
                cols = [c for c in range(width) if len(pieces) == width or c != num_col]
                for col, p in zip(cols, pieces, strict=False):
                    current[col] = p
                k += 1
                continue
            elif current is None or (num and num[0] in ("cn_dun", "cn_paren") and len(s) <= 30
                                     and _next_is_row(lines, k + 1)):
                if num and len(s) <= 30:
                    rows.append((k, [s]))  # "(一)住房保障": a section row
                    current = None
                    k += 1
                    continue
                break
            elif current is not None and placed and not aligned and all(c != num_col for c, _p in placed) and any(
                    c != task_col for c, _p in placed):
                for col, p in placed:  # a wrapped line whose pieces sit under their headers
                    current[col] = current[col] + p if current[col] else p
                k += 1
                continue
            elif aligned and len(starts) == width and _pieces_at(lines[k])[0][0] >= starts[1] - 2:
                # A line that only continues cells of the row above (a narrow column wrapped: "立山经济开" /
                # "发区,全区经"): each piece goes to the column its indentation puts it under, joined as is.
                for col_at, p in _pieces_at(lines[k]):
                    col = min(range(width), key=lambda c: (abs(starts[c] - col_at), c))
                    current[col] = current[col] + p.strip() if current[col] else p.strip()
                    if col in unit_cols:
                        last_unit = col
                k += 1
                continue
            for p in pieces:
                p = p.strip()
                if _unitish(p):
                    col = last_unit
                    if current[col] and not current[col].endswith(("、", ",", "，")):
                        later = [c for c in unit_cols if c > col and not current[c]]
                        col = later[0] if later else col
                    if current[col] and not current[col].endswith(("、", ",", "，")):
                        current[col] += "、"
                    current[col] += p
                    last_unit = col
                elif date_col is not None and len(p) <= 24 and _is_deadline(p):
                    current[date_col] = current[date_col] + p if current[date_col] else p
                else:
                    current[task_col] = current[task_col] + p if current[task_col] else p
            k += 1
        if len(rows) > 1:
            _claim(lines, out, i, k, rows)
        i = max(k, i + 1)
    return out


_GAP_COLUMN = re.compile(r"(名称|内容|任务|事项|目标|措施|领导|单位|部门|时限|时间|情况|进度)$")
_SENTENCE_END = re.compile(r"[。；;！!？?]")
_RUN_UNIT_END = re.compile(
    r"(?:管委会|指挥部|办事处|街道|公司|集团|中心|银行|医院|学校|大学|专班|局|委|办|院|部|厅|队|所|站|馆|处"
    r"|科|室|团|会|区|园|镇|乡)")
_RUN_UNIT_START = re.compile(r"^(?:局|委|办|院|部|厅|队|所|站|馆|处|科|室|团|会|区|园|镇|乡)")


def _header_run(line: str) -> list[str] | None:
    """A header whose column names run together ("序号项目名称主要内容牵头单位配合单位", a PDF's text
    layer without spaces): its names, or None. Known names split it; a piece between two of them is a
    column when it ends like one ("项目名称"), else a qualifier of the next ("区政府" + "分管领导")."""
    key = line.strip()
    if not key.startswith(("序号", "编号")) or len(key) > 60 or re.search(r"[\s0-9，,。、；;：:|｜]", key):
        return None  # columns with separators or spaces between them are read by the other readers
    words = sorted(HEADER_WORDS | {"配合单位", "分管领导"}, key=len, reverse=True)
    out: list[str] = []
    gap = ""
    k = 0
    while k < len(key):
        word = next((w for w in words if key.startswith(w, k)), None)
        if word is None:
            gap += key[k]
            k += 1
            continue
        if gap and _GAP_COLUMN.search(gap):
            out.append(gap)
            gap = ""
        out.append(gap + word)
        gap = ""
        k += len(word)
    if gap:
        out.append(gap)
    known = sum(1 for w in out if is_header_word(w))
    return out if len(out) >= 4 and known >= 3 else None


def _run_units(text: str) -> list[str] | None:
    """Unit names run together ("教育局经开区", "高新园(邹区镇)"): each ends at the first unit ending
    (a bracket after it belongs to it); None when the text does not end on one."""
    from .units import looks_like_unit

    names, k = [], 0
    while k < len(text):
        m = next((x for x in _RUN_UNIT_END.finditer(text, k + 1) if x.end() - k >= 3), None)
        if not m:
            return None  # a name is three characters at least ("人社局", not "人社")
        end = m.end()
        if end < len(text) and text[end] in "(（":
            close = min((i for i in (text.find(")", end), text.find("）", end)) if i > 0), default=-1)
            if close < 0:
                return None
            end = close + 1
        name = text[k:end]
        if len(name) < 2 or not looks_like_unit(name):
            return None
        names.append(name)
        k = end
    return names or None


def _tail_cells(tail: str, leader: bool) -> tuple[str, list[str]] | None:
    """The cells run together after a row's text: (person, units), the person first when the table has
    a leader column (a name of three characters, else two, before a unit of at least three)."""
    if not leader:
        units = _run_units(tail)
        return ("", units) if units else None
    best, best_score = None, None
    for size in (3, 2):
        person, rest = tail[:size], tail[size:]
        units = _run_units(rest) if re.fullmatch(r"[\u4e00-\u9fff]+", person) else None
        if not units:
            continue
        score = sum(1 if _clean_unit(u) else -1 for u in units)
        if best_score is None or score > best_score:
            best, best_score = (person, units), score
    return best


def _clean_unit(name: str) -> bool:
    """A name cut where a name ends: no unit ending inside it ("政局高新园" is "民政局" and "高新园" cut
    one character late) and none at its start ("局高新园")."""
    bare = re.sub(r"[(（][^)）]*[)）]$", "", name)
    inner = [m for m in _RUN_UNIT_END.finditer(bare) if m.end() < len(bare)]
    return not inner and not _RUN_UNIT_START.match(bare)


def _run_together_tables(lines: list[str]) -> dict[int, list[tuple[int, list[str]]]]:
    """Tables whose cells run together on each line (a PDF's text without spaces): a header of
    column names run together, then rows "1增加教育资源供给实施……。何海平教育局经开区" whose units
    follow the row's last sentence, more units one a line below it, and a second sentence line with
    its own units a sub-row of the same number. Rows rebuilt as cells: 序号, task, leader, lead,
    supporting (the lead first among a row's units)."""
    from .tables import _role

    out: dict[int, list[tuple[int, list[str]]]] = {}
    i, n = 0, len(lines)
    while i < n:
        header = _header_run(lines[i]) if lines[i] and lines[i][0] != "\0" else None
        if header is None:
            i += 1
            continue
        roles = [(_role(h) or ("", None))[0] for h in header]
        leader = "leader" in roles
        rows: list[tuple[int, list[str]]] = [(i, ["序号", "工作任务", "责任领导", "牵头单位", "配合单位"])]
        expected, current, k = 1, None, i + 1
        while k < n:
            s = no_spaces(lines[k])
            if not s:
                k += 1
                continue
            if _header_run(lines[k]) == header:  # the header repeated on the next page
                k += 1
                continue
            m = re.match(rf"^{expected}(?![0-9年月日个万亿%.．、])(.+)$", s)
            body = m.group(1) if m else s
            cut = max((x.end() for x in _SENTENCE_END.finditer(body)), default=0)
            text, tail = body[:cut], body[cut:]
            cells = _tail_cells(tail, leader) if tail else None
            units = _run_units(s) if not m and not cut else None
            if m or (current is not None and cut and cells):
                if cells is None and tail:
                    break  # not a row of this layout
                person, names = cells or ("", [])
                num = str(expected) if m else current[0]
                current = [num, text or body, person, names[0] if names else "", "、".join(names[1:])]
                rows.append((k, current))
                expected += 1 if m else 0
            elif current is not None and units:
                current[4] = "、".join(x for x in (current[4], *units) if x)
            elif current is not None and cut and not tail:
                current[1] += s  # the task's text goes on
            else:
                break
            k += 1
        if len(rows) > 2:
            _claim(lines, out, i, k, rows)
        i = max(k, i + 1)
    return out


_TRAILING_ROLES = ("lead", "resp", "support", "deadline", "leader", "note")


def _single_spaced_tables(lines: list[str]) -> dict[int, list[tuple[int, list[str]]]]:
    """Tables whose cells are parted by single spaces (a PDF's text layer: "1 加强水资源保 护 严守… 市水利局
    市发改委、…"), one row a line, a cell's own words sometimes parted too: the header's names, then rows
    starting with their number. The last cells fill the unit / deadline columns closing the header from
    the right, the sentence before them the last text column, and the words between the number and it
    the first task column (a merged or broken category joins the task's text)."""
    from .tables import _role

    out: dict[int, list[tuple[int, list[str]]]] = {}
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or s[0] == "\0" or "  " in s or "\t" in s or "|" in s:
            continue
        header = s.split(" ")
        if len(header) < 4 or sum(1 for h in header if is_header_word(h)) < len(header) - 1:
            continue
        roles = [(_role(h) or ("", None))[0] for h in header]
        if roles[0] != "num" or "task" not in roles or not set(roles) & {"lead", "resp", "support"}:
            continue
        tail = 0
        while tail < len(roles) and roles[len(roles) - 1 - tail] in _TRAILING_ROLES:
            tail += 1
        width, text_col, task_col = len(header), len(header) - tail - 1, roles.index("task")
        if text_col <= 0:
            continue
        rows: list[tuple[int, list[str]]] = [(i, header)]
        k, expected = i + 1, 1
        while k < len(lines):
            row = lines[k].strip()
            if not row:
                k += 1
                continue
            tokens = [t for t in row.split(" ") if t]
            if tokens and tokens[0] == str(expected) and len(tokens) < tail + 2:
                short = _short_row(tokens, roles, text_col, task_col)
                if short is None:
                    break
                rows.append((k, short))
                expected += 1
                k += 1
                continue
            if len(tokens) < tail + 2 or tokens[0] != str(expected):
                break
            cells = [""] * width
            cells[0] = tokens[0]
            for c, t in zip(range(width - 1, text_col, -1), reversed(tokens[-tail:]), strict=True):
                cells[c] = t
            middle = tokens[1:-tail]
            cells[text_col] = middle.pop()
            if middle and task_col != text_col:
                cells[task_col] = "".join(middle)
            elif middle:
                cells[text_col] = "".join(middle) + cells[text_col]
            rows.append((k, cells))
            expected += 1
            k += 1
        if len(rows) > 1:
            _claim(lines, out, i, k, rows)
    return out


def _short_row(tokens: list[str], roles: list[str], text_col: int, task_col: int) -> list[str] | None:
    """A single-spaced row whose empty cells printed nothing ("3 完成农贸市场改造 县市场监管局 9月30日前" under
    牵头单位 | 配合单位 | 完成时限): its last cells placed by what they hold, a deadline under the deadline column and
    the unit lists before it under the unit columns from the first (the lead's) on, the rest empty; None when
    they do not read so (then the table ends there, as before)."""
    width = len(roles)
    trailing = list(range(text_col + 1, width))
    rest = tokens[1:]
    placed: dict[int, str] = {}
    deadline_cols = [c for c in trailing if roles[c] == "deadline"]
    if deadline_cols and len(rest) > 1 and _is_deadline(rest[-1]):
        placed[deadline_cols[0]] = rest.pop()
    units: list[str] = []
    while len(rest) > 1 and _unit_line(rest[-1]):
        units.insert(0, rest.pop())
    unit_cols = [c for c in trailing if roles[c] in ("lead", "resp", "support")]
    if not units or len(units) > len(unit_cols):
        return None
    placed.update(zip(unit_cols, units, strict=False))
    cells = [""] * width
    cells[0] = tokens[0]
    cells[text_col] = rest.pop()
    if rest and task_col != text_col:
        cells[task_col] = "".join(rest)
    elif rest:
        cells[text_col] = "".join(rest) + cells[text_col]
    for c, value in placed.items():
        cells[c] = value
    return cells


def _grid_places(line: str, starts: list[int], width: int) -> list[tuple[int, str]] | None:
    """The columns a space-aligned line's pieces start under (each within two display columns of a
    header's start, in order), or None when the line does not sit on the header's grid."""
    if len(starts) != width:
        return None
    out = []
    for at, p in _pieces_at(line):
        col = min(range(width), key=lambda c: (abs(starts[c] - at), c))
        if abs(starts[col] - at) > 2 or (out and col <= out[-1][0]):
            return None
        out.append((col, p.strip()))
    return out


def _pieces_at(line: str) -> list[tuple[int, str]]:
    """The pieces of a space-aligned line with the display column each starts at (a CJK character is
    two columns wide, as the table was aligned in a fixed-width font)."""
    return [(_display_width(line[:m.start()]), m.group(0))
            for m in re.finditer(r"[^\s\u3000]+(?: [^\s\u3000]+)*", line)]


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _next_is_row(lines: list[str], k: int) -> bool:
    """The next non-empty line starts a numbered row (section rows "(一)…" in between skipped)."""
    while k < len(lines) and (not lines[k].strip() or (
            len(lines[k].strip()) <= 30 and (numbering(lines[k].strip()) or ("",))[0] in ("cn_dun", "cn_paren"))):
        k += 1
    return k < len(lines) and bool(re.match(r"^\s*[0-9]{1,3}[.、．]?(?:[ \t]{2,}|\u3000|$)", lines[k]))


def _is_deadline(text: str) -> bool:
    from .tables import looks_like_deadline

    return looks_like_deadline(text)


_NEXT_TASK = re.compile(r"(?<=[）)。；;])\s*([0-9]{1,3})\s*[、.．](?![0-9])")


def split_run_on(line: str) -> list[str]:
    """"12、…(责任单位:…) 13、…(责任单位:…)": numbered tasks run together on one line (a web page's
    text with its line breaks lost), split where the next number follows a closing bracket or 。."""
    num = numbering(line)
    if num is None or num[0] != "arabic" or len(line) < 20:
        return [line]
    expected, pieces, start = num[1] + 1, [], 0
    for m in _NEXT_TASK.finditer(line):
        if int(m.group(1)) != expected:
            continue
        pieces.append(line[start:m.start()].strip())
        start = m.start(1)
        expected += 1
    if not pieces:
        return [line]
    pieces.append(line[start:].strip())
    return [p for p in pieces if p]


def _expanded(work: list[str]):
    for idx, raw in enumerate(work):
        if raw.startswith("\0") or len(raw) < 20 or not _NEXT_TASK.search(raw):
            yield idx, raw
            continue
        for piece in split_run_on(raw.strip()):
            yield idx, piece


def _close(para: Para | None, parts: list[str]) -> None:
    if para is not None and len(parts) > 1:
        para.text = "".join(parts)


_LONE_BAR = re.compile(r"^\s*[|｜]{1,2}\s*$")
_RULE_LINE = re.compile(r"^\s*(?:[=＝]{5,}|[-－—─]{10,})\s*$")
_BAR_END = re.compile(r"\s*[|｜]\s*$")


def _separated_cells(work: list[str]) -> None:
    """Tables flattened one cell per line between separator lines, rebuilt as tab rows in place (the
    first line of a row holds it, the others are consumed):
    a lone "|" between cells and two of them (or "||") between rows; "=====" between rows, a row's cells
    one per line; every cell ending in " |" (then the cell-per-line reader finds the rows by 序号)."""
    n = len(work)
    bars = sum(1 for x in work if _LONE_BAR.match(x))
    rules = sum(1 for x in work if _RULE_LINE.match(x))
    ended = sum(1 for x in work if x.strip() and _BAR_END.search(x) and x.count("|") == 1)
    if ended >= 8 and ended > bars:
        _bar_ended_rows(work)
        return
    if bars >= 8 and _alternating_bars(work):
        _bar_after_each_cell(work)
        return
    if bars >= 8:
        i = 0
        while i < n:
            if not _LONE_BAR.match(work[i]):
                i += 1
                continue
            start, cells, cell_open = None, [], False
            k = i
            while k < n:
                x = work[k]
                if _LONE_BAR.match(x):
                    if x.strip() in ("||", "｜｜") or (k + 1 < n and _LONE_BAR.match(work[k + 1]) and cells):
                        break
                    work[k] = "\0"
                    cell_open = False
                elif not x.strip():
                    work[k] = "\0"
                else:
                    if cell_open and cells:
                        cells[-1] += x.strip()  # a cell's text broken over lines
                    else:
                        cells.append(x.strip())
                    cell_open = True
                    start = k if start is None else start
                    work[k] = "\0"
                k += 1
            if start is not None and cells:
                work[start] = "\t".join(cells) if len(cells) > 1 else cells[0] + "\t\t"
            if k < n:
                work[k] = "\0"
            i = k + 1
        return
    if rules >= 3:
        i = 0
        while i < n:
            if not _RULE_LINE.match(work[i]):
                i += 1
                continue
            work[i] = "\0"
            k = i + 1
            while k < n and not _RULE_LINE.match(work[k]):
                k += 1
            if k >= n:
                break  # after the last rule: prose again
            cells = [x.strip() for x in work[i + 1:k] if x.strip()]
            if cells:
                first = next(j for j in range(i + 1, k) if work[j].strip())
                for j in range(i + 1, k):
                    work[j] = "\0"
                work[first] = "\t".join(cells) if len(cells) > 1 else cells[0] + "\t\t"
            i = k


def _alternating_bars(work: list[str]) -> bool:
    """A lone "|" after every cell and nothing between rows: no "||" and never two bars in a row."""
    last_bar = False
    for x in work:
        if not x.strip():
            continue
        bar = bool(_LONE_BAR.match(x))
        if bar and (x.strip() in ("||", "｜｜") or last_bar):
            return False
        last_bar = bar
    return True


_NUMBER_CELL = re.compile(r"[0-9]{1,4}")


def _bar_after_each_cell(work: list[str]) -> None:
    """Cells one per line (or several lines), a lone "|" after each, nothing marking the rows: the header
    is the leading header words; a row starts at its number (a number alone), a merged group cell just
    before it belonging to it (cells beyond the shortest row's length go to the next row); a header
    without a 序号 over rows that have one gets it. Rows rebuilt as tab rows in place."""
    n, i = len(work), 0
    while i < n:
        if not _LONE_BAR.match(work[i]):
            i += 1
            continue
        j = i - 1  # the first cell's lines end just before the first bar
        while j >= 0 and work[j].strip() and not work[j].startswith("\0") and not _LONE_BAR.match(work[j]):
            j -= 1
        k, cells, lines_of = j + 1, [], []
        piece: list[str] = []
        while k < n:
            x = work[k]
            if _LONE_BAR.match(x):
                if piece:
                    cells.append(_join_cell_lines(piece))
                    piece = []
            elif x.strip():
                if not piece:
                    lines_of.append(k)
                piece.append(x.strip())
                if k + 1 < n and not work[k + 1].strip() and not (k + 2 < n and _LONE_BAR.match(work[k + 2])):
                    break  # prose after the table
            elif piece:
                break
            k += 1
        if len(cells) < 4:
            i = k + 1
            continue
        for idx in range(j + 1, min(k + 1, n)):
            work[idx] = "\0"
        for at, row in _rows_of_cells(cells):
            work[lines_of[at]] = "\t".join(row)
        i = k + 1


def _join_cell_lines(lines: list[str]) -> str:
    """One cell's lines: unit names one a line joined by 、, other text run on."""
    if len(lines) > 1 and all(_unit_line(x) for x in lines):
        return "、".join(lines)
    return "".join(lines)


def _rows_of_cells(cells: list[str]) -> list[tuple[int, list[str]]]:
    """(index of the row's first cell, row) for a flat cell list, the header first."""
    first = next((x for x, c in enumerate(cells) if _NUMBER_CELL.fullmatch(c)), None)
    if not first:
        return [(0, cells)]
    h = first
    while h > 0 and not (is_header_word(cells[h - 1]) or len(no_spaces(cells[h - 1])) <= 8):
        h -= 1  # a merged group cell before the first number belongs to the first row
    header = cells[:h]
    starts, prev = [], None
    for x in range(first, len(cells)):
        if _NUMBER_CELL.fullmatch(cells[x]) and (prev is None or int(cells[x]) == int(cells[prev]) + 1
                                                 or x - prev >= max(2, len(header) - 1)):
            starts.append(x)
            prev = x
    bounds = list(zip(starts, [*starts[1:], len(cells)], strict=True))
    after = min(b - a for a, b in bounds)
    rows: list[tuple[int, list[str]]] = []
    carry_from = h
    for a, _b in bounds:
        rows.append((carry_from, cells[carry_from:a + after]))
        carry_from = a + after
    if carry_from < len(cells):
        rows[-1] = (rows[-1][0], rows[-1][1] + cells[carry_from:])
    width = max(len(r) for _, r in rows)
    lead = max(len(r) - after for _, r in rows)  # group cells before the number
    if lead and "序号" not in header and len(header) == width - 1:
        header = header[:lead] + ["序号"] + header[lead:]
    rows = [(at, [""] * (width - len(r)) + r if len(r) < width and _NUMBER_CELL.fullmatch(r[0]) else r)
            for at, r in rows]
    return [(0, header), *rows] if header else rows


def _bar_ended_rows(work: list[str]) -> None:
    """Cells one a line, each ending in " |"; a lone "|" (or "||": one more, empty, cell) ends a row; the
    header runs up to the first cell that is a number alone. Rows rebuilt as tab rows in place."""
    n = len(work)
    i = 0
    while i < n:
        x = work[i]
        if not (x.count("|") == 1 and _BAR_END.search(x)):
            i += 1
            continue
        cells: list[str] = []
        start = i
        k = i
        header_done = False
        width = 0
        while k < n:
            x = work[k]
            if _LONE_BAR.match(x):
                if x.strip() in ("||", "｜｜"):
                    cells.append("")
                if cells:
                    work[start] = "\t".join(cells)
                work[k] = "\0"
                cells, start = [], k + 1
            elif x.count("|") == 1 and _BAR_END.search(x):
                cell = _BAR_END.sub("", x).strip()
                if not header_done and cells and re.fullmatch(r"[0-9]{1,4}", cell):
                    work[start] = "\t".join(cells)  # the header row ends where the first numbered row starts
                    width = len(cells)
                    cells, start = [], k
                    header_done = True
                elif header_done and len(cells) >= width and re.fullmatch(r"[0-9]{1,4}", cell):
                    work[start] = "\t".join(cells)  # no "|" line between rows: a full row, then a number
                    cells, start = [], k
                if not cells:
                    start = k
                cells.append(cell)
                if k != start:
                    work[k] = "\0"
            elif not x.strip():
                work[k] = "\0"
            else:
                break
            k += 1
        if cells:
            work[start] = "\t".join(cells)
        i = k + 1


def to_blocks(text: str) -> tuple[list[Block], list[str]]:
    """Blocks in document order, and the normalised source lines (1-based line = index + 1)."""
    lines = normalize_lines(text)
    work = list(lines)
    _separated_cells(work)
    cell_tables = _record_tables(work)
    if any(is_header_word(x) for x in work):
        cell_tables.update(_cell_per_line_tables(work))
    if any(_SPACED.search(x) for x in work):
        cell_tables.update(_spaced_tables(work))
    cell_tables.update(_run_together_tables(work))
    cell_tables.update(_single_spaced_tables(work))
    blocks: list[Block] = []
    para: Para | None = None
    parts: list[str] = []  # the open paragraph's lines, joined once it closes (linear, not quadratic)
    length = 0
    for idx, raw in _expanded(work):
        lineno = idx + 1
        if raw == "\0table":
            _close(para, parts)
            para = None
            for at, row in cell_tables[idx]:
                blocks.append(Row(cells=row, line=at + 1))
            continue
        if raw == "\0" or _NOISE.match(raw):
            continue
        cells = _row_cells(raw)
        in_table = bool(blocks) and isinstance(blocks[-1], Row)
        if cells is not None and sum(1 for c in cells if c) < 2 and not in_table:
            # One filled cell outside a table: an indented paragraph, not a row.
            cells = None
            raw = raw.replace("\t", " ").replace("|", " ")
        if cells is not None:
            _close(para, parts)
            para = None
            if cells:
                blocks.append(Row(cells=cells, line=lineno))
            continue
        # Spaces between Chinese characters are layout (PDF letter-spacing, "专项 实施方案").
        line = squeeze_cjk_spaces(raw)
        if not line:
            continue
        if para is not None and not _starts_block(line):
            # Only a short paragraph can be a heading; a long one is complete when its last line is.
            probe = "".join(parts) if length <= 80 else parts[-1]
            if not _complete(probe) and not _statement_done(parts, line):
                joined = join_lines(parts[-1], line)
                parts.append(joined[len(parts[-1]):])
                para.segs.append((length + len(joined) - len(parts[-2]) - len(line), lineno))
                length += len(parts[-1])
                continue
        _close(para, parts)
        para = Para(text=line, line=lineno, segs=[(0, lineno)])
        parts, length = [line], len(line)
        blocks.append(para)
    _close(para, parts)
    return blocks, lines
