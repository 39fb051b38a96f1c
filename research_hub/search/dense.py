"""Dense retrieval under filters, planned by how many rows the filter keeps.

Chroma's `where` is slow on a large store (at 100,000 snippets a filter on
half the rows took 144 ms against 3.5 ms unfiltered; `bench search` measures
it again), so Chroma is only asked for plain nearest neighbours and filters
are numpy masks over the state's vector matrix:

* a store of at most EXACT_ROWS snippets: exact cosine, a matmul (a small store
  never opens Chroma to search, which also keeps a cold CLI search short);
* no filter: Chroma HNSW, `pool` neighbours;
* a filter keeping many rows: Chroma HNSW asked for pool / selectivity x 1.5
  neighbours (at most HNSW_MAX), then the mask; if that leaves fewer than
  wanted, the exact path;
* otherwise (and as the fallback): exact cosine, a matmul over the kept rows.
Every path returns the best `pool` rows among those the filter keeps, so a
filtered search still gives k hits when k exist.
"""
from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np

EXACT_ROWS = 5000  # at most this many kept rows: exact matmul is cheaper than HNSW
HNSW_MAX = 2000  # most neighbours ever asked of Chroma in one query
OVERSAMPLE = 1.5  # expected kept rows = 1.5 x pool; the exact path covers a shortfall


_BLAS = None  # threadpoolctl controller, made once the numeric libraries are loaded


@contextmanager
def one_thread():
    """Run numpy's BLAS on one thread while a query is answered (the query embedding is
    single-threaded already, `Embedder.encode_query`).

    A short query gains nothing from a second thread, and when the other core is
    busy (an ingest, another user) two threads made a small matmul's p95 5x worse
    on a 2-core machine. The limit is process-wide for the few milliseconds it lasts.
    """
    global _BLAS
    if _BLAS is None:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS = ThreadpoolController()
        except ImportError:
            _BLAS = False
    if _BLAS:
        with _BLAS.limit(limits=1, user_api="blas"):
            yield
    else:
        yield


def encode_query(ws, text: str) -> np.ndarray:
    return ws.embedder.encode_query(text)


def _top(rows: np.ndarray, sims: np.ndarray, pool: int) -> list[tuple[int, float]]:
    if len(sims) > pool:
        part = np.argpartition(-sims, pool - 1)[:pool]
    else:
        part = np.arange(len(sims))
    part = part[np.argsort(-sims[part], kind="stable")]
    return [(int(rows[i]), float(sims[i])) for i in part]


def exact(state, qvec: np.ndarray, rows: np.ndarray, pool: int) -> list[tuple[int, float]]:
    if len(rows) > len(state) // 2:  # one pass over the matrix beats gathering half of it
        return _top(rows, (state.vectors @ qvec)[rows], pool)
    return _top(rows, state.vectors[rows] @ qvec, pool)


def hnsw(ws, state, qvec: np.ndarray, n: int) -> list[tuple[int, float]]:
    row_of = state.catalog.row_of
    return [(row_of[sid], sim) for sid, sim in ws.index.nearest(qvec, n) if sid in row_of]


def candidates(ws, state, qvec: np.ndarray, mask: np.ndarray | None, pool: int,
               stats: dict | None = None) -> list[tuple[int, float]]:
    """Best `pool` (row, cosine) pairs among the rows the mask keeps, best first."""
    stats = stats if stats is not None else {}
    n = len(state)
    kept = n if mask is None else int(mask.sum())
    if kept == 0:
        return []
    if kept == n and n > EXACT_ROWS:
        stats["dense_path"] = "hnsw"
        return hnsw(ws, state, qvec, min(pool, n))
    want = math.ceil(pool * n / kept * OVERSAMPLE)
    if kept > EXACT_ROWS and want <= HNSW_MAX:
        found = [(r, s) for r, s in hnsw(ws, state, qvec, min(want, n)) if mask[r]]
        if len(found) >= min(pool, kept):
            stats["dense_path"] = "hnsw-oversampled"
            return found[:pool]
    stats["dense_path"] = "exact"
    return exact(state, qvec, np.flatnonzero(mask), pool)
