"""Export page under streamlit's AppTest: the download button carries the Hub's bundle."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "research_hub" / "ui" / "export.py")


@pytest.fixture
def ws(sample_copy, monkeypatch):
    """Sample workspace with the roadmap imported and two quotes confirmed for one feature."""
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(sample_copy.home))
    sample_copy.roadmap.import_file(ROOT / "sample_interviews" / "roadmap" / "features.csv")
    feature = sample_copy.roadmap.features()[0]
    for hit in sample_copy.search(feature.title, k=2, role="participant"):
        sample_copy.roadmap.link(feature.id, hit.snippet_id, note="ui export test")
    return sample_copy


@pytest.fixture
def downloads(monkeypatch):
    """Bytes the app hands to Streamlit's media store, by file id (what the browser downloads)."""
    files: dict[str, tuple[bytes, str | None]] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        files[file_id] = (path_or_data, filename)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def downloaded(at: AppTest, files) -> tuple[bytes, str]:
    button = at.get("download_button")[0]
    return next(v for fid, v in files.items() if fid in button.proto.url)


def without_time(bundle: bytes) -> dict:
    data = json.loads(bundle)
    data.pop("generated_at")
    return data


def test_export_downloads_the_feature_bundle(ws, downloads):
    feature = next(p for p in ws.roadmap.table(sort="evidence") if p.evidence)
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    at.selectbox(key="export_feature").set_value(feature.feature_id)
    at.segmented_control(key="export_format").set_value("json")
    at.run()
    assert not at.exception, at.exception
    assert all(not m.allow_html for m in at.markdown)

    data, name = downloaded(at, downloads)
    assert name == f"{feature.feature_id}-evidence.json"
    assert without_time(data) == without_time(ws.export(feature.feature_id, "json"))
    quotes = [q["quote"] for g in json.loads(data)["groups"] for q in g["quotes"]]
    assert len(quotes) == feature.evidence
    assert at.json, "the bundle is previewed"


def test_markdown_bundle_quotes_verbatim_and_previews_as_text(ws, downloads):
    feature = next(p for p in ws.roadmap.table(sort="evidence") if p.evidence)
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    at.selectbox(key="export_feature").set_value(feature.feature_id)
    at.run()
    data, name = downloaded(at, downloads)
    assert name.endswith(".md")
    text = data.decode()
    for link in ws.roadmap.links(feature.feature_id, "confirmed"):
        assert ws.snippet(link["snippet_id"]).text in text
    assert at.code[0].value.strip() == text.strip()


def test_a_feature_without_evidence_says_so(ws, downloads):
    bare = next(p for p in ws.roadmap.table() if not p.evidence)
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    at.selectbox(key="export_feature").set_value(bare.feature_id)
    at.run()
    assert not at.exception, at.exception
    assert any("no confirmed evidence" in w.value for w in at.warning)
    assert at.get("download_button"), "an empty bundle can still be downloaded"
