"""Keeping the Chroma index in step with SQLite: reindex and doctor."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from research_hub.core.errors import DamagedWorkspaceError, IndexMismatchError
from research_hub.store.vectors import vector_metadata

PAGE = 5000


def _index_rows(ws, rows, progress=None) -> int:
    """Upsert vectors (from the embedding cache where possible) for these snippet rows."""
    tags = ws.records.effective_tags([r["id"] for r in rows])
    done = 0
    for i in range(0, len(rows), PAGE):
        part = rows[i:i + PAGE]
        vectors = ws.embedder.encode([r["text"] for r in part], [r["text_hash"] for r in part])
        ws.index.upsert([r["id"] for r in part], vectors,
                        [vector_metadata(r, tags.get(r["id"], [])) for r in part])
        done += len(part)
        if progress:
            progress(done, len(rows), "indexing")
    return done


def reindex(ws, progress=None) -> dict[str, int]:
    """Rebuild the vector index from SQLite; model time only for texts not cached."""
    with ws.write_lock():
        ws.index.reset()
        ws.vectors_reset()
        rows = ws.records.vector_rows()
        before = ws.embedder.encoded
        n = _index_rows(ws, rows, progress)
        ws.changed()
        return {"indexed": n, "encoded": ws.embedder.encoded - before}


def _metadata_mismatches(ws, ids: list[str]) -> list[str]:
    wrong = []
    for i in range(0, len(ids), PAGE):
        chunk = ids[i:i + PAGE]
        got = ws.index.get(chunk, include=["metadatas"])
        have = dict(zip(got["ids"], got["metadatas"]))
        rows = {r["id"]: r for r in ws.records.vector_rows(chunk)}
        tags = ws.records.effective_tags(chunk)
        for sid in chunk:
            if sid in have and vector_metadata(rows[sid], tags.get(sid, [])) != (have[sid] or {}):
                wrong.append(sid)
    return wrong


def doctor(ws, repair: bool = False) -> dict[str, Any]:
    """Report every disagreement between SQLite and Chroma; fix the index if asked."""
    integrity = ws.db.check()
    if integrity != "ok":
        raise DamagedWorkspaceError(f"{ws.db.path} is damaged ({integrity}): run `research-hub rebuild` "
                                    "to recover it from sources/ and journal.jsonl, or restore a backup")
    unjournaled = ws.audit.missing_from_journal()
    sql_ids = set(ws.records.snippet_ids())
    vec_ids = ws.index.all_ids()
    missing = sorted(sql_ids - vec_ids)
    orphans = sorted(vec_ids - sql_ids)
    mismatched = _metadata_mismatches(ws, sorted(sql_ids & vec_ids))
    missing_sources = [d for d, p in ws.records.stored_paths().items() if not p or not Path(p).exists()]
    try:
        ws.check_vectors()
        same_model = True
    except IndexMismatchError:  # the index is another model's: only reindex can fix that
        same_model = False
    report: dict[str, Any] = {
        "sqlite": integrity, "snippets": len(sql_ids), "vectors": len(vec_ids),
        "vectors_of_configured_model": same_model,
        "missing_vectors": len(missing), "orphan_vectors": len(orphans),
        "metadata_mismatches": len(mismatched), "bad_offsets": len(ws.records.bad_offsets()),
        "missing_sources": len(missing_sources), "unjournaled": len(unjournaled), "repaired": False,
    }
    if repair and unjournaled:
        ws.audit.journal.append(unjournaled)
        report["repaired"] = True
    if repair and same_model and (missing or orphans or mismatched):
        if orphans:
            ws.index.delete(orphans)
        _index_rows(ws, ws.records.vector_rows(missing + mismatched))
        ws.changed()
        report["repaired"] = True
    report["ok"] = (integrity == "ok" and not report["bad_offsets"] and same_model
                    and (report["repaired"] or not (missing or orphans or mismatched or unjournaled)))
    return report
