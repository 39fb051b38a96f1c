"""The shipped tag model: trained from ingest/data on first use, kept in the user's cache.

The labelled sets (ingest/data/tag_training.csv, usability_sessions.csv and
autistica_quotes.csv, described in ingest/data/README.md) ship with the package; the
fitted model depends on the embedding model too, so it is trained on this machine the
first time a workspace needs it (about half a minute) and cached under
``$XDG_CACHE_HOME/research_hub/tag_models/``, keyed by the embedding model's files,
the labelled sets and the model format. Only the ``train``
rows are used: the ``test`` rows stay unseen, so `research-hub bench tags` scores
exactly the model ingest applies.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from research_hub.embed.model_files import atomic_write_bytes, cache_root, vector_key
from research_hub.ingest import tag_cues, tag_model
from research_hub.ingest.tag import context_vectors
from research_hub.ingest.tag_model import FORMAT, TAGS, Config, TagModel

TRAINING = Path(__file__).with_name("data") / "tag_training.csv"
# Labelled by the same guide, never trained on: the one measure no tagger here has learned from.
USABILITY = Path(__file__).with_name("data") / "usability_quotes.csv"
# Usability-session quotes labelled by the same guide, split by whole document like the main set.
SESSIONS = Path(__file__).with_name("data") / "usability_sessions.csv"
# Focus groups (train) and one-to-one prototype tests (test) of a citizen-science platform.
AUTISTICA = Path(__file__).with_name("data") / "autistica_quotes.csv"
# Every labelled set whose train rows the taggers learn from; a trained tagger is keyed by all of them.
LEARNED = (TRAINING, SESSIONS, AUTISTICA)
Say = Callable[[str], None]


@dataclass(frozen=True)
class Unit:
    """One labelled snippet of the shipped set."""

    unit_id: str
    source: str
    group: str
    split: str
    context: str
    text: str
    labels: tuple[int, ...]  # 0/1 in TAGS order


@lru_cache(maxsize=8)
def _read(path: Path) -> tuple[Unit, ...]:
    with path.open(newline="", encoding="utf-8") as f:
        return tuple(Unit(r["unit_id"], r["source"], r["group"], r["split"], r["context"] or "", r["text"],
                          tuple(int(r[t]) for t in TAGS)) for r in csv.DictReader(f))


def units(split: str | None = None, path: Path = TRAINING) -> list[Unit]:
    """The labelled units, all or one split (``train`` or ``test``)."""
    return [u for u in _read(path) if split is None or u.split == split]


def training_units() -> list[Unit]:
    """What the shipped taggers learn from: the ``train`` rows of every set in LEARNED."""
    return [u for path in LEARNED for u in units("train", path)]


def fit(train: Sequence[Unit], embedder, config: Config | None = None) -> TagModel:
    """A tag model fitted on `train`, over the embedder's vectors of texts and contexts."""
    texts, contexts = [u.text for u in train], [u.context for u in train]
    X = embedder.encode(texts)
    Xc = context_vectors(contexts, embedder.encode, X.shape[1])
    Y = np.array([u.labels for u in train])
    talk = [u.source != "banking77" for u in train]  # the pain threshold is chosen on interview and session rows
    return TagModel(config).fit(texts, contexts, X, Xc, Y, [u.group for u in train], talk)


def model_path(embedder) -> Path:
    """Where the model fitted for this embedding model lives, named by the model's files, the
    labelled set and the code that reads it. The backend is left out: every backend's vectors
    match torch's to a cosine of 0.99 or better."""
    key = cache_key(embedder.model_name, *LEARNED, Path(tag_cues.__file__), Path(tag_model.__file__), FORMAT)
    return cache_root().parent / "tag_models" / f"{key}.json"


def cache_key(model_name: str, *parts: Path | str) -> str:
    """A short digest of the embedding model and of files (by content) and strings: what a
    trained tagger depends on."""
    digest = hashlib.sha1(vector_key(model_name, "torch").encode() + b"\0")
    for part in parts:
        digest.update(hashlib.sha256(part.read_bytes()).digest() if isinstance(part, Path) else part.encode() + b"\0")
    return digest.hexdigest()[:20]


def shipped_model(embedder, say: Say | None = None) -> TagModel:
    """The model fitted on the shipped set's train rows: from the cache, or trained now."""
    path = model_path(embedder)
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        return TagModel.from_dict(json.loads(path.read_text()))
    if say:
        say("training the tag model on the shipped labelled snippets (once per machine)")
    model = fit(training_units(), embedder)
    with contextlib.suppress(OSError):  # a read-only cache still leaves a working model
        atomic_write_bytes(path, json.dumps(model.to_dict()).encode())
    return model


__all__ = ["AUTISTICA", "LEARNED", "SESSIONS", "TAGS", "TRAINING", "USABILITY", "Unit", "cache_key", "context_vectors", "fit", "model_path",
           "shipped_model", "training_units", "units"]
