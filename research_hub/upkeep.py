"""Keeping the Chroma index in step with SQLite: reindex and doctor."""
from __future__ import annotations

from typing import Any

from research_hub.store.vectors import vector_metadata

PAGE = 5000


def _index_rows(hub, rows, progress=None) -> int:
    """Upsert vectors (from the embedding cache where possible) for these snippet rows."""
    ids = [r["id"] for r in rows]
    tags = hub.records.effective_tags(ids)
    done = 0
    for i in range(0, len(rows), PAGE):
        part = rows[i:i + PAGE]
        vectors = hub.embedder.encode([r["text"] for r in part], [r["text_hash"] for r in part])
        hub.index.upsert([r["id"] for r in part], vectors,
                         [vector_metadata(r, tags.get(r["id"], [])) for r in part])
        done += len(part)
        if progress:
            progress(done, len(rows), "indexing")
    return done


def reindex(hub, progress=None) -> dict[str, int]:
    """Rebuild the vector index from SQLite; model time only for texts not cached."""
    with hub.write_lock():
        hub.index.reset()
        rows = hub.records.vector_rows()
        before = hub.embedder.encoded
        n = _index_rows(hub, rows, progress)
        hub.keyword_dirty()
        return {"indexed": n, "encoded": hub.embedder.encoded - before}


def _metadata_mismatches(hub, ids: list[str]) -> list[str]:
    wrong = []
    for i in range(0, len(ids), PAGE):
        chunk = ids[i:i + PAGE]
        got = hub.index.get(chunk, include=["metadatas"])
        have = dict(zip(got["ids"], got["metadatas"]))
        rows = {r["id"]: r for r in hub.records.vector_rows(chunk)}
        tags = hub.records.effective_tags(chunk)
        for sid in chunk:
            if sid in have and vector_metadata(rows[sid], tags.get(sid, [])) != (have[sid] or {}):
                wrong.append(sid)
    return wrong


def _bad_offsets(hub) -> list[str]:
    bad = []
    for doc in hub.db.query("SELECT id, text FROM documents"):
        text = doc["text"]
        for s in hub.db.query("SELECT id, text, char_start, char_end FROM snippets WHERE document_id = ?",
                              (doc["id"],)):
            if text[s["char_start"]:s["char_end"]] != s["text"]:
                bad.append(s["id"])
    return bad


def doctor(hub, repair: bool = False) -> dict[str, Any]:
    """Report every disagreement between SQLite and Chroma; fix the index if asked."""
    integrity = hub.db.scalar("PRAGMA quick_check")
    sql_ids = set(hub.records.snippet_ids())
    vec_ids = hub.index.all_ids()
    missing = sorted(sql_ids - vec_ids)
    orphans = sorted(vec_ids - sql_ids)
    mismatched = _metadata_mismatches(hub, sorted(sql_ids & vec_ids))
    missing_sources = [r["id"] for r in hub.db.query("SELECT id, stored_path FROM documents")
                       if not r["stored_path"] or not _exists(r["stored_path"])]
    report: dict[str, Any] = {
        "sqlite": integrity, "snippets": len(sql_ids), "vectors": len(vec_ids),
        "missing_vectors": len(missing), "orphan_vectors": len(orphans),
        "metadata_mismatches": len(mismatched), "bad_offsets": len(_bad_offsets(hub)),
        "missing_sources": len(missing_sources), "repaired": False,
    }
    if repair and (missing or orphans or mismatched):
        if orphans:
            hub.index.delete(orphans)
        _index_rows(hub, hub.records.vector_rows(missing + mismatched))
        hub.keyword_dirty()
        report["repaired"] = True
    report["ok"] = (integrity == "ok" and not report["bad_offsets"]
                    and (report["repaired"] or not (missing or orphans or mismatched)))
    return report


def _exists(path: str) -> bool:
    from pathlib import Path

    return Path(path).exists()
