"""The blind second labelling that bench tags compares the model with."""
from __future__ import annotations

import numpy as np

from research_hub.bench import tags as bench_tags
from research_hub.ingest.tag_learning import AUTISTICA, TAGS, units


def test_the_second_labelling_covers_exactly_the_interview_session_and_autistica_test_rows():
    talk = {u.unit_id for u in units("test") if u.source != "banking77"}
    prototype_tests = {u.unit_id for u in units("test", AUTISTICA)}
    second = bench_tags.second_labels()
    assert set(second) == talk | prototype_tests
    assert all(set(v) <= {0, 1} and len(v) == len(bench_tags.AGREEMENT_TAGS) for v in second.values())


def test_agreement_is_kappa_against_the_labels_for_each_guesser_and_the_second_labeller():
    test = units("test")
    truth = np.array([u.labels for u in test])
    pain = TAGS.index("pain_point")
    wrong = truth.copy()
    wrong[:, pain] = 1 - wrong[:, pain]
    result = bench_tags.agreement(test, truth, {"copy": truth, "inverse": wrong})
    assert result["units"] == sum(u.source != "banking77" for u in test)
    assert result["copy"] == {"pain_point": 1.0, "feature_request": 1.0}
    assert result["inverse"]["pain_point"] < 0
    assert 0.5 < result["second labeller"]["pain_point"] < 1.0
