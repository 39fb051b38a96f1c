"""Readers while a writer works, and two writers at once, across processes and threads.

A writer subprocess is paused at an exact point of its ingest (research_hub/core/faults.py:
RESEARCH_HUB_PAUSE_AT), holding the write lock, while this process reads and tries to
write; then it is released and the end state is checked.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, write
from tests.test_crash import A_V1, D_V1, E_NEW

pytestmark = pytest.mark.integration
CLI = [sys.executable, "-c", "from research_hub.cli import main; main()"]


class PausedWriter:
    """`research-hub ingest` in a subprocess, stopped at `stage` until released."""

    def __init__(self, home: Path, paths: list[Path], stage: str, tmp: Path):
        self.flag = str(tmp / f"pause-{stage.replace(':', '-')}")
        env = {**os.environ, "RESEARCH_HUB_PAUSE_AT": stage, "RESEARCH_HUB_PAUSE_FILE": self.flag}
        self.proc = subprocess.Popen(CLI + ["--home", str(home), "ingest", *map(str, paths)], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)

    def wait_paused(self) -> None:
        while not Path(self.flag + ".reached").exists():
            if self.proc.poll() is not None:
                raise AssertionError(f"writer ended before pausing: {self.proc.stderr.read()[-2000:]}")
            time.sleep(0.05)

    def release(self) -> subprocess.CompletedProcess:
        Path(self.flag + ".go").write_text("go")
        out, err = self.proc.communicate()
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    write(folder / "a.txt", A_V1)
    write(folder / "d.md", D_V1)
    return folder


def _whole_documents(hub) -> dict[str, set[str]]:
    return {r["id"]: set(hub.workspace.records.snippet_ids(r["id"])) for r in hub.workspace.db.query("SELECT id FROM documents")}


@pytest.mark.parametrize("stage", ["upserted:1", "in_transaction:1", "committed:1"])
def test_reads_during_a_paused_ingest_see_whole_documents_only(hub, corpus, tmp_path, stage):
    from research_hub import Hub
    from research_hub import BusyError
    from research_hub.store import VectorIndex

    assert hub.ingest([corpus / "a.txt"]).ok
    before = _whole_documents(hub)
    write(corpus / "a.txt", A_V1.replace("takes forever", "takes ages"))  # replaced
    write(corpus / "e.txt", E_NEW)  # added
    writer = PausedWriter(hub.home, [corpus], stage, tmp_path)
    try:
        writer.wait_paused()
        reader = Hub(hub.home, lock_timeout=0.2)  # a second process's view: opens (not heals) the index
        docs = _whole_documents(reader)
        committed = stage == "committed:1"
        assert len(docs) == 1 and (docs == before) != committed, "half a document, or the wrong one"
        hits = reader.search("export takes too long", k=5)
        assert hits and all(h.snippet_id in reader.workspace.records.get_snippets([h.snippet_id]) for h in hits)
        assert reader.stats()["documents"] == 1 and reader.snippets()
        with pytest.raises(BusyError, match="another ingest is writing"):
            reader.ingest([corpus / "d.md"])
        reader.close()
    finally:
        done = writer.release()
    assert done.returncode == 0, done.stderr[-2000:]
    after = Hub(hub.home)
    assert {d.name for d in after.documents()} == {"a.txt", "d.md", "e.txt"}
    raw = VectorIndex(str(after.workspace.settings.chroma_path))  # as left, before any heal on open
    assert raw.all_ids() == set(after.workspace.records.snippet_ids()), "the reader 'repaired' the writer's work"
    assert after.doctor()["ok"]
    after.close()


def test_a_second_ingest_waits_for_the_first(hub, corpus, tmp_path):
    """Two CLI ingests at once: the second queues on the write lock, then both finish."""
    first = PausedWriter(hub.home, [corpus / "a.txt"], "in_transaction:1", tmp_path)
    first.wait_paused()
    second = subprocess.Popen(CLI + ["--home", str(hub.home), "ingest", str(corpus / "d.md")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert hub.workspace.db.scalar("SELECT count(*) FROM documents") == 0  # nothing committed yet
    done = first.release()
    out, err = second.communicate()
    assert done.returncode == 0 and second.returncode == 0, err[-2000:]
    assert {d.name for d in hub.documents()} == {"a.txt", "d.md"}
    assert hub.doctor()["ok"]


def test_thread_reads_during_ingest_never_see_half_a_document(hub, tmp_path):
    """The UI runs pages in threads over one Hub: read in a loop while another thread ingests."""
    folder = tmp_path / "many"
    for i in range(8):
        write(folder / f"i{i}.txt", A_V1.replace("Maria", f"Maria{i}") + E_NEW.replace("Leo", f"Leo{i}"))
    seen: list[dict[str, set[str]]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                seen.append(_whole_documents(hub))
                hub.snippets()
                hub.documents()
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        report = hub.ingest([folder])
    finally:
        done.set()
        for t in readers:
            t.join()
    assert report.ok and not errors, errors
    final = _whole_documents(hub)
    assert len(final) == 8 and len(seen) > 1
    for view in seen:
        assert all(final[doc] == ids for doc, ids in view.items()), "a reader saw part of a document"


def test_sqlite_is_in_wal_mode_with_busy_timeouts(hub):
    assert hub.workspace.db.scalar("PRAGMA journal_mode") == "wal"
    assert hub.workspace.db.scalar("PRAGMA busy_timeout") >= 5000
    cache = hub.workspace.embedder.cache._conn()
    assert cache.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert cache.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_write_lock_is_reentrant_within_a_hub_and_exclusive_across_hubs(hub):
    from filelock import Timeout

    from research_hub import Hub

    other = Hub(hub.home, lock_timeout=0)
    with hub.workspace.write_lock():
        with hub.workspace.write_lock():  # heal-on-open runs inside ingest, under the same lock
            pass
        with pytest.raises(Timeout):
            with other.workspace.write_lock():
                pass
    with other.workspace.write_lock():
        pass
    other.close()
