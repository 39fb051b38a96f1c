"""Roadmap features, the customer evidence behind them, and how they rank by it.

    features.py     import Jira / Linear / Productboard exports
    evidence.py     suggestions and a person's confirm / reject
    theme_links.py  themes that match a feature
    priority.py     evidence counts and the score features are sorted by

SQL lives in store.features and store.evidence. `Roadmap(ws)` is what
`Hub.roadmap` returns; the CLI and the UI call only it.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from research_hub.core.models import Feature, ImportReport
from research_hub.roadmap import features as feature_files
from research_hub.roadmap import theme_links
from research_hub.roadmap.evidence import (Suggestion, Suggestions, decide, ranked_snippets,
                                           resolve_snippet, suggest_snippets)
from research_hub.roadmap.priority import Priority, measure, prioritise
from research_hub.store.audit import audited
from research_hub.store.evidence import EvidenceStore
from research_hub.store.features import FeatureStore

__all__ = ["Roadmap", "Feature", "ImportReport", "Priority", "Suggestions", "measure",
           "evidence_quotes"]


class Roadmap:
    def __init__(self, ws):
        self.ws = ws
        self.store = FeatureStore(ws.db)
        self.evidence = EvidenceStore(ws.db)

    # -- features ------------------------------------------------------------
    def features(self, include_archived: bool = False) -> list[Feature]:
        return self.store.list(include_archived)

    def feature(self, feature_id: str) -> Feature:
        return self.store.get(feature_id)

    @audited("feature.import")
    def import_file(self, path: str | Path) -> ImportReport:
        return feature_files.import_file(self.store, path)

    @audited("feature.add")
    def add(self, title: str, description: str = "", status: str = "",
            feature_id: str | None = None, extra: dict[str, Any] | None = None) -> Feature:
        return self.store.add(title, description, status, feature_id, extra)

    @audited("feature.edit")
    def edit(self, feature_id: str, **changes: str | None) -> Feature:
        return self.store.edit(feature_id, **changes)

    @audited("feature.archive")
    def archive(self, feature_id: str, archived: bool = True) -> Feature:
        return self.store.archive(feature_id, archived)

    # -- evidence ------------------------------------------------------------
    def suggest(self, feature_id: str, k: int = 10, themes: bool = True,
                **filters: Any) -> Suggestions:
        """Top-k snippets for the feature that nobody has confirmed or rejected yet,
        and the themes most of its top 50 fall into. Filters are search filters."""
        f = self.feature(feature_id)
        filters.setdefault("role", "participant")
        query, snippets = suggest_snippets(self.ws, f, k, filters)
        matched = []
        if themes:
            pool = snippets if k >= theme_links.POOL else suggest_pool(self.ws, query, filters)
            matched = theme_links.suggest_themes(self.ws, f.id, {s.snippet.snippet_id: s.score
                                                                 for s in pool})
        return Suggestions(f.id, query, snippets, matched)

    @audited("feature.link")
    def link(self, feature_id: str, snippet_id: str, note: str | None = None,
             who: str | None = None) -> dict[str, Any]:
        """Confirm a snippet as evidence (again: clears a change flag)."""
        f = self.feature(feature_id)
        return decide(self.ws, f.id, resolve_snippet(self.ws, f.id, snippet_id), "confirmed", note, who)

    @audited("feature.reject")
    def reject(self, feature_id: str, snippet_id: str, who: str | None = None) -> dict[str, Any]:
        """Reject a snippet: it is never suggested for this feature again."""
        f = self.feature(feature_id)
        return decide(self.ws, f.id, resolve_snippet(self.ws, f.id, snippet_id), "rejected", None, who)

    @audited("feature.confirm_theme")
    def confirm_theme(self, feature_id: str, theme: str) -> dict[str, Any]:
        return self.evidence.decide_theme(self.feature(feature_id).id, theme, "confirmed")

    @audited("feature.reject_theme")
    def reject_theme(self, feature_id: str, theme: str) -> dict[str, Any]:
        return self.evidence.decide_theme(self.feature(feature_id).id, theme, "rejected")

    def links(self, feature_id: str, state: str | None = None) -> list[dict[str, Any]]:
        return [dict(r) for r in self.evidence.links(self.feature(feature_id).id, state)]

    def themes(self, feature_id: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.evidence.theme_rows(self.feature(feature_id).id)]

    # -- prioritisation ------------------------------------------------------
    def table(self, sort: str = "score", include_archived: bool = False,
              as_of: date | None = None) -> list[Priority]:
        return prioritise(self.ws, self.features(include_archived), sort, as_of)

    def priority(self, feature_id: str, as_of: date | None = None) -> Priority:
        return prioritise(self.ws, [self.feature(feature_id)], "score", as_of)[0]

    def show(self, feature_id: str) -> dict[str, Any]:
        """The feature, its figures, and its links by state (each with its snippet if present)."""
        f = self.feature(feature_id)
        rows = self.links(f.id)
        found = self.ws.records.get_snippets(r["snippet_id"] for r in rows)
        grouped: dict[str, list[dict[str, Any]]] = {"confirmed": [], "suggested": [], "rejected": []}
        for r in rows:
            s = found.get(r["snippet_id"])
            grouped[r["state"]].append({**r, "snippet": s.to_dict() if s else None})
        return {"feature": f.to_dict(), "priority": self.priority(f.id).to_dict(), **grouped,
                "themes": self.themes(f.id)}


def suggest_pool(ws, query: str, filters: dict[str, Any]) -> list[Suggestion]:
    """The wider pool themes are matched against (scores only, nothing stored)."""
    ranked = ranked_snippets(ws, query, theme_links.POOL, filters)
    return [Suggestion(s, score, i) for i, (s, score) in enumerate(ranked, 1)]


def evidence_quotes(ws, feature_id: str) -> tuple[list[tuple[Any, dict]], list[dict]]:
    """Confirmed links split into (snippet, link) still in the store, and flagged ones."""
    rows = [dict(r) for r in EvidenceStore(ws.db).links(feature_id, "confirmed")]
    found = ws.records.get_snippets(r["snippet_id"] for r in rows)
    ok = [(found[r["snippet_id"]], r) for r in rows if r["snippet_id"] in found and not r["flag"]]
    flagged = [r for r in rows if r["snippet_id"] not in found or r["flag"]]
    return ok, flagged
