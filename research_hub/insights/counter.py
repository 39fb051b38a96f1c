"""Counter-evidence: the participants who say the opposite of a theme or an insight.

A quote's stance is -1 (pain: tagged pain_point, or VADER at most
PAIN_VADER_MAX), +1 (praise: tagged praise, or VADER at least
PRAISE_VADER_MIN) or 0, with the thresholds the tagger uses. A set of quotes
(a theme's members, an insight's supporting quotes) has a polarity when its
mean stance is at least POLAR away from 0. Its counter-evidence is then

* inside: its own quotes of the opposite stance (praise inside a pain theme);
* nearby: participant quotes of the opposite stance, outside the set, whose
  cosine to the set's centre is at least the members' 25th percentile (closer
  than the quarter of its members furthest from it), so they are about the
  same thing;
* segments: by segment (the roadmap's segment), the distinct participants on
  each side among the set and those nearby quotes; segments disagree when one
  leans with the set and another against it.
A set whose mean stance is near 0 is "mixed": it already holds both sides.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import numpy as np

from research_hub.core.models import Snippet
from research_hub.ingest.rules import PAIN_POINT, PAIN_VADER_MAX, PRAISE, PRAISE_VADER_MIN
from research_hub.roadmap.priority import segment
from research_hub.search import similar
from research_hub.store.highlights import HighlightStore
from research_hub.store.insights import InsightStore, resolve
from research_hub.store.themes import ThemeStore
from research_hub.themes.cluster import normalize
from research_hub.themes.engine import vectors as stored_vectors

POLAR = 0.25
NEAR_PERCENTILE = 25
NEAR_POOL = 100  # nearest snippets to the centre looked at
SHOW = 10  # quotes of each kind kept in the result
WORDS = {-1: "negative", 0: "mixed", 1: "positive"}


def stance(s: Snippet) -> int:
    pain, praise = PAIN_POINT in s.tags, PRAISE in s.tags
    if pain != praise:
        return -1 if pain else 1
    if s.sentiment is not None and s.sentiment <= PAIN_VADER_MAX:
        return -1
    if s.sentiment is not None and s.sentiment >= PRAISE_VADER_MIN:
        return 1
    return 0


def polarity(quotes: Sequence[Snippet]) -> int:
    if not quotes:
        return 0
    mean = sum(stance(s) for s in quotes) / len(quotes)
    return -1 if mean <= -POLAR else 1 if mean >= POLAR else 0


def quote_dict(s: Snippet, where: str, similarity: float | None = None) -> dict[str, Any]:
    return {"snippet_id": s.snippet_id, "text": s.text, "participant": s.participant,
            "speaker": s.speaker, "document_id": s.document_id, "document_title": s.document_title,
            "char_start": s.char_start, "char_end": s.char_end, "citation": s.citation(),
            "study": s.study, "date": s.date, "tags": list(s.tags), "sentiment": s.sentiment,
            "stance": WORDS[stance(s)], "where": where,
            "similarity": None if similarity is None else round(similarity, 4)}


@dataclass
class CounterEvidence:
    polarity: str                              # of the set: negative, positive or mixed
    participants: int = 0                      # distinct participants saying the opposite
    of: int = 0                                # distinct participants behind the set
    inside: list[dict[str, Any]] = field(default_factory=list)
    nearby: list[dict[str, Any]] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)
    disagreement: bool = False                 # segments lean different ways
    threshold: float | None = None             # cosine to the centre a nearby quote needs
    basis: str = ("stance: tags pain_point / praise, else VADER sentiment; nearby: cosine to the "
                  "set's centre at least its members' 25th percentile")

    @property
    def found(self) -> bool:
        return bool(self.inside or self.nearby or self.disagreement)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "found": self.found}


def _segments(quotes: Sequence[Snippet], pol: int) -> tuple[list[dict[str, Any]], bool]:
    sides: dict[str, dict[int, set[str]]] = {}
    for s in quotes:
        st = stance(s)
        if st:
            sides.setdefault(segment(s), {1: set(), -1: set()})[st].add(s.participant)
    rows = [{"segment": name, "with": len(by[pol]), "against": len(by[-pol]),
             "leans": "with" if len(by[pol]) > len(by[-pol]) else
             "against" if len(by[-pol]) > len(by[pol]) else "even"}
            for name, by in sorted(sides.items())]
    leans = {r["leans"] for r in rows}
    return rows, len(rows) > 1 and {"with", "against"} <= leans


def counter_evidence(ws, members: Sequence[Snippet], vectors: np.ndarray | None,
                     skip: set[str] = frozenset(), **filters: Any) -> CounterEvidence:
    """Counter-evidence for a set of quotes with their unit vectors (row per member).
    `skip`: ids never to propose (already attached); filters narrow the nearby search."""
    members = list(members)
    pol = polarity(members)
    out = CounterEvidence(WORDS[pol], of=len({s.participant for s in members}))
    if pol == 0:
        return out
    opposite = [s for s in members if stance(s) == -pol]
    near: list[tuple[Snippet, float]] = []
    if vectors is not None and len(members):
        x = normalize(vectors)
        centre = x.mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-12)
        out.threshold = round(float(np.percentile(x @ centre, NEAR_PERCENTILE)), 4)
        mine = {s.snippet_id for s in members} | set(skip)
        filters.setdefault("role", "participant")
        pairs = [(sid, sim) for sid, sim in similar(ws, centre, NEAR_POOL, **filters)
                 if sim >= out.threshold and sid not in mine]
        found = ws.records.get_snippets(sid for sid, _ in pairs)
        near = [(found[sid], sim) for sid, sim in pairs if sid in found]
    against = [(s, sim) for s, sim in near if stance(s) == -pol]
    out.inside = [quote_dict(s, "inside") for s in opposite[:SHOW]]
    out.nearby = [quote_dict(s, "nearby", sim) for s, sim in against[:SHOW]]
    out.participants = len({s.participant for s in opposite} | {s.participant for s, _ in against})
    out.segments, out.disagreement = _segments(members + [s for s, _ in near], pol)
    return out


def quote_vectors(ws, quotes: Sequence[Snippet]) -> np.ndarray | None:
    """Unit vectors in order: stored ones for snippets, the model's for highlights' words."""
    if not quotes:
        return None
    snippets = [q for q in quotes if not q.meta.get("highlight")]
    stored = dict(zip([q.snippet_id for q in snippets], stored_vectors(ws, snippets))) if snippets else {}
    marked = [q for q in quotes if q.meta.get("highlight")]
    fresh = dict(zip([q.snippet_id for q in marked], ws.embedder.encode([q.text for q in marked]))) \
        if marked else {}
    return normalize(np.vstack([stored.get(q.snippet_id, fresh.get(q.snippet_id)) for q in quotes]))


def scope_filters(scope: str) -> dict[str, str]:
    """study= and kind= of a theme's selection ('tags=pain_point;study=Q3')."""
    parts = dict(p.split("=", 1) for p in scope.split(";") if "=" in p)
    return {k: v for k, v in parts.items() if k in ("study", "kind")}


def for_theme(ws, theme_id: str) -> CounterEvidence:
    """Who says the opposite of a stored theme (its members as last computed)."""
    theme = ThemeStore(ws.db).get(theme_id)
    found = ws.records.get_snippets(sorted(theme.members))
    members = [found[i] for i in sorted(found)]
    return counter_evidence(ws, members, quote_vectors(ws, members), **scope_filters(theme.scope))


def for_insight(ws, insight_id: str) -> CounterEvidence:
    """Who says the opposite of an insight's supporting quotes; attached ones are left out."""
    store = InsightStore(ws.db)
    row = store.row(insight_id)
    evidence = resolve(ws.records, HighlightStore(ws.db), store.evidence([row["id"]]))
    support = [e.quote for e in evidence if e.quote is not None and e.row["stance"] == "supports"]
    attached = {e.row["ref_id"] for e in evidence}
    under = HighlightStore(ws.db)
    for q in support:  # the snippets a supporting highlight lies in are not counter-evidence
        if q.meta.get("highlight"):
            attached.update(under.snippets_under(q.document_id, q.char_start, q.char_end))
    return counter_evidence(ws, support, quote_vectors(ws, support), skip=attached)
