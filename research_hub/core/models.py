"""What the library hands out: plain dataclasses that serialise to JSON."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Document:
    id: str
    name: str
    path: str
    title: str
    kind: str
    study: str | None
    date: str | None
    participants: list[str]
    snippet_count: int = 0
    ingested_at: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    language: str | None = None  # ISO 639-1, detected at ingest

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Snippet:
    snippet_id: str
    document_id: str
    document_title: str
    document_path: str
    text: str
    speaker: str
    role: str
    participant: str
    char_start: int
    char_end: int
    line: int | None
    start_time: float | None
    end_time: float | None
    context: str | None
    tags: list[str]
    sentiment: float
    entities: list[dict[str, Any]]
    kind: str | None
    study: str | None
    date: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    language: str | None = None  # the document's
    tag_confidence: dict[str, float] = field(default_factory=dict)  # learned tags: probability

    @property
    def id(self) -> str:
        return self.snippet_id

    def citation(self) -> str:
        """Where the quote is: document, then timestamp or line."""
        where = f"line {self.line}" if self.line else f"chars {self.char_start}-{self.char_end}"
        if self.start_time is not None:
            where = format_time(self.start_time)
        return f"{self.document_title}, {where}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Hit(Snippet):
    score: float = 0.0
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans of matched terms in text
    neighbours: list[dict[str, Any]] = field(default_factory=list)  # adjacent turns for context
    duplicates: int = 0  # near-identical snippets by the same participant collapsed into this one
    duplicate_ids: list[str] = field(default_factory=list)


@dataclass
class FileResult:
    path: str
    status: str  # added, replaced, unchanged, duplicate, failed
    snippets: int = 0
    participants: int = 0
    error: str | None = None
    document_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def snippets(self) -> int:
        return sum(f.snippets for f in self.files if f.status in ("added", "replaced"))

    def to_dict(self) -> dict[str, Any]:
        return {"files": [f.to_dict() for f in self.files], "seconds": round(self.seconds, 3),
                "snippets": self.snippets, "failed": len(self.failed)}


def format_time(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


@dataclass
class Feature:
    id: str
    title: str
    description: str = ""
    status: str = ""
    archived: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "row N: reason"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Highlight:
    """A span a person marked in a document: `text` is the document text at its offsets.
    state 'review': the words under it changed when its file was re-ingested (text is as
    made; the offsets are not to be trusted until a person looks)."""
    id: str
    document_id: str
    document_title: str
    document_name: str
    char_start: int
    char_end: int
    text: str
    speaker: str
    role: str
    participant: str
    tags: list[str]
    note: str | None
    author: str
    created_at: str
    updated_at: str
    state: str = "ok"
    reason: str | None = None
    line: int | None = None
    study: str | None = None
    kind: str | None = None
    date: str | None = None
    features: list[str] = field(default_factory=list)
    insights: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def citation(self) -> str:
        where = f"line {self.line}" if self.line else f"chars {self.char_start}-{self.char_end}"
        return f"{self.document_title}, {where}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
