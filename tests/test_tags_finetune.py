"""The fine-tuned alternative `bench tags --fine-tune` measures: a real MiniLM copy, trained briefly."""
from __future__ import annotations

from research_hub.bench import tags_finetune
from research_hub.core.settings import Settings
from research_hub.ingest.tag_learning import TAGS, Unit, units


def _unit(i: int, text: str, pain: int) -> Unit:
    return Unit(f"u{i}", "heritrace", f"doc{i % 4}", "train", "", text, (pain, 0, 0, 0, 0))


PAINS = ["It crashed again and I lost all my work.", "This is so slow, it takes forever to load.",
         "I can't find the export button anywhere.", "The search is broken and gives wrong results."]
FINE = ["We met on Tuesday to plan the next study.", "My office is on the second floor.",
        "I usually start the day with email.", "The team has four researchers."]


def test_validation_keeps_whole_groups_out_of_the_fit():
    fit_rows, held = tags_finetune.validation_split(units("train"))
    assert held and fit_rows
    assert not {u.group for u in fit_rows} & {u.group for u in held}
    assert 0.05 < len(held) / (len(held) + len(fit_rows)) < 0.3


def test_fine_tuning_lowers_the_loss_and_separates_what_it_was_taught():
    data = [_unit(i, t, 1) for i, t in enumerate(PAINS)] + [_unit(i + 4, t, 0) for i, t in enumerate(FINE)]
    model = tags_finetune.FineTuned(Settings.load().model)
    losses = model.fit(data * 3, epochs=3, batch=8)
    assert losses[-1] < losses[0]
    P = model.predict_proba(data)
    assert P.shape == (len(data), len(TAGS)) and ((0 <= P) & (P <= 1)).all()
    assert P[:4, 0].min() > P[4:, 0].max()
    model.pick_thresholds(data)  # the shipped rule: most recall at precision 0.70 or more
    said = model.labels(data)[:, 0]
    assert said[:4].all() and said.sum() <= 5
