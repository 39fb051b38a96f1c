"""Themes in SQLite: what the machine proposed last and what the researcher decided.

A theme is in one of three states:
  auto    proposed by the last clustering; recomputed freely next time (its id
          is carried over when a new cluster mostly overlaps it);
  kept    the researcher touched it (renamed, merged, moved a snippet in,
          created, or saved in a named set): its members stay, and new
          snippets that fit it join it when themes are next computed;
  pinned  kept exactly as it is: no snippet joins or leaves except by hand.
Moves are stored apart (theme_moves) so clustering never undoes them.
Membership has no foreign key to snippets: snippet ids are stable across
re-ingestion, so decisions outlive a changed transcript.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Iterable

from research_hub.core.errors import InvalidInputError, NotFoundError
from research_hub.store.db import Database, now

AUTO, KEPT, PINNED = "auto", "kept", "pinned"


@dataclass
class StoredTheme:
    id: str
    scope: str
    name: str | None
    label: str
    keywords: list[str]
    state: str
    members: set[str] = field(default_factory=set)


class ThemeStore:
    def __init__(self, db: Database):
        self.db = db

    # -- reading --------------------------------------------------------------
    def load(self, scope: str) -> dict[str, StoredTheme]:
        rows = self.db.query("SELECT * FROM themes WHERE scope = ? ORDER BY created_at, id", (scope,))
        out = {r["id"]: StoredTheme(r["id"], r["scope"], r["name"], r["label"],
                                    json.loads(r["keywords"]), r["state"]) for r in rows}
        for r in self.db.query("SELECT m.theme_id, m.snippet_id FROM theme_members m "
                               "JOIN themes t ON t.id = m.theme_id WHERE t.scope = ?", (scope,)):
            out[r["theme_id"]].members.add(r["snippet_id"])
        return out

    def moves(self, scope: str) -> dict[str, str | None]:
        return {r["snippet_id"]: r["theme_id"] for r in self.db.query(
            "SELECT snippet_id, theme_id FROM theme_moves WHERE scope = ?", (scope,))}

    def get(self, theme_id: str) -> StoredTheme:
        theme_id = self.resolve(theme_id)
        row = self.db.one("SELECT scope FROM themes WHERE id = ?", (theme_id,))
        if row is None:
            raise NotFoundError(f"no theme {theme_id!r}")
        return self.load(row["scope"])[theme_id]

    def resolve(self, theme_id: str) -> str:
        """A merged-away id points at the theme it was merged into."""
        for _ in range(20):
            alias = self.db.scalar("SELECT theme_id FROM theme_aliases WHERE old_id = ?", (theme_id,))
            if alias is None:
                return theme_id
            theme_id = alias
        return theme_id

    # -- the machine's proposal -------------------------------------------------
    def save_run(self, scope: str, themes: Iterable[StoredTheme]) -> None:
        """Replace the scope's auto themes; update kept ones (members added) and labels."""
        stamp = now()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM themes WHERE scope = ? AND state = ?", (scope, AUTO))
            for t in themes:
                conn.execute(
                    "INSERT INTO themes (id, scope, name, label, keywords, state, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                    "label = excluded.label, keywords = excluded.keywords, updated_at = excluded.updated_at",
                    (t.id, scope, t.name, t.label, json.dumps(t.keywords), t.state, stamp, stamp))
                if t.state != PINNED:
                    conn.executemany("INSERT OR IGNORE INTO theme_members VALUES (?, ?)",
                                     [(t.id, s) for s in sorted(t.members)])

    # -- the researcher's decisions -----------------------------------------------
    @staticmethod
    def _touch(conn: sqlite3.Connection, theme_ids: Iterable[str]) -> None:
        """Rewrite a kept theme's members as they are: an audited change then carries them,
        so a rebuild from the journal restores the theme whole, not just its name."""
        conn.executemany("UPDATE theme_members SET snippet_id = snippet_id WHERE theme_id = ?",
                         [(t,) for t in theme_ids])

    def rename(self, theme_id: str, name: str) -> StoredTheme:
        theme = self.get(theme_id)
        with self.db.transaction() as conn:
            conn.execute("UPDATE themes SET name = ?, state = CASE state WHEN 'auto' THEN 'kept' "
                         "ELSE state END, updated_at = ? WHERE id = ?", (name, now(), theme.id))
            self._touch(conn, [theme.id])
        return self.get(theme.id)

    def pin(self, theme_id: str, pinned: bool = True) -> StoredTheme:
        theme = self.get(theme_id)
        with self.db.transaction() as conn:
            conn.execute("UPDATE themes SET state = ?, updated_at = ? WHERE id = ?",
                         (PINNED if pinned else KEPT, now(), theme.id))
            self._touch(conn, [theme.id])
        return self.get(theme.id)

    def merge(self, into_id: str, other_id: str, name: str | None = None) -> StoredTheme:
        into, other = self.get(into_id), self.get(other_id)
        if into.id == other.id:
            raise InvalidInputError("cannot merge a theme with itself")
        if into.scope != other.scope:
            raise InvalidInputError("themes from different selections cannot be merged")
        with self.db.transaction() as conn:
            # the theme row is written before rows that refer to it, so the journal replays in order
            state = PINNED if PINNED in (into.state, other.state) else KEPT
            conn.execute("UPDATE themes SET state = ?, name = ?, updated_at = ? WHERE id = ?",
                         (state, name or into.name or other.name, now(), into.id))
            conn.execute("INSERT OR IGNORE INTO theme_members SELECT ?, snippet_id FROM theme_members "
                         "WHERE theme_id = ?", (into.id, other.id))
            conn.execute("UPDATE theme_moves SET theme_id = ? WHERE theme_id = ?", (into.id, other.id))
            conn.execute("UPDATE theme_aliases SET theme_id = ? WHERE theme_id = ?", (into.id, other.id))
            conn.execute("INSERT OR REPLACE INTO theme_aliases VALUES (?, ?)", (other.id, into.id))
            conn.execute("DELETE FROM themes WHERE id = ?", (other.id,))
            self._touch(conn, [into.id])
        return self.get(into.id)

    def move(self, scope: str, snippet_id: str, theme_id: str | None) -> None:
        """Put a snippet in a theme (None: the unthemed group) for good."""
        target = self.get(theme_id) if theme_id else None
        if target is not None and target.scope != scope:
            raise InvalidInputError(f"theme {theme_id!r} belongs to another selection")
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM theme_members WHERE snippet_id = ? AND theme_id IN "
                         "(SELECT id FROM themes WHERE scope = ?)", (snippet_id, scope))
            if target is not None:  # the theme row first: the journal replays in this order
                conn.execute("UPDATE themes SET state = CASE state WHEN 'auto' THEN 'kept' ELSE state END, "
                             "updated_at = ? WHERE id = ?", (now(), target.id))
                conn.execute("INSERT OR IGNORE INTO theme_members VALUES (?, ?)", (target.id, snippet_id))
                self._touch(conn, [target.id])
            conn.execute("INSERT OR REPLACE INTO theme_moves VALUES (?, ?, ?, ?)",
                         (scope, snippet_id, target.id if target else None, now()))

    def create(self, scope: str, theme_id: str, name: str, snippet_ids: list[str]) -> StoredTheme:
        stamp = now()
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO themes (id, scope, name, label, keywords, state, created_at, "
                         "updated_at) VALUES (?, ?, ?, ?, '[]', ?, ?, ?)",
                         (theme_id, scope, name, name, KEPT, stamp, stamp))
            for sid in snippet_ids:
                self.move(scope, sid, theme_id)
        return self.get(theme_id)

    def keep(self, theme_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE themes SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                         (KEPT, now(), self.resolve(theme_id), AUTO))
            self._touch(conn, [self.resolve(theme_id)])

    def keep_all(self, scope: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE themes SET state = ? WHERE scope = ? AND state = ?", (KEPT, scope, AUTO))
            self._touch(conn, [r[0] for r in conn.execute("SELECT id FROM themes WHERE scope = ?", (scope,))])

    def forget(self, scope: str) -> int:
        """Drop every theme, move and decision of a scope (start over)."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM theme_moves WHERE scope = ?", (scope,))
            return conn.execute("DELETE FROM themes WHERE scope = ?", (scope,)).rowcount

    # -- named snapshots ------------------------------------------------------------
    def save_set(self, name: str, scope: str, payload: dict) -> None:
        try:
            with self.db.transaction() as conn:
                conn.execute("INSERT INTO theme_sets (name, scope, created_at, data) VALUES (?, ?, ?, ?)",
                             (name, scope, now(), json.dumps(payload, ensure_ascii=False)))
        except sqlite3.IntegrityError as exc:
            raise InvalidInputError(f"a theme set named {name!r} already exists") from exc

    def sets(self) -> list[dict]:
        out = []
        for r in self.db.query("SELECT name, scope, created_at, data FROM theme_sets ORDER BY created_at"):
            data = json.loads(r["data"])
            out.append({"name": r["name"], "scope": r["scope"], "created_at": r["created_at"],
                        "themes": len(data.get("themes", [])), "snippets": data.get("total", 0),
                        "unthemed_share": data.get("unthemed_share", 0.0)})
        return out

    def get_set(self, name: str) -> dict:
        row = self.db.one("SELECT * FROM theme_sets WHERE name = ?", (name,))
        if row is None:
            raise NotFoundError(f"no theme set {name!r}")
        return {"name": row["name"], "scope": row["scope"], "created_at": row["created_at"],
                **json.loads(row["data"])}
