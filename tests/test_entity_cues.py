"""NER runs only on snippets with an entity cue, and that loses no entity on the samples."""
from __future__ import annotations

import pytest

from research_hub.ingest.entity_cues import cued_spans, may_have_entities
from research_hub.ingest.parsers import parse_file
from research_hub.ingest.split import split_document
from research_hub.ingest.tag import ENTITY_LABELS, Tagger
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT, SnippetDraft
from research_hub.core import nlp
from tests.conftest import SAMPLES


@pytest.mark.parametrize("text", [
    "The bank connection says connected but hasn't synced in days.",
    "It has been 'processing' for two days.",
    "No transactions have come through since the 14th.",
    "Our accountant wants the year-end pack with account codes.",
    "Sometimes it's a penny out on a line.",
    "We pay $40 for it, which is fine.",
    "We switched in 2024, I think.",
    "Tallybook is slow on Mondays.",  # a name that opens the sentence
    "it works, but Maria does the exports.",
    '"Xero" was what we used before.',
    "I do it every week, without fail.",
])
def test_text_with_a_name_date_or_amount_is_sent_to_ner(text):
    assert may_have_entities(text)


@pytest.mark.parametrize("text", [
    "The export is slow and it times out.",  # a stop word opens the sentence
    "it keeps crashing when i upload a receipt.",
    "I can't find the export button. It is hidden.",
    "We gave up on it and now do it by hand, about 37 times.",  # a bare number is no entity we keep
    "",
])
def test_text_without_an_entity_cue_skips_ner(text):
    assert not may_have_entities(text)


def _participant_texts() -> list[str]:
    texts = []
    for f in sorted(p for p in (SAMPLES / "interviews").rglob("*") if p.is_file()) + \
            sorted(p for p in (SAMPLES / "feedback").rglob("*") if p.is_file()):
        doc = parse_file(f)
        texts += [d.text for d in split_document(doc, f.stem) if d.role != INTERVIEWER]
    return texts


def test_gate_loses_no_entity_on_the_samples(monkeypatch):
    """Every sample snippet in which the model finds an entity we keep is sent to it."""
    monkeypatch.delenv(nlp.ENV_VAR, raising=False)
    ner = nlp.trained()
    if ner is None:
        pytest.skip("no trained spaCy pipeline installed")
    texts = _participant_texts()
    docs = ner.pipe(texts, disable=nlp.ner_only_disable(ner))
    found = [t for t, doc in zip(texts, docs) if any(e.label_ in ENTITY_LABELS for e in doc.ents)]
    assert len(found) > 100
    assert [t for t in found if not may_have_entities(t)] == []
    skipped = sum(not may_have_entities(t) for t in texts)
    assert skipped > len(texts) // 10  # the gate is worth having


def test_cued_spans_keep_every_entity_the_model_finds_in_whole_snippets(monkeypatch):
    """NER reads only the cued sentences; on the samples, every entity the model finds
    in a whole snippet lies inside one of them."""
    monkeypatch.delenv(nlp.ENV_VAR, raising=False)
    ner = nlp.trained()
    if ner is None:
        pytest.skip("no trained spaCy pipeline installed")
    texts = _participant_texts()
    lost = [(t, e.text) for t, doc in zip(texts, ner.pipe(texts, disable=nlp.ner_only_disable(ner)))
            for e in doc.ents if e.label_ in ENTITY_LABELS
            and not any(a <= e.start_char and e.start_char + len(e.text.rstrip()) <= b for a, b in cued_spans(t))]
    assert lost == []
    kept = sum(b - a for t in texts for a, b in cued_spans(t))
    assert kept < 0.9 * sum(len(t) for t in texts)  # sentences without a cue are skipped


def test_cued_spans_are_runs_of_cued_sentences():
    text = "The export is slow. We moved to Tallybook in March. Then Dr. Okafor left.\nit is fine."
    assert [text[a:b] for a, b in cued_spans(text)] == \
        ["We moved to Tallybook in March. Then Dr. Okafor left."]
    assert cued_spans("the export is slow and it times out.") == []


def _spied_tagger(monkeypatch) -> tuple[Tagger, list[str]]:
    """A tagger whose NER records every text it is sent."""
    monkeypatch.delenv(nlp.ENV_VAR, raising=False)
    if nlp.trained() is None:
        pytest.skip("no trained spaCy pipeline installed")
    tagger = Tagger()
    seen: list[str] = []
    real = tagger.ner.pipe

    def spy(texts, **kw):
        texts = list(texts)
        seen.extend(texts)
        return real(texts, **kw)

    monkeypatch.setattr(tagger.ner, "pipe", spy)
    return tagger, seen


def test_tagger_sends_only_cued_sentences_to_ner_at_their_offsets(monkeypatch):
    tagger, seen = _spied_tagger(monkeypatch)
    text = "The export is slow and it times out. So in March we moved everything to Tallybook."
    draft = SnippetDraft(text=text, char_start=0, char_end=len(text), speaker="Ana", role=PARTICIPANT,
                         participant="Ana", line=1)
    tagger.tag([draft])
    assert seen == ["So in March we moved everything to Tallybook."]
    assert draft.entities
    assert all(text[e["start"]:e["end"]] == e["text"] for e in draft.entities)


def test_tagger_sends_only_cued_snippets_to_ner(monkeypatch):
    tagger, seen = _spied_tagger(monkeypatch)
    cued, plain = "We moved to Tallybook in March.", "the export is slow and it times out."
    drafts = [SnippetDraft(text=t, char_start=0, char_end=len(t), speaker="Ana", role=PARTICIPANT,
                           participant="Ana", line=1) for t in (cued, plain)]
    tagger.tag(drafts)
    assert seen == [cued]
    assert {e["label"] for e in drafts[0].entities} & {"ORG", "PERSON", "PRODUCT", "DATE", "GPE"}
    assert drafts[1].entities == []
