"""Sentence embeddings with sentence-transformers on torch: the reference, and the fallback.

Importing torch costs seconds and hundreds of MB, so nothing here loads until
an encoder is made. torch's thread count is per process: `threads()` sets it
for a run of worker threads and puts it back afterwards.
"""
from __future__ import annotations

import copy
import threading
from typing import Sequence

import numpy as np


_MODELS: dict[str, object] = {}
_LOCK = threading.Lock()
_DEFAULT_THREADS: list[int] = []  # torch's own choice (one per core), read before any change


def _load(name: str):
    """One SentenceTransformer per process and model, shared by every workspace."""
    with _LOCK:
        if name not in _MODELS:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no weight-loading bars in CLI output
            torch_threads()
            _MODELS[name] = SentenceTransformer(name, device="cpu")
        return _MODELS[name]


def torch_threads(n: int | None = None) -> int:
    """Set torch's threads per model call (clamped to 1..default; None: the default).
    Always back to the default, never to what was set before: two ingests in one
    process would leave each other's setting behind."""
    import torch

    if not _DEFAULT_THREADS:
        _DEFAULT_THREADS.append(torch.get_num_threads())
    n = max(1, min(n or _DEFAULT_THREADS[0], _DEFAULT_THREADS[0]))
    if n != torch.get_num_threads():
        torch.set_num_threads(n)
    return n


class TorchEncoder:
    backend = "torch"

    def __init__(self, model: str, replica_of: "TorchEncoder | None" = None):
        self.model_name = model
        # a replica has its own tokenizer: sentence-transformers' must not be shared between threads
        self._model = copy.deepcopy(replica_of._model) if replica_of else _load(model)

    @property
    def dimension(self) -> int:
        named = getattr(self._model, "get_embedding_dimension", None)  # the newer name
        return named() if named else self._model.get_sentence_embedding_dimension()

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self._model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False).astype(np.float32)

