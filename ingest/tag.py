"""Tag snippet drafts: learned or rule tags, taxonomy tags, sentiment and entities.

* Learned tags (the same five names) come from the tag model
  (``ingest.tag_model``, trained on ``ingest/data``) when the Tagger has one: it
  reads the snippet's vector, so the pipeline applies it with ``learn`` once a
  file is embedded, and the rules stand aside for English text. Each learned tag
  keeps the model's calibrated probability as its confidence.
* Rule tags (``pain_point``, ``feature_request``, ``praise``, ``question``,
  ``workaround``) come from phrase tables and decisions that do not depend on
  a trained spaCy model: see ``ingest.rules`` and ``ingest.rule_phrases``.
* Taxonomy tags come from a user file (YAML or CSV, see
  ``ingest.taxonomy.load_taxonomy``): a snippet gets the tag when one of its
  keywords occurs as whole words (case-insensitive; a trailing ``*`` matches
  a word prefix, ``export*``).
* ``sentiment`` is VADER's compound score, rounded to 3 decimals.
* ``entities`` come from the trained pipeline's NER when one is available
  (``research_hub.nlp.trained()``), only for participant snippets with an
  entity cue (``ingest.entity_cues``); otherwise [].

Interviewer snippets get no tags and no entities: their questions are context,
not findings. They still get a sentiment score.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Sequence

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from research_hub.core.rows import SnippetRow

from research_hub.ingest.entity_cues import cued_spans
from research_hub.ingest.rules import (FEATURE_REQUEST, PAIN_POINT, PRAISE, QUESTION, RULE_TAGS,
                          WORKAROUND, add_phrases, decide_rule_tags, matched_spans,
                          rule_matcher, rule_vader)
from research_hub.ingest.taxonomy import TaxonomyTag, load_taxonomy, normalize_tag
from research_hub.ingest.types import INTERVIEWER, SnippetDraft
from research_hub.core import nlp as rh_nlp
from research_hub.ingest.tag_model import TagModel

__all__ = [
    "ENTITY_LABELS", "FEATURE_REQUEST", "PAIN_POINT", "PRAISE", "QUESTION", "RULE_TAGS",
    "WORKAROUND", "Tagger", "context_vectors", "TaxonomyTag", "load_taxonomy", "normalize_tag", "tag_drafts",
]

ENTITY_LABELS = frozenset({
    "ORG", "PRODUCT", "PERSON", "GPE", "MONEY", "DATE", "NORP", "LOC",
    "WORK_OF_ART", "LAW", "EVENT",
})
# the WikiNER scheme of spaCy's other-language pipelines, in the English names
OTHER_SCHEME = {"PER": "PERSON", "LOC": "LOC", "ORG": "ORG"}

PIPE_BATCH = 256


class Tagger:
    """Fills ``tags``, ``sentiment`` and ``entities`` of snippet drafts in place."""

    def __init__(self, taxonomy: list[TaxonomyTag] | None = None, use_trained: bool = True,
                 model: TagModel | None = None):
        self.model = model
        self.nlp = rh_nlp.sentencizer()
        self.ner = rh_nlp.trained() if use_trained else None
        if self.ner is not None and "ner" not in self.ner.pipe_names:
            self.ner = None
        self._ner_disable = rh_nlp.ner_only_disable(self.ner) if self.ner is not None else []
        self.taxonomy = list(taxonomy or [])
        self.vader = SentimentIntensityAnalyzer()
        self.vader_rules = rule_vader()
        self.phrases = rule_matcher(self.nlp)
        self._build_taxonomy_matchers()

    @property
    def reads_vectors(self) -> bool:
        """Whether `learn` needs the snippets' and questions' vectors (the fine-tuned model reads text)."""
        return self.model is not None and self.model.reads_vectors

    @property
    def entities_on(self) -> bool:
        return self.ner is not None

    def _build_taxonomy_matchers(self) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        vocab = self.nlp.vocab
        self.tax_phrases = PhraseMatcher(vocab, attr="LOWER")
        self.tax_prefix = Matcher(vocab)
        self._tax_names: dict[int, str] = {}
        for tag in self.taxonomy:
            key = f"tax::{tag.name}"
            self._tax_names[vocab.strings.add(key)] = tag.name
            exact = [k for k in tag.keywords if not k.rstrip().endswith("*")]
            prefix = [k.rstrip()[:-1].strip() for k in tag.keywords if k.rstrip().endswith("*")]
            if exact:
                add_phrases(self.tax_phrases, self.nlp, key, exact)
            patterns = self._prefix_patterns(prefix)
            if patterns:
                self.tax_prefix.add(key, patterns)

    def _prefix_patterns(self, prefixes: list[str]) -> list[list[dict[str, Any]]]:
        """Token patterns for ``export*``-style keywords: the last word is a prefix."""
        patterns = []
        for kw in prefixes:
            toks = [t.text.lower() for t in self.nlp.make_doc(kw)]
            if not toks:
                continue
            pat: list[dict[str, Any]] = [{"LOWER": t} for t in toks[:-1]]
            pat.append({"LOWER": {"REGEX": "^" + re.escape(toks[-1])}})
            patterns.append(pat)
        return patterns

    # -- tags ---------------------------------------------------------------

    def rule_tags(self, doc, compound: float) -> set[str]:
        """Rule tags of one participant snippet (a doc of the sentencizer pipeline)."""
        found = matched_spans(doc, self.phrases(doc), self.nlp.vocab.strings)
        return decide_rule_tags(doc, found, compound, lambda: self._rule_compound(doc))

    def _rule_compound(self, doc) -> float:
        """VADER compound without conversational filler words (for rule decisions)."""
        return float(self.vader_rules.polarity_scores(doc.text)["compound"])

    def taxonomy_tags(self, doc) -> set[str]:
        if not self.taxonomy:
            return set()
        keys = {k for k, _, _ in self.tax_phrases(doc)}
        if len(self.tax_prefix):
            keys.update(k for k, _, _ in self.tax_prefix(doc))
        return {self._tax_names[k] for k in keys}

    def sentiment(self, text: str) -> float:
        return round(float(self.vader.polarity_scores(text)["compound"]), 3)

    # -- main entry ---------------------------------------------------------

    def tag(self, drafts: list[SnippetDraft], language: str = "en", entities: bool = True) -> None:
        """Fill tags, sentiment and (unless `entities` is False) entities of ``drafts`` in place,
        in batches.

        The rules, VADER and the English NER read English only: for another language
        a draft keeps taxonomy tags, gets sentiment 0 and that language's entities
        when its spaCy pipeline is installed."""
        if not drafts:
            return
        english = language == "en"
        participants = [d for d in drafts if d.role != INTERVIEWER]
        for d in drafts:
            d.sentiment = self.sentiment(d.text) if english else 0.0
            if d.role == INTERVIEWER:
                d.tags = []
                d.entities = []
        texts = [d.text for d in participants]
        rules = english and self.model is None
        # Tokenizer only: the rules need tokens, not the sentencizer's boundaries.
        docs = self.nlp.tokenizer.pipe(texts, batch_size=PIPE_BATCH) if rules or self.taxonomy \
            else (None for _ in texts)
        for d, doc in zip(participants, docs):
            tags = (self.rule_tags(doc, d.sentiment) if rules else set()) | \
                (self.taxonomy_tags(doc) if doc is not None else set())
            tags.update(normalize_tag(t) for t in d.tags)  # keep tags set upstream
            d.tags = sorted(t for t in tags if t)
            d.entities = []
        ner = self.ner if english else rh_nlp.trained_for(language)
        if entities and ner is not None and "ner" in ner.pipe_names and participants:
            self._add_entities(participants, texts, ner, english)

    def learn(self, rows: list[SnippetRow], X: np.ndarray | None, Xc: np.ndarray | None) -> None:
        """Add the model's tags, with their confidence, to English participant rows
        (X: their vectors; Xc: their contexts' vectors, zero rows where none; both None
        when the model does not read vectors)."""
        if self.model is None or not rows:
            return
        found = self.model.tags([r.text for r in rows], [r.context or "" for r in rows], X, Xc)
        for row, tags in zip(rows, found):
            row.tags = sorted(set(row.tags) | set(tags))
            for tag, confidence in tags.items():
                row.tag_origins.setdefault(tag, "model")
                row.tag_confidence[tag] = confidence

    def _add_entities(self, participants: list[SnippetDraft], texts: list[str], ner, english: bool) -> None:
        pieces = [(d, a, t[a:b]) for d, t in zip(participants, texts)
                  for a, b in (cued_spans(t) if english else [(0, len(t))])]
        disable = self._ner_disable if ner is self.ner else rh_nlp.ner_only_disable(ner)
        docs = ner.pipe((t for _, _, t in pieces), batch_size=PIPE_BATCH, disable=disable)
        for (d, offset, _), doc in zip(pieces, docs):
            labels = ((ent, ent.label_ if english else OTHER_SCHEME.get(ent.label_)) for ent in doc.ents)
            d.entities += [{"text": ent.text, "label": label, "start": offset + ent.start_char,
                            "end": offset + ent.end_char} for ent, label in labels if label in ENTITY_LABELS]


def context_vectors(contexts: Sequence[str], encode: Callable[[list[str]], np.ndarray], dim: int) -> np.ndarray:
    """One row per context (zeros where there is none), each distinct context encoded once."""
    distinct = sorted({c for c in contexts if c and c.strip()})
    out = np.zeros((len(contexts), dim), dtype=np.float32)
    if distinct:
        rows = dict(zip(distinct, encode(distinct)))
        for i, c in enumerate(contexts):
            if c in rows:
                out[i] = rows[c]
    return out


def tag_drafts(drafts: list[SnippetDraft], taxonomy: list[TaxonomyTag] | None = None,
               use_trained: bool = True) -> None:
    """One-shot helper: ``Tagger(taxonomy, use_trained).tag(drafts)``."""
    Tagger(taxonomy=taxonomy, use_trained=use_trained).tag(drafts)
