"""Rule tags: the matcher and the decisions built on the phrase tables.

Rule tags (``pain_point``, ``feature_request``, ``praise``, ``question``,
``workaround``) come from a spaCy ``PhraseMatcher`` on lower-cased tokens of
the blank sentencizer pipeline (phrase lists, expanded combinations, and a
few prefixes checked against the next word), negation/modal checks, and
VADER, so they are the same whether or not a trained spaCy model is
installed. The PhraseMatcher is hash lookups: token-pattern ``Matcher``
predicates (IN/REGEX) are evaluated in Python per token and were slower.
The phrase tables themselves are in ``ingest.rule_phrases``.
"""
from __future__ import annotations

from typing import Callable, Collection, Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from research_hub.ingest.rule_phrases import (
    AUX_BEFORE_I, FEATURE_COMBOS, FEATURE_PHRASES, FOLLOW_PHRASES, HAVE_TO_NOT, JUST_NOT,
    KEEPS_NOT, MODAL, NEG, PAIN_COMBOS, PAIN_EXCLUDE, PAIN_PHRASES, PAIN_WORDS,
    PAST_IRREGULAR, PRAISE_PHRASES, PRAISE_WORDS, PRODUCT_WORDS, QUESTION_OPENERS,
    REQUEST_PHRASES, TAG_QUESTION_WORDS, VADER_FILLER, WORKAROUND_PHRASES,
)

PAIN_POINT = "pain_point"
FEATURE_REQUEST = "feature_request"
PRAISE = "praise"
QUESTION = "question"
WORKAROUND = "workaround"

RULE_TAGS: dict[str, str] = {
    PAIN_POINT: "Something hurts: slow, broken, confusing, failing, or strongly negative "
                "about the product.",
    FEATURE_REQUEST: "Asks for something that does not exist yet (I wish, would love, "
                     "please add, should be able to).",
    PRAISE: "Something works well or is liked.",
    QUESTION: "The participant asks a question.",
    WORKAROUND: "The participant works around a gap (manual steps, spreadsheets, "
                "copy and paste, hacks).",
}

PAIN_VADER_MAX = -0.3
PRAISE_VADER_MIN = 0.5
NEGATION_WINDOW = 3
QUESTION_MIN_WORDS = 4

FOLLOW_TAG = {"keep_ing": "pain", "please_let": FEATURE_REQUEST, "i_wish": FEATURE_REQUEST,
              "i_just": WORKAROUND, "have_to": WORKAROUND}
FOLLOW_PREFIX = "follow:"


def _follow_ok(kind: str, doc, start: int, end: int) -> bool:
    """Does the word after a ``FOLLOW_PHRASES`` match make it count?"""
    if end >= len(doc):
        return False
    nxt = doc[end]
    if nxt.is_punct or nxt.is_space:
        return False
    word = nxt.lower_
    if kind == "keep_ing":
        return word.endswith("ing") and word not in KEEPS_NOT
    if kind == "please_let":
        return word != "know"
    if kind == "i_wish":
        return word != "to"
    if start > 0 and doc[start - 1].lower_ in AUX_BEFORE_I:  # "do I have to", "will I just"
        return False
    if kind == "i_just":
        return word not in JUST_NOT and word not in PAST_IRREGULAR and not word.endswith("ed")
    if kind == "have_to":
        return word not in HAVE_TO_NOT
    return False


def _apostrophe_variants(phrase: str) -> list[str]:
    if "'" not in phrase:
        return [phrase]
    return [phrase, phrase.replace("'", "\u2019"), phrase.replace("'", "")]


def add_phrases(matcher: PhraseMatcher, nlp: Language, key: str,
                phrases: Iterable[str]) -> None:
    """Add ``phrases`` (lower-cased, with apostrophe variants) to ``matcher`` under ``key``."""
    texts = sorted({v for p in phrases for v in _apostrophe_variants(p.lower())})
    matcher.add(key, list(nlp.tokenizer.pipe(texts)))


def rule_matcher(nlp: Language) -> PhraseMatcher:
    """One PhraseMatcher for every rule table, keyed by cue kind."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    add_phrases(matcher, nlp, "pain", PAIN_PHRASES + PAIN_COMBOS)
    add_phrases(matcher, nlp, "pain_neg", PAIN_WORDS)
    add_phrases(matcher, nlp, "pain_exclude", PAIN_EXCLUDE)
    add_phrases(matcher, nlp, "product", PRODUCT_WORDS)
    add_phrases(matcher, nlp, FEATURE_REQUEST, FEATURE_PHRASES + FEATURE_COMBOS)
    add_phrases(matcher, nlp, "praise", PRAISE_PHRASES)
    add_phrases(matcher, nlp, "praise_neg", PRAISE_WORDS)
    add_phrases(matcher, nlp, "question_open", QUESTION_OPENERS)
    add_phrases(matcher, nlp, WORKAROUND, WORKAROUND_PHRASES)
    add_phrases(matcher, nlp, "request", REQUEST_PHRASES)
    for kind, phrases in FOLLOW_PHRASES.items():
        add_phrases(matcher, nlp, FOLLOW_PREFIX + kind, phrases)
    return matcher


def rule_vader() -> SentimentIntensityAnalyzer:
    """VADER without conversational filler words, for the rule decisions."""
    vader = SentimentIntensityAnalyzer()
    for word in VADER_FILLER:
        vader.lexicon.pop(word, None)
    return vader


# ---------------------------------------------------------------- decisions --

Span = tuple[int, int]


def matched_spans(doc, matches, strings) -> dict[str, list[Span]]:
    """Token spans of ``rule_matcher`` matches by cue kind; follow-prefixes resolved."""
    found: dict[str, list[Span]] = {}
    for key, start, end in matches:
        name = strings[key]
        if name.startswith(FOLLOW_PREFIX):
            kind = name[len(FOLLOW_PREFIX):]
            if not _follow_ok(kind, doc, start, end):
                continue
            name = FOLLOW_TAG[kind]
        found.setdefault(name, []).append((start, end))
    return found


def decide_rule_tags(doc, found: dict[str, list[Span]], compound: float,
                     rule_compound: Callable[[], float]) -> set[str]:
    """Rule tags of one participant snippet from its matched spans.

    ``compound`` is plain VADER; ``rule_compound`` computes the filler-free
    score, called only when a VADER fallback has to decide.
    """
    pain = _is_pain(doc, found, compound, rule_compound)
    feature = FEATURE_REQUEST in found
    question = _is_question(doc, found)
    workaround = WORKAROUND in found
    # VADER alone says praise only when no other rule explains the tone
    # ("it would be great if ..." is a request, not praise).
    praise = _has_praise_cue(doc, found) or (
        compound >= PRAISE_VADER_MIN
        and not (pain or question or feature or workaround or "request" in found)
        and rule_compound() >= PRAISE_VADER_MIN)
    decided = {PAIN_POINT: pain, FEATURE_REQUEST: feature, PRAISE: praise,
               QUESTION: question, WORKAROUND: workaround}
    return {tag for tag, on in decided.items() if on}


def _inside(span: Span, spans: list[Span]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _is_pain(doc, found: dict[str, list[Span]], compound: float,
             rule_compound: Callable[[], float]) -> bool:
    excluded = found.get("pain_exclude", [])
    if any(not _inside(sp, excluded) for sp in found.get("pain", [])):
        return True
    if any(not _inside(sp, excluded) and not _negated(doc, sp[0])
           for sp in found.get("pain_neg", [])):
        return True
    return (compound <= PAIN_VADER_MAX and "product" in found
            and rule_compound() <= PAIN_VADER_MAX)


def _has_praise_cue(doc, found: dict[str, list[Span]]) -> bool:
    """A praise phrase or word, not negated/modal and not part of a feature request."""
    feature_spans = found.get(FEATURE_REQUEST, [])
    cues = found.get("praise", []) + found.get("praise_neg", [])
    return any(not _overlaps(sp, feature_spans) and not _negated(doc, sp[0], MODAL)
               for sp in cues)


def _is_question(doc, found: dict[str, list[Span]]) -> bool:
    if "?" in doc.text and any(_asks(doc, t.i) for t in doc if t.is_punct and "?" in t.text):
        return True
    return any(_is_sentence_start(doc, s) for s, _ in found.get("question_open", []))


def _negated(doc, start: int, extra: Collection[str] = ()) -> bool:
    """A negation (or modal, via extra) in the few tokens before doc[start]."""
    i = start - 1
    seen = 0
    while i >= 0 and seen < NEGATION_WINDOW:
        tok = doc[i]
        if tok.is_space:
            i -= 1
            continue
        low = tok.lower_
        if tok.is_punct and low not in ("'", "\u2019"):
            return False
        if low in NEG or low in extra:
            return True
        seen += 1
        i -= 1
    return False


def _is_sentence_start(doc, i: int) -> bool:
    """Rule of thumb on a tokenizer-only doc: after . ! ? … or a line break."""
    if i <= 0:
        return True
    prev = doc[i - 1]
    if prev.is_space:
        return "\n" in prev.text or _is_sentence_start(doc, i - 1)
    return prev.is_punct and prev.text[-1] in ".!?\u2026"


def _asks(doc, qmark: int) -> bool:
    """Is the '?' at doc[qmark] a real question (not "..., you know?" or an echo)?"""
    prev = qmark - 1
    while prev >= 0 and (doc[prev].is_space or doc[prev].is_punct):
        prev -= 1
    if prev < 0 or doc[prev].lower_ in TAG_QUESTION_WORDS:
        return False
    words = 0
    for i in range(prev, -1, -1):  # back to the previous sentence end
        tok = doc[i]
        if i < prev and _is_sentence_start(doc, i + 1):
            break
        if not (tok.is_punct or tok.is_space):
            words += 1
            if words >= QUESTION_MIN_WORDS:
                return True
    return False

