"""Documents, snippets and tags in SQLite: the system of record."""
from __future__ import annotations

import sqlite3
from typing import Any, Iterable, Sequence

from research_hub.core.models import Document, Snippet
from research_hub.store.db import Database, dumps, loads, now

SNIPPET_SELECT = """
SELECT s.*, d.title AS document_title, d.path AS document_path,
       (SELECT group_concat(tag, char(31)) FROM (
            SELECT tag FROM snippet_tags st WHERE st.snippet_id = s.id
              AND NOT EXISTS (SELECT 1 FROM manual_tags m WHERE m.snippet_id = s.id
                              AND m.tag = st.tag AND m.op = 'remove')
            UNION
            SELECT tag FROM manual_tags m WHERE m.snippet_id = s.id AND m.op = 'add'
            ORDER BY tag)) AS tag_list
FROM snippets s JOIN documents d ON d.id = s.document_id
"""


def row_to_snippet(row: sqlite3.Row) -> Snippet:
    return Snippet(
        snippet_id=row["id"], document_id=row["document_id"],
        document_title=row["document_title"], document_path=row["document_path"],
        text=row["text"], speaker=row["speaker"], role=row["role"],
        participant=row["participant"], char_start=row["char_start"], char_end=row["char_end"],
        line=row["line"], start_time=row["start_time"], end_time=row["end_time"],
        context=row["context"], tags=(row["tag_list"] or "").split("\x1f") if row["tag_list"] else [],
        sentiment=row["sentiment"], entities=loads(row["entities"], []), kind=row["kind"],
        study=row["study"], date=row["date"], meta=loads(row["meta"], {}),
    )


def row_to_document(row: sqlite3.Row) -> Document:
    keys = row.keys()
    return Document(
        id=row["id"], name=row["name"], path=row["path"], title=row["title"] or row["name"],
        kind=row["kind"] or "", study=row["study"], date=row["date"],
        participants=loads(row["participants"], []),
        snippet_count=row["snippet_count"] if "snippet_count" in keys else 0,
        ingested_at=row["ingested_at"], metadata=loads(row["metadata"], {}),
    )


class Records:
    def __init__(self, db: Database):
        self.db = db

    # -- documents ---------------------------------------------------------
    def document_by_key(self, source_key: str) -> sqlite3.Row | None:
        return self.db.one("SELECT id, source_key FROM documents WHERE source_key = ?", (source_key,))

    def document_row(self, doc_id: str) -> sqlite3.Row | None:
        return self.db.one("SELECT * FROM documents WHERE id = ?", (doc_id,))

    def has_document(self, doc_id: str) -> bool:
        return self.db.one("SELECT 1 FROM documents WHERE id = ?", (doc_id,)) is not None

    def documents(self, study: str | None = None) -> list[Document]:
        sql = ("SELECT d.*, (SELECT count(*) FROM snippets s WHERE s.document_id = d.id) AS snippet_count "
               "FROM documents d")
        params: list[Any] = []
        if study:
            sql += " WHERE d.study = ?"
            params.append(study)
        return [row_to_document(r) for r in self.db.query(sql + " ORDER BY d.study, d.name", params)]

    def find_document(self, ref: str) -> sqlite3.Row | None:
        """A document by id, id prefix, name or path."""
        return self.db.one(
            "SELECT * FROM documents WHERE id = ? OR name = ? OR path = ? OR source_key = ? "
            "OR id LIKE ? ORDER BY ingested_at DESC LIMIT 1", (ref, ref, ref, ref, ref + "%"))

    def write_document(self, conn: sqlite3.Connection, doc: dict[str, Any],
                       snippets: Sequence[dict[str, Any]]) -> None:
        """Insert one document with its snippets and tags (caller holds the transaction)."""
        conn.execute(
            "INSERT INTO documents (id, source_key, name, path, stored_path, title, kind, study, date, "
            "participants, metadata, text, size, ingested_at) VALUES "
            "(:id, :source_key, :name, :path, :stored_path, :title, :kind, :study, :date, "
            ":participants, :metadata, :text, :size, :ingested_at)",
            {**doc, "participants": dumps(doc["participants"]), "metadata": dumps(doc["metadata"]),
             "ingested_at": now()})
        conn.executemany(
            "INSERT INTO snippets (id, document_id, seq, speaker, role, participant, text, char_start, "
            "char_end, line, start_time, end_time, context, sentiment, entities, meta, kind, study, "
            "date, text_hash) VALUES (:id, :document_id, :seq, :speaker, :role, :participant, :text, "
            ":char_start, :char_end, :line, :start_time, :end_time, :context, :sentiment, :entities, "
            ":meta, :kind, :study, :date, :text_hash)",
            [{**s, "entities": dumps(s["entities"]), "meta": dumps(s["meta"])} for s in snippets])
        tag_rows = [(s["id"], t, s["tag_origins"].get(t, "auto")) for s in snippets for t in s["tags"]]
        conn.executemany("INSERT OR IGNORE INTO snippet_tags VALUES (?, ?, ?)", tag_rows)
        conn.executemany("INSERT OR IGNORE INTO tags (name, origin) VALUES (?, ?)",
                         sorted({(t, o) for _, t, o in tag_rows}))

    def delete_document(self, conn: sqlite3.Connection, doc_id: str) -> None:
        conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def document_text(self, doc_id: str) -> str | None:
        return self.db.scalar("SELECT text FROM documents WHERE id = ?", (doc_id,))

    # -- snippets ----------------------------------------------------------
    def snippet_ids(self, doc_id: str | None = None) -> list[str]:
        if doc_id:
            return [r[0] for r in self.db.query("SELECT id FROM snippets WHERE document_id = ?", (doc_id,))]
        return [r[0] for r in self.db.query("SELECT id FROM snippets")]

    def get_snippets(self, ids: Iterable[str]) -> dict[str, Snippet]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, Snippet] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(SNIPPET_SELECT + f" WHERE s.id IN ({marks})", chunk):
                out[row["id"]] = row_to_snippet(row)
        return out

    def snippets(self, *, tags: Sequence[str] | None = None, document: str | None = None,
                 participant: str | None = None, study: str | None = None, kind: str | None = None,
                 role: str | None = None, limit: int | None = None) -> list[Snippet]:
        where, params = [], []
        if document:
            row = self.find_document(document)
            where.append("s.document_id = ?")
            params.append(row["id"] if row else document)
        for column, value in (("participant", participant), ("study", study), ("kind", kind),
                              ("role", role)):
            if value:
                where.append(f"s.{column} = ?")
                params.append(value)
        sql = SNIPPET_SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY d.study, d.name, s.seq"
        result = [row_to_snippet(r) for r in self.db.query(sql, params)]
        if tags:
            wanted = set(tags)
            result = [s for s in result if wanted.issubset(s.tags)]
        return result[:limit] if limit else result

    def neighbours(self, doc_id: str, seq: int, span: int = 1) -> list[sqlite3.Row]:
        return self.db.query(
            "SELECT seq, speaker, role, text FROM snippets WHERE document_id = ? AND seq BETWEEN ? AND ? "
            "ORDER BY seq", (doc_id, seq - span, seq + span))

    def vector_rows(self, ids: Sequence[str] | None = None) -> list[sqlite3.Row]:
        """What the vector index needs per snippet: text hash and filterable fields."""
        sql = ("SELECT s.id, s.text, s.text_hash, s.document_id, s.speaker, s.role, s.participant, "
               "s.kind, s.study, s.date FROM snippets s")
        if ids is None:
            return self.db.query(sql)
        rows: list[sqlite3.Row] = []
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            rows += self.db.query(sql + f" WHERE s.id IN ({','.join('?' * len(chunk))})", chunk)
        return rows

    def effective_tags(self, ids: Sequence[str]) -> dict[str, list[str]]:
        return {sid: s.tags for sid, s in self.get_snippets(ids).items()}

    # -- tags --------------------------------------------------------------
    def set_manual_tag(self, snippet_id: str, tag: str, op: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO manual_tags VALUES (?, ?, ?, ?)",
                         (snippet_id, tag, op, now()))
            conn.execute("INSERT OR IGNORE INTO tags (name, origin) VALUES (?, 'manual')", (tag,))

    def tag_counts(self) -> list[tuple[str, int]]:
        rows = self.db.query(
            "SELECT tag, count(*) AS n FROM (SELECT st.snippet_id, st.tag FROM snippet_tags st "
            "WHERE NOT EXISTS (SELECT 1 FROM manual_tags m WHERE m.snippet_id = st.snippet_id "
            "AND m.tag = st.tag AND m.op = 'remove') UNION SELECT m.snippet_id, m.tag FROM manual_tags m "
            "JOIN snippets s ON s.id = m.snippet_id WHERE m.op = 'add') GROUP BY tag ORDER BY n DESC")
        return [(r["tag"], r["n"]) for r in rows]

    def distinct(self, column: str) -> list[str]:
        assert column in {"study", "kind", "participant", "speaker", "role"}
        return [r[0] for r in self.db.query(
            f"SELECT DISTINCT {column} FROM snippets WHERE {column} IS NOT NULL ORDER BY {column}")]

    def counts(self) -> dict[str, int]:
        return {
            "documents": self.db.scalar("SELECT count(*) FROM documents"),
            "snippets": self.db.scalar("SELECT count(*) FROM snippets"),
            "participant_snippets": self.db.scalar(
                "SELECT count(*) FROM snippets WHERE role = 'participant'"),
            "participants": self.db.scalar(
                "SELECT count(DISTINCT participant) FROM snippets WHERE role = 'participant'"),
            "studies": self.db.scalar("SELECT count(DISTINCT study) FROM documents WHERE study IS NOT NULL"),
            "features": self.db.scalar("SELECT count(*) FROM features WHERE archived = 0"),
            "confirmed_links": self.db.scalar(
                "SELECT count(*) FROM evidence_links WHERE state = 'confirmed'"),
        }
