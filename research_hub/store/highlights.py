"""Highlights in SQLite: spans a person marked, their tags and feature links, and how they
follow their file when it is re-ingested.

`relocate` runs inside the ingest transaction, after a changed file's new
version is written: each highlight of the old version is looked for in the new
text (see `find_again`); found, it moves there; not found, it is flagged for
review and never moved onto other words.
"""
from __future__ import annotations

import sqlite3
from typing import Any, Iterable, Sequence

from research_hub.core.errors import NotFoundError
from research_hub.core.models import Highlight, Snippet
from research_hub.store.spans import Block, Voiced, speaker_blocks
from research_hub.store.db import Database, like_prefix, loads, now

CONTEXT = 40  # characters kept either side of a highlight to recognise its place again
REASONS = {"changed": "the words under it changed when its file was re-ingested",
           "deleted": "its document was deleted"}

SELECT = """
SELECT h.*, d.title AS document_title, d.name AS document_name, d.study, d.kind, d.date,
       CASE WHEN d.id IS NULL THEN NULL ELSE
           length(substr(d.text, 1, h.char_start)) - length(replace(substr(d.text, 1, h.char_start),
           char(10), '')) + 1 END AS line,
       (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM highlight_tags t
            WHERE t.highlight_id = h.id ORDER BY tag)) AS tag_list,
       (SELECT group_concat(feature_id, char(31)) FROM feature_highlights f
            WHERE f.highlight_id = h.id) AS feature_list,
       (SELECT group_concat(insight_id, char(31)) FROM insight_evidence e
            WHERE e.kind = 'highlight' AND e.ref_id = h.id) AS insight_list
FROM highlights h LEFT JOIN documents d ON d.id = h.document_id
"""


def _split(value: str | None) -> list[str]:
    return sorted(set(value.split("\x1f"))) if value else []


def row_to_highlight(row: sqlite3.Row) -> Highlight:
    return Highlight(
        id=row["id"], document_id=row["document_id"],
        document_title=row["document_title"] or row["document_name"] or "(deleted document)",
        document_name=row["document_name"] or "", char_start=row["char_start"],
        char_end=row["char_end"], text=row["text"], speaker=row["speaker"], role=row["role"],
        participant=row["participant"], tags=_split(row["tag_list"]), note=row["note"],
        author=row["author"], created_at=row["created_at"], updated_at=row["updated_at"],
        state=row["state"], reason=REASONS.get(row["reason"] or "", row["reason"]),
        line=row["line"] if row["state"] == "ok" else None, study=row["study"], kind=row["kind"],
        date=row["date"], features=_split(row["feature_list"]), insights=_split(row["insight_list"]))


def context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]


def voiced_rows(rows: Iterable[Any]) -> list[Voiced]:
    """Snippet rows (id, char_start, char_end, speaker, role, participant, meta) as block input."""
    return [Voiced(r["id"], r["char_start"], r["char_end"], r["speaker"], r["role"], r["participant"],
                   loads(r["meta"], {}).get("row")) for r in rows]


BLOCK_SQL = ("SELECT id, char_start, char_end, speaker, role, participant, meta FROM snippets "
             "WHERE document_id = ? ORDER BY seq")


class HighlightStore:
    def __init__(self, db: Database):
        self.db = db

    # -- reading -------------------------------------------------------------------
    def get(self, highlight_id: str) -> Highlight:
        row = self.db.one(SELECT + " WHERE h.id = ?", (highlight_id,))
        if row is None:
            found = self.db.query(SELECT + " WHERE h.id LIKE ? ESCAPE '\\' LIMIT 2",
                                  (like_prefix(highlight_id),)) if highlight_id else []
            if len(found) != 1:
                raise NotFoundError(f"no highlight {highlight_id!r}" if not found else
                                    f"highlight id {highlight_id!r} is ambiguous; give more characters")
            row = found[0]
        return row_to_highlight(row)

    def get_many(self, ids: Iterable[str]) -> dict[str, Highlight]:
        return {r["id"]: row_to_highlight(r) for r in self.db.query_in(SELECT + " WHERE h.id IN ({ids})",
                                                                      dict.fromkeys(ids))}

    def at(self, document_id: str, start: int, end: int) -> str | None:
        return self.db.scalar("SELECT id FROM highlights WHERE document_id = ? AND char_start = ? "
                              "AND char_end = ?", (document_id, start, end))

    def list(self, *, document: str | None = None, participant: str | None = None,
             tags: Sequence[str] = (), state: str | None = None, author: str | None = None,
             feature: str | None = None, study: str | None = None) -> list[Highlight]:
        where, params = [], []
        for column, value in (("h.document_id", document), ("h.participant", participant),
                              ("h.state", state), ("h.author", author), ("d.study", study)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        for tag in tags:
            where.append("EXISTS (SELECT 1 FROM highlight_tags t WHERE t.highlight_id = h.id AND t.tag = ?)")
            params.append(tag)
        if feature:
            where.append("EXISTS (SELECT 1 FROM feature_highlights f WHERE f.highlight_id = h.id "
                         "AND f.feature_id = ?)")
            params.append(feature)
        sql = SELECT + (" WHERE " + " AND ".join(where) if where else "")
        return [row_to_highlight(r) for r in self.db.query(
            sql + " ORDER BY d.name, h.char_start, h.created_at", params)]

    def blocks(self, document_id: str) -> list[Block]:
        text = self.db.scalar("SELECT text FROM documents WHERE id = ?", (document_id,)) or ""
        return speaker_blocks(text, voiced_rows(self.db.query(BLOCK_SQL, (document_id,))))

    def snippets_under(self, document_id: str, start: int, end: int) -> list[str]:
        """Ids of the snippets a span overlaps, in order."""
        return [r[0] for r in self.db.query(
            "SELECT id FROM snippets WHERE document_id = ? AND char_start < ? AND char_end > ? "
            "ORDER BY seq", (document_id, end, start))]

    def tag_counts(self) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self.db.query(
            "SELECT tag, count(*) FROM highlight_tags GROUP BY tag ORDER BY count(*) DESC, tag")]

    def feature_links(self, feature_ids: Sequence[str]) -> list[sqlite3.Row]:
        return self.db.query_in("SELECT feature_id, highlight_id, who, at, note FROM feature_highlights "
                                "WHERE feature_id IN ({ids})", feature_ids)

    # -- writing -------------------------------------------------------------------
    def add(self, h: dict[str, Any], tags: Sequence[str]) -> str:
        stamp = now()
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO highlights (id, document_id, char_start, char_end, text, speaker, role, "
                "participant, context_before, context_after, note, author, created_at, updated_at) "
                "VALUES (:id, :document_id, :char_start, :char_end, :text, :speaker, :role, "
                ":participant, :context_before, :context_after, :note, :author, :at, :at)",
                {**h, "at": stamp})
            conn.executemany("INSERT OR IGNORE INTO highlight_tags VALUES (?, ?)", [(h["id"], t) for t in tags])
        return h["id"]

    def tag(self, highlight_id: str, tags: Sequence[str], remove: bool = False) -> None:
        with self.db.transaction() as conn:
            if remove:
                conn.executemany("DELETE FROM highlight_tags WHERE highlight_id = ? AND tag = ?",
                                 [(highlight_id, t) for t in tags])
            else:
                conn.executemany("INSERT OR IGNORE INTO highlight_tags VALUES (?, ?)",
                                 [(highlight_id, t) for t in tags])
            conn.execute("UPDATE highlights SET updated_at = ? WHERE id = ?", (now(), highlight_id))

    def set_note(self, highlight_id: str, note: str | None) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE highlights SET note = ?, updated_at = ? WHERE id = ?",
                         (note, now(), highlight_id))

    def remove(self, highlight_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM insight_evidence WHERE kind = 'highlight' AND ref_id = ?",
                         (highlight_id,))
            conn.execute("DELETE FROM highlights WHERE id = ?", (highlight_id,))

    def link_feature(self, feature_id: str, highlight_id: str, who: str, note: str | None,
                     remove: bool = False) -> None:
        with self.db.transaction() as conn:
            if remove:
                conn.execute("DELETE FROM feature_highlights WHERE feature_id = ? AND highlight_id = ?",
                             (feature_id, highlight_id))
            else:
                conn.execute("INSERT OR REPLACE INTO feature_highlights VALUES (?, ?, ?, ?, ?)",
                             (feature_id, highlight_id, who, now(), note))


def as_snippets(records, store: HighlightStore, highlights: Iterable[Highlight]) -> dict[str, Snippet]:
    """Highlights seen as quotes for counting: each keeps its own id, words, offsets and
    speaker, and takes the tags (its own and those of the snippets it lies in), mean
    sentiment, row fields, kind, study and date of the snippets under it."""
    highlights = list(highlights)
    under = {h.id: store.snippets_under(h.document_id, h.char_start, h.char_end) for h in highlights}
    found = records.get_snippets(sid for ids in under.values() for sid in ids)
    out = {}
    for h in highlights:
        covered = [found[i] for i in under[h.id] if i in found]
        first = covered[0] if covered else None
        tags = sorted(set(h.tags).union(*(c.tags for c in covered)))
        out[h.id] = Snippet(
            snippet_id=h.id, document_id=h.document_id, document_title=h.document_title,
            document_path=h.document_name, text=h.text, speaker=h.speaker, role=h.role,
            participant=h.participant, char_start=h.char_start, char_end=h.char_end, line=h.line,
            start_time=first.start_time if first else None,
            end_time=covered[-1].end_time if covered else None,
            context=first.context if first else None, tags=tags,
            sentiment=round(sum(c.sentiment for c in covered) / len(covered), 4) if covered else 0.0,
            entities=[], kind=first.kind if first else h.kind, study=first.study if first else h.study,
            date=first.date if first else h.date, meta={**(first.meta if first else {}), "highlight": True})
    return out


# -- following a re-ingested file --------------------------------------------------
def _squash(text: str) -> str:
    return " ".join(text.split())


def _context_matches(text: str, pos: int, end: int, before: str, after: str) -> bool:
    """Is the text just before or just after [pos, end) what was there when it was made?"""
    if before.strip():
        if _squash(text[max(0, pos - 2 * CONTEXT):pos]).endswith(_squash(before)):
            return True
    elif not text[:pos].strip():  # made at the very start of its document
        return True
    if after.strip():
        return _squash(text[end:end + 2 * CONTEXT]).startswith(_squash(after))
    return not text[end:].strip()


def find_again(text: str, blocks: Sequence[Block], h: sqlite3.Row) -> int | None:
    """Where highlight `h` is in a new version of its document's text, or None.

    It is found at an occurrence of exactly its words that lies inside one block of
    the same speaker and whose surroundings (the text just before or just after) are
    as they were; of several, the one nearest its old offset."""
    words, n = h["text"], len(h["text"])
    found, pos = [], text.find(words)
    while pos >= 0:
        if any(b.holds(pos, pos + n) and b.speaker == h["speaker"] for b in blocks) and \
                _context_matches(text, pos, pos + n, h["context_before"], h["context_after"]):
            found.append(pos)
        pos = text.find(words, pos + 1)
    return min(found, key=lambda p: (abs(p - h["char_start"]), p)) if found else None


def relocate(conn: sqlite3.Connection, new_doc_id: str, old_doc_id: str, new_text: str) -> int:
    """Inside the ingest transaction: move the old version's highlights to the new one.
    Returns how many were flagged for review."""
    rows = conn.execute("SELECT * FROM highlights WHERE document_id = ?", (old_doc_id,)).fetchall()
    if not rows:
        return 0
    blocks = speaker_blocks(new_text, voiced_rows(conn.execute(BLOCK_SQL, (new_doc_id,)).fetchall()))
    flagged, stamp = 0, now()
    for h in rows:
        pos = find_again(new_text, blocks, h)
        if pos is None:
            conn.execute("UPDATE highlights SET document_id = ?, state = 'review', reason = 'changed', "
                         "old_document_id = coalesce(old_document_id, ?), updated_at = ? WHERE id = ?",
                         (new_doc_id, old_doc_id, stamp, h["id"]))
            flagged += 1
            continue
        end = pos + len(h["text"])
        before, after = context(new_text, pos, end)
        conn.execute("UPDATE highlights SET document_id = ?, char_start = ?, char_end = ?, "
                     "context_before = ?, context_after = ?, state = 'ok', reason = NULL, "
                     "old_document_id = NULL, updated_at = ? WHERE id = ?",
                     (new_doc_id, pos, end, before, after, stamp, h["id"]))
    return flagged


def orphan(conn: sqlite3.Connection, doc_id: str) -> None:
    """Inside the delete transaction: the document's highlights wait for review."""
    conn.execute("UPDATE highlights SET state = 'review', reason = 'deleted', "
                 "old_document_id = coalesce(old_document_id, document_id), updated_at = ? "
                 "WHERE document_id = ?", (now(), doc_id))
