"""The BM25 index over snippet text (bm25s), and the search state aligned with it.

`KeywordIndex(ws)` is what `Workspace.keyword` holds. It owns one
`SearchState`: the BM25 matrix, the `Catalog` of filterable fields in the same
row order, and the matrix of snippet vectors (read from the embedding cache,
saved as .npy and memory-mapped, so filtered dense search is a numpy matmul).
All three describe one version of the store, so they are built, saved and
thrown away together.

Staying in step with writes:
* in this process, every write ends in `Workspace.changed()` -> `mark_dirty()`;
* another process's write (the UI while the CLI ingests) shows up as a new
  SQLite `data_version` on our connection; then the store's signature is
  compared with the state's and the state reloaded or rebuilt if it changed.
The state is saved under `<workspace>/search/<signature>/`, so a new process
loads it instead of re-tokenising every snippet.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from research_hub.core import tokens as T
from research_hub.store.catalog import TAG_SQL, Catalog
from research_hub.store.postings import Postings

log = logging.getLogger(__name__)
FORMAT = "3"  # bump when the saved layout or the tokenizer changes

SIGNATURE_SQL = """
SELECT (SELECT count(*) FROM snippets), (SELECT max(rowid) FROM snippets),
       (SELECT group_concat(id) FROM (SELECT id FROM documents ORDER BY id)),
       (SELECT count(*) || ':' || coalesce(max(created_at), '') || ':' || sum(op = 'add') FROM manual_tags)
"""
ROWS_SQL = ("SELECT id, text_hash, seq, date, role, participant, study, kind, document_id, text "
            "FROM snippets ORDER BY rowid")


@dataclass
class SearchState:
    signature: str
    catalog: Catalog
    bm25: Postings | None  # None when the store is empty
    vectors: np.ndarray  # one unit vector per row (memory-mapped when loaded from disk)

    def __len__(self) -> int:
        return len(self.catalog)

    def scores(self, terms: list[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every row for these stems (0 where masked out)."""
        if self.bm25 is None:
            return np.zeros(len(self), dtype=np.float32)
        return self.bm25.scores(terms, mask.astype(np.float32) if mask is not None else None)

    def idf_mass(self, terms: list[str]) -> float:
        """Sum of the query terms' idf (Lucene's): BM25 of an average snippet holding each once."""
        if self.bm25 is None:
            return 0.0
        n = len(self)
        df = np.array([len(self.rows_containing(t)) for t in terms if t in self.bm25])
        return float(np.log1p((n - df + 0.5) / (df + 0.5)).sum()) if len(df) else 0.0

    def rows_containing(self, term: str) -> np.ndarray:
        """Rows whose text has this stem (the postings list)."""
        if self.bm25 is None:
            return np.zeros(0, dtype=np.int64)
        return self.bm25.rows_containing(term)


def all_vectors(ws, catalog: Catalog) -> np.ndarray:
    """Every row's vector: from the embedding cache by text hash, else from Chroma by id."""
    hashes = catalog.hashes.tolist()
    found = ws.embedder.cache.get_many(hashes) if ws.embedder.cache else {}
    missing = [i for i, h in enumerate(hashes) if h not in found]
    by_id: dict[str, Any] = {}
    for i in range(0, len(missing), 5000):
        got = ws.index.get([str(catalog.ids[j]) for j in missing[i:i + 5000]], include=["embeddings"])
        by_id.update(zip(got["ids"], got["embeddings"]))
    dim = next((len(v) for v in (*found.values(), *by_id.values())), None) or \
        (ws.embedder.dimension if len(catalog) else 1)
    out = np.zeros((len(catalog), dim), dtype=np.float32)  # a row found nowhere scores 0
    for i, h in enumerate(hashes):
        v = found.get(h)
        out[i] = v if v is not None else by_id.get(str(catalog.ids[i]), 0)
    return out


def store_signature(db) -> str:
    row = db.one(SIGNATURE_SQL)
    raw = "\x1f".join(str(v) for v in (FORMAT, T.STEMMING, *tuple(row)))
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


KEY = f"{__name__}.data_version"


class KeywordIndex:
    def __init__(self, ws):
        self.ws = ws
        self.folder = Path(ws.home) / "search"
        self._state: SearchState | None = None
        self._dirty = True
        self._lock = threading.RLock()

    def mark_dirty(self) -> None:
        self._dirty = True

    def state(self) -> SearchState:
        """The state for the store as it is now, loading or rebuilding it if needed."""
        with self._lock:
            if self._state is None or self._dirty or self._changed_elsewhere():
                sig = store_signature(self.ws.db)
                if self._state is None or self._state.signature != sig:
                    self._state = self._load(sig) or self._build()
                self._dirty = False
            return self._state

    def _changed_elsewhere(self) -> bool:
        # data_version only compares within one connection, so it is kept with it
        seen = self.ws.db.connection_state()
        version = self.ws.db.conn.execute("PRAGMA data_version").fetchone()[0]
        key = (KEY, id(self))
        last, seen[key] = seen.get(key), version
        return last != version  # a connection seen for the first time checks once

    # -- persistence -----------------------------------------------------------
    def _load(self, sig: str) -> SearchState | None:
        folder = self.folder / sig
        if not (folder / "done").exists():
            return None
        try:
            bm25 = Postings.load(folder) if (folder / "postings.npz").exists() else None
            vectors = np.load(folder / "vectors.npy", mmap_mode="r")
            return SearchState(sig, Catalog.load(folder), bm25, vectors)
        except Exception as exc:  # half-deleted by another process: rebuild
            log.warning("search index at %s unreadable (%s); rebuilding", folder, exc)
            return None

    def _build(self) -> SearchState:
        conn = self.ws.db.conn
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")  # one read snapshot for signature, rows and tags
        try:
            sig = store_signature(self.ws.db)
            rows = [tuple(r) for r in conn.execute(ROWS_SQL)]
            catalog = Catalog.from_rows([r[:9] for r in rows], [tuple(r) for r in conn.execute(TAG_SQL)])
        finally:
            if own:
                conn.execute("COMMIT")
        bm25 = Postings.build([T.tokens(r[9]) for r in rows]) if rows else None
        state = SearchState(sig, catalog, bm25, all_vectors(self.ws, catalog))
        self._save(state)
        return state

    def _save(self, state: SearchState) -> None:
        final = self.folder / state.signature
        if (final / "done").exists():
            return
        tmp = self.folder / f".tmp-{state.signature}-{os.getpid()}-{threading.get_ident()}"
        try:
            tmp.mkdir(parents=True, exist_ok=True)
            state.catalog.save(tmp)
            np.save(tmp / "vectors.npy", state.vectors)
            if state.bm25 is not None:
                state.bm25.save(tmp)
            (tmp / "done").write_text(state.signature)
            if final.exists():
                shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
        except OSError as exc:  # a read-only or full disk costs speed, not answers
            log.warning("could not save the search index: %s", exc)
            shutil.rmtree(tmp, ignore_errors=True)
            return
        for old in self.folder.iterdir():
            if old.name != state.signature and not old.name.startswith(".tmp-"):
                shutil.rmtree(old, ignore_errors=True)
