"""Sessions without speaker labels: numbered task prompts, then the participant."""
from __future__ import annotations

from pathlib import Path

import pytest

from research_hub.ingest.parsers import parse_file
from research_hub.ingest.parsers.think_aloud import prompt_number
from research_hub.ingest.split import split_document
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT

FIXTURES = Path(__file__).parent / "fixtures"
I, P = INTERVIEWER, PARTICIPANT


def test_task_prompts_become_moderator_turns_and_context(check, spoken):
    doc = check(parse_file(FIXTURES / "think_aloud_p07.txt"))
    assert doc.kind_hint == "interview" and doc.metadata["style"] == "think-aloud"
    assert [(s, r) for s, r, _ in spoken(doc)] == [("Moderator", I), ("P07", P)] * 3
    assert spoken(doc)[0][2] == "Task 1: Find last month's invoices and export them."
    assert spoken(doc)[1][2].endswith("Export, at the very bottom of the page.")
    assert [t.meta.get("task") for t in doc.turns if t.role == I] == ["1", "2", "3.a"]
    assert doc.date == "2026-05-03"
    assert "Participant" not in doc.text[doc.turns[0].start:]  # header is not speech
    snips = split_document(doc, "think_aloud_p07.txt")
    answers = [s for s in snips if s.role == P]
    assert answers and all(s.participant == "P07" for s in answers)
    assert answers[0].context == "Task 1: Find last month's invoices and export them."
    assert answers[-1].context == "3.a Please explain what you expected the export to contain."


def test_participant_from_front_matter_and_numbered_prompts(check, spoken):
    doc = check(parse_file(FIXTURES / "think_aloud_front_matter.md"))
    assert doc.title == "Checkout prototype, session 4"
    assert doc.metadata["study"] == "Checkout prototype"
    assert [(s, r) for s, r, _ in spoken(doc)] == [("Moderator", I), ("Ren Okoro", P)] * 2
    assert spoken(doc)[2][2] == "2. How would you change the delivery address?"


def test_participant_named_from_the_file_name_and_q_labels(check, spoken):
    doc = check(parse_file(FIXTURES / "2026-05-07_think-aloud_ana-ruiz.txt"))
    assert [(s, r) for s, r, _ in spoken(doc)] == [("Moderator", I), ("Ana Ruiz", P)] * 2
    assert spoken(doc)[1][2] == ("I would start from the dashboard, the red number looks like "
                                 "the overdue count.\nClicking it shows a list, but I can't "
                                 "sort it by amount.")
    assert [t.meta.get("task") for t in doc.turns if t.role == I] == ["1", "2"]
    snips = split_document(doc, "x")
    assert snips[-1].context == "What would you expect to happen when you click Remind?"


def test_a_numbered_list_of_findings_stays_a_note(check, spoken):
    doc = check(parse_file(FIXTURES / "notes_numbered_list.txt"))
    assert doc.kind_hint == "note"
    assert {s for s, _, _ in spoken(doc)} == {"Author"}
    assert doc.title == "Findings from the March visits"


def test_a_list_of_instructions_without_speech_stays_a_note(parse, spoken):
    doc = parse("recs.txt", "1. Find a faster export format.\n2. Please fix the dates.\n")
    assert doc.kind_hint == "note" and {s for s, _, _ in spoken(doc)} == {"Author"}


@pytest.mark.parametrize("line, number", [
    ("Task 2: Find the export button.", "2"), ("TASK 3 - Log in", "3"),
    ("Question 4. How did that feel?", "4"), ("3.a Please explain what you saw.", "3.a"),
    ("3a. Try to pay the invoice.", "3a"), ("4) Find the settings.", "4"),
    ("5. How would you share it?", "5"), ("**Task 6:** Open the app", "6"),
    ("1. Customers find the export slow.", None), ("2024 was a good year.", None),
    ("10 minutes later it worked.", None), ("Tasks are hard", None),
])
def test_task_and_question_numbers_are_read_from_prompt_lines(line, number):
    assert prompt_number(line) == number


def test_a_moderator_monologue_is_not_split_into_prompts(parse_error, parse, spoken):
    guide = ("Moderator: Welcome everyone to the session.\nWe will look at the new checkout.\n\n"
             "Moderator: The session lasts an hour.\nThere are snacks at the back.\n")
    # only the interviewer speaks: nothing is invented for a participant
    doc = parse("guide.txt", guide)
    assert {r for _, r, _ in spoken(doc)} == {I}


def test_moderator_label_with_prompts_and_speech_below(parse, spoken):
    text = ("Moderator: Task 1 - find the invoices from March.\nI'd go to Reports, I think.\n"
            "Moderator: How would you send one again?\nThere is no button, so I'd download it.\n")
    doc = parse("2026-02-02_session_p9.txt", text)
    assert [(s, r) for s, r, _ in spoken(doc)] == [("Moderator", I), ("P9", P)] * 2
    assert spoken(doc)[1][2] == "I'd go to Reports, I think."
