"""CSV / JSON / JSONL feedback: text column, metadata, rows, kinds."""
from __future__ import annotations

import json

import pytest

from research_hub.ingest.parsers.feedback import map_kind
from research_hub.ingest.types import PARTICIPANT

CSV = (
    "id,Customer Name,Comment,Created At,Source,Rating\n"
    '1,Ann,"Export is slow\nand it breaks",2024-03-05T10:00:00Z,Zendesk ticket,2\n'
    "2,Bob,,03/07/2024,App Store,5\n"
    '3,,"Love the ""new"" look",March 9 2024,NPS survey, 4 \n'
)


def test_csv_text_column_rows_and_metadata(parse, spoken):
    doc = parse("2024-03-10 feedback.csv", CSV)
    assert doc.text == 'Export is slow\nand it breaks\n\nLove the "new" look'
    assert spoken(doc) == [("Ann", PARTICIPANT, "Export is slow\nand it breaks"),
                           ("Respondent", PARTICIPANT, 'Love the "new" look')]
    ann, anon = doc.turns
    assert (ann.participant, anon.participant) == ("Ann", None)
    assert (ann.line, anon.line) == (1, 4)
    assert ann.meta == {"id": "1", "Customer Name": "Ann", "Created At": "2024-03-05T10:00:00Z",
                        "Source": "Zendesk ticket", "Rating": "2", "row": 2,
                        "date": "2024-03-05", "kind": "support"}
    assert anon.meta["row"] == 4 and anon.meta["Rating"] == "4"
    assert anon.meta["date"] == "2024-03-09" and anon.meta["kind"] == "survey"
    assert doc.kind_hint == "survey"  # rows disagree
    assert doc.metadata["skipped_rows"] == 1
    assert doc.metadata["text_column"] == "Comment"
    assert doc.metadata["author_column"] == "Customer Name"
    assert doc.date == "2024-03-10" and doc.title == "Feedback"


def test_csv_semicolon_delimiter_and_one_kind(parse):
    text = "review;author;store;date\nToo pricey;kim;iOS;05.03.2024\nCrashes;lee;Google Play;2024/03/06\n"
    doc = parse("r.csv", text)
    assert [doc.text[t.start:t.end] for t in doc.turns] == ["Too pricey", "Crashes"]
    assert doc.kind_hint == "review"
    assert [t.meta["date"] for t in doc.turns] == ["2024-03-05", "2024-03-06"]
    assert doc.metadata["delimiter"] == ";"


def test_csv_tab_delimiter_and_quoted_newlines_row_numbers(parse):
    text = 'feedback\tuser\n"line one\nline two"\tx\nsecond\ty\n'
    doc = parse("t.csv", text)
    assert [t.meta["row"] for t in doc.turns] == [2, 3]
    assert [t.line for t in doc.turns] == [1, 4]
    assert doc.metadata["delimiter"] == "tab"


def test_text_column_priority_and_override(parse, parse_error):
    text = "description,comment,notes\nlong desc,the comment,my note\n"
    assert parse("p.csv", text).text == "the comment"
    assert parse("p.csv", text, text_col="notes").text == "my note"
    assert parse("p.csv", text, text_col="NOTES").text == "my note"
    message = parse_error("p.csv", text, text_col="body")
    assert message == "text column 'body' not found (columns: description, comment, notes)"


def test_text_column_found_by_token(parse):
    text = "review_id,review_text,review_date\n7,Great support,2024-01-02\n"
    doc = parse("g2.csv", text)
    assert doc.text == "Great support"
    assert doc.turns[0].meta["date"] == "2024-01-02"


def test_a_table_without_a_text_column_names_its_columns(parse_error):
    message = parse_error("x.csv", "a,b,c\n1,2,3\n")
    assert message == "no text column found (columns: a, b, c); pass --text-col"


def test_huge_field_is_read(parse):
    big = "word " * 60000
    doc = parse("big.csv", f'text\n"{big}"\n')
    assert doc.text == big.strip()


def test_json_list_and_nested_keys(parse, spoken):
    data = {"results": [
        {"text": "Export fails", "user": {"name": "ann"}, "channel": "email",
         "created_at": "2024-02-01T08:00:00+01:00", "tags": ["export", "bug"]},
        {"text": "  ", "user": {"name": "bob"}},
        {"text": "Need SSO", "channel": "Intercom chat", "score": 7, "vip": True},
    ]}
    doc = parse("fb.json", json.dumps(data))
    assert spoken(doc) == [("ann", PARTICIPANT, "Export fails"),
                           ("Respondent", PARTICIPANT, "Need SSO")]
    assert doc.metadata["author_column"] == "user.name"
    first, second = doc.turns
    assert first.meta["user.name"] == "ann" and first.meta["tags"] == "export, bug"
    assert first.meta["date"] == "2024-02-01" and first.meta["row"] == 1
    assert second.meta["row"] == 3 and second.meta["score"] == "7" and second.meta["vip"] == "true"
    assert doc.kind_hint == "support"
    assert doc.metadata["skipped_rows"] == 1


def test_json_plain_list_with_author(parse):
    data = [{"body": "Slow sync", "author": "Kim", "platform": "Android"},
            {"body": "Love it", "author": "Lee", "platform": "iOS"}]
    doc = parse("r.json", json.dumps(data))
    assert [(t.speaker, t.participant) for t in doc.turns] == [("Kim", "Kim"), ("Lee", "Lee")]
    assert doc.kind_hint == "review"


def test_json_list_of_strings(parse):
    doc = parse("s.json", json.dumps(["first note", "second note"]))
    assert doc.text == "first note\n\nsecond note"


def test_jsonl_rows_are_line_numbers(parse):
    lines = ['{"message": "one", "email": "a@x.io"}', "", '{"message": "two\\nlines"}']
    doc = parse("f.jsonl", "\n".join(lines))
    assert [t.meta["row"] for t in doc.turns] == [1, 3]
    assert doc.turns[0].participant == "a@x.io"
    assert doc.text == "one\n\ntwo\nlines"


@pytest.mark.parametrize("name, content, expected", [
    ("bad.json", '[{"text": "a"},\n {"text": }]', "malformed JSON at line 2, column 11"),
    ("bad.jsonl", '{"text": "a"}\n{"text": "b"\n', "malformed JSON on line 2"),
    ("bad.jsonl", '{"text": "a"}\n[1, 2]\n', "line 2 is not a JSON object (got list)"),
    ("shape.json", '{"count": 3, "meta": {"x": [1]}}', "JSON holds no list of records"),
    ("nums.json", "[1, 2]", "JSON record 1 is not an object (got int)"),
    ("empty.json", "[]", "no records found"),
    ("header.csv", "text,author\n", "no rows found (only a header)"),
    ("blank.csv", "text\n,\n  \n", "no rows found (only a header)"),
    ("notext.csv", "text,author\n ,ann\n", "no rows with text in column 'text'"),
])
def test_broken_feedback_files_are_refused_with_their_reason(parse_error, name, content, expected):
    assert parse_error(name, content).startswith(expected)


@pytest.mark.parametrize("value, kind", [
    ("NPS", "survey"), ("CSAT survey", "survey"), ("Zendesk", "support"),
    ("support_ticket", "support"), ("Email", "support"), ("App Store", "review"),
    ("iOS", "review"), ("android", "review"), ("G2", "review"), ("Capterra", "review"),
    ("user interview", "interview"), ("scenarios", None), ("web", None),
])
def test_channel_names_map_to_document_kinds(value, kind):
    assert map_kind(value) == kind
