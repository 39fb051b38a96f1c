"""Turning ranked snippet ids into `Hit`s: the snippet, its neighbours, its highlights."""
from __future__ import annotations

import re
from dataclasses import fields
from typing import Iterable

from research_hub.core.models import Hit, Snippet
from research_hub.search.highlight import spans

NEIGHBOUR_SPAN = 1  # turns before and after the hit
_SNIPPET_FIELDS = [f.name for f in fields(Snippet)]


def neighbours(db, pairs: Iterable[tuple[str, int]], span: int = NEIGHBOUR_SPAN) -> dict[tuple[str, int], list[dict]]:
    """(document_id, seq) -> the snippets around it, in order, itself included
    (position "before", "self" or "after"), so a reader sees the exchange."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return {}
    clause = " OR ".join("(document_id = ? AND seq BETWEEN ? AND ?)" for _ in pairs)
    params = [v for d, s in pairs for v in (d, s - span, s + span)]
    rows = db.query(f"SELECT id, document_id, seq, speaker, role, participant, text FROM snippets "
                    f"WHERE {clause} ORDER BY document_id, seq", params)
    out: dict[tuple[str, int], list[dict]] = {p: [] for p in pairs}
    for r in rows:
        for d, s in ((r["document_id"], r["seq"] + o) for o in range(-span, span + 1)):
            if (d, s) in out:
                where = "before" if r["seq"] < s else "after" if r["seq"] > s else "self"
                out[(d, s)].append({
                    "snippet_id": r["id"], "seq": r["seq"], "position": where,
                    "speaker": r["speaker"], "role": r["role"], "participant": r["participant"],
                    "text": r["text"]})
    return out


def build_hits(hub, ranked: list[tuple[str, float, list[str]]], seqs: dict[str, int],
               terms: list[str], phrases: list[re.Pattern]) -> list[Hit]:
    """ranked: (snippet id, score, duplicate ids) best first."""
    snippets = hub.records.get_snippets([sid for sid, _, _ in ranked])
    around = neighbours(hub.db, [(snippets[sid].document_id, seqs[sid]) for sid, _, _ in ranked
                                 if sid in snippets])
    hits = []
    for sid, score, dups in ranked:
        s = snippets.get(sid)
        if s is None:  # deleted between ranking and reading
            continue
        hit = Hit(**{name: getattr(s, name) for name in _SNIPPET_FIELDS}, score=round(float(score), 4),
                  highlights=spans(s.text, terms, phrases),
                  neighbours=around.get((s.document_id, seqs[sid]), []),
                  duplicates=len(dups), duplicate_ids=list(dups))
        hits.append(hit)
    return hits
