"""What `Hub.themes()` hands out: Theme records and the Themes list around them."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import numpy as np

from research_hub.core.errors import NotFoundError
from research_hub.core.models import Snippet

UNTHEMED_ID = "unthemed"
QUOTES = 3


@dataclass
class Theme:
    id: str
    label: str                      # the researcher's name if given, else the machine's label
    auto_label: str                 # the machine's label
    keywords: list[str]
    size: int                       # snippets
    participant_count: int          # distinct participants
    document_count: int             # distinct documents
    studies: list[str]
    mean_sentiment: float | None
    quotes: list[dict[str, Any]]    # nearest the centre, different participants where possible
    first_seen: str | None
    last_seen: str | None
    snippet_ids: list[str]
    participants: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    state: str = "auto"             # auto, kept, pinned; "unthemed" for the unthemed group
    share: float = 0.0              # of the selected snippets
    headline: dict[str, Any] | None = None  # the quote nearest the centre holding the label's words

    @property
    def renamed(self) -> bool:
        return self.label != self.auto_label

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Themes(list):
    """The themes, largest first, plus the unthemed group and how the run went."""

    def __init__(self, themes: Sequence[Theme], unthemed: Theme, *, scope: str, total: int,
                 chance=None, seconds: float = 0.0, snippets: dict[str, Snippet] | None = None):
        super().__init__(themes)
        self.unthemed = unthemed
        self.scope = scope
        self.total = total
        self.chance = chance  # cluster.Chance: similarity of random pairs (None when empty)
        self.seconds = seconds
        self.snippets = snippets or {}  # the selected snippets by id, for timelines and UIs

    @property
    def unthemed_share(self) -> float:
        return self.unthemed.size / self.total if self.total else 0.0

    def get(self, theme_id: str) -> Theme:
        for t in [*self, self.unthemed]:
            if t.id == theme_id:
                return t
        raise NotFoundError(f"no theme {theme_id!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "total": self.total, "themes": [t.to_dict() for t in self],
                "unthemed": self.unthemed.to_dict(), "unthemed_share": round(self.unthemed_share, 4),
                "chance": ({"mean": round(self.chance.mean, 4), "std": round(self.chance.std, 4)}
                           if self.chance else None),
                "seconds": round(self.seconds, 3)}


def theme_record(theme_id: str, label: str, auto_label: str, keywords: list[str], state: str,
                 members: list[Snippet], x: np.ndarray | None, total: int,
                 headline_id: str | None = None) -> Theme:
    """Counts, dates, sentiment and quotes of one group; `x` holds its unit vectors (row per member).
    The quotes start with the headline quote `headline_id` when given."""
    dates = sorted(s.date for s in members if s.date)
    participants = sorted({s.participant for s in members})
    documents = sorted({s.document_id for s in members})
    order = nearest_first(x) if x is not None and len(members) else list(range(len(members)))
    ordered = [members[i] for i in order]
    top = next((s for s in ordered if s.snippet_id == headline_id), None)
    by_quote = [top] + [s for s in ordered if s is not top] if top is not None else ordered
    sentiments = [s.sentiment for s in members if s.sentiment is not None]
    return Theme(
        id=theme_id, label=label, auto_label=auto_label, keywords=keywords, size=len(members),
        participant_count=len(participants), document_count=len(documents),
        studies=sorted({s.study for s in members if s.study}),
        mean_sentiment=round(float(np.mean(sentiments)), 3) if sentiments else None,
        quotes=[quote(s) for s in pick_quotes(by_quote)], first_seen=dates[0] if dates else None,
        last_seen=dates[-1] if dates else None, snippet_ids=[s.snippet_id for s in ordered],
        participants=participants, documents=documents, state=state,
        share=round(len(members) / total, 4) if total else 0.0,
        headline=quote(top) if top is not None else None)


def nearest_first(x: np.ndarray) -> list[int]:
    """Row order by similarity to the group's centre, nearest first."""
    centre = x.mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-12)
    return list(np.argsort(-(x @ centre), kind="stable"))


def pick_quotes(ordered: list[Snippet], n: int = QUOTES) -> list[Snippet]:
    chosen, people = [], set()
    for s in ordered:
        if s.participant not in people:
            chosen.append(s)
            people.add(s.participant)
        if len(chosen) == n:
            return chosen
    ids = {s.snippet_id for s in chosen}
    rest = [s for s in ordered if s.snippet_id not in ids]
    return chosen + rest[:n - len(chosen)]


def quote(s: Snippet) -> dict[str, Any]:
    return {"snippet_id": s.snippet_id, "text": s.text, "participant": s.participant,
            "document_title": s.document_title, "citation": s.citation(), "study": s.study,
            "date": s.date}
