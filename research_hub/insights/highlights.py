"""`hub.highlights`: mark any span of one speaker's words, tag it, use it as evidence.

Offsets index the stored document text, so `document.text[start:end] ==
highlight.text` by construction (whitespace at either end is trimmed). A span
must lie inside one speaker block (store/spans.py). Highlights survive
re-ingestion of their file (store/highlights.py) and are found by `search`
(their own words, meaning and keywords) and `list` (filters).
"""
from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from research_hub.core import tokens as T
from research_hub.core.errors import InvalidInputError, NotFoundError
from research_hub.core.models import Highlight
from research_hub.store.spans import index_to_utf16, place
from research_hub.ingest.taxonomy import normalize_tag
from research_hub.insights.book import Insights
from research_hub.roadmap.evidence import current_user
from research_hub.search.fusion import ALPHA
from research_hub.search.query import parse_query, phrase_pattern
from research_hub.store.audit import audited
from research_hub.store.features import FeatureStore
from research_hub.store.highlights import HighlightStore, context


@dataclass
class HighlightHit:
    highlight: Highlight
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, **asdict(self.highlight)}


def clean_tags(tags: str | Sequence[str] | None) -> list[str]:
    items = [tags] if isinstance(tags, str) else list(tags or [])
    return sorted({t for t in (normalize_tag(x) for x in items) if t})


class Highlights:
    def __init__(self, ws):
        self.ws = ws
        self.store = HighlightStore(ws.db)

    def _document(self, ref: str):
        row = self.ws.records.find_document(ref) if ref else None
        if row is None:
            raise NotFoundError(f"no document {ref!r}")
        return row

    # -- making ----------------------------------------------------------------------
    @audited("highlight.add")
    def add(self, document: str, start: int, end: int, tags: str | Sequence[str] = (),
            note: str | None = None, author: str | None = None, feature: str | None = None,
            insight: str | None = None, stance: str = "supports") -> Highlight:
        """Highlight document.text[start:end] (trimmed of whitespace). The same span again
        returns the existing highlight with the new tags added."""
        doc = self._document(document)
        start, end, block = place(doc["text"], self.store.blocks(doc["id"]), start, end)
        tags = clean_tags(tags)
        existing = self.store.at(doc["id"], start, end)
        if existing:
            if tags:
                self.store.tag(existing, tags)
            hid = existing
        else:
            before, after = context(doc["text"], start, end)
            hid = self.store.add({
                "id": "h" + secrets.token_hex(6), "document_id": doc["id"], "char_start": start,
                "char_end": end, "text": doc["text"][start:end], "speaker": block.speaker,
                "role": block.role, "participant": block.participant, "context_before": before,
                "context_after": after, "note": (note or "").strip() or None,
                "author": author or self.ws.user}, tags)
        if feature or insight:
            self.link(hid, feature=feature, insight=insight, stance=stance, who=author)
        return self.store.get(hid)

    def locate(self, document: str, words: str, occurrence: int = 1) -> tuple[int, int]:
        """Offsets of the `occurrence`-th place these exact words stand inside one speaker block."""
        doc = self._document(document)
        words = (words or "").strip()
        if not words:
            raise InvalidInputError("type the words to highlight")
        blocks = self.store.blocks(doc["id"])
        text, seen, pos = doc["text"], 0, doc["text"].find(words)
        while pos >= 0:
            if any(b.holds(pos, pos + len(words)) for b in blocks):
                seen += 1
                if seen == occurrence:
                    return pos, pos + len(words)
            pos = text.find(words, pos + 1)
        raise NotFoundError("those exact words are not in one speaker's turn of this document")

    # -- reading ---------------------------------------------------------------------
    def get(self, highlight_id: str) -> Highlight:
        return self.store.get(highlight_id)

    def list(self, document: str | None = None, participant: str | None = None,
             tag: str | Sequence[str] | None = None, state: str | None = None,
             feature: str | None = None, study: str | None = None, text: str | None = None,
             author: str | None = None) -> list[Highlight]:
        """Highlights under all the filters; `text` keeps those holding every word given."""
        if state and state not in ("ok", "review"):
            raise InvalidInputError(f"unknown state {state!r} (use ok or review)")
        doc_id = self._document(document)["id"] if document else None
        found = self.store.list(document=doc_id, participant=participant, tags=clean_tags(tag),
                                state=state, author=author, feature=feature, study=study)
        if text and text.strip():
            wanted = set(T.terms(text))
            found = [h for h in found if wanted <= set(T.terms(h.text + " " + (h.note or "")))]
        return found

    def search(self, query: str, k: int = 10, **filters: Any) -> list[HighlightHit]:
        """Highlights ranked for a query like search ranks snippets: ALPHA x cosine of
        their words to the query + (1 - ALPHA) x share of the query's keywords they hold;
        "quoted phrases" must appear."""
        q = parse_query(query)
        if q.empty:
            return []
        found = [h for h in self.list(**filters) if h.ok]
        for phrase in q.phrases:
            pattern = phrase_pattern(phrase)
            found = [h for h in found if pattern is None or pattern.search(h.text)]
        if not found:
            return []
        vectors = self.ws.embedder.encode([h.text for h in found])
        cosine = vectors @ self.ws.embedder.encode_query(q.text)
        terms = set(q.terms)
        share = np.array([len(terms & set(T.terms(h.text))) / len(terms) if terms else 0.0
                          for h in found])
        scores = ALPHA * cosine + (1 - ALPHA) * share
        order = np.argsort(-scores, kind="stable")[:k]
        return [HighlightHit(found[i], round(float(scores[i]), 4)) for i in order]

    def reader(self, document: str) -> dict[str, Any]:
        """A document as speaker blocks for the highlighting reader: each block's text is
        document.text[start:end] as-is, with the highlights inside it (offsets in the
        block, in code points and in UTF-16 units as a browser counts them)."""
        doc = self._document(document)
        text = doc["text"]
        marks = [h for h in self.store.list(document=doc["id"]) if h.ok]
        blocks = []
        for b in self.store.blocks(doc["id"]):
            words = text[b.start:b.end]
            inside = [{"id": h.id, "start": h.char_start - b.start, "end": h.char_end - b.start,
                       "u16_start": index_to_utf16(words, h.char_start - b.start),
                       "u16_end": index_to_utf16(words, h.char_end - b.start), "tags": h.tags}
                      for h in marks if b.holds(h.char_start, h.char_end)]
            blocks.append({"start": b.start, "end": b.end, "speaker": b.speaker, "role": b.role,
                           "participant": b.participant, "text": words, "marks": inside})
        return {"document_id": doc["id"], "title": doc["title"] or doc["name"], "blocks": blocks}

    # -- editing ---------------------------------------------------------------------
    @audited("highlight.tag")
    def tag(self, highlight_id: str, tags: str | Sequence[str], remove: bool = False) -> Highlight:
        h = self.store.get(highlight_id)
        names = clean_tags(tags)
        if not names:
            raise InvalidInputError("give a tag name")
        self.store.tag(h.id, names, remove)
        return self.store.get(h.id)

    @audited("highlight.note")
    def note(self, highlight_id: str, note: str | None) -> Highlight:
        h = self.store.get(highlight_id)
        self.store.set_note(h.id, (note or "").strip() or None)
        return self.store.get(h.id)

    @audited("highlight.remove")
    def remove(self, highlight_id: str) -> str:
        """Delete a highlight, its tags and its links to features and insights."""
        h = self.store.get(highlight_id)
        self.store.remove(h.id)
        return h.id

    @audited("highlight.link")
    def link(self, highlight_id: str, feature: str | None = None, insight: str | None = None,
             stance: str = "supports", remove: bool = False, note: str | None = None,
             who: str | None = None) -> Highlight:
        """Attach a highlight as evidence to a feature and/or an insight (or take it off)."""
        h = self.store.get(highlight_id)
        if not feature and not insight:
            raise InvalidInputError("name a feature or an insight to link the highlight to")
        if not remove and h.role != "participant":
            raise InvalidInputError("the interviewer's words are not evidence")
        if not remove and not h.ok:
            raise InvalidInputError(f"highlight {h.id} needs review first: {h.reason}")
        if feature:
            fid = FeatureStore(self.ws.db).get(feature).id
            self.store.link_feature(fid, h.id, who or current_user(), note, remove)
        if insight:
            book = Insights(self.ws)
            if remove:
                book.detach(insight, h.id)
            else:
                book.attach(insight, h.id, stance, note, who)
        return self.store.get(h.id)
