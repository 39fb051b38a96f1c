"""Themes that match a feature: the themes most of its top suggestions fall into.

Themes come from the themes subsystem; their ids may change when themes are
recomputed, so a person's rejection also matches by label. Members are stored
with the verdict, which is what exports group quotes by.
"""
from __future__ import annotations

import logging
from typing import Any, Iterable

from research_hub import themes as theming
from research_hub.roadmap.evidence import ThemeSuggestion
from research_hub.store.db import loads
from research_hub.store.evidence import EvidenceStore

log = logging.getLogger(__name__)
POOL = 50  # top snippet suggestions a theme's overlap is counted against
MAX_THEMES = 3
MIN_OVERLAP = 2  # one shared snippet is chance, not a match


def _get(theme: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = theme.get(name) if isinstance(theme, dict) else getattr(theme, name, None)
        if value is not None:
            return value
    return default


def available_themes(ws) -> list[Any]:
    """The pain-point themes, or [] when they cannot be computed."""
    try:
        return list(theming.themes(ws))
    except Exception as exc:  # themes are a side dish: never let them break suggestions
        log.warning("theme suggestions skipped: %s", exc)
        return []


def match_themes(themes: Iterable[Any], scored: dict[str, float]) -> list[ThemeSuggestion]:
    """Rank themes by the relevance of their members among the feature's top snippets."""
    out = []
    for t in themes:
        if str(_get(t, "id", default="")) == "unthemed":  # the leftovers, not a theme
            continue
        members = [str(i) for i in _get(t, "snippet_ids", "members", default=[])]
        shared = [i for i in members if i in scored]
        if len(shared) < MIN_OVERLAP:
            continue
        out.append(ThemeSuggestion(
            theme_id=str(_get(t, "id", "theme_id", default=_get(t, "label", default=""))),
            label=str(_get(t, "label", "name", default="theme")),
            keywords=[str(k) for k in _get(t, "keywords", default=[])][:8],
            size=int(_get(t, "size", default=len(members))), overlap=len(shared),
            score=round(sum(scored[i] for i in shared), 4), snippet_ids=members))
    out.sort(key=lambda s: (-s.score, s.label))
    return out


def suggest_themes(ws, feature_id: str, scored: dict[str, float]) -> list[ThemeSuggestion]:
    themes = available_themes(ws)
    if not themes:
        return []
    store = EvidenceStore(ws.db)
    verdicts = store.theme_rows(feature_id)
    rejected = {r["theme_id"] for r in verdicts if r["state"] == "rejected"} | \
        {r["label"].casefold() for r in verdicts if r["state"] == "rejected"}
    confirmed = {r["theme_id"] for r in verdicts if r["state"] == "confirmed"}
    ranked = [t for t in match_themes(themes, scored)
              if t.theme_id not in rejected and t.label.casefold() not in rejected
              and t.theme_id not in confirmed][:MAX_THEMES]
    store.replace_theme_suggestions(feature_id, ranked)
    return ranked


def theme_groups(ws, feature_id: str) -> list[tuple[str, str, set[str]]]:
    """(label, state, member ids) of confirmed then suggested themes, for grouping quotes."""
    rows = [r for r in EvidenceStore(ws.db).theme_rows(feature_id) if r["state"] != "rejected"]
    rows.sort(key=lambda r: (r["state"] != "confirmed", -(r["score"] or 0), r["label"]))
    return [(r["label"], r["state"], set(loads(r["snippet_ids"], []))) for r in rows]
