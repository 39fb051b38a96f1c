"""Quoted phrases are a hard constraint: a hit must contain each one, words in order."""
from __future__ import annotations

import re

import numpy as np

from research_hub.core import tokens as T

CHUNK = 500


def phrase_mask(ws, state, patterns: list[re.Pattern], phrases: list[str],
                mask: np.ndarray | None) -> np.ndarray:
    """The mask narrowed to rows whose text matches every phrase.

    Candidates come from the BM25 postings (rows holding every stem of the
    phrase); only their texts are read and checked against the pattern.
    """
    keep = np.ones(len(state), dtype=bool) if mask is None else mask.copy()
    for pattern, phrase in zip(patterns, phrases):
        rows = np.flatnonzero(keep)
        for term in T.terms(phrase):
            rows = np.intersect1d(rows, state.rows_containing(term), assume_unique=True)
        matched = np.zeros(len(state), dtype=bool)
        for row in _matching(ws, state, rows, pattern):
            matched[row] = True
        keep &= matched
    return keep


def _matching(ws, state, rows: np.ndarray, pattern: re.Pattern):
    ids = state.catalog.ids
    row_of = state.catalog.row_of
    for i in range(0, len(rows), CHUNK):
        chunk = [str(ids[r]) for r in rows[i:i + CHUNK]]
        for sid, text in ws.records.texts(chunk).items():
            if pattern.search(text):
                yield row_of[sid]
