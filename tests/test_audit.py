"""The audit trail of human changes, the journal beside the database, doctor and rebuild."""
from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from typer.testing import CliRunner

from research_hub import Hub
from research_hub.cli import app
from research_hub.core.errors import DamagedWorkspaceError, InvalidInputError
from research_hub.store.audit import JOURNAL

from tests.conftest import SAMPLES, write

TABLES = {  # what a person made, compared row by row before damage and after rebuild
    "documents": "SELECT id, source_key, name, path, title, kind, study, date, participants, metadata, "
                 "text, size, language FROM documents ORDER BY id",
    "snippets": "SELECT * FROM snippets ORDER BY id",
    "snippet_tags": "SELECT * FROM snippet_tags ORDER BY snippet_id, tag",
    "effective_tags": "SELECT * FROM effective_tags ORDER BY snippet_id, tag",
    "manual_tags": "SELECT * FROM manual_tags ORDER BY snippet_id, tag",
    "features": "SELECT * FROM features ORDER BY id",
    "evidence_links": "SELECT feature_id, snippet_id, state, who, at, note, snippet_text, document_id "
                      "FROM evidence_links WHERE state != 'suggested' ORDER BY feature_id, snippet_id",
    "named_themes": "SELECT id, scope, name, state FROM themes WHERE state != 'auto' ORDER BY id",
    "kept_members": "SELECT m.* FROM theme_members m JOIN themes t ON t.id = m.theme_id "
                    "WHERE t.state != 'auto' ORDER BY m.theme_id, m.snippet_id",
    "theme_moves": "SELECT * FROM theme_moves ORDER BY scope, snippet_id",
    "theme_sets": "SELECT * FROM theme_sets ORDER BY name",
    "highlights": "SELECT * FROM highlights ORDER BY id",
    "highlight_tags": "SELECT * FROM highlight_tags ORDER BY highlight_id, tag",
    "insights": "SELECT * FROM insights ORDER BY id",
    "insight_evidence": "SELECT * FROM insight_evidence ORDER BY insight_id, ref_id",
    "insight_features": "SELECT * FROM insight_features ORDER BY insight_id, feature_id",
    "config": "SELECT * FROM settings WHERE key LIKE 'config.%' OR key = 'taxonomy' ORDER BY key",
    "audit": "SELECT seq, id, at, who, action, target, detail, changes FROM audit ORDER BY seq",
}


def state(home) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(home / "hub.sqlite")
    try:
        return {name: [tuple(r) for r in conn.execute(sql)] for name, sql in TABLES.items()}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def worked(tmp_path_factory):
    """A small workspace with every kind of human change made once, by 'alice'."""
    home = tmp_path_factory.mktemp("audit") / "ws"
    files = sorted((SAMPLES / "interviews").rglob("*.*"))[:3]
    assert len(files) == 3
    hub = Hub(home, user="alice")
    assert hub.ingest(files[:2], study="Audit study").ok
    upload = write(tmp_path_factory.mktemp("up") / "note.txt", "Alex: the export is far too slow for us.\n")
    hub.ingest([upload])
    hub.delete_document("note.txt")
    snippets = [s for s in hub.snippets() if s.role == "participant"]
    a, b, c = snippets[0], snippets[1], snippets[2]
    hub.add_tag(a.snippet_id, "needs follow-up")
    hub.remove_tag(b.snippet_id, b.tags[0] if b.tags else "pain_point")
    hub.roadmap.import_file(SAMPLES / "roadmap" / "features.csv")
    feature = hub.roadmap.features()[0].id
    hub.roadmap.edit(feature, status="in progress")
    hub.roadmap.link(feature, a.snippet_id, note="clear case")
    hub.roadmap.reject(feature, b.snippet_id)
    result = hub.themes(all_snippets=True, min_size=2)
    assert len(result) >= 2
    assert len(result) >= 3
    t1, t2 = result[0].id, result[1].id
    hub.merge_themes(t1, result[2].id)
    hub.rename_theme(t1, "Named by alice")
    hub.pin_theme(t2)
    hub.move_snippet(c.snippet_id, t1)
    hub.save_themes("first pass", tags=None, min_size=2)
    mark = hub.highlights.add(a.document_id, a.char_start, a.char_end, tags="quote", note="strong")
    hub.highlights.tag(mark.id, "vivid")
    insight = hub.insights.add("Exports are too slow", evidence=[a.snippet_id, mark.id])
    hub.insights.edit(insight.id, statement="Exports are far too slow")
    hub.insights.attach(insight.id, [c.snippet_id], stance="contradicts")
    hub.insights.link(insight.id, feature)
    hub.set_config("redact", "false")
    codebook = hub.qda.export_qdc(tmp_path_factory.mktemp("qdc") / "codes.qdc")
    assert codebook
    hub.qda.import_qdc(tmp_path_factory.getbasetemp() / "qdc0" / "codes.qdc")
    hub.ingest([files[2]], study="Later study")  # tagged with the codebook's taxonomy
    hub.close()
    return home


def test_every_kind_of_change_is_recorded_with_who_and_rows(worked):
    hub = Hub(worked)
    entries = hub.audit()
    actions = {e["action"] for e in entries}
    assert {"ingest", "document.delete", "tag.add", "tag.remove", "feature.import", "feature.edit", "feature.link",
            "feature.reject", "theme.rename", "theme.merge", "theme.pin", "qdc.import", "theme.move", "theme.save", "highlight.add",
            "highlight.tag", "insight.add", "insight.edit", "insight.attach", "insight.link",
            "config.set"} <= actions
    assert {e["who"] for e in entries} == {"alice"}
    rename = hub.audit(action="theme.rename")[0]
    assert rename["detail"]["name"] == "Named by alice"
    assert any(r.get("name") == "Named by alice" for r in rename["after"])
    assert "Named by alice" in rename["summary"]
    link = hub.audit(action="feature.link")[0]
    assert [r["state"] for r in link["after"] if "state" in r] == ["confirmed"]
    edit = hub.audit(action="insight.edit")[0]
    assert edit["before"][0]["statement"] == "Exports are too slow"
    assert edit["after"][0]["statement"] == "Exports are far too slow"
    assert len(hub.audit(action="theme")) == 5  # a prefix matches the whole family
    assert hub.audit(who="bob") == [] and hub.audit(since="2999-01-01") == []
    journal = [json.loads(x) for x in (worked / JOURNAL).read_text().splitlines()]
    assert [j["id"] for j in journal] == [e["id"] for e in reversed(entries)]
    hub.close()


def test_a_change_that_fails_records_nothing(worked, tmp_path):
    home = tmp_path / "ws"
    shutil.copytree(worked, home)
    hub = Hub(home, user="bob")
    before = len(hub.audit())
    with pytest.raises(InvalidInputError):
        hub.rename_theme(hub.audit(action="theme.rename")[0]["target"], "   ")
    with pytest.raises(Exception):
        hub.insights.edit("I-999", statement="nothing")
    assert len(hub.audit()) == before
    assert len((home / JOURNAL).read_text().splitlines()) == before
    hub.close()


def test_cli_audit_filters_and_exports(worked):
    runner = CliRunner()
    out = runner.invoke(app, ["--home", str(worked), "audit", "--who", "alice", "--action", "feature",
                              "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert rows and {r["action"].split(".")[0] for r in rows} == {"feature"}
    out = runner.invoke(app, ["--home", str(worked), "audit", "--csv"])
    assert out.exit_code == 0
    lines = out.stdout.splitlines()
    assert lines[0].startswith("seq,at,who,action,target,summary")
    assert len(lines) > len(rows)


def _damage_middle_pages(db) -> None:
    size = db.stat().st_size
    with open(db, "r+b") as f:
        f.seek(size // 3)
        f.write(b"\xde\xad\xbe\xef" * (size // 12))


def test_damage_is_reported_in_one_line_and_rebuild_restores_everything(worked, tmp_path):
    home = tmp_path / "ws"
    shutil.copytree(worked, home)
    before = state(home)
    runner = CliRunner()
    _damage_middle_pages(home / "hub.sqlite")
    for args in (["doctor"], ["stats"]):
        out = runner.invoke(app, ["--home", str(home), *args])
        assert out.exit_code == 1, out.output
        line = " ".join(out.stderr.split())  # one message; the console wraps it to its width
        assert line.startswith("error: ") and line.count("error:") == 1 and "Traceback" not in line
        assert "damaged" in line and "research-hub rebuild" in line
    out = runner.invoke(app, ["--home", str(home), "rebuild"])
    assert out.exit_code == 0, out.output
    assert list(home.glob("damaged-*/hub.sqlite"))  # set aside, not deleted
    after = state(home)
    rebuilt = {k: v for k, v in after.items() if k != "audit"}
    assert rebuilt == {k: v for k, v in before.items() if k != "audit"}
    assert after["audit"][:len(before["audit"])] == before["audit"]
    assert after["audit"][-1][4] == "workspace.rebuild"
    hub = Hub(home)
    report = hub.doctor()
    assert report["ok"], report
    assert hub.search("export is slow", k=3)
    hub.close()


def test_a_deleted_database_is_refused_then_rebuilt(worked, tmp_path):
    home = tmp_path / "ws"
    shutil.copytree(worked, home)
    before = state(home)
    for suffix in ("", "-wal", "-shm"):
        (home / f"hub.sqlite{suffix}").unlink(missing_ok=True)
    with pytest.raises(DamagedWorkspaceError, match="missing"):
        Hub(home)
    out = CliRunner().invoke(app, ["--home", str(home), "doctor"])
    assert out.exit_code == 1 and "missing" in out.stderr and "Traceback" not in out.stderr
    result = Hub.rebuild(home)
    assert result["not_replayed"] == [] and result["failed"] == [] and result["set_aside"] is None
    after = state(home)
    assert {k: v for k, v in after.items() if k != "audit"} == \
        {k: v for k, v in before.items() if k != "audit"}


def test_rebuild_refuses_a_healthy_database(worked, tmp_path):
    home = tmp_path / "ws"
    shutil.copytree(worked, home)
    with pytest.raises(InvalidInputError, match="integrity"):
        Hub.rebuild(home)


def test_doctor_appends_an_entry_the_journal_missed(worked, tmp_path):
    home = tmp_path / "ws"
    shutil.copytree(worked, home)
    lines = (home / JOURNAL).read_text().splitlines()
    (home / JOURNAL).write_text("\n".join(lines[:-1]) + "\n")  # died after commit, before append
    hub = Hub(home)
    assert hub.doctor()["unjournaled"] == 1
    assert hub.doctor(repair=True)["repaired"]
    assert hub.doctor()["unjournaled"] == 0
    hub.close()


def test_backup_carries_the_journal(worked, tmp_path):
    home = tmp_path / "ws"
    shutil.copytree(worked, home)
    hub = Hub(home)
    archive = hub.backup(tmp_path / "b.tar.gz")["path"]
    hub.close()
    Hub.restore(archive, tmp_path / "restored")
    restored = [json.loads(x)["id"] for x in (tmp_path / "restored" / JOURNAL).read_text().splitlines()]
    assert restored == [json.loads(x)["id"] for x in (home / JOURNAL).read_text().splitlines()]


def test_a_workspace_older_than_its_journal_gets_a_baseline_to_rebuild_from(worked, tmp_path):
    home = tmp_path / "ws"
    shutil.copytree(worked, home)
    conn = sqlite3.connect(home / "hub.sqlite")
    with conn:
        conn.execute("DELETE FROM audit")  # as made before the audit trail existed
    conn.close()
    (home / JOURNAL).unlink()
    before = state(home)
    Hub(home).close()  # opening writes the baseline entry
    assert [json.loads(x)["action"] for x in (home / JOURNAL).read_text().splitlines()] == \
        ["workspace.baseline"]
    (home / "hub.sqlite").unlink()
    result = Hub.rebuild(home)
    assert result["not_replayed"] == [] and result["failed"] == []
    after = state(home)
    assert {k: v for k, v in after.items() if k != "audit"} == \
        {k: v for k, v in before.items() if k != "audit"}
