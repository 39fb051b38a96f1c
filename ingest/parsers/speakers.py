"""Split a transcript's text into speaker turns, and decide who interviews.

Shared by the txt/md, docx and pdf parsers (the subtitle parser reuses the
role logic). Every span is an offset pair into the text it was given.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterator, Sequence

from research_hub.ingest.parsers.common import trim_span
from research_hub.ingest.parsers.labels import (
    accepted_keys,
    is_question,
    is_role_name,
    label_role,
    match_label,
)
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT

HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}(?:[ \t]|$)|(?:-[ \t]*){3,}$|(?:\*[ \t]*){3,}$|(?:_[ \t]*){3,}$|={3,}[ \t]*$)"
)


@dataclass
class Segment:
    """A speaker turn before roles are known: ``text[start:end]`` is speech."""

    speaker: str
    key: str
    start: int
    end: int
    role_label: str | None = None
    start_time: float | None = None


@dataclass
class Segmentation:
    segments: list[Segment]
    preamble: list[tuple[int, int]]  # non-empty lines before the first label
    labelled: bool


def iter_lines(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(offset, line) for each line of ``text`` from offset ``start``."""
    pos = start
    length = len(text)
    while pos <= length:
        nl = text.find("\n", pos)
        if nl < 0:
            if pos < length:
                yield pos, text[pos:]
            return
        yield pos, text[pos:nl]
        pos = nl + 1


def segment_speakers(text: str, body_start: int = 0) -> Segmentation:
    """Find labelled turns; unlabelled lines continue the previous speaker."""
    lines = list(iter_lines(text, body_start))
    matches = [match_label(line) for _, line in lines]
    keys = accepted_keys(m for m in matches if m is not None)
    if not keys:
        return Segmentation([], [], False)
    header_rows = _header_rows(lines, matches, keys)
    if header_rows and all(m is None or m.key not in keys or i in header_rows
                           for i, m in enumerate(matches)):
        # Only "Participant: P07" style header lines: no speaker labels at all.
        return Segmentation([], [], False)

    names: dict[str, str] = {}
    segments: list[Segment] = []
    preamble: list[tuple[int, int]] = []
    current: Segment | None = None
    last: Segment | None = None

    def close(seg: Segment | None) -> None:
        if seg is None:
            return
        start, end = trim_span(text, seg.start, seg.end)
        if end > start:
            seg.start, seg.end = start, end
            segments.append(seg)

    for index, ((offset, line), match) in enumerate(zip(lines, matches)):
        content_end = offset + len(line.rstrip())
        if index in header_rows:
            preamble.append((offset + len(line) - len(line.lstrip()), content_end))
            continue
        if match is not None and match.key in keys:
            close(current)
            speaker = names.setdefault(match.key, match.name)
            speech = offset + match.speech_start
            current = Segment(speaker, match.key, speech, max(speech, content_end),
                              match.role_label, match.time)
            last = current
        elif HEADING.match(line):
            if current is not None:
                close(current)
                current = None
            elif last is None and line.strip():
                preamble.append((offset, content_end))
        elif line.strip():
            if current is None:
                if last is None:
                    preamble.append((offset + len(line) - len(line.lstrip()), content_end))
                    continue
                current = Segment(last.speaker, last.key, offset, content_end, last.role_label)
            current.end = content_end
    close(current)
    return Segmentation(segments, preamble, True)


def _header_rows(lines, matches, keys) -> set[int]:
    """Indexes of 'Interviewer: Jane' style header lines above the transcript.

    A label accepted only because it names a role (it occurs once) is a
    header field, not a turn, when it comes before the first recurring label
    and what follows it is a short name rather than a sentence. Without any
    recurring label, such lines are a header only when every label is one
    (``Participant: P07`` above an unlabelled think-aloud session).
    """
    counts = Counter(m.key for m in matches if m is not None and m.key in keys)
    strong = {k for k, c in counts.items() if c >= 2}
    if strong:
        first_strong = next(i for i, m in enumerate(matches) if m is not None and m.key in strong)
    else:  # no recurring label: every once-only role label is a header candidate
        first_strong = len(matches)
    rows = set()
    for index in range(first_strong):
        match = matches[index]
        if match is None or match.key not in keys or match.key in strong:
            continue
        if not strong and not is_role_name(match.name, match.role_label):
            continue
        rest = lines[index][1][match.speech_start:].strip().strip("*_ ")
        if rest and len(rest) <= 60 and len(rest.split()) <= 6 and rest[-1] not in ".?!":
            rows.add(index)
    if not strong and any(m is not None and m.key in keys and i not in rows
                          for i, m in enumerate(matches)):
        return set()  # some label speaks: these are short turns, not a header
    return rows


def paragraph_blocks(text: str, body_start: int = 0) -> list[tuple[int, int]]:
    """Blank-line separated blocks (headings and rules excluded), trimmed."""
    blocks: list[tuple[int, int]] = []
    start = end = None
    for offset, line in iter_lines(text, body_start):
        if not line.strip() or HEADING.match(line):
            if start is not None:
                blocks.append(trim_span(text, start, end))
            start = end = None
            continue
        if start is None:
            start = offset
        end = offset + len(line.rstrip())
    if start is not None:
        blocks.append(trim_span(text, start, end))
    return [(s, e) for s, e in blocks if e > s]


def heading_lines(text: str, body_start: int = 0) -> list[tuple[int, int]]:
    """Spans of markdown '#' headings (for a title when nothing else fits)."""
    spans = []
    for offset, line in iter_lines(text, body_start):
        if re.match(r"^[ \t]*#{1,6}[ \t]+\S", line):
            spans.append((offset, offset + len(line.rstrip())))
    return spans


def assign_roles(items: Sequence[tuple[str, str | None, str]]) -> dict[str, str]:
    """Map speaker -> INTERVIEWER/PARTICIPANT.

    ``items`` are (speaker, role_label, turn text) in order. A label naming a
    role wins; without any interviewer label, the speaker who asks the most
    questions is the interviewer when most of their turns are questions, or
    when they ask at least twice as many as anyone else (and in a quarter of
    their turns), or when everyone else is labelled a participant.
    """
    explicit: dict[str, str] = {}
    turns: Counter[str] = Counter()
    questions: Counter[str] = Counter()
    order: list[str] = []
    for speaker, role_label, text in items:
        if speaker not in turns:
            order.append(speaker)
        turns[speaker] += 1
        if is_question(text):
            questions[speaker] += 1
        role = label_role(speaker, role_label)
        if role is not None and speaker not in explicit:
            explicit[speaker] = role

    roles = {s: explicit.get(s, PARTICIPANT) for s in order}
    if INTERVIEWER in explicit.values() or len(order) < 2:
        return roles

    unknown = [s for s in order if s not in explicit]
    asking = [s for s in unknown if questions[s] > 0]
    if not asking:
        return roles
    best = max(asking, key=lambda s: (questions[s], questions[s] / turns[s]))
    others_are_participants = all(explicit.get(s) == PARTICIPANT for s in order if s != best)
    runner_up = max((questions[s] for s in order if s != best), default=0)
    # An interviewer who also says "Okay." and "Right." a lot asks under half the
    # time, yet far more than anyone else does.
    dominant = (questions[best] >= 3 and questions[best] >= 2 * runner_up
                and questions[best] / turns[best] >= 0.25)
    if questions[best] / turns[best] >= 0.5 or others_are_participants or dominant:
        roles[best] = INTERVIEWER
    return roles

