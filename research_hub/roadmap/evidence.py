"""Evidence for a feature: ranked suggestions, a person's confirm / reject, and change flags.

A suggestion run ranks participant snippets by relevance to the feature's
title and description (through `hub.search`), leaves out what a person already
confirmed or rejected, and stores the rest as state ``suggested``. Decisions
are keyed by the stable snippet id, so a rejected snippet stays rejected on
every later run and a confirmed one survives re-ingestion of its unchanged
file. When a changed file replaces its older version, `flag_changed_links`
flags the confirmed links whose quote is gone or different instead of
dropping them.
"""
from __future__ import annotations

import getpass
import html
import logging
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from research_hub.core.models import Snippet
from research_hub.store.db import now

log = logging.getLogger(__name__)
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
def ranked_snippets(hub, query: str, k: int, filters: dict[str, Any]) -> list[tuple[Snippet, float]]:
    """Best-first (snippet, score) from hub.search, or dense-only until search exists."""
    try:
        from research_hub.search import search  # noqa: F401
    except ImportError as exc:  # the search module is not there yet: dense ranking alone
        log.debug("hub.search unavailable (%s); dense ranking", exc)
        return _dense(hub, query, k, filters)
    return [(hit, float(hit.score)) for hit in hub.search(query, k=k, **filters)]


def _dense(hub, query: str, k: int, filters: dict[str, Any]) -> list[tuple[Snippet, float]]:
    clauses = [{key: filters[key]} for key in ("role", "participant", "study", "kind")
               if filters.get(key)]
    where = clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else None)
    pairs = hub.index.query(hub.embedder.encode_query(query), k, where)
    found = hub.records.get_snippets([i for i, _ in pairs])
    wanted = set(filters.get("tags") or [])
    return [(found[i], s) for i, s in pairs if i in found and wanted.issubset(found[i].tags)]


def decided(conn, feature_id: str) -> dict[str, str]:
    """snippet id -> 'confirmed' or 'rejected' for this feature."""
    rows = conn.execute("SELECT snippet_id, state FROM evidence_links WHERE feature_id = ? "
                        "AND state IN ('confirmed', 'rejected')", (feature_id,)).fetchall()
    return {r["snippet_id"]: r["state"] for r in rows}


def suggest_snippets(hub, feature, k: int, filters: dict[str, Any]) -> tuple[str, list[Suggestion]]:
    query = feature_query(feature.title, feature.description)
    skip = decided(hub.db.conn, feature.id)
    ranked = ranked_snippets(hub, query, k + len(skip), filters)
    fresh = [(s, score) for s, score in ranked if s.snippet_id not in skip][:k]
    out = [Suggestion(s, score, rank) for rank, (s, score) in enumerate(fresh, 1)]
    with hub.db.transaction() as conn:
        conn.execute("DELETE FROM evidence_links WHERE feature_id = ? AND state = 'suggested'",
                     (feature.id,))
        conn.executemany(
            "INSERT OR IGNORE INTO evidence_links (feature_id, snippet_id, state, score, who, at, "
            "snippet_text, document_id) VALUES (?, ?, 'suggested', ?, 'research-hub', ?, ?, ?)",
            [(feature.id, s.snippet.snippet_id, s.score, now(), s.snippet.text, s.snippet.document_id)
             for s in out])
    return query, out


# -- a person's decisions ----------------------------------------------------------
def resolve_snippet(hub, feature_id: str, ref: str) -> str:
    """A snippet id from an id or a unique prefix (the CLI shows 8 characters)."""
    ref = ref.strip()
    if not ref:
        raise KeyError("no snippet id given")
    if hub.db.one("SELECT 1 FROM snippets WHERE id = ?", (ref,)) or hub.db.one(
            "SELECT 1 FROM evidence_links WHERE feature_id = ? AND snippet_id = ?", (feature_id, ref)):
        return ref
    like = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    ids = {r[0] for r in hub.db.query("SELECT id FROM snippets WHERE id LIKE ? ESCAPE '\\' LIMIT 3", (like,))}
    ids |= {r[0] for r in hub.db.query(
        "SELECT snippet_id FROM evidence_links WHERE feature_id = ? AND snippet_id LIKE ? ESCAPE '\\' LIMIT 3",
        (feature_id, like))}
    if len(ids) == 1:
        return ids.pop()
    raise KeyError(f"no snippet {ref!r}" if not ids else f"snippet id {ref!r} is ambiguous; give more characters")


def decide(hub, feature_id: str, snippet_id: str, state: str, note: str | None = None,
           who: str | None = None) -> dict[str, Any]:
    """Confirm or reject one snippet for a feature; confirming again clears a change flag."""
    snippet = hub.records.get_snippets([snippet_id]).get(snippet_id)
    with hub.db.transaction() as conn:
        old = conn.execute("SELECT * FROM evidence_links WHERE feature_id = ? AND snippet_id = ?",
                           (feature_id, snippet_id)).fetchone()
        if snippet is None and (state == "confirmed" or old is None):
            raise KeyError(f"no snippet {snippet_id!r}")
        text = snippet.text if snippet else old["snippet_text"]
        doc = snippet.document_id if snippet else old["document_id"]
        keep_note = note if note is not None else (old["note"] if old else None)
        conn.execute(
            "INSERT OR REPLACE INTO evidence_links (feature_id, snippet_id, state, score, who, at, note, "
            "snippet_text, document_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (feature_id, snippet_id, state, old["score"] if old else None, who or current_user(),
             now(), keep_note, text, doc))
        if state == "rejected" or snippet is not None:
            conn.execute("DELETE FROM evidence_flags WHERE feature_id = ? AND snippet_id = ?",
                         (feature_id, snippet_id))
    return {"feature_id": feature_id, "snippet_id": snippet_id, "state": state, "note": keep_note}


def links(hub, feature_id: str, state: str | None = None) -> list[sqlite3.Row]:
    sql = ("SELECT l.*, f.reason AS flag, f.at AS flagged_at FROM evidence_links l "
           "LEFT JOIN evidence_flags f ON f.feature_id = l.feature_id AND f.snippet_id = l.snippet_id "
           "WHERE l.feature_id = ?")
    params: list[Any] = [feature_id]
    if state:
        sql += " AND l.state = ?"
        params.append(state)
    return hub.db.query(sql + " ORDER BY l.state, l.score DESC, l.at", params)


# -- re-ingestion ------------------------------------------------------------------
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
