"""The shapes that flow through ingestion: parser output and snippet drafts.

A parser turns one file into a ParsedDocument whose ``text`` is the normalized
text we store. Every offset below indexes into that text, so a snippet can
always be checked against its source: ``text[start:end]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from research_hub.core.errors import IngestError

__all__ = ["INTERVIEWER", "PARTICIPANT", "IngestError", "Cue", "Turn", "ParsedDocument", "SnippetDraft"]

INTERVIEWER = "interviewer"
PARTICIPANT = "participant"


@dataclass
class Cue:
    """A timed span inside a turn (one subtitle cue)."""

    start: int
    end: int
    start_time: float
    end_time: float


@dataclass
class Turn:
    """One speaker's uninterrupted stretch of text (or one feedback item)."""

    speaker: str
    role: str  # INTERVIEWER or PARTICIPANT
    start: int  # offset of the spoken text (label excluded) in ParsedDocument.text
    end: int
    line: int  # 1-based line of ``start`` in ParsedDocument.text
    start_time: float | None = None
    end_time: float | None = None
    cues: list[Cue] = field(default_factory=list)
    participant: str | None = None  # stable participant id; pipeline fills it if None
    meta: dict[str, Any] = field(default_factory=dict)  # feedback row columns etc.


@dataclass
class ParsedDocument:
    text: str
    turns: list[Turn]
    kind_hint: str | None = None  # interview, survey, support, review, note
    title: str | None = None
    date: str | None = None  # ISO date if the source says
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class SnippetDraft:
    """A snippet before it is stored: text == doc_text[char_start:char_end]."""

    text: str
    char_start: int
    char_end: int
    speaker: str
    role: str
    participant: str
    line: int
    start_time: float | None = None
    end_time: float | None = None
    context: str | None = None  # the interviewer question it answers
    meta: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    sentiment: float = 0.0
    entities: list[dict[str, Any]] = field(default_factory=list)
    # ``text`` without fillers (uh, um, "you know") and stutters ("I I"), for
    # reading only: quotes and offsets always use ``text``.
    reading_text: str | None = None
