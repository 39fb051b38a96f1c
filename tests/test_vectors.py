"""The Chroma index keeps only each vector's document; an older index loses its other keys."""
from __future__ import annotations

import chromadb
import numpy as np

from research_hub.store.vectors import LEGACY_KEYS, VectorIndex, vector_metadata


def _old_index(path: str) -> None:
    """A collection as an older version wrote it: every filter field in Chroma, no layout mark."""
    client = chromadb.PersistentClient(path=path, settings=chromadb.Settings(anonymized_telemetry=False))
    client.get_or_create_collection("snippets", configuration={"hnsw": {"space": "cosine"}},
                                    embedding_function=None).add(
        ids=["a", "b"], embeddings=np.eye(2, 4, dtype=np.float32),
        metadatas=[{"document_id": "d1", "role": "participant", "tags": ["pain_point"], "study": "s"}] * 2)


def test_only_the_document_id_is_written(tmp_path):
    row = {"document_id": "d1", "speaker": "Maria", "role": "participant", "participant": "Maria",
           "kind": "interview", "study": "s", "date": "2025-01-02"}
    assert vector_metadata(row, ["pain_point"]) == {"document_id": "d1"}
    index = VectorIndex(str(tmp_path))
    assert not index.legacy
    index.upsert(["a"], np.ones((1, 4), dtype=np.float32), [vector_metadata(row)])
    assert index.get(["a"], include=["metadatas"])["metadatas"] == [{"document_id": "d1"}]


def test_an_older_index_sheds_its_legacy_keys_and_reindex_marks_it_new(tmp_path):
    _old_index(str(tmp_path))
    index = VectorIndex(str(tmp_path))
    assert index.legacy
    index.upsert(["a"], np.ones((1, 4), dtype=np.float32), [{"document_id": "d2"}])
    index.update_metadata(["b"], [{"document_id": "d1"}])
    metas = index.get(["a", "b"], include=["metadatas"])["metadatas"]
    assert metas == [{"document_id": "d2"}, {"document_id": "d1"}]
    assert not any(k in m for m in metas for k in LEGACY_KEYS)
    index.reset()
    assert not index.legacy and not VectorIndex(str(tmp_path)).legacy
