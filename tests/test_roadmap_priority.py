"""Prioritisation: the formula on hand-made evidence, and the sorted table on a real workspace."""
from __future__ import annotations

from datetime import date

import pytest

from research_hub.core.models import Snippet
from research_hub.roadmap import Feature, measure
from research_hub.roadmap.priority import customer, segment
from tests.conftest import write

AS_OF = date(2026, 6, 1)


def snip(participant, *, tags=(), study="s1", kind="interview", day="2026-06-01", meta=None,
         speaker=None, doc="d1"):
    return Snippet(snippet_id=f"{participant}-{len(tags)}-{day}", document_id=doc, document_title="t",
                   document_path="p", text="x", speaker=speaker or participant, role="participant",
                   participant=participant, char_start=0, char_end=1, line=1, start_time=None,
                   end_time=None, context=None, tags=list(tags), sentiment=0.0, entities=[], kind=kind,
                   study=study, date=day, meta=meta or {})


FEATURE = Feature(id="F", title="F")


def score(quotes):
    return measure(FEATURE, quotes, as_of=AS_OF).score


def test_formula_by_hand():
    quotes = [snip("a", tags=["pain_point"]), snip("a"), snip("b", tags=["pain_point"], study="s2"),
              snip("b", tags=["feature_request"])]
    p = measure(FEATURE, quotes, as_of=AS_OF)
    # reach 2 + 0.25 x 2 = 2.5; breadth 1 + 0.15 x (2 studies - 1) = 1.15; severity 1 + 0.5 x 0.5
    assert p.parts == {"reach": 2.5, "breadth": 1.15, "severity": 1.25, "freshness": 1.0}
    assert p.score == round(2.5 * 1.15 * 1.25, 2)
    assert (p.evidence, p.participants, p.studies) == (4, 2, 2)
    assert (p.pain_share, p.request_share, p.newest) == (0.5, 0.25, "2026-06-01")


def test_distinct_customers_beat_one_customer_repeating_themself():
    assert score([snip("a"), snip("b"), snip("c")]) > score([snip("a"), snip("a"), snip("a")])


def test_pain_breadth_and_recency_each_raise_the_score():
    base = [snip("a"), snip("b")]
    assert score([snip("a", tags=["pain_point"]), snip("b")]) > score(base)
    assert score([snip("a"), snip("b", study="s2")]) > score(base)
    assert score([snip("a"), snip("b", meta={"Plan": "Pro"})]) > score(base)
    old = [snip("a", day="2024-06-01"), snip("b", day="2024-06-01")]
    assert score(old) < score(base)
    assert score([snip("a", day=None), snip("b", day=None)]) == pytest.approx(score(base) * 0.75, abs=0.01)


def test_segments_come_from_row_fields_else_kind_and_anonymous_rows_count_apart():
    assert segment(snip("a", meta={"Company size": "11-50"})) == "company_size: 11-50"
    assert segment(snip("a", kind="review")) == "kind: review"
    rows = [snip("Respondent (survey)", speaker="Respondent", meta={"row": n}) for n in (2, 3)]
    assert len({customer(s) for s in rows}) == 2
    assert customer(snip("Maria")) == "Maria"


def test_no_evidence_scores_zero():
    p = measure(FEATURE, [], as_of=AS_OF)
    assert (p.score, p.evidence, p.newest) == (0.0, 0, None)


INTERVIEWS = {
    "ana.txt": ("2026-03-01", "Ana: The PDF export times out every month.\n"
                "Ana: I wish invoices could repeat automatically.\n"),
    "ben.txt": ("2026-03-08", "Ben: Exporting to PDF fails with a timeout.\n"),
    "cai.txt": ("2025-01-10", "Cai: Recurring invoices would save me an hour a week.\n"
                "Cai: Please add scheduled invoices.\nCai: Repeating invoices by hand is tedious.\n"),
}


def test_table_sorts_by_score_participants_evidence_and_recency(hub, tmp_path):
    for name, (day, body) in INTERVIEWS.items():
        write(tmp_path / "in" / name, f"---\ndate: {day}\n---\nInterviewer: Tell me more.\n{body}")
    assert hub.ingest([tmp_path / "in"]).ok
    rm = hub.roadmap
    rm.add("PDF export", feature_id="PDF")
    rm.add("Recurring invoices", feature_id="REC")
    rm.add("Nothing yet", feature_id="ZZZ")
    for s in hub.snippets(role="participant"):
        rm.link("PDF" if "PDF" in s.text else "REC", s.snippet_id)
    by = {sort: [p.feature_id for p in rm.table(sort=sort, as_of=date(2026, 6, 1))]
          for sort in ("score", "participants", "evidence", "recent")}
    # PDF: 2 quotes from 2 people, recent; REC: 4 quotes from 2 people, one of them 2025
    assert by["evidence"] == ["REC", "PDF", "ZZZ"]
    assert by["recent"] == ["PDF", "REC", "ZZZ"]
    table = {p.feature_id: p for p in rm.table(as_of=date(2026, 6, 1))}
    assert (table["PDF"].participants, table["REC"].participants) == (2, 2)
    assert by["score"] == sorted(table, key=lambda f: -table[f].score)
    assert by["participants"][-1] == "ZZZ"
    rm.archive("REC")
    assert [p.feature_id for p in rm.table()] == ["PDF", "ZZZ"]
    with pytest.raises(ValueError):
        rm.table(sort="loudest")
