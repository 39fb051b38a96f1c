"""Cluster unit vectors into themes.

From reduce.SMALL (200) snippets on, themes come from context-aware vectors,
UMAP and KMeans (reduce.py): measured on real interviews, that agrees with
human codes where the graph method below over-merges. Below it, on a
handful of snippets, the graph method finds the number of themes itself and
leaves what fits no theme unthemed:

The steps follow BERTopic's pipeline (neighbours -> cluster -> outliers), with
faster parts that need no dimension reduction. Every threshold is measured on
the corpus itself, against chance: the mean (mu) and spread (sigma) of the
similarity of two random snippets of the same selection, so they adapt to the
model's similarity scale.

1. A k-nearest-neighbour graph whose links are at least mu + sigma.
2. Leiden community detection (igraph, modularity, seeded). Resolution grows
   from 1 (up to 100 snippets) to 2 (from 1,000 on) with log10 of the size:
   modularity's resolution limit swallows small themes in large corpora
   (and an over-split theme is one `merge` away while an under-split one
   needs many moves), while on a handful of snippets a high resolution
   splits even a tight group. V-measure on BANKING77 stays within 0.80-0.82
   for resolutions 1-3 and 5-15 neighbours.
3. Fit: a snippet belongs to a theme when its mean similarity to the theme's
   members beats chance for that many members, mu + 2 sigma / sqrt(n) (a
   one-sided z-test at about 2%). Communities under `min_size` are dissolved;
   members that fail the test move to the theme they fit best or to the
   explicit unthemed group (-1); repeated until stable.
4. One more round of 1-3 on the unthemed snippets finds small themes that a
   large neighbour had absorbed and then rejected.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from research_hub.themes import reduce
from research_hub.themes.partition import UNTHEMED, knn, normalize, relabel_by_size

NEIGHBOURS = 10
RESOLUTION = 2.0  # at 1,000 snippets and more
MIN_SIZE = 3
FIT_Z = 2.0


@dataclass
class Chance:
    """How similar two random snippets of this corpus are: mean and standard deviation."""
    mean: float
    std: float

    @classmethod
    def of(cls, x: np.ndarray, pairs: int = 20000, seed: int = 0) -> "Chance":
        n = len(x)
        if n < 3:
            return cls(0.25, 0.15)
        rng = np.random.default_rng(seed)
        i, j = rng.integers(0, n, pairs), rng.integers(0, n, pairs)
        keep = i != j
        sims = np.einsum("ij,ij->i", x[i[keep]], x[j[keep]])
        return cls(float(sims.mean()), float(sims.std()))

    @property
    def link(self) -> float:
        """Two snippets are linked when they are one sigma more similar than chance."""
        return self.mean + self.std

    def fit(self, sizes: np.ndarray) -> np.ndarray:
        """Mean similarity to n members that beats chance: mu + Z sigma / sqrt(n)."""
        return self.mean + FIT_Z * self.std / np.sqrt(np.maximum(sizes, 1))


@dataclass
class Clustering:
    labels: np.ndarray      # theme index per row (0 = largest), UNTHEMED for the unthemed group
    chance: Chance
    n_themes: int
    partition: bool = False  # True: every row was given a theme (reduce.py), none judged unfit


def communities(n: int, idx: np.ndarray, sim: np.ndarray, floor: float,
                resolution: float = RESOLUTION, seed: int = 0) -> np.ndarray:
    """Leiden communities (modularity) of the floor-filtered kNN graph; a label per row."""
    rows = np.repeat(np.arange(n), idx.shape[1])
    keep = sim.ravel() >= floor
    edges = np.stack([rows[keep], idx.ravel()[keep]], axis=1)
    weights = sim.ravel()[keep].astype(float)
    try:
        import igraph
    except ImportError:  # igraph is a dependency; networkx's Louvain is the slower stand-in
        return _louvain(n, edges, weights, resolution, seed)
    graph = igraph.Graph(n=n, edges=edges.tolist(), directed=False)
    graph.es["weight"] = weights.tolist()
    graph = graph.simplify(combine_edges="max")  # i->j and j->i are one link
    igraph.set_random_number_generator(random.Random(seed))
    try:
        part = graph.community_leiden(objective_function="modularity", weights="weight",
                                      resolution=resolution, n_iterations=-1)
    finally:
        igraph.set_random_number_generator(random)
    return np.asarray(part.membership, dtype=np.int64)


def _louvain(n: int, edges: np.ndarray, weights: np.ndarray, resolution: float,
             seed: int) -> np.ndarray:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), weights.tolist()))
    labels = np.empty(n, dtype=np.int64)
    found = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    for c, members in enumerate(found):
        labels[list(members)] = c
    return labels


def mean_similarity(x: np.ndarray, labels: np.ndarray, n_themes: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows x themes) mean similarity of each row to each theme's members, itself excluded;
    and the theme sizes."""
    sums = np.zeros((n_themes, x.shape[1]), dtype=np.float32)
    themed = labels >= 0
    np.add.at(sums, labels[themed], x[themed])
    sizes = np.bincount(labels[themed], minlength=n_themes).astype(np.float32)
    dots = x @ sums.T
    own = np.zeros_like(dots, dtype=bool)
    own[np.flatnonzero(themed), labels[themed]] = True
    counts = np.where(own, sizes - 1, sizes)
    means = np.where(counts > 0, (dots - own * 1.0) / np.maximum(counts, 1), -1.0)
    return means, sizes


def settle(x: np.ndarray, labels: np.ndarray, chance: Chance, min_size: int,
           passes: int = 5) -> np.ndarray:
    """Dissolve small groups, then send every row to the theme it fits best or to UNTHEMED."""
    _, inverse, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    labels = np.where(sizes[inverse] >= min_size, inverse, UNTHEMED)
    rows = np.arange(len(x))
    for _ in range(passes):
        labels, n_themes = relabel_by_size(labels)
        if n_themes == 0:
            break
        means, counts = mean_similarity(x, labels, n_themes)
        margin = means - chance.fit(counts)[None, :]
        best = margin.argmax(axis=1)
        fits_best = margin[rows, best] >= 0
        fits_own = (labels >= 0) & (margin[rows, np.maximum(labels, 0)] >= 0)
        new = np.where(fits_own, labels, np.where(fits_best, best, UNTHEMED))
        size = np.bincount(new[new >= 0], minlength=n_themes)
        new = np.where((new >= 0) & (size[np.maximum(new, 0)] < min_size), UNTHEMED, new)
        if np.array_equal(new, labels):
            break
        labels = new
    return relabel_by_size(labels)[0]




def default_resolution(n: int) -> float:
    return float(np.clip(np.log10(max(n, 1)) - 1.0, 1.0, RESOLUTION))


def _round(x: np.ndarray, chance: Chance, min_size: int, neighbours: int, resolution: float | None,
           seed: int) -> np.ndarray:
    n = len(x)
    if n < max(min_size, 2):
        return np.full(n, UNTHEMED)
    resolution = default_resolution(n) if resolution is None else resolution
    idx, sim = knn(x, min(neighbours, n - 1))
    raw = communities(n, idx, sim, chance.link, resolution, seed)
    return settle(x, raw, chance, min_size)


def cluster(vectors: np.ndarray, *, min_size: int = MIN_SIZE, neighbours: int = NEIGHBOURS,
            resolution: float | None = None, chance: Chance | None = None, seed: int = 0,
            documents: np.ndarray | None = None, positions: np.ndarray | None = None) -> Clustering:
    """Themes for `vectors` (one row per snippet). On large corpora `documents` and
    `positions` (where each snippet sits in its document) give each snippet its context."""
    x = normalize(vectors)
    chance = chance or Chance.of(x, seed=seed)
    min_size = max(int(min_size), 2)
    if len(x) >= reduce.SMALL:
        labels, n_themes = reduce.partition(x, documents, min_size, positions=positions)
        return Clustering(labels, chance, n_themes, partition=True)
    return graph_cluster(x, min_size=min_size, neighbours=neighbours, resolution=resolution,
                         chance=chance, seed=seed)


def graph_cluster(vectors: np.ndarray, *, min_size: int = MIN_SIZE, neighbours: int = NEIGHBOURS,
                  resolution: float | None = None, chance: Chance | None = None,
                  seed: int = 0) -> Clustering:
    """The graph method (steps 1-4 above) at any size; the number of themes is found."""
    x = normalize(vectors)
    chance = chance or Chance.of(x, seed=seed)
    min_size = max(int(min_size), 2)
    labels = _round(x, chance, min_size, neighbours, resolution, seed)
    left = np.flatnonzero(labels == UNTHEMED)
    if len(left) >= min_size and len(left) < len(x):
        more = _round(x[left], chance, min_size, neighbours, resolution, seed)
        labels[left] = np.where(more >= 0, more + labels.max() + 1, UNTHEMED)
    labels, n_themes = relabel_by_size(labels)
    return Clustering(labels, chance, n_themes)


def place(x: np.ndarray, labels: np.ndarray, movable: np.ndarray, chance: Chance, min_size: int,
          closed: np.ndarray, protected: np.ndarray, keep_unfit: bool = False) -> np.ndarray:
    """Send each movable row to the group it fits best, or UNTHEMED, until stable.
    `keep_unfit`: a row that fits no group stays where it is (a partition's
    member is not unthemed for failing the chance test).

    Groups are labels 0..n-1. `closed[g]`: nobody joins group g (pinned);
    `protected[g]`: g is never dissolved for being small (kept by the researcher).
    Other groups under `min_size` are dissolved (their movable rows unthemed).
    """
    labels = labels.copy()
    rows = np.arange(len(x))
    n = len(closed)
    for _ in range(5):
        if n == 0:
            break
        means, sizes = mean_similarity(x, labels, n)
        margin = means - chance.fit(sizes)[None, :]
        margin[:, closed | (sizes == 0)] = -np.inf
        best = margin.argmax(axis=1)
        stay = np.where(keep_unfit & (labels >= 0), labels, UNTHEMED)
        new = np.where(movable, np.where(margin[rows, best] >= 0, best, stay), labels)
        size = np.bincount(new[new >= 0], minlength=n)
        small = (size < min_size) & ~protected
        new = np.where(movable & (new >= 0) & small[np.maximum(new, 0)], UNTHEMED, new)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels
