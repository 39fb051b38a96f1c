"""Ask, Insights, the Library's highlighting reader and the Themes page's counter-evidence
under streamlit's AppTest, on one copy of the sample workspace for the module."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from research_hub.ui.common import md_escape

pytestmark = pytest.mark.integration
UI = Path(__file__).resolve().parents[1] / "research_hub" / "ui"


@pytest.fixture(scope="module")
def ws(sample_workspace, tmp_path_factory):
    from research_hub import Hub

    home = tmp_path_factory.mktemp("ui-insights") / "ws"
    shutil.copytree(sample_workspace, home)
    hub = Hub(home)
    yield hub
    hub.close()


@pytest.fixture
def env(ws, monkeypatch):
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(ws.home))
    return ws


def run(page: str) -> AppTest:
    return AppTest.from_file(str(UI / page), default_timeout=300).run()


def clean(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert all(not m.allow_html for m in at.markdown), "user text is never rendered as HTML"


def test_ask_shows_groups_with_counts_and_verbatim_quotes(env):
    at = run("ask.py")
    at.text_input(key="ask_q").set_value("exporting reports is slow").run()
    clean(at)
    shown = [m.value for m in at.markdown]
    answer = env.ask("exporting reports is slow", k=30)
    assert any(f"of {answer.participants_in_selection} participants" in m for m in shown)
    for g in answer.groups:
        assert f"**{g.participants} of {g.of} participants** in the selection" in "\n".join(shown)
        for q in g.quotes[:4]:
            assert md_escape(q.text) in shown
    at.button(key="ask_draft_0").click().run()
    clean(at)
    drafts = env.insights.list(status="draft")
    assert drafts and drafts[-1].origin == "ask"
    assert {e.id for e in drafts[-1].supporting} == {q.snippet_id for q in answer.groups[0].quotes}


def test_insights_page_creates_links_and_backs_an_insight(env):
    at = run("insights.py")
    at.text_area(key="in_new").set_value("Accountants cannot trust exports that time out.")
    at.button(key="in_create").click().run()
    clean(at)
    made = next(i for i in env.insights.list() if i.statement.startswith("Accountants"))
    at.selectbox(key="in_open").set_value(made.id).run()
    snip = env.search("export times out", k=1)[0]
    at.text_input(key=f"in_ref_{made.id}").set_value(snip.snippet_id[:10])
    at.button(key=f"in_attach_{made.id}").click().run()
    clean(at)
    assert [e.id for e in env.insights.get(made.id).supporting] == [snip.snippet_id]
    assert md_escape(snip.text) in [m.value for m in at.markdown]
    assert any(m.label == "Strength" and float(m.value) > 0 for m in at.metric)
    at.toggle(key=f"in_counter_on_{made.id}").set_value(True).run()
    clean(at)


def test_library_highlights_typed_words_exactly(env):
    doc = next(d for d in env.documents() if d.kind == "interview")
    text = env.workspace.records.document_text(doc.id)
    participant = next(s for s in env.snippets(document=doc.id) if s.role == "participant")
    words = participant.text[:40].strip()
    at = run("library.py")
    at.selectbox(key="open_doc").set_value(doc.id).run()
    at.segmented_control(key="reader_mode").set_value("Highlight").run()
    at.text_input(key="hl_words").set_value(words)
    at.button(key="hl_find").click().run()
    clean(at)
    assert md_escape(words) in [m.value for m in at.markdown]
    at.text_input(key="hl_tags").set_value("first words")
    at.button(key="hl_save").click().run()
    clean(at)
    made = env.highlights.list(document=doc.id, tag="first_words")
    assert [h.text for h in made] == [words]
    assert text[made[0].char_start:made[0].char_end] == words


def test_themes_page_shows_who_says_the_opposite_and_drafts_an_insight(env):
    at = run("themes.py")
    clean(at)
    theme_id = at.selectbox(key="th_open").value
    at.toggle(key=f"th_counter_{theme_id}").set_value(True).run()
    clean(at)
    found = env.theme_counter(theme_id)
    for q in (found.inside + found.nearby)[:3]:
        assert md_escape(q["text"]) in [m.value for m in at.markdown]
    at.button(key=f"th_propose_{theme_id}").click().run()
    clean(at)
    assert any(i.theme_id == theme_id and i.draft for i in env.insights.list())
