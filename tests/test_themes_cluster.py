"""Clustering on vectors directly: synthetic blobs, then the real model on planted text."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from research_hub.themes import cluster as C
from research_hub.themes.label import ctfidf, describe, top_terms
from themes_corpus import NOISE, PLANTED


def blobs(seed=0, themes=6, per=12, dim=384, spread=0.35, noise=5):
    rng = np.random.default_rng(seed)
    centres = C.normalize(rng.normal(size=(themes, dim)))
    rows, truth = [], []
    for t, c in enumerate(centres):
        rows.append(c + spread * rng.normal(size=(per, dim)) / np.sqrt(dim) * 4)
        truth += [t] * per
    rows.append(rng.normal(size=(noise, dim)))
    truth += [-1] * noise
    return C.normalize(np.vstack(rows)), np.array(truth)


def test_blobs_are_recovered_and_noise_is_unthemed():
    x, truth = blobs()
    result = C.cluster(x)
    assert result.n_themes == 6
    themed = truth >= 0
    assert adjusted_rand_score(truth[themed], result.labels[themed]) == 1.0
    assert (result.labels[~themed] == C.UNTHEMED).all()
    assert len(result.labels) == len(x)  # every row is in a theme or unthemed


def test_number_of_themes_is_found_not_given():
    for themes in (3, 9):
        x, _ = blobs(seed=themes, themes=themes)
        assert C.cluster(x).n_themes == themes


def test_min_size_dissolves_small_groups():
    x, truth = blobs(themes=3, per=4, noise=0)
    assert C.cluster(x, min_size=5).n_themes == 0
    assert (C.cluster(x, min_size=5).labels == C.UNTHEMED).all()
    assert C.cluster(x, min_size=3).n_themes == 3


def test_tiny_and_empty_inputs():
    assert C.cluster(np.zeros((0, 8))).n_themes == 0
    one = C.cluster(np.ones((1, 8)))
    assert one.n_themes == 0 and list(one.labels) == [C.UNTHEMED]


def test_labels_are_deterministic():
    x, _ = blobs(seed=3)
    assert np.array_equal(C.cluster(x).labels, C.cluster(x).labels)


def test_place_sends_rows_where_they_fit_and_respects_closed_groups():
    x, truth = blobs(themes=2, per=10, noise=3)
    chance = C.Chance.of(x)
    labels = np.where(truth >= 0, truth, C.UNTHEMED)
    labels[[0, 1]] = 1  # two rows of group 0 put in the wrong group
    labels[truth == -1] = 0  # noise put in group 0
    movable = np.ones(len(x), dtype=bool)
    open_ = np.array([False, False])
    placed = C.place(x, labels, movable, chance, 3, open_, open_)
    assert (placed[truth == 0] == 0).all() and (placed[truth == 1] == 1).all()
    assert (placed[truth == -1] == C.UNTHEMED).all()
    closed = np.array([True, False])  # group 0 pinned: its strays cannot come back
    placed = C.place(x, labels, movable, chance, 3, closed, np.array([True, False]))
    assert (placed[[0, 1]] == C.UNTHEMED).all()
    frozen = C.place(x, labels, np.zeros(len(x), dtype=bool), chance, 3, open_, open_)
    assert np.array_equal(frozen, labels)  # nothing movable, nothing moves


def test_ctfidf_keywords_are_not_stop_words():
    texts = ["the export is slow and it times out", "exporting the csv export is slow, um, really",
             "the bank feed keeps disconnecting", "I have to reconnect the bank feed, you know"]
    labels = np.array([0, 0, 1, 1])
    terms, weights = ctfidf(texts, labels, 2)
    kw0, kw1 = top_terms(terms, weights[0]), top_terms(terms, weights[1])
    assert "export" in kw0 and "bank" in " ".join(kw1)
    assert not {"the", "um", "you", "know", "really", "is"} & set(kw0 + kw1)
    out = describe(texts, labels, 2, [[0, 1], [2, 3]], phrases=False)
    assert "export" in out[0][0] and "bank" in out[1][0]


@pytest.mark.integration
def test_planted_themes_with_the_real_model():
    from research_hub.core.settings import Settings
    from research_hub.embed import Embedder

    texts = [t for group in PLANTED.values() for t in group] + NOISE
    truth = np.array([i for i, group in enumerate(PLANTED.values()) for _ in group] + [-1] * len(NOISE))
    x = Embedder(Settings.load(None, None, None).model).encode_raw(texts)
    result = C.cluster(x)
    themed = truth >= 0
    assert result.n_themes == len(PLANTED)
    assert adjusted_rand_score(truth[themed], result.labels[themed]) == 1.0
    assert (result.labels[~themed] == C.UNTHEMED).all()


@pytest.mark.integration
def test_bench_reports_our_method_when_bertopic_is_missing(tmp_path, monkeypatch):
    import csv
    import sys

    from research_hub.bench import themes as bench

    path = tmp_path / "labelled.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "category"])
        for name, texts in PLANTED.items():
            w.writerows([t, name] for t in texts)
    monkeypatch.setitem(sys.modules, "bertopic", None)  # import bertopic -> ImportError
    result = bench.run(path, out=lambda m: None)
    assert [r["method"] for r in result["rows"]] == ["research_hub"]
    assert "not installed" in result["note"]
    row = result["rows"][0]
    assert row["v_measure"] >= 0.9 and row["ari"] >= 0.8 and row["unthemed_share"] <= 0.1
