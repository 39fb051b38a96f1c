"""bench tags: the learned tag model against the phrase rules, on labelled snippets it never saw.

The logistic model is fitted exactly as ingest fits it (ingest/tag_learning.py: the
``train`` rows of ingest/data/tag_training.csv, usability_sessions.csv and autistica_quotes.csv); it, the
package's fine-tuned weights (``shipped``, the default tagger, trained on the same rows)
and the rules tag the ``test`` rows: whole documents kept out of training,
from the 250 Anthropic Interviewer interviews (CC BY), the Idaho oral histories
(MIT), BANKING77 (CC BY 4.0, unseen intents), a HERITRACE think-aloud session (ISC)
usability research of the USDA Forest Service, HHS and 18F (CC0, its own group) and the
Autistica/Turing citizen-science prototype tests (CC BY 4.0; its focus groups train);
and apart from those, usability quotes never trained on (18F write-ups, CC0; HERITRACE
written answers, ISC); see ingest/data/README.md. Precision and recall per tag, overall and per source,
and Cohen's kappa against the labels beside that of a blind second labelling of the interview,
session and Autistica test rows.
Vectors are cached under the user's cache folder, so a second run is quick.
"""
from __future__ import annotations

import csv
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from sklearn.metrics import cohen_kappa_score

from research_hub.bench.tags_finetune import fine_tuned_labels
from research_hub.ingest import tag_finetuned
from research_hub.core.settings import Settings
from research_hub.embed import Embedder
from research_hub.embed.model_files import cache_root
from research_hub.ingest.tag import Tagger, context_vectors
from research_hub.ingest.tag_learning import AUTISTICA, SESSIONS, TAGS, TRAINING, USABILITY, Unit, fit, training_units, units
from research_hub.ingest.types import PARTICIPANT, SnippetDraft
from research_hub.store.embedding_cache import EmbeddingCache

SECOND_LABELS = TRAINING.with_name("second_labels.csv")
AGREEMENT_TAGS = ("pain_point", "feature_request")


def _embedder() -> Embedder:
    settings = Settings.load()
    embedder = Embedder(settings.model, settings.backend, batch_size=settings.batch_size)
    embedder.cache = EmbeddingCache(cache_root().parent / "bench_vectors.sqlite", embedder.key)
    return embedder


def rule_labels(test: Sequence[Unit]) -> np.ndarray:
    """(n, 5) 0/1: what the phrase rules give each unit, as ingest would with `tagger=rules`."""
    drafts = [SnippetDraft(u.text, 0, len(u.text), "P", PARTICIPANT, "P", 1, context=u.context) for u in test]
    Tagger(use_trained=False).tag(drafts, "en")
    return np.array([[int(t in d.tags) for t in TAGS] for d in drafts])


def model_labels(model, test: Sequence[Unit], embedder: Embedder) -> np.ndarray:
    texts, contexts = [u.text for u in test], [u.context for u in test]
    X = embedder.encode(texts)
    found = model.tags(texts, contexts, X, context_vectors(contexts, embedder.encode, X.shape[1]))
    return np.array([[int(t in f) for t in TAGS] for f in found])


def scores(truth: np.ndarray, guess: np.ndarray) -> dict[str, dict[str, float | int]]:
    out = {}
    for j, tag in enumerate(TAGS):
        hit = int((truth[:, j] & guess[:, j]).sum())
        said, real = int(guess[:, j].sum()), int(truth[:, j].sum())
        out[tag] = {"positives": real, "precision": round(hit / said, 3) if said else 0.0,
                    "recall": round(hit / real, 3) if real else 0.0}
    return out


def second_labels(path: Path = SECOND_LABELS) -> dict[str, tuple[int, ...]]:
    """unit_id -> the blind second labelling's 0/1 for AGREEMENT_TAGS."""
    with path.open(newline="", encoding="utf-8") as f:
        return {r["unit_id"]: tuple(int(r[t]) for t in AGREEMENT_TAGS) for r in csv.DictReader(f)}


def agreement(test: Sequence[Unit], truth: np.ndarray, guesses: dict[str, np.ndarray]) -> dict[str, dict]:
    """Cohen's kappa against the shipped labels, on the units the second labelling covers:
    of each guesser, and of the second labelling itself."""
    second = second_labels()
    idx = [i for i, u in enumerate(test) if u.unit_id in second]
    others = {"second labeller": np.array([second[test[i].unit_id] for i in idx]).reshape(len(idx), -1)}
    others.update({name: g[idx][:, [TAGS.index(t) for t in AGREEMENT_TAGS]] for name, g in guesses.items()})
    return {"units": len(idx), **{name: {t: round(float(cohen_kappa_score(truth[idx, TAGS.index(t)], said[:, j])), 3)
                                         for j, t in enumerate(AGREEMENT_TAGS)} for name, said in others.items()}}


def _scored_sets() -> tuple[list[Unit], dict[str, range]]:
    """Every unit bench tags scores, one list, and where each labelled set sits in it."""
    sets = {"held": units("test"), "sessions": units("test", SESSIONS), "quoted": units(None, USABILITY),
            "prototype": units("test", AUTISTICA)}
    test, spans = [], {}
    for name, part in sets.items():
        spans[name] = range(len(test), len(test) + len(part))
        test += part
    return test, spans


def _rows(test: Sequence[Unit], truth: np.ndarray, guesses: dict[str, np.ndarray], spans: dict[str, range]) -> list[dict]:
    """Precision and recall of each guesser per tag, for each group and each source."""
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, u in enumerate(test):
        by_source[u.source].append(i)
    talk = [i for i in spans["held"] if test[i].source != "banking77"]
    groups = [("all test units", list(spans["held"])), ("interviews and sessions (no BANKING77)", talk),
              ("Anthropic Interviewer interviews", [i for i in talk if test[i].source.startswith("anthropic")]),
              ("usability sessions (held-out documents)", list(spans["sessions"])),
              ("usability quotes (never trained on)", list(spans["quoted"])),
              ("Autistica prototype tests (held-out documents)", list(spans["prototype"]))]
    rows = []
    for source, idx in groups + sorted(by_source.items()):
        per = {name: scores(truth[idx], g[idx]) for name, g in guesses.items()}
        for tag in TAGS:
            rows.append({"source": source, "units": len(idx), "tag": tag, "positives": per["model"][tag]["positives"],
                         **{f"{name}_{m}": per[name][tag][m] for name in per for m in ("precision", "recall")}})
    return rows


def _agreement_within(test: Sequence[Unit], truth: np.ndarray, guesses: dict[str, np.ndarray], span: range) -> dict:
    part = slice(span.start, span.stop)
    return agreement(test[part], truth[part], {name: g[part] for name, g in guesses.items()})


def run(out: Callable[[str], None] = lambda m: None, fine_tune_epochs: int = 0) -> dict:
    """Shipped model and rules on the test rows; with `fine_tune_epochs`, also MiniLM with its top
    layers fine-tuned (bench/tags_finetune.py), trained in this run."""
    embedder, train, (test, spans) = _embedder(), training_units(), _scored_sets()
    out(f"fitting on {len(train)} train units (vectors cached after the first run)")
    started = time.perf_counter()
    model = fit(train, embedder)
    fit_s = time.perf_counter() - started
    truth = np.array([u.labels for u in test])
    guesses = {"model": model_labels(model, test, embedder), "rules": rule_labels(test)}
    name = Settings.load().model
    if tag_finetuned.shipped_fits(name):  # what ingest applies by default
        out("scoring the package's fine-tuned weights")
        guesses["shipped"] = tag_finetuned.FineTuned.load(tag_finetuned.SHIPPED, name).labels(test)
    extra = {}
    if fine_tune_epochs:
        started = time.perf_counter()
        guesses["finetuned"], extra["finetuned_thresholds"] = fine_tuned_labels(
            train, test, name, fine_tune_epochs, say=out)
        extra["finetune_seconds"] = round(time.perf_counter() - started, 1)
        extra["finetune_epochs"] = fine_tune_epochs
    return {"train_units": len(train), "test_units": len(spans["held"]), "session_units": len(spans["sessions"]),
            "usability_units": len(spans["quoted"]), "autistica_units": len(spans["prototype"]),
            "backend": embedder.backend,
            "fit_seconds": round(fit_s, 1), "thresholds": dict(zip(TAGS, np.round(model.thresholds, 3).tolist())),
            "rows": _rows(test, truth, guesses, spans),
            "kappa": _agreement_within(test, truth, guesses, spans["held"]),
            "kappa_autistica": _agreement_within(test, truth, guesses, spans["prototype"]), **extra,
            "data": "ingest/data/README.md (Anthropic Interviewer CC BY; Idaho oral histories MIT; "
            "BANKING77 CC BY 4.0; HERITRACE ISC; USDA Forest Service, HHS TANF and 18F usability research CC0; "
            "Autistica/Turing Citizen Science CC BY 4.0)"}
