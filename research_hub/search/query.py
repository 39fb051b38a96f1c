"""What a typed query means: free text, "exact phrases", and its keyword terms."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from research_hub.core import tokens as T

MAX_QUERY_CHARS = 1000  # the model reads ~256 tokens anyway; longer input only costs time
QUOTED = re.compile(r'["\u201c\u201d\u201e]([^"\u201c\u201d\u201e]+)["\u201c\u201d\u201e]')
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class Query:
    raw: str
    text: str  # what the model embeds: the query without quote marks
    phrases: list[str] = field(default_factory=list)  # each must appear in a hit, in order
    terms: list[str] = field(default_factory=list)  # keyword stems
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.text.strip()


def parse_query(raw: str | None) -> Query:
    cleaned = CONTROL.sub(" ", unicodedata.normalize("NFC", raw or ""))
    cleaned = " ".join(cleaned.split())
    truncated = len(cleaned) > MAX_QUERY_CHARS
    if truncated:
        cut = cleaned[:MAX_QUERY_CHARS]
        cleaned = cut.rsplit(" ", 1)[0] if " " in cut else cut
    phrases = [p.strip() for p in QUOTED.findall(cleaned) if p.strip()]
    plain = " ".join(QUOTED.sub(lambda m: " " + m.group(1) + " ", cleaned).split())
    plain = plain.replace('"', " ").strip()
    plain = " ".join(plain.split())
    return Query(raw=raw or "", text=plain, phrases=phrases, terms=T.terms(plain), truncated=truncated)


def phrase_pattern(phrase: str) -> re.Pattern | None:
    """Words of the phrase in order, any spacing or punctuation between them, case-insensitive."""
    parts = [re.escape(w) for w in re.findall(r"\w+|[^\w\s]", phrase)]
    if not parts:
        return None
    words_only = [p for p in parts if re.match(r"\w", p)]
    if not words_only:
        return re.compile(r"\s*".join(parts))
    body = r"\W*".join(parts) if len(words_only) != len(parts) else r"\W+".join(parts)
    return re.compile(r"(?<!\w)" + body + r"(?!\w)", re.IGNORECASE)
