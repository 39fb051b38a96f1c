"""Fusing dense and keyword evidence into one score.

A convex combination of the cosine similarity and the share of the query's
keyword weight a snippet matches:

    score = ALPHA * cosine + (1 - ALPHA) * min(1, bm25 / sum(idf of the query terms))

sum(idf) is the BM25 score of an average-length snippet holding each query
term once, so a snippet that matches only a common word of a long query gets
a small keyword part, and one holding every term gets the full part. (Dividing
by the best score seen instead gave full marks to a lone weak match.)

Both parts are computed for every candidate from either side (a keyword-only
candidate gets its true cosine, a dense-only one its true BM25), so the blend
never guesses a missing half. When no snippet shares a word with the query
(a paraphrase, another language) the keyword part is 0 everywhere and the
ranking is the dense one.

ALPHA (the dense weight): on banking77 ingested as feedback (77 intent-name
queries, precision@10) dense alone scored 0.864, BM25 alone 0.801, and hybrid
0.868-0.877 for every ALPHA from 0.5 to 0.9. ALPHA = 0.7 gives the largest keyword
weight (0.3) with which hybrid also matched or beat dense on each half of the
intents taken separately, so the gain is not one half's luck; more dense
weight also keeps paraphrases on top. `bench search` re-measures all of it.
Reciprocal rank fusion is kept for the benchmark's comparison.
"""
from __future__ import annotations

import numpy as np

ALPHA = 0.7
RRF_K = 60


def convex(cosine: np.ndarray, bm25: np.ndarray, idf_mass: float, alpha: float = ALPHA) -> np.ndarray:
    keyword = np.minimum(1.0, bm25 / idf_mass) if idf_mass > 0 else np.zeros_like(bm25)
    return alpha * cosine + (1 - alpha) * keyword


def rrf(cosine: np.ndarray, bm25: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """Reciprocal rank fusion over the candidate set (rows with bm25 = 0 get no keyword rank)."""
    out = np.zeros(len(cosine), dtype=np.float64)
    dense_rank = np.empty(len(cosine))
    dense_rank[np.argsort(-cosine, kind="stable")] = np.arange(1, len(cosine) + 1)
    out += 1.0 / (k + dense_rank)
    kw_rank = np.empty(len(bm25))
    kw_rank[np.argsort(-bm25, kind="stable")] = np.arange(1, len(bm25) + 1)
    out += np.where(bm25 > 0, 1.0 / (k + kw_rank), 0.0)
    return out


def fuse(mode: str, cosine: np.ndarray, bm25: np.ndarray, idf_mass: float,
         alpha: float = ALPHA) -> np.ndarray:
    if mode == "dense":
        return cosine.astype(np.float64)
    if mode == "keyword":
        return bm25.astype(np.float64)
    if mode == "rrf":
        return rrf(cosine, bm25)
    return convex(cosine.astype(np.float64), bm25.astype(np.float64), idf_mass, alpha)
