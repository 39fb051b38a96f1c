"""Audit page under streamlit's AppTest: filters narrow the list, downloads carry the Hub's export,
and a damaged workspace shows one line instead of a traceback."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from research_hub import Hub

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "research_hub" / "ui" / "audit.py")


@pytest.fixture
def ws(sample_workspace, tmp_path, monkeypatch):
    """A copy of the sample workspace with two people's changes."""
    home = tmp_path / "ws"
    shutil.copytree(sample_workspace, home)
    monkeypatch.setenv("RESEARCH_HUB_HOME", str(home))
    alice = Hub(home, user="alice")
    first = alice.snippets()[0]
    alice.add_tag(first.snippet_id, "follow up")
    alice.close()
    bob = Hub(home, user="bob")
    bob.set_config("redact", "false")
    bob.close()
    return home


def test_audit_page_filters_and_downloads(ws, monkeypatch):
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, data, mimetype, kind, filename=None):
        file_id = original(self, data, mimetype, kind, filename)
        files[file_id] = data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    assert not at.exception, at.exception
    at.selectbox(key="audit_who").set_value("bob")
    at.run()
    rows = at.dataframe[0].value
    assert list(rows["who"]) == ["bob"] and list(rows["action"]) == ["config.set"]
    button = next(b for b in at.get("download_button") if "json" in str(b.proto.label).lower())
    data = next(v for fid, v in files.items() if fid in button.proto.url)
    assert [e["who"] for e in json.loads(data)] == ["bob"]
    assert all(not m.allow_html for m in at.markdown)


def test_a_damaged_workspace_shows_one_line(ws):
    db = ws / "hub.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    at = AppTest.from_file(PAGE, default_timeout=300).run()
    assert not at.exception, at.exception
    assert "missing" in at.error[0].value and "rebuild" in at.error[0].value
