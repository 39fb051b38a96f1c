"""Plain-text and Markdown transcripts (and the shared text -> document step
used by the DOCX, ODT, RTF, HTML and PDF parsers).

The stored text is the decoded file (BOM removed, CRLF -> LF), front matter
included; turns index into it. Three shapes are told apart:

* speaker labels (``labels.py``): one turn per labelled stretch; short labels
  that abbreviate a full name given in the file (``DB`` for ``Devin Becker``)
  are that speaker (``aliases.py``);
* no labels but numbered task or question prompts (``think_aloud.py``): the
  prompts are the moderator's turns, the speech between them one participant's,
  named by the front matter, a ``Participant:`` header line or the file name;
  the same when every label names an interviewer (``Q1: ...`` with the answer
  on the lines below);
* neither: a note, each blank-line separated paragraph an "Author" turn.

A title comes from the front matter, a ``Title:`` header line, a heading (a
markdown ``#`` line, a heading paragraph of a document, or a short title-like
first line above the transcript) or the file name, never from a line of
speech: a first line that ends like a sentence or opens like speech ("All
right.", "So, ...") is not a title.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from research_hub.ingest.parsers.aliases import alias_target, resolve_aliases
from research_hub.ingest.parsers.common import (
    LineIndex,
    date_from_filename,
    humanize_stem,
    participant_from_filename,
)
from research_hub.ingest.parsers.encoding import decode_bytes
from research_hub.ingest.parsers.front_matter import (
    document_fields,
    front_matter_metadata,
    header_fields,
    split_front_matter,
)
from research_hub.ingest.parsers.labels import label_key, label_role
from research_hub.ingest.parsers.registry import TRANSCRIPT, register
from research_hub.ingest.parsers.speakers import (
    HEADING,
    Segment,
    assign_roles,
    heading_lines,
    iter_lines,
    paragraph_blocks,
    segment_speakers,
)
from research_hub.ingest.parsers.think_aloud import find_prompts, reads_as_prompt, session_spans
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT, IngestError, ParsedDocument, Turn

AUTHOR = "Author"
MODERATOR = "Moderator"
MAX_TITLE = 120
MAX_TITLE_WORDS = 14
_MD_DECOR = re.compile(r"^[ \t]*#{1,6}[ \t]*|[*_`]+")
_MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+\S")
# First words of spoken lines; a line opening with one is speech, not a title.
SPEECH_OPENERS = {
    "all", "alright", "allright", "right", "ok", "okay", "so", "yeah", "yes", "yep", "no",
    "nope", "um", "uh", "umm", "uhm", "erm", "hmm", "mm", "mhm", "well", "hi", "hello", "hey",
    "thanks", "thank", "and", "but", "or", "i", "i'm", "i've", "i'd", "we", "we're", "you",
    "you're", "it", "it's", "that", "that's", "there", "there's", "let's", "let", "sure",
    "good", "great", "cool", "oh", "ah", "just", "like", "actually", "basically", "anyway",
    "now", "then", "because", "maybe", "yup", "exactly", "totally", "perfect", "wow",
}
# A label that is only a question/task number ("Q1", "Question 2"): the moderator's.
_PROMPT_CODE = re.compile(r"^(?:q|question|task)[ \t#]*(\d{1,3}[a-z]?)$", re.IGNORECASE)
# Header lines above a think-aloud session ("Participant: P4") that are metadata.
SESSION_HEADER_KEYS = {
    "title", "date", "study", "project", "participant", "participants", "interviewee",
    "respondent", "interviewer", "moderator", "facilitator", "researcher", "observer",
    "note taker", "notetaker", "session", "kind", "type", "duration", "location",
    "recorded", "device", "platform", "product", "prototype", "version", "round",
}


def parse_text_file(path: Path, data: bytes, fmt: str) -> ParsedDocument:
    text = decode_bytes(data)
    return build_document(text, path, fmt)


def _clean_title(line: str) -> str:
    title = _MD_DECOR.sub("", line).strip()
    return title.rstrip(":").strip()


def title_like(line: str) -> str | None:
    """The line as a title when it reads like one (not like speech), else None."""
    title = _clean_title(line)
    if not title or len(title) > MAX_TITLE:
        return None
    words = title.split()
    if len(words) > MAX_TITLE_WORDS or title[-1] in ".?!,;\u2026-\u2013\u2014":
        return None
    if not (title[0].isupper() or title[0].isdigit()):
        return None
    if words[0].casefold().strip(",.!?;:\"'\u2019") in SPEECH_OPENERS:
        return None
    return title


def _title_from_lines(lines: list[tuple[int, str]], headings: set[int]) -> str | None:
    """A title from the lines above a transcript: the first line that is not a
    header field, when it is a heading or reads like a title."""
    for offset, line in lines:
        if header_fields([line]):
            continue
        if offset in headings or _MD_HEADING.match(line):
            title = _clean_title(line)
            return title if title and len(title) <= MAX_TITLE else None
        return title_like(line)
    return None


def _names_match(speaker: str, names: list[str]) -> bool:
    key = label_key(speaker)
    for name in names:
        other = label_key(name)
        if not other:
            continue
        if key == other or key.split()[0] == other.split()[0]:
            return True
        if alias_target(speaker, [name]) is not None:
            return True
    return False


def _known_names(fields: dict[str, Any]) -> list[str]:
    return [*(fields.get("interviewers") or []), *(fields.get("participants") or [])]


def _apply_aliases(segments: list[Segment], names: Iterable[str]) -> dict[str, str]:
    """Rename segments whose label abbreviates a full name; {label: name}."""
    aliases = resolve_aliases([s.speaker for s in segments], names)
    for seg in segments:
        if seg.speaker in aliases:
            seg.speaker = aliases[seg.speaker]
    return aliases


def _roles(segments: list[Segment], text: str, fields: dict[str, Any]) -> dict[str, str]:
    roles = assign_roles([(s.speaker, s.role_label, text[s.start:s.end]) for s in segments])
    interviewers = fields.get("interviewers") or []
    if interviewers and any(_names_match(s, interviewers) for s in roles):
        role_labels: dict[str, str | None] = {}
        for seg in segments:
            role_labels.setdefault(seg.speaker, seg.role_label)
        roles = {
            s: INTERVIEWER if _names_match(s, interviewers)
            else (label_role(s, role_labels[s]) or PARTICIPANT)
            for s in roles
        }
    return roles


def _line_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, str]]:
    return [(s, text[s:e]) for s, e in spans]


def _session_names(fields: dict[str, Any], path: Path) -> tuple[str, str]:
    participants = fields.get("participants") or []
    interviewers = fields.get("interviewers") or []
    participant = participants[0] if participants else participant_from_filename(path)
    moderator = interviewers[0] if interviewers else MODERATOR
    return participant, moderator


def _session_header(text: str, body_start: int, first_prompt: int,
                    headings: set[int]) -> tuple[dict[str, str], set[int], str | None]:
    """Header fields and a title above the first prompt: (fields, line offsets, title)."""
    header: dict[str, str] = {}
    skip: set[int] = set()
    title = None
    for offset, line in iter_lines(text, body_start):
        if offset >= first_prompt:
            break
        if not line.strip() or HEADING.match(line):
            continue
        field = header_fields([line])
        if field and next(iter(field)) in SESSION_HEADER_KEYS:
            header.update((k, v) for k, v in field.items() if k not in header)
            skip.add(offset)
            continue
        if title is None and not header:  # a title only on the first line
            if offset in headings:
                candidate = _clean_title(line) or None
            else:
                candidate = title_like(line)
            if candidate:
                title = candidate
                skip.add(offset)
                continue
        break
    return header, skip, title


def _session_turns(spans, lines: LineIndex, participant: str, moderator: str) -> list[Turn]:
    turns = []
    for span in spans:
        if span.prompt is not None:
            turn = Turn(speaker=moderator, role=INTERVIEWER, start=span.start, end=span.end,
                        line=lines.line_of(span.start), meta={"task": span.prompt.number})
        else:
            turn = Turn(speaker=participant, role=PARTICIPANT, start=span.start, end=span.end,
                        line=lines.line_of(span.start))
        turns.append(turn)
    return turns


def _prompted_segments(text: str, segments: list[Segment]) -> list[tuple[int, int, bool]] | None:
    """Every label names an interviewer (``Q1: ...``, ``Moderator: Task 2 ...``):
    the label's line is the prompt, the lines below it the participant's answer.
    (start, end, is_prompt) spans, or None when no label has lines below it or
    most label lines are neither questions nor instructions."""
    prompts = [text[s.start:s.end].split("\n", 1)[0] for s in segments]
    if sum(reads_as_prompt(p) for p in prompts) * 2 < len(prompts):
        return None  # a monologue (a moderator's guide), not prompts and answers
    spans: list[tuple[int, int, bool]] = []
    answered = False
    for seg in segments:
        newline = text.find("\n", seg.start, seg.end)
        if newline < 0:
            spans.append((seg.start, seg.end, True))
            continue
        first_end = seg.start + len(text[seg.start:newline].rstrip())
        spans.append((seg.start, first_end, True))
        rest = newline + 1
        while rest < seg.end and text[rest].isspace():
            rest += 1
        if rest < seg.end:
            spans.append((rest, seg.end, False))
            answered = True
    return spans if answered else None


def build_document(text: str, path: Path, fmt: str, headings: Iterable[int] = (),
                   meta_title: str | None = None) -> ParsedDocument:
    """Normalized text -> ParsedDocument with speaker turns (or note paragraphs).

    ``headings`` are offsets of lines the source marked as headings (a DOCX
    or ODT heading paragraph, an HTML <h1>); markdown ``#`` lines always are.
    ``meta_title`` is a title the file's own metadata gives (an HTML <title>,
    an RTF \\title), used when the text gives none, before the file name.
    """
    if not text.strip():
        raise IngestError("file has no text (only whitespace)")
    headings = set(headings)
    front, body_start = split_front_matter(text)
    fields: dict[str, Any] = document_fields(front) if front else {}
    metadata: dict[str, Any] = {"format": fmt}
    if front:
        metadata["front_matter"] = front_matter_metadata(front)

    segmentation = segment_speakers(text, body_start)
    lines = LineIndex(text)
    turns: list[Turn] = []
    title: str | None = fields.get("title")
    kind = fields.get("kind")

    if segmentation.labelled and segmentation.segments:
        preamble = _line_spans(text, segmentation.preamble)
        header = header_fields([line for _, line in preamble])
        for key, value in document_fields(header).items():
            fields.setdefault(key, value)
        if header:
            metadata["header"] = header
        title = title or fields.get("title") or _title_from_lines(preamble, headings)
        segments = segmentation.segments
        labels = {id(seg): seg.speaker for seg in segments}
        aliases = _apply_aliases(segments, _known_names(fields))
        if aliases:
            metadata["aliases"] = aliases
        roles = _roles(segments, text, fields)
        prompted = None
        if PARTICIPANT not in roles.values():
            prompted = _prompted_segments(text, segments)
        if prompted is not None:
            participant, moderator = _session_names(fields, path)
            by_start = {seg.start: seg for seg in segments}
            roles = {}
            for start, end, is_prompt in prompted:
                if is_prompt:
                    seg = by_start[start]
                    code = _PROMPT_CODE.match(seg.speaker)
                    speaker = moderator if code else seg.speaker
                    turn = Turn(speaker=speaker, role=INTERVIEWER, start=start, end=end,
                                line=lines.line_of(start), start_time=seg.start_time)
                    roles[speaker] = INTERVIEWER
                    if code:
                        turn.meta["task"] = code.group(1)
                        turn.meta["label"] = seg.speaker
                    if seg.role_label:
                        turn.meta["role_label"] = seg.role_label
                else:
                    turn = Turn(speaker=participant, role=PARTICIPANT, start=start, end=end,
                                line=lines.line_of(start))
                turns.append(turn)
            roles[participant] = PARTICIPANT
            metadata["style"] = "prompts"
        else:
            for index, seg in enumerate(segments):
                nxt = segments[index + 1].start_time if index + 1 < len(segments) else None
                turn = Turn(
                    speaker=seg.speaker,
                    role=roles[seg.speaker],
                    start=seg.start,
                    end=seg.end,
                    line=lines.line_of(seg.start),
                    start_time=seg.start_time,
                    end_time=nxt if seg.start_time is not None and nxt is not None
                    and nxt >= seg.start_time else None,
                )
                if seg.role_label:
                    turn.meta["role_label"] = seg.role_label
                if labels[id(seg)] != seg.speaker:
                    turn.meta["label"] = labels[id(seg)]
                turns.append(turn)
        metadata["speakers"] = roles
        kind = kind or "interview"
    elif (prompts := find_prompts(text, body_start)) is not None:
        header, skip, heading_title = _session_header(text, body_start, prompts[0].start,
                                                      headings)
        for key, value in document_fields(header).items():
            fields.setdefault(key, value)
        if header:
            metadata["header"] = header
        title = title or fields.get("title") or heading_title
        if title is None:
            found = heading_lines(text, body_start)
            title = _title_from_lines(_line_spans(text, found[:1]), headings) if found else None
        participant, moderator = _session_names(fields, path)
        spans = session_spans(text, prompts, body_start, skip)
        turns = _session_turns(spans, lines, participant, moderator)
        metadata["speakers"] = {moderator: INTERVIEWER, participant: PARTICIPANT}
        metadata["style"] = "think-aloud"
        kind = kind or "interview"
    else:
        blocks = paragraph_blocks(text, body_start)
        if title is None:
            found = heading_lines(text, body_start)
            if found:
                title = _title_from_lines(_line_spans(text, found), headings)
        if title is None and len(blocks) > 1:
            first = text[blocks[0][0]:blocks[0][1]]
            candidate = None
            if blocks[0][0] in headings:
                candidate = _clean_title(first) or None
            elif "\n" not in first and len(first) <= 80:
                candidate = title_like(first)
            if candidate:
                title = candidate
                blocks = blocks[1:]
        for start, end in blocks:
            turns.append(Turn(speaker=AUTHOR, role=PARTICIPANT, start=start, end=end,
                              line=lines.line_of(start)))
        metadata["speakers"] = {AUTHOR: PARTICIPANT} if turns else {}
        kind = kind or "note"

    if not turns:
        raise IngestError("no text found (nothing but front matter, headings or blank lines)")

    for key in ("study", "participants", "interviewers"):
        if fields.get(key):
            metadata[key] = fields[key]
    return ParsedDocument(
        text=text,
        turns=turns,
        kind_hint=kind,
        title=title or (meta_title or "").strip() or humanize_stem(path),
        date=fields.get("date") or date_from_filename(path),
        metadata=metadata,
    )

register([".txt"], label="Plain-text transcript or notes", families=[TRANSCRIPT],
         parse=lambda path, data, text_col: parse_text_file(path, data, "txt"))
register([".md", ".markdown"], label="Markdown transcript or notes", families=[TRANSCRIPT],
         parse=lambda path, data, text_col: parse_text_file(path, data, "md"))
