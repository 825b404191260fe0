"""Key tasks written as numbered paragraphs, each with (or under) a responsibility statement.

The task is the smallest numbered item that carries, or falls under, a statement:
``1.扩大…。(责任单位:A、B)``; ``(1)…(2)…`` followed by one ``责任单位:A`` line
covers every sub-item; a heading with a statement covers the items under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import messages as msgs
from .blocks import _ATTACHMENT, Block, Para
from .deadlines import parse_deadline_in
from .document import ParsedKeyTask, Warning_
from .messages import Issue, noted
from .statements import (
    Statement,
    combine,
    find_deadline,
    find_milestones,
    find_sentence_deadlines,
    find_statements,
    is_standalone,
)
from .text import SAFEGUARDS, first_sentence, numbering

_TASK_HEADING = re.compile(
    r"^(重点任务|主要任务|工作任务|重点工作|任务分工|具体任务|主要工作|工作重点|重点举措|主要举措|工作措施"
    r"|重点项目|任务清单|职责分工|任务安排|主要内容|实施内容|具体措施|主要措施|任务措施)"
)
_LIST_HEADING = re.compile(r"(名单|工作清单|一览表)$")


@dataclass
class Node:
    style: str
    number: int
    depth: int
    para: Para
    marker_end: int
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    body: list[Para] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)  # inline, in its own paragraphs
    cover: Statement | None = None  # a statement on a line of its own that covers this item
    cover_text: str = ""

    _own: Statement | None = None
    _own_n: int = -1

    @property
    def own(self) -> Statement | None:
        if self._own_n != len(self.statements):
            units = [s for s in self.statements if s.has_units or s.leaders or s.others]
            self._own = combine(units) if units else None
            self._own_n = len(self.statements)
        return self._own or self.cover

    def heading(self) -> str:
        return first_sentence(self.para.text, 60)


@dataclass
class OutlineTask:
    task: ParsedKeyTask
    carry_forward: list[str]
    statement: Statement | None


def _heading_kind(text: str) -> str:
    num = numbering(text)
    rest = text[num[2]:] if num else text
    rest = rest.strip()
    if len(rest) <= 30 and SAFEGUARDS.match(rest):
        return "safeguards"
    if len(rest) <= 30 and "。" not in rest[:-1] and _TASK_HEADING.match(rest):
        return "tasks"
    return ""


def _region(paras: list[Para], known: set[str], title_line: int | None) -> tuple[int, int]:
    """[start, end) indexes into ``paras`` of the part that holds the key tasks."""
    n = len(paras)

    def is_end(p: Para) -> bool:
        t = p.text.strip()
        return _heading_kind(t) == "safeguards" or bool(_ATTACHMENT.match(t) and len(t) <= 40) or (
            len(t) <= 40 and bool(_LIST_HEADING.search(t)))

    for i, p in enumerate(paras):
        if _heading_kind(p.text) == "tasks":
            end = next((j for j in range(i + 1, n) if is_end(paras[j])), n)
            if any(find_statements(paras[j].text, known) for j in range(i, end)):
                return i, end
    first = next((i for i, p in enumerate(paras) if find_statements(p.text, known)), None)
    if first is None:
        return 0, 0
    start = 0
    for i in range(first, -1, -1):
        num = numbering(paras[i].text)
        if num and num[0] == "cn_dun":
            start = i
            break
    else:
        if title_line:
            start = next((i for i, p in enumerate(paras) if p.line > title_line), 0)
    end = next((j for j in range(first + 1, n) if is_end(paras[j])), n)
    return start, end


class OutlineParser:
    def __init__(self, *, known: set[str], year: int | None, warnings: list[Warning_],
                 title_line: int | None = None):
        self.known = known
        self.year = year
        self.warnings = warnings
        self.title_line = title_line

    def parse(self, blocks: list[Block]) -> list[OutlineTask]:
        paras = [b for b in blocks if isinstance(b, Para)]
        start, end = _region(paras, self.known, self.title_line)
        if start >= end:
            return []
        root = self._tree(paras[start:end], paras[start])
        return self._tasks(root)

    # -- the outline ----------------------------------------------------------------------
    def _tree(self, paras: list[Para], first: Para) -> Node:
        root = Node(style="", number=0, depth=-1, para=Para(text="", line=first.line), marker_end=0)
        styles: list[str] = []
        stack: list[Node] = [root]
        standalone: list[Statement] = []  # consecutive statement lines, read together
        covered: list[Node] = []
        for p in paras:
            text = p.text
            found = find_statements(text, self.known) if is_standalone(text) and stack[-1] is not root else []
            if found:
                standalone += found
                st = combine(standalone, self.known)
                last = stack[-1]
                last.body.append(p)  # in the text of the item it follows, in document order
                if covered:
                    for node in covered:
                        node.cover = st
                        if node is not last:
                            self._note_cover_text(node, text)
                    continue
                covered = self._cover(last, st, text)
                continue
            standalone, covered = [], []
            num = numbering(text)
            if num is None:
                node = stack[-1]
                inline = find_statements(text, self.known)
                if any(s.has_units for s in inline) and (node is root or _is_heading(node)):
                    # An unnumbered paragraph with its own statement under a heading is a task.
                    child = Node(style="para", number=0, depth=len(styles), para=p, marker_end=0, parent=node)
                    child.statements = inline
                    node.children.append(child)
                    continue
                node.body.append(p)
                if node is not root:
                    node.statements += inline
                continue
            style, number, marker_end = num
            if style in styles:
                level = styles.index(style)
                del styles[level + 1:]
            else:
                styles.append(style)
                level = len(styles) - 1
            del stack[level + 1:]  # stack[0] is the root, stack[k + 1] the open item at level k
            parent = stack[level]
            node = Node(style=style, number=number, depth=level, para=p, marker_end=marker_end, parent=parent)
            node.statements = find_statements(text, self.known)
            parent.children.append(node)
            stack.append(node)
        return root

    def _cover(self, last: Node, st: Statement, text: str) -> list[Node]:
        """A statement on its own line covers the item before it and the sub-items just before that."""
        run = [last]
        parent = last.parent
        if parent is not None:
            # ``last`` is the newest item, so it is its parent's last child.
            for sib in reversed(parent.children[:-1]):
                if _has_statement(sib):
                    break
                run.append(sib)
        for node in run:
            node.cover = st
            if node is not last:
                node.cover_text = text
        if len(run) > 1:
            numbers = "、".join(str(n.number) for n in reversed(run))
            self.warnings.append(Warning_(
                noted(Issue(msgs.STATEMENT_COVERS, n=len(run), numbers=numbers),
                      f"one statement covers {len(run)} items"),
                last.para.line, "statement_covers_several"))
        return run

    def _note_cover_text(self, last: Node, text: str) -> None:
        last.cover_text = f"{last.cover_text}\n{text}" if last.cover_text else text

    # -- tasks ----------------------------------------------------------------------------
    def _tasks(self, root: Node) -> list[OutlineTask]:
        found: list[tuple[Node, Statement]] = []

        def walk(node: Node, inherited: Statement | None) -> None:
            eff = node.own or inherited
            if node.children:
                for child in node.children:
                    walk(child, eff if node.depth >= 0 else None)
            elif eff is not None and node.depth >= 0:
                found.append((node, eff))

        walk(root, None)
        task_nodes = {id(n) for n, _ in found}
        depths = {n.depth for n, _ in found}
        with_task_below: set[int] = set()
        for n, _ in found:
            p = n.parent
            while p is not None and id(p) not in with_task_below:
                with_task_below.add(id(p))
                p = p.parent
        missing: list[Node] = []

        def find_missing(node: Node) -> None:
            for child in node.children:
                if id(child) in task_nodes:
                    continue
                if child.depth in depths and id(child) not in with_task_below:
                    missing.append(child)
                    continue
                find_missing(child)

        find_missing(root)
        ordered = sorted([*found, *((n, None) for n in missing)], key=lambda x: x[0].para.line)
        out: list[OutlineTask] = []
        for node, st in ordered:
            out.append(self._task(node, st))
        return out

    def _task(self, node: Node, st: Statement | None) -> OutlineTask:
        own_text = node.para.text[node.marker_end:].strip()
        parts = [own_text] + [b.text for b in node.body]
        for child in _descendants(node):
            parts.append(child.para.text)
            parts += [b.text for b in child.body]
        if node.cover_text:
            parts.append(node.cover_text)
        text = "\n".join(parts)
        bare = own_text
        for s in sorted(find_statements(own_text, self.known), key=lambda s: -s.start):
            bare = bare[: s.start] + bare[s.end:]
        title = first_sentence(bare.strip().lstrip("，,；;")) or first_sentence(own_text)
        parent = node.parent
        section = ""
        if parent is not None and parent.depth >= 0 and _heading_kind(parent.para.text) != "tasks":
            section = parent.heading()
        year = self.year
        if st is not None and st.deadline_text:
            deadline_text = st.deadline_text
            deadline, _rec = parse_deadline_in(deadline_text, year)
        else:
            deadline_text, (deadline, _rec) = find_deadline(text, year)
        if deadline_text and deadline is None and not _rec:
            self.warnings.append(Warning_(
                noted(Issue(msgs.DEADLINE_UNREADABLE, text=deadline_text), "unreadable deadline"), node.para.line,
                "deadline_unreadable"))
        bare_text = _strip_statements(text, self.known)
        milestones = find_milestones(bare_text, year)
        if not deadline_text:
            # "…,9月底前完成", "年内新建…", "5月底前动工,10月底前完工": the task's own sentence dates it.
            in_sentence = find_sentence_deadlines(bare_text, year)
            if in_sentence:
                last = max(in_sentence, key=lambda m: m.deadline)
                deadline, deadline_text = last.deadline, last.deadline_text
                if len(in_sentence) > 1 and not milestones:
                    milestones = in_sentence
        task = ParsedKeyTask(
            number=node.number, section=section, title=title, text=text,
            lead_units=list(st.leads) if st else [], supporting_units=list(st.supports) if st else [],
            deadline=deadline, deadline_text=deadline_text, leaders=list(st.leaders) if st else [],
            milestones=milestones, line=node.para.line,
            other_units=[(u, r) for u, r in st.others if u not in st.leads + st.supports] if st else [],
            convention=st.convention if st else "", plain_list=bool(st and st.plain),
        )
        if st is None or not st.has_units:
            self.warnings.append(Warning_(
                noted(Issue(msgs.TASK_WITHOUT_UNITS, number=node.number, title=title),
                      "task without responsible units; document cut off?"),
                node.para.line, "task_without_units"))
        elif st.unclosed:
            self.warnings.append(Warning_(
                noted(Issue(msgs.STATEMENT_UNCLOSED, number=node.number), "responsibility statement not closed"),
                node.para.line, "statement_unclosed"))
        if st is not None:
            for msg in st.doubtful:
                self.warnings.append(Warning_(
                    noted(Issue(msgs.OF_TASK, number=node.number, message=msg), "doubtful split"),
                    node.para.line, "doubtful_split"))
        return OutlineTask(task=task, carry_forward=list(st.carry_forward) if st else [], statement=st)


def _is_heading(node: Node) -> bool:
    """A short numbered line with no sentence of its own: "(一)住房保障", "一、重点任务"."""
    rest = node.para.text[node.marker_end:].strip()
    return len(rest) <= 30 and "。" not in rest and not node.statements


def _has_statement(node: Node) -> bool:
    return node.own is not None or any(_has_statement(c) for c in node.children)


def _descendants(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = list(reversed(node.children))
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(n.children))
    return out


def _strip_statements(text: str, known: set[str]) -> str:
    for s in sorted(find_statements(text, known), key=lambda s: -s.start):
        text = text[: s.start] + text[s.end:]
    return text
