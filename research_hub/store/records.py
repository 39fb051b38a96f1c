"""Documents, snippets and tags in SQLite: the system of record."""
from __future__ import annotations

import sqlite3
from dataclasses import asdict
from typing import Any, Iterable, Sequence

from research_hub.core.errors import NotFoundError
from research_hub.core.models import Document, Snippet
from research_hub.core.rows import DocumentRow, SnippetRow
from research_hub.store.db import Database, dumps, like_prefix, loads, now

SNIPPET_SELECT = """
SELECT s.*, d.title AS document_title, d.path AS document_path, d.language AS language,
       (SELECT group_concat(tag, char(31)) FROM (  -- the effective_tags view, spelled out for one
            SELECT st.tag FROM snippet_tags st      -- snippet: SQLite built the whole view per row
            WHERE st.snippet_id = s.id AND NOT EXISTS (
                SELECT 1 FROM manual_tags m WHERE m.snippet_id = st.snippet_id AND m.tag = st.tag
                AND m.op = 'remove')
            UNION
            SELECT m.tag FROM manual_tags m WHERE m.snippet_id = s.id AND m.op = 'add'
            ORDER BY 1)) AS tag_list,
       (SELECT group_concat(tag || char(30) || confidence, char(31)) FROM snippet_tags c
            WHERE c.snippet_id = s.id AND c.confidence IS NOT NULL) AS confidence_list
FROM snippets s JOIN documents d ON d.id = s.document_id
"""

# s carries the tag among its effective tags (the view, spelled out for one snippet and tag)
HAS_TAG = """(EXISTS (SELECT 1 FROM snippet_tags st WHERE st.snippet_id = s.id AND st.tag = ?
                     AND NOT EXISTS (SELECT 1 FROM manual_tags m WHERE m.snippet_id = s.id
                                     AND m.tag = st.tag AND m.op = 'remove'))
              OR EXISTS (SELECT 1 FROM manual_tags m WHERE m.snippet_id = s.id AND m.tag = ?
                         AND m.op = 'add'))"""


def with_manual(tags: Iterable[str], ops: dict[str, str]) -> list[str]:
    """The `effective_tags` view applied to a snippet not yet stored: its ingest tags
    with a person's earlier edits (tag -> 'add' or 'remove') on the same snippet id."""
    out = set(tags)
    for tag, op in ops.items():
        (out.add if op == "add" else out.discard)(tag)
    return sorted(out)


def _confidences(raw: str | None, tags: list[str]) -> dict[str, float]:
    pairs = (item.split("\x1e") for item in raw.split("\x1f")) if raw else ()
    return {t: round(float(c), 3) for t, c in pairs if t in tags}


def row_to_snippet(row: sqlite3.Row) -> Snippet:
    tags = (row["tag_list"] or "").split("\x1f") if row["tag_list"] else []
    return Snippet(
        snippet_id=row["id"], document_id=row["document_id"],
        document_title=row["document_title"], document_path=row["document_path"],
        text=row["text"], speaker=row["speaker"], role=row["role"],
        participant=row["participant"], char_start=row["char_start"], char_end=row["char_end"],
        line=row["line"], start_time=row["start_time"], end_time=row["end_time"],
        context=row["context"], tags=tags, tag_confidence=_confidences(row["confidence_list"], tags),
        sentiment=row["sentiment"], entities=loads(row["entities"], []), kind=row["kind"],
        study=row["study"], date=row["date"], meta=loads(row["meta"], {}), language=row["language"],
    )


def row_to_document(row: sqlite3.Row) -> Document:
    keys = row.keys()
    return Document(
        id=row["id"], name=row["name"], path=row["path"], title=row["title"] or row["name"],
        kind=row["kind"] or "", study=row["study"], date=row["date"],
        participants=loads(row["participants"], []),
        snippet_count=row["snippet_count"] if "snippet_count" in keys else 0,
        ingested_at=row["ingested_at"], metadata=loads(row["metadata"], {}), language=row["language"],
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

    def write_document(self, conn: sqlite3.Connection, doc: DocumentRow,
                       snippets: Sequence[SnippetRow]) -> None:
        """Insert one document with its snippets and tags (caller holds the transaction)."""
        conn.execute(
            "INSERT INTO documents (id, source_key, name, path, stored_path, title, kind, study, date, "
            "participants, metadata, text, size, ingested_at, language) VALUES "
            "(:id, :source_key, :name, :path, :stored_path, :title, :kind, :study, :date, "
            ":participants, :metadata, :text, :size, :ingested_at, :language)",
            {**asdict(doc), "participants": dumps(doc.participants), "metadata": dumps(doc.metadata),
             "ingested_at": now()})
        conn.executemany(
            "INSERT INTO snippets (id, document_id, seq, speaker, role, participant, text, char_start, "
            "char_end, line, start_time, end_time, context, sentiment, entities, meta, kind, study, "
            "date, text_hash) VALUES (:id, :document_id, :seq, :speaker, :role, :participant, :text, "
            ":char_start, :char_end, :line, :start_time, :end_time, :context, :sentiment, :entities, "
            ":meta, :kind, :study, :date, :text_hash)",
            [{**s.__dict__, "entities": dumps(s.entities), "meta": dumps(s.meta)} for s in snippets])
        tag_rows = [(s.id, t, s.tag_origins.get(t, "auto"), s.tag_confidence.get(t)) for s in snippets
                    for t in s.tags]
        conn.executemany("INSERT OR IGNORE INTO snippet_tags (snippet_id, tag, origin, confidence) "
                         "VALUES (?, ?, ?, ?)", tag_rows)
        conn.executemany("INSERT OR IGNORE INTO tags (name, origin) VALUES (?, ?)",
                         sorted({(t, o) for _, t, o, _ in tag_rows}))

    def delete_document(self, conn: sqlite3.Connection, doc_id: str) -> None:
        conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def transcript(self, ref: str) -> dict[str, Any]:
        """One document with its text and snippets, for reading it as a transcript."""
        row = self.find_document(ref)
        if row is None:
            raise NotFoundError(f"no document {ref!r}")
        docs = {d.id: d for d in self.documents()}
        return {"document": docs[row["id"]], "text": row["text"], "snippets": self.snippets(document=row["id"])}

    def document_text(self, doc_id: str) -> str | None:
        return self.db.scalar("SELECT text FROM documents WHERE id = ?", (doc_id,))

    # -- snippets ----------------------------------------------------------
    def snippet_ids(self, doc_id: str | None = None) -> list[str]:
        if doc_id:
            return [r[0] for r in self.db.query("SELECT id FROM snippets WHERE document_id = ?", (doc_id,))]
        return [r[0] for r in self.db.query("SELECT id FROM snippets")]

    def get_snippets(self, ids: Iterable[str]) -> dict[str, Snippet]:
        rows = self.db.query_in(SNIPPET_SELECT + " WHERE s.id IN ({ids})", dict.fromkeys(ids))
        return {row["id"]: row_to_snippet(row) for row in rows}

    def snippet(self, snippet_id: str) -> Snippet:
        found = self.get_snippets([snippet_id])
        if snippet_id not in found:
            raise NotFoundError(f"no snippet {snippet_id!r}")
        return found[snippet_id]

    def snippet_ids_like(self, prefix: str, limit: int = 3) -> set[str]:
        like = like_prefix(prefix)
        return {r[0] for r in self.db.query(
            "SELECT id FROM snippets WHERE id LIKE ? ESCAPE '\\' LIMIT ?", (like, limit))}

    def has_snippet(self, snippet_id: str) -> bool:
        return self.db.one("SELECT 1 FROM snippets WHERE id = ?", (snippet_id,)) is not None

    def texts(self, ids: Iterable[str]) -> dict[str, str]:
        return {r["id"]: r["text"] for r in self.db.query_in(
            "SELECT id, text FROM snippets WHERE id IN ({ids})", ids)}

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
        for tag in dict.fromkeys(tags or ()):
            where.append(HAS_TAG)
            params += [tag, tag]
        sql = SNIPPET_SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY d.study, d.name, s.seq"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [row_to_snippet(r) for r in self.db.query(sql, params)]

    def participant_words(self) -> list[tuple[str, str]]:
        """(text, participant) of every participant snippet: what theme labels stand out from."""
        return [(r[0], r[1]) for r in self.db.query(
            "SELECT s.text, s.participant FROM snippets s JOIN documents d ON d.id = s.document_id "
            "WHERE s.role = 'participant' ORDER BY d.study, d.name, s.seq")]

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
        return self.db.query_in(sql + " WHERE s.id IN ({ids})", ids)

    def effective_tags(self, ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in self.db.query_in("SELECT snippet_id, tag FROM effective_tags WHERE snippet_id IN ({ids}) "
                                  "ORDER BY tag", ids):
            out.setdefault(r["snippet_id"], []).append(r["tag"])
        return out

    def manual_ops(self, ids: Iterable[str]) -> dict[str, dict[str, str]]:
        """snippet id -> {tag: 'add' or 'remove'}: a person's tag edits."""
        out: dict[str, dict[str, str]] = {}
        for r in self.db.query_in("SELECT snippet_id, tag, op FROM manual_tags WHERE snippet_id IN ({ids})", ids):
            out.setdefault(r["snippet_id"], {})[r["tag"]] = r["op"]
        return out

    def around(self, pairs: Sequence[tuple[str, int]], span: int) -> list[sqlite3.Row]:
        """Snippets within `span` positions of each (document id, seq)."""
        if not pairs:
            return []
        clause = " OR ".join("(document_id = ? AND seq BETWEEN ? AND ?)" for _ in pairs)
        params = [v for d, s in pairs for v in (d, s - span, s + span)]
        return self.db.query(f"SELECT id, document_id, seq, speaker, role, participant, text FROM snippets "
                             f"WHERE {clause} ORDER BY document_id, seq", params)

    def bad_offsets(self) -> list[str]:
        """Snippets whose text is not exactly their document's text at their offsets."""
        return [r[0] for r in self.db.query(
            "SELECT s.id FROM snippets s JOIN documents d ON d.id = s.document_id "
            "WHERE substr(d.text, s.char_start + 1, s.char_end - s.char_start) IS NOT s.text")]

    def stored_paths(self) -> dict[str, str | None]:
        return {r["id"]: r["stored_path"] for r in self.db.query("SELECT id, stored_path FROM documents")}

    # -- tags --------------------------------------------------------------
    def set_manual_tag(self, snippet_id: str, tag: str, op: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO manual_tags VALUES (?, ?, ?, ?)",
                         (snippet_id, tag, op, now()))
            conn.execute("INSERT OR IGNORE INTO tags (name, origin) VALUES (?, 'manual')", (tag,))

    def save_taxonomy(self, key: str, tags: Sequence[Any]) -> None:
        """The taxonomy (kept for later ingests) and its tags with their descriptions."""
        with self.db.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)",
                         (key, dumps([asdict(t) for t in tags])))
            conn.executemany("INSERT OR REPLACE INTO tags (name, origin, description) VALUES (?, 'taxonomy', ?)",
                             [(t.tag, t.description) for t in tags])

    def tag_counts(self) -> list[tuple[str, int]]:
        rows = self.db.query("SELECT tag, count(*) AS n FROM effective_tags GROUP BY tag ORDER BY n DESC, tag")
        return [(r["tag"], r["n"]) for r in rows]

    def distinct(self, column: str) -> list[str]:
        assert column in {"study", "kind", "participant", "speaker", "role"}
        return [r[0] for r in self.db.query(
            f"SELECT DISTINCT {column} FROM snippets WHERE {column} IS NOT NULL ORDER BY {column}")]

    def languages(self) -> dict[str, int]:
        """Documents per detected language."""
        return {r[0]: r[1] for r in self.db.query(
            "SELECT coalesce(language, 'en'), count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC, 1")}

    def filter_values(self) -> dict[str, list[str]]:
        """Choices for filter widgets."""
        return {"study": self.distinct("study"), "kind": self.distinct("kind"),
                "participant": self.distinct("participant"), "role": self.distinct("role"),
                "tag": [t for t, _ in self.tag_counts()]}

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
