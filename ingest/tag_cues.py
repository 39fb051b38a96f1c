"""Side features the tag model reads beside the embedding: cue phrases, questions, length, VADER.

The cue families were written from the labelling guide (ingest/data/README.md),
not from the training data: the ways people say they are confused, that
something failed, that they cannot, that something is missing, that it is hard,
that they have to, that they wish or ask for something, that it is good, that they work around it,
a named harm (lost work or income, stolen work, leaked data), mistrust and checking,
poor output, negation, the past, hedging. On sources the model never saw they were the
largest single gain in average precision (0.54 to 0.58 for pain points); the harm,
mistrust and poor-output families took the cross-validated average precision for pain
points on interview and session rows from 0.705 to 0.712.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

CUES = {
    "confusion": r"\b(not (really |very |quite |that |so )?(clear|sure|obvious|intuitive)|unclear|no idea|"
                 r"(do|did)( not|n't) (know|understand|get|see)|i'?m (not sure|unsure|lost|confused)|unsure|"
                 r"confus\w*|what'?s that|what is (this|that)|where (is|did|does|are|do|can)|"
                 r"how (do|can|should) (i|we|you)|(strange|weird|odd|puzzl\w*)|hmm+|not obvious)\b",
    "why": r"(^|[\s,.])why\b[^.!]*\?|\bwhy\?",
    "failure": r"\b(does(n't| not) work|did(n't| not) work|not working|won'?t work|broken|breaks?|error\w*|"
               r"fail\w*|crash\w*|bugs?|buggy|glitch\w*|wrong|incorrect|mistakes?|inaccura\w*|hallucinat\w*|"
               r"unreliable|lost|lose|loses|gone|disappear\w*|nothing happen\w*|not (show|display|load|sav)\w*)\b",
    "inability": r"\b(can'?t|cannot|could(n't| not)|unable|won'?t let|does(n't| not) (let|allow)|not able|"
                 r"impossible)\b",
    "absence": r"\b(there'?s no|there is no|there are no|no (field|option|button|way|place|results?|integration|"
               r"label|support|feature|setting|menu|link|access)|missing|lack\w*|without (a|an|any)|"
               r"isn'?t (there|available)|not available)\b",
    "difficulty": r"\b(hard|harder|difficult\w*|struggl\w*|slow\w*|time[- ]consuming|takes? (a long|so long|forever|"
                  r"ages|a while|a little bit)|tedious|cumbersome|clunky|complicated|complex|too many|overwhelm\w*|"
                  r"painful|pain|nightmare\w*|headaches?|hassle\w*|chore|annoy\w*|frustrat\w*|irritat\w*|"
                  r"drives? me (crazy|nuts|mad)|hate|hated|awful|"
                  r"terrible|horrible|bad|worse|worst|problem\w*|issues?|trouble\w*|hiccups?|concern\w*|worr\w*|"
                  r"afraid|fear\w*|risk\w*|danger\w*|expensive|costly|costs?|waste\w*|mistrust|distrust|"
                  r"(don'?t|do not|can'?t) trust|disappoint\w*|limit\w*|downside)\b",
    "obligation": r"\b(have to|had to|has to|need to|needed to|must|forced to|double[- ]check\w*|re-?check\w*|"
                  r"verify|verif\w*|redo|fix (it|them|this)|correct (it|them))\b",
    "wish": r"\b(wish\w*|would (be )?(nice|great|good|helpful|useful|better|cool|ideal|awesome|amazing|lovely|"
            r"fantastic)|i'?d (like|love|want|prefer)|would (like|love|want|prefer)|if only|hope\w*|"
            r"should (be|have|add|allow|let|support|show|include)|could (be|have) (a|an|more|better)|"
            r"needs? (a|an|to be|more|better)|want (a|an|some) (way|option|feature|tool)|it'?d be|ability to|"
            r"option to|better if|magic wand|ideally|please (add|let|make|allow|include|support|bring|give|"
            r"consider|fix|improve)|(can|could|would|will) you (please )?(add|make|let|include|allow|support)|"
            r"is there (a|any) way (to|of)|there should be|would love|i'?d appreciate|it would help|"
            r"(could|should|needs? to) be (a lot |much |a bit |way )?(faster|clearer|easier|simpler|better|quicker|"
            r"cheaper|smarter))\b",
    "praise": r"\b(love\w*|great|nice|good|easy|easier|intuitive|helpful|useful|amazing|awesome|excellent|"
              r"fantastic|wonderful|perfect\w*|brilliant|game[- ]changer|saves? (me )?(time|hours|a lot)|"
              r"efficient|fast|quick\w*|impress\w*|enjoy\w*|like (it|that|this|how)|works? (well|great|fine)|"
              r"pretty good|valuable|powerful|convenient|reliable|accurate|clear)\b",
    "workaround": r"\b(instead|so i (just|simply)|i just|manually|by hand|copy|copied|paste\w*|spreadsheet|excel|"
                  r"notes? file|workaround|work around|trick\w*|hack\w*|break (it|them|the task) (down|into)|"
                  r"another tool|separate (tool|window|app)|myself|fallback|fall back)\b",
    "harm": r"\b(jobs?|livelihoods?|income|earn(s|ing)? (a|my|their|our)|replac\w*|take (over|away)|taking (over|away)|"
            r"out of work|obsolete|stolen|steal\w*|theft|plagiar\w*|without (their |my |our )?(consent|permission|credit)|"
            r"copyright\w*|devalu\w*|undercut\w*|flood\w*|saturat\w*|leak\w*|privacy|confidential\w*)\b",
    "mistrust": r"\b(trust\w*|reliab\w*|unreliab\w*|skeptic\w*|sceptic\w*|doubt\w*|suspicious|wary|hesitant|nervous|"
                r"cautious|made[- ]up|fabricat\w*|sycophan\w*|fact[- ]check\w*|cross[- ]check\w*|"
                r"check (everything|it|its|all|every\w*))\b",
    "poor": r"\b(generic|bland|robotic|soulless|mediocre|uninspired|cheesy|corny|clich\w*|shallow|superficial|useless|"
            r"pointless|garbage|slop|nonsense|inconsisten\w*|falls? short|off the rails|"
            r"(not|isn'?t|wasn'?t|aren'?t) (very |that |really |so |quite |always |particularly )?(good|great|useful|helpful|"
            r"reliable|accurate|correct|right|consistent|usable|there|quite right))\b",
    "negation": r"\b(not|no|never|nothing|none|n't|nor)\b|n't\b",
    "past": r"\b(used to|back then|before (i|we|ai|that)|in the past|previously|years ago|no longer|anymore|"
            r"now it'?s|has (improved|gotten better))\b",
    "hedge": r"\b(maybe|perhaps|probably|i guess|i think|i suppose|might|seems?|seemed|kind of|sort of)\b",
}
_CUES = [re.compile(p) for p in CUES.values()]  # matched on lower-cased text: IGNORECASE is slower
_QSTART = re.compile(r"(^|[.!?]\s+)(what|where|why|how|who|which|when|is|are|do|does|did|can|could|should|"
                     r"would|will|shall)\b[^.!?]*\?", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"')\]]*\s+(?=\S)")
_WORD = re.compile(r"\w+")
N_SIDE = len(CUES) + 8  # cues, ?, question start, length, sentences, VADER neg/neu/pos/compound


@lru_cache(maxsize=1)
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def sentences(text: str) -> list[str]:
    """A cheap split at sentence ends; pieces under four words join the next one."""
    out, buf = [], ""
    for piece in (p.strip() for p in _SENTENCE_END.split(text or "")):
        if not piece:
            continue
        buf = f"{buf} {piece}" if buf else piece
        if len(_WORD.findall(buf)) >= 4:
            out.append(buf)
            buf = ""
    if buf:
        if out:
            out[-1] = f"{out[-1]} {buf}"
        else:
            out.append(buf)
    return out or [text or ""]


class Side:
    """Side features of snippets and of their sentences, each row in [0, 1] (compound in [-1, 1]).

    Cue counts are found once per sentence and summed for the snippet; VADER reads the
    snippet, and its sentences share the snippet's scores."""

    def __init__(self, texts: Sequence[str]):
        pieces = [sentences(t or "") for t in texts]
        self.sentences = [s for p in pieces for s in p]
        self.owner = np.repeat(np.arange(len(texts)), [len(p) for p in pieces]).astype(np.int64)
        counts = np.array([[len(c.findall(s.lower())) for c in _CUES] for s in self.sentences],
                          dtype=np.float64).reshape(len(self.sentences), len(_CUES))
        unit_counts = np.zeros((len(texts), len(_CUES)))
        np.add.at(unit_counts, self.owner, counts)
        vader = _vader()
        moods = np.array([[v for v in vader.polarity_scores(t or "").values()] for t in texts],
                         dtype=np.float64).reshape(len(texts), 4)  # neg, neu, pos, compound
        self.units = _rows(unit_counts, list(texts), [len(p) for p in pieces], moods)
        self.of_sentences = _rows(counts, self.sentences, [1] * len(self.sentences), moods[self.owner])


def _rows(counts: np.ndarray, texts: list[str], n_sentences: list[int], moods: np.ndarray) -> np.ndarray:
    out = np.zeros((len(texts), N_SIDE))
    k = counts.shape[1]
    out[:, :k] = np.minimum(counts, 3) / 3.0
    for i, text in enumerate(texts):
        text = text or ""
        out[i, k] = 1.0 if "?" in text else 0.0
        out[i, k + 1] = 1.0 if _QSTART.search(text) else 0.0
        out[i, k + 2] = min(len(text), 400) / 400.0
    out[:, k + 3] = np.minimum(n_sentences, 3) / 3.0
    out[:, k + 4:] = moods
    return out
