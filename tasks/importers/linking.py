"""Link work-list items to the key task their indicator serves, by a scored text match.

Scoring: IDF²-weighted overlap of Chinese character bigrams (and, weakly, single
characters) between the query -- the indicator name, weighted most, plus its items'
texts -- and each task's title (weighted higher) and text, normalised by the task's
length. An inverted index keeps it linear: a gram shared by more than
``MAX_POSTINGS`` tasks says little and is skipped.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from .document import ParsedKeyTask

MAX_POSTINGS = 64
TITLE_WEIGHT = 3.0
NAME_WEIGHT = 6.0
UNIGRAM_WEIGHT = 0.5
WEAK_SCORE = 10.0  # below this, or with a runner-up within 75%, a link is doubtful
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_MEASURE = re.compile(r"[（(][^（）()]{1,12}[）)]\s*$")
_STATEMENT = re.compile(
    r"[（(【\[]\s*(?:责任单位|牵头单位|配合单位|责任领导|主要责任单位)[:：].*?[）)】\]]\s*$",
                        re.S)


def grams(text: str) -> set[str]:
    """Character bigrams and single characters of the Chinese runs in ``text``."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        out.update(run[i:i + 2] for i in range(len(run) - 1))
        out.update(run)
    return out


@dataclass
class Link:
    number: int | None
    score: float
    runner_up: float
    doubtful: bool


class TaskIndex:
    def __init__(self, tasks: list[ParsedKeyTask]):
        self.tasks = tasks
        self.title = [grams(t.title) for t in tasks]
        self.text = [grams(_STATEMENT.sub("", t.text)) for t in tasks]
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i in range(len(tasks)):
            for g in self.title[i] | self.text[i]:
                self.postings[g].append(i)
        self.n = len(tasks)

    def _idf(self, g: str) -> float:
        return math.log(1 + self.n / len(self.postings[g]))

    def link(self, name: str, texts: list[str]) -> Link:
        """The task that indicator ``name`` (with its work items ``texts``) serves."""
        name_grams = grams(_MEASURE.sub("", name))
        query = name_grams | set().union(*(grams(t) for t in texts))
        scores: dict[int, float] = defaultdict(float)
        for g in query:
            post = self.postings.get(g)
            if not post or len(post) > MAX_POSTINGS:
                continue
            w = self._idf(g) ** 2 * (NAME_WEIGHT if g in name_grams else 1.0)
            if len(g) == 1:
                w *= UNIGRAM_WEIGHT
            for i in post:
                in_title = TITLE_WEIGHT if g in self.title[i] else 0.0
                scores[i] += w * (in_title + (1.0 if g in self.text[i] else 0.0))
        if not scores:
            return Link(None, 0.0, 0.0, True)
        ranked = sorted(((s / math.sqrt(len(self.text[i]) + 20), i) for i, s in scores.items()), reverse=True)
        best, idx = ranked[0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        doubtful = best < WEAK_SCORE or second >= best * 0.75
        return Link(self.tasks[idx].number, best, second, doubtful)
