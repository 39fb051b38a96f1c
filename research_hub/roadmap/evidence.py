"""Evidence for a feature: ranked suggestions and a person's confirm / reject.

A suggestion run ranks participant snippets by relevance to the feature's
title and description (through search), leaves out what a person already
confirmed or rejected, and stores the rest as state ``suggested``
(store.evidence keeps them, and flags confirmed links whose quote changed
when their file is re-ingested).
"""
from __future__ import annotations

import getpass
import html
import re
from dataclasses import dataclass, field
from typing import Any

from research_hub.core.errors import NotFoundError
from research_hub.core.models import Snippet
from research_hub.search import search
from research_hub.store.evidence import EvidenceStore
QUERY_CHARS = 600  # of the description; the title always leads the query


@dataclass
class Suggestion:
    snippet: Snippet
    score: float
    rank: int

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "score": round(self.score, 4), **self.snippet.to_dict()}


@dataclass
class ThemeSuggestion:
    theme_id: str
    label: str
    keywords: list[str]
    size: int
    overlap: int  # theme members among the feature's top suggestions
    score: float
    snippet_ids: list[str] = field(default_factory=list)
    state: str = "suggested"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Suggestions:
    feature_id: str
    query: str
    snippets: list[Suggestion]
    themes: list[ThemeSuggestion]

    def to_dict(self) -> dict[str, Any]:
        return {"feature_id": self.feature_id, "query": self.query,
                "snippets": [s.to_dict() for s in self.snippets],
                "themes": [t.to_dict() for t in self.themes]}


def feature_query(title: str, description: str) -> str:
    """Title plus the start of the description, with markup stripped."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", description or ""))
    text = re.sub(r"[{}\[\]*#|_~`]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()[:QUERY_CHARS]
    return f"{title.strip()}. {text}" if text else title.strip()


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


# -- ranking -----------------------------------------------------------------
def ranked_snippets(ws, query: str, k: int, filters: dict[str, Any]) -> list[tuple[Snippet, float]]:
    """Best-first (snippet, score) from hybrid search."""
    return [(hit, float(hit.score)) for hit in search(ws, query, k=k, **filters)]


def suggest_snippets(ws, feature, k: int, filters: dict[str, Any]) -> tuple[str, list[Suggestion]]:
    query = feature_query(feature.title, feature.description)
    store = EvidenceStore(ws.db)
    skip = store.decided(feature.id)
    ranked = ranked_snippets(ws, query, k + len(skip), filters)
    fresh = [(s, score) for s, score in ranked if s.snippet_id not in skip][:k]
    store.replace_suggestions(feature.id, fresh)
    return query, [Suggestion(s, score, rank) for rank, (s, score) in enumerate(fresh, 1)]


# -- a person's decisions ----------------------------------------------------------
def resolve_snippet(ws, feature_id: str, ref: str) -> str:
    """A snippet id from an id or a unique prefix (the CLI shows 8 characters)."""
    ref = ref.strip()
    if not ref:
        raise NotFoundError("no snippet id given")
    store = EvidenceStore(ws.db)
    if ws.records.has_snippet(ref) or store.has_link(feature_id, ref):
        return ref
    ids = ws.records.snippet_ids_like(ref) | store.link_ids_like(feature_id, ref)
    if len(ids) == 1:
        return ids.pop()
    raise NotFoundError(f"no snippet {ref!r}" if not ids else
                        f"snippet id {ref!r} is ambiguous; give more characters")


def decide(ws, feature_id: str, snippet_id: str, state: str, note: str | None = None,
           who: str | None = None) -> dict[str, Any]:
    """Confirm or reject one snippet for a feature; confirming again clears a change flag."""
    snippet = ws.records.get_snippets([snippet_id]).get(snippet_id)
    return EvidenceStore(ws.db).decide(feature_id, snippet_id, state, snippet, note, who or ws.user)
