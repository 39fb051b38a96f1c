"""Label styles seen in real transcripts, initials for full names, and titles.

The fixtures are small fictional files in tests/parsers/fixtures/.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from research_hub.ingest.parsers import parse_file
from research_hub.ingest.parsers.aliases import alias_target, resolve_aliases
from research_hub.ingest.parsers.labels import label_role, match_label
from research_hub.ingest.split import split_document
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT

FIXTURES = Path(__file__).parent / "fixtures"
I, P = INTERVIEWER, PARTICIPANT


def load(name, check):
    return check(parse_file(FIXTURES / name))


def roles_by_speaker(doc):
    return {t.speaker: t.role for t in doc.turns}


def test_interviewer_number_without_space(check, spoken):
    doc = load("labels_interviewer1.txt", check)
    assert [s for s, _, _ in spoken(doc)] == ["Interviewer1", "Interviewee1", "Interviewer2",
                                              "Interviewee1", "Interviewer1", "Interviewee1"]
    assert [r for _, r, _ in spoken(doc)] == [I, P, I, P, I, P]
    assert spoken(doc)[2][2] == "What makes the copying slow?"


def test_interviewer_number_and_space_before_colon(check, spoken):
    doc = load("labels_interviewer1_space.txt", check)
    assert roles_by_speaker(doc) == {"Interviewer1": I, "Interviewee1": P}
    assert spoken(doc)[1][2] == "We count on paper, then someone types the totals in at night."


def test_ai_user_assistant_labels(check, spoken):
    doc = load("labels_ai_user.txt", check)
    assert roles_by_speaker(doc) == {"Assistant": I, "User": P, "AI": I}
    # blank lines inside a turn keep it one turn
    assert spoken(doc)[3] == ("User", P, "A shared spreadsheet with one tab per driver.\n\n"
                                         "We colour the cells when a delivery is late.")
    assert spoken(doc)[0][2].endswith("Is it alright if I ask a few questions?")
    snips = split_document(doc, "labels_ai_user.txt")
    assert {s.role for s in snips if s.speaker in ("AI", "Assistant")} == {I}
    assert [s.context for s in snips if s.text.startswith("Someone's")] == [
        "What happens when two people edit it at once?"]


def test_initials_are_the_full_name_given_in_the_file(check, spoken):
    doc = load("labels_initials.txt", check)
    assert [s for s, _, _ in spoken(doc)] == ["Devin Becker", "Mara Quill"] * 3
    assert roles_by_speaker(doc) == {"Devin Becker": I, "Mara Quill": P}
    assert doc.metadata["aliases"] == {"DB": "Devin Becker", "MQ": "Mara Quill"}
    assert doc.turns[2].meta["label"] == "DB" and "label" not in doc.turns[0].meta


def test_initials_of_names_in_front_matter(check):
    doc = load("labels_initials_header.md", check)
    assert roles_by_speaker(doc) == {"Devin Becker": I, "Mara Quill": P}
    assert doc.title == "Studio visit with Mara Quill"


@pytest.mark.parametrize("label, names, target", [
    ("DB", ["Devin Becker"], "Devin Becker"),
    ("D.B.", ["Devin Becker"], "Devin Becker"),
    ("KM", ["Kasey Silem Mohammad"], "Kasey Silem Mohammad"),
    ("KSM", ["Kasey Silem Mohammad"], "Kasey Silem Mohammad"),
    ("DB", ["Devin Becker", "Dana Brown"], None),  # two fit: leave it
    ("XY", ["Devin Becker"], None),
    ("Devin", ["Devin Becker"], "Devin Becker"),
    ("Devin Becker", ["Devin Becker"], None),
])
def test_initials_resolve_to_the_full_name_they_abbreviate(label, names, target):
    assert alias_target(label, names) == target


def test_first_names_alias_only_to_speaking_full_names():
    assert resolve_aliases(["Maria", "Maria Lopez", "Tom"]) == {"Maria": "Maria Lopez"}
    assert resolve_aliases(["Jane", "Maria"], ["Maria Lopez"]) == {}


@pytest.mark.parametrize("name, role", [
    ("Interviewer1", I), ("Interviewer2", I), ("Interviewee1", P), ("AI", I),
    ("Assistant", I), ("User", P), ("Int1", I), ("Participant12", P), ("Moderator_2", I),
    ("Research Assistant", None), ("Hostetler", None),
])
def test_numbered_and_ai_user_labels_get_their_roles(name, role):
    assert label_role(name, None) == role


@pytest.mark.parametrize("line, name", [
    ("Interviewer1: hi", "Interviewer1"), ("Interviewer1 : hi", "Interviewer1"),
    ("Interviewee1 : hi", "Interviewee1"), ("AI: hi", "AI"), ("User: hi", "User"),
])
def test_numbered_labels_with_or_without_a_space_match(line, name):
    match = match_label(line)
    assert match is not None and match.name == name
    assert line[match.speech_start:].strip() == "hi"


def test_subheading_inside_a_turn_is_not_a_speaker(parse, spoken):
    doc = parse("t.txt", "AI: How did the project start?\n\n"
                         "User: We planned it in stages.\n\n"
                         "Initial Steps:\nWe wrote small scripts first.\n\n"
                         "Addressing Anomalies:\nThen we looked at the odd values.\n\n"
                         "AI: What came next?\n\nUser: A model.\n")
    assert [s for s, _, _ in spoken(doc)] == ["AI", "User", "AI", "User"]
    assert "Initial Steps:\nWe wrote" in spoken(doc)[1][2]


# -- titles: front matter, header field, heading or file name; never speech --

def test_first_line_of_speech_is_not_a_title(check):
    doc = load("title_speech_first.txt", check)
    assert doc.title == "Title speech first"
    assert roles_by_speaker(doc) == {"Interviewer": I, "Ola": P}


def test_short_first_word_of_a_note_is_not_a_title(check, spoken):
    doc = load("title_all.txt", check)
    assert doc.title == "Title all"
    assert spoken(doc)[0][2].startswith("All\nwe did this week")


def test_a_title_header_line_gives_the_title_and_date(check):
    doc = load("title_header_field.txt", check)
    assert doc.title == "Invoice habits of a florist"
    assert doc.date == "2026-04-02"


@pytest.mark.parametrize("first_line", ["All right.", "All", "Okay so let's start",
                                        "So, thanks for coming", "yeah"])
def test_speech_like_first_lines_never_become_titles(parse, first_line):
    doc = parse("2026-01-02_call-notes.txt", f"{first_line}\n\nInterviewer: Hi?\nP1: Hello.\n")
    assert doc.title == "Call notes"
    doc = parse("2026-01-02_call-notes.txt", f"{first_line}\n\nThey print every invoice.\n")
    assert doc.title == "Call notes"


def test_aliases_are_not_searched_among_hundreds_of_labels():
    names = [f"Person{i} Name{i}" for i in range(150)] + ["PN"]
    assert resolve_aliases(names) == {}
