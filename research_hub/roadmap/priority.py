"""How much confirmed evidence stands behind each feature, and one score to sort by.

    score = reach x breadth x severity x freshness

    reach     = P + REPEAT_WEIGHT x (N - P)      N confirmed quotes from P distinct customers
    breadth   = 1 + BREADTH_STEP x (S - 1) + BREADTH_STEP x (G - 1)
                                                S studies, G segments (both at least 1)
    severity  = 1 + PAIN_WEIGHT x pain share    share of quotes tagged pain_point
    freshness = 0.5 + 0.5 x 0.5 ^ (age / HALF_LIFE_DAYS)
                                                age in days of the newest dated quote;
                                                UNDATED_FRESHNESS when no quote has a date

Only confirmed links whose quote is still in the store count; flagged ones are
reported apart until a person confirms them again. docs/prioritisation.md
explains each choice.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Iterable

from research_hub.core.models import Snippet

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
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def customer(s: Snippet) -> str:
    """Who a quote counts as: the participant; an anonymous feedback row counts as its own."""
    from research_hub.ingest.split import GENERIC_SPEAKER

    if GENERIC_SPEAKER.match((s.speaker or "").strip()) and "row" in s.meta:
        return f"{s.document_id}#{s.meta['row']}"
    return s.participant


def segment(s: Snippet) -> str:
    """A segment field of the snippet's row (plan, segment, company size, ...), else its kind."""
    from research_hub.ingest.parsers.tabular import normalize_column

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


def measure(feature, quotes: Iterable[Snippet], flagged: int = 0, suggested: int = 0,
            as_of: date | None = None) -> Priority:
    quotes = list(quotes)
    p = Priority(feature.id, feature.title, feature.status, flagged=flagged, suggested=suggested)
    if not quotes:
        return p
    n = len(quotes)
    people = {customer(s) for s in quotes}
    studies = {s.study for s in quotes if s.study}
    p.evidence, p.participants, p.studies = n, len(people), len(studies)
    p.segments = sorted({segment(s) for s in quotes})
    p.pain_share = round(sum("pain_point" in s.tags for s in quotes) / n, 3)
    p.request_share = round(sum("feature_request" in s.tags for s in quotes) / n, 3)
    dates = sorted(s.date[:10] for s in quotes if s.date and len(s.date) >= 10)
    p.newest = dates[-1] if dates else None
    reach = len(people) + REPEAT_WEIGHT * (n - len(people))
    breadth = 1 + BREADTH_STEP * (max(1, len(studies)) - 1) + BREADTH_STEP * (len(p.segments) - 1)
    severity = 1 + PAIN_WEIGHT * p.pain_share
    fresh = freshness(p.newest, as_of or date.today())
    p.parts = {"reach": round(reach, 3), "breadth": round(breadth, 3),
               "severity": round(severity, 3), "freshness": round(fresh, 3)}
    p.score = round(reach * breadth * severity * fresh, 2)
    return p


def prioritise(hub, features: list, sort: str = "score", as_of: date | None = None) -> list[Priority]:
    """One Priority per feature, sorted; two queries whatever the number of features."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r} (use {', '.join(SORTS)})")
    ids = [f.id for f in features]
    rows = _link_rows(hub, ids)
    snippets = hub.records.get_snippets(r["snippet_id"] for r in rows if r["state"] == "confirmed")
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
    out = [measure(f, quotes.get(f.id, []), flagged.get(f.id, 0), suggested.get(f.id, 0), as_of)
           for f in features]
    return sorted(out, key=SORTS[sort])


def _link_rows(hub, ids: list[str]) -> list[Any]:
    rows: list[Any] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        rows += hub.db.query(
            "SELECT l.feature_id, l.snippet_id, l.state, g.reason AS flag FROM evidence_links l "
            "LEFT JOIN evidence_flags g ON g.feature_id = l.feature_id AND g.snippet_id = l.snippet_id "
            f"WHERE l.feature_id IN ({','.join('?' * len(chunk))})", chunk)
    return rows
