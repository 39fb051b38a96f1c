"""The BM25 postings the keyword side scores with: built by bm25s, read with numpy alone.

bm25s precomputes each (term, snippet) BM25 contribution into a compressed
sparse column per term. Scoring a query is then the sum of a few columns, so
a search loads three arrays and a vocabulary instead of importing bm25s (and
scipy behind it), which costs most of a cold start.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Postings:
    vocab: dict[str, int]  # stem -> column
    indptr: np.ndarray  # column t holds rows indices[indptr[t]:indptr[t + 1]]
    indices: np.ndarray
    data: np.ndarray  # BM25 contribution of the term to that row
    rows: int

    @classmethod
    def build(cls, token_lists: list[list[str]]) -> "Postings":
        import bm25s  # only when the index is rebuilt

        bm25 = bm25s.BM25()
        bm25.index(token_lists, show_progress=False)
        s = bm25.scores
        return cls(dict(bm25.vocab_dict), np.asarray(s["indptr"], dtype=np.int64),
                   np.asarray(s["indices"], dtype=np.int64), np.asarray(s["data"], dtype=np.float32),
                   len(token_lists))

    def __contains__(self, term: str) -> bool:
        return term in self.vocab

    def rows_containing(self, term: str) -> np.ndarray:
        t = self.vocab.get(term)
        if t is None:
            return np.zeros(0, dtype=np.int64)
        return self.indices[self.indptr[t]:self.indptr[t + 1]]

    def scores(self, terms: list[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 of every row for these distinct stems; 0 where the mask is False."""
        out = np.zeros(self.rows, dtype=np.float32)
        for term in terms:
            t = self.vocab.get(term)
            if t is not None:
                a, b = self.indptr[t], self.indptr[t + 1]
                out[self.indices[a:b]] += self.data[a:b]  # a term lists each row once
        return out * mask if mask is not None else out

    def save(self, folder: Path) -> None:
        np.savez(folder / "postings.npz", indptr=self.indptr, indices=self.indices, data=self.data,
                 rows=np.array([self.rows]))
        (folder / "vocab.json").write_text(json.dumps(self.vocab), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "Postings":
        with np.load(folder / "postings.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("indptr", "indices", "data", "rows")}
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        return cls(vocab, arrays["indptr"], arrays["indices"], arrays["data"], int(arrays["rows"][0]))
