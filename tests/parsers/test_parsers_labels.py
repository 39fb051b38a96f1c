"""Speaker label styles, prose that is not a label, and role detection."""
from __future__ import annotations

import pytest

from research_hub.ingest.parsers.labels import is_question, label_role, match_label
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT

I, P = INTERVIEWER, PARTICIPANT


@pytest.mark.parametrize(
    "first, second, speakers",
    [
        ("Maria: ", "Tom: ", ["Maria", "Tom"]),
        ("MARIA : ", "TOM : ", ["MARIA", "TOM"]),
        ("Interviewer 1: ", "Interviewee: ", ["Interviewer 1", "Interviewee"]),
        ("Interviewer: ", "P3: ", ["Interviewer", "P3"]),
        ("[00:12:03] Maria: ", "[00:12:09] Tom: ", ["Maria", "Tom"]),
        ("00:12:03 Maria: ", "00:12:09 Tom: ", ["Maria", "Tom"]),
        ("(00:12) Maria: ", "(00:19) Tom: ", ["Maria", "Tom"]),
        ("**Maria:** ", "**Tom:** ", ["Maria", "Tom"]),
        ("**Maria**: ", "**Tom**: ", ["Maria", "Tom"]),
        ("Dr. Jane Doe: ", "Zoë O'Brien-Smith: ", ["Dr. Jane Doe", "Zoë O'Brien-Smith"]),
        ("Jean-Luc Picard: ", "Renée: ", ["Jean-Luc Picard", "Renée"]),
        ("Q: ", "A: ", ["Q", "A"]),
    ],
)
def test_each_label_style_gives_the_same_turns_and_roles(parse, first, second, speakers, spoken):
    text = (
        f"{first}How do you export your data today?\n"
        f"{second}Every month, by hand.\n"
        f"{first}Why by hand?\n"
        f"{second}The scheduler is broken.\n"
    )
    doc = parse("talk.md", text)
    assert [s for s, _, _ in spoken(doc)] == speakers * 2
    assert [t for _, _, t in spoken(doc)] == [
        "How do you export your data today?",
        "Every month, by hand.",
        "Why by hand?",
        "The scheduler is broken.",
    ]
    assert [r for _, r, _ in spoken(doc)] == [I, P, I, P]
    assert [t.line for t in doc.turns] == [1, 2, 3, 4]


def test_name_with_role_keeps_role_label(parse, spoken):
    doc = parse("t.txt", "Jane (Interviewer): What tools do you use?\n"
                         "Maria (Ops lead, Acme): Spreadsheets mostly.\n")
    assert spoken(doc) == [("Jane", I, "What tools do you use?"),
                           ("Maria", P, "Spreadsheets mostly.")]
    assert doc.turns[0].meta["role_label"] == "Interviewer"
    assert doc.turns[1].meta["role_label"] == "Ops lead, Acme"


def test_timestamps_set_start_and_end_times(parse):
    doc = parse("t.txt", "[00:00:05] Jane: What do you do?\n"
                         "[00:01:02.5] Maria: I run ops.\n"
                         "(12:03) Jane: Thanks!\n")
    assert [(t.start_time, t.end_time) for t in doc.turns] == [
        (5.0, 62.5), (62.5, 723.0), (723.0, None)]


def test_label_alone_on_a_line_with_time_below_speech(parse, spoken):
    doc = parse("otter.txt", "Speaker 1  0:03\nSo how do you report?\n\n"
                             "Speaker 2  0:09\nWith a spreadsheet.\nIt is slow.\n")
    assert spoken(doc) == [("Speaker 1", I, "So how do you report?"),
                           ("Speaker 2", P, "With a spreadsheet.\nIt is slow.")]
    assert doc.turns[1].start_time == 9.0


def test_zoom_text_export_style(parse, spoken):
    doc = parse("zoom.txt", "[Maria Lopez] 10:32:11\nHello, can you hear me?\n\n"
                            "[Tom Reid] 10:32:15\nYes, loud and clear.\n\n"
                            "[Maria Lopez] 10:32:20\nGreat. Shall we start?\n\n"
                            "[Tom Reid] 10:32:24\nSure.\n")
    assert spoken(doc)[:2] == [("Maria Lopez", I, "Hello, can you hear me?"),
                               ("Tom Reid", P, "Yes, loud and clear.")]
    assert doc.turns[0].end_time == 10 * 3600 + 32 * 60 + 15


def test_continuation_lines_belong_to_previous_speaker(parse, spoken):
    doc = parse("t.txt", "Interviewer: Tell me about exports.\n"
                         "Maria: We export weekly.\n"
                         "Then we clean it in Excel.\n\n"
                         "It takes hours.\n"
                         "Interviewer: Ouch.\n")
    assert spoken(doc)[1] == ("Maria", P, "We export weekly.\nThen we clean it in Excel.\n\nIt takes hours.")
    assert doc.turns[2].line == 6


def test_prose_colons_are_not_labels(parse, spoken):
    doc = parse("t.txt", (
        "Interviewer: What happened last week?\n"
        "Maria: Note: we lost data.\n"
        "Example: the March export.\n"
        "Step 1: open the app.\n"
        "Step 2: click export.\n"
        "Note: it failed again.\n"
        "See https://example.com/help for more.\n"
        "https: is not a speaker either\n"
        "At 10:30 we called support.\n"
        "The main problem was this: nobody answered.\n"
        "My boss said: fix it.\n"
        "Interviewer: Thanks.\n"
    ))
    assert [s for s, _, _ in spoken(doc)] == ["Interviewer", "Maria", "Interviewer"]
    assert spoken(doc)[1][2].endswith("My boss said: fix it.")


def test_single_capitalised_word_with_colon_once_is_prose(parse):
    doc = parse("notes.txt", "Summary: customers want faster exports.\n\n"
                             "Honestly: the tool is fine.\n")
    assert {t.speaker for t in doc.turns} == {"Author"}
    assert doc.kind_hint == "note"


def test_interviewer_inferred_from_questions(parse):
    doc = parse("t.txt", (
        "Alex: Thanks for joining. How do you handle invoices today?\n"
        "Maria: I type them into our ledger by hand.\n"
        "Alex: What is the hardest part?\n"
        "Maria: Matching payments, it never lines up.\n"
        "Alex: Can you show me?\n"
        "Maria: Sure, here it is.\n"
    ))
    roles = {t.speaker: t.role for t in doc.turns}
    assert roles == {"Alex": I, "Maria": P}
    assert doc.metadata["speakers"] == roles


def test_explicit_participant_labels_make_the_other_speaker_interviewer(parse):
    doc = parse("t.txt", "Sam: Hi! Why did you cancel?\nCustomer: Price.\n"
                         "Sam: Okay, thanks.\nCustomer: Bye.\n")
    assert {t.speaker: t.role for t in doc.turns} == {"Sam": I, "Customer": P}


def test_single_speaker_is_participant(parse):
    doc = parse("t.txt", "Maria: Why is this so slow?\nMaria: I do not know why.\n")
    assert {t.role for t in doc.turns} == {P}


def test_header_fields_above_the_transcript_are_not_turns(parse, spoken):
    doc = parse("2024-02-01 call.txt", (
        "Customer call with Maria\n"
        "Interviewer: Jane\n"
        "Participant: Maria Lopez\n"
        "\n"
        "Jane: Hi, how are things?\n"
        "Maria: Busy, thanks.\n"
        "Jane: What takes the most time?\n"
        "Maria: Exports.\n"
    ))
    assert [s for s, _, _ in spoken(doc)] == ["Jane", "Maria", "Jane", "Maria"]
    assert {t.speaker: t.role for t in doc.turns} == {"Jane": I, "Maria": P}
    assert doc.title == "Customer call with Maria"
    assert doc.date == "2024-02-01"
    assert doc.metadata["participants"] == ["Maria Lopez"]


@pytest.mark.parametrize("line, name, role_label, time", [
    ("Maria: hi", "Maria", None, None),
    ("  Maria Lopez : hi", "Maria Lopez", None, None),
    ("[01:02:03] P3: hi", "P3", None, 3723.0),
    ("**Dr. Jane Doe:** hi", "Dr. Jane Doe", None, None),
    ("Maria (Customer) [00:10]: hi", "Maria", "Customer", 10.0),
])
def test_a_label_yields_its_name_role_and_time(line, name, role_label, time):
    match = match_label(line)
    assert match is not None
    assert (match.name, match.role_label, match.time) == (name, role_label, time)
    assert line[match.speech_start:].strip() == "hi"


@pytest.mark.parametrize("line", [
    "https://example.com", "at 10:30 we met", "The main problem was this: x",
    "Note: x", "Step 1: x", "A very long label that is far too long to be a name: x",
    "one two three four five: x", "10:30: meeting", "**Maria:* x", "2024: a year",
])
def test_lines_that_only_look_like_labels_are_speech(line):
    assert match_label(line) is None


@pytest.mark.parametrize("name, role_label, role", [
    ("Interviewer", None, I), ("Moderator 2", None, I), ("UX Researcher", None, I),
    ("I", None, I), ("Q", None, I), ("Int", None, I), ("Jane", "Facilitator", I),
    ("Interviewee", None, P), ("Participant 4", None, P), ("P12", None, P),
    ("Respondent", None, P), ("Customer", None, P), ("User", None, P), ("A", None, P),
    ("Maria", None, None), ("Speaker 1", None, None),
])
def test_role_words_in_a_label_decide_the_role(name, role_label, role):
    assert label_role(name, role_label) == role


@pytest.mark.parametrize("text, expected", [
    ("How do you export?", True), ("Tell me about that.", True),
    ("Can you show me", True), ("Great. And why is that?", True),
    ("I export every month.", False), ("We use it daily (mostly)", False),
])
def test_questions_and_prompts_are_recognised(text, expected):
    assert is_question(text) is expected
