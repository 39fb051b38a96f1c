"""The Chroma index of snippet vectors: embedded on disk, or a Chroma server."""
from __future__ import annotations

import logging
from typing import Any, Iterable, Sequence
from urllib.parse import urlparse

import numpy as np

log = logging.getLogger(__name__)

ADD_BATCH = 2000


def date_number(date: str | None) -> int | None:
    """'2026-08-14' -> 20260814, so Chroma can range-filter dates."""
    if not date or len(date) < 10:
        return None
    try:
        return int(date[:10].replace("-", ""))
    except ValueError:
        return None


def vector_metadata(row: Any, tags: Sequence[str] = ()) -> dict[str, Any]:
    """What the index keeps beside a vector: its document only.

    Search filters on numpy masks built from SQLite (search.dense), never on
    Chroma's `where`, so speaker, role, study, dates and tags in Chroma were
    written on every upsert (a third of its cost) and read by nothing. The
    document id stays, to find a document's vectors in the index itself."""
    return {"document_id": row["document_id"]}


META_KEYS = ("document_id",)
LAYOUT = "document_id"  # marks a collection whose entries carry META_KEYS only
LEGACY_KEYS = ("speaker", "role", "participant", "kind", "study", "date", "tags")  # older indexes


def _replacing(metadatas: Sequence[dict]) -> list[dict]:
    """Chroma merges metadata on upsert and update; None deletes a key. An index written
    by an older version has the LEGACY_KEYS too: sent as None, they go."""
    return [{**dict.fromkeys(LEGACY_KEYS), **m} for m in metadatas]


def _client(path: str | None, url: str | None):
    import chromadb

    settings = chromadb.Settings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        return chromadb.HttpClient(host=parsed.hostname or "localhost", port=parsed.port or 8000,
                                   ssl=parsed.scheme == "https", settings=settings)
    return chromadb.PersistentClient(path=path, settings=settings)


class VectorIndex:
    def __init__(self, path: str | None = None, url: str | None = None, name: str = "snippets"):
        self.url = url
        self.client = _client(path, url)
        self.name = name
        self.collection = self._open()

    def _open(self):
        # embedding_function=None: we always pass vectors; Chroma's default would download a model
        return self.client.get_or_create_collection(
            self.name, configuration={"hnsw": {"space": "cosine", "ef_search": 100}},
            metadata={"research_hub_layout": LAYOUT}, embedding_function=None)

    @property
    def mode(self) -> str:
        return f"server {self.url}" if self.url else "embedded"

    def count(self) -> int:
        return self.collection.count()

    @property
    def legacy(self) -> bool:
        """Made by an older version (no LAYOUT mark): entries may carry LEGACY_KEYS until
        a reindex makes the collection anew."""
        return (self.collection.metadata or {}).get("research_hub_layout") != LAYOUT

    def _metas(self, metadatas: Sequence[dict]) -> list[dict]:
        return _replacing(metadatas) if self.legacy else list(metadatas)

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]) -> None:
        for i in range(0, len(ids), ADD_BATCH):
            self.collection.upsert(ids=list(ids[i:i + ADD_BATCH]),
                                   embeddings=np.asarray(vectors[i:i + ADD_BATCH], dtype=np.float32),
                                   metadatas=self._metas(metadatas[i:i + ADD_BATCH]))

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[dict]) -> None:
        if ids:
            self.collection.update(ids=list(ids), metadatas=self._metas(metadatas))

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), ADD_BATCH):
            self.collection.delete(ids=ids[i:i + ADD_BATCH])

    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        offset, page = 0, 10000
        while True:
            got = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            ids.update(got)
            if len(got) < page:
                return ids
            offset += page

    def get(self, ids: Sequence[str], include=("embeddings", "metadatas")) -> dict[str, Any]:
        return self.collection.get(ids=list(ids), include=list(include))

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(id, cosine similarity) pairs, best first."""
        n = self.count()
        if n == 0:
            return []
        res = self.collection.query(query_embeddings=[np.asarray(vector, dtype=np.float32)],
                                    n_results=min(k, n), where=where or None, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0])]

    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the n nearest vectors, unfiltered. Skips the count()
        that `query` asks first (6-17 ms at 100k snippets): Chroma clamps n itself."""
        res = self.collection.query(query_embeddings=[np.asarray(vector, dtype=np.float32)],
                                    n_results=n, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0])]

    def reset(self) -> None:
        try:
            self.client.delete_collection(self.name)
        except Exception:  # a missing collection is what we want anyway
            log.debug("no collection to delete")
        self.collection = self._open()
