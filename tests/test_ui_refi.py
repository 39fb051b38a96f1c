"""The REFI-QDA downloads on the Export page, with and without roadmap features."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.qda_files import selections
from tests.test_ui_export import downloads  # noqa: F401  (the fixture that records downloads)

pytestmark = pytest.mark.integration
PAGE = str(Path(__file__).resolve().parents[1] / "research_hub" / "ui" / "export.py")
STUDY = "2026-q3-discovery"


def button(at: AppTest, files, name: str) -> tuple[bytes, str]:
    """The file a 'Save <name>' button hands over (not 'Download': the bundle's button is that)."""
    from research_hub.ui.common import md_escape

    found = next(b for b in at.get("download_button") if b.proto.label == f"Save {md_escape(name)}")
    return next(v for fid, v in files.items() if fid in found.proto.url)


def test_the_export_page_offers_the_project_and_the_codebook(sample_copy, monkeypatch, downloads):  # noqa: F811
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(sample_copy.home))
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    assert not at.exception, at.exception
    assert at.info, "no features yet: the bundle part says so"
    data, name = button(at, downloads, "research_hub.qdpx")
    assert name == "research_hub.qdpx"
    assert sorted((s["source"], s["start"], s["name"]) for s in selections(data)) == \
        sorted((s["source"], s["start"], s["name"]) for s in selections(sample_copy.qda.export_qdpx()))
    data, name = button(at, downloads, "research_hub-codebook.qdc")
    assert name == "research_hub-codebook.qdc" and data.startswith(b"<?xml")

    at.selectbox(key="qda_study").set_value(STUDY)
    at.run()
    data, name = button(at, downloads, f"{STUDY}.qdpx")
    assert name == f"{STUDY}.qdpx"
    assert {s["source"] for s in selections(data)} == \
        {d.name for d in sample_copy.documents(STUDY)}
    assert all(not m.allow_html for m in at.markdown)
