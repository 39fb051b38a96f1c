"""Where ingestion's output lands: source copies, vectors, then one transaction per file.

`Writer` is the sink `ingest.pipeline` writes through. A group of files the
embedding worker finished is stored in this order, each step a named crash
point: every file's source copy, one index upsert for the whole group (one per
file costs 20-30% more), then each file's rows in its own SQLite transaction.
A crash between the index and SQLite leaves only index entries that healing
(run on open) removes, never a half-stored document.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from research_hub.core.errors import NotFoundError
from research_hub.core.faults import crash_point
from research_hub.core.rows import NewDocument
from research_hub.store.evidence import flag_changed_links
from research_hub.store import highlights
from research_hub.store.records import with_manual
from research_hub.store.vectors import vector_metadata


class SourceFiles:
    """Copies of ingested files under the workspace, named by document id."""

    def __init__(self, folder: Path):
        self.folder = folder

    def save(self, doc_id: str, suffix: str, raw: bytes) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{doc_id}{suffix.lower()}"
        if not target.exists():
            tmp = target.with_suffix(target.suffix + ".tmp")
            tmp.write_bytes(raw)
            tmp.replace(target)
        return target

    def remove(self, doc_id: str) -> None:
        for f in self.folder.glob(f"{doc_id}.*"):
            f.unlink(missing_ok=True)


class Writer:
    def __init__(self, ws, text_col: str | None = None):
        self.ws = ws
        self.text_col = text_col  # recorded with each ingest, so a rebuild parses the file alike

    # -- what the pipeline asks before preparing a file ------------------------------
    def document_for(self, source_key: str) -> str | None:
        """Id of the document stored under this source key, if any."""
        row = self.ws.records.document_by_key(source_key)
        return row["id"] if row is not None else None

    def has_document(self, doc_id: str) -> bool:
        return self.ws.records.has_document(doc_id)

    # -- a person's edits ---------------------------------------------------------------
    def edit_tag(self, snippet_id: str, tag: str, op: str) -> None:
        """Add or remove a manual tag: SQLite first, then the index's copy of the tags."""
        ws = self.ws
        ws.records.snippet(snippet_id)  # raises for an unknown id
        with ws.index_writes():
            with ws.audited(f"tag.{op}", snippet_id, tag=tag):
                ws.records.set_manual_tag(snippet_id, tag, op)
            crash_point("tag_saved")
            row = ws.records.vector_rows([snippet_id])[0]
            tags = ws.records.effective_tags([snippet_id]).get(snippet_id, [])
            ws.index.update_metadata([snippet_id], [vector_metadata(row, tags)])
        ws.changed()

    def delete_document(self, ref: str) -> str:
        """A document with its snippets, vectors and source copy; returns its name."""
        ws = self.ws
        doc = ws.records.find_document(ref)
        if doc is None:
            raise NotFoundError(f"no document {ref!r}")
        with ws.write_lock(), ws.index_writes():
            ids = ws.records.snippet_ids(doc["id"])
            with ws.audited("document.delete", doc["name"], document_id=doc["id"]), \
                    ws.db.transaction() as conn:
                ws.records.delete_document(conn, doc["id"])
                highlights.orphan(conn, doc["id"])
            crash_point("rows_deleted")
            ws.index.delete(ids)
            ws.sources.remove(doc["id"])
            ws.changed()
        return doc["name"]

    # -- storing a group ---------------------------------------------------------------
    def store(self, files: Sequence[NewDocument], vectors: np.ndarray) -> list[Exception | None]:
        """Store each file; one outcome per file (None: stored)."""
        crash_point("embedded")  # after the embedding cache write
        outcome: list[Exception | None] = [None] * len(files)
        rows, start = [], 0
        for i, f in enumerate(files):
            rows.append(vectors[start:start + len(f.snippets)])
            start += len(f.snippets)
            try:
                f.doc.stored_path = str(self.ws.sources.save(f.doc.id, f.suffix, f.source))
                crash_point("source_saved")
            except Exception as exc:
                outcome[i] = exc
        ready = [i for i, o in enumerate(outcome) if o is None]
        try:
            self._index([files[i] for i in ready], [rows[i] for i in ready])
        except Exception as exc:
            return [o if o is not None else exc for o in outcome]
        for i in ready:
            try:
                self._commit(files[i])
            except Exception as exc:
                outcome[i] = exc
        return outcome

    def _index(self, files: list[NewDocument], rows: list[np.ndarray]) -> None:
        if not files:
            return
        snippets = [s for f in files for s in f.snippets]
        manual = self.ws.records.manual_ops(s.id for s in snippets)
        metas = [vector_metadata(s, with_manual(s.tags, manual.get(s.id, {}))) for s in snippets]
        self.ws.index.upsert([s.id for s in snippets], np.vstack(rows), metas)
        crash_point("upserted")

    def _recipe(self, f: NewDocument) -> dict:
        """What a rebuild needs to ingest the kept source copy into the same document."""
        d = f.doc
        return {"document_id": d.id, "source_key": d.source_key, "name": d.name, "path": d.path,
                "title": d.title, "date": d.date, "study": d.study, "kind": d.kind, "text_col": self.text_col,
                "stored": Path(d.stored_path).name if d.stored_path else None, "replaces": f.replaces,
                "snippets": len(f.snippets)}

    def _commit(self, f: NewDocument) -> None:
        """The document's rows in one transaction; then what the old version leaves behind."""
        ws = self.ws
        old_ids = set(ws.records.snippet_ids(f.replaces)) if f.replaces else set()
        with ws.audited("ingest", f.doc.name, **self._recipe(f)), ws.db.transaction() as conn:
            if f.replaces:
                ws.records.delete_document(conn, f.replaces)
            ws.records.write_document(conn, f.doc, f.snippets)
            if f.replaces:
                flag_changed_links(conn, f.doc.id, f.replaces)
                highlights.relocate(conn, f.doc.id, f.replaces, f.doc.text)
            crash_point("in_transaction")
        crash_point("committed")
        stale = old_ids - {s.id for s in f.snippets}
        if stale:
            ws.index.delete(stale)
        crash_point("stale_deleted")
        if f.replaces:
            ws.sources.remove(f.replaces)
        ws.changed()
        crash_point("stored")
