"""Themes page under streamlit's AppTest: charts, drill-down, rename, merge, pin."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from research_hub.ui.common import md_escape

pytestmark = pytest.mark.integration
PAGE = str(Path(__file__).resolve().parents[1] / "research_hub" / "ui" / "themes.py")


@pytest.fixture
def ws(sample_copy, monkeypatch):
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(sample_copy.home))
    return sample_copy


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert all(not m.allow_html for m in at.markdown), "user text must never be rendered as HTML"
    return at


def charts(at: AppTest) -> list[dict]:
    """The Vega-Lite specs on the page, with their inline data."""
    out = []
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        out.append(spec)
    return out


def open_theme(theme_id: str) -> AppTest:
    at = ok(AppTest.from_file(PAGE, default_timeout=300).run())
    at.selectbox(key="th_open").set_value(theme_id)
    return ok(at.run())


def test_renders_bars_by_participants_a_map_and_a_timeline(ws):
    themes = ws.themes()
    assert len(themes) >= 2
    at = ok(AppTest.from_file(PAGE, default_timeout=300).run())
    assert {m.label: m.value for m in at.metric}["Themes"] == str(len(themes))
    specs = charts(at)
    assert len(specs) == 3, "bar chart, snippet map and timeline"
    bars = specs[0]
    order = bars["encoding"]["y"]["sort"]
    by_people = sorted(themes, key=lambda t: (-t.participant_count, -t.size))
    assert order[:3] == [t.label for t in by_people[:3]]
    assert bars["encoding"]["x"]["field"] == "participants"
    assert specs[1]["encoding"]["color"]["field"] == "theme"
    assert specs[2]["encoding"]["y"]["field"] == "participants"


def test_drill_into_a_theme_reads_its_quotes(ws):
    theme = ws.themes()[0]
    at = open_theme(theme.id)
    shown = " ".join(m.value for m in at.markdown)
    assert md_escape(theme.label) in shown
    texts = [ws.snippet(sid).text for sid in theme.snippet_ids[:5]]
    for text in texts:
        assert md_escape(text) in shown


def test_rename_merge_and_pin_survive_recomputing(ws):
    first = ws.themes()[0]
    at = open_theme(first.id)
    at.text_input(key=f"th_name_{first.id}").set_value("Exports <b>hurt</b>")
    at.button(key=f"th_rename_{first.id}").click()
    ok(at.run())
    assert ws.themes().get(first.id).label == "Exports <b>hurt</b>"
    assert any(md_escape("Exports <b>hurt</b>") in m.value for m in at.markdown)

    at.button(key=f"th_pin_{first.id}").click()
    ok(at.run())
    assert ws.themes().get(first.id).state == "pinned"

    # a kept theme takes in new quotes when themes are recomputed, so the others' members
    # (and the ids made from them) may move: merge into one of the themes as they are now
    second = next(t for t in ws.themes() if t.id != first.id)
    at.selectbox(key=f"th_into_{first.id}").set_value(second.id)
    at.button(key=f"th_merge_{first.id}").click()
    ok(at.run())
    after = ws.themes()
    merged = after.get(first.id)
    assert set(second.snippet_ids) <= set(merged.snippet_ids)
    assert second.id not in {t.id for t in after}
    assert {m.label: m.value for m in at.metric}["Themes"] == str(len(after))


def test_no_themes_gets_a_plain_explanation(hub, monkeypatch):
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(hub.home))
    at = ok(AppTest.from_file(PAGE, default_timeout=300).run())
    assert any("No themes" in i.value for i in at.info)
