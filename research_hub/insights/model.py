"""What `hub.insights` hands out: an Insight with its evidence and its strength."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from research_hub.insights.strength import Strength
from research_hub.store.insights import Resolved


@dataclass
class EvidenceItem:
    """A snippet or highlight attached to an insight. With status 'ok', `text` is the
    document's text at char_start:char_end; with 'review' it is the text as attached
    and the offsets are not to be trusted."""
    kind: str                     # snippet, highlight
    id: str
    stance: str                   # supports, contradicts
    text: str
    status: str                   # ok, review
    reason: str | None
    document_id: str | None
    document_title: str | None = None
    char_start: int | None = None
    char_end: int | None = None
    line: int | None = None
    speaker: str | None = None
    participant: str | None = None
    study: str | None = None
    date: str | None = None
    tags: list[str] = field(default_factory=list)
    sentiment: float | None = None
    citation: str | None = None
    who: str | None = None
    at: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evidence_item(e: Resolved) -> EvidenceItem:
    r, q = e.row, e.quote
    item = EvidenceItem(kind=r["kind"], id=r["ref_id"], stance=r["stance"], text=r["text"],
                        status="ok" if q is not None else "review", reason=e.reason,
                        document_id=r["document_id"], who=r["who"], at=r["at"], note=r["note"])
    if q is not None:
        item.text, item.document_id, item.document_title = q.text, q.document_id, q.document_title
        item.char_start, item.char_end, item.line = q.char_start, q.char_end, q.line
        item.speaker, item.participant, item.study, item.date = q.speaker, q.participant, q.study, q.date
        item.tags, item.sentiment, item.citation = list(q.tags), q.sentiment, q.citation()
    return item


@dataclass
class Insight:
    id: str
    statement: str                # a person's words; for a draft, a starting point to edit
    status: str                   # draft, active, archived
    origin: str                   # researcher, theme
    theme_id: str | None
    author: str
    created_at: str
    updated_at: str
    strength: Strength
    supporting: list[EvidenceItem] = field(default_factory=list)
    contradicting: list[EvidenceItem] = field(default_factory=list)
    features: list[str] = field(default_factory=list)

    @property
    def draft(self) -> bool:
        return self.status == "draft"

    @property
    def needs_review(self) -> list[EvidenceItem]:
        return [e for e in [*self.supporting, *self.contradicting] if e.status != "ok"]

    def headline(self) -> EvidenceItem | None:
        """The supporting quote marked as the headline, else the first counted one."""
        ok = [e for e in self.supporting if e.status == "ok"]
        return next((e for e in ok if (e.note or "").startswith("headline")), ok[0] if ok else None)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["draft"] = self.draft
        return out
