"""What every clustering step shares: unit vectors, the unthemed label, themes numbered by size."""
from __future__ import annotations

import numpy as np

UNTHEMED = -1


def normalize(vectors: np.ndarray) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


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
