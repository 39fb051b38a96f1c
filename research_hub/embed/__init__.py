"""Sentence embeddings: one model, one of three backends, batched and cached by (key, text hash).

    onnx       ONNX Runtime, fp32: the default; torch's vectors (cosine 1.0000), about 2x its speed
    onnx-int8  ONNX Runtime, int8 weights: about 4x torch's speed, cosine 0.992 to it, which
               is enough to reorder near-ties (the README's example queries lose 1-2 of their
               top 5), so it is a choice for large ingests, not the default
    torch      sentence-transformers on torch: the reference, and what exports the ONNX files

Every vector has a key (model, fingerprint of its files, backend, export
recipe); the cache and the index record it, so vectors of two backends never
mix. Re-ingesting unchanged text never touches the model: vectors come back
from the cache. Models load lazily, once per process, from a local folder;
weights never come from a hub.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Protocol, Sequence

import numpy as np

from research_hub.core.errors import InvalidInputError
from research_hub.core.text import text_hash
from research_hub.embed.model_files import vector_key
from research_hub.embed.onnx_encoder import OnnxEncoder
from research_hub.embed.torch_encoder import TorchEncoder, torch_threads

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

BACKENDS = ("onnx", "onnx-int8", "torch")


class VectorCache(Protocol):
    """Where vectors are kept by text hash (the store provides one per workspace)."""

    def get_many(self, hashes: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, items: dict[str, np.ndarray]) -> None: ...


def default_threads() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Embedder:
    def __init__(self, model: str, backend: str = "onnx", cache: VectorCache | None = None,
                 batch_size: int = 64):
        if backend not in BACKENDS:
            raise InvalidInputError(f"unknown embedding backend {backend!r}; use one of {', '.join(BACKENDS)}")
        self.model_name = model
        self.backend = backend
        self.batch_size = batch_size
        self.cache = cache
        self.encoded = 0  # texts that really went through the model (cache misses)
        self._count_lock = threading.Lock()
        self._encoders: dict[int | None, object] = {}
        self._key: str | None = None

    # -- which vectors ---------------------------------------------------------------
    @property
    def key(self) -> str:
        """Names these vectors: model, fingerprint of its files, backend (and export recipe)."""
        if self._key is None:
            if self.backend != "torch":
                _local_folder(self.model_name)
            self._key = vector_key(self.model_name, self.backend)
        return self._key

    @property
    def model_key(self) -> str:
        return self.key

    @property
    def dimension(self) -> int:
        return self.encoder().dimension

    # -- encoders ----------------------------------------------------------------------
    def encoder(self, threads: int | None = None):
        """The model on this backend; `threads` per call (None: the backend's default)."""
        if threads not in self._encoders:
            self._encoders[threads] = _make(self.model_name, self.backend, threads)
        return self._encoders[threads]

    @contextmanager
    def workers(self, n: int) -> Iterator[list]:
        """n encoders for n threads running side by side, one core each. ONNX Runtime's run is
        thread-safe, so they share one single-threaded session; torch needs a replica per
        thread and its process-wide thread count set for the while."""
        if self.backend != "torch":
            yield [self.encoder(1)] * n
            return
        torch_threads(max(1, default_threads() // n))
        try:
            yield [self.encoder()] + [TorchEncoder(self.model_name, self.encoder()) for _ in range(n - 1)]
        finally:
            torch_threads(None)

    # -- encoding ----------------------------------------------------------------------
    def encode_raw(self, texts: Sequence[str], encoder=None) -> np.ndarray:
        """Straight through the model (or the given encoder): no cache. Unit-length float32 rows."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vecs = (encoder or self.encoder()).encode(list(texts), batch_size=self.batch_size)
        with self._count_lock:
            self.encoded += len(texts)
        return np.asarray(vecs, dtype=np.float32)

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
        """One query on one thread: a short text gains nothing from a second core, and the
        other core may be busy with an ingest or another user."""
        return self.encode_raw([query], self.encoder(1))[0]


def _local_folder(model: str) -> Path:
    if os.path.isdir(model):
        return Path(model)
    raise InvalidInputError(f"the ONNX backends need the model as a local folder, and {model!r} is not one: "
                            "set RESEARCH_HUB_MODEL to the folder, or RESEARCH_HUB_BACKEND=torch")


def _make(model: str, backend: str, threads: int | None):
    if backend == "torch":
        return TorchEncoder(model)
    return OnnxEncoder(_local_folder(model), backend, threads)
