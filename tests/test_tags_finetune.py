"""The fine-tuned tagger: a real MiniLM copy, trained briefly, kept, loaded and used by ingest."""
from __future__ import annotations

import numpy as np
import pytest

from research_hub.core.errors import InvalidInputError
from research_hub.core.settings import Settings
from research_hub.ingest import tag_finetuned
from research_hub.ingest.tag_learning import TAGS, Unit, units
from tests.conftest import write

pytestmark = pytest.mark.integration


def _unit(i: int, text: str, pain: int) -> Unit:
    return Unit(f"u{i}", "heritrace", f"doc{i % 4}", "train", "", text, (pain, 0, 0, 0, 0))


PAINS = ["It crashed again and I lost all my work.", "This is so slow, it takes forever to load.",
         "I can't find the export button anywhere.", "The search is broken and gives wrong results."]
FINE = ["We met on Tuesday to plan the next study.", "My office is on the second floor.",
        "I usually start the day with email.", "The team has four researchers."]
TOY = [_unit(i, t, 1) for i, t in enumerate(PAINS)] + [_unit(i + 4, t, 0) for i, t in enumerate(FINE)]


def test_validation_keeps_whole_groups_out_of_the_fit():
    fit_rows, held = tag_finetuned.validation_split(units("train"))
    assert held and fit_rows
    assert not {u.group for u in fit_rows} & {u.group for u in held}
    assert 0.05 < len(held) / (len(held) + len(fit_rows)) < 0.3


def test_fine_tuning_lowers_the_loss_and_separates_what_it_was_taught():
    model = tag_finetuned.FineTuned(Settings.load().model)
    steps = []
    losses = model.fit(TOY * 3, epochs=3, batch=8, progress=lambda done, total, _: steps.append((done, total)))
    assert losses[-1] < losses[0]
    assert steps[-1] == (10, 10)  # one batch through the frozen layers, then 3 epochs of 3
    P = model.unit_proba(TOY)
    assert P.shape == (len(TOY), len(TAGS)) and ((0 <= P) & (P <= 1)).all()
    assert P[:4, 0].min() > P[4:, 0].max()
    model.pick_thresholds(TOY)  # the shipped rule: most recall at precision 0.70 or more
    said = model.labels(TOY)[:, 0]
    assert said[:4].all() and said.sum() <= 5


def test_training_reads_frozen_states_exactly_as_the_whole_encoder_would():
    import torch

    model = tag_finetuned.FineTuned(Settings.load().model)
    texts = PAINS + ["A much longer answer, so that the batch needs padding: " + " ".join(FINE)]
    model.encoder.eval()
    with torch.no_grad():
        whole = model._logits(texts).numpy()
        split = model.tuned_logits(model.frozen_states(texts)).numpy()
    assert np.allclose(whole, split, atol=1e-3)  # padding masked as the encoder masks it
    frozen = [p for p in model.encoder.parameters() if not p.requires_grad]
    assert frozen and all(p.requires_grad for p in model.tuned.parameters())


@pytest.fixture
def kept(tmp_path, monkeypatch):
    """This machine's fine-tuned model lives in a temporary folder, and the package ships none."""
    folder = tmp_path / "finetuned"
    monkeypatch.setattr(tag_finetuned, "folder_for", lambda model_name: folder)
    monkeypatch.setattr(tag_finetuned, "SHIPPED", tmp_path / "no-shipped-weights")
    return folder


def test_a_trained_model_is_kept_whole_and_loads_with_the_same_judgement(kept):
    name = Settings.load().model
    assert tag_finetuned.trained(name) is None
    out = tag_finetuned.train(name, epochs=3, rows=TOY * 3)
    assert out["folder"] == str(kept) and sorted(p.name for p in kept.iterdir()) == ["thresholds.json", "tuned.pt"]
    assert not kept.with_name(kept.name + ".partial").exists()
    again = tag_finetuned.trained(name)
    whole = sum(p.numel() * p.element_size() for p in again.encoder.parameters())
    assert (kept / "tuned.pt").stat().st_size < whole / 2  # the tuned layers and head, not all of MiniLM
    texts = PAINS + FINE
    assert np.allclose(again.predict_proba(texts), tag_finetuned.FineTuned.load(kept, name).predict_proba(texts))
    assert np.allclose(again.thresholds, [out["thresholds"][t] for t in TAGS], atol=1e-3)


def test_ingest_with_the_finetuned_setting_needs_a_trained_model_and_then_uses_it(kept, tmp_path, monkeypatch):
    from research_hub import Hub

    monkeypatch.setenv("RESEARCH_HUB_TAGGER", "finetuned")
    hub = Hub(tmp_path / "ws")
    note = write(tmp_path / "ana.txt", "Interviewer: How was it?\nAna: " + " ".join(PAINS[:1]) + "\n"
                 "Interviewer: And your week?\nAna: " + FINE[0] + "\n")
    with pytest.raises(InvalidInputError, match="train-tagger"):
        hub.ingest([note])
    assert hub.stats()["snippets"] == 0
    name = Settings.load().model
    tag_finetuned.train(name, epochs=3, rows=TOY * 3)
    hub.workspace.reset_tagger()
    hub.ingest([note])
    rows = hub.workspace.db.query("SELECT s.text, t.tag, t.origin, t.confidence FROM snippets s "
                                  "JOIN snippet_tags t ON t.snippet_id = s.id WHERE s.role = 'participant'")
    pains = {r["text"] for r in rows if r["tag"] == "pain_point"}
    assert PAINS[0] in pains and FINE[0] not in pains
    assert all(r["origin"] == "model" and 0 < r["confidence"] <= 1 for r in rows if r["tag"] in TAGS)
    hub.close()


def test_the_package_weights_fit_the_labelled_sets_and_the_bundled_model():
    # fails when the labelled sets change without `research-hub train-tagger --ship`
    name = Settings.load().model
    assert tag_finetuned.shipped_fits(name)
    import torch

    weights = torch.load(tag_finetuned.SHIPPED / tag_finetuned.WEIGHTS, weights_only=True)
    assert {v.dtype for part in weights.values() for v in part.values()} == {torch.float16}


@pytest.mark.parametrize("held_out, precision, recall", [
    ("SESSIONS", 0.6, 0.5),  # 0.71 / 0.56 when shipped; the logistic model: 0.65 / 0.44
    ("AUTISTICA", 0.7, 0.45),  # 0.79 / 0.52 when shipped; the logistic model: 0.76 / 0.30
])
def test_the_package_weights_find_pains_in_held_out_usability_research(held_out, precision, recall):
    from research_hub.bench.tags import scores
    from research_hub.ingest import tag_learning

    model = tag_finetuned.FineTuned.load(tag_finetuned.SHIPPED, Settings.load().model)
    held = units("test", getattr(tag_learning, held_out))
    pain = scores(np.array([u.labels for u in held]), model.labels(held))["pain_point"]
    assert pain["precision"] >= precision and pain["recall"] >= recall


def test_the_default_tagger_is_the_fine_tuned_one_when_it_fits_and_the_logistic_one_otherwise(tmp_path, monkeypatch):
    from research_hub import Hub
    from research_hub.ingest.tag_model import TagModel

    monkeypatch.setattr(tag_finetuned, "folder_for", lambda model_name: tmp_path / "none")
    monkeypatch.delenv("RESEARCH_HUB_TAGGER", raising=False)
    hub = Hub(tmp_path / "ws")
    assert hub.stats()["tagger"] == "finetuned (package weights)"
    assert isinstance(hub.workspace.tagger().model, tag_finetuned.FineTuned)
    monkeypatch.setattr(tag_finetuned, "fit_key", lambda model_name: "another embedding model")
    hub.workspace.reset_tagger()
    assert hub.stats()["tagger"].startswith("model")
    assert isinstance(hub.workspace.tagger().model, TagModel)
    hub.close()
    monkeypatch.setenv("RESEARCH_HUB_TAGGER", "finetuned")
    hub = Hub(tmp_path / "ws")
    assert "train-tagger" in hub.stats()["tagger"]
    with pytest.raises(InvalidInputError, match="train-tagger"):
        hub.workspace.tagger()
    hub.close()
