"""Themes for corpora of a few hundred snippets and more: context, UMAP, KMeans.

1. Context-aware vectors: a snippet's vector plus CONTEXT_SHARE of the mean
   vector of the snippets around it in the same document (WINDOW selected
   snippets either side, itself included). People talk about one topic for a
   stretch of an interview, so an answer's neighbours say what it is about
   when its own words are short ("yes, all the time"); snippets from
   different interviews still group together only when their words agree.
   On the oral histories this lifts V-measure against the archivists' codes
   from 0.23 to 0.42 (README, Themes).
2. UMAP to DIMENSIONS dimensions (cosine, seeded; n_neighbors shrinks for
   small corpora), which keeps local neighbourhoods and drops the noise
   dimensions that make KMeans on raw 384-d vectors blur.
3. KMeans with k = round(sqrt(n / 2)), bounded to [MIN_K, MAX_K]: every
   snippet is in a theme; clusters under `min_size` are left unthemed.
Beyond FIT_SAMPLE rows, UMAP and KMeans run on a seeded sample of that size
and every other row joins the cluster whose mean (context-aware) vector is
nearest: the themes hardly change and 100,000 snippets stay within a minute.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from research_hub.themes.partition import UNTHEMED, knn, normalize, relabel_by_size

SMALL = 200          # below this the graph clustering (cluster.py) is used instead
WINDOW = 3
CONTEXT_SHARE = 0.7
DIMENSIONS = 5
NEIGHBOURS = 15
MIN_K, MAX_K = 2, 50
FIT_SAMPLE = 10_000
EPOCHS_FROM, EPOCHS = 4096, 200  # UMAP's own epochs above 10,000 rows; it gives 500 to a 10,000-row fit
SEED = 42
UNCACHED_KERNELS = {"umap.umap_": ("fast_knn_indices", "smooth_knn_dist", "compute_membership_strengths"),
                    "umap.layouts": ("_nb_optimize_layout_euclidean_single_epoch",)}


def with_context(x: np.ndarray, documents: np.ndarray, positions: np.ndarray | None = None,
                 window: int = WINDOW, share: float = CONTEXT_SHARE) -> np.ndarray:
    """x plus `share` of the mean of each row's neighbours in the same document.

    `documents[i]` names the document of row i, `positions[i]` its place in it
    (default: row order); rows of one document need not be adjacent."""
    x = normalize(x)
    if share <= 0 or len(x) == 0:
        return x
    where = np.arange(len(x)) if positions is None else np.asarray(positions)
    order = np.lexsort((np.arange(len(x)), where, np.asarray(documents)))
    xs = x[order]
    docs = np.asarray(documents)[order]
    starts = np.r_[0, np.flatnonzero(docs[1:] != docs[:-1]) + 1]
    ends = np.r_[starts[1:], len(xs)]
    first = np.repeat(starts, ends - starts)
    last = np.repeat(ends, ends - starts)
    pos = np.arange(len(xs))
    lo = np.maximum(pos - window, first)
    hi = np.minimum(pos + window + 1, last)
    sums = np.vstack([np.zeros((1, xs.shape[1])), np.cumsum(xs, axis=0, dtype=np.float64)])
    context = (sums[hi] - sums[lo]) / (hi - lo)[:, None]
    mixed = np.empty_like(x)
    mixed[order] = (xs + share * normalize(context)).astype(np.float32)
    return normalize(mixed)


def embed(x: np.ndarray, dims: int = DIMENSIONS, seed: int = SEED) -> np.ndarray:
    """UMAP of unit vectors to `dims` dimensions."""
    import umap

    _cache_kernels()
    n = len(x)
    k = max(2, min(NEIGHBOURS, n - 1))
    reducer = umap.UMAP(n_components=dims, n_neighbors=k, metric="cosine", min_dist=0.0,
                        random_state=seed, low_memory=True,
                        n_epochs=EPOCHS if n >= EPOCHS_FROM else None, precomputed_knn=exact_knn(x, k))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # umap warns that a seed disables parallelism
        return reducer.fit_transform(x).astype(np.float32)


@functools.cache
def _cache_kernels() -> None:
    """Keep UMAP's graph kernels compiled on disk, as numba does for its others.

    umap-learn compiles these kernels without numba's cache: 10-17 s on two
    cores in every new process that computes themes, even for 100 snippets."""
    import importlib

    for module, names in UNCACHED_KERNELS.items():
        for name in names:
            kernel = getattr(importlib.import_module(module), name, None)
            if not hasattr(kernel, "enable_caching"):
                continue
            try:
                kernel.enable_caching()
            except Exception:  # noqa: BLE001 - a cache we cannot write costs time, not results
                pass


def exact_knn(x: np.ndarray, k: int, block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Each unit row's k nearest rows, itself first, and their cosine distances: UMAP's
    `precomputed_knn`.

    UMAP would otherwise find them with numba code that compiles afresh in every
    process (pynndescent from 4,096 rows: a minute on two cores for a 10,000-row
    fit; a numba metric called pair by pair below that), where these products
    take about a second for 10,000 rows. The neighbours are the same."""
    others, sims = knn(x, k - 1, block)
    order = np.argsort(-sims, axis=1, kind="stable")
    indices = np.hstack([np.arange(len(x))[:, None], np.take_along_axis(others, order, axis=1)])
    distances = np.hstack([np.zeros((len(x), 1), dtype=np.float32),
                           np.clip(1 - np.take_along_axis(sims, order, axis=1), 0, 2)])
    return indices, distances.astype(np.float32)


def n_clusters(n: int) -> int:
    return int(np.clip(round(np.sqrt(n / 2)), MIN_K, MAX_K))


def partition(x: np.ndarray, documents: np.ndarray | None, min_size: int, seed: int = SEED,
              positions: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """(labels 0.. by size with UNTHEMED for clusters under min_size, number of themes)."""
    from sklearn.cluster import KMeans

    n = len(x)
    if n < max(min_size, MIN_K + 1):
        return np.full(n, UNTHEMED), 0
    v = with_context(x, documents, positions) if documents is not None else normalize(x)
    k = min(n_clusters(n), n)
    fit = np.arange(n) if n <= FIT_SAMPLE else \
        np.sort(np.random.default_rng(seed).choice(n, FIT_SAMPLE, replace=False))
    found = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(embed(v[fit], seed=seed))
    raw = found if n <= FIT_SAMPLE else nearest_centre(v, fit, found, k)
    sizes = np.bincount(raw, minlength=k)
    raw = np.where(sizes[raw] >= min_size, raw, UNTHEMED)
    return relabel_by_size(raw)


def nearest_centre(v: np.ndarray, fit: np.ndarray, found: np.ndarray, k: int) -> np.ndarray:
    """Cluster of every row: the fitted rows keep theirs, the others take the nearest mean."""
    sums = np.zeros((k, v.shape[1]), dtype=np.float32)
    np.add.at(sums, found, v[fit])
    centres = normalize(sums)
    out = np.empty(len(v), dtype=np.int64)
    for start in range(0, len(v), 8192):
        out[start:start + 8192] = np.argmax(v[start:start + 8192] @ centres.T, axis=1)
    out[fit] = found
    return out


def map_2d(x: np.ndarray, documents: np.ndarray | None = None, positions: np.ndarray | None = None,
           seed: int = SEED) -> np.ndarray:
    """2-D coordinates of the vectors the themes were clustered on, for the themes map."""
    if len(x) < 4:
        return np.zeros((len(x), 2), dtype=np.float32)
    v = with_context(x, documents, positions) if documents is not None and len(x) >= SMALL \
        else normalize(x)
    return embed(v, dims=2, seed=seed)
