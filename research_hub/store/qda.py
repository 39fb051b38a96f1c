"""What REFI-QDA exchange reads and writes in SQLite: tag applications with who and when,
source keys, the code tree kept from imported codebooks, and imported codings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from research_hub.store.db import Database, dumps, loads, now

CODES_KEY = "qda_codes"  # settings key: the code tree (names, parents, GUIDs) of imported codebooks


@dataclass(frozen=True)
class Application:
    """One tag on one snippet: from ingest (origin auto/taxonomy) or by hand (manual)."""

    tag: str
    origin: str
    author: str | None = None  # known for imported codings
    at: str | None = None  # when a person applied it; None for ingest tags


@dataclass(frozen=True)
class ImportedCoding:
    snippet_id: str
    tag: str
    author: str
    at: str | None


class QDAStore:
    def __init__(self, db: Database):
        self.db = db

    def applications(self, snippet_ids: Sequence[str]) -> dict[str, list[Application]]:
        """The effective tags of each snippet, each with where it came from."""
        out: dict[str, list[Application]] = {}
        rows = self.db.query_in(
            "SELECT e.snippet_id, e.tag, st.origin, m.created_at AS manual_at, a.author, "
            "a.created_at AS authored_at FROM effective_tags e "
            "LEFT JOIN manual_tags m ON m.snippet_id = e.snippet_id AND m.tag = e.tag AND m.op = 'add' "
            "LEFT JOIN snippet_tags st ON st.snippet_id = e.snippet_id AND st.tag = e.tag "
            "LEFT JOIN tag_authors a ON a.snippet_id = e.snippet_id AND a.tag = e.tag "
            "AND a.manual_at = m.created_at "
            "WHERE e.snippet_id IN ({ids}) ORDER BY e.snippet_id, e.tag", snippet_ids)
        for r in rows:
            if r["manual_at"] is not None:
                app = Application(r["tag"], "manual", r["author"], r["authored_at"] or r["manual_at"])
            else:
                app = Application(r["tag"], r["origin"] or "auto")
            out.setdefault(r["snippet_id"], []).append(app)
        return out

    def tags(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.query("SELECT name, origin, description FROM tags ORDER BY name")]

    def source_keys(self) -> dict[str, str]:
        return {r["id"]: r["source_key"] for r in self.db.query("SELECT id, source_key FROM documents")}

    def code_tree(self) -> dict[str, dict[str, Any]]:
        return loads(self.db.scalar("SELECT value FROM settings WHERE key = ?", (CODES_KEY,)), {})

    def save_codes(self, tree: dict[str, dict[str, Any]], descriptions: Iterable[tuple[str, str]]) -> None:
        """Keep the code tree and give tags without a description the codebook's."""
        with self.db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (CODES_KEY, dumps(tree)))
            for name, description in descriptions:
                conn.execute("INSERT OR IGNORE INTO tags (name, origin) VALUES (?, 'manual')", (name,))
                if description:
                    conn.execute("UPDATE tags SET description = ? WHERE name = ? "
                                 "AND coalesce(description, '') = ''", (description, name))

    def record(self, codings: Sequence[ImportedCoding], removals: Sequence[tuple[str, str]] = ()) -> None:
        """Imported codings as manual tags, each with its author and date, and ingest tags the
        project does not have as manual removals, in one transaction."""
        stamp = now()
        with self.db.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO manual_tags VALUES (?, ?, 'remove', ?)",
                             [(sid, tag, stamp) for sid, tag in removals])
            conn.executemany("INSERT OR REPLACE INTO manual_tags VALUES (?, ?, 'add', ?)",
                             [(c.snippet_id, c.tag, stamp) for c in codings])
            conn.executemany("INSERT OR REPLACE INTO tag_authors VALUES (?, ?, ?, ?, ?)",
                             [(c.snippet_id, c.tag, c.author, c.at, stamp) for c in codings])
            conn.executemany("INSERT OR IGNORE INTO tags (name, origin) VALUES (?, 'manual')",
                             sorted({(c.tag,) for c in codings}))
