"""The learned tag model: what ingest ships, trains, caches and applies."""
from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest

from research_hub import Hub
from research_hub.ingest import tag_learning
from research_hub.ingest.tag import context_vectors
from research_hub.ingest.tag_model import TAGS, TagModel
from tests.conftest import write


def test_the_shipped_set_keeps_whole_documents_out_of_training():
    train, test = tag_learning.units("train"), tag_learning.units("test")
    assert len(train) > 3000 and len(test) > 500
    assert not {u.group for u in train} & {u.group for u in test}
    for tag in range(len(TAGS)):  # every tag is learnable and scorable
        assert sum(u.labels[tag] for u in train) >= 50 and sum(u.labels[tag] for u in test) >= 10


def test_a_saved_model_predicts_what_the_fitted_one_does():
    rng = np.random.default_rng(3)
    train = tag_learning.units("train")[:400]
    X = rng.normal(size=(len(train), 16))
    Y = np.array([u.labels for u in train])
    texts, contexts = [u.text for u in train], [u.context for u in train]
    model = TagModel().fit(texts, contexts, X, None, Y, [u.group for u in train])
    again = TagModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert np.allclose(model.predict_proba(texts, contexts, X, None),
                       again.predict_proba(texts, contexts, X, None), atol=1e-4)
    with pytest.raises(ValueError, match="not a"):
        TagModel.from_dict({"format": "something else"})


def test_context_vectors_encode_each_question_once_and_leave_no_question_at_zero():
    calls = []

    def encode(texts):
        calls.append(list(texts))
        return np.ones((len(texts), 3))

    out = context_vectors(["Why?", "", "Why?", None, "How?"], encode, 3)
    assert sorted(calls[0]) == ["How?", "Why?"]
    assert out[[0, 2, 4]].sum() == 9 and out[[1, 3]].sum() == 0


def test_the_shipped_model_finds_held_out_pains_and_requests(sample_hub):
    """The logistic model, on whole documents it never saw (interviews, oral history, BANKING77, a
    think-aloud session)."""
    ws = sample_hub.workspace
    model = tag_learning.shipped_model(ws.embedder)  # trained once per machine, then cached
    assert tag_learning.model_path(ws.embedder).exists()
    test = tag_learning.units("test")
    texts, contexts = [u.text for u in test], [u.context for u in test]
    X = ws.embedder.encode(texts)
    found = model.tags(texts, contexts, X, context_vectors(contexts, ws.embedder.encode, X.shape[1]))
    for tag, least in (("pain_point", 0.6), ("feature_request", 0.5)):
        j = TAGS.index(tag)
        truth = np.array([u.labels[j] for u in test], dtype=bool)
        said = np.array([tag in f for f in found])
        precision, recall = (truth & said).sum() / said.sum(), (truth & said).sum() / truth.sum()
        assert precision >= least and recall >= least, (tag, precision, recall)


def test_ingest_gives_english_participants_learned_tags_with_confidence(sample_hub):
    pains = sample_hub.snippets(tags=["pain_point"])
    assert pains and all(s.role != "interviewer" for s in pains)
    assert all(0.0 < s.tag_confidence["pain_point"] <= 1.0 for s in pains)
    origins = dict(sample_hub.workspace.db.conn.execute(
        "SELECT origin, COUNT(*) FROM snippet_tags WHERE tag = 'pain_point' GROUP BY origin").fetchall())
    assert set(origins) == {"model"}


def test_the_rules_setting_tags_without_the_model(tmp_path, monkeypatch):
    monkeypatch.setenv("RESEARCH_HUB_TAGGER", "rules")
    path = write(tmp_path / "call.txt", "Interviewer: How is exporting?\n"
                 "Pat: Exporting is painful, it keeps failing and I hate it. I wish it were faster.\n")
    hub = Hub(tmp_path / "ws")
    try:
        assert hub.ingest([path]).ok
        assert hub.workspace.tagger().model is None
        snip = hub.snippets(tags=["pain_point"])[0]
        assert snip.tag_confidence == {}
    finally:
        hub.close()


def _located_rows(path):
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len({r["unit_id"] for r in rows}) == len(rows)
    for r in rows:  # each locator spans exactly the quoted words
        a, b = map(int, re.fullmatch(r"chars (\d+)-(\d+)", r["locator"]).groups())
        assert b - a == len(r["text"]), r["unit_id"]
    return rows


def test_the_usability_quotes_are_labelled_apart_from_training():
    rows = _located_rows(tag_learning.USABILITY)
    assert len(rows) >= 200 and {r["split"] for r in rows} == {"eval"}
    trained = {u.unit_id for u in tag_learning.units()} | {u.unit_id for u in tag_learning.units(None, tag_learning.SESSIONS)}
    assert not {r["unit_id"] for r in rows} & trained
    assert sum(u.labels[0] for u in tag_learning.units(None, tag_learning.USABILITY)) >= 50


def test_the_autistica_focus_groups_train_and_its_prototype_tests_stay_out():
    rows = _located_rows(tag_learning.AUTISTICA)
    by_split = {split: {r["source"] for r in rows if r["split"] == split} for split in ("train", "test")}
    assert by_split == {"train": {"autistica_focus_groups"}, "test": {"autistica_user_tests"}}
    learned = {u.unit_id for u in tag_learning.training_units()}
    test = tag_learning.units("test", tag_learning.AUTISTICA)
    assert {u.unit_id for u in tag_learning.units("train", tag_learning.AUTISTICA)} <= learned
    assert not {u.unit_id for u in test} & learned
    assert not {u.text for u in test} & {u.text for u in tag_learning.training_units()}
    for tag in ("pain_point", "feature_request"):  # enough to score on
        assert sum(u.labels[TAGS.index(tag)] for u in test) >= 50


def test_the_session_quotes_train_the_model_and_keep_whole_documents_for_the_bench():
    rows = _located_rows(tag_learning.SESSIONS)
    assert {r["split"] for r in rows} == {"train", "test"}
    train, test = tag_learning.units("train", tag_learning.SESSIONS), tag_learning.units("test", tag_learning.SESSIONS)
    assert not {u.group for u in train} & {u.group for u in test}
    assert not {r["unit_id"] for r in rows} & {u.unit_id for u in tag_learning.units()}
    learned = {u.unit_id for u in tag_learning.training_units()}
    assert {u.unit_id for u in train} <= learned and not {u.unit_id for u in test} & learned
    for tag in ("pain_point", "feature_request"):  # enough of each to learn from and to score
        j = TAGS.index(tag)
        assert sum(u.labels[j] for u in train) >= 50 and sum(u.labels[j] for u in test) >= 20
