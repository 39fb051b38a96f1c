"""Writing snippets straight into a workspace (SQLite + Chroma + embedding cache),
bypassing parsing: for the 100k-snippet latency store and for search unit tests.

Each document's text is its snippets joined by newlines, so provenance holds:
document.text[char_start:char_end] == snippet text.
"""
from __future__ import annotations

import hashlib
from typing import Any, Sequence

import numpy as np

from research_hub.core.rows import DocumentRow, SnippetRow
from research_hub.core.text import text_hash
from research_hub.store.vectors import vector_metadata


def _document(doc: dict[str, Any]) -> tuple[DocumentRow, list[SnippetRow]]:
    text, snippets, pos = [], [], 0
    for seq, s in enumerate(doc["snippets"]):
        label = f"{s.get('speaker', s['participant'])}: "
        start = pos + len(label)
        text.append(label + s["text"])
        pos = start + len(s["text"]) + 1
        sid = s.get("id") or hashlib.sha1(f"{doc['name']}\x00{seq}\x00{s['text']}".encode()).hexdigest()[:20]
        snippets.append(SnippetRow(
            id=sid, document_id="", seq=seq, speaker=s.get("speaker", s["participant"]),
            role=s.get("role", "participant"), participant=s["participant"], text=s["text"],
            char_start=start, char_end=start + len(s["text"]), line=seq + 1,
            start_time=s.get("start_time"), end_time=s.get("end_time"),
            context=s.get("context"), sentiment=0.0, entities=[], meta={},
            kind=doc.get("kind", "interview"), study=doc.get("study"), date=doc.get("date"),
            text_hash=text_hash(s["text"]), tags=sorted(set(s.get("tags", [])))))
    body = "\n".join(text)
    doc_id = hashlib.sha256(f"{doc['name']}\x00{body}".encode()).hexdigest()
    row = DocumentRow(id=doc_id, source_key=f"direct:{doc['name']}", name=doc["name"], path=doc["name"],
                      title=doc.get("title", doc["name"]), kind=doc.get("kind", "interview"),
                      study=doc.get("study"), date=doc.get("date"),
                      participants=sorted({s.participant for s in snippets if s.role != "interviewer"}),
                      metadata={}, text=body, size=len(body))
    for s in snippets:
        s.document_id = doc_id
    return row, snippets


def fill_store(hub, docs: Sequence[dict[str, Any]], vectors: np.ndarray | None = None,
               batch: int = 5000) -> int:
    """Store documents of snippets; `vectors` (one row per snippet, in order) skips the model."""
    ws = hub.workspace
    ws.check_vectors()
    prepared = [_document(d) for d in docs]
    snippets = [s for _, ss in prepared for s in ss]
    if vectors is None:
        vectors = ws.embedder.encode([s.text for s in snippets], [s.text_hash for s in snippets])
    elif ws.embedder.cache is not None:
        ws.embedder.cache.put_many({s.text_hash: v for s, v in zip(snippets, vectors)})
    metas = [vector_metadata(s, s.tags) for s in snippets]
    ids = [s.id for s in snippets]
    for i in range(0, len(ids), batch):
        ws.index.upsert(ids[i:i + batch], vectors[i:i + batch], metas[i:i + batch])
    with ws.db.transaction() as conn:
        for row, ss in prepared:
            ws.records.write_document(conn, row, ss)
    ws.changed()
    return len(snippets)
