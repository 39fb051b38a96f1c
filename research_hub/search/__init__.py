"""Hybrid search over snippets: dense (Chroma + numpy) and keyword (BM25), fused.

    hits = search(ws, 'export is slow', k=10, tags=['pain_point'], since='2024-01')

Steps: parse the query (quoted phrases, keyword stems) -> filters become a
numpy mask over the catalog (phrases narrow it to snippets containing them)
-> dense candidates and BM25 candidates under the mask -> both scores for
every candidate -> fusion -> near-duplicates collapsed -> hits with context
and highlights. See dense.py for how filters stay fast, fusion.py for the
blend and bench/search.py for the measurements behind both.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from research_hub.core.errors import IndexMismatchError, InvalidInputError
from research_hub.core.models import Hit
from research_hub.search import dense, fusion
from research_hub.search.dedupe import collapse
from research_hub.search.filters import parse_filters
from research_hub.search.hits import build_hits
from research_hub.search.phrases import phrase_mask
from research_hub.search.query import parse_query, phrase_pattern

MODES = ("hybrid", "dense", "keyword", "rrf")
MAX_K = 1000
MIN_POOL = 30  # candidates per side (20-100 gave the same banking77 precision@10)
MAX_POOL = 4096

__all__ = ["search", "similar", "participants_in", "MODES"]


def search(ws, query: str, k: int = 10, *, mode: str = "hybrid", explain: dict | None = None,
           **filters: Any) -> list[Hit]:
    """The k best snippets for `query` under `filters` (see filters.py), best first.

    An empty query gives []. Bad filters, k or mode raise InvalidInputError with a one-line reason.
    """
    if mode not in MODES:
        raise InvalidInputError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidInputError(f"k must be a whole number of at least 1, got {k!r}")
    k = min(int(k), MAX_K)
    info = explain if explain is not None else {}
    q = parse_query(query)
    f = parse_filters(ws, **filters)
    info.update(query=q.text, terms=q.terms, phrases=q.phrases, truncated=q.truncated)
    if q.empty:
        return []
    if mode != "keyword":
        ws.check_vectors()
    state = ws.keyword.state()
    if len(state) == 0:
        return []
    mask = f.mask(state.catalog)
    phrases = [(p, x) for x in q.phrases if (p := phrase_pattern(x)) is not None]
    patterns = [p for p, _ in phrases]
    if phrases:
        mask = phrase_mask(ws, state, patterns, [x for _, x in phrases], mask)
    kept = len(state) if mask is None else int(mask.sum())
    info["filtered_rows"] = kept
    if kept == 0:
        return []
    with dense.one_thread():
        qvec = dense.encode_query(ws, q.text) if mode != "keyword" else None
        if qvec is not None and state.vectors.shape[1] != len(qvec):
            raise IndexMismatchError("the index holds vectors of another embedding model: "
                             "run `research-hub reindex`")
        pool = max(MIN_POOL, 3 * k)
        while True:
            ranked = _rank(ws, state, q.terms, qvec, mask, pool, k, mode, info)
            if len(ranked) >= k or pool >= min(kept, MAX_POOL):
                break
            pool *= 4  # duplicates ate the pool: look deeper
    seqs = {sid: int(state.catalog.seq[state.catalog.row_of[sid]]) for sid, _, _ in ranked}
    return build_hits(ws, ranked, seqs, q.terms, patterns)


def similar(ws, vector: np.ndarray, k: int = 50, **filters: Any) -> list[tuple[str, float]]:
    """The k snippets nearest a unit vector (a theme's centre, say) under the filters:
    (snippet id, cosine), best first. Stored vectors only; no model time."""
    f = parse_filters(ws, **filters)
    state = ws.keyword.state()
    if len(state) == 0:
        return []
    vec = np.asarray(vector, dtype=np.float32)
    if state.vectors.shape[1] != len(vec):
        raise IndexMismatchError("the index holds vectors of another embedding model: "
                                 "run `research-hub reindex`")
    with dense.one_thread():
        rows = dense.candidates(ws, state, vec, f.mask(state.catalog), max(1, int(k)))
    ids = state.catalog.ids
    return [(str(ids[r]), float(sim)) for r, sim in rows]


def participants_in(ws, **filters: Any) -> int:
    """How many distinct participants have snippets under these filters (the selection)."""
    f = parse_filters(ws, **filters)
    state = ws.keyword.state()
    if len(state) == 0:
        return 0
    codes = state.catalog.codes["participant"]
    mask = f.mask(state.catalog)
    kept = codes if mask is None else codes[mask]
    return len(np.unique(kept[kept >= 0]))


def _rank(ws, state, terms, qvec, mask, pool, k, mode, info) -> list[tuple[str, float, list[str]]]:
    cat = state.catalog
    dense_rows = [r for r, _ in dense.candidates(ws, state, qvec, mask, pool, info)] \
        if qvec is not None else []
    bm25 = state.scores(terms, mask) if mode != "dense" else np.zeros(len(state), dtype=np.float32)
    keyword_rows = _top_positive(bm25, pool)
    rows = np.array(list(dict.fromkeys(dense_rows + keyword_rows.tolist())), dtype=np.int64)
    if len(rows) == 0:
        return []
    vectors = np.asarray(state.vectors[rows], dtype=np.float32)
    cosine = vectors @ qvec if qvec is not None else np.zeros(len(rows), dtype=np.float32)
    scores = fusion.fuse(mode, cosine, bm25[rows], state.idf_mass(terms), fusion.ALPHA)
    order = np.argsort(-scores, kind="stable")
    people = cat.codes["participant"][rows].tolist()
    groups = collapse(order, [p if p >= 0 else None for p in people], vectors, k)
    ids = cat.ids
    return [(str(ids[rows[g.index]]), float(scores[g.index]), [str(ids[rows[d]]) for d in g.duplicates])
            for g in groups]


def _top_positive(scores: np.ndarray, n: int) -> np.ndarray:
    positive = np.flatnonzero(scores > 0)
    if len(positive) > n:
        positive = positive[np.argpartition(-scores[positive], n - 1)[:n]]
    return positive[np.argsort(-scores[positive], kind="stable")]
