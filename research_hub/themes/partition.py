"""What every clustering step shares: unit vectors, exact neighbours, the unthemed label,
themes numbered by size."""
from __future__ import annotations

import numpy as np

UNTHEMED = -1


def normalize(vectors: np.ndarray) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def knn(x: np.ndarray, k: int, block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Indices and similarities of each row's k nearest other rows (exact, blocked)."""
    n = len(x)
    idx = np.empty((n, k), dtype=np.int64)
    sim = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block):
        s = x[start:start + block] @ x.T
        rows = np.arange(len(s))
        s[rows, rows + start] = -np.inf  # not your own neighbour
        part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        idx[start:start + block] = part
        sim[start:start + block] = s[rows[:, None], part]
    return idx, sim


def relabel_by_size(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Themes renumbered 0.. by decreasing size; UNTHEMED stays."""
    themed = labels[labels >= 0]
    if not len(themed):
        return np.full(len(labels), UNTHEMED), 0
    sizes = np.bincount(themed)
    present = np.flatnonzero(sizes)
    order = present[np.argsort(-sizes[present], kind="stable")]
    mapping = np.full(len(sizes), UNTHEMED)
    mapping[order] = np.arange(len(order))
    return np.where(labels >= 0, mapping[np.maximum(labels, 0)], UNTHEMED), len(order)
