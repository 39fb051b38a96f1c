"""PII redaction: offsets still exact, placeholders stable, nothing of the original kept."""
from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from tests.conftest import write

INTERVIEW = """---
title: Call with Maria Lopez
participant: Maria Lopez
---
Interviewer (Sam): Thanks Maria, how do you reach your accountant?
Maria Lopez: I email priya.patel@example.com or call +44 20 7946 0958. Again: priya.patel@example.com.
Maria Lopez: My card 4111 1111 1111 1111 was charged twice; order 1234 5678 9012 3456 was fine.
Maria Lopez: We met on 2024-03-05 at 10:30 and John Smith calls (415) 555-0134 about it.
"""
VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Owen Price (Researcher)>Hi Kwame, can you hear me?</v>

00:00:05.000 --> 00:00:09.000
<v Kwame Mensah>Yes. Write to kwame@example.com or ring 07700 900123 later.</v>

00:00:10.000 --> 00:00:14.000
<v Kwame Mensah>Matching payments by hand takes hours every week.</v>
"""
FEEDBACK = """id,email,comment
1,ana@example.com,"Reminders never arrive, call me on 415-555-0199."
2,ben@example.org,The VAT report is wrong again.
"""


def _redactor(secret="s3cret"):
    from research_hub.ingest.redact import Redactor
    from research_hub.core import nlp

    return Redactor(secret, nlp.trained())


def _parse(path):
    from research_hub.ingest.parsers import parse_file

    return parse_file(path)


@pytest.mark.parametrize("name,text", [("maria.md", INTERVIEW), ("kwame.vtt", VTT), ("fb.csv", FEEDBACK)])
def test_offsets_hold_and_nothing_personal_is_left(tmp_path, name, text):
    from research_hub.ingest.split import split_document

    doc = _parse(write(tmp_path / name, text))
    red = _redactor()(doc)
    for before, after in zip(doc.turns, red.turns):
        assert after.line == before.line
        assert after.end - after.start >= 0 and after.start <= len(red.text)
        for cue in after.cues:
            assert after.start <= cue.start <= cue.end <= after.end
    for d in split_document(red, "x"):
        assert red.text[d.char_start:d.char_end] == d.text
    everything = red.text + str(red.metadata) + str(red.title) + str([(t.speaker, t.participant, t.meta)
                                                                      for t in red.turns])
    for secret in ("priya.patel@example.com", "7946 0958", "4111 1111 1111 1111", "555-0134",
                   "kwame@example.com", "07700 900123", "ana@example.com", "555-0199", "Lopez", "Kwame",
                   "Owen Price"):
        assert secret not in everything, secret


def test_placeholders_are_stable_within_a_document_and_decoys_stay(tmp_path):
    red = _redactor()(_parse(write(tmp_path / "maria.md", INTERVIEW)))
    assert red.text.count("[EMAIL_1]") == 2 and "[EMAIL_2]" not in red.text
    assert "[CARD_1]" in red.text and "1234 5678 9012 3456" in red.text  # not Luhn-valid: kept
    assert "2024-03-05" in red.text and "10:30" in red.text
    speaker = {t.speaker for t in red.turns} - {"Interviewer"}
    assert len(speaker) == 1 and re.fullmatch(r"Person-[0-9a-f]{6}", speaker.pop())


def test_speaker_pseudonyms_are_stable_across_documents_and_keyed_by_the_workspace(tmp_path):
    a = _redactor()(_parse(write(tmp_path / "a.vtt", VTT)))
    b = _redactor()(_parse(write(tmp_path / "b.vtt", VTT.replace("hours", "days"))))
    other = _redactor("another workspace")(_parse(write(tmp_path / "c.vtt", VTT)))
    speakers = lambda d: [t.speaker for t in d.turns]  # noqa: E731
    assert speakers(a) == speakers(b) != speakers(other)
    assert speakers(a)[0].startswith("Person-") and a.turns[0].role == "interviewer"  # name goes, role stays


def test_luhn():
    from research_hub.ingest.redact import luhn_ok

    assert luhn_ok("4111111111111111") and luhn_ok("378282246310005")
    assert not luhn_ok("1234567890123456")


@pytest.mark.integration
def test_planted_pii_recall_and_no_email_or_phone_leaks(tmp_path, capsys):
    """The `bench redact` measurement, here on a smaller planted set."""
    from research_hub import Hub, nlp
    from research_hub.bench.redact import make_planted, measure

    planted = make_planted(tmp_path / "corpus", interviews=8, seed=3)
    hub = Hub(tmp_path / "ws")
    assert hub.ingest(planted.files, redact=True).ok
    result = measure(hub, planted)
    with capsys.disabled():
        print(f"\nredaction recall ({nlp.active_pipeline_name()}): " + ", ".join(
            f"{k} {result[f'{k}_recall']} ({result[f'{k}_planted']} planted)"
            for k in ("email", "phone", "card", "person")) + f"; decoys kept {result['decoys_kept']}")
    assert result["email_leaked"] == 0 and result["phone_leaked"] == 0 and result["card_leaked"] == 0
    if nlp.has_ner():
        assert result["person_recall"] >= 0.8, result
    assert all(f.name.endswith(".redacted.txt") for f in hub.settings.sources_dir.iterdir())
    hub.close()


@pytest.mark.integration
def test_workspace_setting_keep_original_and_uploads(tmp_path):
    from research_hub import Hub

    hub = Hub(tmp_path / "ws")
    with pytest.raises(ValueError, match="unknown setting"):
        hub.set_config("redact", "maybe")
    hub.set_config("redact", "true")
    f = write(tmp_path / "maria.md", INTERVIEW)
    hub.ingest([f])  # redacts: the workspace says so
    assert "priya.patel" not in hub.db.scalar("SELECT text FROM documents")
    assert [p.suffixes for p in hub.settings.sources_dir.iterdir()] == [[".redacted", ".txt"]]

    g = write(tmp_path / "kwame.vtt", VTT)
    hub.ingest([g], keep_original=True)  # stored text redacted, the source copy kept as it was
    kept = [p for p in hub.settings.sources_dir.iterdir() if p.suffix == ".vtt"]
    assert len(kept) == 1 and "kwame@example.com" in kept[0].read_text()
    assert "kwame@example.com" not in str(hub.db.query("SELECT text FROM documents"))

    hub.ingest_upload("feedback.csv", FEEDBACK.encode())
    assert not (hub.home / "uploads" / "feedback.csv").exists()  # the unredacted upload is not kept
    assert "ana@example.com" not in (hub.home / "hub.sqlite").read_bytes().decode("latin-1")
    hub.close()


@pytest.mark.integration
def test_switching_redaction_on_replaces_the_unredacted_version(hub, tmp_path):
    f = write(tmp_path / "maria.md", INTERVIEW)
    hub.ingest([f])
    assert "priya.patel" in hub.db.scalar("SELECT text FROM documents")
    report = hub.ingest([f], redact=True)
    assert report.files[0].status == "replaced"
    assert "priya.patel" not in hub.db.scalar("SELECT text FROM documents")
    assert hub.doctor()["ok"]


@pytest.mark.integration
def test_cli_config_and_ingest_redact(tmp_path):
    from research_hub.cli.extra import app  # the main app, with the command groups registered

    runner = CliRunner()
    home = str(tmp_path / "ws")
    out = runner.invoke(app, ["--home", home, "config", "set", "redact", "true"])
    assert out.exit_code == 0, out.output
    assert runner.invoke(app, ["--home", home, "config", "get", "redact"]).output.strip() == "true"
    bad = runner.invoke(app, ["--home", home, "config", "set", "colour", "blue"])
    assert bad.exit_code == 1 and "unknown setting" in bad.output
    f = write(tmp_path / "maria.md", INTERVIEW)
    out = runner.invoke(app, ["--home", home, "ingest", str(f), "--no-redact", "--json"])
    assert out.exit_code == 0, out.output
    shown = runner.invoke(app, ["--home", home, "snippets", "--json"]).output
    assert "priya.patel@example.com" in shown  # --no-redact overrides the setting
