"""Backup while in use, restore anywhere: same record, index rebuilt from cached vectors."""
from __future__ import annotations

import io
import json
import tarfile

import pytest
from typer.testing import CliRunner

from tests.conftest import write
from tests.test_concurrency import PausedWriter
from tests.test_crash import A_V1, D_V1, E_NEW

pytestmark = pytest.mark.integration


def _record(hub) -> dict:
    q = {
        "documents": "SELECT id, name, title, text FROM documents ORDER BY id",
        "snippets": "SELECT id, document_id, text, char_start, char_end FROM snippets ORDER BY id",
        "manual_tags": "SELECT snippet_id, tag, op FROM manual_tags ORDER BY 1, 2",
        "links": "SELECT feature_id, snippet_id, state, note FROM evidence_links ORDER BY 1, 2",
        "features": "SELECT id, title FROM features ORDER BY id",
    }
    return {k: [tuple(r) for r in hub.workspace.db.query(sql)] for k, sql in q.items()}


@pytest.fixture
def used_hub(hub, tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "a.txt", A_V1)
    write(corpus / "d.md", D_V1)
    assert hub.ingest([corpus]).ok
    target = next(s for s in hub.snippets() if "spreadsheet" in s.text)
    hub.add_tag(target.snippet_id, "urgent")
    feature = hub.roadmap.add("Scheduled exports")
    hub.roadmap.link(feature.id, target.snippet_id, note="the clearest quote")
    return hub


def test_backup_and_restore_round_trip_without_the_model(used_hub, tmp_path):
    from research_hub import Hub

    result = used_hub.backup(tmp_path / "out")
    assert result["documents"] == 2 and result["missing_sources"] == 0
    restored = Hub.restore(result["path"], tmp_path / "restored")
    assert restored["doctor_ok"] and restored["encoded"] == 0  # vectors from the cache
    copy = Hub(tmp_path / "restored")
    assert _record(copy) == _record(used_hub)
    assert copy.workspace.index.all_ids() == set(copy.workspace.records.snippet_ids())
    assert "urgent" in copy.snippet(next(s.snippet_id for s in copy.snippets() if "spreadsheet" in s.text)).tags
    assert copy.search("export is slow", k=3)
    assert all(str(copy.home) in d["stored_path"] for d in copy.workspace.db.query("SELECT stored_path FROM documents"))
    assert copy.workspace.workspace_id() != used_hub.workspace.workspace_id()
    copy.close()


def test_backup_during_an_ingest_is_a_consistent_snapshot(used_hub, tmp_path):
    from research_hub import Hub

    before = _record(used_hub)
    write(tmp_path / "corpus" / "a.txt", A_V1.replace("takes forever", "takes ages"))
    write(tmp_path / "corpus" / "e.txt", E_NEW)
    writer = PausedWriter(used_hub.home, [tmp_path / "corpus"], "in_transaction:1", tmp_path)
    try:
        writer.wait_paused()  # holding the write lock, vectors upserted, SQLite transaction open
        result = used_hub.backup(tmp_path / "mid.tar.gz")
    finally:
        done = writer.release()
    assert done.returncode == 0, done.stderr[-2000:]
    restored = Hub.restore(result["path"], tmp_path / "restored")
    assert restored["doctor_ok"]
    copy = Hub(tmp_path / "restored")
    assert _record(copy) == before  # the state before the ingest, whole
    copy.close()


def _tampered(src, dst, change) -> None:
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dst, "w:gz") as tout:
        for m in tin.getmembers():
            data = tin.extractfile(m).read()
            m, data = change(m, data)
            m.size = len(data)
            tout.addfile(m, io.BytesIO(data))


def test_restore_refuses_damaged_or_hostile_archives(used_hub, tmp_path):
    from research_hub import Hub
    from research_hub.store.backup import BackupError

    good = used_hub.backup(tmp_path / "good.tar.gz")["path"]

    def flip(m, data):
        return m, (data[:100] + bytes([data[100] ^ 1]) + data[101:]) if m.name == "hub.sqlite" else data

    def escape(m, data):
        if m.name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["../../evil.txt"] = {"size": 1, "sha256": "0"}
            data = json.dumps(manifest).encode()
        return m, data

    for name, change, reason in (("flip", flip, "checksum"), ("escape", escape, "unexpected member")):
        bad = tmp_path / f"{name}.tar.gz"
        _tampered(good, bad, change)
        with pytest.raises(BackupError, match=reason):
            Hub.restore(bad, tmp_path / f"r-{name}")
    assert not (tmp_path / "evil.txt").exists()
    with pytest.raises(BackupError, match="not empty"):
        Hub.restore(good, used_hub.home)
    with pytest.raises(BackupError, match="cannot read x.tar.gz"):
        Hub.restore(write(tmp_path / "x.tar.gz", "not a tar"), tmp_path / "r-x")


def test_cli_backup_and_restore(used_hub, tmp_path):
    from research_hub.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["--home", str(used_hub.home), "backup", str(tmp_path / "b.tar.gz"), "--json"])
    assert out.exit_code == 0, out.output
    path = json.loads(out.output)["path"]
    out = runner.invoke(app, ["--home", str(tmp_path / "new"), "restore", path])
    assert out.exit_code == 0 and "doctor ok" in " ".join(out.output.split()), out.output
    again = runner.invoke(app, ["--home", str(tmp_path / "new"), "restore", path])
    assert again.exit_code == 1 and "not empty" in " ".join(again.output.split())
