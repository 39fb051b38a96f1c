"""An in-memory table of every snippet's filterable fields, aligned row for row
with the keyword index and the vector matrix, so a filter becomes a numpy mask.

Built from SQLite (the system of record), saved beside the BM25 files so that
a new process (each CLI call) loads it in milliseconds instead of rebuilding.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from research_hub.store.vectors import date_number

CATEGORIES = ("role", "participant", "study", "kind", "document_id")

TAG_SQL = "SELECT snippet_id, tag FROM effective_tags"


@dataclass
class Catalog:
    ids: np.ndarray  # str, one per row
    hashes: np.ndarray  # text hash per row (key of the embedding cache)
    seq: np.ndarray  # position of the snippet in its document
    dates: np.ndarray  # YYYYMMDD as int, 0 when unknown
    codes: dict[str, np.ndarray]  # category -> int code per row (-1 = none)
    vocab: dict[str, list[str]]  # category -> values, indexed by code
    tag_names: list[str]
    tag_rows: list[np.ndarray]  # rows carrying each tag

    def __post_init__(self):
        self.row_of = {sid: i for i, sid in enumerate(self.ids.tolist())}
        self._code = {c: {v: i for i, v in enumerate(vs)} for c, vs in self.vocab.items()}
        self._tag = {t: i for i, t in enumerate(self.tag_names)}

    def __len__(self) -> int:
        return len(self.ids)

    def code(self, category: str, value: str) -> int:
        return self._code[category].get(value, -2)  # -2 matches no row

    def value(self, category: str, row: int) -> str | None:
        c = int(self.codes[category][row])
        return self.vocab[category][c] if c >= 0 else None

    def rows_with_tag(self, tag: str) -> np.ndarray:
        i = self._tag.get(tag)
        return self.tag_rows[i] if i is not None else np.zeros(0, dtype=np.int64)

    # -- build, save, load ---------------------------------------------------
    @classmethod
    def from_rows(cls, rows, tag_pairs) -> "Catalog":
        """rows: (id, text_hash, seq, date, role, participant, study, kind, document_id)."""
        ids = np.array([r[0] for r in rows], dtype=str) if rows else np.zeros(0, dtype="<U1")
        vocab, codes = {}, {}
        for j, cat in enumerate(CATEGORIES, start=4):
            values = sorted({r[j] for r in rows if r[j] is not None})
            index = {v: i for i, v in enumerate(values)}
            vocab[cat] = values
            codes[cat] = np.array([index.get(r[j], -1) for r in rows], dtype=np.int32)
        row_of = {r[0]: i for i, r in enumerate(rows)}
        by_tag: dict[str, list[int]] = {}
        for sid, tag in tag_pairs:
            if sid in row_of:
                by_tag.setdefault(tag, []).append(row_of[sid])
        names = sorted(by_tag)
        return cls(ids=ids,
                   hashes=np.array([r[1] for r in rows], dtype=str) if rows else np.zeros(0, dtype="<U1"),
                   seq=np.array([r[2] for r in rows], dtype=np.int32),
                   dates=np.array([date_number(r[3]) or 0 for r in rows], dtype=np.int32),
                   codes=codes, vocab=vocab, tag_names=names,
                   tag_rows=[np.array(sorted(by_tag[t]), dtype=np.int64) for t in names])

    def save(self, folder: Path) -> None:
        lengths = np.array([len(r) for r in self.tag_rows], dtype=np.int64)
        flat = np.concatenate(self.tag_rows) if self.tag_rows else np.zeros(0, dtype=np.int64)
        arrays = {"ids": self.ids, "hashes": self.hashes, "seq": self.seq, "dates": self.dates,
                  "tag_names": np.array(self.tag_names, dtype=str), "tag_lengths": lengths,
                  "tag_flat": flat}
        for cat in CATEGORIES:
            arrays[f"code_{cat}"] = self.codes[cat]
            arrays[f"vocab_{cat}"] = np.array(self.vocab[cat], dtype=str)
        np.savez(folder / "catalog.npz", **arrays)

    @classmethod
    def load(cls, folder: Path) -> "Catalog":
        with np.load(folder / "catalog.npz", allow_pickle=False) as z:
            bounds = np.cumsum(np.concatenate([[0], z["tag_lengths"]]))
            flat = z["tag_flat"]
            return cls(ids=z["ids"], hashes=z["hashes"], seq=z["seq"], dates=z["dates"],
                       codes={c: z[f"code_{c}"] for c in CATEGORIES},
                       vocab={c: z[f"vocab_{c}"].tolist() for c in CATEGORIES},
                       tag_names=z["tag_names"].tolist(),
                       tag_rows=[flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])])
