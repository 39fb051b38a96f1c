"""The data of an evidence bundle, built once and rendered by every format.

Each quote is the snippet text exactly as stored, and `source_text[char_start:
char_end]` of its document is that text. Quotes are grouped by the themes a
person confirmed for the feature, then by themes suggested for it, then by
what the quote is (pain point, request, other). Confirmed links whose quote is
no longer in its source (the file changed, or was deleted) are listed apart
under `needs_review` with the text as it was confirmed, never as a quote.

Highlights linked to the feature are quotes too (`evidence: "highlight"`): a
person's exact span of a document, at its own offsets. `insights` holds the
insights linked to the feature, each with its strength and its supporting and
contradicting quotes in the same quote form; a draft is marked as one, and its
statement is never a quote.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from research_hub.core.models import Snippet, format_time
from research_hub.core.text import file_sha256
from research_hub.insights import Insights
from research_hub.roadmap import Roadmap, evidence_quotes
from research_hub.roadmap.theme_links import theme_groups
from research_hub.store.db import now
from research_hub.store.highlights import HighlightStore, as_snippets
from research_hub.store.insights import InsightStore, resolve

BUNDLE_VERSION = 1
TAG_GROUPS = (("pain_point", "Pain points"), ("feature_request", "Requests"))
OTHER_GROUP = "Other evidence"


def build(ws, feature_id: str) -> dict[str, Any]:
    roadmap = Roadmap(ws)
    feature = roadmap.feature(feature_id)
    found, flagged = evidence_quotes(ws, feature.id)
    marked, marked_review = highlight_quotes(ws, feature.id)
    linked = insight_quotes(ws, feature.id)
    cited = [s for s, _ in [*found, *marked]] + [s for _, items in linked for s, _ in items if s]
    docs = _documents(ws, {s.document_id for s in cited})
    quotes = [quote(s, link, docs.get(s.document_id, {})) for s, link in [*found, *marked]]
    return {
        "bundle": "research-hub evidence bundle",
        "version": BUNDLE_VERSION,
        "generated_at": now(),
        "feature": feature.to_dict(),
        "summary": roadmap.priority(feature.id).to_dict(),
        "groups": group(quotes, theme_groups(ws, feature.id)),
        "insights": [insight_entry(i, items, docs) for i, items in linked],
        "needs_review": [review_item(r) for r in flagged] + marked_review,
        "sources": [source(d) for d in sorted(docs.values(), key=lambda d: d["name"])],
    }


def highlight_quotes(ws, feature_id: str) -> tuple[list[tuple[Snippet, dict]], list[dict[str, Any]]]:
    """Highlights linked to the feature as (quote, link); those waiting for review apart."""
    store = HighlightStore(ws.db)
    links = {r["highlight_id"]: dict(r) for r in store.feature_links([feature_id])}
    found = store.get_many(links)
    quotes = as_snippets(ws.records, store, [h for h in found.values() if h.ok])
    review = [{"snippet_id": None, "highlight_id": h.id, "text_as_confirmed": h.text,
               "reason": h.reason or "", "flagged_at": h.updated_at, "note": links[h.id]["note"],
               "confirmed_by": links[h.id]["who"], "confirmed_at": links[h.id]["at"]}
              for h in found.values() if not h.ok]
    return [(quotes[hid], links[hid]) for hid in sorted(quotes)], review


def insight_quotes(ws, feature_id: str) -> list[tuple[Any, list[tuple[Snippet | None, dict]]]]:
    """The live insights linked to the feature, each with its evidence as (quote or None, row)."""
    insights = Insights(ws).list(feature=feature_id)
    rows = resolve(ws.records, HighlightStore(ws.db), InsightStore(ws.db).evidence([i.id for i in insights]))
    by_insight: dict[str, list] = {}
    for e in rows:
        by_insight.setdefault(e.row["insight_id"], []).append((e.quote, {**dict(e.row), "reason": e.reason}))
    return [(i, by_insight.get(i.id, [])) for i in insights]


def insight_entry(insight, items: list, docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    def quotes(stance: str) -> list[dict[str, Any]]:
        return [quote(s, row, docs.get(s.document_id, {})) for s, row in items
                if s is not None and row["stance"] == stance]
    return {"id": insight.id, "statement": insight.statement, "status": insight.status,
            "draft": insight.draft, "origin": insight.origin, "author": insight.author,
            "strength": insight.strength.to_dict(), "features": insight.features,
            "supporting": quotes("supports"), "contradicting": quotes("contradicts"),
            "needs_review": [{"evidence": row["kind"], "id": row["ref_id"], "stance": row["stance"],
                              "text_as_attached": row["text"], "reason": row["reason"]}
                             for s, row in items if s is None]}


def quote(s: Snippet, link: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    marked = bool(s.meta.get("highlight"))
    return {
        "snippet_id": None if marked else s.snippet_id, "highlight_id": s.snippet_id if marked else None,
        "evidence": "highlight" if marked else "snippet", "evidence_id": s.snippet_id, "quote": s.text, "speaker": s.speaker,
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
        mine = [q for q in order if q["evidence_id"] in members and q["evidence_id"] not in placed]
        if mine:
            placed |= {q["evidence_id"] for q in mine}
            groups.append({"theme": label, "origin": f"{state} theme", "quotes": mine})
    for tag, label in TAG_GROUPS:
        mine = [q for q in order if q["evidence_id"] not in placed and tag in q["tags"]]
        if mine:
            placed |= {q["evidence_id"] for q in mine}
            groups.append({"theme": label, "origin": f"tag {tag}", "quotes": mine})
    rest = [q for q in order if q["evidence_id"] not in placed]
    if rest:
        groups.append({"theme": OTHER_GROUP, "origin": "untagged", "quotes": rest})
    return groups


def all_quotes(bundle: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(theme, quote) in bundle order: what the flat formats (CSV, PDF) walk."""
    return [(g["theme"], q) for g in bundle["groups"] for q in g["quotes"]]


def insight_quotes_of(entry: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(stance, quote) of one bundle insight: supporting first."""
    return [("supports", q) for q in entry["supporting"]] + \
        [("contradicts", q) for q in entry["contradicting"]]


def review_item(link: dict[str, Any]) -> dict[str, Any]:
    reason = {"missing": "the quote is no longer in its re-ingested source file",
              "changed": "the quote's text changed in its re-ingested source file"}.get(
        link.get("flag") or "", "the quote's source document is no longer stored")
    return {"snippet_id": link["snippet_id"], "highlight_id": None,
            "text_as_confirmed": link.get("snippet_text") or "",
            "reason": reason, "flagged_at": link.get("flagged_at"), "note": link.get("note"),
            "confirmed_by": link.get("who"), "confirmed_at": link.get("at")}


def _documents(ws, ids: set[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for doc_id in sorted(ids):
        row = ws.records.document_row(doc_id)
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


