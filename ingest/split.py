"""Speaker turns -> snippets of 1 to 3 sentences, with exact provenance.

Rules (see tests/test_split.py):

* A snippet never crosses a turn (so never a speaker change).
* Sentence boundaries come from ``research_hub.nlp.sentencizer()`` (blank
  English + rule sentencizer; a blank line is always a boundary), so splitting
  does not depend on which trained model is installed.
* A snippet holds at most ``max_sentences`` sentences and ``max_chars``
  characters. A sentence longer than ``max_chars`` is cut into pieces of about
  equal length at word boundaries (preferring a clause boundary such as ", " or
  "; "), so no piece is a stub; only a single "word" longer than ``max_chars``
  (a URL, say) is cut mid-word.
* Within those bounds a turn's sentences are grouped so that as few snippets
  as possible are under four words: a piece too short to stand alone ("Yeah.",
  "asking.", "All. The. Time.") joins its neighbour in the same turn. A short
  opener ("Yeah.", "Right, okay.") goes with the sentence after it; a piece
  that continues the one before (it starts in lower case, or the one before has
  no closing punctuation) goes with that one. Among equally good groupings the
  earlier snippets are the fuller ones.
* A participant turn that is only an acknowledgement ("Yeah.", "Okay.",
  "Mm-hmm."), a bare yes or no, or a reply that only moves the conversation
  along ("No, go ahead.", "Sounds great!", "Thank you!") in a conversation (a document with interviewer and participant
  turns) is not a snippet: it states nothing of its own, so as a search hit,
  a theme member or a quote it would only be noise; it stays in the document
  text for anyone reading the transcript. An interviewer's "Okay." stays a
  snippet but is not taken as the question (``context``) the next answer
  replies to. A one-row feedback item such as "Great!" is kept.
* ``doc.text[s.char_start:s.char_end] == s.text`` always: offsets come from
  token offsets plus the turn start, never from searching for the string, and
  every snippet starts and ends on non-whitespace.
* ``reading_text`` is the snippet without fillers ("uh", "um", a comma-set
  "you know"), stutters ("I I", "the, the") and the commas they leave behind;
  ``text`` stays verbatim.
* Turns of transcript tables list their source rows
  (``meta["source_rows"]``); each snippet's meta gives the ``rows`` it overlaps
  and their ``codes``, so archivists' codes line up with snippets.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import numpy as np

from research_hub.ingest.reading import reading_form
from research_hub.ingest.types import INTERVIEWER, Cue, IngestError, ParsedDocument, SnippetDraft, Turn
from research_hub.core import nlp as rh_nlp

CONTEXT_CHARS = 300
SHORT_WORDS = 4  # a snippet under this many words is a fragment
PIPE_BATCH = 256

GENERIC_SPEAKER = re.compile(
    r"^(?:the\s+)?(?:interviewee|participant|respondent|customer|user|speaker|author|"
    r"unknown|anonymous|anon)(?:[\s_#-]*(?:\d+|[a-z]))?$",
    re.IGNORECASE,
)
_CLAUSE_END = ",;:)]\u2014\u2013"
_WS = re.compile(r"\s+")
_NEWLINE = re.compile("\n")
_WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
_CLOSED = re.compile(r"[.?!\u2026][\"'\u201d\u2019)\]*_]*$")

# -- acknowledgements -------------------------------------------------------
_ACK_PHRASES = (
    "yeah", "yea", "yes", "yep", "yup", "ya", "yah", "aye", "ok", "okay", "okey", "okey dokey",
    "kay", "k", "mm", "mmm", "hmm", "hm", "mhm", "mm hmm", "mm hm", "mmhmm", "uh huh", "uh",
    "um", "er", "right", "sure", "alright", "all right", "exactly", "true", "totally",
    "absolutely", "definitely", "cool", "great", "good", "nice", "perfect", "fine", "gotcha",
    "got it", "i see", "oh", "ah", "aha", "wow", "ha", "haha", "thanks", "thank you",
    "of course", "indeed", "correct", "that's right", "that's true", "fair enough",
    "sounds good", "very good", "very well", "oh wow", "i know", "sure thing",
    # bare yes/no and the replies that only move the conversation along
    "no", "nope", "nah", "not really", "no problem", "not at all", "you're welcome",
    "welcome", "sounds great", "sounds fine", "go ahead", "go on", "let's go", "let's do it",
    "let's begin", "let's start", "let's get started", "let's dive in", "i'm ready", "ready",
    "continue", "fire away", "that's it", "that's all", "that's everything", "nothing else",
    "no questions", "none", "i understand", "understood", "please", "please do",
    "hi", "hello", "hey", "bye", "goodbye", "cheers", "mhmm", "mmhm",
    "uh hum", "ask away", "all good", "no more questions", "that sounds good",
    "that sounds great", "not a problem", "my pleasure", "good night", "that covers everything",
)
_ACK = re.compile(
    r"^(?:(?:%s)(?:\s+|$))+$" % "|".join(sorted((re.escape(p) for p in _ACK_PHRASES),
                                                  key=len, reverse=True)))
_ACK_MAX_WORDS = 6


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def is_bare_acknowledgement(text: str) -> bool:
    """'Yeah.', 'Okay, great.', 'No, go ahead.', ':)': a turn that only acknowledges,
    answers a bare yes or no, or moves the conversation along; no statement of its own."""
    words = _WORD.findall(text.casefold().replace("\u2019", "'"))
    if not words:
        return bool(text.strip())  # ":)", "...", "--"
    if len(words) > _ACK_MAX_WORDS:
        return False
    words = ["let's" if w == "lets" else w.replace("-", " ") for w in words]
    return bool(_ACK.match(" ".join(words)))


@dataclass
class _Sent:
    start: int  # offsets relative to the turn text
    end: int
    words: int
    lead: bool = False  # a short opener: goes with what follows
    tail: bool = False  # a short continuation: goes with what precedes

    @property
    def fragment(self) -> bool:
        return self.words < SHORT_WORDS


def participant_label(turn: Turn, doc_name: str) -> str:
    """Who said it: the turn's participant id, else the speaker label.

    Generic labels ("Interviewee", "Speaker 2", ...) say nothing across
    documents, so they are qualified by the document name.
    """
    if turn.participant:
        return turn.participant
    speaker = (turn.speaker or "").strip()
    if turn.role == INTERVIEWER:
        return speaker or f"Interviewer ({doc_name})"
    if not speaker or GENERIC_SPEAKER.match(speaker):
        return f"{speaker or 'Unknown'} ({doc_name})"
    return speaker


def _sentence_bounds(sdoc, text: str) -> list[tuple[int, int]]:
    """(start, end) characters of each sentence, whitespace around it included.

    Read from the token arrays: iterating `doc.sents` builds a Python object per
    token, and was the costliest part of splitting."""
    if len(sdoc) == 0:
        return []
    starts = sdoc.to_array(["SENT_START", "IDX"])
    firsts = [0] + [int(i) for i in np.flatnonzero(starts[1:, 0] == 1) + 1]
    chars = [int(starts[i, 1]) for i in firsts] + [len(text)]
    return list(zip(chars[:-1], chars[1:]))


def _sentences(sdoc, text: str, max_chars: int) -> list[_Sent]:
    """Trimmed sentences of one turn's spaCy doc (of `text`: `doc.text` rebuilds it token by
    token), long ones cut to max_chars."""
    out: list[_Sent] = []
    for start, end in _sentence_bounds(sdoc, text):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        if end - start > max_chars:
            out.extend(_cut_long(text, start, end, max_chars))
            continue
        out.append(_Sent(start, end, word_count(text[start:end])))
    for index, sent in enumerate(out):
        if not sent.fragment:
            continue
        first = text[sent.start:sent.end].lstrip("\"'\u201c\u2018*_([")[:1]
        previous_open = index > 0 and not _CLOSED.search(text[out[index - 1].start:out[index - 1].end])
        sent.tail = index > 0 and (first.islower() or previous_open)
        sent.lead = not sent.tail
    return out


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[_Sent]:
    """Cut text[start:end] into pieces of at most max_chars at word boundaries,
    of about equal length, so that the last piece is not a stub."""
    pieces: list[_Sent] = []
    while end - start > max_chars:
        # Cut positions c: the piece is text[start:start + c] and text[start + c]
        # is whitespace. Aim at an equal share of what is left; prefer a clause
        # boundary (", " "; " ...) near it, else the space nearest to it, else
        # (one huge word) max_chars.
        remaining = end - start
        target = -(-remaining // -(-remaining // max_chars))  # ceil(len / ceil(len / max))
        window = text[start:start + max_chars + 1]
        spaces = [c for c in range(1, len(window)) if window[c].isspace()]
        clause = [c for c in spaces if window[c - 1] in _CLAUSE_END
                  and target * 0.6 <= c <= max_chars]
        if clause:
            cut = min(clause, key=lambda c: (abs(c - target), -c))
        elif spaces:
            cut = min(spaces, key=lambda c: (abs(c - target), -c))
        else:
            cut = max_chars
        piece_end = start + cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end <= start:  # defensive: never loop forever
            piece_end = start + max_chars
        pieces.append(_Sent(start, piece_end, word_count(text[start:piece_end])))
        start = piece_end
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append(_Sent(start, end, word_count(text[start:end])))
    return pieces


def _group(sents: list[_Sent], max_chars: int, max_sentences: int) -> list[list[_Sent]]:
    """Contiguous groups within the bounds, chosen to leave the fewest short ones.

    Cost, compared in order: groups under SHORT_WORDS words; a short opener
    that ends a group although a sentence follows, or a short continuation
    that starts one although a sentence precedes; the number of groups. Ties
    go to the grouping whose earlier groups are fuller (greedy packing).
    """
    n = len(sents)
    if n == 0:
        return []
    best: list[tuple[int, int, int] | None] = [None] * (n + 1)
    choice = [0] * (n + 1)
    best[n] = (0, 0, 0)
    for i in range(n - 1, -1, -1):
        words = 0
        for j in range(i + 1, min(n, i + max_sentences) + 1):
            if j - i > 1 and sents[j - 1].end - sents[i].start > max_chars:
                break
            words += sents[j - 1].words
            rest = best[j]
            misplaced = ((j < n and sents[j - 1].lead) + (i > 0 and sents[i].tail))
            cost = (rest[0] + (words < SHORT_WORDS), rest[1] + misplaced, rest[2] + 1)
            if best[i] is None or cost < best[i]:
                best[i], choice[i] = cost, j
            elif cost == best[i] and j > choice[i]:
                choice[i] = j
    groups = []
    i = 0
    while i < n:
        groups.append(sents[i:choice[i]])
        i = choice[i]
    return groups


class _CueIndex:
    """Finds the cues of one turn that overlap a span, by bisection."""

    def __init__(self, cues: list[Cue]):
        self.cues = sorted(cues, key=lambda c: (c.start, c.end))
        self.starts = [c.start for c in self.cues]
        ends = [c.end for c in self.cues]
        self.ends = ends if all(a <= b for a, b in zip(ends, ends[1:])) else None

    def overlapping(self, start: int, end: int) -> list[Cue]:
        hi = bisect_left(self.starts, end)  # cues[:hi] start before `end`
        lo = bisect_right(self.ends, start) if self.ends is not None else 0
        return [c for c in self.cues[lo:hi] if c.end > start]


def _times(turn: Turn, cues: _CueIndex | None, start: int,
           end: int) -> tuple[float | None, float | None]:
    """Times of the cues overlapping doc.text[start:end], else the turn's."""
    if cues is not None:
        hit = cues.overlapping(start, end)
        if hit:
            return min(c.start_time for c in hit), max(c.end_time for c in hit)
    return turn.start_time, turn.end_time


def trim_context(text: str, limit: int = CONTEXT_CHARS) -> str:
    """One-line version of an interviewer turn, at most ~limit chars.

    The question usually comes last, so a long turn keeps its end, cut at a
    word boundary and marked with a leading ellipsis.
    """
    flat = _WS.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    tail = flat[-limit:]
    if flat[-limit - 1] != " ":  # started mid-word: drop the partial word
        space = tail.find(" ")
        if 0 <= space < limit // 2:
            tail = tail[space + 1:]
    return "\u2026" + tail


def line_of(newlines: list[int], pos: int) -> int:
    """1-based line of ``pos``, given the sorted newline offsets of the text."""
    return bisect_left(newlines, pos) + 1


def _snippet_meta(turn: Turn, start: int, end: int) -> dict:
    """The turn's meta; for a table transcript, the rows (and their codes) the snippet overlaps."""
    rows = turn.meta.get("source_rows")
    if not rows:
        return dict(turn.meta)
    meta = {k: v for k, v in turn.meta.items() if k not in ("source_rows", "rows", "codes")}
    hit = [r for r in rows if r["start"] < end and start < r["end"]]
    meta["rows"] = [r["row"] for r in hit]
    codes = list(dict.fromkeys(c for r in hit for c in r.get("codes", ())))
    if codes:
        meta["codes"] = codes
    return meta


def split_document(doc: ParsedDocument, doc_name: str, *, max_chars: int = 400,
                   max_sentences: int = 3) -> list[SnippetDraft]:
    """Split every turn of ``doc`` into snippet drafts (interviewer turns too)."""
    if max_chars < 1 or max_sentences < 1:
        raise ValueError("max_chars and max_sentences must be positive")
    text = doc.text
    newlines = [m.start() for m in _NEWLINE.finditer(text)]
    turns = sorted(doc.turns, key=lambda t: (t.start, t.end))
    for turn in turns:
        if not (0 <= turn.start <= turn.end <= len(text)):
            raise IngestError(f"{doc_name}: turn at offsets {turn.start}-{turn.end} "
                             f"is outside the document text (length {len(text)})")
    conversation = len({t.role == INTERVIEWER for t in turns}) == 2
    nlp = rh_nlp.sentencizer()
    turn_texts = [text[t.start:t.end] for t in turns]

    drafts: list[SnippetDraft] = []
    last_question: str | None = None
    for turn, turn_text, sdoc in zip(turns, turn_texts, nlp.pipe(turn_texts, batch_size=PIPE_BATCH)):
        is_interviewer = turn.role == INTERVIEWER
        acknowledgement = conversation and is_bare_acknowledgement(turn_text)
        if acknowledgement and not is_interviewer:
            continue
        participant = participant_label(turn, doc_name)
        context = None if is_interviewer else last_question
        cues = _CueIndex(turn.cues) if turn.cues else None
        for group in _group(_sentences(sdoc, turn_text, max_chars), max_chars, max_sentences):
            start = turn.start + group[0].start
            end = turn.start + group[-1].end
            t0, t1 = _times(turn, cues, start, end)
            piece = text[start:end]
            drafts.append(SnippetDraft(
                text=piece,
                char_start=start,
                char_end=end,
                speaker=turn.speaker,
                role=turn.role,
                participant=participant,
                line=line_of(newlines, start),
                start_time=t0,
                end_time=t1,
                context=context,
                meta=_snippet_meta(turn, start, end),
                reading_text=reading_form(piece),
            ))
        if is_interviewer and not acknowledgement:
            question = trim_context(turn_text)
            last_question = question or last_question
    return drafts
