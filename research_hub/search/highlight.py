"""Where the query matched inside a hit: spans of matched words and phrases."""
from __future__ import annotations

import re
from typing import Iterable

from research_hub.core import tokens as T


def spans(text: str, terms: Iterable[str], phrases: Iterable[re.Pattern] = ()) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) spans in text: words whose stem is a query term,
    and every occurrence of a quoted phrase."""
    wanted = set(terms)
    found = [(a, b) for a, b, w in T.words(text) if w not in T.STOPWORDS and T.stem(w) in wanted]
    for pattern in phrases:
        found += [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
    return merge(found)


def merge(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(found):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def mark(text: str, found: list[tuple[int, int]], before: str = "[", after: str = "]") -> str:
    """Text with the spans wrapped, for plain-text display."""
    out, pos = [], 0
    for a, b in found:
        out += [text[pos:a], before, text[a:b], after]
        pos = b
    out.append(text[pos:])
    return "".join(out)
