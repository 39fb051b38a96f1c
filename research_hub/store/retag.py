"""Tagging what is already stored again, with the workspace's tagger as it is now.

A taxonomy applied after the interviews were ingested, a tag model retrained on
more labelled data, or the `tagger` setting switched between `model` and
`rules` would otherwise reach only files ingested later. Retagging recomputes
the automatic tags (rules, model, taxonomy) of every snippet from its stored
text, question and vector; a person's edits live in `manual_tags` and are not
touched, so the effective tags keep them. Sentiment and entities stay as
stored.

One document per transaction: an interruption leaves each document either
retagged or as it was, and running it again finishes the job.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from research_hub.ingest.tag import context_vectors
from research_hub.ingest.types import INTERVIEWER, SnippetDraft

AUTOMATIC = ("auto", "model", "taxonomy")  # the origins ingest writes; manual edits are elsewhere


@dataclass
class _Row:
    """What the tag model reads and writes for one stored snippet."""
    text: str
    context: str | None
    tags: list[str]
    tag_origins: dict[str, str] = field(default_factory=dict)
    tag_confidence: dict[str, float] = field(default_factory=dict)


def retag(ws, progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Recompute every document's automatic tags; counts of each tag before and after."""
    tagger = ws.tagger()
    docs = ws.db.query("SELECT id, name, COALESCE(language, 'en') AS language FROM documents ORDER BY name")
    before = _automatic_counts(ws)
    with ws.writing():
        for i, doc in enumerate(docs, 1):
            _retag_document(ws, tagger, doc["id"], doc["language"])
            if progress:
                progress(i, len(docs), doc["name"])
    ws.changed()
    after = _automatic_counts(ws)
    return {"documents": len(docs), "tagger": ws.tagger_description(),
            "tags": {t: (before.get(t, 0), after.get(t, 0)) for t in sorted(set(before) | set(after))}}


def _automatic_counts(ws) -> Counter:
    marks = ",".join("?" * len(AUTOMATIC))
    return Counter({r["tag"]: r["n"] for r in ws.db.query(
        f"SELECT tag, count(*) AS n FROM snippet_tags WHERE origin IN ({marks}) GROUP BY tag", AUTOMATIC)})


def _retag_document(ws, tagger, doc_id: str, language: str) -> None:
    snippets = ws.db.query("SELECT id, role, speaker, participant, text, context, text_hash, char_start, "
                           "char_end, line FROM snippets WHERE document_id = ? ORDER BY seq", (doc_id,))
    drafts = [SnippetDraft(text=s["text"], char_start=s["char_start"], char_end=s["char_end"],
                           speaker=s["speaker"], role=s["role"], participant=s["participant"],
                           line=s["line"], context=s["context"]) for s in snippets]
    tagger.tag(drafts, language, entities=False)
    taxonomy = {t.name for t in tagger.taxonomy}
    rows = [_Row(d.text, d.context, list(d.tags), {t: "taxonomy" if t in taxonomy else "auto" for t in d.tags})
            for d in drafts]
    _learn(ws, tagger, snippets, rows, language)
    _replace(ws, [s["id"] for s in snippets], rows)


def _learn(ws, tagger, snippets, rows: list[_Row], language: str) -> None:
    if getattr(tagger, "model", None) is None or language != "en":
        return
    picks = [i for i, s in enumerate(snippets) if s["role"] != INTERVIEWER]
    if not picks:
        return
    X = Xc = None
    if tagger.reads_vectors:
        X = ws.embedder.encode([snippets[i]["text"] for i in picks], [snippets[i]["text_hash"] for i in picks])
        Xc = context_vectors([rows[i].context or "" for i in picks], ws.embedder.encode, X.shape[1])
    tagger.learn([rows[i] for i in picks], X, Xc)


def _replace(ws, ids: list[str], rows: list[_Row]) -> None:
    marks = ",".join("?" * len(AUTOMATIC))
    new = [(sid, t, r.tag_origins.get(t, "auto"), r.tag_confidence.get(t))
           for sid, r in zip(ids, rows) for t in r.tags]
    with ws.db.transaction() as conn:
        conn.executemany(f"DELETE FROM snippet_tags WHERE snippet_id = ? AND origin IN ({marks})",
                         [(sid, *AUTOMATIC) for sid in ids])
        conn.executemany("INSERT OR IGNORE INTO snippet_tags (snippet_id, tag, origin, confidence) "
                         "VALUES (?, ?, ?, ?)", new)
        conn.executemany("INSERT OR IGNORE INTO tags (name, origin) VALUES (?, ?)",
                         sorted({(t, o) for _, t, o, _ in new}))
