"""Pain-point themes: clusters of participant snippets, named, counted and steerable.

`themes(ws, tags=["pain_point"])` clusters the selected participant snippets
from their stored vectors (cluster.py), labels them (label.py), counts
participants, documents and studies (model.py), and keeps the researcher's
renames, merges, moves, pins and named sets in SQLite (store.py) so they
survive the next clustering (engine.py). timeline.py turns a result into
records per week/month and per study.
"""
from __future__ import annotations

from typing import Any, Sequence

from research_hub.themes.engine import compute, new_id, scope_key, theme_options
from research_hub.themes.model import UNTHEMED_ID, Theme, Themes
from research_hub.core.errors import InvalidInputError
from research_hub.store.audit import audited
from research_hub.store.themes import StoredTheme, ThemeStore
from research_hub.themes import timeline

__all__ = ["themes", "Theme", "Themes", "rename", "merge", "move", "pin", "split", "save",
           "sets", "get_set", "over_time", "by_study", "forget", "scope_key"]


def themes(ws, tags: Sequence[str] | None = ("pain_point",), **options: Any) -> Themes:
    """Themes of the participant snippets carrying all `tags` (None: every participant snippet).
    Options: study, kind, min_size (default 3), resolution (default: by corpus size, 1 to 2),
    labels (False: keyword labels instead of distinctive phrases)."""
    return compute(ws, tags, **theme_options(options))


def _out(t: StoredTheme) -> dict[str, Any]:
    return {"id": t.id, "scope": t.scope, "name": t.name, "label": t.name or t.label,
            "state": t.state, "members": sorted(t.members)}


@audited("theme.rename")
def rename(ws, theme_id: str, name: str) -> dict[str, Any]:
    name = (name or "").strip()
    if not name:
        raise InvalidInputError("a theme name cannot be empty")
    return _out(ThemeStore(ws.db).rename(theme_id, name))


@audited("theme.merge")
def merge(ws, theme_id: str, other_id: str, name: str | None = None) -> dict[str, Any]:
    """Fold `other_id` into `theme_id`; the other id keeps resolving to the merged theme."""
    return _out(ThemeStore(ws.db).merge(theme_id, other_id, (name or "").strip() or None))


@audited("theme.pin")
def pin(ws, theme_id: str, pinned: bool = True) -> dict[str, Any]:
    return _out(ThemeStore(ws.db).pin(theme_id, pinned))


@audited("theme.move")
def move(ws, snippet_id: str, theme_id: str | None, *, tags: Sequence[str] | None = ("pain_point",),
         study: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """Put a snippet in a theme, or in the unthemed group (theme_id None or 'unthemed').
    The selection (tags/study/kind) only matters when moving to unthemed."""
    ws.records.snippet(snippet_id)  # raises NotFoundError for an unknown snippet
    store = ThemeStore(ws.db)
    if theme_id in (None, "", UNTHEMED_ID):
        scope = scope_key(tags, study, kind)
        store.move(scope, snippet_id, None)
        return {"snippet_id": snippet_id, "theme_id": None, "scope": scope}
    target = store.get(theme_id)
    store.move(target.scope, snippet_id, target.id)
    return {"snippet_id": snippet_id, "theme_id": target.id, "scope": target.scope}


@audited("theme.split")
def split(ws, theme_id: str, snippet_ids: Sequence[str], name: str) -> dict[str, Any]:
    """Move some snippets of a theme into a new, named theme."""
    store = ThemeStore(ws.db)
    source = store.get(theme_id)
    ids = list(dict.fromkeys(snippet_ids))
    if not ids:
        raise InvalidInputError("name at least one snippet to split off")
    if not (name or "").strip():
        raise InvalidInputError("a theme name cannot be empty")
    outside = [s for s in ids if s not in source.members]
    if outside:
        raise InvalidInputError(f"not in theme {source.id}: {', '.join(outside[:5])}")
    store.keep(source.id)  # what is left stays together, apart from the new theme
    created = store.create(source.scope, new_id(source.scope + "\x00split", ids), name.strip(), ids)
    return _out(created)


def save(ws, name: str, tags: Sequence[str] | None = ("pain_point",), **options: Any) -> dict[str, Any]:
    """Compute the themes, keep every one of them (new snippets will join where they fit) and
    store the set as it is now under `name`."""
    name = (name or "").strip()
    if not name:
        raise InvalidInputError("a theme set needs a name")
    result = compute(ws, tags, **theme_options(options))
    store = ThemeStore(ws.db)
    payload = {"total": result.total, "unthemed_share": round(result.unthemed_share, 4),
               "unthemed": result.unthemed.snippet_ids,
               "themes": [{k: v for k, v in t.to_dict().items() if k != "quotes"} for t in result]}
    with ws.audited("theme.save", name, scope=result.scope):  # clustering stays outside the transaction
        store.save_set(name, result.scope, payload)
        store.keep_all(result.scope)
    return {"name": name, "scope": result.scope, "themes": len(result), "snippets": result.total,
            "unthemed_share": round(result.unthemed_share, 4)}


def sets(ws) -> list[dict[str, Any]]:
    return ThemeStore(ws.db).sets()


def get_set(ws, name: str) -> dict[str, Any]:
    return ThemeStore(ws.db).get_set(name)


@audited("theme.forget")
def forget(ws, tags: Sequence[str] | None = ("pain_point",), study: str | None = None,
           kind: str | None = None) -> int:
    """Drop the stored themes and decisions of one selection (named sets stay)."""
    return ThemeStore(ws.db).forget(scope_key(tags, study, kind))


def over_time(ws, period: str = "month", result: Themes | None = None,
              tags: Sequence[str] | None = ("pain_point",), **options: Any) -> list[dict[str, Any]]:
    result = result if result is not None else compute(ws, tags, **theme_options(options))
    return timeline.over_time(result, period)


def by_study(ws, result: Themes | None = None, tags: Sequence[str] | None = ("pain_point",),
             **options: Any) -> list[dict[str, Any]]:
    result = result if result is not None else compute(ws, tags, **theme_options(options))
    return timeline.by_study(result)
