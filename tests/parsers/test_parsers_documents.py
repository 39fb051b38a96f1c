"""ODT (odfpy), RTF (striprtf) and HTML (html.parser) documents -> transcripts."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from research_hub.ingest.parsers import parse_file
from research_hub.ingest.split import split_document
from research_hub.ingest.types import INTERVIEWER, PARTICIPANT

FIXTURES = Path(__file__).parent / "fixtures"
I, P = INTERVIEWER, PARTICIPANT


def load(name, check):
    return check(parse_file(FIXTURES / name))


def test_odt_paragraphs_lists_tables_and_heading(check, spoken):
    doc = load("interview_sol_vega.odt", check)
    assert doc.metadata["format"] == "odt" and doc.kind_hint == "interview"
    assert doc.title == "Interview with Sol Vega"
    assert spoken(doc) == [
        ("Interviewer", I, "How do you book the studio?"),
        ("Sol Vega", P, "On a paper calendar by the door.\nTwo  people once booked the same hour."),
        ("Interviewer", I, "What did you try instead?"),
        ("Sol Vega", P, "A shared spreadsheet.\tNobody opened it.\nIt was slow on phones.\n"
                        "It had no reminders."),
        ("Interviewer", I, "Would reminders help?"),
        ("Sol Vega", P, "Yes, a text the day before."),
    ]
    for snip in split_document(doc, "odt"):
        assert doc.text[snip.char_start:snip.char_end] == snip.text


def test_odt_heading_is_the_title_even_when_short(tmp_path, check):
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P as Para

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Okay"))
    document.text.addElement(Para(text="Interviewer: Why?"))
    document.text.addElement(Para(text="Kai: Because."))
    path = tmp_path / "heading.odt"
    document.save(str(path))
    doc = check(parse_file(path))
    assert doc.title == "Okay"  # the author marked it as a heading


@pytest.mark.parametrize("content, start", [
    (b"plain text", "cannot open ODT: not an OpenDocument .odt file"),
    (b"PK\x03\x04 broken", "cannot open ODT"),
])
def test_a_broken_odt_is_refused_with_its_reason(parse_error, content, start):
    assert parse_error("bad.odt", content).startswith(start)


def test_odt_that_is_a_spreadsheet_is_refused(parse_error, tmp_path):
    from odf.opendocument import OpenDocumentSpreadsheet

    path = tmp_path / "sheet.ods"
    OpenDocumentSpreadsheet().save(str(path))
    assert parse_error("sheet.odt", path.read_bytes()).startswith("cannot open ODT: not a text document")


def test_odt_zip_bomb_is_refused_before_inflating(parse_error):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        with z.open("content.xml", "w") as f:
            for _ in range(300):
                f.write(b" " * (1 << 20))
    assert "zip bomb" in parse_error("bomb.odt", buffer.getvalue())


def test_an_rtf_transcript_keeps_its_title_and_speakers(check, spoken):
    doc = load("interview_rtf.rtf", check)
    assert doc.metadata["format"] == "rtf"
    assert doc.title == "Interview with Renée Park"
    assert spoken(doc) == [
        ("Interviewer", I, "How do you take wedding orders?"),
        ("Renée Park", P, "On paper first, then in a spreadsheet.\nIt takes an evening a week."),
        ("Interviewer", I, "What goes wrong?"),
        ("Renée Park", P, "Prices change and the old quotes stay in the sheet."),
    ]


def test_rtf_info_title_when_the_text_has_none(parse):
    rtf = (r"{\rtf1\ansi{\info{\title Florist call}}" "\n"
           r"Interviewer: Why paper?\par Ola: My customers like it.\par Interviewer: Ok?\par"
           r" Ola: Yes.\par}")
    assert parse("call.rtf", rtf).title == "Florist call"


def test_plain_text_or_empty_rtf_is_refused_with_its_reason(parse_error):
    assert parse_error("x.rtf", "just text") == "not an RTF file (no {\\rtf header)"
    assert parse_error("y.rtf", r"{\rtf1\ansi{\fonttbl{\f0 Arial;}}}") == (
        "no text found in the RTF (empty document)")


def test_html_visible_text_only(check, spoken):
    doc = load("interview_page.html", check)
    assert doc.metadata["format"] == "html"
    assert doc.title == "Interview with Lio Brandt"
    assert spoken(doc) == [
        ("Interviewer", I, "How do you share the weekly report?"),
        ("Lio Brandt", P, "I paste the numbers into an email.\nIt takes an hour & it is always late."),
        ("Interviewer", I, "What would help?"),
        ("Lio Brandt", P, "A link that always shows this week's numbers."),
    ]
    for hidden in ("document.write", "color: red", "a comment", "Enable JavaScript", "alert",
                   "<", "&amp;"):
        assert hidden not in doc.text


def test_html_title_element_when_there_is_no_heading(parse):
    page = ("<html><head><title>Call with Ola</title></head><body>"
            "<p>Interviewer: Why paper?</p><p>Ola: My customers like it.</p>"
            "<p>Interviewer: Always?</p><p>Ola: Mostly.</p></body></html>")
    doc = parse("call.htm", page)
    assert doc.title == "Call with Ola" and doc.metadata["format"] == "html"


def test_html_with_no_visible_text_is_refused(parse_error):
    assert parse_error("e.html", "<html><script>alert(1)</script></html>") == (
        "no text found in the HTML (no visible text)")


def test_html_pre_keeps_lines(parse, spoken):
    doc = parse("p.html", "<pre>Interviewer: Why?\nOla:   Because\n  it is cheap.</pre>")
    assert spoken(doc) == [("Interviewer", I, "Why?"), ("Ola", P, "Because\n  it is cheap.")]
