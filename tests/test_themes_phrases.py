"""Readable labels from distinctive phrases, headline quotes, context-aware vectors and the
UMAP + KMeans partition of large selections."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import adjusted_rand_score, homogeneity_score

from research_hub.themes import reduce
from research_hub.themes.cluster import UNTHEMED, cluster, normalize
from research_hub.themes.label import describe, headline, stop_words
from research_hub.themes.phrases import Background, grams, widespread

STOPS = stop_words()


def test_candidates_have_content_words_at_both_edges():
    got = grams("The vendor data changes without notice, and that is a problem", STOPS)
    assert "vendor data changes" in got and "data changes without notice" in got
    assert not any(g.split()[0] in STOPS or g.split()[-1] in STOPS for g in got)
    assert all(2 <= len(g.split()) <= 4 for g in got)


def test_widespread_words_need_most_participants():
    texts = ["I use the data daily", "data is my job", "the data team", "data again", "data",
             "weather is nice"]
    people = ["a", "b", "c", "d", "e", "f"]
    assert widespread(texts, people, STOPS) == ["data"]  # five of six people say it
    assert widespread(texts[:2], people[:2], STOPS) == []  # too few people to call a word generic


def test_label_is_the_distinctive_phrase_not_a_word_everyone_uses():
    theme = ["the vendor data changes without notice again", "our vendor data changes without notice",
             "vendor data changes without notice and breaks the data reports"]
    other = [f"the data looks fine in report {w}" for w in
             ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")]
    texts = theme + other
    people = [str(i) for i in range(len(texts))]
    labels = np.array([0] * 3 + [1] * 8)
    background = Background.of(texts, people, STOPS)
    assert "data" in background.generic
    (label, keywords), _ = describe(texts, labels, 2, [[0, 1, 2], list(range(3, 11))],
                                    background=background)
    assert label in {"vendor data changes", "changes without notice", "data changes without notice"} \
        or "without notice" in label, label
    assert "data" not in keywords
    assert describe(texts, labels, 2, [[0, 1, 2], list(range(3, 11))], phrases=False,
                    background=background)[0][0] != label


def test_headline_quote_holds_the_label_words_verbatim():
    texts = ["it is slow", "the csv export hangs on big files", "csv export is slow"]
    assert headline(texts, [0, 2, 1], "csv export") == 2  # nearest that holds the words
    assert headline(texts, [0], "csv export") == 0        # none holds them: the nearest


def test_context_mixes_only_neighbours_of_the_same_document():
    x = np.eye(4, dtype=np.float32)
    mixed = reduce.with_context(x, np.array(["a", "a", "b", "b"]), window=1, share=1.0)
    assert mixed[0, 2] == 0 and mixed[0, 3] == 0       # nothing from document b
    assert mixed[0, 1] > 0 and mixed[0, 0] > mixed[0, 1]
    reordered = reduce.with_context(x, np.array(["a", "b", "a", "b"]), np.array([0, 0, 9, 9]),
                                    window=1, share=1.0)
    assert reordered[0, 2] > 0 and reordered[0, 1] == 0


def test_large_selections_are_partitioned_and_recover_blobs():
    rng = np.random.default_rng(1)
    centres = normalize(rng.normal(size=(8, 48)))
    truth = np.repeat(np.arange(8), 30)
    x = normalize(centres[truth] + 0.08 * rng.normal(size=(len(truth), 48)))
    result = cluster(x)
    assert result.partition and len(x) >= reduce.SMALL
    assert (result.labels != UNTHEMED).mean() >= 0.9
    assert adjusted_rand_score(truth, result.labels) >= 0.8
    assert np.array_equal(result.labels, cluster(x).labels)  # seeded


def test_exact_neighbours_are_the_nearest_by_cosine_with_each_row_first():
    rng = np.random.default_rng(3)
    x = normalize(rng.normal(size=(300, 16)).astype(np.float32))
    x[7] = x[8]  # a duplicate still lists itself first
    idx, dist = reduce.exact_knn(x, 5, block=64)
    assert (idx[:, 0] == np.arange(len(x))).all() and (dist[:, 0] == 0).all()
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    want = np.sort(-sims, axis=1)[:, :4]
    assert np.allclose(dist[:, 1:], 1 + want, atol=1e-5)
    assert (np.diff(dist, axis=1) >= -1e-6).all()


def test_a_fit_past_the_sample_size_uses_exact_neighbours_and_places_the_rest(monkeypatch):
    monkeypatch.setattr(reduce, "FIT_SAMPLE", reduce.EPOCHS_FROM + 100)
    calls = []
    original = reduce.exact_knn
    monkeypatch.setattr(reduce, "exact_knn", lambda x, k: calls.append(len(x)) or original(x, k))
    rng = np.random.default_rng(2)
    centres = normalize(rng.normal(size=(6, 32)))
    truth = np.repeat(np.arange(6), 800)
    x = normalize(centres[truth] + 0.1 * rng.normal(size=(len(truth), 32)))
    labels, themes = reduce.partition(x, None, min_size=5)
    assert calls == [reduce.FIT_SAMPLE]
    assert themes >= 6 and homogeneity_score(truth, labels) >= 0.95  # k grows with n: blobs split, never mix
