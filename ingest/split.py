"""Speaker turns -> snippets of 1 to 3 sentences, with exact provenance.

Rules (see tests/test_split.py):

* A snippet never crosses a turn (so never a speaker change).
* Sentence boundaries come from ``research_hub.nlp.sentencizer()`` (blank
  English + rule sentencizer; a blank line is always a boundary), so splitting
  does not depend on which trained model is installed.
* Sentences are packed greedily, at most ``max_sentences`` per snippet and at
  most ``max_chars`` characters. A sentence longer than ``max_chars`` is cut at
  a word boundary (preferring a clause boundary such as ", " or "; "); only a
  single "word" longer than ``max_chars`` (a URL, say) is cut mid-word.
* Short fragments ("Yeah.", "Mm-hmm.", "Right, okay.") do not end a snippet
  when a sentence of the same turn follows: they move on to it. A fragment that
  ends a turn joins the snippet before it when that fits.
* ``doc.text[s.char_start:s.char_end] == s.text`` always: offsets come from
  token offsets plus the turn start, never from searching for the string, and
  every snippet starts and ends on non-whitespace.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from research_hub.ingest.types import INTERVIEWER, Cue, IngestError, ParsedDocument, SnippetDraft, Turn
from research_hub.core import nlp as rh_nlp

CONTEXT_CHARS = 300
FRAGMENT_MAX_CHARS = 20
FRAGMENT_MAX_WORDS = 3
PIPE_BATCH = 256

GENERIC_SPEAKER = re.compile(
    r"^(?:the\s+)?(?:interviewee|participant|respondent|customer|user|speaker|author|"
    r"unknown|anonymous|anon)(?:[\s_#-]*(?:\d+|[a-z]))?$",
    re.IGNORECASE,
)
_CLAUSE_END = ",;:)]\u2014\u2013"
_WS = re.compile(r"\s+")
_NEWLINE = re.compile("\n")


@dataclass
class _Sent:
    start: int  # offsets relative to the turn text
    end: int
    fragment: bool


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


def _sentences(sdoc, max_chars: int) -> list[_Sent]:
    """Trimmed sentences of one turn's spaCy doc, long ones cut to max_chars."""
    text = sdoc.text
    out: list[_Sent] = []
    for sent in sdoc.sents:
        toks = [t for t in sent if not t.is_space]
        if not toks:
            continue
        start = toks[0].idx
        end = toks[-1].idx + len(toks[-1].text)
        # A token may carry inner whitespace only if it is a space token, so
        # start/end are on non-whitespace. Be defensive all the same.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        if end - start > max_chars:
            out.extend(_cut_long(text, start, end, max_chars))
            continue
        words = sum(1 for t in toks if not t.is_punct)
        fragment = end - start <= FRAGMENT_MAX_CHARS and words <= FRAGMENT_MAX_WORDS
        out.append(_Sent(start, end, fragment))
    return out


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[_Sent]:
    """Cut text[start:end] into pieces of at most max_chars at word boundaries."""
    pieces: list[_Sent] = []
    while end - start > max_chars:
        # Cut positions c: the piece is text[start:start + c] and text[start + c]
        # is whitespace. Prefer a clause boundary (", " "; " ...) in the second
        # half of the window, else the last space, else (one huge word) max_chars.
        window = text[start:start + max_chars + 1]
        spaces = [c for c in range(1, len(window)) if window[c].isspace()]
        clause = [c for c in spaces if c >= max_chars // 2 and window[c - 1] in _CLAUSE_END]
        cut = clause[-1] if clause else (spaces[-1] if spaces else max_chars)
        piece_end = start + cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end <= start:  # defensive: never loop forever
            piece_end = start + max_chars
        pieces.append(_Sent(start, piece_end, False))
        start = piece_end
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append(_Sent(start, end, False))
    return pieces


def _group(sents: list[_Sent], max_chars: int, max_sentences: int) -> list[list[_Sent]]:
    groups: list[list[_Sent]] = []
    cur: list[_Sent] = []
    for sent in sents:
        if cur and (len(cur) >= max_sentences or sent.end - cur[0].start > max_chars):
            # Trailing fragments move on to the next sentence when they fit with it.
            carry: list[_Sent] = []
            while (len(cur) > 1 and cur[-1].fragment
                   and len(carry) + 2 <= max_sentences
                   and sent.end - cur[-1].start <= max_chars):
                carry.insert(0, cur.pop())
            groups.append(cur)
            cur = carry
        cur.append(sent)
    if cur:
        # A lone trailing fragment joins the snippet before it when that fits.
        if (groups and all(s.fragment for s in cur)
                and len(groups[-1]) + len(cur) <= max_sentences
                and cur[-1].end - groups[-1][0].start <= max_chars):
            groups[-1].extend(cur)
        else:
            groups.append(cur)
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
    nlp = rh_nlp.sentencizer()
    turn_texts = (text[t.start:t.end] for t in turns)

    drafts: list[SnippetDraft] = []
    last_question: str | None = None
    for turn, sdoc in zip(turns, nlp.pipe(turn_texts, batch_size=PIPE_BATCH)):
        is_interviewer = turn.role == INTERVIEWER
        participant = participant_label(turn, doc_name)
        context = None if is_interviewer else last_question
        cues = _CueIndex(turn.cues) if turn.cues else None
        for group in _group(_sentences(sdoc, max_chars), max_chars, max_sentences):
            start = turn.start + group[0].start
            end = turn.start + group[-1].end
            t0, t1 = _times(turn, cues, start, end)
            drafts.append(SnippetDraft(
                text=text[start:end],
                char_start=start,
                char_end=end,
                speaker=turn.speaker,
                role=turn.role,
                participant=participant,
                line=line_of(newlines, start),
                start_time=t0,
                end_time=t1,
                context=context,
                meta=dict(turn.meta),
            ))
        if is_interviewer:
            question = trim_context(sdoc.text)
            last_question = question or last_question
    return drafts

