"""The data of an evidence bundle, built once and rendered by every format.

Each quote is the snippet text exactly as stored, and `source_text[char_start:
char_end]` of its document is that text. Quotes are grouped by the themes a
person confirmed for the feature, then by themes suggested for it, then by
what the quote is (pain point, request, other). Confirmed links whose quote is
no longer in its source (the file changed, or was deleted) are listed apart
under `needs_review` with the text as it was confirmed, never as a quote.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from research_hub.digest import file_sha256
from research_hub.core.models import Snippet, format_time
from research_hub.store.db import now

BUNDLE_VERSION = 1
TAG_GROUPS = (("pain_point", "Pain points"), ("feature_request", "Requests"))
OTHER_GROUP = "Other evidence"


def build(hub, feature_id: str) -> dict[str, Any]:
    from research_hub.roadmap import evidence_quotes
    from research_hub.roadmap.theme_links import theme_groups

    roadmap = hub.roadmap
    feature = roadmap.feature(feature_id)
    found, flagged = evidence_quotes(hub, feature.id)
    docs = _documents(hub, {s.document_id for s, _ in found})
    quotes = [quote(s, link, docs.get(s.document_id, {})) for s, link in found]
    return {
        "bundle": "research-hub evidence bundle",
        "version": BUNDLE_VERSION,
        "generated_at": now(),
        "feature": feature.to_dict(),
        "summary": roadmap.priority(feature.id).to_dict(),
        "groups": group(quotes, theme_groups(hub, feature.id)),
        "needs_review": [review_item(r) for r in flagged],
        "sources": [source(d) for d in sorted(docs.values(), key=lambda d: d["name"])],
    }


def quote(s: Snippet, link: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "snippet_id": s.snippet_id, "quote": s.text, "speaker": s.speaker,
        "participant": s.participant, "role": s.role, "document": s.document_title,
        "document_name": doc.get("name", ""), "document_id": s.document_id,
        "date": s.date, "timestamp": format_time(s.start_time) if s.start_time is not None else None,
        "start_time": s.start_time, "end_time": s.end_time, "line": s.line,
        "char_start": s.char_start, "char_end": s.char_end, "tags": list(s.tags),
        "question": s.context, "study": s.study, "kind": s.kind, "note": link.get("note"),
        "confirmed_by": link.get("who"), "confirmed_at": link.get("at"), "citation": s.citation(),
    }


def where(q: dict[str, Any]) -> str:
    """The place in the source: timestamp when known, else line, plus the character span."""
    spot = q["timestamp"] or (f"line {q['line']}" if q["line"] else "")
    span = f"chars {q['char_start']}-{q['char_end']}"
    return f"{spot}, {span}" if spot else span


def group(quotes: list[dict[str, Any]], themes: list[tuple[str, str, set[str]]]) -> list[dict[str, Any]]:
    order = sorted(quotes, key=lambda q: (q["document_name"], q["char_start"]))
    placed: set[str] = set()
    groups = []
    for label, state, members in themes:
        mine = [q for q in order if q["snippet_id"] in members and q["snippet_id"] not in placed]
        if mine:
            placed |= {q["snippet_id"] for q in mine}
            groups.append({"theme": label, "origin": f"{state} theme", "quotes": mine})
    for tag, label in TAG_GROUPS:
        mine = [q for q in order if q["snippet_id"] not in placed and tag in q["tags"]]
        if mine:
            placed |= {q["snippet_id"] for q in mine}
            groups.append({"theme": label, "origin": f"tag {tag}", "quotes": mine})
    rest = [q for q in order if q["snippet_id"] not in placed]
    if rest:
        groups.append({"theme": OTHER_GROUP, "origin": "untagged", "quotes": rest})
    return groups


def all_quotes(bundle: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(theme, quote) in bundle order: what the flat formats (CSV, PDF) walk."""
    return [(g["theme"], q) for g in bundle["groups"] for q in g["quotes"]]


def review_item(link: dict[str, Any]) -> dict[str, Any]:
    reason = {"missing": "the quote is no longer in its re-ingested source file",
              "changed": "the quote's text changed in its re-ingested source file"}.get(
        link.get("flag") or "", "the quote's source document is no longer stored")
    return {"snippet_id": link["snippet_id"], "text_as_confirmed": link.get("snippet_text") or "",
            "reason": reason, "flagged_at": link.get("flagged_at"), "note": link.get("note"),
            "confirmed_by": link.get("who"), "confirmed_at": link.get("at")}


def _documents(hub, ids: set[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for doc_id in sorted(ids):
        row = hub.records.document_row(doc_id)
        if row is not None:
            out[doc_id] = {k: row[k] for k in ("id", "name", "path", "stored_path", "title", "kind",
                                               "study", "date")}
    return out


def source(doc: dict[str, Any]) -> dict[str, Any]:
    """A cited source file: its workspace copy hashed now, checked against the document id."""
    stored = Path(doc["stored_path"]) if doc.get("stored_path") else None
    digest = file_sha256(stored) if stored and stored.is_file() else None
    return {"document_id": doc["id"], "name": doc["name"], "title": doc["title"], "path": doc["path"],
            "stored_file": stored.name if stored else None, "sha256": digest,
            "matches_document_id": digest == doc["id"], "kind": doc["kind"], "study": doc["study"],
            "date": doc["date"]}


