"""Search page under streamlit's AppTest: hits, filters, tagging and one-step linking."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from research_hub.ui.common import md_escape, source_line

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "research_hub" / "ui" / "search.py")
QUERY = "exporting invoices is slow"


@pytest.fixture
def ws(sample_copy, monkeypatch):
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(sample_copy.home))
    return sample_copy


def search(query: str = QUERY, **widgets) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    for key, value in widgets.items():
        at.selectbox(key=key).set_value(value)
    at.text_input(key="q").set_value(query)
    return at.run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert all(not m.allow_html for m in at.markdown), "user text must never be rendered as HTML"
    return at


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_opens_on_workspace_figures_and_a_search_box(ws):
    at = ok(AppTest.from_file(PAGE, default_timeout=300).run())
    figures = {m.label: m.value for m in at.metric}
    assert figures["Documents"] == str(len(ws.documents()))
    assert int(figures["Snippets"]) > 0
    assert at.text_input(key="q").value == ""


def test_a_starter_query_runs_a_search(ws):
    at = ok(AppTest.from_file(PAGE, default_timeout=300).run())
    at.pills(key="q_try").set_value("too slow")
    ok(at.run())
    assert at.text_input(key="q").value == "too slow"
    hits = ws.search("too slow", k=10)
    assert f"{len(hits)} quotes for *too slow*" in captions(at)


def test_search_shows_the_hubs_hits_as_quote_cards(ws):
    at = ok(search())
    hits = ws.search(QUERY, k=10)
    assert hits
    assert f"{len(hits)} quotes for *{md_escape(QUERY)}*" in captions(at)
    shown = " ".join(captions(at))
    for hit in hits:
        assert source_line(hit) in shown
    if any(h.highlights for h in hits):
        assert any(":orange-background[" in m.value for m in at.markdown)
    assert len(at.expander) >= 1, "each hit's context can be opened"


def test_sidebar_filters_reach_the_search(ws):
    study = ws.filter_values()["study"][0]
    at = ok(search(f_study=study))
    hits = ws.search(QUERY, k=10, study=study)
    assert hits and all(h.study == study for h in hits)
    assert f"{len(hits)} quotes for *{md_escape(QUERY)}*" in captions(at)
    for hit in hits:
        assert source_line(hit) in " ".join(captions(at))


def test_add_and_remove_a_tag_on_a_hit(ws):
    at = ok(search())
    sid = ws.search(QUERY, k=10)[0].snippet_id
    at.text_input(key=f"tag_new_{sid}").set_value("Needs Follow-up")
    at.button(key=f"tag_add_{sid}").click()
    ok(at.run())
    tag = next(t for t in ws.snippet(sid).tags if "follow" in t)
    assert any("added" in s.value for s in at.success)

    at.selectbox(key=f"tag_old_{sid}").set_value(tag)
    at.button(key=f"tag_rm_{sid}").click()
    ok(at.run())
    assert tag not in ws.snippet(sid).tags


def test_link_a_hit_to_a_feature_in_one_step(ws):
    ws.roadmap.import_file(ROOT / "sample_interviews" / "roadmap" / "features.csv")
    feature = ws.roadmap.features()[0]
    at = ok(search())
    sid = ws.search(QUERY, k=10)[0].snippet_id
    at.selectbox(key=f"link_f_{sid}").set_value(feature.id)
    at.text_input(key=f"link_note_{sid}").set_value("from the UI test")
    at.button(key=f"link_go_{sid}").click()
    ok(at.run())
    confirmed = {r["snippet_id"]: r for r in ws.roadmap.links(feature.id, "confirmed")}
    assert sid in confirmed and confirmed[sid]["note"] == "from the UI test"
    assert any("linked" in s.value for s in at.success)


def test_hostile_text_is_shown_literally(ws, tmp_path):
    doc = tmp_path / "hostile.txt"
    doc.write_text("Interviewer: Any trouble?\n"
                   "Zed: The <script>alert(1)</script> invoice page [click](http://evil.example) "
                   "shows :red[boom] and $x$ when exporting invoices is slow.\n")
    assert ws.ingest([doc]).ok
    at = ok(search("script alert invoice page click evil example"))
    bodies = " ".join(m.value for m in at.markdown)
    assert "Zed" in " ".join(captions(at))
    assert "<script>" not in bodies and "](http" not in bodies and ":red[" not in bodies
    assert r"\<script\>" in bodies.replace(":orange-background[", "").replace("]", "")


def test_an_empty_workspace_points_to_the_library(hub, monkeypatch):
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(hub.home))
    at = ok(AppTest.from_file(PAGE, default_timeout=300).run())
    assert any("Library" in i.value for i in at.info)
