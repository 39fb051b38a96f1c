"""Readable theme labels: the phrase that is most distinctive of a theme against the workspace.

Candidates are word n-grams (2-4 words) of the member snippets with no stop
word at either edge and at least two content words: "vendor data changes
without notice", never "data, problem". A phrase that holds one of the
workspace's GENERIC most widespread content words (by the share of
participants who use the word) is dropped: a word most people use names no
theme. Each candidate scores by support times lift,

    score = p_in * log(p_in / p_all) * (1 + LONGER * (words - 2))

where p_in is the share of the theme's snippets holding the phrase and p_all
its share of the background (the workspace's participant snippets): a
Kullback-Leibler term, high for phrases that are frequent in the theme and
rare elsewhere. Counting is plain regex tokenising (no spaCy); beyond
MAX_TEXTS snippets a seeded sample is counted.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

TOKEN = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]")
MIN_WORDS, MAX_WORDS = 2, 4
GENERIC = 15
LONGER = 0.25
MAX_TEXTS = 20_000


def tokens(text: str) -> list[str]:
    return [t.replace("’", "'") for t in TOKEN.findall(text.lower())]


def content(word: str, stops: frozenset[str]) -> bool:
    return len(word) > 1 and word not in stops and "'" not in word


def grams(text: str, stops: frozenset[str]) -> set[str]:
    """Candidate phrases of one text: 2-4 words, content words at both edges, two or more of them."""
    words = tokens(text)
    keep = [content(w, stops) for w in words]
    out = set()
    for i in range(len(words)):
        if not keep[i]:
            continue
        for n in range(MIN_WORDS, MAX_WORDS + 1):
            j = i + n
            if j > len(words):
                break
            if keep[j - 1] and sum(keep[i:j]) >= 2:
                out.add(" ".join(words[i:j]))
    return out


def widespread(texts: Sequence[str], people: Sequence[str], stops: frozenset[str],
               top: int = GENERIC) -> list[str]:
    """The `top` content words used by the largest share of participants (and by at
    least a quarter of them and five people, so that a small workspace has few or none)."""
    users: dict[str, set[str]] = {}
    for text, person in zip(texts, people):
        for w in set(tokens(text)):
            if content(w, stops):
                users.setdefault(w, set()).add(person)
    least = max(5, len(set(people)) / 4)
    ranked_words = sorted(users.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:top]
    return [w for w, who in ranked_words if len(who) >= least]


@dataclass
class Background:
    """Phrase counts of the workspace's participant snippets and its generic words."""
    counts: Counter
    n: int
    generic: frozenset[str]

    @classmethod
    def of(cls, texts: Sequence[str], people: Sequence[str], stops: frozenset[str],
           seed: int = 0) -> "Background":
        texts, people = list(texts), list(people)
        generic = frozenset(widespread(texts, people, stops))
        counts, n = _gram_counts(texts, stops, seed)
        return cls(counts, n, generic)


def _gram_counts(texts: list[str], stops: frozenset[str], seed: int) -> tuple[Counter, int]:
    """Phrase counts over the texts (a seeded sample of MAX_TEXTS of more), and how many were read."""
    if len(texts) > MAX_TEXTS:
        pick = np.random.default_rng(seed).choice(len(texts), MAX_TEXTS, replace=False)
        texts = [texts[i] for i in pick]
    counts: Counter = Counter()
    for text in texts:
        counts.update(grams(text, stops))
    return counts, max(len(texts), 1)


def ranked(member_texts: Sequence[str], background: Background, stops: frozenset[str],
           seed: int = 0) -> list[tuple[str, float]]:
    """Candidate phrases of one theme, best first, with their scores."""
    inside, n = _gram_counts(list(member_texts), stops, seed)
    least = 2 if n >= 6 else 1
    out = []
    for phrase, a in inside.items():
        if a < least or any(w in background.generic for w in phrase.split()):
            continue
        p_in = a / n
        p_all = max(background.counts.get(phrase, 0), a) / background.n
        lift = np.log(p_in / p_all) if p_all < p_in else 0.0
        score = p_in * lift * (1 + LONGER * (phrase.count(" ") - 1))
        if score > 0:
            out.append((phrase, float(score)))
    out.sort(key=lambda ps: (-ps[1], ps[0]))
    return out


def holds(text: str, label: str) -> bool:
    """Does `text` hold every word of `label`?"""
    words = set(tokens(text))
    return all(w in words for w in tokens(label))
