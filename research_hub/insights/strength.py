"""How strong an insight is, from its evidence, and whether it has gone stale.

    strength  = reach x breadth x recency x agreement

    reach     = P + 0.25 x (N - P)          N supporting quotes from P distinct participants
    breadth   = 1 + 0.15 x (S - 1) + 0.15 x (G - 1)
                                            S studies, G segments of the supporting quotes
    recency   = 0.5 + 0.5 x 0.5 ^ (age / 365)
                                            age in days of the newest dated supporting quote;
                                            0.75 when none has a date
    agreement = reach / (reach + counter reach)
                                            counter reach: the reach formula over the
                                            contradicting quotes; 1 when there are none

    stale     when the newest supporting quote is more than STALE_DAYS old, or a
              contradicting quote is newer than the newest supporting one

reach, breadth, recency (the roadmap's freshness) and agreement are the roadmap
score's own functions (roadmap/priority.py), so an insight and a feature weigh
the same quotes the same way; an insight has no severity part, because a finding
need not be about pain. Quotes whose words changed on re-ingest count for
nothing until a person reviews them. docs/insights.md explains each choice.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Sequence

from research_hub.core.models import Snippet
from research_hub.roadmap.priority import (agreement, breadth, customer, freshness, newest, reach,
                                           segment)

STALE_DAYS = 365


@dataclass
class Strength:
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    evidence: int = 0                 # supporting quotes counted
    participants: int = 0             # distinct participants behind them
    studies: int = 0
    segments: list[str] = field(default_factory=list)
    newest: str | None = None         # date of the newest dated supporting quote
    counter_evidence: int = 0         # contradicting quotes counted
    counter_participants: int = 0
    counter_newest: str | None = None
    needs_review: int = 0             # evidence whose words changed: not counted
    stale: bool = False
    stale_reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _age(day: str | None, as_of: date) -> int | None:
    try:
        return max(0, (as_of - date.fromisoformat(day[:10])).days) if day else None
    except ValueError:
        return None


def measure(supporting: Sequence[Snippet], contradicting: Sequence[Snippet] = (),
            needs_review: int = 0, as_of: date | None = None) -> Strength:
    as_of = as_of or date.today()
    supporting, contradicting = list(supporting), list(contradicting)
    st = Strength(needs_review=needs_review, counter_evidence=len(contradicting),
                  counter_participants=len({customer(s) for s in contradicting}),
                  counter_newest=newest(contradicting))
    if supporting:
        studies = {s.study for s in supporting if s.study}
        st.evidence, st.studies = len(supporting), len(studies)
        st.participants = len({customer(s) for s in supporting})
        st.segments = sorted({segment(s) for s in supporting})
        st.newest = newest(supporting)
        support, counter = reach(supporting), reach(contradicting) if contradicting else 0.0
        parts = {"reach": support, "breadth": breadth(len(studies), len(st.segments)),
                 "recency": freshness(st.newest, as_of), "agreement": agreement(support, counter)}
        st.parts = {k: round(v, 3) for k, v in parts.items()}
        st.score = round(parts["reach"] * parts["breadth"] * parts["recency"] * parts["agreement"], 2)
    age = _age(st.newest, as_of)
    if age is not None and age > STALE_DAYS:
        st.stale_reasons.append(f"its newest supporting quote is {age} days old")
    if st.counter_newest and (st.newest is None or st.counter_newest > st.newest):
        st.stale_reasons.append(f"a contradicting quote ({st.counter_newest}) is newer than its "
                                f"newest support ({st.newest or 'undated'})")
    st.stale = bool(st.stale_reasons)
    return st
