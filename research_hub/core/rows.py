"""What ingestion hands the store: one document's rows, typed.

`ingest.pipeline` builds these; `store.writer` writes them. Every offset
indexes into `DocumentRow.text`: `text[char_start:char_end] == SnippetRow.text`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DocumentRow:
    id: str  # sha256 of the source bytes (or of the redacted version)
    source_key: str  # where it came from: the resolved path or "upload:<name>"
    name: str
    path: str
    title: str
    kind: str
    study: str | None
    date: str | None
    participants: list[str]
    metadata: dict[str, Any]
    text: str
    size: int
    stored_path: str | None = None
    language: str | None = None


@dataclass
class SnippetRow:
    id: str
    document_id: str
    seq: int
    speaker: str
    role: str
    participant: str
    text: str
    char_start: int
    char_end: int
    line: int | None
    start_time: float | None
    end_time: float | None
    context: str | None
    sentiment: float
    entities: list[dict[str, Any]]
    meta: dict[str, Any]
    kind: str | None
    study: str | None
    date: str | None
    text_hash: str
    tags: list[str] = field(default_factory=list)
    tag_origins: dict[str, str] = field(default_factory=dict)  # tag -> origin, when not "auto"
    tag_confidence: dict[str, float] = field(default_factory=dict)  # tag -> the model's probability

    def __getitem__(self, key: str) -> Any:  # read like a database row
        return getattr(self, key)


@dataclass
class NewDocument:
    """One file, ready to store: its rows, the bytes to keep as its source copy,
    and the id of the older version it replaces."""

    doc: DocumentRow
    snippets: list[SnippetRow]
    source: bytes
    suffix: str
    replaces: str | None = None
