"""Where a line of Chinese may break: between words, never inside one (GB/T 9704 7.3.1 for titles).

Words come from jieba's dictionary (with the programme's own terms added), then digits are kept with
their unit (``2026年``, ``11月``), and a negation or an ordinal with the word after it (``未完成``,
``第二``). ``break_lines`` splits a text into as few lines as fit, as even as the words allow.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache

# The programme's terms, kept whole (jieba would split 住有宜居 into 住/有/宜居).
TERMS = ("住有宜居", "督办单", "月晾晒", "季通报", "年考核", "晾晒", "配合到位", "镇(街道)", "镇（街道）", "实施方案",
         "责任单位", "牵头单位", "配合单位", "发文字号")
UNITS = "年月日号期季度项个次家户套万亿元%％"
GLUE_NEXT = frozenset("未第不")  # belongs to the word after it
GLUE_PREV = frozenset("、，。；：！？）》」』”’)],.;:!?%％")  # never starts a line
OPENERS = frozenset("（《「『“‘([")  # never ends a line
CLOSERS = frozenset("）》」』”’)]")
PREFER_BEFORE = frozenset("的")  # "……情况|的通报" reads well
_DIGITS = re.compile(r"[0-9０-９.]+")
_lock = threading.Lock()


@cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    with _lock:
        tokenizer.initialize()
        for term in TERMS:
            tokenizer.add_word(term, freq=100000)
    return tokenizer


def width(text: str) -> float:
    """Width in characters of the text's size: ASCII (digits, Latin) counts half."""
    return sum(0.5 if ord(ch) < 128 else 1 for ch in text)


def _open(piece: str) -> bool:
    return sum(ch in OPENERS for ch in piece) > sum(ch in CLOSERS for ch in piece)


def words(text: str) -> list[str]:
    """The text cut into pieces no line break may enter."""
    pieces = [w for w in _tokenizer().lcut(text, HMM=False) if w]
    out: list[str] = []
    for piece in pieces:
        if out and (
            (_DIGITS.fullmatch(out[-1]) and piece[0] in UNITS)  # 2026|年 -> 2026年
            or out[-1][-1] in GLUE_NEXT or out[-1][-1] in OPENERS
            or piece[0] in GLUE_PREV
            or (_DIGITS.fullmatch(out[-1]) and _DIGITS.fullmatch(piece))
            or _open(out[-1])  # a short bracketed part stays whole: (发/复)
        ):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def break_lines(text: str, per_line: float) -> list[str]:
    """``text`` on the fewest lines of at most ``per_line`` characters, broken between words only and as
    evenly as the words allow (the first line not the shorter one when it can be helped); a break before
    的 is preferred. A single word longer than a line is the only thing ever split."""
    if width(text) <= per_line or per_line <= 0:
        return [text]
    units = []
    for word in words(text):
        if width(word) <= per_line:
            units.append(word)
        else:  # a word wider than the line (a long name): characters, the best that can be done
            units.extend(word)
    widths = [width(u) for u in units]
    n_units = len(units)
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    total = prefix[-1]

    def bonus(i: int) -> float:  # a break before units[i]
        return -0.75 if units[i][0] in PREFER_BEFORE else 0.0

    lines = max(2, int(-(-total // per_line)))
    while lines <= n_units:
        target = total / lines
        # best[k][i]: the cost of units[:i] on k lines; prev for the way back.
        inf = float("inf")
        best = [[inf] * (n_units + 1) for _ in range(lines + 1)]
        prev = [[0] * (n_units + 1) for _ in range(lines + 1)]
        best[0][0] = 0.0
        for k in range(1, lines + 1):
            for i in range(1, n_units + 1):
                for j in range(k - 1, i):
                    if best[k - 1][j] == inf:
                        continue
                    line_w = prefix[i] - prefix[j]
                    if line_w > per_line:
                        continue
                    cost = best[k - 1][j] + (line_w - target) ** 2
                    if k == 1 and lines > 1 and line_w < target:
                        cost += 0.25  # a title's first line is not the shorter one (梯形)
                    if i < n_units:
                        cost += bonus(i)
                    if cost < best[k][i]:
                        best[k][i], prev[k][i] = cost, j
        if best[lines][n_units] < inf:
            cuts, i = [], n_units
            for k in range(lines, 0, -1):
                cuts.append(i)
                i = prev[k][i]
            cuts.append(0)
            cuts.reverse()
            return ["".join(units[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]
        lines += 1
    return units
