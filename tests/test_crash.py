"""Crash safety: SIGKILL the writer at named points, reopen, check nothing is lost or half-stored.

A base workspace holds version 1 of a small corpus, with manual tags and confirmed
feature links. Each kill point copies it, runs `research-hub ingest` on version 2
(files changed, unchanged, added; one changed in whitespace only, so every snippet
id stays and only metadata moves) in a subprocess that kills itself at that point
(research_hub/core/faults.py), then reopens the workspace in this process and checks the
invariants, and that a re-run of the same ingest completes the corpus exactly like
an ingest that never crashed.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT, write

pytestmark = pytest.mark.integration

A_V1 = """Interviewer: How do you send numbers to your accountant?
Maria: Exporting is painful. The CSV export takes forever and then times out.
I end up copying everything into a spreadsheet by hand.
Interviewer: What would make it better?
Maria: I wish I could schedule the export and get an email when it is ready.
"""
B_VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>Tell me about reconciling the bank feed.</v>

00:00:05.000 --> 00:00:09.000
<v Kwame>Matching payments is slow and the bank feed drops transactions every week.</v>

00:00:10.000 --> 00:00:14.000
<v Kwame>I would pay more for automatic matching that just works.</v>
"""
C_V1 = """id,author,comment
1,ana,Invoices look unprofessional and I cannot add my logo.
2,ben,The mobile app crashes when I attach a receipt photo.
3,cai,Love the quotes feature but reminders are too easy to miss.
"""
D_V1 = """# Accountant call

Interviewer: What slows you down at month end?
Sofia: Chasing clients for receipts is frustrating and takes most of my week.
Sofia: The VAT report never matches what the bank says.
Interviewer: Anything else?
Sofia: Multi-currency invoices are a nightmare to reconcile.
"""
E_NEW = """Interviewer: Why did you switch to Tallybook?
Leo: My old tool had no recurring invoices. Setting them up by hand every month was awful.
Leo: Support answered quickly, which surprised me.
"""

V1 = {"a.txt": A_V1, "b.vtt": B_VTT, "c.csv": C_V1, "d.md": D_V1}
V2 = {
    "a.txt": A_V1.replace("takes forever", "takes ages"),  # replaced; most ids survive
    "b.vtt": B_VTT,  # unchanged
    "c.csv": C_V1 + "4,dee,Bank rules would save me an hour every Friday.\n",  # replaced, one more row
    "d.md": D_V1.replace("# Accountant call\n", "# Accountant call \n"),  # same snippet ids
    "e.txt": E_NEW,  # added
}
# (command, crash point, cold embedding cache): files are stored in order a, c, d, e.
# They are embedded together, so their sources are all saved, then indexed in one
# write ("upserted" happens once), then committed file by file.
KILL_POINTS = [
    ("ingest", "parsed:1", False),
    ("ingest", "parsed:4", False),
    ("ingest", "embedded:1", True),
    ("ingest", "source_saved:1", False),
    ("ingest", "upserted:1", False),
    ("ingest", "source_saved:3", False),
    ("ingest", "in_transaction:1", False),
    ("ingest", "in_transaction:3", False),
    ("ingest", "in_transaction:4", False),
    ("ingest", "committed:1", False),
    ("ingest", "committed:3", False),
    ("ingest", "stale_deleted:2", False),
    ("ingest", "stored:4", False),
    ("tag", "tag_saved:1", False),
    ("delete", "rows_deleted:1", False),
]
CLI = [sys.executable, "-c", "from research_hub.cli import main; main()"]


def _write_corpus(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        write(folder / name, text)


def _versions(hub) -> dict[str, set[str]]:
    return {r["id"]: set(hub.workspace.records.snippet_ids(r["id"])) for r in hub.workspace.db.query("SELECT id FROM documents")}


def _human_edits(hub) -> tuple[set, set]:
    tags = {tuple(r) for r in hub.workspace.db.query("SELECT snippet_id, tag, op FROM manual_tags")}
    links = {tuple(r) for r in hub.workspace.db.query(
        "SELECT feature_id, snippet_id, state FROM evidence_links WHERE state = 'confirmed'")}
    return tags, links


def _snippet_in(hub, doc_name: str, words: str) -> str:
    return next(s.snippet_id for s in hub.snippets(document=doc_name) if words in s.text)


def _run_killed(root: Path, base: Path, warm_cache: Path, point: tuple, corpus: Path, target: dict):
    command, at, cold = point
    ws = root / f"ws-{command}-{at.replace(':', '-')}"
    shutil.copytree(base, ws)
    if not cold:
        shutil.copy(warm_cache, ws / "embeddings.sqlite")
    args = {"ingest": ["ingest", str(corpus)], "tag": ["tag", target["tag"], "crash_tag"],
            "delete": ["delete", "a.txt"]}[command]
    env = {**os.environ, "RESEARCH_HUB_CRASH_AT": at}
    done = subprocess.run(CLI + ["--home", str(ws), *args], env=env, capture_output=True, text=True,
                          cwd=ROOT)
    return ws, done


@pytest.fixture(scope="module")
def crashed(tmp_path_factory):
    """Base and reference workspaces, then every kill point run (two at a time)."""
    from research_hub import Hub

    root = tmp_path_factory.mktemp("crash")
    corpus = root / "corpus"
    _write_corpus(corpus, V1)
    base = root / "base"
    h = Hub(base)
    assert h.ingest([corpus]).ok
    h.add_tag(_snippet_in(h, "a.txt", "spreadsheet"), "urgent")
    d_snippet = next(s for s in h.snippets(document="d.md") if s.tags)
    h.remove_tag(d_snippet.snippet_id, d_snippet.tags[0])
    feature = h.roadmap.add("Scheduled exports", "Export on a schedule")
    for name, words in (("a.txt", "schedule the export"), ("d.md", "receipts"), ("c.csv", "logo")):
        h.roadmap.link(feature.id, _snippet_in(h, name, words))
    target = {"tag": _snippet_in(h, "b.vtt", "automatic matching")}
    edits = _human_edits(h)
    v1 = _versions(h)
    h.close()

    _write_corpus(corpus, V2)
    ref = root / "ref"
    shutil.copytree(base, ref)
    r = Hub(ref)
    assert r.ingest([corpus]).ok
    v2 = _versions(r)
    r.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = dict(zip(KILL_POINTS, pool.map(
            lambda p: _run_killed(root, base, ref / "embeddings.sqlite", p, corpus, target), KILL_POINTS)))
    return {"corpus": corpus, "v1": v1, "v2": v2, "edits": edits, "target": target, "runs": runs}


def _check_consistent(hub, versions: dict[str, set[str]]) -> None:
    """No partial document, index and SQLite agree, nothing left half-written."""
    assert hub.workspace.db.scalar("PRAGMA integrity_check") == "ok"
    for doc_id, ids in _versions(hub).items():
        assert doc_id in versions, "a document that no complete ingest produced"
        assert ids == versions[doc_id], "a document with some of its snippets"
    assert hub.workspace.index.all_ids() == set(hub.workspace.records.snippet_ids())
    report = hub.doctor()
    assert report["ok"] and not report["metadata_mismatches"] and not report["missing_sources"], report
    stored = {f.name.split(".", 1)[0] for f in hub.workspace.settings.sources_dir.iterdir()}
    assert stored == set(_versions(hub)), "source copies without their document (or the reverse)"
    assert not list(hub.home.glob("index.pending.*"))


@pytest.mark.parametrize("point", KILL_POINTS, ids=[f"{c}-{p}" for c, p, _ in KILL_POINTS])
def test_kill_point_loses_nothing(crashed, point):
    from research_hub import Hub

    ws, done = crashed["runs"][point]
    assert done.returncode == -signal.SIGKILL, f"did not reach {point}: {done.stderr[-2000:]}"
    hub = Hub(ws)
    try:
        _ = hub.workspace.index  # opening heals what the dead writer left
        _check_consistent(hub, {**crashed["v1"], **crashed["v2"]})
        tags, links = _human_edits(hub)
        if point[0] == "tag":
            assert "crash_tag" in hub.snippet(crashed["target"]["tag"]).tags, "the committed tag was lost"
            tags = {t for t in tags if t[1] != "crash_tag"}
        if point[0] == "delete":
            assert not hub.documents() or "a.txt" not in {d.name for d in hub.documents()}
        assert tags == crashed["edits"][0] and links == crashed["edits"][1]

        report = hub.ingest([crashed["corpus"]])  # the re-run completes the corpus
        assert report.ok, [f.error for f in report.failed]
        assert _versions(hub) == crashed["v2"]
        _check_consistent(hub, crashed["v2"])
        assert _human_edits(hub)[1] == crashed["edits"][1]
    finally:
        hub.close()


def test_crash_hook_is_inert_without_the_environment(monkeypatch):
    from research_hub.core import faults

    monkeypatch.delenv("RESEARCH_HUB_CRASH_AT", raising=False)
    monkeypatch.delenv("RESEARCH_HUB_PAUSE_AT", raising=False)
    for _ in range(3):
        faults.crash_point("upserted")  # returns: no environment, no crash


def test_store_error_mid_file_is_repaired_at_once(hub, tmp_path, monkeypatch):
    """Not only SIGKILL: an exception after the Chroma upsert is repaired before ingest returns."""
    from research_hub.core import faults

    f = write(tmp_path / "in" / "a.txt", A_V1)
    hub.ingest([f])
    write(f, V2["a.txt"])

    def boom(stage):
        if stage == "upserted":
            raise RuntimeError("disk went away")

    monkeypatch.setattr("research_hub.store.writer.crash_point", boom)
    report = hub.ingest([f])
    assert report.failed and "could not store" in report.failed[0].error
    assert list(hub.home.glob("index.pending.*")) == []  # the store error is per file; ingest ended
    assert hub.workspace.index.all_ids() == set(hub.workspace.records.snippet_ids())  # the new version's vectors are gone
    report = hub.doctor()
    assert report["ok"] and not report["metadata_mismatches"]
    monkeypatch.setattr("research_hub.store.writer.crash_point", faults.crash_point)
    assert hub.ingest([f]).files[0].status == "replaced"
    assert hub.doctor()["ok"]
