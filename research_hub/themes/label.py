"""Theme keywords (class-based TF-IDF) and readable labels (distinctive phrases, phrases.py).

Keywords: BERTopic's c-TF-IDF over word 1-2-grams: a term scores high for a
theme when it is frequent inside the theme and rare across themes. Stop words
include interview filler ("um", "you know", "basically") so that labels are
not a bag of function words, and the workspace's most widespread content
words are left out (a word most participants use names no theme).

Labels: the phrase most distinctive of the theme against the workspace
(phrases.py); without one, the best keywords.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from research_hub.themes.phrases import Background, holds, ranked

FILLER = """um umm uh uhh er erm ah oh ok okay yeah yes yep no nope like just really actually
basically literally honestly totally pretty kind sort lot lots thing things stuff bit way
know think mean guess gonna wanna gotta got get gets getting go goes going went did does doing
said say says tell told want wants need needs feel feels felt maybe probably right sure well
don doesn didn isn wasn aren weren haven hasn won wouldn couldn shouldn ll ve re im ive
time times day days week weeks month months year years one two three thing people good great
app use using used make makes made let lets try tried trying look looks looked""".split()

TOKEN = r"(?u)\b[^\W\d_][^\W\d_'’]+\b"
KEYWORDS = 8
MEMBERS = 2000  # per theme, for keywords and labels; a large theme's nearest say the same


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


def keyword_label(keywords: list[str]) -> str:
    if not keywords:
        return "(no label)"
    if " " in keywords[0] or len(keywords) == 1:
        return keywords[0]
    return f"{keywords[0]}, {keywords[1]}"




def describe(texts: Sequence[str], labels: np.ndarray, n_themes: int,
             nearest: list[list[int]], phrases: bool = True,
             background: Background | None = None) -> list[tuple[str, list[str]]]:
    """(label, keywords) per theme. `nearest[t]` lists row indices nearest theme t's centre.

    Label: the theme's most distinctive phrase against `background` (default: all
    `texts`), each phrase used by one theme at most; keywords: c-TF-IDF terms
    without the background's generic words. `phrases=False`: keyword labels only."""
    stops = stop_words()
    if background is None:
        background = Background.of(texts, [str(i) for i in range(len(texts))], stops)
    rows = [r for t in range(n_themes) for r in _members(nearest, labels, t)]
    terms, weights = ctfidf([texts[r] for r in rows], np.asarray(labels)[rows], n_themes)
    if len(terms):
        generic = np.array([any(w in background.generic for w in t.split()) for t in terms])
        weights = np.where(generic[None, :], 0.0, weights)
    keywords = [top_terms(terms, weights[t]) if len(terms) else [] for t in range(n_themes)]
    taken: set[str] = set()
    out = []
    for t in range(n_themes):
        label = None
        if phrases:
            members = [texts[i] for i in _members(nearest, labels, t)]
            label = next((p for p, _ in ranked(members, background, stops) if p not in taken), None)
        label = label or keyword_label(keywords[t])
        taken.add(label)
        out.append((label, keywords[t]))
    return out


def _members(nearest: list[list[int]], labels: np.ndarray, t: int) -> list[int]:
    """Up to MEMBERS rows of theme t, nearest the centre first: enough to name it."""
    rows = nearest[t] if nearest[t] else np.flatnonzero(np.asarray(labels) == t).tolist()
    return list(rows[:MEMBERS])


def headline(texts: Sequence[str], nearest: Sequence[int], label: str) -> int | None:
    """The member nearest the centre that holds the label's words (verbatim quote), else the nearest."""
    for i in nearest:
        if holds(texts[i], label):
            return int(i)
    return int(nearest[0]) if len(nearest) else None
