"""Hub's theme verbs: clustering plus a researcher's decisions, snapshots and timelines.

A mixin, so `Hub` stays the one facade while this group reads on its own.
"""
from __future__ import annotations

from typing import Any, Sequence


class ThemeVerbs:
    def themes(self, tags: Sequence[str] | None = ("pain_point",), all_snippets: bool = False,
               **options: Any) -> list:
        """Cluster participant snippets into themes (no re-embedding)."""
        from research_hub.themes import themes

        return themes(self, tags=None if all_snippets else tags, **options)

    def rename_theme(self, theme_id: str, name: str) -> dict:
        from research_hub import themes
        return themes.rename(self, theme_id, name)

    def merge_themes(self, theme_id: str, other_id: str, name: str | None = None) -> dict:
        from research_hub import themes
        return themes.merge(self, theme_id, other_id, name)

    def move_snippet(self, snippet_id: str, theme_id: str | None, **selection: Any) -> dict:
        from research_hub import themes
        return themes.move(self, snippet_id, theme_id, **selection)

    def pin_theme(self, theme_id: str, pinned: bool = True) -> dict:
        from research_hub import themes
        return themes.pin(self, theme_id, pinned)

    def split_theme(self, theme_id: str, snippet_ids: Sequence[str], name: str) -> dict:
        from research_hub import themes
        return themes.split(self, theme_id, snippet_ids, name)

    def save_themes(self, name: str, tags: Sequence[str] | None = ("pain_point",), **options: Any) -> dict:
        from research_hub import themes
        return themes.save(self, name, tags, **options)

    def theme_sets(self) -> list[dict]:
        from research_hub import themes
        return themes.sets(self)

    def theme_set(self, name: str) -> dict:
        from research_hub import themes
        return themes.get_set(self, name)

    def forget_themes(self, tags: Sequence[str] | None = ("pain_point",), **selection: Any) -> int:
        from research_hub import themes
        return themes.forget(self, tags, **selection)

    def theme_timeline(self, period: str = "month", result=None, tags: Sequence[str] | None = ("pain_point",),
                       **options: Any) -> list[dict]:
        from research_hub import themes
        return themes.over_time(self, period, result, tags, **options)

    def theme_studies(self, result=None, tags: Sequence[str] | None = ("pain_point",), **options: Any) -> list[dict]:
        from research_hub import themes
        return themes.by_study(self, result, tags, **options)
