"""Insights in SQLite: the statements, their evidence (snippets and highlights that support
or contradict them) and the roadmap features they bear on."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Iterable, Sequence

from research_hub.core.errors import NotFoundError
from research_hub.core.models import Snippet
from research_hub.store.db import Database, now
from research_hub.store.highlights import HighlightStore, as_snippets

STATUSES = ("draft", "active", "archived")
STANCES = ("supports", "contradicts")
KINDS = ("snippet", "highlight")


class InsightStore:
    def __init__(self, db: Database):
        self.db = db

    # -- insights ------------------------------------------------------------------
    def row(self, insight_id: str) -> sqlite3.Row:
        row = self.db.one("SELECT * FROM insights WHERE id = ?", (insight_id,)) or \
            self.db.one("SELECT * FROM insights WHERE lower(id) = lower(?)", (insight_id,))
        if row is None:
            raise NotFoundError(f"no insight {insight_id!r}")
        return row

    def rows(self, status: str | None = None, feature: str | None = None,
             ids: Iterable[str] | None = None) -> list[sqlite3.Row]:
        where, params = [], []
        if status:
            where.append("i.status = ?")
            params.append(status)
        if feature:
            where.append("EXISTS (SELECT 1 FROM insight_features f WHERE f.insight_id = i.id "
                         "AND f.feature_id = ?)")
            params.append(feature)
        sql = "SELECT i.* FROM insights i" + (" WHERE " + " AND ".join(where) if where else "")
        if ids is not None:
            return self.db.query_in(sql + (" AND" if where else " WHERE") + " i.id IN ({ids})",
                                    list(ids), tuple(params))
        return self.db.query(sql + " ORDER BY i.created_at, i.id", params)

    def _next_id(self, conn: sqlite3.Connection) -> str:
        taken = {r[0] for r in conn.execute("SELECT id FROM insights")}
        n = len(taken) + 1
        while f"I-{n}" in taken:
            n += 1
        return f"I-{n}"

    def create(self, statement: str, status: str, origin: str, theme_id: str | None,
               author: str) -> str:
        stamp = now()
        with self.db.transaction() as conn:
            insight_id = self._next_id(conn)
            conn.execute("INSERT INTO insights (id, statement, status, origin, theme_id, author, "
                         "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (insight_id, statement, status, origin, theme_id, author, stamp, stamp))
        return insight_id

    def update(self, insight_id: str, *, statement: str | None = None,
               status: str | None = None) -> None:
        row = self.row(insight_id)
        with self.db.transaction() as conn:
            conn.execute("UPDATE insights SET statement = ?, status = ?, updated_at = ? WHERE id = ?",
                         (statement if statement is not None else row["statement"],
                          status or row["status"], now(), row["id"]))

    def delete(self, insight_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM insights WHERE id = ?", (insight_id,))

    # -- evidence ------------------------------------------------------------------
    def evidence(self, insight_ids: Sequence[str]) -> list[sqlite3.Row]:
        return self.db.query_in("SELECT * FROM insight_evidence WHERE insight_id IN ({ids}) "
                                "ORDER BY at, ref_id", insight_ids)

    def attach(self, insight_id: str, items: Sequence[tuple[str, str, str, str, str | None]],
               who: str, note: str | None = None) -> None:
        """items: (kind, ref id, stance, text as attached, document id); again: updated."""
        stamp = now()
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO insight_evidence (insight_id, kind, ref_id, stance, text, document_id, "
                "who, at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (insight_id, kind, "
                "ref_id) DO UPDATE SET stance = excluded.stance, text = excluded.text, document_id = "
                "excluded.document_id, who = excluded.who, at = excluded.at, "
                "note = coalesce(excluded.note, insight_evidence.note)",
                [(insight_id, kind, ref, stance, text, doc, who, stamp, note)
                 for kind, ref, stance, text, doc in items])
            conn.execute("UPDATE insights SET updated_at = ? WHERE id = ?", (stamp, insight_id))

    def detach(self, insight_id: str, kind: str, ref_id: str) -> bool:
        with self.db.transaction() as conn:
            gone = conn.execute("DELETE FROM insight_evidence WHERE insight_id = ? AND kind = ? "
                                "AND ref_id = ?", (insight_id, kind, ref_id)).rowcount
            conn.execute("UPDATE insights SET updated_at = ? WHERE id = ?", (now(), insight_id))
        return bool(gone)

    # -- features --------------------------------------------------------------------
    def link_feature(self, insight_id: str, feature_id: str, who: str, remove: bool = False) -> None:
        with self.db.transaction() as conn:
            if remove:
                conn.execute("DELETE FROM insight_features WHERE insight_id = ? AND feature_id = ?",
                             (insight_id, feature_id))
            else:
                conn.execute("INSERT OR REPLACE INTO insight_features VALUES (?, ?, ?, ?)",
                             (insight_id, feature_id, who, now()))

    def feature_rows(self, insight_ids: Sequence[str]) -> list[sqlite3.Row]:
        return self.db.query_in("SELECT insight_id, feature_id FROM insight_features "
                                "WHERE insight_id IN ({ids}) ORDER BY feature_id", insight_ids)

    def for_features(self, feature_ids: Sequence[str]) -> list[sqlite3.Row]:
        """(feature_id, insight_id) of the live insights linked to these features."""
        return self.db.query_in(
            "SELECT f.feature_id, f.insight_id FROM insight_features f JOIN insights i "
            "ON i.id = f.insight_id WHERE i.status != 'archived' AND f.feature_id IN ({ids})",
            feature_ids)


@dataclass
class Resolved:
    """One evidence row and the quote it stands for now: `quote` when it is still in the
    store with the words a person attached, else None and the `reason` it needs review."""
    row: sqlite3.Row
    quote: Snippet | None
    reason: str | None = None


def resolve(records, highlights: HighlightStore, rows: Sequence[sqlite3.Row]) -> list[Resolved]:
    snippets = records.get_snippets(r["ref_id"] for r in rows if r["kind"] == "snippet")
    marked = highlights.get_many(r["ref_id"] for r in rows if r["kind"] == "highlight")
    as_quotes = as_snippets(records, highlights, [h for h in marked.values() if h.ok])
    out = []
    for r in rows:
        if r["kind"] == "snippet":
            s = snippets.get(r["ref_id"])
            reason = ("the quote is no longer in its re-ingested source file" if s is None else
                      "the quote's text changed" if s.text != r["text"] else None)
            out.append(Resolved(r, None if reason else s, reason))
            continue
        h = marked.get(r["ref_id"])
        reason = ("the highlight was removed" if h is None else h.reason if not h.ok else
                  "the highlight's text changed" if h.text != r["text"] else None)
        out.append(Resolved(r, None if reason else as_quotes.get(r["ref_id"]), reason))
    return out
