"""Plain-text and Markdown transcripts: front matter, titles, notes, offsets."""
from __future__ import annotations

from research_hub.ingest.types import INTERVIEWER, PARTICIPANT

FRONT = """---
title: Export pains with Maria
study: Exports Q1
date: 2024-03-05
participants:
  - Maria
interviewer: Jane
---
# Call notes

**Jane:** How do you export?
**Maria:** Badly.

**Jane:** Why?
**Maria:** The *button* is hidden.
"""


def test_front_matter_gives_metadata_and_is_not_a_turn(parse, spoken):
    doc = parse("maria.md", FRONT)
    assert doc.title == "Export pains with Maria"
    assert doc.date == "2024-03-05"
    assert doc.kind_hint == "interview"
    assert doc.metadata["study"] == "Exports Q1"
    assert doc.metadata["participants"] == ["Maria"]
    assert doc.metadata["front_matter"]["date"] == "2024-03-05"
    assert doc.text == FRONT  # front matter stays in the stored text
    assert spoken(doc) == [
        ("Jane", INTERVIEWER, "How do you export?"),
        ("Maria", PARTICIPANT, "Badly."),
        ("Jane", INTERVIEWER, "Why?"),
        ("Maria", PARTICIPANT, "The *button* is hidden."),
    ]
    assert doc.turns[0].line == 11


def test_front_matter_interviewer_overrides_question_heuristic(parse):
    text = ("---\ninterviewer: Maria\n---\n"
            "Maria: We should start.\nTom: What is this about?\n"
            "Maria: Your exports.\nTom: Why me?\n")
    doc = parse("t.md", text)
    assert {t.speaker: t.role for t in doc.turns} == {"Maria": INTERVIEWER, "Tom": PARTICIPANT}


def test_front_matter_interviewer_keeps_other_labelled_interviewers(parse):
    text = ("---\ninterviewer: Maria\n---\n"
            "Maria: Hello.\nModerator 2: Quick check.\nTom: Sure.\n"
            "Maria: Ok.\nTom: Fine.\n")
    doc = parse("t.md", text)
    assert {t.speaker: t.role for t in doc.turns} == {
        "Maria": INTERVIEWER, "Moderator 2": INTERVIEWER, "Tom": PARTICIPANT}


def test_invalid_front_matter_is_treated_as_text(parse):
    doc = parse("t.md", "---\n: : [\n---\nInterviewer: Hi?\nP1: Hello.\n")
    assert [t.speaker for t in doc.turns] == ["Interviewer", "P1"]
    assert "front_matter" not in doc.metadata


def test_title_from_first_short_line_and_date_from_file_name(parse):
    doc = parse("2024-05-06_acme-interview.txt",
                "Acme onboarding interview\n\nInterviewer: Hi?\nP1: Hello.\n")
    assert doc.title == "Acme onboarding interview"
    assert doc.date == "2024-05-06"
    assert [t.line for t in doc.turns] == [3, 4]


def test_title_falls_back_to_humanized_stem(parse):
    doc = parse("acme_interview-3.txt", "Interviewer: Hi?\nP1: Hello.\n")
    assert doc.title == "Acme interview 3"
    assert doc.date is None


def test_markdown_heading_ends_a_turn_and_is_not_speech(parse, spoken):
    doc = parse("t.md", "Interviewer: First question?\nP1: First answer.\n\n## Part 2\n\n"
                        "More of the first answer.\nInterviewer: Next?\n")
    assert spoken(doc) == [
        ("Interviewer", INTERVIEWER, "First question?"),
        ("P1", PARTICIPANT, "First answer."),
        ("P1", PARTICIPANT, "More of the first answer."),
        ("Interviewer", INTERVIEWER, "Next?"),
    ]


def test_label_with_no_speech_on_its_line(parse, spoken):
    doc = parse("t.txt", "Interviewer:\nWhat do you use?\n\nMaria:\n  Excel.\n")
    assert spoken(doc) == [("Interviewer", INTERVIEWER, "What do you use?"),
                           ("Maria", PARTICIPANT, "Excel.")]
    assert [t.line for t in doc.turns] == [2, 5]


def test_empty_turn_is_dropped(parse, spoken):
    doc = parse("t.txt", "Interviewer: Hello?\nMaria:\nInterviewer: Still there?\nMaria: Yes.\n")
    assert [s for s, _, _ in spoken(doc)] == ["Interviewer", "Interviewer", "Maria"]


def test_crlf_is_normalized_and_offsets_match(parse, spoken):
    doc = parse("t.txt", "Interviewer: One?\r\nMaria: Two.\r\nThree.\r\n")
    assert doc.text == "Interviewer: One?\nMaria: Two.\nThree.\n"
    assert spoken(doc)[1][2] == "Two.\nThree."


def test_no_labels_gives_author_paragraph_notes(parse, spoken):
    text = ("# Research notes\n\nCustomers find export slow.\nMost export weekly.\n\n\n"
            "Pricing confuses small teams.\n")
    doc = parse("notes.md", text)
    assert doc.kind_hint == "note"
    assert doc.title == "Research notes"
    assert spoken(doc) == [
        ("Author", PARTICIPANT, "Customers find export slow.\nMost export weekly."),
        ("Author", PARTICIPANT, "Pricing confuses small teams."),
    ]
    assert [t.line for t in doc.turns] == [3, 7]


def test_no_labels_first_short_line_is_title(parse, spoken):
    doc = parse("notes.txt", "Visit to Acme\n\nThey print every invoice.\n")
    assert doc.title == "Visit to Acme"
    assert spoken(doc) == [("Author", PARTICIPANT, "They print every invoice.")]


def test_a_single_paragraph_is_a_note_by_its_author(parse, spoken):
    doc = parse("n.txt", "   They print every invoice.   \n")
    assert spoken(doc) == [("Author", PARTICIPANT, "They print every invoice.")]
    assert doc.title == "N"


def test_front_matter_kind_is_used(parse):
    doc = parse("t.md", "---\nkind: support\n---\nA long support note without labels.\n")
    assert doc.kind_hint == "support"


def test_markdown_bold_is_kept_in_text(parse):
    doc = parse("t.md", "**Interviewer:** Why?\n**Maria**: Because **exports** fail.\n")
    assert doc.text.startswith("**Interviewer:**")
    assert doc.text[doc.turns[1].start:doc.turns[1].end] == "Because **exports** fail."


def test_same_speaker_different_case_is_one_speaker(parse):
    doc = parse("t.txt", "Interviewer: Hi?\nMARIA: Hello.\nInterviewer: And?\nMaria: Bye.\n")
    assert [t.speaker for t in doc.turns] == ["Interviewer", "MARIA", "Interviewer", "MARIA"]


def test_unicode_line_separators_do_not_break_line_numbers(parse):
    doc = parse("t.txt", "Interviewer: One\u2028two?\nMaria: Three\x0cfour.\n")
    assert [t.line for t in doc.turns] == [1, 2]
