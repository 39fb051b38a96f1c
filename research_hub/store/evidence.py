"""Evidence links in SQLite: suggestions, a person's confirm / reject, change flags,
and the themes suggested for a feature with their verdicts.

Decisions are keyed by the stable snippet id, so a rejected snippet stays
rejected on every later run and a confirmed one survives re-ingestion of its
unchanged file. `flag_changed_links` runs inside the ingest transaction when a
changed file replaces its older version.
"""
from __future__ import annotations

import sqlite3
from typing import Any, Sequence

from research_hub.core.errors import NotFoundError
from research_hub.core.models import Snippet
from research_hub.store.db import Database, dumps, like_prefix, now

LINKS_SQL = ("SELECT l.*, f.reason AS flag, f.at AS flagged_at FROM evidence_links l "
             "LEFT JOIN evidence_flags f ON f.feature_id = l.feature_id AND f.snippet_id = l.snippet_id ")


class EvidenceStore:
    def __init__(self, db: Database):
        self.db = db

    # -- snippet links ---------------------------------------------------------------
    def decided(self, feature_id: str) -> dict[str, str]:
        """snippet id -> 'confirmed' or 'rejected' for this feature."""
        rows = self.db.query("SELECT snippet_id, state FROM evidence_links WHERE feature_id = ? "
                             "AND state IN ('confirmed', 'rejected')", (feature_id,))
        return {r["snippet_id"]: r["state"] for r in rows}

    def replace_suggestions(self, feature_id: str, rows: Sequence[tuple[Snippet, float]]) -> None:
        """The feature's suggestions become these (snippet, score) pairs."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM evidence_links WHERE feature_id = ? AND state = 'suggested'",
                         (feature_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO evidence_links (feature_id, snippet_id, state, score, who, at, "
                "snippet_text, document_id) VALUES (?, ?, 'suggested', ?, 'research-hub', ?, ?, ?)",
                [(feature_id, s.snippet_id, score, now(), s.text, s.document_id) for s, score in rows])

    def has_link(self, feature_id: str, snippet_id: str) -> bool:
        return self.db.one("SELECT 1 FROM evidence_links WHERE feature_id = ? AND snippet_id = ?",
                           (feature_id, snippet_id)) is not None

    def link_ids_like(self, feature_id: str, prefix: str, limit: int = 3) -> set[str]:
        like = like_prefix(prefix)
        return {r[0] for r in self.db.query(
            "SELECT snippet_id FROM evidence_links WHERE feature_id = ? AND snippet_id LIKE ? "
            "ESCAPE '\\' LIMIT ?", (feature_id, like, limit))}

    def decide(self, feature_id: str, snippet_id: str, state: str, snippet: Snippet | None,
               note: str | None, who: str) -> dict[str, Any]:
        """Confirm or reject one snippet; confirming again clears a change flag.
        `snippet` is the stored snippet, None when it is gone (a rejection still records)."""
        with self.db.transaction() as conn:
            old = conn.execute("SELECT * FROM evidence_links WHERE feature_id = ? AND snippet_id = ?",
                               (feature_id, snippet_id)).fetchone()
            if snippet is None and (state == "confirmed" or old is None):
                raise NotFoundError(f"no snippet {snippet_id!r}")
            text = snippet.text if snippet else old["snippet_text"]
            doc = snippet.document_id if snippet else old["document_id"]
            keep_note = note if note is not None else (old["note"] if old else None)
            conn.execute(
                "INSERT OR REPLACE INTO evidence_links (feature_id, snippet_id, state, score, who, at, "
                "note, snippet_text, document_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (feature_id, snippet_id, state, old["score"] if old else None, who, now(), keep_note,
                 text, doc))
            if state == "rejected" or snippet is not None:
                conn.execute("DELETE FROM evidence_flags WHERE feature_id = ? AND snippet_id = ?",
                             (feature_id, snippet_id))
        return {"feature_id": feature_id, "snippet_id": snippet_id, "state": state, "note": keep_note}

    def links(self, feature_id: str, state: str | None = None) -> list[sqlite3.Row]:
        sql, params = LINKS_SQL + "WHERE l.feature_id = ?", [feature_id]
        if state:
            sql += " AND l.state = ?"
            params.append(state)
        return self.db.query(sql + " ORDER BY l.state, l.score DESC, l.at", params)

    def link_rows(self, feature_ids: Sequence[str]) -> list[sqlite3.Row]:
        """(feature_id, snippet_id, state, flag) of every link of these features."""
        return self.db.query_in(
            "SELECT l.feature_id, l.snippet_id, l.state, g.reason AS flag FROM evidence_links l "
            "LEFT JOIN evidence_flags g ON g.feature_id = l.feature_id AND g.snippet_id = l.snippet_id "
            "WHERE l.feature_id IN ({ids})", feature_ids)

    # -- themes suggested for a feature ------------------------------------------------
    def replace_theme_suggestions(self, feature_id: str, themes: Sequence[Any]) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM feature_themes WHERE feature_id = ? AND state = 'suggested'",
                         (feature_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO feature_themes (feature_id, theme_id, label, state, score, "
                "keywords, snippet_ids, at) VALUES (?, ?, ?, 'suggested', ?, ?, ?, ?)",
                [(feature_id, t.theme_id, t.label, t.score, dumps(t.keywords), dumps(t.snippet_ids), now())
                 for t in themes])

    def theme_rows(self, feature_id: str) -> list[sqlite3.Row]:
        return self.db.query("SELECT * FROM feature_themes WHERE feature_id = ? ORDER BY state, score DESC",
                             (feature_id,))

    def decide_theme(self, feature_id: str, theme_ref: str, state: str) -> dict[str, Any]:
        """Confirm or reject a theme suggested for this feature (by id or label)."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM feature_themes WHERE feature_id = ? AND (theme_id = ? "
                               "OR lower(label) = lower(?)) ORDER BY state = 'suggested' DESC LIMIT 1",
                               (feature_id, theme_ref, theme_ref)).fetchone()
            if row is None:
                raise NotFoundError(f"no theme {theme_ref!r} suggested for {feature_id}; "
                                    "run `features suggest` first")
            conn.execute("UPDATE feature_themes SET state = ?, at = ? WHERE feature_id = ? AND theme_id = ?",
                         (state, now(), feature_id, row["theme_id"]))
        return {"feature_id": feature_id, "theme_id": row["theme_id"], "label": row["label"], "state": state}


def flag_changed_links(conn: sqlite3.Connection, new_doc_id: str, old_doc_id: str) -> int:
    """Inside the ingest transaction, after `new_doc_id` replaced `old_doc_id`.

    Links follow their file to the new version. A confirmed link whose snippet id
    is gone (or whose text differs from the quote a person confirmed) is flagged;
    one whose quote is back unchanged loses its 'missing' flag. Stale suggestions
    are dropped; rejections stay, keyed by snippet id. Returns links flagged.
    """
    rows = conn.execute("SELECT feature_id, snippet_id, state, snippet_text FROM evidence_links "
                        "WHERE document_id = ?", (old_doc_id,)).fetchall()
    flagged = 0
    for r in rows:
        key = (r["feature_id"], r["snippet_id"])
        current = conn.execute("SELECT text FROM snippets WHERE id = ? AND document_id = ?",
                               (r["snippet_id"], new_doc_id)).fetchone()
        same = current is not None and current["text"] == r["snippet_text"]
        if r["state"] == "suggested" and not same:
            conn.execute("DELETE FROM evidence_links WHERE feature_id = ? AND snippet_id = ?", key)
            continue
        conn.execute("UPDATE evidence_links SET document_id = ? WHERE feature_id = ? AND snippet_id = ?",
                     (new_doc_id, *key))
        if r["state"] != "confirmed":
            continue
        if same:
            conn.execute("DELETE FROM evidence_flags WHERE feature_id = ? AND snippet_id = ? "
                         "AND reason = 'missing'", key)
            continue
        conn.execute(  # old_document_id stays the version the person confirmed against
            "INSERT INTO evidence_flags (feature_id, snippet_id, reason, old_document_id, "
            "new_document_id, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (feature_id, snippet_id) "
            "DO UPDATE SET reason = excluded.reason, new_document_id = excluded.new_document_id, "
            "at = excluded.at",
            (*key, "missing" if current is None else "changed", old_doc_id, new_doc_id, now()))
        flagged += 1
    return flagged
