"""Roadmap page under streamlit's AppTest: sorted table, confirm / reject, import."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from research_hub.ui.common import md_escape

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "research_hub" / "ui" / "roadmap.py")
FEATURES = ROOT / "sample_interviews" / "roadmap" / "features.csv"


@pytest.fixture
def ws(sample_copy, monkeypatch):
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(sample_copy.home))
    sample_copy.roadmap.import_file(FEATURES)
    return sample_copy


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert all(not m.allow_html for m in at.markdown), "user text must never be rendered as HTML"
    return at


def table(at: AppTest):
    return next(d.value for d in at.dataframe if "score" in d.value.columns)


def open_feature(feature_id: str) -> AppTest:
    at = ok(AppTest.from_file(PAGE, default_timeout=300).run())
    at.selectbox(key="rm_feature").set_value(feature_id)
    return ok(at.run())


def test_feature_table_is_sorted_by_the_chosen_figure(ws):
    at = ok(AppTest.from_file(PAGE, default_timeout=300).run())
    assert list(table(at)["id"]) == [p.feature_id for p in ws.roadmap.table(sort="score")]
    at.selectbox(key="rm_sort").set_value("participants")
    ok(at.run())
    assert list(table(at)["id"]) == [p.feature_id for p in ws.roadmap.table(sort="participants")]
    assert len(table(at)) == len(ws.roadmap.features())


def test_a_suggested_link_can_be_confirmed_and_another_rejected(ws):
    feature = ws.roadmap.features()[0]
    at = open_feature(feature.id)
    suggested = [r["snippet_id"] for r in ws.roadmap.links(feature.id, "suggested")]
    assert len(suggested) >= 2, "opening a feature suggests evidence"
    first, second = suggested[:2]
    assert any(md_escape(feature.title) in m.value for m in at.markdown)

    at.button(key=f"rm_ok_{first}").click()
    ok(at.run())
    assert first in {r["snippet_id"] for r in ws.roadmap.links(feature.id, "confirmed")}
    assert at.button(key=f"rm_unlink_{first}"), "the quote moved to confirmed evidence"
    assert {m.label: m.value for m in at.metric}["Confirmed quotes"] == "1"

    at.button(key=f"rm_no_{second}").click()
    ok(at.run())
    assert second in {r["snippet_id"] for r in ws.roadmap.links(feature.id, "rejected")}
    at.button(key="rm_refresh").click()
    ok(at.run())
    assert second not in {r["snippet_id"] for r in ws.roadmap.links(feature.id, "suggested")}


def test_import_features_from_an_uploaded_file(sample_copy, monkeypatch):
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(sample_copy.home))
    at = ok(AppTest.from_file(PAGE, default_timeout=300).run())
    assert any("No features yet" in i.value for i in at.info)
    at.file_uploader(key="rm_upload").set_value(("features.csv", FEATURES.read_bytes(), "text/csv"))
    ok(at.run())
    at.button(key="rm_import").click()
    ok(at.run())
    count = len(sample_copy.roadmap.features())
    assert count > 0 and any(f"{count} added" in s.value for s in at.success)
    assert len(table(at)) == count


def test_a_bad_import_file_gets_a_one_line_error(sample_copy, monkeypatch):
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(sample_copy.home))
    at = ok(AppTest.from_file(PAGE, default_timeout=300).run())
    at.file_uploader(key="rm_upload").set_value(("empty.csv", b"", "text/csv"))
    ok(at.run())
    at.button(key="rm_import").click()
    ok(at.run())
    assert at.error and md_escape("empty.csv") in at.error[0].value
