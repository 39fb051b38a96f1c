"""Which snippets can hold a named entity worth running NER for.

NER is the costliest step of tagging. The entities research_hub keeps (people,
organisations, products, places, dates, money: ``ingest.tag.ENTITY_LABELS``) all
show on the surface: a capitalised word that is not just the start of a
sentence, a date or time word, a year, an ordinal, or money. Only the
sentences of a snippet that hold one are sent to the model (`cued_spans`;
neighbouring cued sentences go together, so a name keeps its context), about
three fifths of participant text in real interviews. On the sample interviews this skips about a
quarter of participant snippets and loses none of the entities the model finds
in them that are not its own mistakes (`tests/test_tag.py`).
"""
from __future__ import annotations

import re
from functools import lru_cache

DATE_WORDS = frozenset("""
day days daily week weeks weekly weekend weekends fortnight fortnightly biweekly month months
monthly year years yearly annual annually quarter quarters quarterly decade decades century
season seasons summer summers winter winters spring autumn today tonight tomorrow yesterday
morning mornings afternoon afternoons evening evenings night nights noon midnight
fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth
sixteenth seventeenth eighteenth nineteenth twentieth thirtieth
""".split())
MONEY_WORDS = frozenset("""
dollar dollars euro euros pound pounds buck bucks cent cents penny pennies pence quid grand
usd eur gbp
""".split())
_MONEY_SIGN = re.compile(r"[$€£¥₹]")
_YEAR_OR_ORDINAL = re.compile(r"\b(?:1[89]\d\d|20\d\d|\d+(?:st|nd|rd|th))\b", re.IGNORECASE)
_LOWER_WORDS = re.compile(r"[a-z]+")
_TOKEN = re.compile(r"\S+")
_OPENING = "\"'“”‘’([{*_-–—"
_SENTENCE_END = re.compile(r"[.!?:;…]['\"”’)\]]*$")
_ABBREVIATION = re.compile(r"(?:\b(?:mr|mrs|ms|dr|prof|st|mt|jr|sr|vs|etc|inc|ltd|co|no)|\b\w\.\w|\.\w)\.$",
                           re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…]['\"”’)\]]))\s+|\n\s*")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS  # spaCy is heavy: only ingest loads it

    return frozenset(STOP_WORDS)


def may_have_entities(text: str) -> bool:
    if _MONEY_SIGN.search(text) or _YEAR_OR_ORDINAL.search(text):
        return True
    words = _LOWER_WORDS.findall(text.lower())
    if any(w in DATE_WORDS or w in MONEY_WORDS for w in words):
        return True
    return _has_name_like_word(text)


def _has_name_like_word(text: str) -> bool:
    """A capitalised word, except "I" and a stop word that opens a sentence."""
    opens_sentence = True
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        word = re.split(r"[^\w]", token.lstrip(_OPENING), maxsplit=1)[0]
        if word[:1].isupper() and word != "I":
            if not (opens_sentence and word.lower() in _stop_words()):
                return True
        opens_sentence = bool(_SENTENCE_END.search(token))
    return False


def cued_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the runs of sentences in text that may hold an entity."""
    spans: list[tuple[int, int]] = []
    start = 0
    cuts = [m for m in _SENTENCE_BREAK.finditer(text) if not _ABBREVIATION.search(text[:m.start()])]
    for cut in [*cuts, None]:
        end = cut.start() if cut is not None else len(text)
        if end > start and may_have_entities(text[start:end]):
            if spans and not text[spans[-1][1]:start].strip():
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        if cut is not None:
            start = cut.end()
    return spans
