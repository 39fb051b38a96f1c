"""Plain-text and Markdown transcripts (and the shared text -> document step
used by the DOCX and PDF parsers).

The stored text is the decoded file (BOM removed, CRLF -> LF), front matter
included; turns index into it. Without any speaker label the document is a
note: each blank-line separated paragraph becomes an "Author" turn.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ingest.parsers.common import LineIndex, date_from_filename, humanize_stem
from ingest.parsers.encoding import decode_bytes
from ingest.parsers.front_matter import (
    document_fields,
    front_matter_metadata,
    header_fields,
    split_front_matter,
)
from ingest.parsers.labels import label_key, label_role
from ingest.parsers.registry import TRANSCRIPT, register
from ingest.parsers.speakers import (
    assign_roles,
    heading_lines,
    paragraph_blocks,
    segment_speakers,
)
from ingest.types import INTERVIEWER, PARTICIPANT, IngestError, ParsedDocument, Turn

AUTHOR = "Author"
MAX_TITLE = 120
_MD_DECOR = re.compile(r"^[ \t]*#{1,6}[ \t]*|[*_`]+")


def parse_text_file(path: Path, data: bytes, fmt: str) -> ParsedDocument:
    text = decode_bytes(data)
    return build_document(text, path, fmt)


def _clean_title(line: str) -> str:
    title = _MD_DECOR.sub("", line).strip()
    return title.rstrip(":").strip()


def _title_from_lines(lines: list[str]) -> str | None:
    for line in lines:
        if header_fields([line]):
            continue
        title = _clean_title(line)
        if title and len(title) <= MAX_TITLE:
            return title
    return None


def _names_match(speaker: str, names: list[str]) -> bool:
    key = label_key(speaker)
    for name in names:
        other = label_key(name)
        if not other:
            continue
        if key == other or key.split()[0] == other.split()[0]:
            return True
    return False


def build_document(text: str, path: Path, fmt: str) -> ParsedDocument:
    """Normalized text -> ParsedDocument with speaker turns (or note paragraphs)."""
    if not text.strip():
        raise IngestError("file has no text (only whitespace)")
    front, body_start = split_front_matter(text)
    fields: dict[str, Any] = document_fields(front) if front else {}
    metadata: dict[str, Any] = {"format": fmt}
    if front:
        metadata["front_matter"] = front_matter_metadata(front)

    segmentation = segment_speakers(text, body_start)
    lines = LineIndex(text)
    turns: list[Turn] = []
    title: str | None = fields.get("title")

    if segmentation.labelled and segmentation.segments:
        preamble = [text[s:e] for s, e in segmentation.preamble]
        header = header_fields(preamble)
        for key, value in document_fields(header).items():
            fields.setdefault(key, value)
        if header:
            metadata["header"] = header
        title = title or _title_from_lines(preamble)
        segments = segmentation.segments
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
            turns.append(turn)
        metadata["speakers"] = roles
        kind = fields.get("kind") or "interview"
    else:
        blocks = paragraph_blocks(text, body_start)
        if title is None:
            headings = heading_lines(text, body_start)
            if headings:
                title = _title_from_lines([text[s:e] for s, e in headings])
        if title is None and len(blocks) > 1:
            first = text[blocks[0][0]:blocks[0][1]]
            if "\n" not in first and len(first) <= 80 and first[-1] not in ".?!,;":
                title = _clean_title(first)
                blocks = blocks[1:]
        for start, end in blocks:
            turns.append(Turn(speaker=AUTHOR, role=PARTICIPANT, start=start, end=end,
                              line=lines.line_of(start)))
        metadata["speakers"] = {AUTHOR: PARTICIPANT} if turns else {}
        kind = fields.get("kind") or "note"

    if not turns:
        raise IngestError("no text found (nothing but front matter, headings or blank lines)")

    for key in ("study", "participants", "interviewers"):
        if fields.get(key):
            metadata[key] = fields[key]
    return ParsedDocument(
        text=text,
        turns=turns,
        kind_hint=kind,
        title=title or humanize_stem(path),
        date=fields.get("date") or date_from_filename(path),
        metadata=metadata,
    )


register([".txt"], label="Plain-text transcript or notes", families=[TRANSCRIPT],
         parse=lambda path, data, text_col: parse_text_file(path, data, "txt"))
register([".md", ".markdown"], label="Markdown transcript or notes", families=[TRANSCRIPT],
         parse=lambda path, data, text_col: parse_text_file(path, data, "md"))
