"""`hub.insights`: write findings, back them with evidence, link them to features.

An insight is a person's one-sentence finding. Evidence is attached by id: a
snippet id (or unique prefix) or a highlight id (they start with "h"), as
supporting or contradicting. Strength and staleness are computed when read
(strength.py), never stored, so they move as evidence is added, contradicted
and ages. A draft proposed from a theme (propose.py) stays a draft until a
person edits its statement or accepts it.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Sequence

from research_hub.core.errors import InvalidInputError, NotFoundError
from research_hub.insights import counter as counters
from research_hub.insights import propose as proposals
from research_hub.insights.model import EvidenceItem, Insight, evidence_item
from research_hub.insights.strength import measure
from research_hub.roadmap.evidence import current_user, resolve_snippet
from research_hub.store.audit import audited
from research_hub.store.features import FeatureStore
from research_hub.store.highlights import HighlightStore
from research_hub.store.insights import STANCES, STATUSES, InsightStore, resolve

MAX_STATEMENT = 500
STANCE_WORDS = {"supports": "supports", "support": "supports", "for": "supports",
                "contradicts": "contradicts", "contradict": "contradicts", "against": "contradicts"}


def clean_statement(text: str | None) -> str:
    statement = " ".join((text or "").split())
    if not statement:
        raise InvalidInputError("an insight needs a statement: one sentence that says what you found")
    if len(statement) > MAX_STATEMENT:
        raise InvalidInputError(f"an insight is one sentence: keep it under {MAX_STATEMENT} characters")
    return statement


def stance_of(value: str) -> str:
    stance = STANCE_WORDS.get((value or "").strip().lower())
    if stance is None:
        raise InvalidInputError(f"unknown stance {value!r} (use {' or '.join(STANCES)})")
    return stance


class Insights:
    def __init__(self, ws):
        self.ws = ws
        self.store = InsightStore(ws.db)
        self.marks = HighlightStore(ws.db)

    # -- reading -------------------------------------------------------------------
    def get(self, insight_id: str, as_of: date | None = None) -> Insight:
        return self._build([self.store.row(insight_id)], as_of)[0]

    def list(self, status: str | None = None, feature: str | None = None,
             as_of: date | None = None, include_archived: bool = False) -> list[Insight]:
        """Insights, strongest first (archived ones only when asked for or named by status)."""
        if status and status not in STATUSES:
            raise InvalidInputError(f"unknown status {status!r} (use {', '.join(STATUSES)})")
        rows = [r for r in self.store.rows(status, feature)
                if include_archived or status == "archived" or r["status"] != "archived"]
        return sorted(self._build(rows, as_of), key=lambda i: (-i.strength.score, i.id))

    def _build(self, rows, as_of: date | None) -> list[Insight]:
        ids = [r["id"] for r in rows]
        evidence: dict[str, list[EvidenceItem]] = {}
        quotes: dict[str, dict[str, list]] = {}
        for e in resolve(self.ws.records, self.marks, self.store.evidence(ids)):
            iid = e.row["insight_id"]
            evidence.setdefault(iid, []).append(evidence_item(e))
            if e.quote is not None:
                quotes.setdefault(iid, {}).setdefault(e.row["stance"], []).append(e.quote)
        features: dict[str, list[str]] = {}
        for r in self.store.feature_rows(ids):
            features.setdefault(r["insight_id"], []).append(r["feature_id"])
        out = []
        for r in rows:
            items = evidence.get(r["id"], [])
            mine = quotes.get(r["id"], {})
            strength = measure(mine.get("supports", []), mine.get("contradicts", []),
                               sum(e.status != "ok" for e in items), as_of)
            out.append(Insight(
                id=r["id"], statement=r["statement"], status=r["status"], origin=r["origin"],
                theme_id=r["theme_id"], author=r["author"], created_at=r["created_at"],
                updated_at=r["updated_at"], strength=strength,
                supporting=[e for e in items if e.stance == "supports"],
                contradicting=[e for e in items if e.stance == "contradicts"],
                features=features.get(r["id"], [])))
        return out

    # -- writing -------------------------------------------------------------------
    @audited("insight.add")
    def add(self, statement: str, evidence: Sequence[str] = (), contradicting: Sequence[str] = (),
            features: Sequence[str] = (), author: str | None = None) -> Insight:
        """A finding in a person's words, with the ids of the quotes behind it."""
        text = clean_statement(statement)
        items = self._items(evidence, "supports") + self._items(contradicting, "contradicts")
        fids = [FeatureStore(self.ws.db).get(f).id for f in features]
        who = author or current_user()
        insight_id = self.store.create(text, "active", "researcher", None, who)
        if items:
            self.store.attach(insight_id, items, who)
        for fid in fids:
            self.store.link_feature(insight_id, fid, who)
        return self.get(insight_id)

    @audited("insight.propose")
    def propose(self, theme_id: str, author: str | None = None) -> Insight:
        """A draft from a stored theme: its label in a template sentence, its members as
        supporting evidence, the one nearest its centre as the headline quote."""
        return self.get(proposals.from_theme(self.ws, theme_id, author))

    @audited("insight.draft")
    def draft(self, label: str, snippet_ids: Sequence[str], author: str | None = None) -> Insight:
        """A draft from any group of quotes (an Ask sub-theme, say)."""
        found = self.ws.records.get_snippets(snippet_ids)
        return self.get(proposals.draft(self.ws, label, [found[i] for i in snippet_ids if i in found],
                                      "ask", None, author))

    def counter(self, insight_id: str) -> counters.CounterEvidence:
        """Participants who say the opposite of the insight's supporting quotes."""
        return counters.for_insight(self.ws, insight_id)

    @audited("insight.edit")
    def edit(self, insight_id: str, statement: str | None = None, status: str | None = None) -> Insight:
        """Change the statement or status; editing a draft's statement makes it the
        researcher's own (active) unless a status is given."""
        row = self.store.row(insight_id)
        if status is not None and status not in STATUSES:
            raise InvalidInputError(f"unknown status {status!r} (use {', '.join(STATUSES)})")
        text = clean_statement(statement) if statement is not None else None
        if status is None and text is not None and row["status"] == "draft":
            status = "active"
        self.store.update(row["id"], statement=text, status=status)
        return self.get(row["id"])

    @audited("insight.accept")
    def accept(self, insight_id: str) -> Insight:
        """A draft becomes an active insight as it stands."""
        return self.edit(insight_id, status="active")

    @audited("insight.archive")
    def archive(self, insight_id: str, archived: bool = True) -> Insight:
        return self.edit(insight_id, status="archived" if archived else "active")

    @audited("insight.remove")
    def remove(self, insight_id: str) -> str:
        row = self.store.row(insight_id)
        self.store.delete(row["id"])
        return row["id"]

    @audited("insight.attach")
    def attach(self, insight_id: str, refs: str | Iterable[str], stance: str = "supports",
               note: str | None = None, who: str | None = None) -> Insight:
        """Attach snippets or highlights (ids or unique prefixes) as supporting or
        contradicting evidence; attaching one again changes its stance."""
        row = self.store.row(insight_id)
        items = self._items([refs] if isinstance(refs, str) else list(refs), stance_of(stance))
        if not items:
            raise InvalidInputError("name at least one snippet or highlight to attach")
        self.store.attach(row["id"], items, who or current_user(), note)
        return self.get(row["id"])

    @audited("insight.detach")
    def detach(self, insight_id: str, ref: str) -> Insight:
        row = self.store.row(insight_id)
        kind, ref_id = self._ref(ref, must_exist=False, insight_id=row["id"])
        if not self.store.detach(row["id"], kind, ref_id):
            raise NotFoundError(f"{ref!r} is not evidence of {row['id']}")
        return self.get(row["id"])

    @audited("insight.link")
    def link(self, insight_id: str, feature_id: str, remove: bool = False,
             who: str | None = None) -> Insight:
        """Link the insight to a roadmap feature: its evidence then counts in the feature's score."""
        row = self.store.row(insight_id)
        fid = FeatureStore(self.ws.db).get(feature_id).id
        self.store.link_feature(row["id"], fid, who or current_user(), remove)
        return self.get(row["id"])

    # -- evidence references ---------------------------------------------------------
    def _ref(self, ref: str, must_exist: bool = True, insight_id: str | None = None) -> tuple[str, str]:
        ref = (ref or "").strip()
        if not ref:
            raise InvalidInputError("no snippet or highlight id given")
        if ref.startswith("h"):
            try:
                return "highlight", self.marks.get(ref).id
            except NotFoundError:
                if must_exist:
                    raise
                return "highlight", ref
        if not must_exist and insight_id and any(r["ref_id"] == ref for r in self.store.evidence([insight_id])):
            return "snippet", ref
        return "snippet", resolve_snippet(self.ws, "", ref)

    def _items(self, refs: Sequence[str], stance: str) -> list[tuple[str, str, str, str, str | None]]:
        out = []
        for ref in refs:
            kind, ref_id = self._ref(ref)
            if kind == "highlight":
                h = self.marks.get(ref_id)
                if not h.ok:
                    raise InvalidInputError(f"highlight {h.id} needs review first: {h.reason}")
                role, text, doc = h.role, h.text, h.document_id
            else:
                s = self.ws.records.snippet(ref_id)
                role, text, doc = s.role, s.text, s.document_id
            if role != "participant":
                raise InvalidInputError(f"{ref_id} is the interviewer's words: only participants' "
                                        "words are evidence")
            out.append((kind, ref_id, stance, text, doc))
        return out


def strength_table(insights: Sequence[Insight]) -> list[dict[str, Any]]:
    """One row per insight for tables: statement, status, strength and its parts."""
    return [{"id": i.id, "statement": i.statement, "status": i.status, "strength": i.strength.score,
             "participants": i.strength.participants, "quotes": i.strength.evidence,
             "studies": i.strength.studies, "segments": len(i.strength.segments),
             "newest": i.strength.newest or "", "against": i.strength.counter_participants,
             "stale": "yes" if i.strength.stale else "", "review": i.strength.needs_review,
             "features": ", ".join(i.features)} for i in insights]
