"""Theme keywords (class-based TF-IDF) and short human labels (spaCy noun chunks).

Keywords: BERTopic's c-TF-IDF over word 1-2-grams: a term scores high for a
theme when it is frequent inside the theme and rare across themes. Stop words
include interview filler ("um", "you know", "basically") so that labels are
not a bag of function words.

Labels: the noun chunk, from the snippets nearest the theme's centre, whose
words weigh most in the theme's c-TF-IDF ("the CSV export" -> "CSV export").
Without a trained spaCy pipeline (`nlp.trained()` is None) the label is the
best keyword phrase.
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

FILLER = """um umm uh uhh er erm ah oh ok okay yeah yes yep no nope like just really actually
basically literally honestly totally pretty kind sort lot lots thing things stuff bit way
know think mean guess gonna wanna gotta got get gets getting go goes going went did does doing
said say says tell told want wants need needs feel feels felt maybe probably right sure well
don doesn didn isn wasn aren weren haven hasn won wouldn couldn shouldn ll ve re im ive
time times day days week weeks month months year years one two three thing people good great
app use using used make makes made let lets try tried trying look looks looked""".split()

TOKEN = r"(?u)\b[^\W\d_][^\W\d_'’]+\b"
KEYWORDS = 8
LABEL_SOURCES = 8  # snippets nearest the centre whose noun chunks are label candidates


def stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | frozenset(FILLER)


def ctfidf(texts: Sequence[str], labels: np.ndarray, n_themes: int):
    """(terms, weights[theme, term]) of class-based TF-IDF over themes 0..n_themes-1."""
    from sklearn.feature_extraction.text import CountVectorizer

    docs = [" ".join(texts[i] for i in np.flatnonzero(labels == t)) for t in range(n_themes)]
    vec = CountVectorizer(ngram_range=(1, 2), stop_words=list(stop_words()), token_pattern=TOKEN,
                          lowercase=True)
    try:
        counts = vec.fit_transform(docs).astype(np.float64)
    except ValueError:  # only stop words
        return np.array([], dtype=object), np.zeros((n_themes, 0))
    tf = counts.multiply(1.0 / np.maximum(counts.sum(axis=1), 1)).tocsr()
    freq = np.asarray(counts.sum(axis=0)).ravel()
    avg_words = counts.sum() / max(n_themes, 1)
    idf = np.log1p(avg_words / np.maximum(freq, 1))
    return vec.get_feature_names_out(), tf.multiply(idf).toarray()


def top_terms(terms: np.ndarray, weights: np.ndarray, top: int = KEYWORDS) -> list[str]:
    """Best terms of one theme, skipping a term whose words are all in terms already taken."""
    chosen: list[str] = []
    covered: set[str] = set()
    for j in np.argsort(-weights):
        if weights[j] <= 0 or len(chosen) >= top:
            break
        words = set(terms[j].split())
        if words <= covered:
            continue
        chosen.append(terms[j])
        covered |= words
    return chosen


def weight_lookup(terms: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    nz = np.flatnonzero(weights > 0)
    return {terms[j]: float(weights[j]) for j in nz}


def clean_chunk(span, stops: frozenset[str]) -> list[str]:
    """Words of a noun chunk without leading/trailing determiners, pronouns and stop words."""
    toks = [t for t in span if not t.is_punct and not t.is_space]
    while toks and (toks[0].pos_ in {"DET", "PRON", "ADP", "CCONJ", "NUM"}
                    or toks[0].lower_ in stops):
        toks = toks[1:]
    while toks and toks[-1].lower_ in stops:
        toks = toks[:-1]
    words = [t.text if t.text.isupper() and len(t.text) > 1 else t.lower_ for t in toks]
    return words if 1 <= len(words) <= 4 else []


def chunk_label(docs: list, weights: dict[str, float], stops: frozenset[str]) -> str | None:
    """The noun chunk whose words weigh most; a phrase found in several snippets wins ties."""
    scores: dict[str, float] = {}
    seen_in: dict[str, int] = {}
    for doc in docs:
        found = set()
        for span in doc.noun_chunks:
            words = clean_chunk(span, stops)
            if not words:
                continue
            lower = [w.lower() for w in words]
            word_weights = [weights.get(w, 0.0) for w in lower]
            if not all(word_weights):  # every word must say something about this theme
                continue
            score = sum(word_weights) + sum(weights.get(f"{a} {b}", 0.0) for a, b in zip(lower, lower[1:]))
            phrase = " ".join(words)
            scores[phrase] = max(scores.get(phrase, 0.0), score)
            found.add(phrase)
        for phrase in found:
            seen_in[phrase] = seen_in.get(phrase, 0) + 1
    if not scores:
        return None
    return max(scores, key=lambda p: (scores[p] * seen_in[p] ** 0.5, -len(p)))


def widen(label: str, keywords: list[str]) -> str:
    """A one-word label gets the best keyword that is not a form of the same word."""
    if " " in label:
        return label
    stem = label.lower()[:4]
    for k in keywords:
        if not any(w[:4] == stem for w in k.split()):
            return f"{label}, {k}"
    return label


def keyword_label(keywords: list[str]) -> str:
    if not keywords:
        return "(no label)"
    if " " in keywords[0] or len(keywords) == 1:
        return keywords[0]
    return f"{keywords[0]}, {keywords[1]}"


def describe(texts: Sequence[str], labels: np.ndarray, n_themes: int,
             nearest: list[list[int]], use_spacy: bool = True) -> list[tuple[str, list[str]]]:
    """(label, keywords) per theme. `nearest[t]` lists row indices nearest theme t's centre."""
    terms, weights = ctfidf(texts, labels, n_themes)
    keywords = [top_terms(terms, weights[t]) if len(terms) else [] for t in range(n_themes)]
    nlp = _noun_chunker() if use_spacy else None
    if nlp is None:
        return [(keyword_label(k), k) for k in keywords]
    stops = stop_words()
    sources = [[texts[i] for i in nearest[t][:LABEL_SOURCES]] for t in range(n_themes)]
    flat = [_squash(t) for group in sources for t in group]
    parsed = iter(nlp.pipe(flat, batch_size=64))
    out = []
    for t in range(n_themes):
        docs = [next(parsed) for _ in sources[t]]
        best = chunk_label(docs, weight_lookup(terms, weights[t]), stops) if len(terms) else None
        out.append((widen(best, keywords[t]) if best else keyword_label(keywords[t]), keywords[t]))
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)[:600]


def _noun_chunker():
    """The trained pipeline with only what noun chunks need, or None."""
    from research_hub.core import nlp

    pipeline = nlp.trained()
    if pipeline is None or "parser" not in pipeline.pipe_names:
        return None
    return _Restricted(pipeline)


class _Restricted:
    """nlp.pipe with NER off for this call only (noun chunks need tagger + parser)."""

    def __init__(self, pipeline):
        self.pipeline = pipeline

    def pipe(self, texts, batch_size: int = 64) -> list:
        off = [n for n in ("ner", "lemmatizer") if n in self.pipeline.pipe_names]
        return list(self.pipeline.pipe(texts, batch_size=batch_size, disable=off))
