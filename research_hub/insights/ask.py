"""Ask: a question in plain words, answered only from the evidence, without a language model.

1. Retrieve: hybrid search (research_hub.search) for the k participant quotes most
   relevant to the question, under the filters.
2. Group: the themes clustering (themes.cluster) on those quotes' stored vectors,
   with chance measured on the retrieved set itself, so the groups are sub-themes
   of the answer rather than of the whole corpus. Quotes that fit no group are
   listed apart, not dropped.
3. Describe: each group gets the themes' machine label and keywords (themes.label,
   c-TF-IDF against the other groups), how many distinct participants it holds,
   out of how many distinct participants the selection (the filters) holds, and
   its quotes verbatim with citations. In a group of at least MIN_POLAR quotes
   that leans one way, quotes of the opposite stance are its counter-evidence
   (insights.counter), listed apart and counted in its participants.

Every quote is a stored snippet's exact text with its document id and offsets;
every count is of the quotes listed. Labels are machine-made descriptions of a
group, never quotes.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import numpy as np

from research_hub.core.errors import InvalidInputError
from research_hub.core.models import Hit
from research_hub.insights.counter import WORDS, polarity, stance
from research_hub.search import participants_in, search
from research_hub.themes.cluster import UNTHEMED, Chance, cluster
from research_hub.themes.engine import vectors as stored_vectors
from research_hub.themes.label import describe
from research_hub.themes.model import nearest_first

DEFAULT_K = 30
MIN_GROUP = 2  # a sub-theme is at least two quotes
MIN_POLAR = 4  # quotes a group needs before its lean (and so its counter-voices) is read
METHOD = {
    "retrieval": "hybrid search (0.7 x cosine + 0.3 x BM25 share) over participant snippets",
    "grouping": "themes clustering (kNN graph + Leiden) on the retrieved quotes' stored vectors, "
                "chance measured on the retrieved set",
    "labels": "machine labels from the group's words (noun phrases weighed by c-TF-IDF); "
              "a label is a description, never a quote",
    "counts": "distinct participants among a group's quotes (counter-voices included), out of the "
              "distinct participants with snippets under the filters",
    "counter": "in a group of at least 4 quotes that leans one way, the quotes whose stance "
               "(pain_point / praise tags, else VADER sentiment) is the opposite",
}


@dataclass
class AskQuote:
    snippet_id: str
    document_id: str
    document_title: str
    char_start: int
    char_end: int
    text: str                   # document.text[char_start:char_end], verbatim
    speaker: str
    participant: str
    citation: str
    line: int | None = None
    study: str | None = None
    date: str | None = None
    question: str | None = None  # the interviewer question it answered
    tags: list[str] = field(default_factory=list)
    sentiment: float | None = None
    score: float = 0.0           # search relevance
    stance: str = "mixed"
    role: str = "participant"
    start_time: float | None = None

    @classmethod
    def of(cls, h: Hit) -> "AskQuote":
        return cls(h.snippet_id, h.document_id, h.document_title, h.char_start, h.char_end, h.text,
                   h.speaker, h.participant, h.citation(), h.line, h.study, h.date, h.context,
                   list(h.tags), h.sentiment, h.score, WORDS[stance(h)], h.role, h.start_time)


@dataclass
class AskGroup:
    label: str                  # machine-made description of the group
    keywords: list[str]
    participants: int           # distinct participants among `quotes` and `counter`
    of: int                     # distinct participants in the selection
    quotes: list[AskQuote]
    polarity: str = "mixed"     # of the group's quotes: negative, positive, mixed
    counter: list[AskQuote] = field(default_factory=list)  # opposite stance to the group's
    counter_participants: int = 0

    @property
    def share(self) -> float:
        return round(self.participants / self.of, 4) if self.of else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "share": self.share}


@dataclass
class Answer:
    question: str
    filters: dict[str, Any]
    k: int
    retrieved: int = 0                   # quotes found
    participants_retrieved: int = 0      # distinct participants among them
    participants_in_selection: int = 0   # distinct participants under the filters
    groups: list[AskGroup] = field(default_factory=list)
    other: list[AskQuote] = field(default_factory=list)  # relevant, in no group
    seconds: float = 0.0
    method: dict[str, str] = field(default_factory=lambda: dict(METHOD))

    def quotes(self) -> list[AskQuote]:
        return [q for g in self.groups for q in [*g.quotes, *g.counter]] + self.other

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "filters": self.filters, "k": self.k,
                "retrieved": self.retrieved, "participants_retrieved": self.participants_retrieved,
                "participants_in_selection": self.participants_in_selection,
                "groups": [g.to_dict() for g in self.groups],
                "other": [asdict(q) for q in self.other], "seconds": round(self.seconds, 3),
                "method": self.method}


def _group(hits: Sequence[Hit], label: str, keywords: list[str], of: int) -> AskGroup:
    pol = polarity(hits) if len(hits) >= MIN_POLAR else 0
    counter = [h for h in hits if pol and stance(h) == -pol]
    against = {h.snippet_id for h in counter}
    agree = [h for h in hits if h.snippet_id not in against]
    return AskGroup(label=label, keywords=keywords, participants=len({h.participant for h in hits}),
                    of=of, quotes=[AskQuote.of(h) for h in agree], polarity=WORDS[pol],
                    counter=[AskQuote.of(h) for h in counter],
                    counter_participants=len({h.participant for h in counter}))


def ask(ws, question: str, k: int = DEFAULT_K, labels: bool = True, **filters: Any) -> Answer:
    """Answer `question` from the participant quotes under `filters` (search filters)."""
    started = time.perf_counter()
    if not (question or "").strip():
        raise InvalidInputError("ask a question in a few words")
    if filters.get("role") not in (None, "participant"):
        raise InvalidInputError("Ask answers from participants' words only; leave role out")
    filters = {name: v for name, v in filters.items() if v not in (None, "", [], ())}
    answer = Answer(question.strip(), dict(filters), int(k))
    hits = search(ws, question, k=k, **filters)
    answer.participants_in_selection = of = participants_in(ws, **filters)
    answer.retrieved = len(hits)
    answer.participants_retrieved = len({h.participant for h in hits})
    if not hits:
        answer.seconds = time.perf_counter() - started
        return answer
    x = stored_vectors(ws, hits)
    found = cluster(x, min_size=MIN_GROUP, chance=Chance.of(x))
    rows = [np.flatnonzero(found.labels == g) for g in range(found.n_themes)]
    nearest = [[int(r[j]) for j in nearest_first(x[r])] for r in rows]
    described = describe([h.text for h in hits], found.labels, found.n_themes, nearest,
                         phrases=labels) if found.n_themes else []
    for r, (label, keywords) in zip(rows, described):
        answer.groups.append(_group([hits[i] for i in r], label, keywords, of))
    answer.groups.sort(key=lambda g: (-g.participants, -len(g.quotes), g.label))
    answer.other = [AskQuote.of(hits[i]) for i in np.flatnonzero(found.labels == UNTHEMED)]
    answer.seconds = time.perf_counter() - started
    return answer
