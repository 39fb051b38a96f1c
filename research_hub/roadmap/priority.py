"""How much confirmed evidence stands behind each feature, and one score to sort by.

    score = reach x breadth x severity x freshness

    reach     = P + REPEAT_WEIGHT x (N - P)      N confirmed quotes from P distinct customers
    breadth   = 1 + BREADTH_STEP x (S - 1) + BREADTH_STEP x (G - 1)
                                                S studies, G segments (both at least 1)
    severity  = 1 + PAIN_WEIGHT x pain share    share of quotes tagged pain_point
    freshness = 0.5 + 0.5 x 0.5 ^ (age / HALF_LIFE_DAYS)
                                                age in days of the newest dated quote;
                                                UNDATED_FRESHNESS when no quote has a date

The quotes are the feature's confirmed snippets, the highlights linked to it, and
the supporting evidence of the insights linked to it (each quote once). When a
linked insight has contradicting evidence, the score is also multiplied by

    agreement = reach / (reach + counter reach)
                                                counter reach: the reach formula over the
                                                linked insights' contradicting quotes

Only confirmed links whose quote is still in the store count; flagged ones are
reported apart until a person confirms them again. docs/prioritisation.md
explains each choice; docs/insights.md how insights are weighed.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Iterable

from research_hub.core.errors import InvalidInputError
from research_hub.core.models import Snippet
from research_hub.ingest.parsers.tabular import normalize_column
from research_hub.ingest.split import GENERIC_SPEAKER
from research_hub.roadmap.linked import linked_evidence
from research_hub.store.evidence import EvidenceStore

REPEAT_WEIGHT = 0.25
BREADTH_STEP = 0.15
PAIN_WEIGHT = 0.5
HALF_LIFE_DAYS = 365
UNDATED_FRESHNESS = 0.75
SEGMENT_FIELDS = ("segment", "customer_segment", "plan", "pricing_plan", "tier", "account_tier",
                  "company_size", "size", "team_size", "industry")
SORTS = {"score": lambda p: (-p.score, p.title.casefold()),
         "participants": lambda p: (-p.participants, -p.score, p.title.casefold()),
         "evidence": lambda p: (-p.evidence, -p.score, p.title.casefold()),
         "recent": lambda p: (-(int(p.newest.replace("-", "")) if p.newest else 0), -p.score,
                              p.title.casefold())}


@dataclass
class Priority:
    feature_id: str
    title: str
    status: str
    evidence: int = 0
    participants: int = 0
    studies: int = 0
    segments: list[str] = field(default_factory=list)
    pain_share: float = 0.0
    request_share: float = 0.0
    newest: str | None = None
    flagged: int = 0
    suggested: int = 0
    highlights: int = 0  # linked highlights among the quotes
    insights: int = 0  # linked insights whose supporting quotes count
    counter: int = 0  # contradicting quotes of the linked insights
    counter_participants: int = 0
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def customer(s: Snippet) -> str:
    """Who a quote counts as: the participant; an anonymous feedback row counts as its own."""
    if GENERIC_SPEAKER.match((s.speaker or "").strip()) and "row" in s.meta:
        return f"{s.document_id}#{s.meta['row']}"
    return s.participant


def segment(s: Snippet) -> str:
    """A segment field of the snippet's row (plan, segment, company size, ...), else its kind."""
    fields = {normalize_column(str(k)): v for k, v in s.meta.items()}
    for name in SEGMENT_FIELDS:
        value = str(fields.get(name) or "").strip()
        if value:
            return f"{name}: {value}"
    return f"kind: {s.kind or 'unknown'}"


def freshness(newest: str | None, as_of: date) -> float:
    if not newest:
        return UNDATED_FRESHNESS
    try:
        age = max(0, (as_of - date.fromisoformat(newest[:10])).days)
    except ValueError:
        return UNDATED_FRESHNESS
    return 0.5 + 0.5 * 0.5 ** (age / HALF_LIFE_DAYS)


def reach(quotes: list[Snippet]) -> float:
    """Distinct customers, plus a quarter for each further quote of someone already counted."""
    people = {customer(s) for s in quotes}
    return len(people) + REPEAT_WEIGHT * (len(quotes) - len(people))


def breadth(studies: int, segments: int) -> float:
    return 1 + BREADTH_STEP * (max(1, studies) - 1) + BREADTH_STEP * (max(1, segments) - 1)


def newest(quotes: Iterable[Snippet]) -> str | None:
    dates = sorted(s.date[:10] for s in quotes if s.date and len(s.date) >= 10)
    return dates[-1] if dates else None


def agreement(support: float, counter: float) -> float:
    """The share of the reach that agrees: 1 with no counter-evidence, 0.5 when even."""
    return support / (support + counter) if support + counter else 1.0


def measure(feature, quotes: Iterable[Snippet], flagged: int = 0, suggested: int = 0,
            as_of: date | None = None, counter: Iterable[Snippet] = (), insights: int = 0,
            highlights: int = 0) -> Priority:
    quotes, counter = list(quotes), list(counter)
    p = Priority(feature.id, feature.title, feature.status, flagged=flagged, suggested=suggested,
                 insights=insights, highlights=highlights, counter=len(counter),
                 counter_participants=len({customer(s) for s in counter}))
    if not quotes:
        return p
    n = len(quotes)
    people = {customer(s) for s in quotes}
    studies = {s.study for s in quotes if s.study}
    p.evidence, p.participants, p.studies = n, len(people), len(studies)
    p.segments = sorted({segment(s) for s in quotes})
    p.pain_share = round(sum("pain_point" in s.tags for s in quotes) / n, 3)
    p.request_share = round(sum("feature_request" in s.tags for s in quotes) / n, 3)
    p.newest = newest(quotes)
    support = reach(quotes)
    wide = breadth(len(studies), len(p.segments))
    severity = 1 + PAIN_WEIGHT * p.pain_share
    fresh = freshness(p.newest, as_of or date.today())
    p.parts = {"reach": round(support, 3), "breadth": round(wide, 3),
               "severity": round(severity, 3), "freshness": round(fresh, 3)}
    score = support * wide * severity * fresh
    if counter:
        agree = agreement(support, reach(counter))
        p.parts["agreement"] = round(agree, 3)
        score *= agree
    p.score = round(score, 2)
    return p


def prioritise(ws, features: list, sort: str = "score", as_of: date | None = None) -> list[Priority]:
    """One Priority per feature, sorted; a few queries whatever the number of features."""
    if sort not in SORTS:
        raise InvalidInputError(f"unknown sort {sort!r} (use {', '.join(SORTS)})")
    rows = EvidenceStore(ws.db).link_rows([f.id for f in features])
    snippets = ws.records.get_snippets(r["snippet_id"] for r in rows if r["state"] == "confirmed")
    quotes: dict[str, list[Snippet]] = {}
    flagged: dict[str, int] = {}
    suggested: dict[str, int] = {}
    for r in rows:
        fid = r["feature_id"]
        if r["state"] == "suggested":
            suggested[fid] = suggested.get(fid, 0) + 1
        elif r["state"] == "confirmed":
            s = snippets.get(r["snippet_id"])
            if r["flag"] or s is None:
                flagged[fid] = flagged.get(fid, 0) + 1
            else:
                quotes.setdefault(fid, []).append(s)
    linked = linked_evidence(ws, [f.id for f in features])
    out = []
    for f in features:
        extra = linked.get(f.id)
        mine = quotes.get(f.id, [])
        if extra is not None:
            mine = list({s.snippet_id: s for s in [*mine, *extra.support]}.values())
        out.append(measure(f, mine, flagged.get(f.id, 0) + (extra.flagged if extra else 0),
                           suggested.get(f.id, 0), as_of, counter=extra.counter if extra else (),
                           insights=len(extra.insights) if extra else 0,
                           highlights=extra.highlights if extra else 0))
    return sorted(out, key=SORTS[sort])
