"""Collapsing near-duplicates: the same participant saying the same thing twice.

Two candidates are near-duplicates when the same participant said them and
their embeddings are almost identical (cosine >= SAME). Repeated sentences,
a quote pasted into two feedback forms, "export is slow" / "the export is so
slow" all qualify; two different points by one person do not. The better
ranked one stays and lists the others.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SAME = 0.95


@dataclass
class Group:
    index: int  # position in the candidate arrays
    duplicates: list[int] = field(default_factory=list)  # candidate positions folded in


def collapse(order: np.ndarray, participants: list[str | None], vectors: np.ndarray,
             k: int) -> list[Group]:
    """Walk candidates best first; keep up to k groups, folding each duplicate into
    the better-ranked snippet of the same participant it repeats."""
    groups: list[Group] = []
    by_person: dict[str, list[Group]] = {}
    for i in order.tolist():
        person = participants[i]
        twin = None
        for g in by_person.get(person, []) if person else []:
            if float(vectors[i] @ vectors[g.index]) >= SAME:
                twin = g
                break
        if twin is not None:
            twin.duplicates.append(i)
        elif len(groups) < k:
            g = Group(i)
            groups.append(g)
            if person:
                by_person.setdefault(person, []).append(g)
    return groups
