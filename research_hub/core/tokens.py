"""Words for the keyword side: one tokenizer for the index, the query and highlights.

Lowercased word tokens of two or more characters (so "502", "2FA" and "SSO"
survive), Lucene's short English stopword list, Snowball stems when PyStemmer
is installed (plain lowercase words otherwise).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

WORD = re.compile(r"\w\w+")
# Lucene's English stop set (the one bm25s uses), kept here so a query never imports bm25s
STOPWORDS = frozenset("""
a an and are as at be but by for if in into is it no not of on or such that the their then there
these they this to was will with
""".split())

try:
    import Stemmer

    _STEMMER = Stemmer.Stemmer("english")
    STEMMING = "snowball-english"
except ImportError:  # keyword search still works, without stems
    _STEMMER = None
    STEMMING = "none"


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word) if _STEMMER else word


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, lowercased word) for every word in text, stopwords included."""
    for m in WORD.finditer(text):
        yield m.start(), m.end(), m.group().casefold()


def tokens(text: str) -> list[str]:
    """Stems of the non-stopwords, in order, repeats kept (what BM25 counts)."""
    return [stem(w) for _, _, w in words(text) if w not in STOPWORDS]


def terms(text: str, limit: int = 64) -> list[str]:
    """Distinct stems of a query, first `limit` of them."""
    return list(dict.fromkeys(tokens(text)))[:limit]
