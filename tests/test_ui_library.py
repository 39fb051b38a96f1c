"""Library page under streamlit's AppTest: list, upload + ingest, read, delete."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from research_hub.ui.common import md_escape

pytestmark = pytest.mark.integration
PAGE = str(Path(__file__).resolve().parents[1] / "research_hub" / "ui" / "library.py")

TRANSCRIPT = b"""Interviewer: What slows you down at month end?
Quinn: Matching receipts to card payments by hand, it eats my whole Friday.
Interviewer: And then?
Quinn: Then <b>nothing</b> reconciles and I [click](http://evil.example) everything twice.
"""


@pytest.fixture
def ws(sample_copy, monkeypatch):
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(sample_copy.home))
    return sample_copy


def run_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300)
    return at.run()


def doc_table(at: AppTest):
    return next(d.value for d in at.dataframe if "title" in d.value.columns)


def no_html(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert all(not m.allow_html for m in at.markdown), "user text must never be rendered as HTML"


def test_lists_every_document_with_counts(ws):
    at = run_page()
    no_html(at)
    table = doc_table(at)
    docs = ws.documents()
    assert len(table) == len(docs) > 0
    assert list(table["snippets"]) == [d.snippet_count for d in docs]
    assert any(f"{len(docs)} documents" in c.value for c in at.caption)


def test_upload_ingests_and_reports_each_file(ws):
    at = run_page()
    at.file_uploader(key="uploads").set_value([
        ("quinn.txt", TRANSCRIPT, "text/plain"),
        ("broken.pdf", b"this is not a pdf", "application/pdf"),
    ])
    at.run()
    at.selectbox(key="up_kind").set_value("interview")
    at.button(key="ingest_go").click()
    at.run()
    no_html(at)
    rows = {r["file"]: r for r in at.session_state["ingest_rows"]}
    assert rows["quinn.txt"]["status"] == "added" and rows["quinn.txt"]["snippets"] >= 2
    assert rows["broken.pdf"]["status"] == "failed" and rows["broken.pdf"]["problem"]
    assert at.warning, "a failed file is reported"
    names = [d.name for d in ws.documents()]
    assert "quinn.txt" in names and "broken.pdf" not in names
    assert len(doc_table(at)) == len(names)


def test_reads_a_document_as_a_transcript_then_deletes_it(ws):
    doc = next(d for d in ws.documents() if d.kind == "interview")
    view = ws.document(doc.id)
    at = run_page()
    at.selectbox(key="open_doc").set_value(doc.id)
    at.run()
    no_html(at)
    shown = [m.value for m in at.markdown]
    for snip in view["snippets"][:5]:
        assert md_escape(snip.text) in shown
        assert any(md_escape(snip.speaker) in m for m in shown)
    tagged = next(s for s in view["snippets"] if s.tags)
    assert any(md_escape(tagged.tags[0]) in m and "badge" in m for m in shown)

    at.button(key="doc_delete").click()
    at.run()
    no_html(at)
    assert doc.id not in {d.id for d in ws.documents()}
    assert any("Deleted" in s.value for s in at.success)
