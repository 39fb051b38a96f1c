"""Transcripts exported as tables (CSV, TSV, XLSX) versus feedback exports."""
from __future__ import annotations

from pathlib import Path

import pytest

from research_hub.ingest.parsers import parse_file
from research_hub.ingest.parsers.table import parse_seconds
from research_hub.ingest.split import split_document
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT

FIXTURES = Path(__file__).parent / "fixtures"
I, P = INTERVIEWER, PARTICIPANT


def load(name, check, **kwargs):
    return check(parse_file(FIXTURES / name, **kwargs))


def test_an_oral_history_table_merges_initials_and_continues_empty_speakers(check, spoken):
    doc = load("table_oral_history.csv", check)
    assert doc.kind_hint == "interview" and doc.metadata["style"] == "transcript table"
    assert doc.metadata["aliases"] == {"NH": "Nell Harrow", "OP": "Oren Pike"}
    assert [(s, r) for s, r, _ in spoken(doc)] == [("Nell Harrow", I), ("Oren Pike", P)] * 4
    # an empty speaker continues the previous one; "OP:" and "OP" are one speaker
    assert spoken(doc)[0][2] == ("Thanks for having me. This should be a good set up.\n"
                                 "So, three parts today. First how you write now, then how it changed.")
    assert spoken(doc)[5][2] == ("A laptop, mostly. I print every draft and mark it up by hand.\n"
                                 "The printouts go in a box under the stairs, sorted by year.")
    # the row before any speaker is kept in the text, not given to anyone
    assert doc.text.startswith("(Recorder set up on the kitchen table.)\n\nNell Harrow: ")
    assert doc.metadata["unattributed_rows"] == [2]
    # times: "[0:00]", "[01:09]", "0:02:15"
    assert [t.start_time for t in doc.turns] == [0.0, 69.0, None, None, 135.0, None, None, None]
    assert doc.turns[0].end_time == 69.0
    # row codes are turn meta (ground truth), never product tags
    assert doc.turns[5].meta["codes"] == ["devices", "paper", "archive"]
    assert doc.turns[5].meta["rows"] == [9, 10]
    assert doc.turns[3].meta["label"] == "OP"


def test_table_codes_follow_the_rows_a_snippet_overlaps(check):
    doc = load("table_oral_history.csv", check)
    snips = split_document(doc, "table_oral_history.csv", max_sentences=1)
    by_text = {s.text: s for s in snips}
    printouts = by_text["The printouts go in a box under the stairs, sorted by year."]
    assert printouts.meta["rows"] == [10] and printouts.meta["codes"] == ["paper", "archive"]
    laptop = by_text["A laptop, mostly."]
    assert laptop.meta["codes"] == ["devices", "paper"] and "source_rows" not in laptop.meta
    assert all(s.tags == [] for s in snips)
    assert by_text["How long will it take?"].role == P
    assert by_text["How long will it take?"].start_time == 69.0


def test_zoom_tsv_with_start_and_end(check, spoken):
    doc = load("table_zoom.tsv", check)
    assert [(s, r) for s, r, _ in spoken(doc)] == [("Ada Brook", I), ("Theo Marsh", P)] * 2
    assert [(t.start_time, t.end_time) for t in doc.turns] == [(1.0, 6.0), (6.0, 15.0),
                                                               (15.0, 18.0), (18.0, 30.0)]
    assert doc.metadata["format"] == "tsv"


def test_otter_csv_rows_of_one_speaker_are_one_turn_with_cues(check, spoken):
    doc = load("table_otter.csv", check)
    assert [(s, r) for s, r, _ in spoken(doc)] == [("Interviewer", I), ("Priya Nair", P)] * 2
    priya = doc.turns[1]
    assert [(c.start_time, c.end_time) for c in priya.cues] == [(9.0, 21.0), (21.0, 35.0)]
    snips = split_document(doc, "table_otter.csv", max_sentences=1)
    drift = [s for s in snips if "drift" in s.text][0]
    assert (drift.start_time, drift.end_time) == (21.0, 35.0)
    assert drift.context == "So how do you report to your board each month?"


def test_an_xlsx_transcript_table_keeps_times_and_codes(check, spoken):
    doc = load("table_descript.xlsx", check)
    assert [(s, r) for s, r, _ in spoken(doc)] == [("Moderator", I), ("Jun Ito", P)] * 2
    assert [t.start_time for t in doc.turns] == [4.0, 9.0, 20.0, 24.0]
    assert doc.turns[1].meta["codes"] == ["tools", "workaround"]
    assert doc.metadata["format"] == "xlsx" and doc.metadata["sheet"] == "Transcript"


@pytest.mark.parametrize("name, text_column", [
    ("feedback_names.csv", "text"),
    ("feedback_participant_response.csv", "response"),
    ("feedback_export.xlsx", "Comment"),
])
def test_feedback_exports_stay_feedback(check, name, text_column):
    doc = load(name, check)
    assert doc.metadata["text_column"] == text_column
    assert "style" not in doc.metadata
    assert {t.role for t in doc.turns} == {P}
    assert all("row" in t.meta for t in doc.turns)


def test_xlsx_feedback_rows_keep_dates_and_columns(check):
    doc = load("feedback_export.xlsx", check)
    first = doc.turns[0]
    assert first.meta["date"] == "2026-03-05" and first.meta["Rating"] == "2"
    assert first.meta["row"] == 2


def test_speaker_column_with_rating_is_feedback(parse):
    doc = parse("r.csv", "name,text,rating\nAnn,Slow export,2\nAnn,Nice app,5\nBo,Crashes,1\n")
    assert doc.metadata["text_column"] == "text" and "style" not in doc.metadata


def test_text_col_override_picks_the_speech_column(parse, spoken):
    text = "speaker,said,notes\nJo,How do you pay suppliers?,n1\nKim,By transfer.,n2\n"
    doc = parse("t.csv", text, text_col="said")
    assert [(s, r) for s, r, _ in spoken(doc)] == [("Jo", I), ("Kim", P)]


def test_html_entities_in_table_cells_are_decoded(parse):
    doc = parse("t.csv", "speaker,words\nJo,So&#8212;what next?\nKim,Tea &amp; cake.\n"
                         "Jo,Why?\nKim,Habit.\n")
    assert "So\u2014what next?" in doc.text and "Tea & cake." in doc.text


@pytest.mark.parametrize("value, seconds", [
    ("[01:09]", 69.0), ("0:00:45", 45.0), ("(12:03)", 723.0), ("00:01:02,500", 62.5),
    ("75.5", 75.5), ("", None), ("soon", None),
])
def test_timestamps_in_table_cells_become_seconds(value, seconds):
    assert parse_seconds(value) == seconds


@pytest.mark.parametrize("content, expected", [
    (b"PK\x03\x04 not really a zip", "cannot open XLSX"),
    (b"plain text", "cannot open XLSX: not an Excel .xlsx file"),
])
def test_a_broken_xlsx_is_refused_with_its_reason(parse_error, content, expected):
    assert parse_error("bad.xlsx", content).startswith(expected)


def test_recurring_authors_with_dates_are_feedback(parse):
    text = ("name,text,date\nAnn,Export is slow.,2026-03-01\nAnn,Still slow.,2026-03-02\n"
            "Bo,Crashes.,2026-03-03\nAnn,Please fix.,2026-03-04\n")
    doc = parse("f.csv", text)
    assert doc.metadata["text_column"] == "text" and "style" not in doc.metadata


def test_recurring_names_with_clock_times_are_a_transcript(parse):
    text = ("name,text,start,date\nAnn,How do you export?,0:01,2026-03-01\n"
            "Bo,By hand.,0:04,2026-03-01\nAnn,Why?,0:09,2026-03-01\nBo,No choice.,0:12,2026-03-01\n")
    doc = parse("t.csv", text)
    assert doc.metadata["style"] == "transcript table"
    assert [t.start_time for t in doc.turns] == [1.0, 4.0, 9.0, 12.0]
