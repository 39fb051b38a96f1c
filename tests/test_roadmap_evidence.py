"""Evidence suggestions, confirm / reject, re-ingestion and change flags, theme suggestions.
Real model and real Chroma on two tiny interviews."""
from __future__ import annotations

import pytest

from tests.conftest import write

ANA = """---
study: discovery
date: 2026-03-01
---
Interviewer: How do you get reports to your accountant?
Ana: The PDF export times out every month and I lose the whole afternoon.
Interviewer: Anything else?
Ana: I would love a dark theme for late-night bookkeeping.
"""
BEN = """---
study: discovery
date: 2026-03-08
---
Interviewer: What slows you down?
Ben: Exporting a year of transactions to PDF fails with a timeout.
Interviewer: And invoices?
Ben: Sending invoice reminders by hand is tedious.
"""
PDF_ANA = "The PDF export times out every month and I lose the whole afternoon."


@pytest.fixture
def ws(hub, tmp_path):
    """A workspace with the two interviews and one feature about PDF exports."""
    folder = tmp_path / "in"
    write(folder / "ana.txt", ANA)
    write(folder / "ben.txt", BEN)
    assert hub.ingest([folder]).ok
    hub.roadmap.add("Reliable PDF export", "Exports of reports to PDF should not time out.",
                    feature_id="TB-1")
    hub.folder = folder
    return hub


def _ids(result):
    return [s.snippet.snippet_id for s in result.snippets]


def _snippet(hub, text):
    return next(s for s in hub.snippets() if s.text == text)


def test_suggestions_rank_the_relevant_quotes_first_and_skip_interviewers(ws):
    result = ws.roadmap.suggest("TB-1", k=4, themes=False)
    top = [s.snippet.text for s in result.snippets[:2]]
    assert PDF_ANA in top and any("PDF fails with a timeout" in t for t in top)
    assert all(s.snippet.role == "participant" for s in result.snippets)
    assert [s.rank for s in result.snippets] == list(range(1, len(result.snippets) + 1))
    assert {r["snippet_id"] for r in ws.roadmap.links("TB-1", "suggested")} == set(_ids(result))


def test_rejected_suggestions_stay_rejected_across_runs_and_reingests(ws):
    first = ws.roadmap.suggest("TB-1", k=4, themes=False)
    gone = first.snippets[0].snippet.snippet_id
    ws.roadmap.reject("TB-1", gone[:8])  # the CLI shows 8-character prefixes
    assert gone not in _ids(ws.roadmap.suggest("TB-1", k=4, themes=False))
    ws.ingest([ws.folder])  # unchanged files
    write(ws.folder / "ana.txt", ANA.replace("Anything else?", "Anything else at all?"))
    write(ws.folder / "ben.txt", BEN.replace("And invoices?", "And what about invoices?"))
    assert ws.ingest([ws.folder]).count("replaced") == 2
    assert gone in {s.snippet_id for s in ws.snippets()}  # still there, still rejected
    assert gone not in _ids(ws.roadmap.suggest("TB-1", k=4, themes=False))
    assert [r["snippet_id"] for r in ws.roadmap.links("TB-1", "rejected")] == [gone]


def test_confirmed_link_survives_reingest_of_an_unchanged_snippet(ws):
    target = _snippet(ws, PDF_ANA)
    ws.roadmap.link("TB-1", target.snippet_id, note="clearest statement")
    assert ws.ingest([ws.folder]).count("unchanged") == 2
    changed = ANA.replace("---\nInterviewer: How", "---\nInterviewer: Hello!\nAna: Hi.\nInterviewer: How")
    write(ws.folder / "ana.txt", changed)  # every offset after the new turns moves
    report = ws.ingest([ws.folder])
    assert report.count("replaced") == 1
    link = ws.roadmap.links("TB-1", "confirmed")
    assert [(r["snippet_id"], r["note"], r["flag"]) for r in link] == \
        [(target.snippet_id, "clearest statement", None)]
    new_doc = next(f.document_id for f in report.files if f.status == "replaced")
    assert link[0]["document_id"] == new_doc
    moved = ws.snippet(target.snippet_id)
    assert moved.char_start != target.char_start
    assert ws.workspace.records.document_text(new_doc)[moved.char_start:moved.char_end] == PDF_ANA
    p = ws.roadmap.priority("TB-1")
    assert (p.evidence, p.flagged) == (1, 0)


def test_link_to_a_changed_quote_is_flagged_not_dropped(ws):
    target = _snippet(ws, PDF_ANA)
    ws.roadmap.link("TB-1", target.snippet_id)
    ws.roadmap.suggest("TB-1", k=4, themes=False)
    write(ws.folder / "ana.txt", ANA.replace("every month", "every single month"))
    assert ws.ingest([ws.folder]).count("replaced") == 1
    link = ws.roadmap.links("TB-1", "confirmed")
    assert [(r["snippet_id"], r["flag"], r["snippet_text"]) for r in link] == \
        [(target.snippet_id, "missing", PDF_ANA)]
    p = ws.roadmap.priority("TB-1")
    assert (p.evidence, p.flagged) == (0, 1)
    assert target.snippet_id not in {r["snippet_id"] for r in ws.roadmap.links("TB-1", "suggested")}
    from research_hub.export.bundle import build

    bundle = build(ws.workspace, "TB-1")
    assert bundle["groups"] == []
    assert [r["text_as_confirmed"] for r in bundle["needs_review"]] == [PDF_ANA]
    # the words come back: the flag goes, the evidence counts again
    write(ws.folder / "ana.txt", ANA)
    ws.ingest([ws.folder])
    assert ws.roadmap.links("TB-1", "confirmed")[0]["flag"] is None
    assert ws.roadmap.priority("TB-1").evidence == 1


def test_a_flagged_link_can_be_rejected_but_not_confirmed_without_its_snippet(ws):
    target = _snippet(ws, PDF_ANA)
    ws.roadmap.link("TB-1", target.snippet_id)
    write(ws.folder / "ana.txt", ANA.replace("every month", "each month"))
    ws.ingest([ws.folder])
    with pytest.raises(KeyError):
        ws.roadmap.link("TB-1", target.snippet_id)
    ws.roadmap.reject("TB-1", target.snippet_id)
    rows = ws.roadmap.links("TB-1")
    assert [(r["state"], r["flag"]) for r in rows] == [("rejected", None)]
    assert ws.roadmap.priority("TB-1").flagged == 0


def test_unknown_ids_raise_key_errors(ws):
    with pytest.raises(KeyError):
        ws.roadmap.link("TB-1", "0000000000")
    with pytest.raises(KeyError):
        ws.roadmap.suggest("NOPE", k=3)


def _fake_themes(hub, label_a="Export timeouts", id_a="t1"):
    pdf = [s.snippet_id for s in hub.snippets() if "PDF" in s.text and s.role == "participant"]
    other = [s.snippet_id for s in hub.snippets() if "dark theme" in s.text or "reminders" in s.text]
    return lambda *a, **k: [
        {"id": id_a, "label": label_a, "keywords": ["export", "pdf"], "size": len(pdf), "snippet_ids": pdf},
        {"id": "t2", "label": "Dark theme", "keywords": ["dark"], "size": 2, "snippet_ids": other},
        {"id": "t3", "label": "Lonely", "keywords": [], "size": 1, "snippet_ids": other[:1]}]


def test_theme_suggestions_match_and_remember_rejections(ws, monkeypatch):
    monkeypatch.setattr("research_hub.roadmap.theme_links.theming.themes", _fake_themes(ws))
    result = ws.roadmap.suggest("TB-1", k=4)
    assert result.themes[0].label == "Export timeouts" and result.themes[0].overlap == 2
    assert "Lonely" not in [t.label for t in result.themes]  # one shared snippet is no match
    ws.roadmap.reject_theme("TB-1", "t1")
    # recomputed themes may renumber: the rejection still holds by label
    monkeypatch.setattr("research_hub.roadmap.theme_links.theming.themes", _fake_themes(ws, id_a="t7"))
    assert "Export timeouts" not in [t.label for t in ws.roadmap.suggest("TB-1", k=4).themes]
    ws.roadmap.confirm_theme("TB-1", "Dark theme")
    assert {t["label"]: t["state"] for t in ws.roadmap.themes("TB-1")} == \
        {"Export timeouts": "rejected", "Dark theme": "confirmed"}


@pytest.mark.parametrize("error", [ModuleNotFoundError("No module named 'research_hub.themes'"),
                                   ImportError("cannot import name 'themes'"),
                                   ValueError("too few snippets to cluster")])
def test_theme_suggestions_tolerate_a_missing_or_failing_themes_module(ws, monkeypatch, error):
    def broken(*a, **k):
        raise error

    monkeypatch.setattr("research_hub.roadmap.theme_links.theming.themes", broken)
    result = ws.roadmap.suggest("TB-1", k=4)
    assert result.themes == [] and len(result.snippets) >= 2


def test_export_groups_quotes_by_confirmed_theme(ws, monkeypatch):
    from research_hub.export.bundle import build

    monkeypatch.setattr("research_hub.roadmap.theme_links.theming.themes", _fake_themes(ws))
    ws.roadmap.suggest("TB-1", k=4)
    ws.roadmap.confirm_theme("TB-1", "t1")
    for s in ws.snippets():
        if s.role == "participant" and ("PDF" in s.text or "reminders" in s.text):
            ws.roadmap.link("TB-1", s.snippet_id)
    groups = {g["theme"]: [q["quote"] for q in g["quotes"]] for g in build(ws.workspace, "TB-1")["groups"]}
    assert len(groups["Export timeouts"]) == 2
    assert sum(len(v) for v in groups.values()) == 3


def test_sample_roadmap_end_to_end(sample_copy):
    from tests.conftest import SAMPLES

    rm = sample_copy.roadmap
    assert rm.import_file(SAMPLES / "roadmap" / "features.csv").added
    result = rm.suggest("TB-101", k=10)
    assert sum("export" in s.snippet.text.lower() for s in result.snippets) >= 5
    known = set(sample_copy.workspace.records.snippet_ids())
    for t in result.themes:  # from the real themes module when it is there
        assert t.overlap >= 2 and set(t.snippet_ids) <= known
    rm.link("TB-101", result.snippets[0].snippet.snippet_id)
    assert rm.priority("TB-101").evidence == 1
    assert result.snippets[0].snippet.text.encode() in sample_copy.export("TB-101", "md")
