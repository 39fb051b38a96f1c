"""Ingestion end to end: real parsers, real model, real Chroma."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.conftest import SAMPLES, write

INTERVIEW = """Interviewer: How do you send numbers to your accountant?
Maria: Exporting is painful. The CSV export takes forever and then times out.
I end up copying everything into a spreadsheet by hand.
Interviewer: What would make it better?
Maria: I wish I could schedule the export and get an email when it is ready.
"""


def test_sample_ingest_twice_keeps_counts_and_doctor_clean(sample_copy):
    before = sample_copy.stats()
    report = sample_copy.ingest([SAMPLES / "interviews", SAMPLES / "feedback"])
    after = sample_copy.stats()
    assert report.count("unchanged") == len(report.files) and report.snippets == 0
    assert (before["documents"], before["snippets"], before["vectors"]) == \
        (after["documents"], after["snippets"], after["vectors"])
    assert sample_copy.doctor()["ok"]


def test_every_snippet_is_exact_slice_of_its_document(sample_hub):
    docs = sample_hub.workspace.db.query("SELECT id, text FROM documents")
    assert len(docs) >= 10
    for doc in docs:
        for s in sample_hub.snippets(document=doc["id"]):
            assert doc["text"][s.char_start:s.char_end] == s.text


def test_samples_have_participants_and_interviewers_in_every_interview(sample_hub):
    for d in sample_hub.documents():
        roles = {s.role for s in sample_hub.snippets(document=d.id)}
        assert "participant" in roles, d.name
        if d.kind == "interview":
            assert "interviewer" in roles, d.name


def test_reingest_does_not_touch_the_model(sample_copy):
    before = sample_copy.workspace.embedder.encoded
    sample_copy.reindex()
    assert sample_copy.workspace.embedder.encoded == before
    assert sample_copy.doctor()["ok"]


def test_changed_file_replaces_its_snippets(hub, tmp_path):
    f = write(tmp_path / "in" / "maria.txt", INTERVIEW)
    first = hub.ingest([f])
    assert first.files[0].status == "added"
    old_ids = set(hub.workspace.records.snippet_ids())
    write(f, INTERVIEW.replace("takes forever", "takes ages"))
    second = hub.ingest([f])
    assert second.files[0].status == "replaced"
    assert len(hub.documents()) == 1
    texts = " ".join(s.text for s in hub.snippets())
    assert "takes ages" in texts and "takes forever" not in texts
    assert hub.workspace.index.count() == len(hub.workspace.records.snippet_ids())
    # unchanged sentences keep their ids, so links and manual tags stay attached
    assert old_ids & set(hub.workspace.records.snippet_ids())
    assert hub.doctor()["ok"]


def test_same_content_under_another_name_is_not_duplicated(hub, tmp_path):
    a = write(tmp_path / "a.txt", INTERVIEW)
    b = write(tmp_path / "b.txt", INTERVIEW)
    report = hub.ingest([a, b])
    assert [f.status for f in report.files] == ["added", "duplicate"]
    assert len(hub.documents()) == 1


def test_manual_tag_survives_reingest_of_changed_file(hub, tmp_path):
    f = write(tmp_path / "maria.txt", INTERVIEW)
    hub.ingest([f])
    target = next(s for s in hub.snippets() if "spreadsheet" in s.text)
    hub.add_tag(target.snippet_id, "Export Pain")
    write(f, INTERVIEW + "Interviewer: Thanks!\n")
    hub.ingest([f])
    again = hub.snippet(target.snippet_id)
    assert "export_pain" in again.tags
    assert hub.doctor()["ok"]


def test_answers_carry_the_question_they_answer_and_the_speaker_role(hub, tmp_path):
    hub.ingest([write(tmp_path / "maria.txt", INTERVIEW)])
    wish = next(s for s in hub.snippets() if "schedule the export" in s.text)
    assert wish.role == "participant" and wish.participant == "Maria"
    assert wish.context and "make it better" in wish.context
    assert "feature_request" in wish.tags
    assert any(s.role == "interviewer" for s in hub.snippets())


BAD_FILES = {
    "empty.txt": b"",
    "binary.txt": bytes(range(256)) * 20,
    "notes.xyz": b"Maria: hello there",
    "broken.csv": b"id,rating\n1,5\n2,3\n",
    "bad.json": b"{not json",
}


def test_bad_files_fail_alone_with_a_reason(hub, tmp_path):
    folder = tmp_path / "mixed"
    for name, data in BAD_FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    write(folder / "good.txt", INTERVIEW)
    report = hub.ingest([folder])
    status = {f.path.split("/")[-1]: f for f in report.files}
    assert status["good.txt"].status == "added"
    for name in BAD_FILES:
        assert status[name].status == "failed", name
        assert status[name].error.startswith(name + ":")
        assert "\n" not in status[name].error
    assert len(hub.documents()) == 1
    assert hub.doctor()["ok"]


def test_oversized_file_is_refused(hub, tmp_path):
    hub.workspace.settings.max_bytes = 100
    report = hub.ingest([write(tmp_path / "big.txt", INTERVIEW)])
    assert report.files[0].status == "failed" and "limit" in report.files[0].error
    assert hub.documents() == []


def test_cli_ingest_summary_and_exit_status(tmp_path):
    from research_hub.cli import app

    good = write(tmp_path / "in" / "maria.txt", INTERVIEW)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    home = str(tmp_path / "ws")
    result = CliRunner().invoke(app, ["--home", home, "ingest", str(tmp_path / "in"), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {f["status"] for f in data["files"]} == {"added", "failed"}
    result = CliRunner().invoke(app, ["--home", home, "stats", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["documents"] == 1
    result = CliRunner().invoke(app, ["--home", home, "snippets", "--json", "--tag", "feature_request"])
    assert any("schedule" in s["text"] for s in json.loads(result.stdout))
    assert good.exists()
