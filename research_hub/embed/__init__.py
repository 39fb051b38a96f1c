"""Sentence embeddings, batched and cached by (model, text hash).

Re-ingesting unchanged text never touches the model: vectors come back from
the cache. The model loads lazily, once per process, from a local folder.
"""
from __future__ import annotations

import copy
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from research_hub.core.text import text_hash

# Weights come from site-packages or a folder the user names; never from a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


_MODELS: dict[tuple[str, int], object] = {}
_MODEL_LOCK = threading.Lock()
_DEFAULT_THREADS: list[int] = []  # torch's own choice (one per core), read before any change


def load_model(name: str, replica: int = 0):
    """One SentenceTransformer per process and replica, shared by every Hub.

    Replica 0 is the model; others are copies for threads that run the model side
    by side (ingest.embed_worker), each with its own tokenizer, which must not be
    shared between threads."""
    with _MODEL_LOCK:
        if (name, 0) not in _MODELS:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no weight-loading bars in CLI output
            default_threads()
            _MODELS[(name, 0)] = SentenceTransformer(name, device="cpu")
        if (name, replica) not in _MODELS:
            _MODELS[(name, replica)] = copy.deepcopy(_MODELS[(name, 0)])
        return _MODELS[(name, replica)]


def default_threads() -> int:
    import torch

    if not _DEFAULT_THREADS:
        _DEFAULT_THREADS.append(torch.get_num_threads())
    return _DEFAULT_THREADS[0]


def use_torch_threads(n: int | None = None) -> None:
    """n threads per model call (clamped to 1..default); None: back to the default.
    Always back to the default, never to what was set before: two ingests in one
    process (two app sessions) would leave each other's setting behind."""
    import torch

    n = max(1, min(n or default_threads(), default_threads()))
    if n != torch.get_num_threads():
        torch.set_num_threads(n)


class VectorCache(Protocol):
    """Where vectors are kept by text hash (the store provides one per workspace)."""

    def get_many(self, hashes: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, items: dict[str, np.ndarray]) -> None: ...


class Embedder:
    def __init__(self, model: str, cache: VectorCache | None = None, batch_size: int = 64):
        self.model_name = model
        self.batch_size = batch_size
        self.cache = cache
        self.encoded = 0  # texts that really went through the model (cache misses)
        self._count_lock = threading.Lock()

    @property
    def model_key(self) -> str:
        return Path(self.model_name).name if os.path.isdir(self.model_name) else self.model_name

    @property
    def model(self):
        return load_model(self.model_name)

    def replicas(self, n: int) -> list:
        return [load_model(self.model_name, i) for i in range(n)]

    @property
    def dimension(self) -> int:
        model = self.model
        named = getattr(model, "get_embedding_dimension", None)  # the newer name
        return named() if named else model.get_sentence_embedding_dimension()

    def encode_raw(self, texts: Sequence[str], model=None) -> np.ndarray:
        """Straight through the model (or the given replica): no cache. Unit-length float32 rows."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = (model or self.model).encode(list(texts), batch_size=self.batch_size,
                                            normalize_embeddings=True, convert_to_numpy=True,
                                            show_progress_bar=False)
        with self._count_lock:
            self.encoded += len(texts)
        return vecs.astype(np.float32)

    def split_cached(self, hashes: Sequence[str], texts: Sequence[str]
                     ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
        """(vectors the cache has, {hash: text} the model must embed, each text once)."""
        known = self.cache.get_many(hashes) if self.cache else {}
        missing: dict[str, str] = {}
        for h, t in zip(hashes, texts):
            if h not in known:
                missing.setdefault(h, t)
        return known, missing

    def remember(self, fresh: dict[str, np.ndarray]) -> None:
        if self.cache and fresh:
            self.cache.put_many(fresh)

    def stack(self, hashes: Sequence[str], found: dict[str, np.ndarray]) -> np.ndarray:
        """One row per hash, in order."""
        if not hashes:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([found[h] for h in hashes])

    def encode(self, texts: Sequence[str], hashes: Sequence[str] | None = None) -> np.ndarray:
        """Vectors for texts, from the cache where it has them."""
        hashes = list(hashes) if hashes is not None else [text_hash(t) for t in texts]
        found, missing = self.split_cached(hashes, texts)
        if missing:
            fresh = dict(zip(missing, self.encode_raw(list(missing.values()))))
            self.remember(fresh)
            found.update(fresh)
        return self.stack(hashes, found)

    @lru_cache(maxsize=256)
    def encode_query(self, query: str) -> np.ndarray:
        return self.encode_raw([query])[0]
