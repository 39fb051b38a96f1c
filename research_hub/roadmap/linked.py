"""Evidence that reaches a feature through highlights and insights linked to it.

A highlight linked to a feature counts as one of its quotes. An insight linked to
a feature brings its supporting quotes (snippets and highlights) as quotes, and
its contradicting quotes as counter-evidence, which lowers the feature's score
through `agreement` (priority.py). Quotes whose words changed on re-ingest do
not count: a linked highlight in review is counted as flagged, an insight's
changed evidence is the insight's to review.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from research_hub.core.models import Snippet
from research_hub.store.highlights import HighlightStore, as_snippets
from research_hub.store.insights import InsightStore, resolve


@dataclass
class Linked:
    support: list[Snippet] = field(default_factory=list)
    counter: list[Snippet] = field(default_factory=list)
    insights: list[str] = field(default_factory=list)
    highlights: int = 0
    flagged: int = 0


def linked_evidence(ws, feature_ids: Sequence[str]) -> dict[str, Linked]:
    """feature id -> what its linked highlights and insights bring; absent when nothing."""
    marks = HighlightStore(ws.db)
    out: dict[str, Linked] = {}
    links = marks.feature_links(feature_ids)
    found = marks.get_many(r["highlight_id"] for r in links)
    quotes = as_snippets(ws.records, marks, [h for h in found.values() if h.ok])
    for r in links:
        entry = out.setdefault(r["feature_id"], Linked())
        q = quotes.get(r["highlight_id"])
        if q is None:
            entry.flagged += 1
        else:
            entry.support.append(q)
            entry.highlights += 1
    pairs = InsightStore(ws.db).for_features(feature_ids)
    if not pairs:
        return out
    evidence = resolve(ws.records, marks, InsightStore(ws.db).evidence(
        list({r["insight_id"] for r in pairs})))
    by_insight: dict[str, list] = {}
    for e in evidence:
        by_insight.setdefault(e.row["insight_id"], []).append(e)
    for r in pairs:
        entry = out.setdefault(r["feature_id"], Linked())
        entry.insights.append(r["insight_id"])
        for e in by_insight.get(r["insight_id"], []):
            if e.quote is not None:
                (entry.support if e.row["stance"] == "supports" else entry.counter).append(e.quote)
    for entry in out.values():
        entry.counter = list({s.snippet_id: s for s in entry.counter}.values())
    return out
