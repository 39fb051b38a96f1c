"""The store contract against a real Chroma server (`chroma run`), started here.

Every test gets its own workspace; all share one server, which also checks that two
workspaces on one server keep to their own collections.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, write
from tests.test_crash import A_V1, B_VTT, C_V1, D_V1

pytestmark = [pytest.mark.server, pytest.mark.integration]
STARTUP_SECONDS = 180  # a safety net for a server that never comes up, not a speed check


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_cli() -> list[str]:
    exe = Path(sys.executable).with_name("chroma")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "chromadb.cli.cli"]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("chroma-server") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(_chroma_cli() + ["run", "--path", str(log.parent / "data"), "--host",
                                                 "127.0.0.1", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    write(folder / "discovery" / "a.txt", A_V1)
    write(folder / "discovery" / "b.vtt", B_VTT)
    write(folder / "accountants" / "d.md", D_V1)
    write(folder / "feedback" / "c.csv", C_V1)
    return folder


@pytest.fixture
def server_hub(tmp_path, chroma_url, corpus):
    from research_hub import Hub

    hub = Hub(tmp_path / "ws", chroma_url=chroma_url)
    report = hub.ingest([corpus])
    assert report.ok, [f.error for f in report.failed]
    yield hub
    hub.close()


def test_ingest_lands_on_the_server_in_its_own_collection(server_hub, chroma_url, tmp_path):
    from research_hub import Hub

    stats = server_hub.stats()
    assert stats["index"] == f"server {chroma_url}" and stats["vectors"] == stats["snippets"] > 0
    assert server_hub.workspace.settings.collection.startswith("rh_")
    assert not (server_hub.home / "chroma").exists()  # nothing embedded on disk
    other = Hub(tmp_path / "other", chroma_url=chroma_url)
    assert other.workspace.settings.collection != server_hub.workspace.settings.collection and other.workspace.index.count() == 0
    assert server_hub.doctor()["ok"]
    other.close()


def test_search_and_filters_against_the_server(server_hub):
    hits = server_hub.search("exporting takes forever", k=3)
    assert hits and "export" in hits[0].text.lower()
    assert all(h.participant == "Sofia" for h in server_hub.search("slow", k=5, participant="Sofia"))
    assert all(h.study == "discovery" for h in server_hub.search("bank", k=5, study="discovery"))
    tagged = server_hub.search("painful", k=5, tags=["pain_point"])
    assert tagged and all("pain_point" in h.tags for h in tagged)
    # the index keeps only each vector's document (filters are masks over SQLite rows);
    # Chroma's own where still finds a document's vectors through the HTTP client
    vec = server_hub.workspace.embedder.encode_query("bank feed")
    doc = server_hub.snippet(hits[0].snippet_id).document_id
    rows = server_hub.workspace.index.query(vec, 5, where={"document_id": doc})
    assert rows and all(server_hub.snippet(i).document_id == doc for i, _ in rows)
    metas = server_hub.workspace.index.get([hits[0].snippet_id], include=["metadatas"])["metadatas"]
    assert metas == [{"document_id": doc}]


def test_tags_replace_delete_reindex_and_doctor_on_the_server(server_hub, corpus):
    s = next(x for x in server_hub.snippets() if "spreadsheet" in x.text)
    server_hub.add_tag(s.snippet_id, "urgent")
    for tag in server_hub.snippet(s.snippet_id).tags:
        server_hub.remove_tag(s.snippet_id, tag)  # the last tag too: the key must go on the server
    assert "tags" not in (server_hub.workspace.index.get([s.snippet_id], include=["metadatas"])["metadatas"][0] or {})
    write(corpus / "discovery" / "a.txt", A_V1.replace("takes forever", "takes ages"))
    assert server_hub.ingest([corpus]).count("replaced") == 1
    server_hub.delete_document("d.md")
    assert server_hub.workspace.index.all_ids() == set(server_hub.workspace.records.snippet_ids())
    out = server_hub.reindex()
    assert out["encoded"] == 0 and out["indexed"] == len(server_hub.workspace.records.snippet_ids())
    assert server_hub.doctor()["ok"]


def test_doctor_repairs_a_damaged_server_index(server_hub):
    ids = sorted(server_hub.workspace.records.snippet_ids())
    server_hub.workspace.index.delete(ids[:2])
    server_hub.workspace.index.update_metadata([ids[2]], [{"document_id": "wrong"}])
    vec = server_hub.workspace.embedder.encode_query("orphan")
    server_hub.workspace.index.upsert(["orphan-id"], vec[None, :], [{"document_id": "gone"}])
    report = server_hub.doctor()
    assert (report["missing_vectors"], report["orphan_vectors"], report["metadata_mismatches"]) == (2, 1, 1)
    assert server_hub.doctor(repair=True)["repaired"] and server_hub.doctor()["ok"]


def test_a_killed_ingest_is_healed_on_the_server(server_hub, corpus, chroma_url):
    from research_hub import Hub

    write(corpus / "discovery" / "a.txt", A_V1.replace("takes forever", "takes ages"))
    env = {**os.environ, "RESEARCH_HUB_CRASH_AT": "committed:1", "RESEARCH_HUB_CHROMA_URL": chroma_url}
    done = subprocess.run([sys.executable, "-c", "from research_hub.cli import main; main()", "--home",
                           str(server_hub.home), "ingest", str(corpus)], env=env, capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    again = Hub(server_hub.home, chroma_url=chroma_url)
    _ = again.workspace.index  # heals: the stale vectors of the old version are deleted
    assert again.workspace.index.all_ids() == set(again.workspace.records.snippet_ids()) and again.doctor()["ok"]
    assert again.ingest([corpus]).ok and again.doctor()["ok"]
    again.close()


def test_restore_into_server_mode(server_hub, chroma_url, tmp_path):
    from research_hub import Hub

    path = server_hub.backup(tmp_path / "b.tar.gz")["path"]
    result = Hub.restore(path, tmp_path / "restored", chroma_url=chroma_url)
    assert result["doctor_ok"] and result["encoded"] == 0
    copy = Hub(tmp_path / "restored", chroma_url=chroma_url)
    assert copy.workspace.settings.collection != server_hub.workspace.settings.collection  # a copy, not the original
    assert copy.workspace.index.count() == server_hub.workspace.index.count()
    copy.close()
