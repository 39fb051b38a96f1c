"""Speaker blocks: where a highlight may start and end in a document's text.

A block is one speaker's words as the reader shows them: the snippets of one
turn, and of the same speaker's next turns when only a speaker label stands
between them ("Maria: ... \\n\\nMaria: ..."). Its text is `text[start:end]`,
as-is, label lines included, so an offset counted in the reader is an offset
in the document. A highlight must lie inside one block: it never takes in
another person's words. Anything between two snippets that is more than one
line (a reply that was not kept as a snippet, another speaker's label) ends
the block. Feedback rows never join: each row is its own voice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from research_hub.core.errors import InvalidInputError
from research_hub.ingest.parsers.common import trim_span

LABEL_MAX = 80  # the most a line between two turns of one speaker may hold


@dataclass
class Voiced:
    """What a block needs to know of a snippet."""
    id: str
    start: int
    end: int
    speaker: str
    role: str
    participant: str
    row: Any = None  # the feedback row it came from, if any


@dataclass
class Block:
    start: int
    end: int
    speaker: str
    role: str
    participant: str
    snippet_ids: list[str] = field(default_factory=list)
    row: Any = None

    def holds(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


def _joins(block: Block, s: Voiced, gap: str) -> bool:
    if (block.speaker, block.role, block.participant, block.row) != (s.speaker, s.role, s.participant, s.row):
        return False
    lines = [line for line in gap.splitlines() if line.strip()]
    return not lines or (len(lines) == 1 and len(lines[0].strip()) <= LABEL_MAX)


def speaker_blocks(text: str, snippets: Iterable[Voiced]) -> list[Block]:
    """The document's speaker blocks in text order."""
    blocks: list[Block] = []
    for s in sorted(snippets, key=lambda v: (v.start, v.end)):
        last = blocks[-1] if blocks else None
        if last is not None and s.start >= last.end and _joins(last, s, text[last.end:s.start]):
            last.end = max(last.end, s.end)
            last.snippet_ids.append(s.id)
            continue
        if last is not None and s.start < last.end:  # overlapping snippets: keep the first block
            last.end = max(last.end, s.end)
            last.snippet_ids.append(s.id)
            continue
        blocks.append(Block(s.start, s.end, s.speaker, s.role, s.participant, [s.id], s.row))
    return blocks


def place(text: str, blocks: Sequence[Block], start: int, end: int) -> tuple[int, int, Block]:
    """A highlight's span (whitespace trimmed) and the block holding it; else InvalidInputError."""
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) \
            or not isinstance(end, int):
        raise InvalidInputError("a highlight needs whole-number start and end offsets")
    if not 0 <= start < end <= len(text):
        raise InvalidInputError(f"offsets {start}-{end} are outside the document (0-{len(text)})")
    start, end = trim_span(text, start, end)
    if start >= end:
        raise InvalidInputError("the span holds only whitespace")
    for b in blocks:
        if b.holds(start, end):
            return start, end, b
    raise InvalidInputError("a highlight stays within one speaker's words: this span starts or ends "
                            "outside them, or takes in someone else's")


def utf16_to_index(text: str, units: int) -> int:
    """The Python index of a position counted in UTF-16 code units (as browsers count)."""
    if units <= 0:
        return 0
    count = 0
    for i, ch in enumerate(text):
        if count >= units:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def index_to_utf16(text: str, index: int) -> int:
    """The UTF-16 position of a Python index into `text`."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text[:index])
